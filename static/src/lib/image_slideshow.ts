// The image room's slideshow for wall displays: the room's history, oldest first, in a loop.
import { useEffect, useState } from "preact/hooks";
import type { ImageView } from "../../../routes/images/wire.ts";

/** `?slideshow` starts it; `?every=<seconds>` (2..3600, default 8) sets the pace. */
export function slideshowOptions(search: string): { start: boolean; everyMs: number } {
  const params = new URLSearchParams(search);
  const every = Number(params.get("every") ?? "8");
  const seconds = Number.isFinite(every) ? Math.min(3600, Math.max(2, every)) : 8;
  return { start: params.has("slideshow"), everyMs: seconds * 1000 };
}

/** The image to show now while `on`, advancing every `everyMs`; null when off or empty. */
export function useSlideshow(on: boolean, recent: ImageView[], everyMs: number): ImageView | null {
  const [step, setStep] = useState(0);
  useEffect(() => {
    if (!on) return;
    setStep(0);
    const timer = setInterval(() => setStep((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [on, everyMs]);
  const ordered = [...recent].reverse();
  const slide = on && ordered.length > 0 ? ordered[step % ordered.length] : null;
  useEffect(() => {
    // Decode the next slide ahead, so the swap is instant on a slow display.
    const next = ordered[(step + 1) % Math.max(1, ordered.length)];
    if (on && next) new Image().src = next.url;
  }, [on, step, ordered.length]);
  return slide;
}
