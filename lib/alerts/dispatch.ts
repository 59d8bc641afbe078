import { eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { alertChannels, alertItems, alertMessages, merchants, type AlertChannel } from "../db/schema";
import { log } from "../log";
import { postOutside } from "../webhooks/post";
import { channelSecretOwner, readSecret } from "../webhooks/secret-box";
import type { Resolver, UrlPolicy } from "../webhooks/ssrf";
import { composeMessage, groupItems, type AlertGroup } from "./compose";
import { robotRefusal, robotRequest, type AlertMessage } from "./robots";

/** One message per kind and channel at most this often: a burst becomes one message, the next one waits. */
export const KIND_COOLDOWN_MS = 5 * 60_000;
/** The robots take 20 messages a minute each; stay well below. */
export const MESSAGES_PER_CHANNEL_PER_MINUTE = 10;
const ROBOT_TIMEOUT_MS = 10_000;

export interface DispatchDependencies {
  appUrl: string;
  policy: UrlPolicy;
  resolver: Resolver;
  now?: Date;
}

interface Planned {
  messageId: number;
  channel: AlertChannel;
  message: AlertMessage;
}

const appliesTo = (channel: AlertChannel, group: AlertGroup) =>
  channel.merchantId === null || channel.merchantId === group.merchantId;

/**
 * Take the unsent alerts, group them (one message per kind and merchant), and record which channel gets which
 * message — all in one transaction, before any robot is called. A group whose channel is in its cooldown or over
 * its rate waits, and grows, until the next run.
 */
async function plan(db: Database, deps: DispatchDependencies, now: Date): Promise<Planned[]> {
  return db.transaction(async (tx) => {
    const items = await tx
      .select()
      .from(alertItems)
      .where(isNull(alertItems.sentAt))
      .orderBy(alertItems.raisedAt)
      .limit(5000)
      .for("update", { skipLocked: true });
    if (!items.length) return [];
    const channels = await tx.select().from(alertChannels).where(eq(alertChannels.enabled, true));
    const recent = await tx
      .select({ channelId: alertMessages.channelId, kind: alertMessages.kind, sentAt: alertMessages.sentAt })
      .from(alertMessages)
      .where(sql`${alertMessages.sentAt} > ${new Date(now.getTime() - KIND_COOLDOWN_MS).toISOString()}::timestamptz`);
    const minuteAgo = now.getTime() - 60_000;
    const sentThisMinute = new Map<string, number>();
    for (const r of recent) {
      if (r.sentAt.getTime() > minuteAgo) sentThisMinute.set(r.channelId, (sentThisMinute.get(r.channelId) ?? 0) + 1);
    }
    const cooling = new Set(recent.map((r) => `${r.channelId}/${r.kind}`));

    const groups = groupItems(items);
    const merchantIds = [...new Set(groups.map((g) => g.merchantId).filter((id): id is string => id !== null))];
    const names = new Map(
      merchantIds.length
        ? (
            await tx
              .select({ id: merchants.id, displayName: merchants.displayName, mchid: merchants.mchid })
              .from(merchants)
              .where(inArray(merchants.id, merchantIds))
          ).map((m) => [m.id, `${m.displayName} (${m.mchid})`])
        : [],
    );

    const planned: Planned[] = [];
    const sentItemIds: number[] = [];
    for (const group of groups) {
      const targets = channels.filter((c) => appliesTo(c, group));
      const held = targets.some(
        (c) =>
          cooling.has(`${c.id}/${group.kind}`) || (sentThisMinute.get(c.id) ?? 0) >= MESSAGES_PER_CHANNEL_PER_MINUTE,
      );
      if (held) continue;
      // No channel at all: nobody to tell, and the alert is not kept back to flood a channel added later.
      sentItemIds.push(...group.items.map((i) => i.id));
      const message = composeMessage(
        group,
        deps.appUrl,
        group.merchantId ? (names.get(group.merchantId) ?? null) : null,
      );
      for (const channel of targets) {
        const [row] = await tx
          .insert(alertMessages)
          .values({ channelId: channel.id, kind: group.kind, itemCount: group.items.length, sentAt: now })
          .returning({ id: alertMessages.id });
        sentThisMinute.set(channel.id, (sentThisMinute.get(channel.id) ?? 0) + 1);
        planned.push({ messageId: row!.id, channel, message });
      }
    }
    if (sentItemIds.length) {
      await tx.update(alertItems).set({ sentAt: now }).where(inArray(alertItems.id, sentItemIds));
    }
    return planned;
  });
}

/** One message to one channel; a robot's refusal in a 200 answer counts as an error. */
export async function sendToChannel(
  channel: AlertChannel,
  message: AlertMessage,
  deps: Pick<DispatchDependencies, "policy" | "resolver">,
  now: Date,
): Promise<{ responseStatus: number | null; error: string | null }> {
  const secret = channel.secret ? readSecret(channel.secret, channelSecretOwner(channel.id)) : null;
  if (secret && !secret.ok) return { responseStatus: null, error: "SECRET_UNREADABLE" };
  const request = robotRequest({ ...channel, secret: secret?.value ?? null }, message, now);
  const outcome = await postOutside(request.url, { "content-type": "application/json" }, request.body, {
    policy: deps.policy,
    resolver: deps.resolver,
    timeoutMs: ROBOT_TIMEOUT_MS,
  });
  return { responseStatus: outcome.status, error: outcome.error ?? robotRefusal(channel.kind, outcome.excerpt) };
}

/** Send what `plan` decided, outside any transaction, and record each robot's answer. */
export async function dispatchAlerts(db: Database, deps: DispatchDependencies): Promise<number> {
  const now = deps.now ?? new Date();
  const planned = await plan(db, deps, now);
  for (const { messageId, channel, message } of planned) {
    const outcome = await sendToChannel(channel, message, deps, now);
    if (outcome.error)
      log.warn({ channelId: channel.id, kind: channel.kind, error: outcome.error }, "alert message not accepted");
    await db.update(alertMessages).set(outcome).where(eq(alertMessages.id, messageId));
  }
  return planned.length;
}
