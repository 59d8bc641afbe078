import { z } from "zod";
import { translate } from "../translate";
import type { Database } from "../db/client";
import type { EndpointSummary, EndpointError } from "../webhooks/endpoints";
import {
  createEndpoint,
  deleteEndpoint,
  ENDPOINT_NOT_FOUND,
  endpointFieldsSchema,
  findEndpoint,
  listEndpoints,
  rotateSecret,
  updateEndpoint,
} from "../webhooks/endpoints";
import type { UrlPolicy } from "../webhooks/ssrf";
import { apiActor, type ApiContext } from "./context";
import { apiError, MERCHANT_REQUIRED, type ApiReply } from "./errors";
import { isoBeijing } from "./format";
import { merchantForNewOrder } from "./orders";

export const createEndpointSchema = endpointFieldsSchema.strict();
export const updateEndpointSchema = endpointFieldsSchema
  .partial()
  .extend({ status: z.enum(["enabled", "disabled"]).optional() })
  .strict()
  .refine((value) => Object.keys(value).length > 0, { error: "Send at least one field to change." });

export interface EndpointJson {
  id: string;
  url: string;
  events: string[];
  description: string;
  status: string;
  failing_since: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export function endpointJson(e: EndpointSummary): EndpointJson {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    status: e.status,
    failing_since: isoBeijing(e.failingSince),
    previous_secret_expires_at: isoBeijing(e.previousSecretExpiresAt),
    created_at: isoBeijing(e.createdAt),
    updated_at: isoBeijing(e.updatedAt),
  };
}

function failure(error: EndpointError): ApiReply<never> {
  if (error.code === "INVALID_URL") {
    return apiError("INVALID_REQUEST", "Check the fields listed in field_errors.", {
      field_errors: { url: [translate(error.message, "en")] },
    });
  }
  if (error.code === "TOO_MANY_ENDPOINTS") return apiError("TOO_MANY_WEBHOOK_ENDPOINTS", error.message);
  return apiError("WEBHOOK_ENDPOINT_NOT_FOUND", error.message);
}

const who = (context: ApiContext, policy: UrlPolicy) => ({ actor: apiActor(context), policy });

/** 201 with the endpoint and its signing secret, which is never shown again. */
export async function createEndpointReply(
  db: Database,
  context: ApiContext,
  input: z.output<typeof createEndpointSchema>,
  policy: UrlPolicy,
): Promise<ApiReply> {
  const merchantId = await merchantForNewOrder(db, context);
  if (!merchantId) return MERCHANT_REQUIRED();
  const created = await createEndpoint(db, merchantId, input, who(context, policy));
  if (!created.ok) return failure(created.error);
  return { status: 201, body: { ...endpointJson(created.value.endpoint), secret: created.value.secret } };
}

export async function listEndpointsReply(db: Database, context: ApiContext): Promise<ApiReply> {
  const rows = await listEndpoints(db, context.principal.merchantId);
  return { status: 200, body: { data: rows.map(endpointJson) } };
}

export async function getEndpointReply(db: Database, context: ApiContext, id: string): Promise<ApiReply> {
  const row = await findEndpoint(db, context.principal.merchantId, id);
  return row ? { status: 200, body: endpointJson(row) } : failure(ENDPOINT_NOT_FOUND);
}

export async function updateEndpointReply(
  db: Database,
  context: ApiContext,
  id: string,
  input: z.output<typeof updateEndpointSchema>,
  policy: UrlPolicy,
): Promise<ApiReply> {
  const updated = await updateEndpoint(db, context.principal.merchantId, id, input, who(context, policy));
  return updated.ok ? { status: 200, body: endpointJson(updated.value) } : failure(updated.error);
}

export async function deleteEndpointReply(
  db: Database,
  context: ApiContext,
  id: string,
  policy: UrlPolicy,
): Promise<ApiReply> {
  const deleted = await deleteEndpoint(db, context.principal.merchantId, id, who(context, policy));
  return deleted.ok ? { status: 200, body: { id, deleted: true } } : failure(deleted.error);
}

/** 200 with the new secret (shown once); the old one signs beside it until `previous_secret_expires_at`. */
export async function rotateSecretReply(
  db: Database,
  context: ApiContext,
  id: string,
  policy: UrlPolicy,
): Promise<ApiReply> {
  const rotated = await rotateSecret(db, context.principal.merchantId, id, who(context, policy));
  if (!rotated.ok) return failure(rotated.error);
  return {
    status: 200,
    body: {
      id,
      secret: rotated.value.secret,
      previous_secret_expires_at: isoBeijing(rotated.value.previousSecretExpiresAt),
    },
  };
}
