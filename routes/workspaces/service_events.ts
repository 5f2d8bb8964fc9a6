// The topics the workspace service publishes to, its typed publisher, and the server view it sends.
import type { Hub } from "../../realtime/hub.ts";
import type { Channel, Role, Server } from "../../storage/workspaces_store.ts";
import type { ServerView, WorkspaceEvents } from "./wire.ts";

export const topics = {
  channel: (id: number) => `channel:${id}`,
  workspace: (serverId: number) => `workspace:${serverId}`,
  account: (userId: number) => `account:${userId}`,
};

export const serverView = (s: Server, role: Role): ServerView => ({
  id: s.id,
  name: s.name,
  ownerId: s.ownerId,
  role,
  isDefault: s.isDefault,
});

/** Publishes `data` checked against the wire type of its event (wire.ts). */
export const publisher =
  (hub: Pick<Hub, "publish">) =>
  <K extends keyof WorkspaceEvents>(topic: string, type: K, data: WorkspaceEvents[K]) =>
    hub.publish(topic, type, data);

/** A new message's two events: itself on its channel, and on its server the activity for badges. */
export function publishPosted(
  hub: Pick<Hub, "publish">,
  channel: Pick<Channel, "id" | "serverId">,
  message: WorkspaceEvents["message"]["message"],
): void {
  const publish = publisher(hub);
  // EchoSphere's envelope nests the message: {type, channelId, message: {...}}.
  publish(topics.channel(channel.id), "message", { channelId: channel.id, message });
  publish(topics.workspace(channel.serverId), "activity", {
    serverId: channel.serverId,
    channelId: channel.id,
    messageId: message.id,
    authorEmail: message.authorEmail,
  });
}
