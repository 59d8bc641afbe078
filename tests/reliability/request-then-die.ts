/**
 * A console process that records a refund and dies before it can queue the submission: the refund's transaction has
 * committed, its job was never sent. `commit-then-crash.test.ts` runs it as a child process.
 */
import { SYSTEM_ACTOR } from "../../lib/audit/append";
import { createDatabase } from "../../lib/db/client";
import { requestRefund } from "../../lib/refunds/request";

const [databaseUrl, orderId, merchantId] = process.argv.slice(2);
const { db } = createDatabase(databaseUrl!, { max: 1 });
const requested = await requestRefund(
  db,
  { merchantId: merchantId!, orderId: Number(orderId), amountFen: 700, reason: "dies after commit" },
  { actor: SYSTEM_ACTOR, userId: null, orderIntervalMs: 0 },
);
process.stdout.write(
  JSON.stringify(requested.ok ? { id: requested.value.id } : { error: requested.error.code }) + "\n",
);
process.kill(process.pid, "SIGKILL");
