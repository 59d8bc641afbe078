"use client";

import { useTranslations } from "next-intl";
import { messageValues, type Message } from "@/lib/message";

/** Puts lib/'s messages in the reader's language, for a component that needs the text as a string. */
export function useMessageText(): (message: Message) => string {
  const t = useTranslations();
  return (message) => t(message.key, messageValues(message));
}

/** A message from the server (an error or a notice) in the operator's language. */
export function MessageText({ message }: { message: Message }) {
  return <>{useMessageText()(message)}</>;
}
