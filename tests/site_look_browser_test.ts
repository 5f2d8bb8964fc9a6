// Every page in headless Chromium at desktop and phone sizes, dark and light: the common header is
// there (who is signed in, or a sign-in link), nothing is wider than the window, inputs look alike.
import type { Browser, Page } from "playwright-core";
import { assert, assertEquals } from "./_assert.ts";
import { browserTest, launchBrowser } from "./_browser.ts";
import { createSession } from "./_code_client.ts";
import { tinyPng } from "./_images.ts";
import { SECRET } from "./_media.ts";
import { basic, startServer, type TestServer } from "./_server.ts";
import { ADMIN_TOKEN, api as streamApi } from "./_streams.ts";
import { DESKTOP, PHONE, shoot } from "./_watch.ts";
import { sessionCookie, type TestUser } from "./_workspaces.ts";

interface Shot {
  name: string;
  path: string;
  /** What the page shows once it is ready. */
  ready: string;
}

async function seed(server: TestServer): Promise<Shot[]> {
  const form = new FormData();
  form.append("image", new Blob([tinyPng(7) as BlobPart], { type: "image/png" }), "wall.png");
  const upload = await fetch(`${server.url}lobby/upload`, {
    method: "POST",
    headers: { authorization: basic("admin", "adminpw") },
    body: form,
  });
  assertEquals(upload.status, 200);
  await upload.body?.cancel();
  const room = await streamApi(server.url, "POST", "api/rooms", { body: { name: "Friday show" } });
  assertEquals(room.status, 201);
  const { code } = await createSession(server);
  return [
    { name: "home", path: "", ready: "#image-rooms" },
    { name: "workspace", path: "app", ready: '#conn[data-state="live"]' },
    { name: "image_room", path: "lobby", ready: "#live" },
    { name: "media", path: "media/admin", ready: "#media-grid, #media-empty" },
    { name: "code", path: `code/${code}`, ready: "#status" },
    { name: "present", path: "present", ready: "form" },
    { name: "studio", path: "studio", ready: "#studio-rooms" },
    { name: "watch", path: `watch/${room.body.slug}`, ready: "#room-name" },
  ];
}

/** The header is on the page, on one line, and its content fits in it. */
async function checkHeader(page: Page, what: string, signedIn: string | null): Promise<void> {
  const header = await page.waitForSelector("#site-header", { timeout: 5000 });
  const box = (await header.boundingBox())!;
  assertEquals(box.y, 0, `${what}: the header is at the top`);
  const [scroll, client] = await header.evaluate((e) => [e.scrollWidth, e.clientWidth]);
  assert(scroll <= client, `${what}: header content ${scroll} px in ${client} px`);
  assertEquals(await page.textContent("#site-header .site-brand"), "Roomcast");
  if (signedIn) {
    assertEquals(await page.textContent("#site-user .site-name"), signedIn, what);
    assert(await page.isVisible("#site-sign-out"), `${what}: sign out is visible`);
  } else {
    assert(await page.isVisible("#site-sign-in"), `${what}: sign in is visible`);
  }
}

/** The first account (the admin), with a display name long enough to test the phone header. */
async function signupLong(server: TestServer): Promise<TestUser> {
  const response = await fetch(`${server.url}api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: "ada@example.test",
      display_name: "Ada Lovelace, Countess of Lovelace",
      password: "correct horse",
    }),
  });
  const body = await response.json();
  assertEquals(response.status, 201);
  return { ...body.user, cookie: sessionCookie(response)! };
}

async function shootAll(browser: Browser, server: TestServer, shots: Shot[], admin: TestUser) {
  const [name, value] = admin.cookie.split("=");
  for (const scheme of ["dark", "light"] as const) {
    for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
      const context = await browser.newContext({ viewport, colorScheme: scheme });
      await context.addCookies([{ name, value, url: server.url }]);
      const page = await context.newPage();
      for (const shot of shots) {
        const what = `${shot.name}-${size}-${scheme}`;
        await page.goto(`${server.url}${shot.path}`);
        await page.waitForSelector(shot.ready, { state: "attached", timeout: 10_000 });
        await checkHeader(page, what, admin.displayName);
        await shoot(page, `look-${what}`);
      }
      await context.close();
    }
  }
}

Deno.test({
  name:
    "every page has the common header and fits the window at 1280×800 and 390×844, dark and light",
  ...browserTest,
  async fn() {
    const server = await startServer({
      env: { MEDIA_SERVER_SECRET: SECRET, SERVER_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    const browser = await launchBrowser();
    try {
      const admin = await signupLong(server);
      const shots = await seed(server);
      await shootAll(browser, server, shots, admin);

      // Signed out: the header offers a sign-in that comes back to the page.
      const context = await browser.newContext({ viewport: PHONE });
      const page = await context.newPage();
      await page.goto(`${server.url}lobby`);
      await checkHeader(page, "image_room signed out", null);
      await Promise.all([page.waitForURL(/\/login\?next=/), page.click("#site-sign-in")]);
      assertEquals(new URL(page.url()).searchParams.get("next"), "/lobby");
      await context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "the home page's code box looks like every other input, and buttons like buttons",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const look = (selector: string) =>
        page.$eval(selector, (e) => {
          const s = getComputedStyle(e);
          return [s.borderTopColor, s.borderRadius, s.fontFamily, s.color].join(" | ");
        });
      await page.goto(`${server.url}`);
      const codeBox = await look('.join-code input[aria-label="Session code"]');
      const join = await look('.join-code button[type="submit"]');
      await page.goto(`${server.url}present`);
      const presentInput = await look("input");
      assertEquals(codeBox, presentInput, "the code box is styled as the other inputs");
      assertEquals(join, await look("button"), "buttons share one style");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
