import { NextIntlClientProvider } from "next-intl";
import { getMessages } from "next-intl/server";
import type { ReactNode } from "react";
import { clientMessages, type ClientArea } from "@/i18n/client-messages";
import type { Messages } from "@/i18n/messages";

/**
 * Gives the client components below the messages of their part of the console (i18n/client-messages.ts), and no
 * more: a provider's messages replace its parent's, so each part's list includes the frame's.
 */
export async function ClientMessages({ area, children }: { area: ClientArea | null; children: ReactNode }) {
  const messages = (await getMessages()) as Messages;
  return <NextIntlClientProvider messages={clientMessages(messages, area)}>{children}</NextIntlClientProvider>;
}
