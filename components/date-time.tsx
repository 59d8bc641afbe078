import { useLocale, useTranslations } from "next-intl";
import { formatBeijing } from "@/lib/beijing-time";

/** Beijing time, as WeChat Pay and the merchant platform show it, in the reader's locale. */
export function DateTime({ value }: { value: Date | null }) {
  const locale = useLocale();
  const t = useTranslations("components.dateTime");
  return <BeijingTime value={value} format={{ locale, title: t("beijing") }} className="whitespace-nowrap" />;
}

/** How a page shows times: the reader's locale and the "Beijing time" hint (app/_server/time-format.ts). */
export interface TimeFormat {
  locale: string;
  title: string;
}

/**
 * `DateTime` for long lists: the page resolves the format once (`timeFormat()`) and passes it to every row. Hooks in every row make each
 * row wait for the request's i18n configuration on its own, and React then sends every row as a separate chunk.
 * Figures are tabular everywhere (app/globals.css); in a `DataTable` the cell keeps the time on one line.
 */
export function BeijingTime({
  value,
  format,
  className,
}: {
  value: Date | null;
  format: TimeFormat;
  className?: string;
}) {
  if (!value) return <span className="text-slate-400">—</span>;
  return (
    <time dateTime={value.toISOString()} title={format.title} {...(className ? { className } : {})}>
      {formatBeijing(value, format.locale)}
    </time>
  );
}
