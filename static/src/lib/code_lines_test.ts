// Unit tests for cutting highlighted HTML into self-contained lines, and for caret lines.
import { assertEquals } from "../../../tests/_assert.ts";
import { highlightedLines } from "./code_lines.ts";
import { highlightCode } from "./code_languages.ts";
import { caretLineAt } from "./code_live_sender.ts";

Deno.test("highlightedLines() closes and reopens spans that cross a line end", () => {
  assertEquals(highlightedLines('a<span class="c">/* x\ny */</span>\nb'), [
    'a<span class="c">/* x</span>',
    '<span class="c">y */</span>',
    "b",
  ]);
});

Deno.test("highlightedLines() keeps empty lines, drops the final newline, and keeps an empty file", () => {
  assertEquals(highlightedLines("a\n\nb\n"), ["a", "", "b"]);
  assertEquals(highlightedLines(""), [""]);
  assertEquals(highlightedLines("\n"), [""]);
  const { html } = highlightCode("/* one\ntwo */\nlet x = 1;\n", "a.js");
  const lines = highlightedLines(html);
  assertEquals(lines.length, 3);
  assertEquals(lines[1], '<span class="hljs-comment">two */</span>');
});

Deno.test("caretLineAt() counts the lines before the caret, from 1", () => {
  assertEquals(caretLineAt("", 0), 1);
  assertEquals(caretLineAt("a\nb\nc", 2), 2);
  assertEquals(caretLineAt("a\nb\nc", 99), 3);
});
