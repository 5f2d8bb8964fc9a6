// A private room in Chromium: refused without an invite; an invite link plays the stream and chats.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, publishRtmp } from "../../tests/_streams.ts";
import { joinOnPage, sendOnPage, shoot } from "../../tests/_watch.ts";

Deno.test({
  name:
    "private room: no invite, no room; an invite link plays and chats; revoked or expired links stop",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN } });
    const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
    const browser = await launchBrowser();
    const { body: room } = await api(server.url, "POST", "api/rooms", {
      body: { name: "Secret", private: true },
    });
    const publisher = publishRtmp(port, room.streamKey, 40);
    try {
      const stranger = await (await browser.newContext()).newPage();
      const refused = await stranger.goto(`${server.url}watch/secret`);
      assertEquals(refused?.status(), 403);
      await stranger.waitForSelector('h1:has-text("This room is private")');
      await shoot(stranger, "watch-private-refused");
      // Even knowing the playlist's address does not help.
      await until(async () => (await api(server.url, "GET", "api/rooms/secret")).body.isLive);
      const statuses = await stranger.evaluate(async (hls) => {
        const playlist = await fetch(hls);
        const messages = await fetch("/api/rooms/secret/messages");
        return [playlist.status, messages.status];
      }, room.hlsUrl);
      assertEquals(statuses, [403, 403]);

      const { body: invite } = await api(server.url, "POST", "api/rooms/secret/invites", {
        body: { expiresInMinutes: 60 },
      });
      const guest = await (await browser.newContext()).newPage();
      await guest.goto(invite.url);
      assertEquals(
        new URL(guest.url()).pathname,
        "/watch/secret",
        "the token leaves the address bar",
      );
      await guest.waitForSelector('#player[data-state="playing"]', { timeout: 20_000 });
      const time = () => guest.$eval("#video", (v) => (v as HTMLVideoElement).currentTime);
      const t0 = await time();
      await guest.waitForTimeout(1500);
      const t1 = await time();
      assert(t1 > t0 + 0.5, `currentTime advances: ${t0} → ${t1}`);
      await joinOnPage(guest, "guest");
      await sendOnPage(guest, "thanks for the invite");
      await guest.waitForSelector('li.chat-message:has-text("thanks for the invite")');
      const stored = (await api(server.url, "GET", "api/rooms/secret/messages")).body;
      assertEquals(stored.map((m: { content: string }) => m.content), ["thanks for the invite"]);
      const html = await guest.content();
      assert(!html.includes(room.streamKey), "the key is nowhere on the page");

      await api(server.url, "DELETE", `api/rooms/secret/invites/${invite.id}`);
      const late = await (await browser.newContext()).newPage();
      const revoked = await late.goto(invite.url);
      assertEquals(revoked?.status(), 403);
      assert(/revoked/.test((await late.textContent("#invite-error")) ?? ""));

      const { body: brief } = await api(server.url, "POST", "api/rooms/secret/invites", {
        body: { expiresAt: new Date(Date.now() + 1000).toISOString() },
      });
      await new Promise((r) => setTimeout(r, 1300));
      const tooLate = await (await browser.newContext()).newPage();
      assertEquals((await tooLate.goto(brief.url))?.status(), 403);
      assert(/expired/.test((await tooLate.textContent("#invite-error")) ?? ""));
    } finally {
      await publisher.stop();
      await browser.close();
      await server.close();
    }
  },
});

async function until(check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("Timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}
