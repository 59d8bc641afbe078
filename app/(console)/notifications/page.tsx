import type { Metadata } from "next";
import { FilterBar, FilterField, FilterInput, FilterSelect } from "@/components/filter-bar";
import { PageHeader } from "@/components/page-header";
import { Pager } from "@/components/pager";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { listNotifications, NOTIFICATION_OUTCOMES, notificationFiltersSchema } from "@/lib/db/queries/notifications";
import { NotificationList } from "./notification-list";

export const metadata: Metadata = { title: "Notifications" };

type Search = Record<string, string | undefined>;

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageUser();
  const params = await searchParams;
  const filters = notificationFiltersSchema.parse(params);
  const { rows, nextCursor } = await listNotifications(getDb(), filters);
  const filtered = Object.entries(filters).some(([key, value]) => key !== "after" && value !== undefined);

  return (
    <>
      <PageHeader
        title="Notifications"
        subtitle="Every callback WeChat Pay sent, whether its signature held or not, newest first. Times are Beijing time."
      />
      <FilterBar action="/notifications">
        <FilterField label="Signature">
          <FilterSelect
            name="verification"
            defaultValue={params.verification}
            options={[
              { value: "", label: "Any" },
              { value: "verified", label: "Verified" },
              { value: "rejected", label: "Rejected" },
            ]}
          />
        </FilterField>
        <FilterField label="Outcome">
          <FilterSelect
            name="outcome"
            defaultValue={params.outcome}
            options={[{ value: "", label: "Any" }, ...NOTIFICATION_OUTCOMES.map((o) => ({ value: o, label: o }))]}
          />
        </FilterField>
        <FilterField label="Event type">
          <FilterInput name="event" defaultValue={params.event} placeholder="REFUND.SUCCESS" className="w-44 font-mono" />
        </FilterField>
        <FilterField label="Received from">
          <FilterInput name="from" type="date" defaultValue={params.from} />
        </FilterField>
        <FilterField label="Received to">
          <FilterInput name="to" type="date" defaultValue={params.to} />
        </FilterField>
      </FilterBar>
      <NotificationList
        rows={rows}
        empty={
          filtered ? (
            "No callbacks match these filters."
          ) : (
            <>
              No callbacks yet. WeChat Pay&apos;s refund result callbacks to{" "}
              <code className="rounded bg-slate-100 px-1 font-mono text-xs">/api/notify/refund</code> appear here as they arrive,
              including those whose signature or decryption failed.
            </>
          )
        }
      />
      <Pager path="/notifications" params={params} nextCursor={nextCursor} />
    </>
  );
}
