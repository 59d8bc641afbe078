import { redirect } from "next/navigation";

/** The admin area opens on its first tab. */
export default function AdminPage() {
  redirect("/admin/users");
}
