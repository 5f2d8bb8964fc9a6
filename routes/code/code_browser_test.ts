// Code session pages in headless Chromium: live, highlighted updates without reload; the presenter flow.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { call, createSession } from "../../tests/_code_client.ts";

Deno.test({
  name: "participant page shows each push highlighted, live, without reloading",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const { code, token } = await createSession(server);
      const page = await browser.newPage();
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
      assertEquals(
        await page.$eval("#code-view", (el) => el.getAttribute("data-language")),
        "python",
      );
      assertEquals(await page.$eval("#code .hljs-keyword", (el) => el.textContent), "def");
      assertEquals(
        await page.$eval("#code", (el) => el.textContent),
        "def greet(name):\n    return f'hi {name}'\n",
      );
      assertEquals(await page.$eval(".gutter", (el) => el.textContent), "1\n2");

      const second = await push("hello.py", "def greet(name):\n    return f'hello {name}'\n");
      await page.waitForSelector(`#snippet[data-id="${second}"]`, { timeout: 10_000 });
      assertEquals(await page.$$eval("#history li", (items) => items.length), 2);

      await page.click("#diff-tab");
      await page.waitForSelector("#diff .diff-added");
      assertEquals(
        await page.$eval("#diff .diff-added .text", (el) => el.textContent),
        "    return f'hello {name}'",
      );
      assertEquals(
        await page.$eval("#diff .diff-removed .text", (el) => el.textContent),
        "    return f'hi {name}'",
      );

      assertEquals((await call(server, "POST", `/${code}/join`)).status, 201);
      await page.waitForSelector('#participants[data-count="1"]', { timeout: 10_000 });

      // Step back through history, then a new push while pinned keeps the pinned one shown.
      await page.click("#history li:nth-child(2) button");
      await page.waitForSelector(`#snippet[data-id="${first}"]`);
      const third = await push("lib.rs", "fn main() {}\n");
      await page.waitForSelector("#history li:nth-child(3)");
      assertEquals(await page.$eval("#snippet", (el) => el.getAttribute("data-id")), first);
      await page.click("#follow");
      await page.click('.tabs button:text-is("Code")');
      await page.waitForSelector(`#snippet[data-id="${third}"]`);
      assertEquals(
        await page.$eval("#code-view", (el) => el.getAttribute("data-language")),
        "rust",
      );

      assertEquals((await call(server, "POST", `/${code}/end`, { auth: token })).status, 200);
      await page.waitForSelector("#ended", { timeout: 10_000 });
      await page.waitForSelector("#status.status-ended");
      assertEquals(loads, 1, "the page never reloaded");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "presenter page creates a session, pushes to a participant tab, and ends it",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const presenter = await context.newPage();
      await presenter.goto(`${server.url}present`);
      await presenter.fill("#session-name", "Friday review");
      await presenter.click("#create");
      await presenter.waitForSelector("#session-code", { timeout: 10_000 });
      const code = (await presenter.textContent("#session-code"))!.replaceAll("-", "");
      assertEquals(code.length, 10);
      const link = await presenter.getAttribute("#join-link", "href");
      assertEquals(link, `${server.url}code/${code}`);
      assert(await presenter.$("#qr path"), "a QR code of the join link is drawn");

      const viewer = await context.newPage();
      await viewer.goto(link!);
      await viewer.waitForSelector("#status.status-live", { timeout: 10_000 });
      await viewer.fill('input[aria-label="Your name"]', "Bea");
      await viewer.click(".join-form button");
      await viewer.waitForSelector("#me");
      await presenter.waitForSelector('#participants[data-count="1"]', { timeout: 10_000 });

      await presenter.fill("#file-name", "app.ts");
      await presenter.fill("#content", "const answer: number = 42;");
      await presenter.click("#push");
      await viewer.waitForSelector("#code .hljs-keyword", { timeout: 10_000 });
      assertEquals(await viewer.textContent("#code"), "const answer: number = 42;");
      const latest = await call(server, "GET", `/${code}/snippets`);
      assertEquals([latest.body.file_name, latest.body.content], [
        "app.ts",
        "const answer: number = 42;",
      ]);

      // A reload of the presenter page keeps the session (the token stays in this browser).
      await presenter.reload();
      await presenter.waitForSelector("#last-push", { timeout: 10_000 });
      presenter.on("dialog", (dialog) => void dialog.accept());
      await presenter.click("#end");
      await presenter.waitForSelector("#create", { timeout: 10_000 });
      await viewer.waitForSelector("#ended", { timeout: 10_000 });
      assertEquals((await call(server, "GET", `/${code}`)).status, 404);
      await context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
