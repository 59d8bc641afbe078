import type { UserRole } from "../lib/db/schema";

/** Storage state saved by auth.setup.ts for a role. */
export const signedInAs = (role: UserRole) => ({ storageState: `e2e/.auth/${role}.json` });
