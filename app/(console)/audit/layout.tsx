import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The audit log's client components get their messages (i18n/client-messages.ts). */
export default function AuditLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="audit">{children}</ClientMessages>;
}
