/**
 * A counter of merchant and credential changes made by this process. Caches of wired merchants compare it with the
 * value they were loaded at, so an admin's change applies here at once; other instances see it when their caches
 * expire (lib/wechatpay/callback-candidates.ts).
 */
let generation = 0;

export function noteMerchantsChanged(): void {
  generation++;
}

export function merchantsGeneration(): number {
  return generation;
}

/** Runs a change of merchants or credentials (a transaction) and notes it once it has ended, whatever its result. */
export async function changingMerchants<T>(change: Promise<T>): Promise<T> {
  try {
    return await change;
  } finally {
    noteMerchantsChanged();
  }
}
