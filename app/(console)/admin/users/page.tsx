import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/status-badge";
import { currentMerchant, requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { listUsers, type UserSummary } from "@/lib/users/admin";
import { CreateUserForm } from "./create-user-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.users"))("title") };
}

export default async function UsersPage() {
  const user = await requirePageUser("manageUsers");
  const merchant = currentMerchant(user);
  const [t, tRoles, users] = await Promise.all([
    getTranslations("admin.users"),
    getTranslations("common.roles"),
    listUsers(getDb(), user.merchantId),
  ]);
  const columns: Column<UserSummary>[] = [
    {
      header: t("name"),
      cell: (u) => (
        <Link href={`/admin/users/${u.id}`} className="font-medium text-brand-700 hover:underline">
          {u.name}
        </Link>
      ),
    },
    { header: t("email"), cell: (u) => u.email },
    { header: t("role"), cell: (u) => tRoles(u.role) },
    {
      header: t("status"),
      cell: (u) =>
        u.disabled ? (
          <Badge tone="red" label={t("disabled")} />
        ) : u.lockedUntil && u.lockedUntil > new Date() ? (
          <Badge tone="amber" label={t("locked")} />
        ) : (
          <Badge tone="green" label={t("enabled")} />
        ),
    },
    {
      header: t("dailyLimit"),
      align: "right",
      cell: (u) =>
        u.dailyRefundLimitFen === null ? (
          <span className="text-slate-400">{t("noLimit")}</span>
        ) : (
          <Money fen={u.dailyRefundLimitFen} />
        ),
    },
    { header: t("created"), cell: (u) => <DateTime value={u.createdAt} /> },
  ];
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle", { merchant: merchant.displayName })} />
      <section aria-labelledby="new-user" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="new-user" className="mb-3 text-sm font-semibold text-slate-900">
          {t("create")}
        </h2>
        <p className="mb-3 text-xs text-slate-500">{t("createHint")}</p>
        <CreateUserForm />
      </section>
      <DataTable columns={columns} rows={users} rowKey={(u) => u.id} empty={t("empty")} />
    </>
  );
}
