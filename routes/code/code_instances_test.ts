// Code sessions on two real server processes sharing one PostgreSQL database (issue 13).
import { assertEquals } from "../../tests/_assert.ts";
import { engineEnv } from "../../tests/_engines.ts";
import { startPostgres, type TestPostgres } from "../../tests/_postgres.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { call, createSession } from "../../tests/_code_client.ts";

/** One database for both instances: on the engine pass's cluster when there is one, else our own. */
async function sharedDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  if (Deno.env.get("ROOMCAST_TEST_POSTGRES")) {
    const { DATABASE_URL } = await engineEnv(`code-instances-${crypto.randomUUID()}`);
    return { url: DATABASE_URL, stop: async () => {} };
  }
  const pg: TestPostgres = await startPostgres();
  return { url: await pg.createDatabase(), stop: () => pg.stop() };
}

Deno.test("code sessions: 25 concurrent joins across two instances on one Postgres admit exactly 20", async () => {
  const db = await sharedDatabase();
  const servers: TestServer[] = [];
  try {
    // One after the other: migrateSql creates schema_migrations before it takes its advisory
    // lock, and two CREATE TABLE IF NOT EXISTS at once on an empty database can collide in
    // Postgres' catalog (pg_type_typname_nsp_index); seen about once in 30 paired starts.
    const env = { DATABASE_URL: db.url };
    servers.push(await startServer({ env }));
    servers.push(await startServer({ env }));
    const [a, b] = servers;
    const { code, token } = await createSession(a);
    const results = await Promise.all(
      Array.from(
        { length: 25 },
        (_, i) => call(i % 2 ? b : a, "POST", `/${code}/join`, { body: { display_name: `p${i}` } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assertEquals(statuses, [...Array(20).fill(201), ...Array(5).fill(403)]);
    for (const refused of results.filter((r) => r.status === 403)) {
      assertEquals(refused.body, { error: "Max amount of participants" });
    }
    for (const server of [a, b]) {
      assertEquals((await call(server, "GET", `/${code}`)).body.participant_count, 20);
    }

    // Pushed through B, read through A; ended through B, gone on A.
    const pushed = await call(b, "POST", `/${code}/snippets`, {
      auth: token,
      body: { file_name: "main.ts", content: "shared" },
    });
    assertEquals(pushed.status, 201);
    assertEquals((await call(a, "GET", `/${code}/snippets`)).body.id, pushed.body.id);
    assertEquals((await call(b, "POST", `/${code}/end`, { auth: token })).status, 200);
    const after = await call(a, "POST", `/${code}/join`);
    assertEquals([after.status, after.body], [404, { error: "Session not found" }]);
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    await db.stop();
  }
});
