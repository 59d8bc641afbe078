import Link from "next/link";
import type { ReactNode } from "react";
import { NavLink } from "@/components/nav-link";
import { QueryProvider } from "@/components/query-provider";
import { SignOutButton } from "@/components/sign-out-button";
import { requirePageUser } from "@/app/_server/session";
import { can } from "@/lib/auth/roles";

const NAV = [
  { href: "/orders", label: "Orders" },
  { href: "/refunds", label: "Refunds" },
  { href: "/notifications", label: "Notifications" },
  { href: "/audit", label: "Audit log" },
  { href: "/settings", label: "Settings" },
];
const ADMIN_NAV = [{ href: "/jobs", label: "Jobs" }];

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser();
  return (
    <div className="min-h-screen">
      <header className="bg-slate-900">
        <div className="mx-auto flex h-12 max-w-7xl items-center gap-6 px-4">
          <Link href="/orders" className="flex items-center gap-2 text-sm font-semibold text-white">
            <span className="flex h-6 w-6 items-center justify-center rounded bg-brand-500 text-xs">¥</span>
            Refund console
          </Link>
          <nav className="flex flex-1 items-center gap-1" aria-label="Main">
            {[...NAV, ...(can(user.role, "manageMerchants") ? ADMIN_NAV : [])].map((item) => (
              <NavLink key={item.href} href={item.href}>
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="flex items-center gap-3 text-sm">
            <span className="text-slate-300" data-testid="current-user">
              {user.name} <span className="text-slate-500">·</span>{" "}
              <span className="rounded bg-slate-700 px-1.5 py-0.5 text-xs text-slate-200 uppercase">{user.role}</span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">
        <QueryProvider>{children}</QueryProvider>
      </main>
    </div>
  );
}
