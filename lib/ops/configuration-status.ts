import { and, eq } from "drizzle-orm";
import { translate } from "../translate";
import type { Db } from "../db/client";
import { merchants, type Merchant } from "../db/schema";
import { log } from "../log";
import { checkMerchant, type CheckFinding, type CheckReport } from "../wechatpay/check";
import { processEnv } from "../env";

export interface ConfigurationStatus {
  merchant: Pick<Merchant, "id" | "mchid" | "displayName">;
  problems: CheckFinding[];
  checkedAt: Date;
}

/** The last check of each merchant in this process: at start, and whenever an admin presses "Test connection". */
const globalForChecks = globalThis as unknown as { configurationChecks?: Map<string, ConfigurationStatus> };
const checks = () => (globalForChecks.configurationChecks ??= new Map());

export function recordConfigurationCheck(
  merchant: ConfigurationStatus["merchant"],
  report: CheckReport,
  at = new Date(),
): void {
  checks().set(merchant.id, { merchant, problems: report.findings.filter((f) => !f.ok), checkedAt: at });
}

/** Merchants whose last check found problems, for the dashboard's banner. */
export function configurationProblems(): ConfigurationStatus[] {
  return [...checks().values()].filter((s) => s.problems.length > 0);
}

/**
 * At start, the merchant configured from WECHATPAY_* is checked once with a signed, harmless call: each problem is
 * one log line, and the dashboard shows them until a check passes. Never throws: a console whose WeChat Pay is
 * misconfigured still starts, and says so.
 */
export async function checkConfiguredMerchantAtStart(
  db: Db,
  notifyUrl: string,
  env: Readonly<Record<string, string | undefined>> = processEnv,
): Promise<void> {
  const mchid = env.WECHATPAY_MCHID?.trim();
  if (!mchid) return;
  try {
    const rows = await db
      .select()
      .from(merchants)
      .where(and(eq(merchants.mchid, mchid), eq(merchants.credentialsRef, "env")));
    for (const merchant of rows) {
      const report = await checkMerchant(db, merchant.id, notifyUrl, env);
      recordConfigurationCheck(merchant, report);
      if (report.ok) log.info({ mchid: merchant.mchid }, "WeChat Pay configuration checked: connected");
      for (const problem of report.findings.filter((f) => !f.ok)) {
        log.warn(
          { mchid: merchant.mchid, code: problem.code, detail: problem.detail },
          `WeChat Pay configuration problem: ${translate(problem.message, "en")}`,
        );
      }
    }
  } catch (error) {
    log.error({ err: error }, "WeChat Pay configuration check failed to run");
  }
}
