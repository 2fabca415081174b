// The CodeMirror 6 editor: nginx highlighting (legacy nginx mode), lint gutter, a theme drawn from
// the page's CSS variables (so it follows the light/dark switch without reconfiguring).

import { basicSetup } from "codemirror";
import { indentWithTab } from "@codemirror/commands";
import { HighlightStyle, StreamLanguage, syntaxHighlighting, indentUnit, type StreamParser } from "@codemirror/language";
import { nginx } from "@codemirror/legacy-modes/mode/nginx";
import { lintGutter } from "@codemirror/lint";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, type KeyBinding } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

// The legacy nginx mode borrows CSS's `/* */` and `<!-- -->` comments, which nginx does not have:
// `include conf.d/*.conf;` would start a comment. Outside strings and comments, such a `/` or `<`
// is read as a plain character here.
type ModeState = { tokenize: unknown };
const legacy = nginx as StreamParser<ModeState>;
const baseTokenizer = legacy.startState!(4).tokenize;
const nginxMode: StreamParser<ModeState> = {
  ...legacy,
  token(stream, state) {
    if (stream.eatSpace()) return null;
    // The mode reads a word, then one more character, and only then looks for `/*` or `<!`.
    if (state.tokenize === baseTokenizer && (stream.match(/^[\w$]*\/(?=\*)/) || stream.match(/^[\w$]*<(?=!)/))) return null;
    return legacy.token(stream, state);
  },
};

const theme = EditorView.theme({
  "&.cm-focused": { outline: "none" },
  "&": { height: "100%", fontSize: "13.5px", backgroundColor: "var(--bg)", color: "var(--text)" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55" },
  ".cm-content": { caretColor: "var(--text)", padding: "8px 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--sel) !important" },
  ".cm-activeLine": { backgroundColor: "var(--active-line)" },
  ".cm-gutters": { backgroundColor: "var(--bg)", color: "var(--gutter)", borderRight: "1px solid var(--border)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--text)" },
  ".cm-foldPlaceholder": { backgroundColor: "var(--bg-soft)", border: "1px solid var(--border)", color: "var(--text-soft)" },
  ".cm-tooltip": { backgroundColor: "var(--bg-raised)", border: "1px solid var(--border)", color: "var(--text)", boxShadow: "0 4px 14px rgba(0,0,0,.15)", borderRadius: "6px" },
  ".cm-tooltip-lint": { padding: "2px 0" },
  ".cm-diagnostic": { padding: "5px 10px", borderLeftWidth: "4px" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--error)" },
  ".cm-diagnostic-warning": { borderLeftColor: "var(--warning)" },
  ".cm-diagnostic-info": { borderLeftColor: "var(--info)" },
  ".cm-diagnosticAction": { backgroundColor: "var(--accent-soft)", color: "var(--text)", border: "1px solid var(--accent)", borderRadius: "4px", padding: "1px 8px", font: "12px var(--sans)", cursor: "pointer" },
  ".cm-diagnosticSource": { fontFamily: "var(--mono)", fontSize: "11.5px", color: "var(--text-soft)", opacity: "1", marginTop: "4px" },
  ".cm-panels": { backgroundColor: "var(--bg-soft)", color: "var(--text)" },
  ".cm-searchMatch": { backgroundColor: "rgba(255, 200, 0, .3)" },
  ".cm-matchingBracket, &.cm-focused .cm-matchingBracket": { backgroundColor: "var(--accent-soft)", outline: "1px solid var(--accent)" },
});

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "var(--tok-keyword)" },
  { tag: [t.definition(t.variableName), t.propertyName, t.typeName, t.atom], color: "var(--tok-def)" },
  { tag: [t.string, t.special(t.string)], color: "var(--tok-string)" },
  { tag: t.number, color: "var(--tok-number)" },
  { tag: [t.variableName, t.special(t.variableName)], color: "var(--tok-variable)" },
  { tag: t.comment, color: "var(--tok-comment)", fontStyle: "italic" },
  { tag: [t.bracket, t.punctuation], color: "var(--tok-bracket)" },
]);

/** The extensions every file's editor state gets (the view itself is shared by a side's files). */
export function editorExtensions(label: string, extra: Extension[], keys: KeyBinding[]): Extension[] {
  return [
    basicSetup,
    keymap.of([...keys, indentWithTab]),
    StreamLanguage.define(nginxMode),
    indentUnit.of("    "),
    EditorState.tabSize.of(4),
    syntaxHighlighting(highlight),
    lintGutter(),
    theme,
    EditorView.contentAttributes.of({ "aria-label": label, "aria-describedby": "editor-help", spellcheck: "false" }),
    ...extra,
  ];
}
