import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./app/_server/intl-request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only server libraries are loaded from node_modules at run time, not bundled.
  serverExternalPackages: [
    "@node-rs/argon2",
    "pino",
    "pino-pretty",
    "postgres",
    "pg-boss",
    "fast-xml-parser",
    "undici",
  ],
  poweredByHeader: false,
  // `npm test` type-checks the whole project with tsc first; the build need not repeat it on every start.
  typescript: { ignoreBuildErrors: true },
  // Bulk refund files may be up to 2 MB (lib/bulk/csv.ts); a server action's body is 1 MB unless raised.
  experimental: { serverActions: { bodySizeLimit: "3mb" } },
  // Pages get their Content-Security-Policy (with a per-request nonce) from proxy.ts; everything else that is not a
  // page (JSON, XML, CSV, files) may run nothing and be framed by nobody.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default withNextIntl(nextConfig);
