import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The refund page's client components get their messages (i18n/client-messages.ts). */
export default function RefundLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="refunds/[outRefundNo]">{children}</ClientMessages>;
}
