import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The bulk refund pages' client components get their messages (i18n/client-messages.ts). */
export default function BulkRefundsLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="refunds/bulk">{children}</ClientMessages>;
}
