import { eq, isNull, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * Whose rows a log shows (callbacks, audit): one merchant's, and for a platform admin also those tied to no merchant
 * (forged or unreadable callbacks, sign-ins, user and platform changes), which are the platform's alone.
 */
export interface LogScope {
  merchantId: string;
  withUnattributed: boolean;
}

/** `scope` as the first condition of a log query: the tenant is in the WHERE clause, never filtered afterwards. */
export function logScopeCondition(merchantColumn: AnyPgColumn, scope: LogScope): SQL {
  const ofMerchant = eq(merchantColumn, scope.merchantId);
  return scope.withUnattributed ? or(ofMerchant, isNull(merchantColumn))! : ofMerchant;
}
