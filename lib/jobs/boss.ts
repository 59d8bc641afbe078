import PgBoss from "pg-boss";
import { log } from "../log";
import { processEnv } from "../env";

// One queue client per process, shared by producers (actions, API) and workers.
const globalForBoss = globalThis as unknown as { boss?: Promise<PgBoss> };

/** The PostgreSQL job queue (pg-boss) on the app's own database: any number of instances, each job taken once. */
export function getBoss(databaseUrl = processEnv.DATABASE_URL): Promise<PgBoss> {
  if (!globalForBoss.boss) {
    if (!databaseUrl) throw new Error("DATABASE_URL is not set");
    globalForBoss.boss = (async () => {
      const boss = new PgBoss({
        connectionString: databaseUrl,
        schema: "pgboss",
        max: 4,
        application_name: "refund-console-jobs",
      });
      boss.on("error", (error) => log.error({ err: error }, "job queue error"));
      await boss.start();
      return boss;
    })();
  }
  return globalForBoss.boss;
}

export async function stopBoss(): Promise<void> {
  const boss = await globalForBoss.boss;
  globalForBoss.boss = undefined;
  await boss?.stop({ graceful: true, wait: true });
}

/** PostgreSQL's deadlock_detected and unique_violation: what two instances creating one queue at once can meet. */
const CONCURRENT_CREATE_CODES = new Set(["40P01", "23505"]);

/**
 * Create a queue, or bring an existing one to these options (pg-boss's createQueue leaves an existing queue as it
 * was). Instances starting together can deadlock inside pg-boss's create_queue; the loser waits a moment and tries
 * again, by which time the queue exists.
 */
export async function ensureQueue(boss: PgBoss, options: PgBoss.Queue & { name: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(options.name, options);
      await boss.updateQueue(options.name, options);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !CONCURRENT_CREATE_CODES.has(code) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
    }
  }
}
