import { getTranslations } from "next-intl/server";
import { messageValues, type Message } from "@/lib/message";

/** The request's translator for lib/'s messages: server components, and actions wording their results for forms. */
export async function getMessageText(): Promise<(message: Message) => string> {
  const t = await getTranslations();
  return (message) => t(message.key, messageValues(message));
}
