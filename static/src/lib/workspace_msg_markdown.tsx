// Message markdown as Preact nodes: marked's lexer (GFM, raw HTML off) walked into elements, so
// no user-supplied HTML reaches the DOM; spoilers `||text||` and mentions `<@id>` as extensions.
import type { ComponentChildren } from "preact";
import { Marked, type Token, type TokenizerExtension, type Tokens } from "marked";
import { highlightCode } from "./code_languages.ts";
import type { MentionView } from "./workspace_api.ts";

interface Spoiler extends Tokens.Generic {
  type: "spoiler";
  tokens: Token[];
}
interface Mention extends Tokens.Generic {
  type: "mention";
  id: number;
}

const spoiler: TokenizerExtension = {
  name: "spoiler",
  level: "inline",
  start: (src) => src.indexOf("||"),
  tokenizer(src) {
    const match = /^\|\|([\s\S]+?)\|\|/.exec(src);
    if (!match) return undefined;
    return { type: "spoiler", raw: match[0], tokens: this.lexer.inlineTokens(match[1]) };
  },
};

const mention: TokenizerExtension = {
  name: "mention",
  level: "inline",
  start: (src) => src.indexOf("<@"),
  tokenizer(src) {
    const match = /^<@(\d{1,15})>/.exec(src);
    return match ? { type: "mention", raw: match[0], id: Number(match[1]) } : undefined;
  },
};

// `breaks`: a single newline is a line break, as people type in chat.
const marked = new Marked({ gfm: true, breaks: true, extensions: [spoiler, mention] });

/** Only these schemes become links; anything else (javascript:, data:) stays text. */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href, "https://invalid.invalid/");
    if (url.origin === "https://invalid.invalid") return null;
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

interface Context {
  mentions: Map<number, string>;
  me: number;
}

function Code({ text, lang }: { text: string; lang: string }) {
  const { html, language } = highlightCode(text, `x.${lang || "txt"}`);
  // highlight.js escapes the code; its HTML holds only its own spans (as in code sessions).
  return (
    <pre class="md-code">
      <code class={`hljs${language ? ` language-${language}` : ""}`} dangerouslySetInnerHTML={{ __html: html }} />
    </pre>
  );
}

function inline(tokens: Token[] | undefined, ctx: Context): ComponentChildren[] {
  return (tokens ?? []).map((t, i) => inlineToken(t, ctx, i));
}

function inlineToken(t: Token, ctx: Context, key: number): ComponentChildren {
  switch (t.type) {
    case "strong":
      return <strong key={key}>{inline(t.tokens, ctx)}</strong>;
    case "em":
      return <em key={key}>{inline(t.tokens, ctx)}</em>;
    case "del":
      return <del key={key}>{inline(t.tokens, ctx)}</del>;
    case "codespan":
      return <code key={key}>{t.text}</code>;
    case "br":
      return <br key={key} />;
    case "link": {
      const href = safeHref(t.href);
      if (!href) return t.raw;
      return (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
          {inline(t.tokens, ctx)}
        </a>
      );
    }
    case "image": {
      // Images in text would load from anywhere (trackers): shown as their link instead.
      const href = safeHref(t.href);
      return href
        ? (
          <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
            {t.text || href}
          </a>
        )
        : t.raw;
    }
    case "spoiler":
      return (
        <span
          key={key}
          class="md-spoiler"
          tabIndex={0}
          onClick={(e) => (e.currentTarget as HTMLElement).classList.add("shown")}
        >
          {inline((t as Spoiler).tokens, ctx)}
        </span>
      );
    case "mention": {
      const id = (t as Mention).id;
      const name = ctx.mentions.get(id);
      if (name === undefined) return t.raw;
      return (
        <span key={key} class={`md-mention${id === ctx.me ? " me" : ""}`} data-user-id={id}>
          @{name}
        </span>
      );
    }
    case "text":
      return "tokens" in t && t.tokens ? inline(t.tokens, ctx) : t.text;
    case "escape":
      return t.text;
    default:
      // Raw HTML and anything unknown is shown as the text that was typed.
      return t.raw;
  }
}

function block(t: Token, ctx: Context, key: number): ComponentChildren {
  switch (t.type) {
    case "paragraph":
      return <p key={key}>{inline(t.tokens, ctx)}</p>;
    case "heading":
      return <p key={key} class={`md-h md-h${t.depth}`}>{inline(t.tokens, ctx)}</p>;
    case "code":
      return <Code key={key} text={t.text} lang={(t.lang ?? "").split(/\s/)[0]} />;
    case "blockquote":
      return <blockquote key={key}>{blocks(t.tokens, ctx)}</blockquote>;
    case "list": {
      const items = (t as Tokens.List).items.map((item, i) => (
        <li key={i}>
          {item.task && <input type="checkbox" checked={item.checked} disabled />}
          {blocks(item.tokens.filter((x) => x.type !== "checkbox"), ctx)}
        </li>
      ));
      return t.ordered
        ? <ol key={key} start={typeof t.start === "number" ? t.start : undefined}>{items}</ol>
        : <ul key={key}>{items}</ul>;
    }
    case "hr":
      return <hr key={key} />;
    case "space":
    case "def":
      return null;
    case "text":
      return <span key={key}>{"tokens" in t && t.tokens ? inline(t.tokens, ctx) : t.text}</span>;
    default:
      // Tables and raw HTML blocks: the text as typed.
      return <p key={key} class="md-raw">{t.raw}</p>;
  }
}

function blocks(tokens: Token[] | undefined, ctx: Context): ComponentChildren[] {
  return (tokens ?? []).map((t, i) => block(t, ctx, i));
}

/** `text` as markdown; `mentions` name the users its `<@id>` tokens stand for. */
export function Markdown(props: { text: string; mentions?: MentionView[]; me: number }) {
  const ctx: Context = {
    mentions: new Map((props.mentions ?? []).map((m) => [m.id, m.displayName])),
    me: props.me,
  };
  return <div class="content md">{blocks(marked.lexer(props.text), ctx)}</div>;
}
