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

Deno.test("checkSvg() finds script URLs inside animation value lists", () => {
  const cases = [
    '<svg><a><animate attributeName="href" values="https://x;javascript:alert(1)"/></a></svg>',
    '<svg><a><animate attributeName="href" values="#a; jav&#x09;ascript:alert(1)"/></a></svg>',
    '<svg><a><animate attributeName="xlink:href" from="#a" to="JavaScript:alert(1)"/></a></svg>',
    '<svg><a><set attributeName="href" to="data:text/html,&lt;script>x&lt;/script>"/></a></svg>',
  ];
  for (const text of cases) assertEquals(verdict(text), "unsafe", text);
  assertEquals(verdict('<svg><animate attributeName="x" values="0;10;0" dur="1s"/></svg>'), "ok");
  assertEquals(verdict('<svg><feColorMatrix values="1 0 0 0 0 0 1 0 0 0"/></svg>'), "ok");
});

Deno.test("checkSvg() refuses references to other servers: href, src, CSS url() and @import", () => {
  const cases = [
    '<svg><use href="http://evil.example/sprite.svg#icon"/></svg>',
    '<svg><use xlink:href="https://evil.example/s.svg#i"/></svg>',
    '<svg><image href="//evil.example/pixel.png"/></svg>',
    '<svg><image href="/\\evil.example/pixel.png"/></svg>',
    '<svg><image href=" HTTPS://evil.example/p.png"/></svg>',
    '<svg><image href="data:image/svg+xml;base64,PHN2Zy8+"/></svg>',
    '<svg><feImage href="ftp://evil.example/x"/></svg>',
    '<svg xml:base="https://evil.example/"><use href="s.svg#a"/></svg>',
    '<svg><a><animate attributeName="href" values="#a;https://evil.example/"/></a></svg>',
    '<svg><rect fill="url(http://evil.example/g.svg#g)"/></svg>',
    "<svg><rect style=\"fill: url( 'https://evil.example/x' )\"/></svg>",
    '<svg><rect style="background:u\\72l(//evil.example/x)"/></svg>',
    "<svg><style>@import url(https://evil.example/a.css);</style></svg>",
    '<svg><style>@import "https://evil.example/a.css";</style></svg>',
    "<svg><style><![CDATA[ @im\\70ort 'x.css'; ]]></style></svg>",
    "<svg><style>rect { fill: url(https://evil.example/x) }</style></svg>",
    '<svg><style>a { background: image-set("https://evil.example/x.png" 1x) }</style></svg>',
    "<svg><style>rect { fill: ur/**/l(#a); background: url(&#x68;ttp://evil.example/) }</style></svg>",
    '<svg><a href="ftp://evil.example/"><text>x</text></a></svg>',
  ];
  for (const text of cases) assertEquals(verdict(text), "unsafe", text);
  const fine = [
    '<svg><use href="#icon"/><use xlink:href="#b"/></svg>',
    '<svg><rect fill="url(#grad)" style="fill: url(\'#g\'); stroke: red"/></svg>',
    '<svg><image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/></svg>',
    '<svg><image href="other.png"/></svg>',
    '<svg><a href="https://example.com/">link</a><a href="mailto:a@b.c">mail</a></svg>',
    "<svg><style>text { font-family: 'Open Sans', sans-serif; fill: url(#g) }</style></svg>",
    "<svg><text font-family=\"'Helvetica Neue'\">x</text></svg>",
  ];
  for (const text of fine) assertEquals(verdict(text), "ok", text);
  const reason = checkSvg(enc('<svg><use href="http://evil.example/#i"/></svg>'));
  assert(!reason.ok && reason.reason === "SVG refers to an external resource in href");
});
