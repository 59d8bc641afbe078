"use client";

import { useLocale } from "next-intl";
import { textIn, type BilingualText } from "@/lib/i18n-text";

/** A bilingual message (an error or notice from the server) in the operator's language. */
export function Bilingual({ text }: { text: BilingualText }) {
  return <>{textIn(text, useLocale())}</>;
}
