// Two real servers on one Redis and one PostgreSQL (each its own DATA_DIR): stream viewers, code
// watchers and voice channels are the same on both, and a killed instance's voice peers leave.
import { assert, assertEquals } from "./_assert.ts";
import { call, createSession, sseReader } from "./_code_client.ts";
import { startPostgres, type TestPostgres } from "./_postgres.ts";
import { startRedis, type TestRedis } from "./_redis.ts";
import { startServer, type TestServer } from "./_server.ts";
import { ADMIN_TOKEN, api as roomsApi, followSse } from "./_streams.ts";
import { makeTeam } from "./_voice.ts";
import { waitFor } from "./_wait.ts";
import { openSocket } from "./_ws.ts";
import { api, wsUrl } from "./_workspaces.ts";

/** A dead instance's presence goes within this: short, so the test waits little. */
export const PRESENCE_TTL_MS = 1500;

export interface Pair {
  a: TestServer;
  b: TestServer;
  close(): Promise<void>;
}

/** Redis, PostgreSQL and two instances on them; `close` stops all (an already killed one too). */
export async function startPair(): Promise<Pair> {
  const redis: TestRedis = await startRedis();
  const pg: TestPostgres = await startPostgres();
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: "pair:",
    DATABASE_URL: await pg.createDatabase(),
    REDIS_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    SERVER_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: "info",
  };
  // One after the other: the first runs the migrations.
  const a = await startServer({ env });
  const b = await startServer({ env });
  return {
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([redis.stop(), pg.stop()]);
    },
  };
}

Deno.test("two instances on Redis: a stream room's viewers and a code session's watchers agree", async () => {
  const { a, b, close } = await startPair();
  const followers: { close(): Promise<void> }[] = [];
  try {
    assertEquals(
      (await roomsApi(a.url, "POST", "api/rooms", { body: { name: "Movie" } })).status,
      201,
    );
    const onA = await followSse(`${a.url}api/rooms/movie/events`);
    const onB = await followSse(`${b.url}api/rooms/movie/events`);
    followers.push(onA, onB);
    // Each sees both: its own viewer, and the other instance's.
    await onA.waitFor((e) => e.event === "viewers" && e.json.data.viewers === 2, 5000);
    await onB.waitFor((e) => e.event === "viewers" && e.json.data.viewers === 2, 5000);
    // Each instance's own figure follows within a read of the other's (a nudge, at most a beat).
    const viewers = async (server: TestServer) =>
      (await roomsApi(server.url, "GET", "api/rooms/movie")).body.viewers;
    await waitFor(async () => await viewers(a) === 2 && await viewers(b) === 2, {
      timeoutMs: PRESENCE_TTL_MS,
      what: "2 viewers on both instances",
    });
    const seen = onA.events.length;
    await onB.close();
    await onA.waitFor(
      (e) => onA.events.indexOf(e) >= seen && e.event === "viewers" && e.json.data.viewers === 1,
      5000,
    );

    const { code } = await createSession(a);
    const presenter = sseReader(
      await fetch(`${a.url}api/v1/sessions/anon/${code}/events?presenter=1`),
    );
    const watchers = [
      sseReader(await fetch(`${a.url}api/v1/sessions/anon/${code}/events`)),
      sseReader(await fetch(`${b.url}api/v1/sessions/anon/${code}/events`)),
      sseReader(await fetch(`${b.url}api/v1/sessions/anon/${code}/events`)),
    ];
    followers.push(presenter, ...watchers);
    const watching = async (server: TestServer) =>
      (await call(server, "GET", `/${code}`)).body.watching;
    await waitFor(async () => await watching(a) === 3 && await watching(b) === 3, {
      timeoutMs: 5000,
      what: "3 watchers on both instances",
    });
    // The presenter on A is told of B's watchers too.
    for (let frame = await presenter.next(); frame; frame = await presenter.next()) {
      if (frame.event === "watching" && JSON.parse(frame.data).data.count === 3) break;
    }
    await watchers[2].close();
    await waitFor(async () => await watching(a) === 2 && await watching(b) === 2, {
      timeoutMs: 5000,
      what: "a watcher on B leaving, on both",
    });
  } finally {
    for (const follower of followers) await follower.close().catch(() => {});
    await close();
  }
});

type Socket = Awaited<ReturnType<typeof openSocket>>;
type Msg = Record<string, unknown>;

/** The next message of `type` (others, such as presence and acks, are skipped). */
async function nextOf(socket: Socket, type: string, timeoutMs = 5000): Promise<Msg> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await socket.next(Math.max(1, deadline - Date.now()));
    if (m.type === type) return m;
  }
}

Deno.test("two instances on Redis: one voice channel, a signal both ways, and a killed instance's peer leaves", async () => {
  const { a, b, close } = await startPair();
  const sockets: Socket[] = [];
  try {
    const team = await makeTeam(a, ["ada", "bob"]);
    const [ada, bob] = team.users;
    const voice = team.voiceId;
    const onA = await openSocket(wsUrl(a), { origin: a.origin, cookie: ada.cookie });
    const onB = await openSocket(wsUrl(b), { origin: b.origin, cookie: bob.cookie });
    sockets.push(onA, onB);
    onB.send({ type: "subscribe", topic: `workspace:${team.serverId}` });
    await nextOf(onB, "subscribed");

    onA.send({ type: "voice:join", channelId: voice });
    const adaSelf = (await nextOf(onA, "voice:participants")).self as Msg;
    onB.send({ type: "voice:join", channelId: voice });
    const joined = await nextOf(onB, "voice:participants");
    assertEquals(joined.participants, [adaSelf], "B's joiner sees A's peer in the channel");
    const bobSelf = joined.self as Msg;
    assertEquals(await nextOf(onA, "voice:peer-joined"), {
      type: "voice:peer-joined",
      channelId: voice,
      peer: bobSelf,
    });
    const roster = async (server: TestServer) =>
      ((await api(server, ada, "GET", `api/servers/${team.serverId}/voice`)).body.voice as Record<
        string,
        { participants: Msg[] }
      >)[voice]?.participants.map((p) => p.displayName);
    // B writes its peer to Redis as it announces it: A's roster has it a round trip later at most.
    const both = async () => JSON.stringify([await roster(a), await roster(b)]);
    const expected = JSON.stringify([["ada", "bob"], ["ada", "bob"]]);
    await waitFor(async () => await both() === expected, { timeoutMs: 2000, what: "both rosters" });

    const offer = { kind: "sdp", description: { type: "offer", sdp: "v=0\r\n" } };
    onB.send({ type: "voice:signal", channelId: voice, target: adaSelf.id, payload: offer });
    assertEquals(await nextOf(onA, "voice:signal"), {
      type: "voice:signal",
      channelId: voice,
      signal: { from: bobSelf.id, email: bob.email, displayName: "bob", payload: offer },
    });
    const answer = { kind: "sdp", description: { type: "answer", sdp: "v=0\r\n" } };
    onA.send({ type: "voice:signal", channelId: 0, target: bobSelf.id, payload: answer });
    assertEquals(((await nextOf(onB, "voice:signal")).signal as Msg).payload, answer);
    onA.send({ type: "voice:screen", channelId: voice, sharing: true });
    assertEquals((await nextOf(onB, "voice:screen")).peer, adaSelf, "a screen share crosses too");
    onB.send({ type: "voice:screen", channelId: voice, sharing: true });
    assertEquals((await nextOf(onB, "error")).code, "voice_screen_busy", "one sharer per channel");

    // A dies without a word: B's peer is told A's left, and the roster is B's alone.
    Deno.kill(a.pid, "SIGKILL");
    const killed = Date.now();
    assertEquals(await nextOf(onB, "voice:peer-left", 3 * PRESENCE_TTL_MS), {
      type: "voice:peer-left",
      channelId: voice,
      peer: adaSelf,
    });
    const goneMs = Date.now() - killed;
    assertEquals((await nextOf(onB, "voice:screen")).peer, null, "and its screen share ended");
    const after = await nextOf(onB, "voice:roster");
    assertEquals((after.participants as Msg[]).map((p) => p.id), [bobSelf.id]);
    assertEquals(await roster(b), ["bob"]);
    assert(goneMs < PRESENCE_TTL_MS + PRESENCE_TTL_MS / 3 + 500, `peer-left after ${goneMs} ms`);
    console.log(`A killed: B's peer got voice:peer-left after ${goneMs} ms`);
  } finally {
    for (const socket of sockets) await socket.close().catch(() => {});
    await close();
  }
});
