// The little Markdown the rule documentation uses (headings, paragraphs, lists, fenced code,
// `code`, **bold**), rendered as DOM nodes: no HTML from the text is ever interpreted.

export function inline(parent: HTMLElement, text: string) {
  const re = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) parent.append(text.slice(at, m.index));
    const el = document.createElement(m[1] !== undefined ? "code" : "strong");
    el.textContent = m[1] ?? m[2];
    parent.append(el);
    at = m.index + m[0].length;
  }
  if (at < text.length) parent.append(text.slice(at));
}

/** Renders `md`; a first paragraph equal to `skipFirst` (the summary shown above it) is left out. */
export function renderMarkdown(md: string, skipFirst?: string): DocumentFragment {
  const out = document.createDocumentFragment();
  const lines = md.replace(/\r\n/g, "\n").split("\n");
  let para: string[] = [];
  let list: HTMLUListElement | null = null;
  const flush = () => {
    if (para.length) {
      const p = document.createElement("p");
      inline(p, para.join(" "));
      out.append(p);
      para = [];
    }
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^```(\w*)\s*$/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) code.push(lines[i]);
      const pre = document.createElement("pre");
      const c = document.createElement("code");
      if (fence[1]) c.dataset.lang = fence[1];
      c.textContent = code.join("\n");
      pre.append(c);
      out.append(pre);
      continue;
    }
    const h = /^(#{1,4})\s+(.*)$/.exec(line);
    if (h) {
      flush();
      const el = document.createElement(`h${Math.min(6, h[1].length + 3)}`);
      inline(el, h[2]);
      out.append(el);
      continue;
    }
    const li = /^\s*[-*]\s+(.*)$/.exec(line);
    if (li) {
      if (para.length) flush();
      if (!list) {
        list = document.createElement("ul");
        out.append(list);
      }
      const item = document.createElement("li");
      inline(item, li[1]);
      list.append(item);
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // continuation of a list item
      const last = list.lastElementChild as HTMLElement;
      last.append(" ");
      inline(last, line.trim());
      continue;
    }
    list = null;
    para.push(line.trim());
  }
  flush();
  const first = out.firstElementChild;
  const norm = (t: string) => t.replace(/[`*\s]+/g, " ").trim();
  if (skipFirst && first?.tagName === "P" && norm(first.textContent ?? "") === norm(skipFirst)) first.remove();
  return out;
}
