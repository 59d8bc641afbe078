import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

/**
 * Redirects signed-out visitors of console pages to the login page. It only redirects: every page, action and
 * route handler checks the session and role itself.
 */
export async function proxy(request: NextRequest) {
  const token = await getToken({ req: request, secret: process.env.AUTH_SECRET });
  if (token) return NextResponse.next();
  const login = new URL("/login", request.url);
  login.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  // Everything but the login page, NextAuth, the WeChat callbacks, the merchant API, the health check and static files.
  matcher: ["/((?!login|api/auth|api/notify|api/v1|api/health|_next/static|_next/image|favicon.ico).*)"],
};
