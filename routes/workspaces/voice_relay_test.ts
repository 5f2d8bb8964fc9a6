// The voice relay on a real redis-server: two instances' hubs and presence in one process.
import { assertEquals } from "../../tests/_assert.ts";
import { startRedis } from "../../tests/_redis.ts";
import { waitFor } from "../../tests/_wait.ts";
import { silentLogger } from "../../log.ts";
import { createRedisHub } from "../../realtime/redis_hub.ts";
import { createRedisPresence } from "../../realtime/redis_presence.ts";
import { createVoiceRelay, type PeerPlace, type RemotePeer } from "./voice_relay.ts";

const ada: PeerPlace = {
  id: "peer-ada",
  userId: 1,
  email: "ada@example.test",
  displayName: "ada",
  channelId: 5,
  serverId: 2,
  sharing: false,
  joinedAt: 1,
};

Deno.test("createVoiceRelay(): places are shared, events reach the peer's instance, the dead leave", async () => {
  const redis = await startRedis();
  const log = silentLogger;
  const made = ["a", "b"].map((instanceId) => {
    const hub = createRedisHub({ url: redis.url, log, prefix: "t:hub:" });
    const presence = createRedisPresence({
      url: redis.url,
      log,
      instanceId,
      heartbeatMs: 100,
      ttlMs: 500,
      prefix: "t:presence:",
    });
    const relay = createVoiceRelay({ hub, map: presence.maps("voice:peers") });
    return { hub, presence, relay };
  });
  const [a, b] = made;
  try {
    await Promise.all(made.map((m) => m.hub.ready()));
    const heard: [string[], unknown][] = [];
    a.relay.onMessage((to, message) => heard.push([to, message]));
    const gone: [RemotePeer[], boolean][] = [];
    b.relay.onGone((peers, speak) => gone.push([peers, speak]));

    await a.relay.share(ada.id, ada);
    await b.relay.refresh();
    assertEquals(b.relay.peers(5), [{ ...ada, instance: "a" }]);
    assertEquals([b.relay.peers(6), b.relay.channels(2), a.relay.peers(5)], [[], [5], []]);

    const signal = { type: "voice:signal", channelId: 5, signal: { from: "peer-bob" } };
    // A's relay topic is subscribed a round trip after start: sent again until A hears it.
    await waitFor(() => {
      if (heard.length === 0) b.relay.send(b.relay.peers(5), signal);
      return heard.length > 0;
    }, { timeoutMs: 3000, intervalMs: 200, what: "the relayed signal" });
    assertEquals(heard[0], [[ada.id], signal]);

    await a.relay.share(ada.id, { ...ada, sharing: true });
    await b.relay.refresh();
    assertEquals(b.relay.peers(5)[0].sharing, true);

    a.presence.halt();
    await waitFor(() => gone.length > 0, { timeoutMs: 5000, what: "A's peer gone with A" });
    assertEquals(gone, [[[{ ...ada, sharing: true, instance: "a" }], true]]);
    assertEquals(b.relay.peers(5), []);
  } finally {
    for (const m of made) {
      m.relay.close();
      await m.presence.close();
      await m.hub.close();
    }
    await redis.stop();
  }
});
