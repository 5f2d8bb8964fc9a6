// The sign-up and login forms keep whatever a client sent as text, never as markup.
import { assert, assertMatch } from "../../tests/_assert.ts";
import { authFormHtml } from "./auth_pages.ts";

const HOSTILE = `"><script>alert(1)</script><a x='`;

Deno.test("authFormHtml() escapes every value a client can send", async () => {
  const page = String(
    await authFormHtml({
      mode: "signup",
      basePath: "/",
      signupMode: "invite",
      error: HOSTILE,
      email: HOSTILE,
      displayName: HOSTILE,
      next: `/app${HOSTILE}`,
      invite: HOSTILE,
    }),
  );
  assert(!page.includes("<script>"), "no script element from input");
  assert(!page.includes(`'`), "single quotes escaped");
  // Five values in attributes or text, plus the next link's URL-encoded copy.
  assertMatch(page, /id="form-error">&quot;&gt;&lt;script&gt;/);
  assertMatch(page, /name="next" value="\/app&quot;&gt;&lt;script&gt;/);
  assertMatch(page, /href="\/login\?next=%2Fapp%22%3E%3Cscript%3E/);
  for (const name of ["email", "display_name", "invite"]) {
    assertMatch(page, new RegExp(`name="${name}"[^>]*value="&quot;&gt;`));
  }
});

Deno.test("authFormHtml() shows what each sign-up mode allows", async () => {
  const closed = String(
    await authFormHtml({ mode: "signup", basePath: "/", signupMode: "closed" }),
  );
  assertMatch(closed, /id="signup-closed"/);
  assert(!closed.includes("<form"), "no form when sign-up is closed");
  const login = String(
    await authFormHtml({ mode: "login", basePath: "/b/", signupMode: "closed" }),
  );
  assert(!login.includes("Create an account"), "no sign-up link when closed");
  assertMatch(login, /action="\/b\/login"/);
  const open = String(await authFormHtml({ mode: "signup", basePath: "/" }));
  assert(!open.includes(`name="invite"`), "no invite field for open sign-up");
  assertMatch(open, /name="confirm_password"[^>]*minlength="8"/);
});
