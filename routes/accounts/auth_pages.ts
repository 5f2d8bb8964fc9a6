// The server-rendered signup and login forms (they work without JavaScript, like EchoSphere's).
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { SignupMode } from "../../config.ts";

export interface AuthFormOptions {
  mode: "login" | "signup";
  basePath: string;
  error?: string;
  email?: string;
  displayName?: string;
  /** Where to go after success, kept in a hidden field. */
  next?: string;
  /** @default "open" */
  signupMode?: SignupMode;
  /** An invite code to sign up with (from the invite link). */
  invite?: string;
}

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The whole page; `html` escapes every value put into it, so user input stays text. */
export function authFormHtml(options: AuthFormOptions): Html {
  const { mode, basePath, error } = options;
  const login = mode === "login";
  const signupMode = options.signupMode ?? "open";
  const title = login ? "Log in" : "Create your account";
  const closed = !login && signupMode === "closed";
  const next = options.next ? `?next=${encodeURIComponent(options.next)}` : "";
  const other = login
    ? signupMode !== "closed" &&
      html`New here? <a href="${basePath}signup${next}">Create an account</a>`
    : html`Already have an account? <a href="${basePath}login${next}">Log in</a>`;
  const body = closed
    ? html`<p class="muted" id="signup-closed">Sign-up is closed on this server.</p>`
    : html`
      <form method="post" action="${basePath}${mode}" class="auth-form">
        ${formFields(options)}
        ${options.next && html`<input type="hidden" name="next" value="${options.next}">`}
        <button type="submit" class="primary">${login ? "Log in" : "Sign up"}</button>
      </form>
    `;
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="dark light">
        <title>${title} · Roomcast</title>
        <link rel="stylesheet" href="${basePath}assets/app.css">
        <link rel="stylesheet" href="${basePath}assets/workspace.css">
      </head>
      <body class="auth-body">
        <main class="auth-card">
          <h1><a href="${basePath}" class="brand">Roomcast</a></h1>
          <h2>${title}</h2>
          ${error && html`<p class="form-error" role="alert" id="form-error">${error}</p>`}
          ${body}
          ${other && html`<p class="muted">${other}</p>`}
        </main>
      </body>
    </html>
  `;
}

/** The form's inputs: sign-up adds a display name, the confirmation and (by invitation) a code. */
function formFields(options: AuthFormOptions): Html {
  const email = html`
    <label>Email
      <input type="email" name="email" autocomplete="email" required maxlength="254"
        value="${options.email ?? ""}" autofocus>
    </label>
  `;
  if (options.mode === "login") {
    return html`
      ${email}
      <label>Password
        <input type="password" name="password" autocomplete="current-password" required>
      </label>
    `;
  }
  const byInvite = (options.signupMode ?? "open") === "invite";
  return html`
    ${email}
    <label>Display name
      <input type="text" name="display_name" autocomplete="nickname" required maxlength="64"
        value="${options.displayName ?? ""}">
    </label>
    <label>Password
      <input type="password" name="password" autocomplete="new-password" required minlength="8">
    </label>
    <label>Confirm password
      <input type="password" name="confirm_password" autocomplete="new-password" required
        minlength="8">
    </label>
    ${byInvite && html`
      <label>Invite code
        <input type="text" name="invite" autocomplete="off" maxlength="32"
          value="${options.invite ?? ""}">
      </label>
    `}
  `;
}
