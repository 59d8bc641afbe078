import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { sessionCookie } from "./lib/auth/session-cookie";
import { strictTransportSecurity } from "./lib/https";
import { envSetting } from "./lib/env";

/**
 * The policy for pages: scripts only with this response's nonce ('strict-dynamic' lets those load Next's chunks),
 * nothing framed, forms and connections to this origin only. Styles allow inline attributes (React `style` props,
 * charts); script injection is what the nonce shuts out. React needs eval only in development.
 */
function contentSecurityPolicy(nonce: string, development = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Three jobs before a page renders. Signed-out visitors of console pages go to the login page (this only redirects:
 * every page, action and route handler checks the session and role itself). And a fresh nonce per request for the
 * Content-Security-Policy: Next reads it from the request's CSP header and puts it on its own inline scripts. And,
 * served over https, Strict-Transport-Security.
 */
export async function proxy(request: NextRequest) {
  const response = await answer(request);
  const hsts = strictTransportSecurity(envSetting("APP_URL"));
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  return response;
}

async function answer(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  // The cookie NextAuth sets (app/_server/auth-options.ts): `__Secure-` and Secure when APP_URL is https.
  const cookie = sessionCookie(envSetting("APP_URL"));
  const signedIn = async () =>
    Boolean(
      await getToken({
        req: request,
        secret: envSetting("AUTH_SECRET"),
        cookieName: cookie.name,
        secureCookie: cookie.secure,
      }),
    );
  if (!pathname.startsWith("/login") && !(await signedIn())) {
    const login = new URL("/login", request.url);
    login.searchParams.set("callbackUrl", pathname + search);
    return NextResponse.redirect(login);
  }
  if (pathname.startsWith("/api/")) return NextResponse.next();

  const csp = contentSecurityPolicy(
    Buffer.from(crypto.randomUUID()).toString("base64"),
    envSetting("NODE_ENV") === "development",
  );
  const headers = new Headers(request.headers);
  headers.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // Everything but NextAuth, the WeChat callbacks, the merchant API, health, readiness, metrics and static files: those answer
  // JSON or XML and get the fixed headers of next.config.mjs.
  matcher: [
    "/((?!api/auth|api/notify|api/v1|api/health|api/ready|api/metrics|_next/static|_next/image|favicon.ico).*)",
  ],
};
