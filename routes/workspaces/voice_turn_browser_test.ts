// Voice through TURN only: Debian's coturn on loopback with use-auth-secret, credentials from
// GET /api/voice/ice, every page forced to iceTransportPolicy "relay"; audio still flows.
import { createSocket } from "node:dgram";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { startServer } from "../../tests/_server.ts";
import {
  audioGrown,
  joinVoice,
  makeTeam,
  openApp,
  peerStats,
  waitConnected,
} from "../../tests/_voice.ts";

interface Turn {
  port: number;
  logs: string[];
  close(): Promise<void>;
}

/** Starts `turnserver` on 127.0.0.1 with a shared secret, as the README's coturn example does. */
async function startCoturn(secret: string): Promise<Turn> {
  const dir = await Deno.makeTempDir({ prefix: "roomcast-turn-" });
  // A free UDP port: bind port 0, read what the kernel chose, let go.
  const probe = createSocket("udp4");
  await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const minPort = 40000 + Math.floor(Math.random() * 400) * 50;
  const child = new Deno.Command("turnserver", {
    args: [
      "-n", // no config file: everything is on this command line
      "--listening-ip=127.0.0.1",
      `--listening-port=${port}`,
      "--relay-ip=127.0.0.1",
      `--min-port=${minPort}`,
      `--max-port=${minPort + 49}`,
      "--use-auth-secret",
      `--static-auth-secret=${secret}`,
      "--realm=roomcast.test",
      // Both browsers' relays are on 127.0.0.1: coturn refuses loopback peers unless told.
      "--allow-loopback-peers",
      "--no-cli",
      "--no-tls",
      "--no-dtls",
      "--log-file=stdout",
      "--simple-log",
      "--verbose",
      `--pidfile=${dir}/turnserver.pid`,
      `--db=${dir}/turndb`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  const decoder = new TextDecoder();
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      const text = decoder.decode(chunk);
      logs.push(text);
      if (logs.join("").includes("Total General servers")) ready();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const timeout = setTimeout(() => ready(), 10_000);
  await started;
  clearTimeout(timeout);
  assert(
    logs.join("").includes("Total General servers"),
    `coturn did not start:\n${logs.join("")}`,
  );
  return {
    port,
    logs,
    async close() {
      child.kill("SIGTERM");
      await child.status;
      await pumps;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "voice in Chromium through coturn only: relay candidates, audio from both others",
  ...browserTest,
  async fn() {
    const secret = crypto.randomUUID();
    const turn = await startCoturn(secret);
    const server = await startServer({
      env: { TURN_URLS: `turn:127.0.0.1:${turn.port}?transport=udp`, TURN_SECRET: secret },
    });
    const browser = await launchBrowser({ media: true });
    const errors: string[] = [];
    try {
      const team = await makeTeam(server, ["ada", "bob", "cat"]);
      const pages = await Promise.all(
        team.users.map((u) => openApp(browser, server, u, team, { errors, relay: true })),
      );
      for (const page of pages) await joinVoice(page, team);
      for (const page of pages) await waitConnected(page, 2, 30_000);

      const before = await Promise.all(pages.map(peerStats));
      const after = await audioGrown(pages, before);
      for (let i = 0; i < pages.length; i++) {
        assertEquals(after[i].length, 2);
        for (let j = 0; j < 2; j++) {
          assertEquals([after[i][j].local, after[i][j].remote], ["relay", "relay"], "TURN only");
          assert(
            after[i][j].audioBytes > before[i][j].audioBytes + 1000,
            `page ${i} connection ${j}: ${before[i][j].audioBytes} → ${after[i][j].audioBytes}`,
          );
        }
      }
      // coturn saw the usernames /api/voice/ice handed out: "<expiry>:<user id>".
      const log = turn.logs.join("");
      for (const user of team.users) {
        assert(new RegExp(`username=<\\d+:${user.id}>`).test(log), `no allocation for ${user.id}`);
      }
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.close();
      await turn.close();
    }
  },
});
