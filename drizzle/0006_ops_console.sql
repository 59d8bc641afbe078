CREATE TYPE "public"."credential_status" AS ENUM('active', 'standby', 'retired');--> statement-breakpoint
CREATE TYPE "public"."bulk_batch_status" AS ENUM('VALIDATED', 'AWAITING_APPROVAL', 'RUNNING', 'PAUSED', 'CANCELLED', 'COMPLETED', 'REJECTED');--> statement-breakpoint
CREATE TYPE "public"."bulk_row_status" AS ENUM('INVALID', 'READY', 'REQUESTED', 'FAILED', 'SKIPPED');--> statement-breakpoint
CREATE TYPE "public"."bill_day_status" AS ENUM('PENDING', 'MISSING', 'MATCHED', 'MISMATCHED', 'ERROR');--> statement-breakpoint
CREATE TYPE "public"."mismatch_kind" AS ENUM('MISSING_FROM_BILL', 'NOT_SUCCESS_IN_CONSOLE', 'UNKNOWN_TO_CONSOLE', 'AMOUNT_DIFFERS');--> statement-breakpoint
CREATE TYPE "public"."mismatch_status" AS ENUM('OPEN', 'RESOLVED');--> statement-breakpoint
CREATE TABLE "refund_reasons" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "refund_reasons_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"label" text NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merchant_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" "credential_status" DEFAULT 'standby' NOT NULL,
	"merchant_serial_no" text,
	"public_key_id" text,
	"public_key_pem" text,
	"secrets_sealed" text NOT NULL,
	"fingerprints" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	CONSTRAINT "merchant_credentials_version_key" UNIQUE("merchant_id","version")
);
--> statement-breakpoint
CREATE TABLE "bulk_batches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bulk_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"status" "bulk_batch_status" DEFAULT 'VALIDATED' NOT NULL,
	"total_rows" integer NOT NULL,
	"valid_rows" integer NOT NULL,
	"valid_amount_fen" bigint NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "bulk_rows" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bulk_rows_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"batch_id" bigint NOT NULL,
	"line_no" integer NOT NULL,
	"out_trade_no" text NOT NULL,
	"amount_text" text NOT NULL,
	"full" boolean DEFAULT false NOT NULL,
	"amount_fen" bigint,
	"reason" text DEFAULT '' NOT NULL,
	"order_id" bigint,
	"payer_openid" text,
	"out_refund_no" text,
	"status" "bulk_row_status" NOT NULL,
	"error_code" text,
	"error_message" jsonb,
	"refund_id" bigint,
	"processed_at" timestamp with time zone,
	CONSTRAINT "bulk_rows_batch_line_key" UNIQUE("batch_id","line_no"),
	CONSTRAINT "bulk_rows_amount_positive" CHECK ("bulk_rows"."amount_fen" is null or "bulk_rows"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "bill_days" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bill_days_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"bill_date" date NOT NULL,
	"status" "bill_day_status" DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"fetched_at" timestamp with time zone,
	"hash_type" text,
	"hash_value" text,
	"line_count" integer,
	"bill_totals" jsonb,
	"console_totals" jsonb,
	"last_error_code" text,
	"last_error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bill_days_merchant_date_key" UNIQUE("merchant_id","bill_date")
);
--> statement-breakpoint
CREATE TABLE "bill_lines" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bill_lines_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"bill_day_id" bigint NOT NULL,
	"line_no" integer NOT NULL,
	"out_trade_no" text,
	"transaction_id" text,
	"out_refund_no" text NOT NULL,
	"wechat_refund_id" text,
	"refund_fen" bigint NOT NULL,
	"coupon_refund_fen" bigint DEFAULT 0 NOT NULL,
	"settlement_refund_fen" bigint,
	"refund_status" text,
	"raw" jsonb NOT NULL,
	CONSTRAINT "bill_lines_day_line_key" UNIQUE("bill_day_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "gateway_exchanges" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "gateway_exchanges_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" uuid,
	"refund_id" bigint,
	"out_refund_no" text,
	"operation" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request" jsonb,
	"response_status" integer,
	"response" jsonb,
	"error_code" text,
	"duration_ms" integer NOT NULL,
	"actor_id" uuid
);
--> statement-breakpoint
CREATE TABLE "reconciliation_mismatches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reconciliation_mismatches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"bill_day_id" bigint NOT NULL,
	"merchant_id" uuid NOT NULL,
	"kind" "mismatch_kind" NOT NULL,
	"out_refund_no" text NOT NULL,
	"refund_id" bigint,
	"console_value" jsonb,
	"bill_value" jsonb,
	"status" "mismatch_status" DEFAULT 'OPEN' NOT NULL,
	"resolution" text,
	"note" text,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reconciliation_mismatches_key" UNIQUE("bill_day_id","out_refund_no","kind")
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "merchant_credentials" ADD CONSTRAINT "merchant_credentials_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_credentials" ADD CONSTRAINT "merchant_credentials_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_batches" ADD CONSTRAINT "bulk_batches_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_batches" ADD CONSTRAINT "bulk_batches_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_batches" ADD CONSTRAINT "bulk_batches_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_rows" ADD CONSTRAINT "bulk_rows_batch_id_bulk_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."bulk_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_rows" ADD CONSTRAINT "bulk_rows_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_rows" ADD CONSTRAINT "bulk_rows_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bill_days" ADD CONSTRAINT "bill_days_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bill_lines" ADD CONSTRAINT "bill_lines_bill_day_id_bill_days_id_fk" FOREIGN KEY ("bill_day_id") REFERENCES "public"."bill_days"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_exchanges" ADD CONSTRAINT "gateway_exchanges_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_exchanges" ADD CONSTRAINT "gateway_exchanges_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_exchanges" ADD CONSTRAINT "gateway_exchanges_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_mismatches" ADD CONSTRAINT "reconciliation_mismatches_bill_day_id_bill_days_id_fk" FOREIGN KEY ("bill_day_id") REFERENCES "public"."bill_days"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_mismatches" ADD CONSTRAINT "reconciliation_mismatches_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_mismatches" ADD CONSTRAINT "reconciliation_mismatches_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_mismatches" ADD CONSTRAINT "reconciliation_mismatches_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "refund_reasons_label_key" ON "refund_reasons" USING btree (lower("label"));--> statement-breakpoint
CREATE UNIQUE INDEX "merchant_credentials_one_active" ON "merchant_credentials" USING btree ("merchant_id") WHERE "merchant_credentials"."status" = 'active';--> statement-breakpoint
CREATE INDEX "merchant_credentials_merchant_idx" ON "merchant_credentials" USING btree ("merchant_id","status");--> statement-breakpoint
CREATE INDEX "bulk_batches_created_at_idx" ON "bulk_batches" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "bulk_rows_batch_status_idx" ON "bulk_rows" USING btree ("batch_id","status","line_no");--> statement-breakpoint
CREATE INDEX "bill_days_date_idx" ON "bill_days" USING btree ("bill_date");--> statement-breakpoint
CREATE INDEX "bill_lines_out_refund_no_idx" ON "bill_lines" USING btree ("out_refund_no");--> statement-breakpoint
CREATE INDEX "gateway_exchanges_refund_idx" ON "gateway_exchanges" USING btree ("refund_id","at");--> statement-breakpoint
CREATE INDEX "gateway_exchanges_out_refund_no_idx" ON "gateway_exchanges" USING btree ("out_refund_no");--> statement-breakpoint
CREATE INDEX "gateway_exchanges_at_idx" ON "gateway_exchanges" USING btree ("at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reconciliation_mismatches_status_idx" ON "reconciliation_mismatches" USING btree ("status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reconciliation_mismatches_refund_idx" ON "reconciliation_mismatches" USING btree ("refund_id");--> statement-breakpoint
CREATE INDEX "refunds_requested_by_created_at_idx" ON "refunds" USING btree ("requested_by","created_at");--> statement-breakpoint
-- The evidence trail is append-only, like the audit log and the refund timeline.
CREATE TRIGGER gateway_exchanges_append_only BEFORE UPDATE OR DELETE ON gateway_exchanges
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
-- The reasons the refund form offered before admins could edit them.
INSERT INTO "refund_reasons" ("label", "sort_order") VALUES
  ('Customer request 顾客申请退款', 1),
  ('Out of stock 商品缺货', 2),
  ('Damaged goods 商品破损', 3),
  ('Order cancelled 订单取消', 4),
  ('Duplicate payment 重复支付', 5),
  ('Price adjustment 价格调整', 6),
  ('Event cancelled 活动取消', 7);
