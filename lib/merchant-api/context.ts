import type { ApiPrincipal } from "../api-keys/keys";
import type { AuditActor } from "../audit/append";

/** Who is calling: the authenticated key, and the address the request came from (for the audit log). */
export interface ApiContext {
  principal: ApiPrincipal;
  ip: string | null;
}

/** API calls are audited as `api-key:<prefix>`: the prefix names the key without revealing it. */
export function apiActor(context: ApiContext): AuditActor {
  return { id: null, label: `api-key:${context.principal.prefix}`, ip: context.ip };
}
