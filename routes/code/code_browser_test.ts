// Code session pages in headless Chromium: live, highlighted updates without reload, file tabs with
// per-file history and diffs, projector controls remembered, and the ended state.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { call, createSession } from "../../tests/_code_client.ts";
import { DESKTOP } from "../../tests/_watch.ts";
import { shootBoth } from "./_shots.ts";

Deno.test({
  name: "participant page shows pushes per file, highlighted, live, with per-file history and diff",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const { code, token } = await createSession(server);
      const page = await browser.newPage({ viewport: DESKTOP });
      let loads = 0;
      page.on("load", () => loads++);
      const grouped = `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
      await page.goto(`${server.url}code/${grouped.toLowerCase()}`);
      await page.waitForSelector("#waiting", { timeout: 10_000 });
      await page.waitForSelector("#status.status-live", { timeout: 10_000 });

      const push = async (file_name: string, content: string) => {
        const pushed = await call(server, "POST", `/${code}/snippets`, {
          auth: `Bearer ${token}`,
          body: { file_name, content },
        });
        assertEquals(pushed.status, 201);
        return String(pushed.body.id);
      };
      const first = await push("hello.py", "def greet(name):\n    return f'hi {name}'\n");
      await page.waitForSelector(`#snippet[data-id="${first}"]`, { timeout: 10_000 });
      assertEquals(await page.getAttribute("#code-view", "data-language"), "python");
      assertEquals(await page.$eval("#code .hljs-keyword", (el) => el.textContent), "def");
      assertEquals(
        await page.textContent("#code"),
        "def greet(name):\n    return f'hi {name}'\n",
        "the view's text is the content, line numbers apart",
      );
      assertEquals(await page.$$eval("#code .line", (lines) => lines.length), 2);

      const second = await push("hello.py", "def greet(name):\n    return f'hello {name}'\n");
      await page.waitForSelector(`#snippet[data-id="${second}"]`, { timeout: 10_000 });
      await page.waitForSelector("#history li:nth-child(2)");

      await page.click("#diff-tab");
      await page.waitForSelector("#diff .diff-added");
      assertEquals(await page.textContent("#diff .diff-added .text"), "    return f'hello {name}'");
      assertEquals(await page.textContent("#diff .diff-removed .text"), "    return f'hi {name}'");
      assert(await page.$("#diff .diff-added .hljs-string"), "diff rows are highlighted");

      assertEquals((await call(server, "POST", `/${code}/join`)).status, 201);
      await page.waitForSelector('#participants[data-count="1"]', { timeout: 10_000 });

      // Step back through this file's pushes; a new push of it keeps the older one shown.
      await page.click('.tabs button:text-is("Code")');
      await page.click("#history li:nth-child(2) button");
      await page.waitForSelector(`#snippet[data-id="${first}"]`);
      await push("hello.py", "print('third')\n");
      await page.waitForSelector("#history li:nth-child(3)");
      assertEquals(await page.getAttribute("#snippet", "data-id"), first);
      await page.click("#follow");

      // A push of another file opens its tab, and the page follows the presenter to it.
      const rust = await push("lib.rs", "fn main() {}\n");
      await page.waitForSelector(`#snippet[data-id="${rust}"]`);
      assertEquals(await page.getAttribute("#code-view", "data-language"), "rust");
      assertEquals(await page.$$eval("#file-tabs [data-file]", (tabs) => tabs.length), 2);
      // Its own pushes only, once they are fetched (never the last file's meanwhile).
      await page.waitForFunction(
        () => document.querySelectorAll("#history li").length === 1,
        null,
        {
          timeout: 10_000,
        },
      );
      assertEquals(await page.textContent("#history h2, .history h2"), "Pushes of lib.rs");

      assertEquals((await call(server, "POST", `/${code}/end`, { auth: token })).status, 200);
      await page.waitForSelector("#ended", { timeout: 10_000 });
      await page.waitForSelector("#status.status-ended");
      await shootBoth(page, "participant-ended");
      assertEquals(loads, 1, "the page never reloaded");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "projector controls change the code view and are remembered by the browser",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const { code, token } = await createSession(server);
      await call(server, "POST", `/${code}/snippets`, {
        auth: token,
        body: { file_name: "a.js", content: `const long = "${"x".repeat(300)}";\n` },
      });
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await context.newPage();
      await page.goto(`${server.url}code/${code}`);
      await page.waitForSelector("#code-view");
      const width = () => page.$eval("#code-view", (el) => [el.scrollWidth, el.clientWidth]);
      const [wide, box] = await width();
      assert(wide > box, "a long line scrolls sideways inside the view");
      await page.click("#font-larger");
      await page.click("#font-larger");
      await page.click("#wrap");
      await page.click("#theme");
      await page.reload();
      await page.waitForSelector("#code-view.theme-light.wrap");
      assertEquals(await page.textContent("#font-size"), "18px");
      assertEquals(
        await page.$eval("#code", (el) => getComputedStyle(el).fontSize),
        "18px",
      );
      const [wrapped, inside] = await width();
      assert(wrapped <= inside, "wrapped lines fit the view");
      assertEquals(
        await page.$eval("#code-view", (el) => getComputedStyle(el).backgroundColor),
        "rgb(255, 255, 255)",
      );
      await shootBoth(page, "participant-light");
      await context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
