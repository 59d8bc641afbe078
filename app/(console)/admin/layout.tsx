import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { requireConsoleUser } from "@/app/_server/session";
import { ClientMessages } from "@/components/client-messages";
import { mayUse, PLATFORM_PERMISSIONS, type Permission } from "@/lib/auth/roles";
import { AdminTabs } from "./admin-tabs";

/**
 * Each tab is shown to those who may use it (platform tabs to platform admins, merchant tabs to the current merchant's
 * admins); every page checks its own permission again.
 */
const TABS: { href: string; key: string; permission: Permission }[] = [
  { href: "/admin/users", key: "users", permission: "manageUsers" },
  { href: "/admin/merchants", key: "merchants", permission: "manageMerchants" },
  { href: "/admin/api-keys", key: "apiKeys", permission: "manageApiKeys" },
  { href: "/admin/webhooks", key: "webhooks", permission: "manageApiKeys" },
  { href: "/admin/reasons", key: "reasons", permission: "manageSettings" },
  { href: "/admin/alerts", key: "alerts", permission: "manageSettings" },
  // The jobs page lives outside /admin; its tab is a plain link there.
  { href: "/jobs", key: "jobs", permission: "manageMerchants" },
];

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireConsoleUser("manageUsers");
  const t = await getTranslations("admin.tabs");
  const usable = (permission: Permission) =>
    mayUse(user, permission) && (PLATFORM_PERMISSIONS.includes(permission) || user.merchantId !== null);
  const tabs = TABS.filter((tab) => usable(tab.permission)).map((tab) => ({
    href: tab.href,
    label: t(tab.key),
  }));
  return (
    <ClientMessages area="admin">
      <AdminTabs tabs={tabs} label={t("label")} />
      {children}
    </ClientMessages>
  );
}
