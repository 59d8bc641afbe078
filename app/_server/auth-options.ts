import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { authenticate } from "@/lib/auth/login";
import { clientAddress } from "@/lib/client-address";
import { sessionCookie } from "@/lib/auth/session-cookie";
import { getDb } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";

const credentialsSchema = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(1).max(200),
});

function clientIp(headers: Record<string, string | string[] | undefined> | undefined, trustedProxies: number) {
  const header = (name: string) => {
    const value = headers?.[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  return clientAddress(header, trustedProxies);
}

export function authOptions(): NextAuthOptions {
  const env = serverEnv();
  const cookie = sessionCookie(env.APP_URL);
  return {
    secret: env.AUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    // Secure cookies (session, CSRF, callback URL) exactly when APP_URL is https; the session cookie's flags explicit.
    useSecureCookies: cookie.secure,
    cookies: { sessionToken: { name: cookie.name, options: cookie.options } },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { type: "email" }, password: { type: "password" } },
        async authorize(credentials, req) {
          const parsed = credentialsSchema.safeParse(credentials);
          if (!parsed.success) return null;
          const outcome = await authenticate(
            getDb(),
            parsed.data.email,
            parsed.data.password,
            { maxFailures: env.LOGIN_MAX_FAILURES, lockMinutes: env.LOGIN_LOCK_MINUTES },
            clientIp(req?.headers, env.TRUSTED_PROXIES),
          );
          if (!outcome.ok) return null;
          const { id, email, name, sessionVersion } = outcome.user;
          return { id, email, name, sessionVersion };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        // The id and the session version only: roles are per merchant and re-read on every request, and the version
        // is compared with the user's on every request (app/_server/session.ts).
        if (user) {
          token.uid = user.id;
          token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user) {
          session.user.id = token.uid as string;
          session.user.sessionVersion = typeof token.sv === "number" ? token.sv : -1;
        }
        return session;
      },
    },
  };
}
