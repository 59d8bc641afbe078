DROP INDEX "audit_log_at_idx";--> statement-breakpoint
DROP INDEX "audit_log_action_at_idx";--> statement-breakpoint
DROP INDEX "notifications_received_at_idx";--> statement-breakpoint
DROP INDEX "notifications_outcome_idx";--> statement-breakpoint
DROP INDEX "orders_merchant_paid_at_idx";--> statement-breakpoint
DROP INDEX "orders_paid_at_idx";--> statement-breakpoint
DROP INDEX "refunds_status_created_at_idx";--> statement-breakpoint
DROP INDEX "refunds_created_at_idx";--> statement-breakpoint
DROP INDEX "refunds_merchant_created_at_idx";--> statement-breakpoint
DROP INDEX "bulk_batches_created_at_idx";--> statement-breakpoint
DROP INDEX "gateway_exchanges_at_idx";--> statement-breakpoint
DROP INDEX "reconciliation_mismatches_status_idx";--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "audit_log_action_at_idx" ON "audit_log" USING btree ("action","at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notifications_received_at_idx" ON "notifications" USING btree ("received_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notifications_outcome_idx" ON "notifications" USING btree ("outcome","received_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "orders_merchant_paid_at_idx" ON "orders" USING btree ("merchant_id","paid_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "orders_paid_at_idx" ON "orders" USING btree ("paid_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "refunds_status_created_at_idx" ON "refunds" USING btree ("status","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "refunds_created_at_idx" ON "refunds" USING btree ("created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "refunds_merchant_created_at_idx" ON "refunds" USING btree ("merchant_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "bulk_batches_created_at_idx" ON "bulk_batches" USING btree ("created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "gateway_exchanges_at_idx" ON "gateway_exchanges" USING btree ("at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "reconciliation_mismatches_status_idx" ON "reconciliation_mismatches" USING btree ("status","created_at" DESC NULLS FIRST);