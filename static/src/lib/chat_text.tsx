// Chat text as Preact nodes: plain text with http(s) links made clickable; never parsed as HTML.

const LINK = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Splits `text` into strings and links; Preact escapes the strings, so markup stays text. */
export function ChatText({ text }: { text: string }) {
  const parts: (string | preact.JSX.Element)[] = [];
  let at = 0;
  for (const match of text.matchAll(LINK)) {
    parts.push(text.slice(at, match.index));
    parts.push(
      <a href={match[0]} target="_blank" rel="noopener noreferrer nofollow ugc">
        {match[0]}
      </a>,
    );
    at = match.index! + match[0].length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

/** Common emoji for the picker: text, so there are no images to moderate. */
export const EMOJI = [
  "😀",
  "😂",
  "🤣",
  "😊",
  "😍",
  "🥰",
  "😎",
  "🤔",
  "😮",
  "😱",
  "😢",
  "😭",
  "😡",
  "🥱",
  "😴",
  "👍",
  "👎",
  "👏",
  "🙌",
  "🙏",
  "💪",
  "👀",
  "🔥",
  "✨",
  "🎉",
  "❤️",
  "💔",
  "💯",
  "🍿",
  "🎬",
  "📺",
  "🎮",
  "⚽",
  "🏆",
  "🍕",
  "🍻",
  "☕",
  "🌙",
  "⭐",
  "✅",
];
