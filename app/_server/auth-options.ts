import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { authenticate } from "@/lib/auth/login";
import { sessionCookie } from "@/lib/auth/session-cookie";
import { getDb } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";

const credentialsSchema = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(1).max(200),
});

function clientIp(headers: Record<string, string | string[] | undefined> | undefined): string | null {
  const forwarded = headers?.["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  const real = headers?.["x-real-ip"];
  return first || (Array.isArray(real) ? real[0] : real) || null;
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
            clientIp(req?.headers),
          );
          if (!outcome.ok) return null;
          return { id: outcome.user.id, email: outcome.user.email, name: outcome.user.name };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        // Only the id: roles are per merchant and re-read on every request (app/_server/session.ts).
        if (user) token.uid = user.id;
        return token;
      },
      session({ session, token }) {
        if (session.user) session.user.id = token.uid as string;
        return session;
      },
    },
  };
}
