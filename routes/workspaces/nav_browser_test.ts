// Workspace navigation, attachments and search in headless Chromium with two people: an image shown
// inline at the other (served with nosniff), a URL per channel through back and reload, the unread
// count in the tab title, a search result opened in place, and phone drawers that let go.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { DESKTOP, PHONE, shoot } from "../../tests/_watch.ts";
import { api, signupUser, type TestUser } from "../../tests/_workspaces.ts";
import type { Browser, Page } from "playwright-core";
import { Buffer } from "node:buffer";

const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

/** A signed-in page for `user`, its session cookie set on the server's origin. */
async function pageFor(browser: Browser, server: TestServer, user: TestUser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const [name, value] = user.cookie.split("=");
  await context.addCookies([{ name, value, url: server.origin }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors, close: () => context.close() };
}

const live = (page: Page) => page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });

async function setup(server: TestServer) {
  const alice = await signupUser(server, "alice");
  const bob = await signupUser(server, "bob");
  const made = await api(server, alice, "POST", "api/servers", { name: "Team" });
  const team = (made.body.server as { id: number }).id;
  const general = (made.body.channels as { id: number }[])[0].id;
  const random = (await api(server, alice, "POST", `api/servers/${team}`, { name: "random" }))
    .body.id as number;
  const invite = await api(server, alice, "POST", `api/servers/${team}/invites`, {});
  await api(server, bob, "POST", `api/invites/${invite.body.code}`);
  return { alice, bob, team, general, random };
}

Deno.test({
  name: "workspace nav: image attachment live at the other, channel URLs, tab title, search jump",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const { alice, bob, team, general, random } = await setup(server);
      const a = await pageFor(browser, server, alice);
      const b = await pageFor(browser, server, bob);
      await a.page.goto(`${server.url}app/${team}/${general}`);
      await b.page.goto(`${server.url}app/${team}/${general}`);
      await Promise.all([live(a.page), live(b.page)]);
      await b.page.waitForSelector('[data-channel-name="general"].active');

      // An image by the picker: inline at Bob's within a second, served with nosniff.
      const started = Date.now();
      await a.page.setInputFiles("#attach", {
        name: "dot.png",
        mimeType: "image/png",
        buffer: Buffer.from(PNG),
      });
      const image = await b.page.waitForSelector(".ws-image img", { timeout: 5000 });
      await b.page.waitForFunction(() =>
        (document.querySelector(".ws-image img") as HTMLImageElement)?.naturalWidth === 1
      );
      const elapsed = Date.now() - started;
      assert(elapsed < 1000, `shown at the other after ${elapsed} ms`);
      const src = await image.getAttribute("src");
      const served = await b.page.request.get(new URL(src!, server.origin).href);
      assertEquals(served.headers()["x-content-type-options"], "nosniff");
      assert(served.headers()["content-security-policy"].includes("sandbox"));
      await image.click();
      await b.page.waitForSelector("#lightbox");
      await b.page.keyboard.press("Escape");
      await b.page.waitForSelector("#lightbox", { state: "detached" });

      // A URL per channel: picking one changes the address; back and reload land on it.
      await a.page.click('[data-channel-name="random"]');
      await a.page.waitForURL(`${server.url}app/${team}/${random}`);
      await a.page.goBack();
      await a.page.waitForSelector('[data-channel-name="general"].active');
      assertEquals(a.page.url(), `${server.url}app/${team}/${general}`);
      await a.page.goForward();
      await a.page.waitForSelector('[data-channel-name="random"].active');
      await a.page.reload();
      await live(a.page);
      await a.page.waitForSelector('[data-channel-name="random"].active');

      // Bob, in general, sees the unread count in the tab title rise, and clear when he looks.
      await a.page.fill("#composer textarea", "the needle is here");
      await a.page.press("#composer textarea", "Enter");
      await b.page.waitForFunction(() => document.title.startsWith("(1) "), null, {
        timeout: 5000,
      });
      await b.page.click('[data-channel-name="random"]');
      await b.page.waitForFunction(() => !document.title.startsWith("("));

      // Search from general: the result opens random around the message, highlighted.
      for (let i = 0; i < 3; i++) {
        await api(server, alice, "POST", `api/channels/${general}/messages`, {
          content: `hay ${i}`,
        });
      }
      await b.page.click('[data-channel-name="general"]');
      await b.page.fill("#search", "needle from:alice");
      await b.page.press("#search", "Enter");
      await b.page.click('#search-results li button:has-text("needle")');
      await b.page.waitForSelector('[data-channel-name="random"].active');
      await b.page.waitForSelector('.message.ws-jumped:has-text("the needle is here")');
      await shoot(b.page, "workspace-nav-desktop");
      assertEquals([...a.errors, ...b.errors], []);
      await a.close();
      await b.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "workspace nav at 390×844: drawers close on Escape and outside tap, nothing overflows",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const { alice, team, general } = await setup(server);
      const a = await pageFor(browser, server, alice, PHONE);
      await a.page.goto(`${server.url}app/${team}/${general}`);
      await live(a.page);
      await api(
        server,
        alice,
        "POST",
        `api/channels/${general}/attachments`,
        (() => {
          const form = new FormData();
          form.set("file", new Blob([PNG as BlobPart]), "dot.png");
          return form;
        })(),
      );
      await a.page.waitForSelector(".ws-image img");
      for (const toggle of ["#toggle-channels", "#toggle-members"]) {
        const drawer = toggle === "#toggle-channels" ? ".ws-channels" : ".ws-members";
        await a.page.click(toggle);
        await a.page.waitForSelector(drawer, { state: "visible" });
        await a.page.keyboard.press("Escape");
        await a.page.waitForSelector(drawer, { state: "hidden" });
        await a.page.click(toggle);
        await a.page.waitForSelector(drawer, { state: "visible" });
        // A tap on the far side of the screen, outside the drawer.
        const x = toggle === "#toggle-channels" ? PHONE.width - 10 : 10;
        await a.page.mouse.click(x, PHONE.height / 2);
        await a.page.waitForSelector(drawer, { state: "hidden" });
      }
      await shoot(a.page, "workspace-nav-phone");
      assertEquals(a.errors, []);
      await a.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
