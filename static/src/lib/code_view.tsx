// Snippet views shared by the participant and presenter pages: highlighted code and a line diff.
import { useMemo } from "preact/hooks";
import { highlightCode } from "./code_languages.ts";
import { diffStats, lineDiff } from "./code_diff.ts";
import type { SnippetView } from "./code_api.ts";

/** The snippet highlighted by its file name, with line numbers in a gutter beside it. */
export function CodeView({ snippet }: { snippet: SnippetView }) {
  const { html, language } = useMemo(
    () => highlightCode(snippet.content, snippet.file_name),
    [snippet.id],
  );
  // A final newline ends the last line; it does not start a new one.
  const lines = snippet.content.replace(/\n$/, "").split("\n").length;
  const numbers = useMemo(
    () => Array.from({ length: lines }, (_, i) => i + 1).join("\n"),
    [lines],
  );
  // highlight.js escapes the content; the HTML holds only its own spans.
  const highlighted = { __html: html };
  const className = `hljs${language ? ` language-${language}` : ""}`;
  return (
    <div class="code-view" id="code-view" data-language={language ?? "plaintext"}>
      <pre class="gutter" aria-hidden="true">{numbers}</pre>
      <pre class="code-pre"><code id="code" class={className} dangerouslySetInnerHTML={highlighted} /></pre>
    </div>
  );
}

/** The snippet against the push before it, line by line. */
export function DiffView(
  { previous, snippet }: { previous: SnippetView | null; snippet: SnippetView },
) {
  const rows = useMemo(
    () => (previous ? lineDiff(previous.content, snippet.content) : []),
    [previous?.id, snippet.id],
  );
  if (!previous) {
    return <p class="muted diff-none" id="diff">This is the first push: nothing to compare yet.</p>;
  }
  const stats = diffStats(rows);
  return (
    <div class="diff-view" id="diff">
      <p class="muted">
        Against <b>{previous.file_name}</b> pushed{" "}
        {new Date(previous.pushed_at).toLocaleTimeString()}
        {" · "}
        <span class="diff-added-count">+{stats.added}</span>{" "}
        <span class="diff-removed-count">−{stats.removed}</span>
      </p>
      <table class="diff-table">
        <tbody>
          {rows.map((row, i) => (
            <tr key={i} class={`diff-${row.kind}`}>
              <td class="ln">{row.oldLine ?? ""}</td>
              <td class="ln">{row.newLine ?? ""}</td>
              <td class="mark">
                {row.kind === "added" ? "+" : row.kind === "removed" ? "−" : " "}
              </td>
              <td class="text">
                <pre>{row.text || " "}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
