import PgBoss from "pg-boss";
import { log } from "../log";

// One queue client per process, shared by producers (actions, API) and workers.
const globalForBoss = globalThis as unknown as { boss?: Promise<PgBoss> };

/** The PostgreSQL job queue (pg-boss) on the app's own database: any number of instances, each job taken once. */
export function getBoss(databaseUrl = process.env.DATABASE_URL): Promise<PgBoss> {
  if (!globalForBoss.boss) {
    if (!databaseUrl) throw new Error("DATABASE_URL is not set");
    globalForBoss.boss = (async () => {
      const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss", max: 4, application_name: "refund-console-jobs" });
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
