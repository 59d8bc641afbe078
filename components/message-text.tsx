import { useTranslations } from "next-intl";
import { messageValues, type Message } from "@/lib/message";

/**
 * A message of lib/ in the reader's language, rendered on the server: the catalogue stays there. Forms get theirs
 * already worded by their action (`FormResult`, app/_server/action.ts).
 */
export function MessageText({ message }: { message: Message }) {
  const t = useTranslations();
  return <>{t(message.key, messageValues(message))}</>;
}
