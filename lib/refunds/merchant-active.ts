import { eq, sql } from "drizzle-orm";
import type { Transaction } from "../db/client";
import { statement } from "../db/statement";
import { merchants } from "../db/schema";
import { msg, type Message } from "../message";
import { err, ok, type Result } from "../result";

export interface MerchantInactive {
  code: "MERCHANT_INACTIVE";
  message: Message;
}

/**
 * An admin can disable a merchant (`merchants.active`): it keeps its history but takes no new refunds, whether asked
 * in the console, through the merchant API or by a bulk line. Refunds already recorded go on (see `submitRefund`).
 * One code for every path, the one the bulk preview has always used, so a line refused at the preview and one refused
 * while its batch runs read the same in the results file.
 */
export function checkMerchantActive(active: boolean): Result<void, MerchantInactive> {
  if (active) return ok(undefined);
  return err({
    code: "MERCHANT_INACTIVE",
    message: msg("outcomes.refunds.merchantActive.MERCHANT_INACTIVE"),
  });
}

/**
 * The merchant a refund is being recorded for (a new one or a retry), read in share mode: an admin disabling it (an
 * update of the row) either waits for this transaction to commit, or this read waits for the change and sees it. No
 * refund is recorded after the disabling commits. Its approval threshold comes with it.
 */
export async function lockActiveMerchant(
  tx: Transaction,
  merchantId: string,
): Promise<Result<{ thresholdFen: number }, MerchantInactive>> {
  const [merchant] = await merchantForRefunds(tx, { merchantId });
  const open = checkMerchantActive(merchant?.active ?? false);
  return open.ok ? ok({ thresholdFen: merchant!.thresholdFen }) : open;
}

// Built once per process (lib/db/statement.ts): every refund request runs it.
const merchantForRefunds = statement((db) =>
  db
    .select({ active: merchants.active, thresholdFen: merchants.approvalThresholdFen })
    .from(merchants)
    .where(eq(merchants.id, sql.placeholder("merchantId")))
    .for("share"),
);
