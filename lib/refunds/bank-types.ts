/**
 * The bank codes (`bank_type`, string(16)) that WeChat Pay's apply-abnormal-refund documents for a payer's debit card:
 * the large state, joint-stock and postal banks, and Bank of Ningbo. Hua Xia Bank is not among them.
 */
export const ABNORMAL_BANK_TYPES = [
  "ICBC_DEBIT",
  "CCB_DEBIT",
  "ABC_DEBIT",
  "BOC_DEBIT",
  "COMM_DEBIT",
  "PSBC_DEBIT",
  "CMB_DEBIT",
  "SPDB_DEBIT",
  "CIB_DEBIT",
  "CITIC_DEBIT",
  "CEB_DEBIT",
  "CMBC_DEBIT",
  "PAB_DEBIT",
  "GDB_DEBIT",
  "NBCB_DEBIT",
] as const;

export type AbnormalBankType = (typeof ABNORMAL_BANK_TYPES)[number];
