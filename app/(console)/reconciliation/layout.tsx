import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The reconciliation pages' client components get their messages (i18n/client-messages.ts). */
export default function ReconciliationLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="reconciliation">{children}</ClientMessages>;
}
