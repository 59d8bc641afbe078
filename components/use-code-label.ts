import { useTranslations } from "next-intl";

/**
 * Labels for codes stored as text (audit actions, outcomes, event types): the message `<namespace>.<code>` when there
 * is one, else the code itself, so a value written by newer code still shows. Works in server and client components.
 */
export function useCodeLabel(namespace: string): (code: string) => string {
  const t = useTranslations(namespace);
  return (code) => (t.has(code) ? t(code) : code);
}
