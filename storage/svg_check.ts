// Checks that bytes are a well-formed XML document with an <svg> root, and finds script and
// references to other servers in it.

export type SvgVerdict =
  | { ok: true }
  | {
    ok: false;
    reason:
      string; /** True when the SVG is well formed but carries script or external references. */
    unsafe: boolean;
  };

/** Elements that run script, or embed documents that may. */
const ACTIVE_ELEMENTS = new Set([
  "script",
  "foreignobject",
  "iframe",
  "embed",
  "object",
  "handler",
]);
const ACTIVE_URL = /^(javascript:|vbscript:|data:text\/html)/;
// Embedded raster images are part of the file, not a fetch (Inkscape embeds them like this).
const RASTER_DATA = /^data:image\/(png|jpe?g|gif|webp|bmp|avif)[;,]/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/;
// Schemes a quoted CSS string can make the browser fetch (image-set("…"), src("…")).
const FETCHED = /^(\/\/|https?:|ftp:|file:|blob:|data:)/;
// Attributes whose value is a URL the browser loads (xml:base changes what relative ones mean).
const URL_ATTRIBUTES = new Set(["href", "src", "base"]);
// Animation attributes whose `;`-separated values are set on another attribute, e.g. href.
const ANIMATION_VALUES = new Set(["values", "from", "to", "by"]);
const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_:.\u00B7\u00C0-\uFFFF]*/y;
const ATTRIBUTE =
  /\s+([A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_:.\u00B7\u00C0-\uFFFF]*)\s*=\s*("[^"<]*"|'[^'<]*')/y;
const TAG_END = /\s*(\/?)>/y;
const ENTITY = /&(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/y;
const MAX_DEPTH = 256;

class NotSvg extends Error {}
class Unsafe extends Error {}

/** Parses `bytes` as UTF-8 XML. Only the five XML entities are known; an internal DTD is refused. */
export function checkSvg(bytes: Uint8Array): SvgVerdict {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, reason: "SVG is not valid UTF-8", unsafe: false };
  }
  try {
    parse(text);
    return { ok: true };
  } catch (error) {
    if (error instanceof Unsafe) return { ok: false, reason: error.message, unsafe: true };
    if (error instanceof NotSvg) return { ok: false, reason: error.message, unsafe: false };
    throw error;
  }
}

function parse(text: string): void {
  new SvgParser(text).run();
}

/** One pass over the document: text runs, markup (comments, CDATA, DOCTYPE) and tags. */
class SvgParser {
  at = 0;
  readonly stack: string[] = [];
  rootSeen = false;
  constructor(readonly text: string) {}

  fail(why: string): never {
    throw new NotSvg(`SVG is not well-formed XML: ${why} at offset ${this.at}`);
  }

  skip(open: string, close: string): void {
    const end = this.text.indexOf(close, this.at + open.length);
    if (end < 0) this.fail(`unclosed ${open}`);
    this.at = end + close.length;
  }

  checkText(from: number, to: number): void {
    // Searched within the slice: indexOf on the whole text would rescan to its end each time.
    const part = this.text.slice(from, to);
    for (let i = part.indexOf("&"); i >= 0; i = part.indexOf("&", i + 1)) {
      ENTITY.lastIndex = from + i;
      if (!ENTITY.test(this.text)) this.fail("unknown entity");
    }
  }

  inStyle(): boolean {
    return this.stack.length > 0 && localName(this.stack[this.stack.length - 1]) === "style";
  }

  run(): void {
    const { text, stack } = this;
    while (this.at < text.length) {
      const lt = text.indexOf("<", this.at);
      const end = lt < 0 ? text.length : lt;
      if (stack.length === 0 && text.slice(this.at, end).trim() !== "") {
        this.fail("text outside the root element");
      }
      this.checkText(this.at, end);
      if (this.inStyle()) checkCss(decodeEntities(text.slice(this.at, end)), "<style>");
      this.at = end;
      if (lt < 0) break;
      if (!this.markup()) {
        if (text.startsWith("</", this.at)) this.endTag();
        else this.startTag();
      }
    }
    if (!this.rootSeen) throw new NotSvg("SVG has no <svg> root element");
    if (stack.length > 0) this.fail(`unclosed <${stack[stack.length - 1]}>`);
  }

  /** A comment, processing instruction, CDATA section or DOCTYPE at `at`; false for a tag. */
  markup(): boolean {
    const { text } = this;
    if (text.startsWith("<!--", this.at)) this.skip("<!--", "-->");
    else if (text.startsWith("<?", this.at)) this.skip("<?", "?>");
    else if (text.startsWith("<![CDATA[", this.at)) {
      if (this.stack.length === 0) this.fail("CDATA outside the root element");
      const from = this.at + "<![CDATA[".length;
      this.skip("<![CDATA[", "]]>");
      if (this.inStyle()) checkCss(text.slice(from, this.at - "]]>".length), "<style>");
    } else if (text.startsWith("<!DOCTYPE", this.at)) {
      if (this.rootSeen) this.fail("DOCTYPE after the root element");
      const close = text.indexOf(">", this.at);
      if (close < 0) this.fail("unclosed DOCTYPE");
      // An internal subset can declare entities (billion laughs, external files): refused.
      if (text.slice(this.at, close).includes("[")) this.fail("DOCTYPE with an internal subset");
      this.at = close + 1;
    } else return false;
    return true;
  }

  endTag(): void {
    NAME.lastIndex = this.at + 2;
    const name = NAME.exec(this.text)?.[0] ?? this.fail("bad end tag");
    this.at = NAME.lastIndex;
    TAG_END.lastIndex = this.at;
    const close = TAG_END.exec(this.text);
    if (!close || close[1]) this.fail("bad end tag");
    if (this.stack.pop() !== name) this.fail(`mismatched </${name}>`);
    this.at = TAG_END.lastIndex;
  }

  startTag(): void {
    const { text, stack } = this;
    NAME.lastIndex = this.at + 1;
    const name = NAME.exec(text)?.[0] ?? this.fail("bad tag");
    this.at = NAME.lastIndex;
    if (stack.length === 0) {
      if (this.rootSeen) this.fail("a second root element");
      if (name !== "svg") throw new NotSvg(`Root element is <${name}>, not <svg>`);
      this.rootSeen = true;
    }
    checkElement(name);
    checkAttributes(name, this.attributes());
    TAG_END.lastIndex = this.at;
    const close = TAG_END.exec(text) ?? this.fail(`bad tag <${name}>`);
    this.at = TAG_END.lastIndex;
    if (!close[1]) {
      stack.push(name);
      if (stack.length > MAX_DEPTH) this.fail("elements nested too deep");
    }
  }

  /** A start tag's attributes, decoded; a repeated name is not well-formed. */
  attributes(): Map<string, string> {
    const attributes = new Map<string, string>();
    for (;;) {
      ATTRIBUTE.lastIndex = this.at;
      const attr = ATTRIBUTE.exec(this.text);
      if (!attr) break;
      if (attributes.has(attr[1])) this.fail(`duplicate attribute ${attr[1]}`);
      this.checkText(attr.index, ATTRIBUTE.lastIndex);
      attributes.set(attr[1], decodeEntities(attr[2].slice(1, -1)));
      this.at = ATTRIBUTE.lastIndex;
    }
    return attributes;
  }
}

function localName(name: string): string {
  return name.slice(name.lastIndexOf(":") + 1).toLowerCase();
}

function checkElement(name: string): void {
  if (ACTIVE_ELEMENTS.has(localName(name))) {
    throw new Unsafe(`SVG contains a <${name}> element`);
  }
}

/** A URL as a browser reads it: no tabs, newlines or spaces, any case, `\` taken as `/`. */
function normalUrl(value: string): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what browsers skip
  return value.replace(/[\u0000-\u0020]/g, "").toLowerCase().replaceAll("\\", "/");
}

/** Whether a URL leaves this document and this server (a fragment or relative path does not). */
function isExternal(url: string): boolean {
  if (url.startsWith("//")) return true;
  return SCHEME.test(url) && !RASTER_DATA.test(url);
}

function checkUrl(url: string, where: string, link: boolean): void {
  if (ACTIVE_URL.test(url)) throw new Unsafe(`SVG contains a script URL in ${where}`);
  // A link loads nothing until clicked, and then only into the sandboxed document.
  if (link && /^(https?:|mailto:|\/\/)/.test(url)) return;
  if (isExternal(url)) throw new Unsafe(`SVG refers to an external resource in ${where}`);
}

function checkAttributes(element: string, attributes: Map<string, string>): void {
  const animated = localName(attributes.get("attributeName") ?? "");
  for (const [name, value] of attributes) {
    const local = localName(name);
    if (local.startsWith("on")) throw new Unsafe(`SVG contains an ${name} handler`);
    if (URL_ATTRIBUTES.has(local)) {
      checkUrl(normalUrl(value), name, localName(element) === "a" && local === "href");
    } else if (ANIMATION_VALUES.has(local)) {
      // <animate attributeName="href" values="#a;javascript:…"> sets each value in turn.
      const items = value.split(";").map(normalUrl);
      if (items.some((url) => ACTIVE_URL.test(url))) {
        throw new Unsafe(`SVG contains a script URL in ${name}`);
      }
      if (URL_ATTRIBUTES.has(animated)) { for (const url of items) checkUrl(url, name, false); }
    } else if (ACTIVE_URL.test(normalUrl(value))) {
      throw new Unsafe(`SVG contains a script URL in ${name}`);
    }
    // style="…", fill="url(…)" and the like are CSS.
    checkCss(value, name);
  }
}

/** Refuses `@import` and `url(…)` (or a fetched quoted string) that points at another server. */
function checkCss(css: string, where: string): void {
  if (!/[\\@("']|url/i.test(css)) return;
  const plain = css
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?/g, (_, hex: string) => {
      const code = parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\uFFFD";
    })
    .replace(/\\(\r\n|[\s\S])/g, (_, char: string) => (char.trim() === "" ? "" : char))
    .toLowerCase();
  if (plain.includes("@import")) throw new Unsafe(`SVG imports a style sheet in ${where}`);
  for (const match of plain.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))/g)) {
    checkUrl(normalUrl(match[1] ?? match[2] ?? match[3] ?? ""), where, false);
  }
  for (const match of plain.matchAll(/"([^"]*)"|'([^']*)'/g)) {
    const url = normalUrl(match[1] ?? match[2] ?? "");
    if (FETCHED.test(url) && !RASTER_DATA.test(url)) {
      throw new Unsafe(`SVG refers to an external resource in ${where}`);
    }
  }
}

function decodeEntities(value: string): string {
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] !== "#") return named[ref] ?? whole;
    const code = ref[1] === "x" || ref[1] === "X"
      ? parseInt(ref.slice(2), 16)
      : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
  });
}
