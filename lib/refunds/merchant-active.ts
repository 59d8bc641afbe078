import type { BilingualText } from "../i18n-text";
import { err, ok, type Result } from "../result";

export interface MerchantInactive {
  code: "MERCHANT_INACTIVE";
  message: BilingualText;
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
    message: { zh: "该商户已停用，不能发起新的退款。", en: "This merchant is disabled and takes no new refunds." },
  });
}
