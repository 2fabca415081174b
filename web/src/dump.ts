// Where each file of an `nginx -T` dump starts inside the dump, so diagnostics about the split
// files can be shown in the editor, which holds the whole dump.

import type { SourceFile } from "./api";

export interface DumpPart {
  path: string;
  /** UTF-16 offset of the file's first character in the dump. */
  offset: number;
  /** 0-based line of the file's first line in the dump. */
  line: number;
  length: number;
}

const HEAD = "# configuration file ";

/**
 * Locates the files `splitDump` returned inside `dump`: each body follows its
 * `# configuration file PATH:` header line, in order. A file that cannot be found at its header
 * gets no part (its diagnostics then stay in the panel only).
 */
export function locateParts(dump: string, files: SourceFile[]): (DumpPart | null)[] {
  const bodies: { path: string; offset: number; line: number }[] = [];
  let at = 0;
  let line = 0;
  while (at <= dump.length) {
    let end = dump.indexOf("\n", at);
    if (end < 0) end = dump.length;
    let text = dump.slice(at, end);
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.startsWith(HEAD) && text.endsWith(":")) {
      bodies.push({ path: text.slice(HEAD.length, -1), offset: Math.min(end + 1, dump.length), line: line + 1 });
    }
    at = end + 1;
    line++;
  }
  let next = 0;
  return files.map((f) => {
    for (let i = next; i < bodies.length; i++) {
      const b = bodies[i];
      if (b.path === f.path && dump.startsWith(f.text, b.offset)) {
        next = i + 1;
        return { path: f.path, offset: b.offset, line: b.line, length: f.text.length };
      }
    }
    return null;
  });
}
