// First start: makes sure an admin htpasswd exists so a fresh `deno task start` is usable.
import { join } from "node:path";
import { htpasswdLine } from "./htpasswd.ts";
import { randomToken } from "../tokens.ts";

/**
 * Creates `<dataDir>/.htpasswd` with user `admin` when it does not exist. Returns null when the file
 * was already there, else the password used (`undefined` when it came from ADMIN_PASSWORD).
 */
export async function ensureAdminHtpasswd(
  dataDir: string,
  adminPassword: string | undefined,
): Promise<{ password?: string } | null> {
  const path = join(dataDir, ".htpasswd");
  const password = adminPassword ?? randomPassword();
  try {
    await Deno.writeTextFile(path, htpasswdLine("admin", password) + "\n", {
      createNew: true,
      mode: 0o600,
    });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return null;
    throw error;
  }
  return { password: adminPassword ? undefined : password };
}

function randomPassword(): string {
  return randomToken(15);
}
