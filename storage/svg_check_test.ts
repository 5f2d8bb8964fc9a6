import { assert, assertEquals } from "../tests/_assert.ts";
import { checkSvg } from "./svg_check.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const verdict = (text: string) => {
  const result = checkSvg(enc(text));
  return result.ok ? "ok" : result.unsafe ? "unsafe" : "invalid";
};

Deno.test("checkSvg() accepts ordinary SVGs, as editors export them", () => {
  const inkscape = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="10" height="10" viewBox='0 0 10 10'>
  <style><![CDATA[ .a { fill: red } ]]></style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <a xlink:href="https://example.com/?a=1&amp;b=2"><rect class="a" width="10" height="10"/></a>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
  <text x="1" y="5">Tom &amp; Jerry &#x263A; &#9731; &lt;3</text>
</svg>
`;
  assertEquals(verdict("\uFEFF" + inkscape), "ok");
  assertEquals(verdict('<svg xmlns="http://www.w3.org/2000/svg"/>'), "ok");
});

Deno.test("checkSvg() refuses what is not a well-formed SVG document", () => {
  const cases = [
    "",
    "just text",
    "<html><body>hi</body></html>",
    "<svg><g></svg>",
    "<svg><g></g>",
    "<svg></svg><svg></svg>",
    "<svg></svg>trailing",
    "<svg a='1' a='2'/>",
    "<svg a=1/>",
    "<svg>&nbsp;</svg>",
    "<svg>a & b</svg>",
    '<!DOCTYPE svg [<!ENTITY lol "lol">]><svg>&lol;</svg>',
    "<svg><!-- unclosed </svg>",
    "<svg><x>",
  ];
  for (const text of cases) assertEquals(verdict(text), "invalid", JSON.stringify(text));
  const bad = checkSvg(Uint8Array.of(0x3c, 0x73, 0x76, 0x67, 0xff, 0x2f, 0x3e));
  assert(!bad.ok && /UTF-8/.test(bad.reason));
  const html = checkSvg(enc("<html></html>"));
  assert(!html.ok && html.reason === "Root element is <html>, not <svg>");
});

Deno.test("checkSvg() finds script, handlers and script URLs", () => {
  const cases = [
    "<svg><script>alert(1)</script></svg>",
    '<svg><svg:script xmlns:svg="http://www.w3.org/2000/svg"/></svg>',
    "<svg><SCRIPT/></svg>",
    '<svg onload="alert(1)"/>',
    '<svg><rect ONCLICK="x()"/></svg>',
    '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><a xlink:href=" jav&#x09;ascript:alert(1)"/></svg>',
    '<svg><a href="&#106;avascript:alert(1)"/></svg>',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    "<svg><foreignObject><div/></foreignObject></svg>",
    '<svg><iframe src="data:text/html,x"/></svg>',
  ];
  for (const text of cases) assertEquals(verdict(text), "unsafe", text);
  assertEquals(verdict('<svg><g class="javascript-logo" id="onwards"/></svg>'), "ok");
});

Deno.test("checkSvg() stays linear on a large drawing (100 000 elements, 6 MB)", () => {
  const parts = ['<svg xmlns="http://www.w3.org/2000/svg">'];
  for (let i = 0; i < 100_000; i++) parts.push(`<path d="M${i} 0 L 10 10 Z" fill="#abc"/>`);
  parts.push("</svg>");
  const started = performance.now();
  assertEquals(checkSvg(enc(parts.join("\n"))), { ok: true });
  const ms = performance.now() - started;
  assert(ms < 3000, `took ${ms.toFixed(0)} ms (a quadratic scan takes over 10 s)`);
});
