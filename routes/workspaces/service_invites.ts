// Invite links: made by owners (or members where the server lets them), previewed by anyone,
// redeemed by signed-in users.
import { rfc3339 } from "../../storage/workspace_messages_store.ts";
import type { Invite } from "../../storage/workspaces_store.ts";
import { WorkspaceError } from "./errors.ts";
import { publisher, serverView, topics } from "./service_events.ts";
import type { Rules, User } from "./service_rules.ts";
import type { WorkspaceServiceDeps } from "./service.ts";
import type { InvitePreview, InviteView, MemberView, RedeemedInvite } from "./wire.ts";

/** An optional whole number from min to max: null when absent, else an `invalid` error. */
function optionalWhole(v: unknown, what: string, min: number, max: number): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new WorkspaceError("invalid", `${what} must be a whole number from ${min} to ${max}`);
  }
  return v;
}

/** Why a redeem failed, as the WorkspaceError EchoSphere answers it with. */
function redeemError(reason: "not_found" | "banned" | "expired" | "used_up"): WorkspaceError {
  if (reason === "not_found") return new WorkspaceError("not_found", "Invite not found");
  if (reason === "banned") return new WorkspaceError("banned", "You are banned from this server");
  const why = reason === "expired" ? "has expired" : "has been used up";
  return new WorkspaceError(reason, `Invite ${why}`);
}

/** Invite links: made by owners, previewed by anyone, redeemed by signed-in users. */
export function inviteActions(deps: WorkspaceServiceDeps, { roleIn }: Rules) {
  const publish = publisher(deps.hub);
  const { workspaces } = deps;
  const inviteView = (i: Invite): InviteView => ({
    code: i.code,
    url: `${deps.basePath}invite/${i.code}`,
    serverId: i.serverId,
    expiresAt: i.expiresAt === null ? null : rfc3339(i.expiresAt),
    maxUses: i.maxUses,
    uses: i.uses,
  });
  return {
    async createInvite(user: User, serverId: number, expiresInSeconds: unknown, maxUses: unknown) {
      const { role } = await roleIn(user, serverId);
      if (role === "member" && !await workspaces.membersCanInvite(serverId)) {
        throw new WorkspaceError(
          "forbidden",
          "Only the server's owner or admins can create invites",
        );
      }
      const seconds = optionalWhole(expiresInSeconds, "expiresInSeconds", 60, 365 * 24 * 3600);
      const uses = optionalWhole(maxUses, "maxUses", 1, 100_000);
      const invite = await workspaces.createInvite(serverId, user.id, {
        expiresAt: seconds === null ? null : Date.now() + seconds * 1000,
        maxUses: uses,
      });
      return inviteView(invite);
    },

    async invitePreview(code: string): Promise<InvitePreview> {
      const invite = await workspaces.invite(code);
      const server = invite && await workspaces.server(invite.serverId);
      if (!invite || !server) throw new WorkspaceError("not_found", "Invite not found");
      return {
        ...inviteView(invite),
        server: { id: server.id, name: server.name },
        memberCount: (await workspaces.members(server.id)).length,
      };
    },

    /** Whether `code` names an invite that can still be used (sign-up by invitation). */
    async inviteUsable(code: string, now = Date.now()): Promise<boolean> {
      const invite = code.length <= 32 ? await workspaces.invite(code) : null;
      if (!invite) return false;
      if (invite.expiresAt !== null && invite.expiresAt <= now) return false;
      return invite.maxUses === null || invite.uses < invite.maxUses;
    },

    async redeemInvite(user: User, code: string): Promise<RedeemedInvite> {
      const result = await workspaces.redeemInvite(code, user.id);
      if (!result.ok) throw redeemError(result.reason);
      const { server } = result;
      if (result.joined) {
        const member: MemberView = {
          id: user.id,
          displayName: user.displayName,
          role: "member",
          online: deps.presence.isOnline(user.id),
        };
        publish(topics.workspace(server.id), "member", { serverId: server.id, member });
      }
      return {
        joined: result.joined,
        server: serverView(server, (await workspaces.role(server.id, user.id))!),
        channels: await workspaces.channels(server.id),
      };
    },
  };
}
