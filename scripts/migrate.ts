import { runMigrations } from "../lib/db/migrate";
import { openDatabase } from "./database";

const database = await openDatabase();
try {
  await runMigrations(database.url);
  console.log("Migrations applied.");
} finally {
  await database.stop();
}
