import { useLocale, useTranslations } from "next-intl";
import { formatBeijing } from "@/lib/beijing-time";

/** Beijing time, as WeChat Pay and the merchant platform show it, in the reader's locale. */
export function DateTime({ value }: { value: Date | null }) {
  const locale = useLocale();
  const t = useTranslations("components.dateTime");
  if (!value) return <span className="text-slate-400">—</span>;
  return (
    <time dateTime={value.toISOString()} title={t("beijing")} className="tabular-nums whitespace-nowrap">
      {formatBeijing(value, locale)}
    </time>
  );
}
