import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The orders pages' client components get their messages (i18n/client-messages.ts). */
export default function OrdersLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="orders">{children}</ClientMessages>;
}
