CREATE TYPE "public"."api_version" AS ENUM('v3', 'v2');--> statement-breakpoint
CREATE TYPE "public"."event_source" AS ENUM('operator', 'gateway', 'notify', 'reconciler', 'system');--> statement-breakpoint
CREATE TYPE "public"."merchant_mode" AS ENUM('direct', 'partner');--> statement-breakpoint
CREATE TYPE "public"."notification_protocol" AS ENUM('v3', 'v2');--> statement-breakpoint
CREATE TYPE "public"."refund_status" AS ENUM('AWAITING_APPROVAL', 'PENDING', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL', 'FAILED', 'REJECTED');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('viewer', 'operator', 'approver', 'admin');--> statement-breakpoint
CREATE TYPE "public"."verification_result" AS ENUM('verified', 'rejected');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "merchants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mchid" text NOT NULL,
	"appid" text NOT NULL,
	"display_name" text NOT NULL,
	"mode" "merchant_mode" DEFAULT 'direct' NOT NULL,
	"sub_mchid" text,
	"sub_appid" text,
	"api_version" "api_version" DEFAULT 'v3' NOT NULL,
	"credentials_ref" text DEFAULT 'env' NOT NULL,
	"merchant_serial_no" text,
	"approval_threshold_fen" bigint DEFAULT 100000 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchants_mchid_sub_mchid_key" UNIQUE NULLS NOT DISTINCT("mchid","sub_mchid"),
	CONSTRAINT "merchants_partner_has_sub_mchid" CHECK ("merchants"."mode" = 'direct' or "merchants"."sub_mchid" is not null)
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"protocol" "notification_protocol" NOT NULL,
	"notification_id" text,
	"event_type" text,
	"verification" "verification_result" NOT NULL,
	"rejection_code" text,
	"rejection_reason" text,
	"headers" jsonb NOT NULL,
	"raw_body" text NOT NULL,
	"decrypted" jsonb,
	"merchant_id" uuid,
	"refund_id" bigint,
	"outcome" text NOT NULL,
	"response_status" integer,
	"response_body" text
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "orders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"out_trade_no" text NOT NULL,
	"transaction_id" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"payer_openid" text,
	"total_fen" bigint NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"in_flight_fen" bigint DEFAULT 0 NOT NULL,
	"refund_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_merchant_out_trade_no_key" UNIQUE("merchant_id","out_trade_no"),
	CONSTRAINT "orders_total_positive" CHECK ("orders"."total_fen" > 0),
	CONSTRAINT "orders_currency_cny" CHECK ("orders"."currency" = 'CNY'),
	CONSTRAINT "orders_refunds_within_total" CHECK ("orders"."refunded_fen" >= 0 and "orders"."in_flight_fen" >= 0 and "orders"."refunded_fen" + "orders"."in_flight_fen" <= "orders"."total_fen"),
	CONSTRAINT "orders_refund_count_cap" CHECK ("orders"."refund_count" between 0 and 50)
);
--> statement-breakpoint
CREATE TABLE "refund_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "refund_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"refund_id" bigint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"source" "event_source" NOT NULL,
	"actor_id" uuid,
	"status_from" "refund_status",
	"status_to" "refund_status",
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "refunds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"order_id" bigint NOT NULL,
	"merchant_id" uuid NOT NULL,
	"out_refund_no" text NOT NULL,
	"refund_id" text,
	"amount_fen" bigint NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"status" "refund_status" DEFAULT 'PENDING' NOT NULL,
	"channel" text,
	"user_received_account" text,
	"funds_account" text,
	"requested_by" uuid,
	"approved_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"last_error_code" text,
	"last_error_message" text,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "refunds_out_refund_no_unique" UNIQUE("out_refund_no"),
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount_fen" > 0),
	CONSTRAINT "refunds_out_refund_no_format" CHECK ("refunds"."out_refund_no" ~ '^[0-9A-Za-z_|*@-]{1,64}$')
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "user_role" DEFAULT 'viewer' NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"failed_login_count" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"locale" text,
	"daily_refund_limit_fen" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refund_events" ADD CONSTRAINT "refund_events_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refund_events" ADD CONSTRAINT "refund_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_action_at_idx" ON "audit_log" USING btree ("action","at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_received_at_idx" ON "notifications" USING btree ("received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_outcome_idx" ON "notifications" USING btree ("outcome","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_notification_id_idx" ON "notifications" USING btree ("notification_id");--> statement-breakpoint
CREATE INDEX "orders_merchant_paid_at_idx" ON "orders" USING btree ("merchant_id","paid_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_paid_at_idx" ON "orders" USING btree ("paid_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_out_trade_no_idx" ON "orders" USING btree ("out_trade_no");--> statement-breakpoint
CREATE INDEX "orders_transaction_id_idx" ON "orders" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "refund_events_refund_at_idx" ON "refund_events" USING btree ("refund_id","at");--> statement-breakpoint
CREATE INDEX "refunds_status_created_at_idx" ON "refunds" USING btree ("status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "refunds_created_at_idx" ON "refunds" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "refunds_order_id_idx" ON "refunds" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "refunds_merchant_created_at_idx" ON "refunds" USING btree ("merchant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));