import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The order import pages' client components get their messages (i18n/client-messages.ts). */
export default function OrdersImportLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="orders/import">{children}</ClientMessages>;
}
