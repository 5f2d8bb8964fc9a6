// Search, message context and attachments: their rules for REST and /ws alike, over the workspace
// service's access checks.
import type { Hub } from "../../realtime/hub.ts";
import type { Account } from "../../storage/accounts_store.ts";
import type { Sql } from "../../storage/sql.ts";
import type { Attachment, AttachmentsStore } from "../../storage/workspace_attachments_store.ts";
import {
  type Message,
  type MessagesStore,
  publicMessage,
} from "../../storage/workspace_messages_store.ts";
import type { SearchStore } from "../../storage/workspace_search_store.ts";
import { hasControlCharacters, longerThan } from "../../edge/fields.ts";
import { WorkspaceError } from "./errors.ts";
import type {
  AttachmentView,
  MessageContext,
  MessageWithFiles,
  SearchResults,
} from "./nav_wire.ts";
import { parseSearchQuery } from "./search_query.ts";
import { cleanContent, type WorkspaceService } from "./service.ts";
import { publishPosted } from "./service_events.ts";

export interface NavServiceDeps {
  sql: Pick<Sql, "transaction">;
  service: WorkspaceService;
  messages: MessagesStore;
  attachments: AttachmentsStore;
  search: SearchStore;
  hub: Pick<Hub, "publish">;
  basePath: string;
}

type User = Pick<Account, "id" | "email" | "displayName">;

export const MAX_SEARCH_RESULTS = 50;
export const MAX_CONTEXT = 100;

/** An uploaded file's name as shown: its last path part, printable, at most 200 characters. */
export function cleanFileName(raw: string, ext: string): string {
  const base = raw.split(/[\\/]/).pop()!.trim();
  if (!base || hasControlCharacters(base) || longerThan(base, 200)) return `file.${ext}`;
  return base;
}

/** The extension of a file name, lower case; "" for none. */
export const extensionOf = (name: string) => {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
};

/** The file's message, stored with its attachment in one transaction, then published. */
async function postWithFile(
  deps: NavServiceDeps,
  view: (a: Attachment) => AttachmentView,
  { user, channelId, file, caption }: {
    user: User;
    channelId: number;
    file: { key: string; name: string; size: number };
    caption: unknown;
  },
): Promise<MessageWithFiles> {
  const { service, messages, attachments, hub } = deps;
  try {
    const channel = await service.textChannel(user, channelId);
    const content = typeof caption === "string" && caption.trim() ? cleanContent(caption) : "";
    const message = await deps.sql.transaction(async () => {
      const stored = publicMessage(await messages.post(channel.id, user.id, content));
      const attachment = await attachments.add(stored.id, file.key, file.name, file.size);
      return { ...stored, attachments: [view(attachment)] };
    });
    publishPosted(hub, channel, message);
    return message;
  } catch (error) {
    await attachments.deleteBlob(file.key);
    throw error;
  }
}

export type NavService = ReturnType<typeof createNavService>;

export function createNavService(deps: NavServiceDeps) {
  const { service, messages, attachments, basePath } = deps;
  const view = (a: Attachment): AttachmentView => ({
    id: a.id,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    url: `${basePath}api/attachments/${a.id}/${encodeURIComponent(a.name)}`,
  });

  /** `list` with each message's files, as one query for the page. */
  async function withFiles<T extends Message>(list: T[]): Promise<(T & MessageWithFiles)[]> {
    const files = await attachments.forMessages(list.map((m) => m.id));
    return list.map((m) => {
      const found = files.get(m.id);
      return found ? { ...m, attachments: found.map(view) } : m;
    });
  }

  return {
    withFiles,

    async search(user: User, serverId: number, q: unknown, before?: number, limit = 25) {
      await service.server(user, serverId);
      const query = parseSearchQuery(q);
      const hits = await deps.search.search(serverId, query, {
        limit: Math.min(limit, MAX_SEARCH_RESULTS),
        before,
      });
      return { serverId, q: String(q), results: await withFiles(hits) } satisfies SearchResults;
    },

    /** Up to `limit` messages each side of `messageId`, so a result opens in its place. */
    async context(user: User, messageId: number, limit = 25): Promise<MessageContext> {
      const found = await messages.message(messageId);
      if (!found) throw new WorkspaceError("not_found", "Message not found");
      await service.channelFor(user, found.channelId);
      const side = Math.min(limit, MAX_CONTEXT);
      const older = await messages.history(found.channelId, {
        limit: side + 1,
        before: messageId + 1,
      });
      const newer = await messages.history(found.channelId, { limit: side, after: messageId });
      return {
        channelId: found.channelId,
        messageId,
        messages: await withFiles([...older, ...newer]),
      };
    },

    /** Files of the channel's server only: the stored attachment, or the error to answer. */
    async attachment(user: User, id: number) {
      const found = await attachments.get(id);
      if (!found) throw new WorkspaceError("not_found", "Attachment not found");
      await service.channelFor(user, found.channelId);
      return found;
    },

    /**
     * Posts a message carrying the file already stored under `key` (by `attachments.saveBlob`),
     * published like any message; a refused caption or a failed insert deletes the file again.
     */
    postWithFile: (
      user: User,
      channelId: number,
      file: { key: string; name: string; size: number },
      caption: unknown,
    ) => postWithFile(deps, view, { user, channelId, file, caption }),
  };
}
