import type { AlertItem } from "../db/schema";
import type outcomes from "../../messages/en/outcomes.json";
import { msg } from "../message";
import { formatFen } from "../money";
import { inBothLanguages } from "../translate";
import type { AlertKind } from "./raise";
import type { AlertMessage } from "./robots";

/** A group shows this many items by name; the rest are counted. */
const SHOWN = 10;

interface KindText {
  title: (n: number) => string;
  line: (detail: Record<string, unknown>, subject: string) => string;
  /** The console page to open: one item's own page, or the list for many. */
  path: (items: readonly AlertItem[]) => string;
}

const str = (value: unknown) => (value === undefined || value === null ? "" : String(value));
const money = (value: unknown) => (typeof value === "number" ? ` · ¥${formatFen(value)}` : "");
const robot = (text: keyof typeof outcomes.alerts.robot, count: number) =>
  inBothLanguages(msg(`outcomes.alerts.robot.${text}`, { count }));

const TEXTS: Record<AlertKind, KindText> = {
  refund_stuck: {
    title: (n) => `⏳ ${robot("refund_stuck", n)}`,
    line: (d) => `- ${str(d.outRefundNo)} · ${str(d.status)}${money(d.amountFen)} · ${str(d.minutes)} min`,
    path: (items) => (items.length === 1 ? `/refunds/${str(items[0]!.detail.outRefundNo)}` : "/refunds?attention=1"),
  },
  refund_abnormal: {
    title: (n) => `❗ ${robot("refund_abnormal", n)}`,
    line: (d) => `- ${str(d.outRefundNo)}${money(d.amountFen)}`,
    path: (items) =>
      items.length === 1 ? `/refunds/${str(items[0]!.detail.outRefundNo)}` : "/refunds?status=ABNORMAL",
  },
  reconciliation_mismatch: {
    title: (n) => `🧾 ${robot("reconciliation_mismatch", n)}`,
    line: (d) => `- ${str(d.billDate)} · ${str(d.outRefundNo)} · ${str(d.mismatchKind)}`,
    path: (items) => {
      const days = new Set(items.map((i) => str(i.detail.billDayId)));
      return days.size === 1 ? `/reconciliation/${[...days][0]}` : "/reconciliation";
    },
  },
  configuration_error: {
    title: (n) => `⚙️ ${robot("configuration_error", n)}`,
    line: (d) => `- ${str(d.mchid)} · ${str(d.code)}: ${str(d.messageZh)} / ${str(d.messageEn)}`,
    path: () => "/settings",
  },
  endpoint_failing: {
    title: (n) => `📮 ${robot("endpoint_failing", n)}`,
    line: (d) => `- ${str(d.url)} · ${str(d.lastError)} · ${str(d.attempts)} attempts`,
    path: (items) => (items.length === 1 ? `/admin/webhooks/${str(items[0]!.detail.endpointId)}` : "/admin/webhooks"),
  },
  gateway_errors: {
    title: (n) => `📉 ${robot("gateway_errors", n)}`,
    line: (d) => `- ${str(d.mchid)} · ${str(d.errors)}/${str(d.total)} (${str(d.percent)}%) · ${str(d.window)}`,
    path: () => "/jobs",
  },
};

export interface AlertGroup {
  kind: AlertKind;
  merchantId: string | null;
  items: AlertItem[];
}

/** Items of one kind and merchant go out as one message, however many there are. */
export function groupItems(items: readonly AlertItem[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const item of items) {
    const key = `${item.kind}/${item.merchantId ?? ""}`;
    const group = groups.get(key) ?? { kind: item.kind as AlertKind, merchantId: item.merchantId, items: [] };
    group.items.push(item);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** The bilingual message of a group, with a link into the console (APP_URL). */
export function composeMessage(group: AlertGroup, appUrl: string, merchantName: string | null): AlertMessage {
  const text = TEXTS[group.kind];
  const shown = group.items.slice(0, SHOWN).map((i) => text.line(i.detail, i.subject));
  const more = group.items.length - SHOWN;
  return {
    kind: group.kind,
    title: text.title(group.items.length),
    lines: [
      ...(merchantName ? [`**${merchantName}**`] : []),
      ...shown,
      ...(more > 0 ? [`- … ${robot("MORE", more)}`] : []),
    ],
    link: new URL(text.path(group.items), appUrl).toString(),
  };
}
