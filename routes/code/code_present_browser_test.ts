// The presenter's page in headless Chromium: live typing to a participant's browser, file tabs,
// who watches and joined, resuming on a second device with the creator token, and the end.
import type { BrowserContext, Page } from "playwright-core";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { call } from "../../tests/_code_client.ts";
import { DESKTOP } from "../../tests/_watch.ts";
import { shootBoth } from "./_shots.ts";

/** Types `content` into the presenter's editor as one input event; the page's time of it. */
function typeAt(presenter: Page, content: string): Promise<number> {
  return presenter.$eval("#content", (el, text) => {
    const area = el as HTMLTextAreaElement;
    area.value = text;
    area.setSelectionRange(text.length, text.length);
    area.dispatchEvent(new Event("input", { bubbles: true }));
    return Date.now();
  }, content);
}

/** Resolves with the viewer page's time when `#code` first holds `marker`. */
function seenAt(viewer: Page, marker: string): Promise<number> {
  return viewer.evaluate((text) =>
    new Promise<number>((resolve, reject) => {
      const check = () => document.getElementById("code")?.textContent?.includes(text);
      if (check()) return resolve(Date.now());
      setTimeout(() => reject(new Error(`${text} not shown within 5 s`)), 5000);
      const observer = new MutationObserver(() => {
        if (check()) {
          observer.disconnect();
          resolve(Date.now());
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    }), marker);
}

async function startPresenting(context: BrowserContext, url: string) {
  const presenter = await context.newPage();
  await presenter.goto(`${url}present`);
  await presenter.waitForSelector("#create");
  await shootBoth(presenter, "start");
  await presenter.fill("#session-name", "Friday review");
  await presenter.click("#create");
  await presenter.waitForSelector("#content", { timeout: 10_000 });
  const code = (await presenter.textContent("#session-code"))!.replaceAll("-", "");
  assertEquals(code.length, 10);
  return { presenter, code };
}

Deno.test({
  name:
    "presenter types live to participants, in two files, sees who watches, resumes elsewhere, ends",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    const contexts = await Promise.all(
      [1, 2, 3, 4].map(() => browser.newContext({ viewport: DESKTOP })),
    );
    const [presenting, watching, lurking, elsewhere] = contexts;
    try {
      const { presenter, code } = await startPresenting(presenting, server.url);
      const link = (await presenter.getAttribute("#join-link", "href"))!;
      assertEquals(link, `${server.url}code/${code}`);
      assert(await presenter.$("#qr path"), "a QR code of the join link is drawn");

      const viewer = await watching.newPage();
      await viewer.goto(link);
      await viewer.waitForSelector("#status.status-live", { timeout: 10_000 });
      await viewer.fill('input[aria-label="Your name"]', "Bea");
      await viewer.click(".join-form button");
      await viewer.waitForSelector("#me");
      await presenter.waitForSelector("#participant-names li:text('Bea')", { timeout: 10_000 });

      // A viewer who never presses Join still counts as watching.
      const lurker = await lurking.newPage();
      await lurker.goto(link);
      await lurker.waitForSelector("#status.status-live", { timeout: 10_000 });
      await presenter.waitForSelector('#watching[data-count="2"]', { timeout: 10_000 });
      await lurker.waitForSelector('#watching[data-count="2"]', { timeout: 10_000 });
      assertEquals(await presenter.getAttribute("#participants", "data-count"), "1");

      // Live typing: each keystroke batch reaches the other browser well under 300 ms.
      await typeAt(presenter, "const a = 1;\n");
      await viewer.waitForSelector("#code .line", { timeout: 10_000 });
      const delays: number[] = [];
      for (let i = 0; i < 8; i++) {
        const marker = `value_${i}`;
        const seen = seenAt(viewer, marker);
        const sent = await typeAt(presenter, `const a = 1;\nlet ${marker} = ${i};\nlet z`);
        delays.push((await seen) - sent);
        await presenter.waitForTimeout(150);
      }
      console.log(`live typing to a participant, ms: ${delays.join(", ")}`);
      assert(Math.max(...delays) < 300, `every update under 300 ms: ${delays}`);
      await viewer.waitForSelector('#code .line.caret[data-line="3"]');
      assertEquals(await viewer.textContent("#version-label"), "live, not pushed yet");

      // Push two versions of two files; each file's diff compares its own versions.
      await presenter.click("#push");
      await presenter.waitForSelector("#last-push");
      await typeAt(presenter, "const a = 2;\n");
      await presenter.click("#push");
      await presenter.fill("#new-file-name", "util.py");
      await presenter.click("#add-file");
      await presenter.waitForSelector('#editor-tabs [data-file="util.py"]');
      await typeAt(presenter, "x = 1\n");
      await presenter.click("#push");
      await typeAt(presenter, "x = 2\ny = 3\n");
      await presenter.click("#push");
      await viewer.waitForSelector('#snippet[data-file="util.py"]', { timeout: 10_000 });
      await viewer.click('#file-tabs [data-file="util.py"]');
      await viewer.waitForSelector("#history li:nth-child(2)");
      await viewer.click("#diff-tab");
      await viewer.waitForSelector("#diff .diff-added");
      const texts = (sel: string) => viewer.$$eval(sel, (rows) => rows.map((r) => r.textContent));
      assertEquals(await texts("#diff .diff-added .text"), ["x = 2", "y = 3"]);
      assertEquals(await texts("#diff .diff-removed .text"), ["x = 1"]);
      await viewer.click('#file-tabs [data-file="main.ts"]');
      await viewer.waitForSelector('#snippet[data-file="main.ts"] ~ #diff .diff-added');
      assertEquals(await texts("#diff .diff-added .text"), ["const a = 2;"]);
      assertEquals(await texts("#diff .diff-removed .text"), [
        "const a = 1;",
        "let value_7 = 7;",
        "let z",
      ]);
      await shootBoth(viewer, "participant-diff");
      await viewer.click('.tabs button:text-is("Code")');
      await shootBoth(presenter, "presenting");
      await shootBoth(viewer, "participant");

      // The presenter page refuses what the server would, before sending it.
      await presenter.fill("#new-file-name", "util.py");
      await presenter.click("#add-file");
      assertEquals(await presenter.textContent("#push-error"), "That file is already open");
      await typeAt(presenter, "x".repeat(64 * 1024 + 1));
      await presenter.waitForSelector("#live-state .error:text('Live typing pauses above 64 KiB')");
      await typeAt(presenter, "x = 2\ny = 3\n");

      // Resume on a second device with the code and the creator token.
      await presenter.click("#resume-details summary");
      const token = (await presenter.textContent("#creator-token"))!;
      const second = await elsewhere.newPage();
      await second.goto(`${server.url}present`);
      await second.fill("#resume-code", code.toLowerCase());
      await second.fill("#resume-token", "wrong-token");
      await second.click("#resume");
      await second.waitForSelector("#resume-error:text('does not belong')");
      await second.fill("#resume-token", token);
      await second.click("#resume");
      await second.waitForSelector('#editor-tabs [data-file="util.py"]', { timeout: 10_000 });
      await second.click('#editor-tabs [data-file="util.py"]');
      assertEquals(await second.inputValue("#content"), "x = 2\ny = 3\n");
      // The viewer chose main.ts above; following the presenter again shows the file being typed.
      await viewer.click("#follow-presenter");
      const seen = seenAt(viewer, "from_the_second_device");
      await typeAt(second, "from_the_second_device = True\n");
      await seen;

      second.on("dialog", (dialog) => void dialog.accept());
      await second.click("#end");
      await second.waitForSelector("#session-ended", { timeout: 10_000 });
      assert((await second.textContent("#session-ended"))!.includes("You ended it"));
      await presenter.waitForSelector("#session-ended", { timeout: 10_000 });
      assert((await presenter.textContent("#session-ended"))!.includes("another device"));
      await viewer.waitForSelector("#ended", { timeout: 10_000 });
      await shootBoth(second, "ended");
      assertEquals((await call(server, "GET", `/${code}`)).status, 404);
    } finally {
      for (const context of contexts) await context.close();
      await browser.close();
      await server.close();
    }
  },
});
