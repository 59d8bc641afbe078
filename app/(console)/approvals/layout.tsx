import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The approvals pages' client components get their messages (i18n/client-messages.ts). */
export default function ApprovalsLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="approvals">{children}</ClientMessages>;
}
