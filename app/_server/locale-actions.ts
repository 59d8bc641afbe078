"use server";

import { eq } from "drizzle-orm";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { failure, worded, type FormResult } from "@/lib/action-result";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { LOCALE_COOKIE, LOCALES } from "@/lib/locale";
import { getMessageText } from "./message-text";
import { currentUser } from "./session";
import { msg } from "@/lib/message";

const localeSchema = z.object({ locale: z.enum(LOCALES) });

/**
 * Choose the console's language. Signed in, the choice is saved on the user (it follows them to any browser);
 * always, a cookie remembers it for this browser, the login page included.
 */
export async function setLocaleAction(_previous: FormResult | null, formData: FormData): Promise<FormResult> {
  const parsed = localeSchema.safeParse(Object.fromEntries(formData.entries()));
  if (!parsed.success)
    return worded(failure("INVALID_INPUT", msg("outcomes.console.locale.NOT_OFFERED")), await getMessageText());
  const { locale } = parsed.data;
  const user = await currentUser();
  if (user) await getDb().update(users).set({ locale, updatedAt: new Date() }).where(eq(users.id, user.id));
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", httpOnly: true, maxAge: 365 * 24 * 3600 });
  revalidatePath("/", "layout");
  return { ok: true, data: undefined };
}
