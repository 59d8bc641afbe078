import { useLocale, useTranslations } from "next-intl";
import { Money } from "@/components/money";
import { formatBeijing } from "@/lib/beijing-time";
import { formatFen } from "@/lib/money";
import { MAX_REFUNDS_PER_ORDER, remainingFen, refundWindow } from "@/lib/refunds/policy";

interface OrderAmounts {
  totalFen: number;
  refundedFen: number;
  inFlightFen: number;
  refundCount: number;
  paidAt: Date;
}

/** One amount; `testId` is stable across languages, so tests find the tile whatever its label says. */
function Tile({ label, testId, fen, tone }: { label: string; testId: string; fen: number; tone: string }) {
  return (
    <div className="rounded-md border border-slate-200 px-3 py-2" data-testid={`amount-${testId}`}>
      <div className="text-xs font-medium text-slate-500">{label}</div>
      <Money fen={fen} className={`text-base font-semibold ${tone}`} />
    </div>
  );
}

/** Share of the total as a CSS width; only for drawing the bar, never for amounts. */
const share = (fen: number, totalFen: number) => `${Math.min(100, (fen / totalFen) * 100)}%`;

/**
 * What an order has paid, given back and still reserved, and how much room is left: in money, in WeChat's 50-refund
 * cap, and in its one-year refund window. `now` comes from the page, so this component stays a pure function of props.
 */
export function OrderTotals({ order, now }: { order: OrderAmounts; now: Date }) {
  const t = useTranslations("components.orderTotals");
  const locale = useLocale();
  const remaining = remainingFen(order);
  const period = refundWindow(order.paidAt, now);
  const capReached = order.refundCount >= MAX_REFUNDS_PER_ORDER;
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Tile label={t("paid")} testId="paid" fen={order.totalFen} tone="text-slate-900" />
        <Tile
          label={t("refunded")}
          testId="refunded"
          fen={order.refundedFen}
          tone={order.refundedFen ? "text-emerald-700" : "text-slate-400"}
        />
        <Tile
          label={t("inFlight")}
          testId="in-flight"
          fen={order.inFlightFen}
          tone={order.inFlightFen ? "text-sky-700" : "text-slate-400"}
        />
        <Tile label={t("remaining")} testId="remaining" fen={remaining} tone="text-slate-900" />
      </div>
      <div
        className="flex h-2 overflow-hidden rounded-full bg-slate-100"
        role="img"
        aria-label={t("bar", {
          refunded: formatFen(order.refundedFen),
          inFlight: formatFen(order.inFlightFen),
          total: formatFen(order.totalFen),
        })}
      >
        <div className="bg-emerald-500" style={{ width: share(order.refundedFen, order.totalFen) }} />
        <div className="bg-sky-500" style={{ width: share(order.inFlightFen, order.totalFen) }} />
      </div>
      <div className="flex flex-wrap items-center gap-x-6 gap-y-1 text-sm text-slate-600">
        <span className="flex items-center gap-3 text-xs">
          <span className="flex items-center gap-1">
            <span className="h-2 w-2 rounded-full bg-emerald-500" /> {t("refunded")}
          </span>
          <span className="flex items-center gap-1">
            <span className="h-2 w-2 rounded-full bg-sky-500" /> {t("inFlight")}
          </span>
        </span>
        <span className={`tabular-nums ${capReached ? "font-medium text-red-700" : ""}`}>
          {t("refundCount", { count: order.refundCount, max: MAX_REFUNDS_PER_ORDER })}
        </span>
        <span className="tabular-nums" title={t("windowCloses", { at: formatBeijing(period.closesAt, locale) })}>
          {t("daysLeft", { days: period.daysLeft })}
        </span>
        {period.closed && <span className="font-medium text-red-700">{t("windowClosed")}</span>}
      </div>
    </div>
  );
}
