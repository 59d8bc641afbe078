"use client";

import { useLocale, useTranslations } from "next-intl";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatFen } from "@/lib/money";

export interface RefundedPoint {
  day: string;
  refundedFen: number;
  refundedCount: number;
}

/** Refunded amount per day as bars (fen in, yuan shown), and the number of refunds that succeeded as a line. */
export function RefundedChart({ points }: { points: RefundedPoint[] }) {
  const t = useTranslations("dashboard.charts");
  const locale = useLocale();
  // Axis ticks only: whole yuan, compact (1.2K, 1.2万); the tooltip shows the exact amount.
  const compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  return (
    <ResponsiveContainer width="100%" height={260}>
      <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e8f0" vertical={false} />
        <XAxis
          dataKey="day"
          tickFormatter={(day: string) => day.slice(5)}
          tick={{ fontSize: 11, fill: "#64748b" }}
          minTickGap={16}
        />
        <YAxis
          yAxisId="amount"
          tickFormatter={(fen: number) => `¥${compact.format(Math.round(fen / 100))}`}
          tick={{ fontSize: 11, fill: "#64748b" }}
          width={56}
        />
        <YAxis
          yAxisId="count"
          orientation="right"
          allowDecimals={false}
          tick={{ fontSize: 11, fill: "#64748b" }}
          width={32}
        />
        <Tooltip
          formatter={(value, name) => (name === t("refundedAmount") ? formatFen(Number(value)) : String(value))}
          contentStyle={{ fontSize: 12, borderRadius: 6 }}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar
          yAxisId="amount"
          dataKey="refundedFen"
          name={t("refundedAmount")}
          fill="#10b981"
          radius={[3, 3, 0, 0]}
          maxBarSize={28}
          isAnimationActive={false}
        />
        <Line
          yAxisId="count"
          dataKey="refundedCount"
          name={t("refundedCount")}
          stroke="#0f172a"
          strokeWidth={1.5}
          dot={false}
          type="linear"
          isAnimationActive={false}
        />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
