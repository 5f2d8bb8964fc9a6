// Projector controls for the code view: font size, line wrap and a light or dark theme, remembered
// in this browser (localStorage), so a projector laptop keeps its settings across sessions.
import { useState } from "preact/hooks";

export interface ViewPrefs {
  fontSize: number;
  wrap: boolean;
  theme: "dark" | "light";
}

const KEY = "roomcast.code.view";
export const FONT_SIZES = [12, 14, 16, 18, 22, 26, 32, 40];
const DEFAULTS: ViewPrefs = { fontSize: 14, wrap: false, theme: "dark" };

/** The stored preferences, each field checked: a hand-edited or old entry falls back per field. */
function readPrefs(): ViewPrefs {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return {
      fontSize: FONT_SIZES.includes(stored.fontSize) ? stored.fontSize : DEFAULTS.fontSize,
      wrap: typeof stored.wrap === "boolean" ? stored.wrap : DEFAULTS.wrap,
      theme: stored.theme === "light" ? "light" : "dark",
    };
  } catch {
    return { ...DEFAULTS };
  }
}

export function useViewPrefs(): [ViewPrefs, (change: Partial<ViewPrefs>) => void] {
  const [prefs, setPrefs] = useState(readPrefs);
  const update = (change: Partial<ViewPrefs>) => {
    const next = { ...prefs, ...change };
    setPrefs(next);
    try {
      localStorage.setItem(KEY, JSON.stringify(next));
    } catch { /* storage full or disabled: the setting lasts for this page */ }
  };
  return [prefs, update];
}

/** The classes and style a code view takes from the preferences. */
export const prefsClass = (p: ViewPrefs) => `theme-${p.theme}${p.wrap ? " wrap" : ""}`;
export const prefsStyle = (p: ViewPrefs) => ({ "--code-font": `${p.fontSize}px` });

export function ViewControls(
  { prefs, update }: { prefs: ViewPrefs; update(change: Partial<ViewPrefs>): void },
) {
  const at = FONT_SIZES.indexOf(prefs.fontSize);
  return (
    <div class="view-controls" role="group" aria-label="Code view">
      <button
        type="button"
        id="font-smaller"
        aria-label="Smaller text"
        disabled={at <= 0}
        onClick={() => update({ fontSize: FONT_SIZES[at - 1] })}
      >
        A−
      </button>
      <span class="muted" id="font-size">{prefs.fontSize}px</span>
      <button
        type="button"
        id="font-larger"
        aria-label="Larger text"
        disabled={at >= FONT_SIZES.length - 1}
        onClick={() => update({ fontSize: FONT_SIZES[at + 1] })}
      >
        A+
      </button>
      <button
        type="button"
        id="wrap"
        aria-pressed={prefs.wrap}
        class={prefs.wrap ? "on" : ""}
        onClick={() => update({ wrap: !prefs.wrap })}
      >
        Wrap
      </button>
      <button
        type="button"
        id="theme"
        aria-label={`Switch to ${prefs.theme === "dark" ? "light" : "dark"} code`}
        onClick={() => update({ theme: prefs.theme === "dark" ? "light" : "dark" })}
      >
        {prefs.theme === "dark" ? "Light" : "Dark"}
      </button>
    </div>
  );
}
