import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Db } from "../db/client";
import { alertChannelKind, alertChannels, alertMessages, type AlertChannel } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { channelSecretOwner, storeSecret } from "../webhooks/secret-box";
import { checkEndpointUrl, type Resolver, type UrlPolicy } from "../webhooks/ssrf";
import { sendToChannel } from "./dispatch";
import { inBothLanguages } from "../translate";

export const channelFieldsSchema = z.object({
  kind: z.enum(alertChannelKind.enumValues),
  name: z.string().trim().min(1, "REQUIRED").max(100, "TOO_LONG"),
  url: z.string().trim().min(1, "REQUIRED").max(2048, "TOO_LONG"),
  secret: z.string().trim().max(200, "TOO_LONG").optional(),
});
export type ChannelFields = z.infer<typeof channelFieldsSchema>;

export type ChannelError = { code: "INVALID_URL" | "CHANNEL_NOT_FOUND"; message: Message };
const NOT_FOUND: ChannelError = {
  code: "CHANNEL_NOT_FOUND",
  message: msg("outcomes.alerts.channels.CHANNEL_NOT_FOUND"),
};

/** A channel as lists show it: whether it has a signing secret, never the secret. */
export type ChannelSummary = Omit<AlertChannel, "secret"> & { signed: boolean };
const summary = ({ secret, ...rest }: AlertChannel): ChannelSummary => ({ ...rest, signed: Boolean(secret) });

export async function listChannels(db: Db): Promise<ChannelSummary[]> {
  return (await db.select().from(alertChannels).orderBy(alertChannels.createdAt)).map(summary);
}

/** The latest messages sent, for the alerts page. */
export async function recentMessages(db: Db, limit = 30) {
  return db
    .select({
      id: alertMessages.id,
      channelName: alertChannels.name,
      kind: alertMessages.kind,
      itemCount: alertMessages.itemCount,
      sentAt: alertMessages.sentAt,
      responseStatus: alertMessages.responseStatus,
      error: alertMessages.error,
    })
    .from(alertMessages)
    .innerJoin(alertChannels, eq(alertChannels.id, alertMessages.channelId))
    .orderBy(desc(alertMessages.id))
    .limit(limit);
}

export async function createChannel(
  db: Database,
  fields: ChannelFields,
  who: { actor: AuditActor; policy: UrlPolicy },
): Promise<Result<ChannelSummary, ChannelError>> {
  const checked = checkEndpointUrl(fields.url, who.policy);
  if (!checked.ok) {
    return err({
      code: "INVALID_URL",
      message: msg("outcomes.alerts.channels.INVALID_URL"),
    });
  }
  return db.transaction(async (tx) => {
    const id = randomUUID();
    const [row] = await tx
      .insert(alertChannels)
      .values({
        id,
        kind: fields.kind,
        name: fields.name,
        url: checked.url.toString(),
        secret: fields.secret ? storeSecret(fields.secret, channelSecretOwner(id)) : null,
      })
      .returning();
    await appendAudit(
      tx,
      who.actor,
      "alert_channel.created",
      { type: "alert_channel", id: row!.id },
      {
        kind: row!.kind,
        name: row!.name,
      },
    );
    return ok(summary(row!));
  });
}

export async function setChannelEnabled(
  db: Database,
  id: string,
  enabled: boolean,
  actor: AuditActor,
): Promise<Result<null, ChannelError>> {
  return db.transaction(async (tx) => {
    const [row] = await tx.update(alertChannels).set({ enabled }).where(eq(alertChannels.id, id)).returning();
    if (!row) return err(NOT_FOUND);
    await appendAudit(tx, actor, enabled ? "alert_channel.enabled" : "alert_channel.disabled", {
      type: "alert_channel",
      id,
    });
    return ok(null);
  });
}

export async function deleteChannel(db: Database, id: string, actor: AuditActor): Promise<Result<null, ChannelError>> {
  return db.transaction(async (tx) => {
    const [row] = await tx.delete(alertChannels).where(eq(alertChannels.id, id)).returning();
    if (!row) return err(NOT_FOUND);
    await appendAudit(tx, actor, "alert_channel.deleted", { type: "alert_channel", id }, { name: row.name });
    return ok(null);
  });
}

/**
 * The demo's channel: the simulator's WeCom robot, so `npm start` shows alerts on the simulator's page. Added once,
 * on a database without channels; an admin may delete it or add others.
 */
export async function ensureDemoChannel(db: Db, url: string): Promise<boolean> {
  const [any] = await db.select({ id: alertChannels.id }).from(alertChannels).limit(1);
  if (any) return false;
  await db.insert(alertChannels).values({ kind: "wecom", name: "Demo group (simulator) / 演示群", url });
  return true;
}

/** A test message to one channel, now, recorded like the others: the way to check a robot's URL and secret. */
export async function sendTestAlert(
  db: Database,
  id: string,
  deps: { appUrl: string; policy: UrlPolicy; resolver: Resolver; now?: Date },
): Promise<Result<{ error: string | null }, ChannelError>> {
  const now = deps.now ?? new Date();
  const [channel] = await db.select().from(alertChannels).where(eq(alertChannels.id, id));
  if (!channel) return err(NOT_FOUND);
  const [row] = await db
    .insert(alertMessages)
    .values({ channelId: id, kind: "test", itemCount: 0, sentAt: now })
    .returning({ id: alertMessages.id });
  const outcome = await sendToChannel(
    channel,
    {
      kind: "test",
      title: `✅ ${inBothLanguages(msg("outcomes.alerts.robot.TEST_TITLE"))}`,
      lines: [`- ${inBothLanguages(msg("outcomes.alerts.robot.TEST_LINE"))}`],
      link: new URL("/admin/alerts", deps.appUrl).toString(),
    },
    deps,
    now,
  );
  await db.update(alertMessages).set(outcome).where(eq(alertMessages.id, row!.id));
  return ok({ error: outcome.error });
}
