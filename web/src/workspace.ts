// One side of the playground: a set of files (the first is the main file nginx starts from) with
// a file bar (switch, add, rename, remove) and one CodeMirror view showing the selected file.
//
// Results come back from the engine for the text as it was sent (a Snapshot); the user may have
// typed since. Each file keeps the changes made to it since (a short log), so positions in a
// result are mapped onto the current text before they are shown or selected.

import { setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { ChangeSet, EditorState, type Extension } from "@codemirror/state";
import { EditorView, type KeyBinding } from "@codemirror/view";
import type { SourceFile } from "./api";
import { editorExtensions } from "./editor";

export const PREFIX = "/etc/nginx/";
export const MAIN = "/etc/nginx/nginx.conf";
/** Changes kept per file for mapping results computed on older text. */
const LOG_LIMIT = 400;

interface FileDoc {
  id: number;
  path: string;
  state: EditorState;
  /** Number of document changes so far. */
  version: number;
  /** log[i] turns version logBase + i into logBase + i + 1. */
  log: ChangeSet[];
  logBase: number;
}

/** The files as sent to the engine, and which version of which file each path was. */
export interface Snapshot {
  rev: number;
  files: SourceFile[];
  at: Map<string, { id: number; version: number }>;
}

/** A place in the current text of one file. */
export interface Spot {
  id: number;
  path: string;
  from: number;
  to: number;
}

export interface WorkspaceHooks {
  /** The text or the files changed ("edit": typing in a file; "files": added, removed, renamed, replaced). */
  changed(kind: "edit" | "files"): void;
  /** Text that looks like `nginx -T` output was pasted. */
  pastedDump(text: string): void;
  /** A short message for the status bar. */
  say(text: string, bad?: boolean): void;
  focused(): void;
}

const DUMP_HEADER = /^# configuration file [^\n]+:\r?$/m;

export function looksLikeDump(text: string): boolean {
  return DUMP_HEADER.test(text);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i >= 0 ? path.slice(0, i + 1) : "";
}

export class Workspace {
  readonly view: EditorView;
  /** Bumped by every change to any file's text or to the set of files. */
  rev = 0;
  private docs: FileDoc[] = [];
  private activeId = 0;
  private nextId = 1;
  private readonly ext: Extension[];
  private renaming = false;

  constructor(
    readonly name: "before" | "after",
    private readonly bar: HTMLElement,
    host: HTMLElement,
    label: string,
    keys: KeyBinding[],
    private readonly hooks: WorkspaceHooks,
  ) {
    this.ext = editorExtensions(
      label,
      [
        EditorView.updateListener.of((u) => {
          const doc = this.active;
          if (!doc) return;
          doc.state = u.state;
          if (u.focusChanged && u.view.hasFocus) this.hooks.focused();
          if (!u.docChanged) return;
          doc.log.push(u.changes);
          doc.version++;
          if (doc.log.length > LOG_LIMIT) {
            doc.log.shift();
            doc.logBase++;
          }
          this.rev++;
          const pasted = u.transactions.filter((tr) => tr.isUserEvent("input.paste") || tr.isUserEvent("input.drop"));
          if (pasted.length) {
            let text = "";
            for (const tr of pasted) tr.changes.iterChanges((_a, _b, _c, _d, ins) => (text += ins.toString()));
            if (looksLikeDump(text)) this.hooks.pastedDump(text);
          }
          this.hooks.changed("edit");
        }),
      ],
      keys,
    );
    this.view = new EditorView({ parent: host });
    host.setAttribute("role", "region");
    this.setFiles([{ path: MAIN, text: "" }]);
  }

  private get active(): FileDoc | undefined {
    return this.docs.find((d) => d.id === this.activeId);
  }

  private makeDoc(path: string, text: string): FileDoc {
    return { id: this.nextId++, path, state: EditorState.create({ doc: text, extensions: this.ext }), version: 0, log: [], logBase: 0 };
  }

  /** Replaces every file (undo history starts afresh); shows `show` or the main file. */
  setFiles(files: SourceFile[], show?: string) {
    const list = files.length ? files : [{ path: MAIN, text: "" }];
    this.docs = list.map((f) => this.makeDoc(f.path, f.text));
    const pick = this.docs.find((d) => d.path === show) ?? this.docs[0];
    this.activeId = pick.id;
    this.view.setState(pick.state);
    this.rev++;
    this.renderBar();
    this.hooks.changed("files");
  }

  /** The current files, main first. */
  files(): SourceFile[] {
    return this.docs.map((d) => ({ path: d.path, text: d.id === this.activeId ? this.view.state.doc.toString() : d.state.doc.toString() }));
  }

  snapshot(): Snapshot {
    const at = new Map<string, { id: number; version: number }>();
    for (const d of this.docs) at.set(d.path, { id: d.id, version: d.version });
    return { rev: this.rev, files: this.files(), at };
  }

  get activePath(): string {
    return this.active?.path ?? MAIN;
  }

  get mainPath(): string {
    return this.docs[0]?.path ?? MAIN;
  }

  /** A path as the file bar shows it: relative to the main file's directory when under it. */
  display(path: string): string {
    const dir = dirOf(this.mainPath);
    return dir && path.startsWith(dir) && path !== dir ? path.slice(dir.length) : path;
  }

  /** Maps a place in a snapshot's text onto the current text; null when the file is gone. */
  locate(snap: Snapshot, path: string, from: number, to: number): Spot | null {
    const at = snap.at.get(path);
    if (!at) return null;
    const doc = this.docs.find((d) => d.id === at.id);
    if (!doc || at.version < doc.logBase) return null;
    const len = (doc.id === this.activeId ? this.view.state : doc.state).doc.length;
    for (let i = at.version - doc.logBase; i < doc.log.length; i++) {
      from = doc.log[i].mapPos(from, 1);
      to = Math.max(from, doc.log[i].mapPos(to, -1));
    }
    from = Math.min(from, len);
    return { id: doc.id, path: doc.path, from, to: Math.min(Math.max(to, from), len) };
  }

  /** Shows the file and selects the span; focuses the editor when asked. */
  reveal(spot: Spot, focus: boolean) {
    const doc = this.docs.find((d) => d.id === spot.id);
    if (!doc) return;
    if (doc.id !== this.activeId) this.show(doc.id);
    const len = this.view.state.doc.length;
    const from = Math.min(spot.from, len);
    const to = Math.min(spot.to, len);
    this.view.dispatch({ selection: { anchor: from, head: to }, effects: EditorView.scrollIntoView(from, { y: "center" }) });
    if (focus) this.view.focus();
  }

  /**
   * Puts diagnostics (positions in the snapshot's text) into every file's editor state. `make`
   * builds the CodeMirror diagnostic for one, at its current position.
   */
  applyDiagnostics<D extends { file: string; from: number; to: number }>(snap: Snapshot, list: D[], make: (d: D, from: number, to: number) => CmDiagnostic) {
    const perFile = new Map<number, CmDiagnostic[]>();
    for (const d of list) {
      const spot = this.locate(snap, d.file, d.from, d.to);
      if (!spot) continue;
      let arr = perFile.get(spot.id);
      if (!arr) perFile.set(spot.id, (arr = []));
      arr.push(make(d, spot.from, spot.to));
    }
    for (const doc of this.docs) {
      const cm = perFile.get(doc.id) ?? [];
      if (doc.id === this.activeId) this.view.dispatch(setDiagnostics(this.view.state, cm));
      else doc.state = doc.state.update(setDiagnostics(doc.state, cm)).state;
    }
  }

  /** Replaces the text of the shown file as one undoable change. */
  replaceActive(text: string, from = 0, to = this.view.state.doc.length, userEvent?: string) {
    this.view.dispatch({ changes: { from, to, insert: text }, ...(userEvent ? { userEvent } : {}) });
  }

  showPath(path: string) {
    const doc = this.docs.find((d) => d.path === path);
    if (doc) this.show(doc.id);
  }

  private show(id: number) {
    const cur = this.active;
    if (cur) cur.state = this.view.state;
    const next = this.docs.find((d) => d.id === id);
    if (!next) return;
    this.activeId = id;
    this.view.setState(next.state);
    this.renderBar();
  }

  // ---- file bar ---------------------------------------------------------------------------------

  private renderBar() {
    const bar = this.bar;
    bar.replaceChildren();
    const list = document.createElement("div");
    list.className = "file-list";
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", `${this.name === "before" ? "Before" : "After"}: files`);
    this.docs.forEach((d, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "file";
      b.dataset.path = d.path;
      b.title = d.path + (i === 0 ? " (main file: nginx starts here)" : "");
      b.textContent = this.display(d.path);
      if (i === 0) {
        const m = document.createElement("span");
        m.className = "main-badge";
        m.textContent = "main";
        b.append(m);
      }
      if (d.id === this.activeId) b.setAttribute("aria-current", "true");
      b.addEventListener("click", () => this.show(d.id));
      b.addEventListener("keydown", (e) => this.barKey(e, i));
      list.append(b);
    });
    const tools = document.createElement("div");
    tools.className = "file-tools";
    tools.append(
      this.tool("add", "+", "Add a file", () => this.add()),
      this.tool("rename", "✎", `Rename ${this.display(this.activePath)}`, () => this.startRename()),
      this.tool("remove", "×", `Remove ${this.display(this.activePath)}`, () => this.remove(), this.docs.length < 2),
    );
    bar.append(list, tools);
  }

  private tool(cls: string, text: string, label: string, run: () => void, disabled = false): HTMLButtonElement {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `file-tool ${cls}`;
    b.textContent = text;
    b.title = label;
    b.setAttribute("aria-label", label);
    b.disabled = disabled;
    b.addEventListener("click", run);
    return b;
  }

  /** Arrow keys move between the file buttons; F2 renames. */
  private barKey(e: KeyboardEvent, i: number) {
    const buttons = [...this.bar.querySelectorAll<HTMLButtonElement>("button.file")];
    let next = -1;
    if (e.key === "ArrowRight") next = (i + 1) % buttons.length;
    else if (e.key === "ArrowLeft") next = (i - 1 + buttons.length) % buttons.length;
    else if (e.key === "F2") {
      e.preventDefault();
      this.show(this.docs[i].id);
      this.startRename();
      return;
    }
    if (next >= 0) {
      e.preventDefault();
      buttons[next].focus();
    }
  }

  private uniquePath(base: string): string {
    const taken = new Set(this.docs.map((d) => d.path));
    if (!taken.has(base)) return base;
    const m = /^(.*?)(\.[^./]*)?$/.exec(base)!;
    for (let n = 2; ; n++) {
      const p = `${m[1]}-${n}${m[2] ?? ""}`;
      if (!taken.has(p)) return p;
    }
  }

  /** Adds an empty file (or the given one) and shows it; a new empty file is named at once. */
  add(file?: SourceFile) {
    const path = file ? file.path : this.uniquePath(dirOf(this.mainPath) + "conf.d/new.conf");
    const existing = this.docs.find((d) => d.path === path);
    if (existing) {
      this.show(existing.id);
      if (file) this.replaceActive(file.text);
      return;
    }
    const doc = this.makeDoc(path, file?.text ?? "");
    this.docs.push(doc);
    this.rev++;
    this.show(doc.id);
    this.hooks.changed("files");
    if (!file) this.startRename();
  }

  remove(path = this.activePath) {
    if (this.docs.length < 2) return;
    const i = this.docs.findIndex((d) => d.path === path);
    if (i < 0) return;
    const [gone] = this.docs.splice(i, 1);
    this.rev++;
    if (gone.id === this.activeId) this.show(this.docs[Math.min(i, this.docs.length - 1)].id);
    else this.renderBar();
    this.hooks.say(`Removed ${gone.path}${i === 0 ? `; ${this.mainPath} is the main file now` : ""}.`);
    this.hooks.changed("files");
    this.bar.querySelector<HTMLButtonElement>('button.file[aria-current="true"]')?.focus();
  }

  /** Renames a file; relative names are taken from the main file's directory. */
  rename(from: string, to: string): boolean {
    to = to.trim();
    if (!to) return false;
    if (!to.startsWith("/")) to = (dirOf(this.mainPath) || PREFIX) + to.replace(/^\.\//, "");
    const doc = this.docs.find((d) => d.path === from);
    if (!doc) return false;
    if (to === from) return true;
    if (this.docs.some((d) => d.path === to)) {
      this.hooks.say(`There is already a file ${to}.`, true);
      return false;
    }
    doc.path = to;
    this.rev++;
    this.renderBar();
    this.hooks.changed("files");
    return true;
  }

  /** Turns the shown file's button into a text field: Enter renames, Escape cancels. */
  startRename() {
    if (this.renaming) return;
    const doc = this.active;
    const button = this.bar.querySelector<HTMLButtonElement>('button.file[aria-current="true"]');
    if (!doc || !button) return;
    this.renaming = true;
    const input = document.createElement("input");
    input.className = "file-rename";
    input.value = this.display(doc.path);
    input.setAttribute("aria-label", `New name for ${doc.path} (relative to ${dirOf(this.mainPath) || "/"})`);
    input.size = Math.max(12, input.value.length + 2);
    button.replaceWith(input);
    input.focus();
    const dot = input.value.lastIndexOf(".");
    const slash = input.value.lastIndexOf("/");
    input.setSelectionRange(slash + 1, dot > slash ? dot : input.value.length);
    let done = false;
    const finish = (commit: boolean) => {
      if (done) return;
      done = true;
      this.renaming = false;
      const before = this.rev;
      if (commit) this.rename(doc.path, input.value);
      if (this.rev === before) this.renderBar(); // nothing renamed: put the button back
      this.bar.querySelector<HTMLButtonElement>('button.file[aria-current="true"]')?.focus();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        finish(true);
      } else if (e.key === "Escape") {
        e.preventDefault();
        finish(false);
      }
    });
    input.addEventListener("blur", () => finish(true));
  }
}
