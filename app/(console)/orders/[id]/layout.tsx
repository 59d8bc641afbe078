import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The order page's client components get their messages (i18n/client-messages.ts). */
export default function OrderLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="orders/[id]">{children}</ClientMessages>;
}
