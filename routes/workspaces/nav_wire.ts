// Search, message context and attachments as the workspace API and /ws send them. Types only, for
// `import type` in the page.
import type { Message } from "../../storage/workspace_messages_store.ts";

/** A file posted with a message; `url` serves it (members of the channel's server only). */
export interface AttachmentView {
  id: number;
  name: string;
  contentType: string;
  size: number;
  url: string;
}

/** A message with its files; `attachments` only when it has some. */
export interface MessageWithFiles extends Message {
  attachments?: AttachmentView[];
}

/** One search result: the message, its files and the channel it is in. */
export interface SearchResult extends MessageWithFiles {
  channelName: string;
}

/** `GET /api/servers/:id/search?q=`, and /ws `search:results` (with `type`). */
export interface SearchResults {
  serverId: number;
  q: string;
  results: SearchResult[];
}

/** `GET /api/messages/:id/context`, and /ws `context`: the page of history around one message. */
export interface MessageContext {
  channelId: number;
  messageId: number;
  /** Oldest first, the message itself among them. */
  messages: MessageWithFiles[];
}
