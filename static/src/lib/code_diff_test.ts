// Unit tests for the diff view's rows and the file-name-to-language mapping.
import { assertEquals } from "../../../tests/_assert.ts";
import { diffStats, lineDiff } from "./code_diff.ts";
import { highlightCode, languageFor } from "./code_languages.ts";

Deno.test("lineDiff() marks kept, added and removed lines with both line numbers", () => {
  const rows = lineDiff("a\nb\nc\n", "a\nB\nc\nd");
  assertEquals(rows, [
    { kind: "same", text: "a", oldLine: 1, newLine: 1 },
    { kind: "removed", text: "b", oldLine: 2 },
    { kind: "added", text: "B", newLine: 2 },
    { kind: "same", text: "c", oldLine: 3, newLine: 3 },
    { kind: "added", text: "d", newLine: 4 },
  ]);
  assertEquals(diffStats(rows), { added: 2, removed: 1 });
  assertEquals(lineDiff("same\n", "same\n").map((r) => r.kind), ["same"]);
  assertEquals(lineDiff("", "x").map((r) => [r.kind, r.text]), [["added", "x"]]);
});

Deno.test("languageFor() picks the language from the extension or the file name", () => {
  assertEquals(languageFor("main.go"), "go");
  assertEquals(languageFor("src/App.TSX"), "typescript");
  assertEquals(languageFor("script.py"), "python");
  assertEquals(languageFor("Dockerfile"), "dockerfile");
  assertEquals(languageFor("Makefile"), "makefile");
  assertEquals(languageFor("notes"), null);
  assertEquals(languageFor("data.unknownext"), null);
  const { html, language } = highlightCode("def f():\n    return 1", "a.py");
  assertEquals(language, "python");
  assertEquals(html.includes('<span class="hljs-keyword">def</span>'), true);
  assertEquals(highlightCode("<b>hi</b>", "notes.txt").html, "&#60;b&#62;hi&#60;/b&#62;");
});
