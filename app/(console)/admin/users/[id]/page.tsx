import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { z } from "zod";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { currentMerchant, requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { fenToYuan } from "@/lib/money";
import { getUser } from "@/lib/users/admin";
import { UserForms } from "./user-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.users"))("title") };
}

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageUser("manageUsers");
  const { id } = await params;
  const user = z.uuid().safeParse(id).success ? await getUser(getDb(), me.merchantId, id) : undefined;
  if (!user) notFound();
  const [t, tRoles] = await Promise.all([getTranslations("admin.users"), getTranslations("common.roles")]);
  return (
    <>
      <PageHeader title={user.name} subtitle={user.email} />
      <section className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <DetailList>
          <Detail label={t("role")}>{tRoles(user.role)}</Detail>
          <Detail label={t("status")}>{user.disabled ? t("disabled") : t("enabled")}</Detail>
          <Detail label={t("dailyLimit")}>
            {user.dailyRefundLimitFen === null ? t("noLimit") : <Money fen={user.dailyRefundLimitFen} />}
          </Detail>
          <Detail label={t("lockedUntil")}>
            {user.lockedUntil && user.lockedUntil > new Date() ? <DateTime value={user.lockedUntil} /> : null}
          </Detail>
          <Detail label={t("created")}>
            <DateTime value={user.createdAt} />
          </Detail>
        </DetailList>
      </section>
      <UserForms
        user={{
          id: user.id,
          email: user.email,
          role: user.role,
          disabled: user.disabled,
          dailyLimitYuan: user.dailyRefundLimitFen === null ? "" : fenToYuan(user.dailyRefundLimitFen),
        }}
        isSelf={user.id === me.id}
        merchantName={currentMerchant(me).displayName}
      />
    </>
  );
}
