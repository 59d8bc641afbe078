import { TriangleAlert } from "lucide-react";
import { useTranslations } from "next-intl";

/** ABNORMAL is the one status an operator must act on outside the console, so it is spelled out wherever it shows. */
export function AbnormalRefundNote({ className = "" }: { className?: string }) {
  const t = useTranslations("components.abnormalRefundNote");
  return (
    <p
      className={`flex items-start gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset ${className}`}
    >
      <TriangleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
      <span>{t("text")}</span>
    </p>
  );
}
