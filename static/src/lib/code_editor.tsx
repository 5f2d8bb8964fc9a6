// The presenter's editor: one tab per file, typing streamed live to participants, push per file.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  ApiError,
  type FileEntry,
  type LiveLimits,
  request,
  sessionPath,
  type SnippetView,
} from "./code_api.ts";
import { caretLineAt, createLiveSender, type LiveState } from "./code_live_sender.ts";

export interface Held {
  code: string;
  token: string;
}

interface Tab {
  name: string;
  content: string;
}

const message = (error: unknown) =>
  error instanceof ApiError ? error.message : "Network error: try again";

/** Why a new tab's name cannot be used, or "" when it can (the server checks the same). */
function nameProblem(name: string, tabs: Tab[], limits: LiveLimits): string {
  if (!name) return "Give the file a name, e.g. main.py";
  if (name.length > limits.max_file_name) return `At most ${limits.max_file_name} characters`;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return "No control characters";
  if (tabs.some((t) => t.name === name)) return "That file is already open";
  if (tabs.length >= limits.max_files) return `At most ${limits.max_files} files: close one`;
  return "";
}

/** The tabs a resumed session reopens: its drafts, else its pushed files, else one empty file. */
function tabsOf(files: FileEntry[], max: number): Tab[] {
  const drafts = files.filter((f) => f.draft).map((f) => ({
    name: f.file_name,
    content: f.draft!.content,
  }));
  if (drafts.length) return drafts;
  const pushed = files.filter((f) => f.latest).slice(0, max);
  return pushed.length
    ? pushed.map((f) => ({ name: f.file_name, content: f.latest!.content }))
    : [{ name: "main.ts", content: "" }];
}

/** Ctrl+Enter pushes; Tab indents, as in an editor, instead of leaving the field. */
function keyDown(
  e: KeyboardEvent,
  edit: (content: string, offset: number) => void,
  push: (e: Event) => void,
) {
  const el = e.currentTarget as HTMLTextAreaElement;
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) push(e);
  if (e.key === "Tab" && !e.shiftKey) {
    e.preventDefault();
    const at = el.selectionStart;
    edit(el.value.slice(0, at) + "  " + el.value.slice(el.selectionEnd), at + 2);
    requestAnimationFrame(() => el.setSelectionRange(at + 2, at + 2));
  }
}

function TabBar(
  { tabs, tab, onSelect, onClose }: {
    tabs: Tab[];
    tab: Tab | undefined;
    onSelect(index: number): void;
    onClose(tab: Tab): void;
  },
) {
  return (
    <div class="editor-tabs" role="tablist" id="editor-tabs">
      {tabs.map((t, i) => (
        <span key={t.name} class={t === tab ? "editor-tab on" : "editor-tab"}>
          <button type="button" data-file={t.name} onClick={() => onSelect(i)}>{t.name}</button>
          <button
            type="button"
            class="close"
            aria-label={`Close ${t.name}`}
            onClick={() => onClose(t)}
          >
            ×
          </button>
        </span>
      ))}
    </div>
  );
}

function LiveStateLine({ live }: { live: LiveState }) {
  return (
    <p class="muted live-state" id="live-state">
      {typeof live === "object"
        ? <span class="error">{live.error}</span>
        : live === "idle"
        ? "Typing is shown live to everyone watching."
        : live === "sending"
        ? "Sending…"
        : "Live: participants see what you type."}
    </p>
  );
}

/** The session's open files, reopened from the server, and the sender of their live typing. */
function useOpenFiles(held: Held, limits: LiveLimits) {
  const [tabs, setTabs] = useState<Tab[] | null>(null);
  const [live, setLive] = useState<LiveState>("idle");
  const sender = useMemo(
    () => createLiveSender({ ...held, maxBytes: limits.max_live_bytes, onState: setLive }),
    [held.code],
  );
  useEffect(() => () => sender.stop(), [sender]);
  useEffect(() => {
    request<{ files: FileEntry[] }>(sessionPath(held.code, "/files"))
      .then(({ files }) => setTabs(tabsOf(files, limits.max_files)))
      .catch(() => setTabs([{ name: "main.ts", content: "" }]));
  }, [held.code]);
  return { tabs, setTabs, live, sender };
}

/** The new-file field; `onAdd` answers why a name cannot be used, or "" once it is added. */
function NewFile(
  { maxLength, disabled, onAdd }: {
    maxLength: number;
    disabled: boolean;
    onAdd(name: string): string;
  },
) {
  const [name, setName] = useState("");
  const add = () => {
    if (!onAdd(name.trim())) setName("");
  };
  return (
    <div class="push-row">
      <input
        id="new-file-name"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
        onKeyDown={(e) => e.key === "Enter" && (e.preventDefault(), add())}
        placeholder="New file, e.g. util.py"
        aria-label="New file name"
        maxLength={maxLength}
      />
      <button type="button" class="button" id="add-file" onClick={add}>Add file</button>
      <button type="submit" class="button" id="push" disabled={disabled}>Push (Ctrl+Enter)</button>
    </div>
  );
}

export function Editor(
  { held, limits, onPushed }: { held: Held; limits: LiveLimits; onPushed(s: SnippetView): void },
) {
  const { tabs, setTabs, live, sender } = useOpenFiles(held, limits);
  const [active, setActive] = useState(0);
  const [error, setError] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const lastCaret = useRef(0);
  if (!tabs) return <p class="muted">Opening your files…</p>;
  const tab = tabs[Math.min(active, tabs.length - 1)] as Tab | undefined;

  const stream = (content: string, caret: number) => {
    if (!tab) return;
    lastCaret.current = caret;
    sender.send({ file_name: tab.name, content, caret_line: caret });
  };
  const edit = (content: string, offset: number) => {
    setTabs(tabs.map((t) => (t === tab ? { ...t, content } : t)));
    stream(content, caretLineAt(content, offset));
  };
  const moved = () => {
    const el = area.current;
    if (!el || !tab) return;
    const caret = caretLineAt(el.value, el.selectionStart);
    if (caret !== lastCaret.current) stream(el.value, caret);
  };
  const push = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    if (!tab) return;
    setError("");
    try {
      onPushed(
        await request<SnippetView>(sessionPath(held.code, "/snippets"), {
          method: "POST",
          token: held.token,
          body: { file_name: tab.name, content: tab.content },
        }),
      );
    } catch (error) {
      setError(message(error));
    }
  };
  const add = (name: string) => {
    const problem = nameProblem(name, tabs, limits);
    setError(problem);
    if (problem) return problem;
    setTabs([...tabs, { name, content: "" }]);
    setActive(tabs.length);
    sender.send({ file_name: name, content: "", caret_line: 1 });
    return "";
  };
  const close = async (closing: Tab) => {
    setTabs(tabs.filter((t) => t !== closing));
    setActive(0);
    await request(sessionPath(held.code, "/live/close"), {
      method: "POST",
      token: held.token,
      body: { file_name: closing.name },
    }).catch(() => {/* never sent live (404): nothing to close */});
  };
  return (
    <form class="push-form" onSubmit={push}>
      <TabBar tabs={tabs} tab={tab} onSelect={setActive} onClose={close} />
      <NewFile maxLength={limits.max_file_name * 2} disabled={!tab} onAdd={add} />
      {tab && (
        <textarea
          id="content"
          ref={area}
          value={tab.content}
          spellcheck={false}
          aria-label={`Contents of ${tab.name}`}
          onInput={(e) => edit(e.currentTarget.value, e.currentTarget.selectionStart)}
          onKeyUp={moved}
          onClick={moved}
          onKeyDown={(e) => keyDown(e, edit, push)}
          placeholder="Type or paste code: participants see it as you type. Push to keep a version."
        />
      )}
      <LiveStateLine live={live} />
      {error && <p class="error" id="push-error">{error}</p>}
    </form>
  );
}
