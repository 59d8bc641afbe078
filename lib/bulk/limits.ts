/** Limits of one upload (also checked in the browser before sending): 10,000 refunds run in about two minutes. */
export const MAX_BULK_BYTES = 2 * 1024 * 1024;
export const MAX_BULK_ROWS = 10_000;
