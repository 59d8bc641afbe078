import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { ClientMessages } from "@/components/client-messages";
import { LanguageSwitcher } from "@/components/language-switcher";
import { setLocaleAction } from "@/app/_server/locale-actions";
import { currentUser } from "@/app/_server/session";
import { safeRedirectPath } from "@/lib/auth/redirect";
import { LoginForm } from "./login-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("login");
  return { title: t("title") };
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await currentUser()) redirect("/orders");
  const { callbackUrl } = await searchParams;
  const t = await getTranslations();
  const next = safeRedirectPath(callbackUrl, "/orders");
  return (
    <main className="relative flex min-h-screen items-center justify-center px-4">
      <div className="absolute top-3 right-4">
        <LanguageSwitcher setLocale={setLocaleAction} tone="light" />
      </div>
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-10 w-10 items-center justify-center rounded-lg bg-brand-500 text-lg font-bold text-white">
            ¥
          </div>
          <h1 className="text-xl font-semibold">{t("common.appName")}</h1>
          <p className="text-sm text-slate-500">{t("login.subtitle")}</p>
        </div>
        <ClientMessages area="login">
          <LoginForm callbackUrl={next} />
        </ClientMessages>
      </div>
    </main>
  );
}
