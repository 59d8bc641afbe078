/**
 * WeChat Pay's bank codes (`bank_type`) for the debit cards of the banks payers use most, for abnormal refunds to a
 * payer's bank card. WeChat accepts more; these cover the large state, joint-stock and postal banks.
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
  "HXB_DEBIT",
] as const;

export type AbnormalBankType = (typeof ABNORMAL_BANK_TYPES)[number];
