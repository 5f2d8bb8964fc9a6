// Helpers for voice tests in Chromium: a team of accounts in one server with a voice channel, pages
// whose RTCPeerConnections are recorded (and can be forced to relay), and their WebRTC statistics.
import type { Browser, Page } from "playwright-core";
import { join } from "node:path";
import { assertEquals } from "./_assert.ts";
import { waitFor } from "./_wait.ts";
import type { TestServer } from "./_server.ts";
import { api, signupUser, type TestUser } from "./_workspaces.ts";

export interface Team {
  users: TestUser[];
  serverId: number;
  voiceId: number;
}

/** `names[0]` makes a server with a voice channel "Talk" and invites the others into it. */
export async function makeTeam(server: TestServer, names: string[]): Promise<Team> {
  const users = [];
  for (const name of names) users.push(await signupUser(server, name));
  const made = await api(server, users[0], "POST", "api/servers", { name: "Team" });
  const serverId = (made.body.server as { id: number }).id;
  const voice = await api(server, users[0], "POST", `api/servers/${serverId}`, {
    name: "Talk",
    kind: "voice",
  });
  const invite = await api(server, users[0], "POST", `api/servers/${serverId}/invites`, {});
  for (const user of users.slice(1)) {
    assertEquals((await api(server, user, "POST", `api/invites/${invite.body.code}`)).status, 200);
  }
  return { users, serverId, voiceId: voice.body.id as number };
}

/** Records every RTCPeerConnection in `window.__pcs`; with `relay`, only TURN relays are used. */
const instrument = (relay: boolean) => `
  window.__pcs = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config) {
      super(${relay} ? { ...(config || {}), iceTransportPolicy: "relay" } : config);
      window.__pcs.push(this);
    }
  };
`;

/** A signed-in page on the team's server, its errors collected in `errors`. */
export async function openApp(
  browser: Browser,
  server: TestServer,
  user: TestUser,
  team: Team,
  options: {
    relay?: boolean;
    errors: string[];
    viewport?: { width: number; height: number };
    /** localStorage entries set before the app starts (e.g. a remembered microphone). */
    storage?: Record<string, string>;
  },
): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  const [name, value] = user.cookie.split("=");
  await context.addCookies([{ name, value, url: server.origin }]);
  await context.addInitScript({ content: instrument(options.relay ?? false) });
  if (options.storage) {
    await context.addInitScript((entries) => {
      for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
    }, options.storage);
  }
  const page = await context.newPage();
  page.on("pageerror", (e) => options.errors.push(`${user.displayName}: ${e}`));
  await page.goto(`${server.url}app`);
  await page.waitForSelector('#conn[data-state="live"]');
  await page.click(`[data-server-id="${team.serverId}"]`);
  await page.waitForSelector('#server-name:text("Team")', { state: "attached" });
  return page;
}

export async function joinVoice(page: Page, team: Team): Promise<void> {
  await page.click(`[data-channel-id="${team.voiceId}"]`);
  await page.waitForSelector('#voice-bar b:text("Voice")', { timeout: 15_000 });
}

/** The roster under the voice channel, as display names in order. */
export function rosterNames(page: Page, team: Team): Promise<string[]> {
  return page.$$eval(
    `[data-voice-roster="${team.voiceId}"] li .ws-channel-name`,
    (els) => els.map((el) => el.textContent ?? ""),
  );
}

export interface PcStats {
  state: string;
  /** Inbound audio bytes on this connection. */
  audioBytes: number;
  /** The received audio's codec, e.g. "audio/opus". */
  codec: string;
  /** What the browser applied to the microphone this connection sends. */
  echoCancellation: boolean;
  noiseSuppression: boolean;
  /** The selected candidate pair's local and remote candidate types. */
  local: string;
  remote: string;
}

/** What each open (not closed) RTCPeerConnection of the page reports. */
export function peerStats(page: Page): Promise<PcStats[]> {
  return page.evaluate(async () => {
    const pcs = (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs
      .filter((pc) => pc.connectionState !== "closed");
    return await Promise.all(pcs.map(async (pc) => {
      const stats = await pc.getStats();
      let audioBytes = 0;
      let pairId = "";
      let codecId = "";
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s) => {
        byId.set(s.id, s);
        if (s.type === "inbound-rtp" && s.kind === "audio") {
          audioBytes += s.bytesReceived ?? 0;
          codecId = s.codecId ?? "";
        }
        if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      });
      const pair = byId.get(pairId);
      const local = byId.get(String(pair?.localCandidateId))?.candidateType;
      const remote = byId.get(String(pair?.remoteCandidateId))?.candidateType;
      const mic = pc.getSenders().find((s) => s.track?.kind === "audio")?.track?.getSettings();
      return {
        codec: String(byId.get(codecId)?.mimeType ?? ""),
        echoCancellation: mic?.echoCancellation === true,
        noiseSuppression: mic?.noiseSuppression === true,
        state: pc.connectionState,
        audioBytes,
        local: String(local ?? ""),
        remote: String(remote ?? ""),
      };
    }));
  });
}

/**
 * The pages' stats once every connection received `minBytes` more audio than in `before` (same
 * order): the audio is flowing, however slowly a loaded machine starts it.
 */
export async function audioGrown(
  pages: Page[],
  before: PcStats[][],
  { minBytes = 1000, timeoutMs = 10_000 } = {},
): Promise<PcStats[][]> {
  let last: PcStats[][] = [];
  try {
    return await waitFor(async () => {
      last = await Promise.all(pages.map(peerStats));
      const grown = last.every((pcs, i) =>
        pcs.length === before[i].length &&
        pcs.every((pc, j) => pc.audioBytes > before[i][j].audioBytes + minBytes)
      );
      return grown ? last : null;
    }, { timeoutMs, intervalMs: 100, what: "audio on every connection" });
  } catch {
    return last; // the caller's assertions say which connection fell short
  }
}

/** Waits until the page has `count` connected RTCPeerConnections. */
export async function waitConnected(page: Page, count: number, timeoutMs = 20_000) {
  await page.waitForFunction(
    (n) =>
      (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs
        .filter((pc) => pc.connectionState === "connected").length === n,
    count,
    { timeout: timeoutMs },
  );
}

/** A 440 Hz tone for Chromium's fake microphone, so every sender is always "speaking". */
export async function toneFile(dir: string): Promise<string> {
  const path = join(dir, "tone.wav");
  const ffmpeg = new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=5", path],
  });
  const { code, stderr } = await ffmpeg.output();
  if (code !== 0) throw new Error(`Cannot make the tone: ${new TextDecoder().decode(stderr)}`);
  return path;
}
