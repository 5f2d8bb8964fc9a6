// The topics the workspace service publishes to, its typed publisher, and the server view it sends.
import type { Hub } from "../../realtime/hub.ts";
import type { Role, Server } from "../../storage/workspaces_store.ts";
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
