// Who is typing in the open channel: each name for four seconds after its last `typing` event.
import { useEffect, useState } from "preact/hooks";

type Typing = Record<number, { name: string; until: number }>;

export function useTyping() {
  const [typing, setTyping] = useState<Typing>({});
  useEffect(() => {
    const sweep = setInterval(() => {
      setTyping((t) => {
        const live = Object.entries(t).filter(([, v]) => v.until > Date.now());
        return live.length === Object.keys(t).length ? t : Object.fromEntries(live);
      });
    }, 1000);
    return () => clearInterval(sweep);
  }, []);
  return {
    names: Object.values(typing).map((t) => t.name),
    heard: (userId: number, name: string) =>
      setTyping((t) => ({ ...t, [userId]: { name, until: Date.now() + 4000 } })),
    /** A message from `name` ends its typing. */
    posted: (name: string) =>
      setTyping((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v.name !== name))),
    reset: () => setTyping({}),
  };
}

export function TypingLine({ names }: { names: string[] }) {
  return (
    <p class="ws-typing muted" id="typing" aria-live="polite">
      {names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "\u00a0"}
    </p>
  );
}
