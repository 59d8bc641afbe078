"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { failure, type ActionResult } from "@/lib/action-result";
import { sessionCookie } from "@/lib/auth/session-cookie";
import { serverEnv } from "@/lib/env";
import { defineAction } from "./action";
import { MERCHANT_COOKIE } from "./session";
import { msg } from "@/lib/message";

/**
 * The header's merchant switcher: only a merchant the user works for is accepted (the cookie is a hint the session
 * checks again on every request). Opens the new merchant's dashboard: the page in view belonged to the previous one.
 */
export const switchMerchantAction = defineAction(
  "read",
  z.object({ merchantId: z.uuid() }),
  async ({ merchantId }, { user }): Promise<ActionResult<null>> => {
    if (!user.merchants.some((m) => m.id === merchantId)) {
      return failure("MERCHANT_NOT_FOUND", msg("outcomes.console.merchants.MERCHANT_NOT_FOUND"));
    }
    const { secure } = sessionCookie(serverEnv().APP_URL);
    (await cookies()).set(MERCHANT_COOKIE, merchantId, { path: "/", sameSite: "lax", httpOnly: true, secure });
    redirect("/");
  },
);
