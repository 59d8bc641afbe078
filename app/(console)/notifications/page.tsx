import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DateRangeFields, FilterBar, FilterField, FilterSelect } from "@/components/filter-bar";
import { presentFields } from "@/components/data-table";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { timeFormat } from "@/app/_server/time-format";
import { can } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import {
  listNotifications,
  NOTIFICATION_EVENT_TYPES,
  NOTIFICATION_OUTCOMES,
  notificationFiltersSchema,
} from "@/lib/db/queries/notifications";
import { verificationResult } from "@/lib/db/schema";
import { NotificationList } from "./notification-list";
import { ReapplyProvider } from "./reapply";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("notifications");
  return { title: t("title") };
}

type Search = Record<string, string | undefined>;

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const t = await getTranslations("notifications");
  const params = await searchParams;
  const filters = notificationFiltersSchema.parse(params);
  const scope = { merchantId: user.merchantId, withUnattributed: user.platformAdmin };
  const [{ rows, nextCursor }, time] = await Promise.all([listNotifications(getDb(), scope, filters), timeFormat()]);
  const filtered = Object.entries(filters).some(([key, value]) => key !== "after" && value !== undefined);
  const any = { value: "", label: t("filters.any") };
  // A shared URL may name an event type not in the list; it stays selectable so the filter shows what is applied.
  const events =
    filters.event && !(NOTIFICATION_EVENT_TYPES as readonly string[]).includes(filters.event)
      ? [...NOTIFICATION_EVENT_TYPES, filters.event]
      : NOTIFICATION_EVENT_TYPES;

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <FilterBar action="/notifications">
        <FilterField label={t("filters.verification")}>
          <FilterSelect
            name="verification"
            defaultValue={filters.verification}
            options={[any, ...verificationResult.enumValues.map((v) => ({ value: v, label: t(`verification.${v}`) }))]}
          />
        </FilterField>
        <FilterField label={t("filters.outcome")}>
          <FilterSelect
            name="outcome"
            defaultValue={filters.outcome}
            options={[any, ...NOTIFICATION_OUTCOMES.map((o) => ({ value: o, label: t(`outcomes.${o}`) }))]}
          />
        </FilterField>
        <FilterField label={t("filters.event")}>
          <FilterSelect
            name="event"
            defaultValue={filters.event}
            options={[
              any,
              ...events.map((e) => ({ value: e, label: t.has(`events.${e}`) ? `${t(`events.${e}`)} · ${e}` : e })),
            ]}
          />
        </FilterField>
        <DateRangeFields label={t("filters.received")} params={filters} />
      </FilterBar>
      <ReapplyProvider>
        <NotificationList
          rows={rows.map(presentFields)}
          time={time}
          canReapply={can(user.role, "reapplyNotification")}
          empty={
            filtered
              ? t("empty.filtered")
              : t.rich("empty.none", {
                  path: (chunks) => <code className="rounded bg-slate-100 px-1 font-mono text-xs">{chunks}</code>,
                })
          }
        />
      </ReapplyProvider>
      <Pager path="/notifications" params={params} nextCursor={nextCursor} />
    </>
  );
}
