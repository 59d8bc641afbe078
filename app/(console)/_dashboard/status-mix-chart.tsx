"use client";

import { useTranslations } from "next-intl";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RefundStatus } from "@/lib/db/schema";

export type StatusPoint = { day: string } & Record<RefundStatus, number>;

/** Stacked from settled at the bottom to open at the top; colours follow the status badges. */
const STACK: { status: RefundStatus; color: string }[] = [
  { status: "SUCCESS", color: "#10b981" },
  { status: "CLOSED", color: "#94a3b8" },
  { status: "REJECTED", color: "#475569" },
  { status: "FAILED", color: "#f97316" },
  { status: "ABNORMAL", color: "#dc2626" },
  { status: "PROCESSING", color: "#0ea5e9" },
  { status: "PENDING", color: "#f59e0b" },
  { status: "AWAITING_APPROVAL", color: "#8b5cf6" },
];

/** Refunds requested per day, split by the status each one has now. */
export function StatusMixChart({ points }: { points: StatusPoint[] }) {
  const t = useTranslations("status.refund");
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e8f0" vertical={false} />
        <XAxis
          dataKey="day"
          tickFormatter={(day: string) => day.slice(5)}
          tick={{ fontSize: 11, fill: "#64748b" }}
          minTickGap={16}
        />
        <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#64748b" }} width={40} />
        <Tooltip contentStyle={{ fontSize: 12, borderRadius: 6 }} />
        {/* In stacking order, not alphabetical. */}
        <Legend
          wrapperStyle={{ fontSize: 12 }}
          itemSorter={(item) => STACK.findIndex((s) => s.status === item.dataKey)}
        />
        {STACK.map(({ status, color }) => (
          <Bar
            key={status}
            dataKey={status}
            name={t(status)}
            stackId="status"
            fill={color}
            maxBarSize={28}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
