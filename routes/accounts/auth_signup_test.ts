// Who may sign up (SIGNUP=open|invite|closed) and who sees whom (SHARED_LOBBY), against the real
// server; emails appear only in the shapes EchoSphere's seed gives them (messages, voice).
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { api, signupUser, type TestUser } from "../../tests/_workspaces.ts";

const signup = (server: TestServer, name: string, extra: Record<string, string> = {}) =>
  api(server, null, "POST", "api/auth/signup", {
    email: `${name}@example.test`,
    display_name: name,
    password: "correct horse",
    ...extra,
  });

function postForm(server: TestServer, path: string, fields: Record<string, string>) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.origin },
    body: new URLSearchParams(fields),
  });
}

const serverNames = async (server: TestServer, user: TestUser) =>
  ((await api(server, user, "GET", "api/bootstrap")).body.servers as { name: string }[])
    .map((s) => s.name);

Deno.test("signup: SIGNUP=closed refuses every sign-up, on the form and the API", async () => {
  const server = await startServer({ env: { SIGNUP: "closed" } });
  try {
    const page = await fetch(`${server.url}signup`);
    const html = await page.text();
    assertMatch(html, /Sign-up is closed/);
    assert(!/name="password"/.test(html), "no form to fill in");
    assert(!/Create an account/.test(await (await fetch(`${server.url}login`)).text()));
    const json = await signup(server, "nobody");
    assertEquals([json.status, json.body.code], [403, "signup_closed"]);
    const form = await postForm(server, "signup", {
      email: "nobody@example.test",
      display_name: "nobody",
      password: "correct horse",
      confirm_password: "correct horse",
    });
    assertEquals(form.status, 403);
    assertMatch(await form.text(), /Sign-up is closed/);
  } finally {
    await server.close();
  }
});

Deno.test("signup: SIGNUP=invite lets the first account in, then only holders of a live invite", async () => {
  const server = await startServer({ env: { SIGNUP: "invite" } });
  try {
    const owner = await signupUser(server, "owner");
    const without = await signup(server, "stranger");
    assertEquals([without.status, without.body.code], [403, "invite_required"]);
    const bogus = await signup(server, "stranger", { invite: "NoSuchCode" });
    assertEquals([bogus.status, bogus.body.code], [403, "invite_invalid"]);

    const team = await api(server, owner, "POST", "api/servers", { name: "Team" });
    const teamId = (team.body.server as { id: number }).id;
    const invite = await api(server, owner, "POST", `api/servers/${teamId}/invites`, {
      maxUses: 1,
    });
    const code = invite.body.code as string;

    // The invite link sends a newcomer to log in, then to sign up with the code filled in.
    const link = await fetch(`${server.url}invite/${code}`, { redirect: "manual" });
    await link.body?.cancel();
    const loginPage = new URL(link.headers.get("location")!, server.url);
    const next = loginPage.searchParams.get("next")!;
    const page = await (await fetch(`${server.url}signup?next=${encodeURIComponent(next)}`))
      .text();
    assertMatch(page, new RegExp(`name="invite"[^>]*value="${code}"`));

    const joined = await postForm(server, "signup", {
      email: "guest@example.test",
      display_name: "guest",
      password: "correct horse",
      confirm_password: "correct horse",
      invite: code,
      next,
    });
    assertEquals(joined.status, 303);
    await joined.body?.cancel();
    const guest = await api(server, null, "POST", "api/auth/login", {
      email: "guest@example.test",
      password: "correct horse",
    });
    assertEquals(guest.status, 200);
    const guestUser = { ...(guest.body.user as TestUser), cookie: "" };
    guestUser.cookie = guest.headers.getSetCookie()[0].split(";")[0];
    assertEquals(await serverNames(server, guestUser), ["Lobby", "Team"], "joined the invite's");

    // Three at once on a fresh one-use invite: one gets in, the others are undone.
    const once = await api(server, owner, "POST", `api/servers/${teamId}/invites`, { maxUses: 1 });
    const racers = await Promise.all(
      ["r1", "r2", "r3"].map((name) => signup(server, name, { invite: once.body.code as string })),
    );
    assertEquals(racers.map((r) => r.status).sort(), [201, 403, 403]);
    const members = await api(server, owner, "GET", `api/servers/${teamId}/members`);
    assertEquals((members.body.members as unknown[]).length, 3, "owner, guest, one racer");
    const accounts = await Promise.all(
      ["r1", "r2", "r3"].map((name) =>
        api(server, null, "POST", "api/auth/login", {
          email: `${name}@example.test`,
          password: "correct horse",
        })
      ),
    );
    assertEquals(accounts.filter((r) => r.status === 200).length, 1, "the losers have no account");

    const usedUp = await signup(server, "third", { invite: code });
    assertEquals([usedUp.status, usedUp.body.code], [403, "invite_invalid"]);
    assertEquals(
      (await api(server, null, "POST", "api/auth/login", {
        email: "third@example.test",
        password: "correct horse",
      })).status,
      401,
      "no account was left behind",
    );
  } finally {
    await server.close();
  }
});

Deno.test("signup: SIGNUP=open (the default) needs no invite, as EchoSphere", async () => {
  const server = await startServer();
  try {
    await signupUser(server, "first");
    assertEquals((await signup(server, "second")).status, 201);
    assert(!/name="invite"/.test(await (await fetch(`${server.url}signup`)).text()));
  } finally {
    await server.close();
  }
});

Deno.test("signup: SHARED_LOBBY=false keeps new accounts apart until invited", async () => {
  const server = await startServer({ env: { SHARED_LOBBY: "false" } });
  try {
    const ada = await signupUser(server, "ada");
    const bob = await signupUser(server, "bob");
    const adaBoot = await api(server, ada, "GET", "api/bootstrap");
    assertEquals(
      [adaBoot.body.servers, adaBoot.body.members, adaBoot.body.activeServerId],
      [[], [], null],
    );
    const own = await api(server, ada, "POST", "api/servers", { name: "Ada's" });
    const id = (own.body.server as { id: number }).id;
    assertEquals((await api(server, bob, "GET", `api/servers/${id}/members`)).status, 403);
    const text = JSON.stringify(await api(server, bob, "GET", "api/bootstrap"));
    assert(!text.includes("ada@example.test"), "bob sees nothing of ada");

    const invite = await api(server, ada, "POST", `api/servers/${id}/invites`, {});
    assertEquals((await api(server, bob, "POST", `api/invites/${invite.body.code}`)).status, 200);
    assertEquals(await serverNames(server, bob), ["Ada's"]);
  } finally {
    await server.close();
  }
});

Deno.test("signup: the shared Lobby's member list shows no emails; messages keep authorEmail", async () => {
  const server = await startServer();
  try {
    const ada = await signupUser(server, "ada");
    const bob = await signupUser(server, "bob");
    const boot = await api(server, bob, "GET", "api/bootstrap");
    const lobby = boot.body.activeServerId as number;
    const members = await api(server, bob, "GET", `api/servers/${lobby}/members`);
    assertEquals(
      (members.body.members as Record<string, unknown>[]).map((m) => Object.keys(m).sort()),
      [["displayName", "id", "online", "role"], ["displayName", "id", "online", "role"]],
    );
    assert(!JSON.stringify(boot.body).includes("ada@example.test"), "lurkers stay unknown");
    const channel = boot.body.activeChannelId as number;
    await api(server, ada, "POST", `api/channels/${channel}/messages`, { content: "hi" });
    const history = await api(server, bob, "GET", `api/channels/${channel}/messages`);
    const [message] = history.body.messages as { authorEmail: string }[];
    assertEquals(message.authorEmail, "ada@example.test", "the seed's message shape has it");
  } finally {
    await server.close();
  }
});

/** `count` sign-ups at once, each from its own address (behind a trusted proxy), so no rate limit. */
const signupRace = (server: TestServer, count: number, extra: Record<string, string> = {}) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      api(server, null, "POST", "api/auth/signup", {
        email: `racer${i}@example.test`,
        display_name: `racer${i}`,
        password: "correct horse",
        ...extra,
      }, { "x-forwarded-for": `198.51.100.${i + 1}` })),
  );

Deno.test("signup: a one-use invite redeemed by 25 sign-ups at once admits exactly one", async () => {
  const server = await startServer({ env: { SIGNUP: "invite", TRUST_PROXY: "true" } });
  try {
    const owner = await signupUser(server, "owner");
    const team = await api(server, owner, "POST", "api/servers", { name: "Team" });
    const teamId = (team.body.server as { id: number }).id;
    const invite = await api(server, owner, "POST", `api/servers/${teamId}/invites`, {
      maxUses: 1,
    });
    const code = invite.body.code as string;
    const racers = await signupRace(server, 25, { invite: code });
    const statuses = racers.map((r) => r.status);
    assertEquals(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert(racers.every((r) => r.status === 201 || r.body.code === "invite_invalid"));
    const members = await api(server, owner, "GET", `api/servers/${teamId}/members`);
    assertEquals((members.body.members as unknown[]).length, 2, "the owner and one racer");
    assertEquals((await api(server, owner, "GET", `api/invites/${code}`)).body.uses, 1);
    const logins = await Promise.all(
      racers.map((_, i) =>
        api(server, null, "POST", "api/auth/login", {
          email: `racer${i}@example.test`,
          password: "correct horse",
        }, { "x-forwarded-for": `198.51.100.${i + 1}` })
      ),
    );
    assertEquals(logins.filter((r) => r.status === 200).length, 1, "the others have no account");
  } finally {
    await server.close();
  }
});

Deno.test("signup: 25 first sign-ups at once make one Lobby and one admin", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  try {
    const racers = await signupRace(server, 25);
    assertEquals(racers.map((r) => r.status), Array(25).fill(201));
    const users = racers.map((r, i) => ({
      ...r.body.user as TestUser,
      cookie: r.headers.getSetCookie()[0].split(";")[0],
      ip: `198.51.100.${i + 1}`,
    }));
    const lobbies = new Set<number>();
    let admins = 0;
    for (const user of users) {
      const boot = await api(server, user, "GET", "api/bootstrap");
      for (const s of boot.body.servers as { id: number }[]) lobbies.add(s.id);
      // The media admin page opens for an admin's session alone.
      const page = await api(server, user, "GET", "media/admin");
      if (page.status === 200) admins++;
    }
    assertEquals([lobbies.size, admins], [1, 1]);
  } finally {
    await server.close();
  }
});
