// Search, message context and attachments over REST and /ws (tests/_app.ts): results, members
// only, the attachment limit and types refused before the rest is read, nothing stored.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startApp, type TestApp } from "../../tests/_app.ts";
import { waitFor } from "../../tests/_wait.ts";
import { openSocket } from "../../tests/_ws.ts";
import { api, signupUser, type TestUser } from "../../tests/_workspaces.ts";

const LIMIT = 65536;
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

const form = (name: string, bytes: Uint8Array, content?: string) => {
  const body = new FormData();
  if (content !== undefined) body.set("content", content);
  body.set("file", new Blob([bytes as BlobPart]), name);
  return body;
};

async function team(server: TestApp, owner: TestUser) {
  const created = await api(server, owner, "POST", "api/servers", { name: "Team" });
  const { server: made, channels } = created.body as {
    server: { id: number };
    channels: { id: number }[];
  };
  return { serverId: made.id, channelId: channels[0].id };
}

const attachmentFiles = async (dataDir: string) => {
  try {
    const entries = await Array.fromAsync(Deno.readDir(`${dataDir}/workspace-attachments`));
    return entries.map((e) => e.name);
  } catch {
    return [];
  }
};

Deno.test("workspace search: words, from:, in:, has:file and the message in context", async () => {
  const server = await startApp();
  try {
    const ann = await signupUser(server, "ann");
    const bob = await signupUser(server, "bob");
    const { serverId, channelId } = await team(server, ann);
    const ids: number[] = [];
    for (const text of ["alpha one", "beta two", "alpha three", "gamma"]) {
      ids.push(
        (await api(server, ann, "POST", `api/channels/${channelId}/messages`, {
          content: text,
        })).body.id as number,
      );
    }
    const found = await api(server, ann, "GET", `api/servers/${serverId}/search?q=alpha`);
    assertEquals(found.status, 200);
    const results = found.body.results as { id: number; channelName: string }[];
    assertEquals(results.map((r) => r.id), [ids[2], ids[0]]);
    assertEquals(results[0].channelName, "general");
    const byAuthor = await api(server, ann, "GET", `api/servers/${serverId}/search?q=from:ann`);
    assertEquals((byAuthor.body.results as unknown[]).length, 4);
    const inGeneral = await api(
      server,
      ann,
      "GET",
      `api/servers/${serverId}/search?q=${encodeURIComponent("in:#general beta")}`,
    );
    assertEquals((inGeneral.body.results as { id: number }[]).map((r) => r.id), [ids[1]]);

    const context = await api(server, ann, "GET", `api/messages/${ids[1]}/context?limit=1`);
    assertEquals(context.status, 200);
    assertEquals(context.body.channelId, channelId);
    assertEquals((context.body.messages as { id: number }[]).map((m) => m.id), ids.slice(0, 3));

    // A non-member finds nothing and reads no context; bad queries are 400s.
    const outsider = await api(server, bob, "GET", `api/servers/${serverId}/search?q=alpha`);
    assertEquals([outsider.status, outsider.body.code], [403, "forbidden"]);
    assertEquals((await api(server, bob, "GET", `api/messages/${ids[1]}/context`)).status, 403);
    for (const q of ["", "has:image", "x".repeat(201), Array(17).fill("w").join(" ")]) {
      const bad = await api(
        server,
        ann,
        "GET",
        `api/servers/${serverId}/search?q=${encodeURIComponent(q)}`,
      );
      assertEquals([bad.status, bad.body.code], [400, "invalid"], q.slice(0, 20));
    }
    assertEquals(
      (await api(server, null, "GET", `api/servers/${serverId}/search?q=a`)).status,
      401,
    );

    // The same over /ws.
    const listening = server.listen();
    const socket = await openSocket(listening.replace(/^http/, "ws") + "ws", {
      cookie: ann.cookie,
      origin: new URL(listening).origin,
    });
    try {
      socket.send({ type: "search", serverId, q: "gamma" });
      const answer = await socket.next();
      assertEquals(answer.type, "search:results");
      assertEquals((answer.results as { id: number }[]).map((r) => r.id), [ids[3]]);
      socket.send({ type: "context", messageId: ids[3], limit: 1 });
      const page = await socket.next();
      assertEquals((page.messages as { id: number }[]).map((m) => m.id), [ids[2], ids[3]]);
      socket.send({ type: "search", serverId, q: "has:nothing" });
      assertEquals((await socket.next()).code, "invalid");
    } finally {
      await socket.close();
    }
  } finally {
    await server.close();
  }
});

Deno.test("workspace attachments: posted, listed, served to members with nosniff and a sandbox", async () => {
  const server = await startApp({ env: { ATTACHMENT_MAX_BYTES: String(LIMIT) } });
  try {
    const ann = await signupUser(server, "ann");
    const bob = await signupUser(server, "bob");
    const { serverId, channelId } = await team(server, ann);
    const posted = await api(
      server,
      ann,
      "POST",
      `api/channels/${channelId}/attachments`,
      form("../../dot.png", PNG, "a pixel"),
    );
    assertEquals(posted.status, 201, JSON.stringify(posted.body));
    assertEquals(posted.body.content, "a pixel");
    const [file] = posted.body.attachments as { id: number; name: string; url: string }[];
    assertEquals(file.name, "dot.png");

    const history = await api(server, ann, "GET", `api/channels/${channelId}/messages`);
    const [listed] = history.body.messages as { attachments: { id: number }[] }[];
    assertEquals(listed.attachments[0].id, file.id);
    const hasFile = await api(server, ann, "GET", `api/servers/${serverId}/search?q=has:file`);
    assertEquals((hasFile.body.results as unknown[]).length, 1);

    const path = file.url.replace(/^\//, "");
    const served = await server.fetch(
      new Request(server.url + path, { headers: { cookie: ann.cookie } }),
    );
    assertEquals(served.status, 200);
    assertEquals(new Uint8Array(await served.arrayBuffer()), PNG);
    assertEquals(served.headers.get("x-content-type-options"), "nosniff");
    assertEquals(served.headers.get("content-type"), "image/png");
    assert(served.headers.get("content-security-policy")?.includes("sandbox"));
    assertEquals((await api(server, bob, "GET", path)).status, 403, "not a member");
    assertEquals((await api(server, null, "GET", path)).status, 401);
    assertEquals((await api(server, ann, "GET", "api/attachments/999/x.png")).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("workspace attachments: oversize is 413 unread, wrong types 415/400, nothing stored", async () => {
  const server = await startApp({ env: { ATTACHMENT_MAX_BYTES: String(LIMIT) } });
  try {
    const ann = await signupUser(server, "ann");
    const bob = await signupUser(server, "bob");
    const { channelId } = await team(server, ann);
    const path = `api/channels/${channelId}/attachments`;
    const refused = async (user: TestUser, body: BodyInit, status: number, code: string) => {
      const answer = await api(server, user, "POST", path, body);
      assertEquals([answer.status, answer.body.code], [status, code], JSON.stringify(answer.body));
    };
    await refused(ann, form("run.exe", PNG), 415, "unsupported_type");
    await refused(ann, form("photo.jpg", PNG), 400, "invalid");
    await refused(ann, form("notes.txt", new Uint8Array([0, 1, 2])), 400, "invalid");
    await refused(ann, form("big.png", new Uint8Array(LIMIT + 1)), 413, "too_large");
    await refused(bob, form("dot.png", PNG), 403, "forbidden");
    await refused(ann, form("dot.png", PNG, "x".repeat(2001)), 400, "too_long");

    // A body that never ends and declares no length: refused once past the limit, never drained.
    let sent = 0;
    const head = new TextEncoder().encode(
      '--b\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\n\r\n',
    );
    const endless = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(head),
      pull(controller) {
        sent += 16384;
        controller.enqueue(sent === 16384 ? PNG : new Uint8Array(16384));
      },
    });
    const answer = await api(server, ann, "POST", path, endless, {
      "content-type": "multipart/form-data; boundary=b",
    });
    assertEquals(answer.status, 413);
    assert(sent < LIMIT * 4, `read ${sent} bytes of an endless body`);
    const declared = await api(server, ann, "POST", path, "x", {
      "content-type": "multipart/form-data; boundary=b",
      "content-length": String(LIMIT * 100),
    });
    assertEquals(declared.status, 413);

    // A refused upload's temp file goes once its stream is torn down, which may follow the 413.
    await waitFor(async () => (await attachmentFiles(server.dataDir)).length === 0, {
      what: "no attachment file kept",
    });
    const history = await api(server, ann, "GET", `api/channels/${channelId}/messages`);
    assertEquals(history.body.messages, [], "no message kept");
  } finally {
    await server.close();
  }
});
