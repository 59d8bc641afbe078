import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import drizzle from "eslint-plugin-drizzle";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * The folders flow one way (docs/architecture.md): app → components → lib → db. Nothing below app/ imports it,
 * lib/ imports no React or Next.js, and nothing of the console imports the simulator (a program of its own).
 */
const noImport = (patterns) => ["error", { patterns }];
const appImports = {
  group: ["@/app/*", "**/app/*", "../app/*", "../../app/*"],
  message: "Only app/ may import app/ (folders flow app → components → lib).",
};
const simulatorImports = {
  group: ["@/simulator/*", "**/simulator/*"],
  message: "The simulator is its own program: the console never imports it.",
};
const frameworkImports = {
  group: ["react", "react-dom", "next", "next/*", "next-auth", "next-auth/*", "next-intl", "next-intl/*"],
  message: "lib/ is the domain: no React or Next.js.",
};

// lib/db is the bottom layer: its queries and schema import no domain module of lib/ (only env, time, money, text).
const DOMAIN_FOLDERS = [
  "alerts",
  "api-keys",
  "audit",
  "auth",
  "bulk",
  "crypto",
  "evidence",
  "exports",
  "jobs",
  "merchant-api",
  "merchants",
  "notifications",
  "ops",
  "orders",
  "orders-import",
  "reconciliation",
  "refunds",
  "setup",
  "users",
  "webhooks",
  "wechatpay",
];
const domainImports = {
  group: DOMAIN_FOLDERS.flatMap((folder) => [`../${folder}/*`, `../../${folder}/*`, `@/lib/${folder}/*`]),
  message: "lib/db is the bottom layer: schema and queries import no domain module (app → components → lib → db).",
};

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      ".data/**",
      "node_modules/**",
      "drizzle/**",
      "test-results/**",
      "playwright-report/**",
      "bench/peers/**",
      "next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", Buffer: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "no-undef": "off",
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    plugins: { "@next/next": nextPlugin, "react-hooks": reactHooks },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    // Every UPDATE and DELETE through drizzle says which rows: a forgotten WHERE would touch every merchant's data.
    plugins: { drizzle },
    rules: {
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
    },
  },
  { files: ["app/**/*.{ts,tsx}"], rules: { "no-restricted-imports": noImport([simulatorImports]) } },
  {
    files: ["components/**/*.{ts,tsx}", "i18n/**/*.ts"],
    rules: { "no-restricted-imports": noImport([appImports, simulatorImports]) },
  },
  {
    files: ["lib/**/*.ts"],
    ignores: ["lib/**/*.test.ts"],
    rules: { "no-restricted-imports": noImport([appImports, simulatorImports, frameworkImports]) },
  },
  {
    files: ["lib/db/**/*.ts"],
    ignores: ["lib/db/**/*.test.ts"],
    rules: { "no-restricted-imports": noImport([appImports, simulatorImports, frameworkImports, domainImports]) },
  },
);
