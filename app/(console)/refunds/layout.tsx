import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The refunds pages' client components get their messages (i18n/client-messages.ts). */
export default function RefundsLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="refunds">{children}</ClientMessages>;
}
