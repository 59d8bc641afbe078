import type { ReactNode } from "react";
import { ClientMessages } from "@/components/client-messages";

/** The notifications pages' client components get their messages (i18n/client-messages.ts). */
export default function NotificationsLayout({ children }: { children: ReactNode }) {
  return <ClientMessages area="notifications">{children}</ClientMessages>;
}
