import Link from "next/link";
import { TriangleAlert } from "lucide-react";
import { getTranslations } from "next-intl/server";
import { MessageText } from "@/components/message-text";
import { configurationProblems } from "@/lib/ops/configuration-status";

/** What the last check of a merchant's WeChat Pay configuration found wrong, until a check passes. */
export async function ConfigurationBanner() {
  const problems = configurationProblems();
  if (problems.length === 0) return null;
  const t = await getTranslations("dashboard.configuration");
  return (
    <section
      role="alert"
      aria-labelledby="configuration-title"
      className="mb-4 rounded-lg border border-red-200 bg-red-50 p-4"
      data-testid="configuration-banner"
    >
      <h2 id="configuration-title" className="flex items-center gap-2 text-sm font-semibold text-red-800">
        <TriangleAlert className="h-4 w-4" aria-hidden />
        {t("title")}
      </h2>
      {problems.map(({ merchant, problems: found }) => (
        <div key={merchant.id} className="mt-2 text-sm text-red-800">
          <p className="font-medium">
            {merchant.displayName} ({merchant.mchid}) ·{" "}
            <Link href={`/admin/merchants/${merchant.id}`} className="underline hover:text-red-900">
              {t("open")}
            </Link>
          </p>
          <ul className="mt-1 list-disc pl-5">
            {found.map((problem) => (
              <li key={problem.code}>
                <MessageText message={problem.message} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
