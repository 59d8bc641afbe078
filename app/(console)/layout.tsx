import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { LanguageSwitcher } from "@/components/language-switcher";
import { setLocaleAction } from "@/app/_server/locale-actions";
import { NavLink } from "@/components/nav-link";
import { QueryProvider } from "@/components/query-provider";
import { SignOutButton } from "@/components/sign-out-button";
import { switchMerchantAction } from "@/app/_server/merchant-actions";
import { requireConsoleUser } from "@/app/_server/session";
import { MerchantSwitcher } from "@/components/merchant-switcher";
import { mayUse, type Permission } from "@/lib/auth/roles";

/** The main navigation; each entry is shown only to the roles that may use it (the pages check again). */
const NAV: { href: string; key: string; permission: Permission }[] = [
  { href: "/", key: "dashboard", permission: "read" },
  { href: "/orders", key: "orders", permission: "read" },
  { href: "/refunds", key: "refunds", permission: "read" },
  { href: "/approvals", key: "approvals", permission: "read" },
  { href: "/reconciliation", key: "reconciliation", permission: "read" },
  { href: "/notifications", key: "notifications", permission: "read" },
  { href: "/audit", key: "audit", permission: "read" },
  { href: "/admin", key: "admin", permission: "manageUsers" },
  { href: "/settings", key: "settings", permission: "read" },
];

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireConsoleUser();
  const t = await getTranslations("common");
  // A user who works for no merchant sees why, instead of empty pages (their pages answer "not found").
  const content =
    user.merchantId === null && !user.platformAdmin ? (
      <section className="mx-auto mt-16 max-w-md rounded-lg border border-slate-200 bg-white p-6 text-center">
        <h1 className="text-base font-semibold text-slate-900">{t("noMerchant.title")}</h1>
        <p className="mt-2 text-sm text-slate-600">{t("noMerchant.body")}</p>
      </section>
    ) : (
      children
    );
  return (
    <div className="min-h-screen">
      <header className="bg-slate-900">
        <div className="mx-auto flex h-12 max-w-7xl items-center gap-4 px-4">
          <Link
            href="/"
            aria-label={t("appName")}
            className="flex shrink-0 items-center gap-2 text-sm font-semibold text-white"
          >
            <span className="flex h-6 w-6 items-center justify-center rounded bg-brand-500 text-xs">¥</span>
            {/* The name gives way to the navigation on narrower screens; the ¥ mark stays. */}
            <span className="hidden 2xl:inline">{t("appName")}</span>
          </Link>
          <nav className="flex flex-1 items-center gap-0.5 overflow-x-auto" aria-label={t("nav.main")}>
            {NAV.filter((item) => user.merchantId !== null && mayUse(user, item.permission)).map((item) => (
              <NavLink key={item.href} href={item.href}>
                {t(`nav.${item.key}`)}
              </NavLink>
            ))}
          </nav>
          <div className="flex shrink-0 items-center gap-3 text-sm">
            {user.merchantId && (
              <MerchantSwitcher
                merchants={user.merchants}
                currentId={user.merchantId}
                switchMerchant={switchMerchantAction}
              />
            )}
            <LanguageSwitcher setLocale={setLocaleAction} />
            {/* The name gives way to the navigation on narrower screens; the role stays (the name is its title). */}
            <span className="whitespace-nowrap text-slate-300" data-testid="current-user" title={user.name}>
              <span className="hidden 2xl:inline">
                {user.name} <span className="text-slate-500">·</span>{" "}
              </span>
              <span className="rounded bg-slate-700 px-1.5 py-0.5 text-xs text-slate-200 uppercase">
                {t(`roles.${user.role}`)}
              </span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">
        <QueryProvider>{content}</QueryProvider>
      </main>
    </div>
  );
}
