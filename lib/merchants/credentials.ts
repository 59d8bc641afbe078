import { and, desc, eq, inArray, max } from "drizzle-orm";
import { appendAudit, type AuditAction, type AuditActor, type AuditTarget } from "../audit/append";
import type { Database, Db, Transaction } from "../db/client";
import { merchantCredentials, merchants, type MerchantCredentialRow } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";
import { fingerprintsOf, sealSecrets } from "./credential-secrets";
import { validateCredentialUpload, type CredentialFieldErrors, type CredentialUpload } from "./validate-credentials";
import { changingMerchants } from "./changes";

/** A credential version as the console shows it: public parts and fingerprints, never the sealed secrets. */
export type CredentialSummary = Omit<MerchantCredentialRow, "secretsSealed" | "publicKeyPem"> & {
  hasPublicKey: boolean;
};

export interface CredentialError {
  code: "MERCHANT_NOT_FOUND" | "CREDENTIALS_NOT_FOUND" | "INVALID_UPLOAD" | "NOT_STANDBY";
  message: Message;
  fieldErrors?: CredentialFieldErrors;
}

const failure = (code: CredentialError["code"], message: Message, fieldErrors?: CredentialFieldErrors) =>
  err<CredentialError>({ code, message, ...(fieldErrors ? { fieldErrors } : {}) });

function summary({ secretsSealed: _sealed, publicKeyPem, ...rest }: MerchantCredentialRow): CredentialSummary {
  return { ...rest, hasPublicKey: publicKeyPem !== null };
}

/** What the audit log keeps of a version: its public parts and fingerprints. */
const audited = (row: MerchantCredentialRow) => ({
  version: row.version,
  status: row.status,
  merchantSerialNo: row.merchantSerialNo,
  publicKeyId: row.publicKeyId,
  fingerprints: row.fingerprints,
});

/**
 * A new credential version, checked and sealed under the master key, stored as `standby`: nothing uses it for calls
 * until an admin activates it. Version numbers count up per merchant under the merchant's row lock.
 */
export async function addCredentials(
  db: Database,
  input: {
    merchantId: string;
    upload: CredentialUpload;
    masterKey: Buffer;
    createdBy: string | null;
    actor: AuditActor;
  },
): Promise<Result<CredentialSummary, CredentialError>> {
  return changingMerchants(
    db.transaction(async (tx) => {
      const [merchant] = await tx.select().from(merchants).where(eq(merchants.id, input.merchantId)).for("update");
      if (!merchant) return failure("MERCHANT_NOT_FOUND", msg("outcomes.merchants.credentials.MERCHANT_NOT_FOUND"));
      const valid = validateCredentialUpload(input.upload, merchant.apiVersion, merchant.mchid);
      if (!valid.ok)
        return failure("INVALID_UPLOAD", msg("outcomes.merchants.credentials.INVALID_UPLOAD"), valid.error);

      const [{ latest } = { latest: 0 }] = await tx
        .select({ latest: max(merchantCredentials.version) })
        .from(merchantCredentials)
        .where(eq(merchantCredentials.merchantId, merchant.id));
      const version = (latest ?? 0) + 1;
      const { secrets, ...publicParts } = valid.value;
      const [row] = await tx
        .insert(merchantCredentials)
        .values({
          merchantId: merchant.id,
          version,
          status: "standby",
          ...publicParts,
          secretsSealed: sealSecrets(input.masterKey, merchant.id, version, secrets),
          fingerprints: fingerprintsOf(secrets, publicParts.publicKeyPem),
          createdBy: input.createdBy,
        })
        .returning();
      await appendAudit(
        tx,
        input.actor,
        "merchant.credentials_added",
        { type: "merchant", id: merchant.id, merchantId: merchant.id },
        { after: audited(row!) },
      );
      return ok(summary(row!));
    }),
  );
}

async function lockedVersion(tx: Db, merchantId: string, version: number) {
  const [merchant] = await tx
    .select({ id: merchants.id })
    .from(merchants)
    .where(eq(merchants.id, merchantId))
    .for("update");
  if (!merchant) return undefined;
  const [row] = await tx
    .select()
    .from(merchantCredentials)
    .where(and(eq(merchantCredentials.merchantId, merchantId), eq(merchantCredentials.version, version)));
  return row;
}

interface VersionChange {
  merchantId: string;
  version: number;
  actor: AuditActor;
}

/**
 * The last step of both activating and retiring a standby version: its new status and time, and one audit entry
 * with the before and after the caller names. Runs under the merchant's row lock `lockedVersion` took.
 */
async function saveVersionStatus(
  tx: Db,
  input: VersionChange,
  id: string,
  set: { status: "active"; activatedAt: Date } | { status: "retired"; retiredAt: Date },
  action: AuditAction,
  change: (row: MerchantCredentialRow) => { before: unknown; after: unknown },
): Promise<Result<CredentialSummary, CredentialError>> {
  const [row] = await tx.update(merchantCredentials).set(set).where(eq(merchantCredentials.id, id)).returning();
  const target = { type: "merchant", id: input.merchantId, merchantId: input.merchantId } satisfies AuditTarget;
  await appendAudit(tx, input.actor, action, target, { version: row!.version, ...change(row!) });
  return ok(summary(row!));
}

const NOT_FOUND = () => failure("CREDENTIALS_NOT_FOUND", msg("outcomes.merchants.credentials.CREDENTIALS_NOT_FOUND"));

type CredentialResult = Result<CredentialSummary, CredentialError>;

/**
 * Activating and retiring both change one standby version, under the merchant's row lock so two admins cannot
 * switch versions at once, and both refuse a version that is not standby (each saying why in its own words).
 */
async function changeStandbyVersion(
  db: Database,
  input: VersionChange,
  notStandby: () => CredentialResult,
  change: (tx: Transaction, target: MerchantCredentialRow) => Promise<CredentialResult>,
): Promise<CredentialResult> {
  return changingMerchants(
    db.transaction(async (tx) => {
      const target = await lockedVersion(tx, input.merchantId, input.version);
      if (!target) return NOT_FOUND();
      if (target.status !== "standby") return notStandby();
      return change(tx, target);
    }),
  );
}

/**
 * Puts a standby version to use. The version active until now becomes standby: callbacks WeChat signed or encrypted
 * with it are still accepted until an admin retires it, so the switch needs no downtime.
 */
export async function activateCredentials(
  db: Database,
  input: VersionChange,
): Promise<Result<CredentialSummary, CredentialError>> {
  const notStandby = () => failure("NOT_STANDBY", msg("outcomes.merchants.credentials.NOT_STANDBY_ACTIVATE"));
  return changeStandbyVersion(db, input, notStandby, async (tx, target) => {
    // Demoted first: at most one active version per merchant, enforced by a unique index.
    const demoted = await tx
      .update(merchantCredentials)
      .set({ status: "standby" })
      .where(and(eq(merchantCredentials.merchantId, input.merchantId), eq(merchantCredentials.status, "active")))
      .returning({ version: merchantCredentials.version });
    return saveVersionStatus(
      tx,
      input,
      target.id,
      { status: "active", activatedAt: new Date() },
      "merchant.credentials_activated",
      (row) => ({ before: { activeVersion: demoted[0]?.version ?? null }, after: { activeVersion: row.version } }),
    );
  });
}

/** Ends a standby version for good: callbacks signed or encrypted with only its keys are refused from now on. */
export async function retireCredentials(
  db: Database,
  input: VersionChange,
): Promise<Result<CredentialSummary, CredentialError>> {
  const notStandby = () => failure("NOT_STANDBY", msg("outcomes.merchants.credentials.NOT_STANDBY_RETIRE"));
  return changeStandbyVersion(db, input, notStandby, (tx, target) =>
    saveVersionStatus(
      tx,
      input,
      target.id,
      { status: "retired", retiredAt: new Date() },
      "merchant.credentials_retired",
      (row) => ({ before: { status: target.status }, after: { status: row.status } }),
    ),
  );
}

/** A merchant's versions, newest first, for the console. */
export async function listCredentials(db: Db, merchantId: string): Promise<CredentialSummary[]> {
  const rows = await db
    .select()
    .from(merchantCredentials)
    .where(eq(merchantCredentials.merchantId, merchantId))
    .orderBy(desc(merchantCredentials.version));
  return rows.map(summary);
}

/** The versions WeChat may use with us: the active one first, then standby ones, newest first. */
export async function usableCredentialRows(db: Db, merchantIds: string[]): Promise<MerchantCredentialRow[]> {
  if (merchantIds.length === 0) return [];
  const rows = await db
    .select()
    .from(merchantCredentials)
    .where(
      and(
        inArray(merchantCredentials.merchantId, merchantIds),
        inArray(merchantCredentials.status, ["active", "standby"]),
      ),
    )
    .orderBy(desc(merchantCredentials.version));
  return rows.sort((a, b) => Number(b.status === "active") - Number(a.status === "active"));
}
