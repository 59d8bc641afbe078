import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { appendAudit, type AuditActor } from "../audit/append";
import type { Database, Db } from "../db/client";
import { merchantCredentials, merchants, type Merchant } from "../db/schema";
import { msg, type Message } from "../message";
import { parseYuan } from "../money";
import { err, ok, type Result } from "../result";
import { changedFields } from "../audit/changes";
import { changingMerchants } from "./changes";

const optional = z
  .string()
  .trim()
  .optional()
  .transform((s) => s || null);

/**
 * A merchant as the admin form sends it. Messages are codes the console translates (`admin.errors.<code>`).
 * The approval threshold is yuan typed by a person, parsed without floats.
 */
export const merchantInputSchema = z
  .object({
    displayName: z.string().trim().min(1, "REQUIRED").max(100, "TOO_LONG"),
    mchid: z
      .string()
      .trim()
      .regex(/^\d{8,12}$/, "MCHID_FORMAT"),
    appid: z
      .string()
      .trim()
      .regex(/^wx[0-9A-Za-z]{16}$/, "APPID_FORMAT"),
    mode: z.enum(["direct", "partner"]),
    subMchid: optional.pipe(
      z
        .string()
        .regex(/^\d{8,12}$/, "MCHID_FORMAT")
        .nullable(),
    ),
    subAppid: optional.pipe(
      z
        .string()
        .regex(/^wx[0-9A-Za-z]{16}$/, "APPID_FORMAT")
        .nullable(),
    ),
    apiVersion: z.enum(["v3", "v2"]),
    credentialsRef: z.enum(["db", "env"]).default("db"),
    platformCertificates: z.enum(["trusted", "retired"]).default("trusted"),
    approvalThreshold: z.string().transform((text, ctx) => {
      const fen = parseYuan(text);
      if (fen.ok) return fen.value;
      ctx.addIssue({ code: "custom", message: `AMOUNT_${fen.error}` });
      return z.NEVER;
    }),
    // A checkbox: present when ticked.
    active: z
      .string()
      .optional()
      .transform((v) => v === "on" || v === "true"),
  })
  .transform(({ approvalThreshold, ...rest }) => ({
    ...rest,
    approvalThresholdFen: approvalThreshold,
    // Direct merchants have no sub-merchant; the ids are dropped rather than kept unused.
    subMchid: rest.mode === "partner" ? rest.subMchid : null,
    subAppid: rest.mode === "partner" ? rest.subAppid : null,
  }))
  .refine((m) => m.mode === "direct" || m.subMchid !== null, { path: ["subMchid"], message: "SUB_MCHID_REQUIRED" });

export type MerchantInput = z.output<typeof merchantInputSchema>;

export interface MerchantError {
  code: "MERCHANT_NOT_FOUND" | "MERCHANT_EXISTS";
  message: Message;
  field?: keyof MerchantInput;
}

const NOT_FOUND: MerchantError = {
  code: "MERCHANT_NOT_FOUND",
  message: msg("outcomes.merchants.merchants.MERCHANT_NOT_FOUND"),
};
const EXISTS: MerchantError = {
  code: "MERCHANT_EXISTS",
  message: msg("outcomes.merchants.merchants.MERCHANT_EXISTS"),
  field: "mchid",
};

/** The columns an admin edits, as audited (merchant rows hold no secrets). */
const AUDITED = [
  "displayName",
  "mchid",
  "appid",
  "mode",
  "subMchid",
  "subAppid",
  "apiVersion",
  "credentialsRef",
  "platformCertificates",
  "approvalThresholdFen",
  "active",
] as const;

const pick = (m: Merchant) => Object.fromEntries(AUDITED.map((k) => [k, m[k]]));

/** A new merchant; its keys are uploaded afterwards as a first credential version. */
export async function createMerchant(
  db: Database,
  input: MerchantInput,
  actor: AuditActor,
): Promise<Result<Merchant, MerchantError>> {
  return changingMerchants(
    db.transaction(async (tx) => {
      // The unique (mchid, sub_mchid) constraint decides, even against a concurrent twin.
      const [row] = await tx.insert(merchants).values(input).onConflictDoNothing().returning();
      if (!row) return err(EXISTS);
      await appendAudit(
        tx,
        actor,
        "merchant.created",
        { type: "merchant", id: row.id, merchantId: row.id },
        { after: pick(row) },
      );
      return ok(row);
    }),
  );
}

export async function updateMerchant(
  db: Database,
  id: string,
  input: MerchantInput,
  actor: AuditActor,
): Promise<Result<Merchant, MerchantError>> {
  return changingMerchants(
    db.transaction(async (tx) => {
      const [before] = await tx.select().from(merchants).where(eq(merchants.id, id)).for("update");
      if (!before) return err(NOT_FOUND);
      const [twin] = await tx
        .select({ id: merchants.id })
        .from(merchants)
        .where(
          and(
            eq(merchants.mchid, input.mchid),
            sql`${merchants.subMchid} is not distinct from ${input.subMchid}`,
            ne(merchants.id, id),
          ),
        );
      if (twin) return err(EXISTS);
      const [after] = await tx.update(merchants).set(input).where(eq(merchants.id, id)).returning();
      const changes = changedFields(pick(before), pick(after!));
      if (changes) await appendAudit(tx, actor, "merchant.updated", { type: "merchant", id, merchantId: id }, changes);
      return ok(after!);
    }),
  );
}

export async function getMerchant(db: Db, id: string): Promise<Merchant | undefined> {
  const [row] = await db.select().from(merchants).where(eq(merchants.id, id));
  return row;
}

/** Every merchant with the version number of its active uploaded credentials (null: none, or env-configured). */
export async function listMerchantsForAdmin(db: Db) {
  return db
    .select({
      merchant: merchants,
      activeVersion: sql<
        number | null
      >`(select ${merchantCredentials.version} from ${merchantCredentials} where ${merchantCredentials.merchantId} = ${merchants.id} and ${merchantCredentials.status} = 'active')`,
    })
    .from(merchants)
    .orderBy(asc(merchants.displayName), asc(merchants.mchid));
}

export type AdminMerchantRow = Awaited<ReturnType<typeof listMerchantsForAdmin>>[number];
