import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";

/** A GET form: the filters live in the URL, so any view can be bookmarked or shared. */
export function FilterBar({ action, children }: { action: string; children: ReactNode }) {
  const t = useTranslations("components.filterBar");
  return (
    <form
      action={action}
      method="get"
      className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3"
    >
      {children}
      <div className="flex gap-2">
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700"
        >
          {t("apply")}
        </button>
        <Link href={action} className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
          {t("reset")}
        </Link>
      </div>
    </form>
  );
}

const INPUT =
  "mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:border-brand-500 focus:outline-none";

export function FilterField({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="block text-xs font-medium text-slate-600">
      {label}
      {children}
    </label>
  );
}

export function FilterInput(props: {
  name: string;
  defaultValue?: string;
  placeholder?: string;
  type?: string;
  className?: string;
}) {
  return <input {...props} className={`${INPUT} ${props.className ?? ""}`} />;
}

export function FilterSelect({
  name,
  defaultValue,
  options,
}: {
  name: string;
  defaultValue?: string;
  options: { value: string; label: string }[];
}) {
  return (
    <select name={name} defaultValue={defaultValue ?? ""} className={INPUT}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** Beijing-day range (`from`, `to`) as every list filters it; `label` names the date, e.g. "Paid" / "支付日期". */
export function DateRangeFields({ label, params }: { label: string; params: { from?: string; to?: string } }) {
  const t = useTranslations("components.filterBar");
  return (
    <>
      <FilterField label={t("from", { label })}>
        <FilterInput name="from" type="date" defaultValue={params.from} />
      </FilterField>
      <FilterField label={t("to", { label })}>
        <FilterInput name="to" type="date" defaultValue={params.to} />
      </FilterField>
    </>
  );
}

/** Amount range in yuan (`min`, `max`); the pages turn it into fen with `parseYuan`. */
export function AmountRangeFields({ params }: { params: { min?: string; max?: string } }) {
  const t = useTranslations("components.filterBar");
  return (
    <>
      <FilterField label={t("minYuan")}>
        <FilterInput name="min" defaultValue={params.min} placeholder="0.00" className="w-24" />
      </FilterField>
      <FilterField label={t("maxYuan")}>
        <FilterInput name="max" defaultValue={params.max} placeholder="0.00" className="w-24" />
      </FilterField>
    </>
  );
}
