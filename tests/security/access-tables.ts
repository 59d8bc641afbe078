import type { Permission } from "@/lib/auth/roles";

/**
 * Who may call each server action: its minimal permission (lib/auth/roles.ts), or `public` for the few that work
 * signed out by design. A new action without an entry fails this test, so nobody forgets to decide.
 */
export const ACTIONS: Record<string, Permission | "public"> = {
  "app/_server/locale-actions.ts#setLocaleAction": "public",
  "app/_server/merchant-actions.ts#switchMerchantAction": "read",
  "app/(console)/orders/[id]/actions.ts#requestRefundAction": "requestRefund",
  "app/(console)/orders/actions.ts#lookUpPaymentAction": "importOrder",
  "app/(console)/refunds/[outRefundNo]/actions.ts#retryRefundAction": "requestRefund",
  "app/(console)/refunds/[outRefundNo]/actions.ts#applyAbnormalRefundAction": "applyAbnormalRefund",
  "app/(console)/refunds/[outRefundNo]/actions.ts#decideBankCardApplicationAction": "applyAbnormalRefund",
  "app/(console)/approvals/actions.ts#approveRefundAction": "approveRefund",
  "app/(console)/approvals/actions.ts#rejectRefundAction": "approveRefund",
  "app/(console)/notifications/actions.ts#reapplyNotificationAction": "reapplyNotification",
  "app/(console)/refunds/bulk/actions.ts#uploadBatchAction": "bulkRefund",
  "app/(console)/refunds/bulk/actions.ts#confirmBatchAction": "bulkRefund",
  "app/(console)/refunds/bulk/actions.ts#decideBatchAction": "approveRefund",
  "app/(console)/refunds/bulk/actions.ts#pauseBatchAction": "bulkRefund",
  "app/(console)/refunds/bulk/actions.ts#resumeBatchAction": "bulkRefund",
  "app/(console)/refunds/bulk/actions.ts#cancelBatchAction": "bulkRefund",
  "app/(console)/reconciliation/actions.ts#runReconciliationAction": "resolveReconciliation",
  "app/(console)/reconciliation/actions.ts#queryMismatchAction": "resolveReconciliation",
  "app/(console)/reconciliation/actions.ts#acceptMismatchAction": "resolveReconciliation",
  "app/(console)/reconciliation/actions.ts#explainMismatchAction": "resolveReconciliation",
  "app/(console)/admin/users/actions.ts#createUserAction": "manageUsers",
  "app/(console)/admin/users/actions.ts#changeRoleAction": "manageUsers",
  "app/(console)/admin/users/actions.ts#setDisabledAction": "manageUsers",
  "app/(console)/admin/users/actions.ts#setDailyLimitAction": "manageUsers",
  "app/(console)/admin/users/actions.ts#resetPasswordAction": "manageUsers",
  "app/(console)/admin/users/actions.ts#removeMemberAction": "manageUsers",
  "app/(console)/admin/api-keys/actions.ts#createApiKeyAction": "manageApiKeys",
  "app/(console)/admin/api-keys/actions.ts#revokeApiKeyAction": "manageApiKeys",
  "app/(console)/admin/merchants/actions.ts#createMerchantAction": "manageMerchants",
  "app/(console)/admin/merchants/actions.ts#updateMerchantAction": "manageMerchants",
  "app/(console)/admin/merchants/actions.ts#addCredentialsAction": "manageMerchants",
  "app/(console)/admin/merchants/actions.ts#activateCredentialsAction": "manageMerchants",
  "app/(console)/admin/merchants/actions.ts#retireCredentialsAction": "manageMerchants",
  "app/(console)/admin/merchants/actions.ts#testConnectionAction": "manageMerchants",
  "app/(console)/admin/reasons/actions.ts#addReasonAction": "manageSettings",
  "app/(console)/admin/reasons/actions.ts#renameReasonAction": "manageSettings",
  "app/(console)/admin/reasons/actions.ts#moveReasonAction": "manageSettings",
  "app/(console)/admin/reasons/actions.ts#setReasonActiveAction": "manageSettings",
};

/** How each route handler authenticates its caller. */
export type RouteAccess = "session" | "api-key" | "wechat-signature" | "public" | "nextauth" | "metrics-token";
export const ROUTES: Record<string, RouteAccess> = {
  "app/api/auth/[...nextauth]/route.ts#GET": "nextauth",
  "app/api/auth/[...nextauth]/route.ts#POST": "nextauth",
  "app/api/health/route.ts#GET": "public",
  "app/api/ready/route.ts#GET": "public",
  "app/api/metrics/route.ts#GET": "metrics-token",
  "app/api/notify/refund/route.ts#POST": "wechat-signature",
  "app/api/notify/payment/route.ts#POST": "wechat-signature",
  "app/api/orders/[id]/refund-status/route.ts#GET": "session",
  "app/api/refunds/[outRefundNo]/evidence/route.ts#GET": "session",
  "app/api/export/orders/route.ts#GET": "session",
  "app/api/export/refunds/route.ts#GET": "session",
  "app/(console)/refunds/bulk/[id]/progress/route.ts#GET": "session",
  "app/(console)/refunds/bulk/[id]/results/route.ts#GET": "session",
  "app/api/v1/orders/route.ts#POST": "api-key",
  "app/api/v1/orders/[outTradeNo]/route.ts#GET": "api-key",
  "app/api/v1/refunds/route.ts#POST": "api-key",
  "app/api/v1/refunds/[outRefundNo]/route.ts#GET": "api-key",
};
