// Code views shared by the participant and presenter pages: highlighted, numbered lines with the
// presenter's caret line marked, and a highlighted line diff between two versions of one file.
import { useMemo } from "preact/hooks";
import { highlightCode } from "./code_languages.ts";
import { highlightedLines } from "./code_lines.ts";
import { diffStats, lineDiff } from "./code_diff.ts";
import { prefsClass, prefsStyle, type ViewPrefs } from "./code_controls.tsx";

const DEFAULT_PREFS: ViewPrefs = { fontSize: 14, wrap: false, theme: "dark" };

/** The content's lines as highlighted HTML, by the language its file name says. */
function useHighlighted(content: string, fileName: string) {
  return useMemo(() => {
    const { html, language } = highlightCode(content, fileName);
    return { lines: highlightedLines(html), language };
  }, [content, fileName]);
}

export interface CodeViewProps {
  content: string;
  fileName: string;
  /** The presenter's caret line, marked while they type. */
  caretLine?: number;
  prefs?: ViewPrefs;
}

/** The content highlighted by its file name, one numbered row per line. */
export function CodeView({ content, fileName, caretLine, prefs = DEFAULT_PREFS }: CodeViewProps) {
  const { lines, language } = useHighlighted(content, fileName);
  // Each row ends in its newline (the last one only when the content does), so the text of the
  // view is the content itself; a block's final newline adds no empty row.
  const last = lines.length - 1;
  const ending = content.endsWith("\n");
  const rows = lines.map((html, i) => (
    <span
      key={i}
      class={i + 1 === caretLine ? "line caret" : "line"}
      data-line={i + 1}
      // highlight.js escapes the content; the HTML holds only its own spans.
      dangerouslySetInnerHTML={{ __html: html + (i < last || ending ? "\n" : "") }}
    />
  ));
  const className = `hljs${language ? ` language-${language}` : ""}`;
  return (
    <div
      class={`code-view ${prefsClass(prefs)}`}
      style={prefsStyle(prefs)}
      id="code-view"
      data-language={language ?? "plaintext"}
    >
      <pre class="code-pre">
        <code id="code" class={className}>{rows}</code>
      </pre>
    </div>
  );
}

export interface Version {
  content: string;
  fileName: string;
  /** Shown in the heading: "pushed 10:02:03", "live". */
  label: string;
}

/** `next` against `previous`, the versions of one file, line by line and highlighted. */
export function DiffView(
  { previous, next, prefs = DEFAULT_PREFS }: {
    previous: Version | null;
    next: Version;
    prefs?: ViewPrefs;
  },
) {
  const before = useHighlighted(previous?.content ?? "", next.fileName);
  const after = useHighlighted(next.content, next.fileName);
  const rows = useMemo(
    () => (previous ? lineDiff(previous.content, next.content) : []),
    [previous?.content, next.content],
  );
  if (!previous) {
    return (
      <p class="muted diff-none" id="diff">
        This is the first version of {next.fileName}: nothing to compare yet.
      </p>
    );
  }
  const stats = diffStats(rows);
  return (
    <div class="diff-view" id="diff">
      <p class="muted">
        <b>{next.fileName}</b>: {next.label} against {previous.label}
        {" · "}
        <span class="diff-added-count">+{stats.added}</span>{" "}
        <span class="diff-removed-count">−{stats.removed}</span>
      </p>
      <div class={`diff-scroll ${prefsClass(prefs)}`} style={prefsStyle(prefs)}>
        <table class="diff-table hljs">
          <tbody>
            {rows.map((row, i) => {
              const html = row.kind === "removed"
                ? before.lines[row.oldLine! - 1]
                : after.lines[row.newLine! - 1];
              return (
                <tr key={i} class={`diff-${row.kind}`}>
                  <td class="ln">{row.oldLine ?? ""}</td>
                  <td class="ln">{row.newLine ?? ""}</td>
                  <td class="mark">
                    {row.kind === "added" ? "+" : row.kind === "removed" ? "−" : " "}
                  </td>
                  <td class="text">
                    <pre dangerouslySetInnerHTML={{ __html: html || " " }} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
