import { asc, inArray } from "drizzle-orm";
import type { Db } from "../client";
import { merchants } from "../schema";

/**
 * The merchants a user works for (`merchantIds`, from their memberships), for display. Columns are listed one by one so that a secret column added to the table
 * later never reaches a page by accident; key material itself lives outside the database (see `credentialsRef`).
 */
export async function listMerchants(db: Db, merchantIds: readonly string[]) {
  return db
    .select({
      id: merchants.id,
      displayName: merchants.displayName,
      mchid: merchants.mchid,
      appid: merchants.appid,
      mode: merchants.mode,
      subMchid: merchants.subMchid,
      subAppid: merchants.subAppid,
      apiVersion: merchants.apiVersion,
      credentialsRef: merchants.credentialsRef,
      approvalThresholdFen: merchants.approvalThresholdFen,
    })
    .from(merchants)
    .where(inArray(merchants.id, [...merchantIds]))
    .orderBy(asc(merchants.displayName), asc(merchants.mchid));
}

export type MerchantRow = Awaited<ReturnType<typeof listMerchants>>[number];
