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

export function Editor(
  { held, limits, onPushed }: { held: Held; limits: LiveLimits; onPushed(s: SnippetView): void },
) {
  const [tabs, setTabs] = useState<Tab[] | null>(null);
  const [active, setActive] = useState(0);
  const [newName, setNewName] = useState("");
  const [error, setError] = useState("");
  const [live, setLive] = useState<LiveState>("idle");
  const area = useRef<HTMLTextAreaElement>(null);
  const lastCaret = useRef(0);
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
  const push = async (e?: Event) => {
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
  const add = (e: Event) => {
    e.preventDefault();
    const name = newName.trim();
    const problem = nameProblem(name, tabs, limits);
    if (problem) return setError(problem);
    setError("");
    setTabs([...tabs, { name, content: "" }]);
    setActive(tabs.length);
    setNewName("");
    sender.send({ file_name: name, content: "", caret_line: 1 });
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
  const keys = (e: KeyboardEvent) => {
    const el = e.currentTarget as HTMLTextAreaElement;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void push(e);
    if (e.key === "Tab" && !e.shiftKey) {
      // Tab indents, as in an editor, instead of leaving the field.
      e.preventDefault();
      const at = el.selectionStart;
      edit(el.value.slice(0, at) + "  " + el.value.slice(el.selectionEnd), at + 2);
      requestAnimationFrame(() => el.setSelectionRange(at + 2, at + 2));
    }
  };

  return (
    <form class="push-form" onSubmit={push}>
      <div class="editor-tabs" role="tablist" id="editor-tabs">
        {tabs.map((t, i) => (
          <span key={t.name} class={t === tab ? "editor-tab on" : "editor-tab"}>
            <button type="button" data-file={t.name} onClick={() => setActive(i)}>{t.name}</button>
            <button
              type="button"
              class="close"
              aria-label={`Close ${t.name}`}
              onClick={() => close(t)}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <div class="push-row">
        <input
          id="new-file-name"
          value={newName}
          onInput={(e) => setNewName(e.currentTarget.value)}
          placeholder="New file, e.g. util.py"
          aria-label="New file name"
          maxLength={limits.max_file_name * 2}
        />
        <button type="button" class="button" id="add-file" onClick={add}>Add file</button>
        <button type="submit" class="button" id="push" disabled={!tab}>Push (Ctrl+Enter)</button>
      </div>
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
          onKeyDown={keys}
          placeholder="Type or paste code: participants see it as you type. Push to keep a version."
        />
      )}
      <p class="muted live-state" id="live-state">
        {typeof live === "object"
          ? <span class="error">{live.error}</span>
          : live === "idle"
          ? "Typing is shown live to everyone watching."
          : live === "sending"
          ? "Sending…"
          : "Live: participants see what you type."}
      </p>
      {error && <p class="error" id="push-error">{error}</p>}
    </form>
  );
}
