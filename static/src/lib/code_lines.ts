// Highlighted HTML cut into lines, each with its spans closed and reopened, so a line can be its own
// row (numbered, wrapped, the caret's marked) while a comment spanning lines keeps its colour.

/** The lines of highlight.js output; a final newline ends the last line, it starts none. */
export function highlightedLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = "";
  let last = 0;
  // highlight.js writes only `<span class="…">`, `</span>` and escaped text.
  for (const match of html.matchAll(/<span[^>]*>|<\/span>|\n/g)) {
    current += html.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[0] === "\n") {
      lines.push(current + "</span>".repeat(open.length));
      current = open.join("");
    } else {
      if (match[0] === "</span>") open.pop();
      else open.push(match[0]);
      current += match[0];
    }
  }
  current += html.slice(last);
  if (current !== open.join("") || lines.length === 0) lines.push(current);
  return lines;
}
