import { getTranslations } from "next-intl/server";
import { messageValues, type Message } from "@/lib/message";

/** Server components' way to put lib/'s messages in the reader's language (client ones: useMessageText). */
export async function getMessageText(): Promise<(message: Message) => string> {
  const t = await getTranslations();
  return (message) => t(message.key, messageValues(message));
}
