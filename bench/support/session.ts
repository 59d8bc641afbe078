import type { Database } from "../../lib/db/client";
import { createE2eUsers, E2E_PASSWORD, E2E_USERS } from "../../e2e/users";

/** Cookies from Set-Cookie headers, merged into a jar. */
function absorb(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** Signs in through next-auth's credentials flow, as a browser does; returns the Cookie header of the session. */
export async function signIn(
  db: Database,
  appUrl: string,
  merchantId: string,
  role: "viewer" | "operator" = "viewer",
): Promise<string> {
  await createE2eUsers(db, merchantId);
  const jar = new Map<string, string>();
  const csrfResponse = await fetch(`${appUrl}/api/auth/csrf`);
  absorb(jar, csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const login = await fetch(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: header(jar) },
    body: new URLSearchParams({ csrfToken, email: E2E_USERS[role].email, password: E2E_PASSWORD, json: "true" }),
  });
  absorb(jar, login);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed (${login.status})`);
  return header(jar);
}
