"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { definePlatformAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { encryptionKeyFrom } from "@/lib/crypto/seal";
import { getDb } from "@/lib/db/client";
import {
  activateCredentials,
  addCredentials,
  retireCredentials,
  type CredentialError,
} from "@/lib/merchants/credentials";
import { refundNotifyUrl } from "@/lib/jobs/start";
import {
  createMerchant,
  getMerchant,
  merchantInputSchema,
  updateMerchant,
  type MerchantError,
} from "@/lib/merchants/merchants";
import { recordConfigurationCheck } from "@/lib/ops/configuration-status";
import { checkMerchant, type CheckFinding, type CheckReport } from "@/lib/wechatpay/check";
import { processEnv } from "@/lib/env";
import { msg } from "@/lib/message";
import { getMessageText } from "@/app/_server/message-text";

function refused(error: MerchantError | CredentialError): ActionResult<never> {
  const fieldErrors =
    "fieldErrors" in error
      ? error.fieldErrors
      : "field" in error && error.field
        ? { [error.field]: [error.code] }
        : undefined;
  return failure(error.code, error.message, fieldErrors as Record<string, string[]> | undefined);
}

function done<T>(data: T, merchantId?: string): ActionResult<T> {
  revalidatePath("/admin/merchants");
  if (merchantId) revalidatePath(`/admin/merchants/${merchantId}`);
  return { ok: true, data };
}

export const createMerchantAction = definePlatformAction(
  "manageMerchants",
  merchantInputSchema,
  async (input, { actor }): Promise<ActionResult<{ id: string }>> => {
    const created = await createMerchant(getDb(), input, actor);
    return created.ok ? done({ id: created.value.id }) : refused(created.error);
  },
);

export const updateMerchantAction = definePlatformAction(
  "manageMerchants",
  z.object({ merchantId: z.uuid() }).and(merchantInputSchema),
  async ({ merchantId, ...input }, { actor }): Promise<ActionResult<{ id: string }>> => {
    const updated = await updateMerchant(getDb(), merchantId, input, actor);
    return updated.ok ? done({ id: merchantId }, merchantId) : refused(updated.error);
  },
);

/** An uploaded file as text or bytes; a file input left empty arrives as an empty file. */
const file = z
  .custom<Blob>((v) => v instanceof Blob)
  .optional()
  .transform((f) => (f && f.size > 0 ? f : undefined));
const text = z.string().optional();

export const addCredentialsAction = definePlatformAction(
  "manageMerchants",
  z.object({
    merchantId: z.uuid(),
    merchantSerialNo: text,
    merchantPrivateKeyPem: file,
    apiV3Key: text,
    verification: z.enum(["publicKey", "certificates"]),
    publicKeyId: text,
    publicKeyPem: file,
    apiV2Key: text,
    p12: file,
    p12Password: text,
  }),
  async (
    { merchantId, merchantPrivateKeyPem, publicKeyPem, p12, ...fields },
    { user, actor },
  ): Promise<ActionResult<{ version: number }>> => {
    const masterKey = encryptionKeyFrom(processEnv);
    if (!masterKey.ok) {
      return failure("ENCRYPTION_KEY_MISSING", msg("outcomes.console.merchants.ENCRYPTION_KEY_MISSING"));
    }
    const upload = {
      ...fields,
      merchantPrivateKeyPem: await merchantPrivateKeyPem?.text(),
      publicKeyPem: await publicKeyPem?.text(),
      p12: p12 ? Buffer.from(await p12.arrayBuffer()) : undefined,
    };
    const added = await addCredentials(getDb(), {
      merchantId,
      upload,
      masterKey: masterKey.value,
      createdBy: user.id,
      actor,
    });
    return added.ok ? done({ version: added.value.version }, merchantId) : refused(added.error);
  },
);

const versionInput = z.object({ merchantId: z.uuid(), version: z.coerce.number().int().positive() });

export const activateCredentialsAction = definePlatformAction(
  "manageMerchants",
  versionInput,
  async (input, { actor }): Promise<ActionResult<null>> => {
    const activated = await activateCredentials(getDb(), { ...input, actor });
    return activated.ok ? done(null, input.merchantId) : refused(activated.error);
  },
);

export const retireCredentialsAction = definePlatformAction(
  "manageMerchants",
  versionInput,
  async (input, { actor }): Promise<ActionResult<null>> => {
    const retired = await retireCredentials(getDb(), { ...input, actor });
    return retired.ok ? done(null, input.merchantId) : refused(retired.error);
  },
);

/** A check's findings as the browser shows them: each in the admin's words. */
export type ShownCheckReport = Omit<CheckReport, "findings"> & {
  findings: (Omit<CheckFinding, "message"> & { message: string })[];
};

/** "Test connection": one signed, harmless call to WeChat Pay with the merchant's credentials, and what it found. */
export const testConnectionAction = definePlatformAction(
  "manageMerchants",
  z.object({ merchantId: z.uuid() }),
  async ({ merchantId }): Promise<ActionResult<ShownCheckReport>> => {
    const db = getDb();
    const merchant = await getMerchant(db, merchantId);
    if (!merchant) return failure("MERCHANT_NOT_FOUND", msg("outcomes.console.merchants.MERCHANT_NOT_FOUND"));
    const report = await checkMerchant(db, merchantId, refundNotifyUrl());
    // The dashboard's banner follows the latest check: a fixed configuration clears it.
    recordConfigurationCheck(merchant, report);
    revalidatePath("/");
    const text = await getMessageText();
    return {
      ok: true,
      data: { ...report, findings: report.findings.map((f) => ({ ...f, message: text(f.message) })) },
    };
  },
);
