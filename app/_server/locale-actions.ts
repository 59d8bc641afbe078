"use server";

import { eq } from "drizzle-orm";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { failure, type ActionResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { LOCALE_COOKIE, LOCALES } from "@/lib/locale";
import { currentUser } from "./session";
import { msg } from "@/lib/message";

const localeSchema = z.object({ locale: z.enum(LOCALES) });

/**
 * Choose the console's language. Signed in, the choice is saved on the user (it follows them to any browser);
 * always, a cookie remembers it for this browser, the login page included.
 */
export async function setLocaleAction(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const parsed = localeSchema.safeParse(Object.fromEntries(formData.entries()));
  if (!parsed.success) return failure("INVALID_INPUT", msg("outcomes.console.locale.NOT_OFFERED"));
  const { locale } = parsed.data;
  const user = await currentUser();
  if (user) await getDb().update(users).set({ locale, updatedAt: new Date() }).where(eq(users.id, user.id));
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", httpOnly: true, maxAge: 365 * 24 * 3600 });
  revalidatePath("/", "layout");
  return { ok: true, data: undefined };
}
