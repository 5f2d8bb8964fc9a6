// Voice in real Chromium with fake devices: a three-way WebRTC mesh with audio flowing, the roster
// seen by a member not in voice, speaking indicators that stop on mute, a closed tab leaving fast,
// and a shared screen that plays at the others.
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { startServer } from "../../tests/_server.ts";
import { openSocket } from "../../tests/_ws.ts";
import { wsUrl } from "../../tests/_workspaces.ts";
import {
  audioGrown,
  joinVoice,
  makeTeam,
  openApp,
  peerStats,
  rosterNames,
  toneFile,
  waitConnected,
} from "../../tests/_voice.ts";

const SHOTS = Deno.env.get("VOICE_SCREENSHOTS");

/** The roster entry of `email` under the voice channel, as `page` shows it. */
const entry = (page: Page, voiceId: number, email: string) =>
  page.$(`[data-voice-roster="${voiceId}"] li[title="${email}"]`);

async function speakingOf(page: Page, voiceId: number, email: string): Promise<string | null> {
  return (await entry(page, voiceId, email))?.getAttribute("data-speaking") ?? null;
}

/** Nothing is wider than the viewport. */
async function assertFits(page: Page, what: string) {
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
      .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > width + 1)
      .filter((el) => getComputedStyle(el).position !== "fixed" || el.closest(".ws-app"))
      .map((el) => `${el.tagName}.${el.className}`).slice(0, 5);
  });
  assertEquals(overflow, [], `${what}: elements wider than the page`);
}

Deno.test({
  name: "voice in Chromium: 3-way mesh, audio from both others, roster for a 4th, mute, tab close",
  ...browserTest,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "roomcast-voice-" });
    const server = await startServer();
    const browser = await launchBrowser({
      media: true,
      args: [`--use-file-for-fake-audio-capture=${await toneFile(dir)}`],
    });
    const errors: string[] = [];
    try {
      const team = await makeTeam(server, ["ada", "bob", "cat", "dan"]);
      // Dan watches from a phone.
      const [ada, bob, cat, dan] = await Promise.all(
        team.users.map((u, i) =>
          openApp(browser, server, u, team, {
            errors,
            viewport: i === 3 ? { width: 390, height: 844 } : undefined,
          })
        ),
      );
      const talkers = [ada, bob, cat];
      const joinedAt = Date.now();
      for (const page of talkers) await joinVoice(page, team);
      for (const page of talkers) await waitConnected(page, 2);
      console.log(`3 joins to 3 connected pairs in ${Date.now() - joinedAt} ms`);

      // Each page receives audio from both others: bytes grow on both connections.
      const before = await Promise.all(talkers.map(peerStats));
      const after = await audioGrown(talkers, before);
      for (let i = 0; i < 3; i++) {
        assertEquals(after[i].length, 2, "two connections per page");
        for (let j = 0; j < 2; j++) {
          assertEquals(after[i][j].state, "connected");
          assertEquals(after[i][j].codec, "audio/opus");
          assertEquals([after[i][j].echoCancellation, after[i][j].noiseSuppression], [true, true]);
          assert(
            after[i][j].audioBytes > before[i][j].audioBytes + 1000,
            `page ${i} connection ${j}: ${before[i][j].audioBytes} → ${after[i][j].audioBytes}`,
          );
        }
      }

      // Dan is not in voice and still sees who is.
      await dan.waitForFunction(
        (id) => document.querySelectorAll(`[data-voice-roster="${id}"] li`).length === 3,
        team.voiceId,
      );
      assertEquals((await rosterNames(dan, team)).sort(), ["ada", "bob", "cat"]);
      assertEquals(await dan.$("#voice-bar"), null);

      // Bob's tone lights his indicator at Ada and Cat; muting him turns it off and keeps it off.
      const bobEmail = team.users[1].email;
      for (const page of [ada, cat]) {
        await page.waitForSelector(
          `[data-voice-roster="${team.voiceId}"] li[title="${bobEmail}"][data-speaking="true"]`,
          { timeout: 10_000 },
        );
      }
      await bob.click("#voice-mute");
      for (const page of [ada, cat]) {
        await page.waitForSelector(
          `[data-voice-roster="${team.voiceId}"] li[title="${bobEmail}"][data-speaking="false"]`,
          { timeout: 10_000 }, // a loaded machine delays the level meter, not the mute
        );
      }
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 250));
        for (const page of [ada, cat]) {
          assertEquals(await speakingOf(page, team.voiceId, bobEmail), "false", "stays off");
        }
      }
      assertEquals(
        await speakingOf(ada, team.voiceId, team.users[2].email),
        "true",
        "Cat still speaks",
      );

      await dan.click("#toggle-channels");
      await dan.waitForSelector(`[data-voice-roster="${team.voiceId}"]`, { state: "visible" });
      if (SHOTS) {
        await ada.screenshot({ path: `${SHOTS}/voice-desktop.png` });
        await dan.screenshot({ path: `${SHOTS}/voice-roster-phone.png` });
      }
      await assertFits(ada, "in voice at 1280x800");
      await assertFits(dan, "the roster on a phone");

      // Cat closes her tab: every roster drops her within 2 s.
      const closedAt = Date.now();
      await cat.context().close();
      for (const page of [ada, bob, dan]) {
        await page.waitForFunction(
          (id) => document.querySelectorAll(`[data-voice-roster="${id}"] li`).length === 2,
          team.voiceId,
          { timeout: 2000 },
        );
      }
      const gone = Date.now() - closedAt;
      assert(gone < 2000, `removed after ${gone} ms`);
      console.log(`closed tab removed from 3 rosters in ${gone} ms`);
      await waitConnected(ada, 1);
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "voice in Chromium: a screen share plays at the others (a phone, a late joiner); ICE restarts",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser({ media: true });
    const errors: string[] = [];
    try {
      const team = await makeTeam(server, ["ada", "bob", "cat"]);
      const ada = await openApp(browser, server, team.users[0], team, { errors });
      const bob = await openApp(browser, server, team.users[1], team, {
        errors,
        viewport: { width: 390, height: 844 },
      });
      await joinVoice(ada, team);
      // On a phone the channel list is a panel: open it, then join.
      await bob.click("#toggle-channels");
      await joinVoice(bob, team);
      await waitConnected(ada, 1);
      await ada.click("#voice-share");
      await ada.waitForSelector("#voice-share:text('Stop sharing')");
      const playing = await bob.waitForFunction(
        () => {
          const video = document.querySelector<HTMLVideoElement>("#screen-video");
          return video && !video.paused && video.videoWidth > 0 ? video.videoWidth : 0;
        },
        undefined,
        { timeout: 15_000 },
      );
      assert(Number(await playing.jsonValue()) > 0);
      assertEquals(await bob.$eval("#voice-share", (b) => (b as HTMLButtonElement).disabled), true);
      await assertFits(bob, "in voice with a shared screen at 390x844");
      // The voice bar reflows as levels and screen state update, so Playwright never sees the
      // summary "stable"; it is on screen and unobscured (the fit check above), so click it as is.
      await bob.click(".ws-voice-devices summary", { force: true });
      await bob.waitForSelector("#voice-input", { state: "visible" });
      assert((await bob.$$("#voice-input option")).length >= 2, "the fake microphone is listed");
      await assertFits(bob, "the device menu at 390x844");
      // Picking a microphone swaps the track every connection sends, without renegotiating.
      const sentTrack = () =>
        bob.evaluate(() =>
          (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs[0].getSenders()
            .find((s) => s.track?.kind === "audio")?.track?.id
        );
      const firstTrack = await sentTrack();
      const device = await bob.$eval(
        "#voice-input option:nth-child(2)",
        (o) => o.getAttribute("value"),
      );
      await bob.selectOption("#voice-input", device!);
      await bob.waitForFunction(
        (old) =>
          (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs[0].getSenders()
            .find((s) => s.track?.kind === "audio")?.track?.id !== old,
        firstTrack,
      );
      // Deafen mutes too; unmuting hears again.
      await bob.click("#voice-deafen");
      await bob.waitForSelector("#voice-mute:text('Unmute')");
      await bob.click("#voice-mute");
      await bob.waitForSelector("#voice-deafen:text('Deafen')");
      if (Deno.env.get("VOICE_SCREENSHOTS")) {
        await bob.screenshot({ path: `${Deno.env.get("VOICE_SCREENSHOTS")}/voice-phone.png` });
      }
      await bob.click(".ws-voice-devices summary", { force: true });
      if (Deno.env.get("VOICE_SCREENSHOTS")) {
        await ada.screenshot({ path: `${Deno.env.get("VOICE_SCREENSHOTS")}/voice-sharing.png` });
      }
      // Cat joins while Ada shares and gets the screen too; her remembered microphone is gone, so
      // the default one is used.
      const cat = await openApp(browser, server, team.users[2], team, {
        errors,
        storage: { "roomcast.voice.input": "unplugged-headset" },
      });
      await joinVoice(cat, team);
      await cat.waitForFunction(
        () => {
          const video = document.querySelector<HTMLVideoElement>("#screen-video");
          return !!video && !video.paused && video.videoWidth > 0;
        },
        undefined,
        { timeout: 15_000 },
      );

      // Stopping takes the screen away from the others.
      await ada.click("#voice-share");
      for (const page of [bob, cat]) {
        await page.waitForSelector("#screen-video", { state: "detached", timeout: 5000 });
      }

      // A network change restarts ICE (new credentials in the SDP) and the call stays connected.
      const ufrags = () =>
        ada.evaluate(() =>
          (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs
            .filter((pc) => pc.connectionState !== "closed")
            .map((pc) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? "")?.[1])
        );
      await waitConnected(ada, 2);
      const before = await ufrags();
      await ada.evaluate(() => dispatchEvent(new Event("online")));
      await ada.waitForFunction(
        (old) =>
          (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs
            .filter((pc) => pc.connectionState === "connected")
            .filter((pc, i) =>
              /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? "")?.[1] !== old[i]
            ).length === 2,
        before,
        { timeout: 10_000 },
      );
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "voice in Chromium: a full channel (8 people) says so, and the page is not left joining",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser({ media: true });
    const errors: string[] = [];
    const sockets: Awaited<ReturnType<typeof openSocket>>[] = [];
    try {
      const team = await makeTeam(server, ["ada", "bob"]);
      // Eight of Ada's sockets fill the channel (raw clients: no audio needed to take a seat).
      for (let i = 0; i < 8; i++) {
        const s = await openSocket(wsUrl(server), {
          origin: server.origin,
          cookie: team.users[0].cookie,
        });
        sockets.push(s);
        s.send({ type: "voice:join", channelId: team.voiceId });
        while ((await s.next()).type !== "voice:participants");
      }
      const bob = await openApp(browser, server, team.users[1], team, { errors });
      await bob.waitForFunction(
        (id) => document.querySelectorAll(`[data-voice-roster="${id}"] li`).length === 8,
        team.voiceId,
      );
      await bob.click(`[data-channel-id="${team.voiceId}"]`);
      const alert = await bob.waitForSelector(".ws-error", { timeout: 10_000 });
      const text = (await alert.textContent()) ?? "";
      assert(text.includes("full: at most 8"), text);
      await bob.waitForSelector("#voice-bar", { state: "detached" });
      assertEquals(errors, []);
    } finally {
      for (const s of sockets) await s.close();
      await browser.close();
      await server.close();
    }
  },
});
