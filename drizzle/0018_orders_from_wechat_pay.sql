CREATE TYPE "public"."order_source" AS ENUM('shop', 'wechat_query');--> statement-breakpoint
CREATE TYPE "public"."refund_origin" AS ENUM('console', 'external');--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "payer_total_fen" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "attach" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "source" "order_source" DEFAULT 'shop' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "origin" "refund_origin" DEFAULT 'console' NOT NULL;