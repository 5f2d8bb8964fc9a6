// The server-rendered signup and login forms (they work without JavaScript, like EchoSphere's).
import type { SignupMode } from "../../config.ts";
import { escapeHtml } from "../pages.ts";

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

export function authFormHtml(options: AuthFormOptions): string {
  const { mode, basePath, error } = options;
  const login = mode === "login";
  const signupMode = options.signupMode ?? "open";
  const title = login ? "Log in" : "Create your account";
  const attr = (value: string | undefined) => escapeHtml(value ?? "");
  const field = (label: string, input: string) => `<label>${label}${input}</label>`;
  const fields = [
    field(
      "Email",
      `<input type="email" name="email" autocomplete="email" required maxlength="254" value="${
        attr(options.email)
      }" autofocus>`,
    ),
    login ? "" : field(
      "Display name",
      `<input type="text" name="display_name" autocomplete="nickname" required maxlength="64" value="${
        attr(options.displayName)
      }">`,
    ),
    field(
      "Password",
      `<input type="password" name="password" autocomplete="${
        login ? "current-password" : "new-password"
      }" required${login ? "" : ' minlength="8"'}>`,
    ),
    login ? "" : field(
      "Confirm password",
      `<input type="password" name="confirm_password" autocomplete="new-password" required minlength="8">`,
    ),
    login || signupMode !== "invite" ? "" : field(
      "Invite code",
      `<input type="text" name="invite" autocomplete="off" maxlength="32" value="${
        attr(options.invite)
      }">`,
    ),
  ].join("\n");
  const closed = !login && signupMode === "closed";
  const other = login
    ? signupMode === "closed"
      ? ""
      : `New here? <a href="${basePath}signup${nextQuery(options.next)}">Create an account</a>`
    : `Already have an account? <a href="${basePath}login${nextQuery(options.next)}">Log in</a>`;
  const body = closed
    ? `<p class="muted" id="signup-closed">Sign-up is closed on this server.</p>`
    : `<form method="post" action="${basePath}${mode}" class="auth-form">
${fields}
${options.next ? `<input type="hidden" name="next" value="${attr(options.next)}">` : ""}
<button type="submit" class="primary">${login ? "Log in" : "Sign up"}</button>
</form>`;
  return `<!doctype html>
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
${error ? `<p class="form-error" role="alert" id="form-error">${escapeHtml(error)}</p>` : ""}
${body}
${other ? `<p class="muted">${other}</p>` : ""}
</main>
</body>
</html>`;
}

function nextQuery(next: string | undefined): string {
  return next ? `?next=${encodeURIComponent(next)}` : "";
}
