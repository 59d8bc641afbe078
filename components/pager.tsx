import Link from "next/link";
import { useTranslations } from "next-intl";

/** Keyset paging: "first page" and "next page" links that keep the current filters. */
export function Pager({
  path,
  params,
  nextCursor,
}: {
  path: string;
  params: Record<string, string | undefined>;
  nextCursor: string | null;
}) {
  const t = useTranslations("components.pager");
  const base = Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]) && e[0] !== "after");
  const href = (after?: string) => {
    const query = new URLSearchParams(after ? [...base, ["after", after]] : base).toString();
    return query ? `${path}?${query}` : path;
  };
  return (
    <div className="mt-3 flex items-center justify-end gap-2 text-sm">
      {params.after && (
        <Link href={href()} className="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50">
          {t("first")}
        </Link>
      )}
      {nextCursor ? (
        <Link
          href={href(nextCursor)}
          className="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50"
          rel="next"
        >
          {t("next")}
        </Link>
      ) : (
        <span className="text-slate-400">{t("end")}</span>
      )}
    </div>
  );
}
