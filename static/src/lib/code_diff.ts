// A line diff between two pushes of a snippet, as rows for the diff view (jsdiff does the work).
import { diffLines } from "diff";

export interface DiffRow {
  kind: "same" | "added" | "removed";
  text: string;
  /** Line number in the previous push (same, removed). */
  oldLine?: number;
  /** Line number in this push (same, added). */
  newLine?: number;
}

/** Every line of `previous` and `next`, marked kept, added or removed, with both line numbers. */
export function lineDiff(previous: string, next: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const change of diffLines(previous, next)) {
    const lines = change.value.replace(/\n$/, "").split("\n");
    for (const text of lines) {
      if (change.added) rows.push({ kind: "added", text, newLine: newLine++ });
      else if (change.removed) rows.push({ kind: "removed", text, oldLine: oldLine++ });
      else rows.push({ kind: "same", text, oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return rows;
}

/** How many lines were added and removed. */
export function diffStats(rows: DiffRow[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const row of rows) {
    if (row.kind === "added") added++;
    if (row.kind === "removed") removed++;
  }
  return { added, removed };
}
