CREATE TYPE "public"."order_backfill_status" AS ENUM('QUEUED', 'RUNNING', 'DONE');--> statement-breakpoint
CREATE TYPE "public"."order_import_day_status" AS ENUM('PENDING', 'IMPORTED', 'MISSING', 'ERROR');--> statement-breakpoint
CREATE TABLE "order_backfills" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "order_backfills_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"from_date" date NOT NULL,
	"to_date" date NOT NULL,
	"status" "order_backfill_status" DEFAULT 'QUEUED' NOT NULL,
	"days_total" integer NOT NULL,
	"days_done" integer DEFAULT 0 NOT NULL,
	"days_failed" integer DEFAULT 0 NOT NULL,
	"rows_imported" integer DEFAULT 0 NOT NULL,
	"requested_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "order_backfills_range" CHECK ("order_backfills"."from_date" <= "order_backfills"."to_date" and "order_backfills"."days_done" <= "order_backfills"."days_total")
);
--> statement-breakpoint
CREATE TABLE "order_file_imports" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "order_file_imports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"encoding" text NOT NULL,
	"total_rows" integer NOT NULL,
	"imported_rows" integer NOT NULL,
	"unchanged_rows" integer NOT NULL,
	"problems" jsonb NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_import_days" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "order_import_days_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"bill_date" date NOT NULL,
	"status" "order_import_day_status" DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"fetched_at" timestamp with time zone,
	"hash_type" text,
	"hash_value" text,
	"line_count" integer,
	"payment_count" integer,
	"imported_count" integer,
	"last_error_code" text,
	"last_error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_import_days_merchant_date_key" UNIQUE("merchant_id","bill_date")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "paid_at_estimated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "order_backfills" ADD CONSTRAINT "order_backfills_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_backfills" ADD CONSTRAINT "order_backfills_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_file_imports" ADD CONSTRAINT "order_file_imports_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_file_imports" ADD CONSTRAINT "order_file_imports_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_import_days" ADD CONSTRAINT "order_import_days_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_backfills_merchant_created_idx" ON "order_backfills" USING btree ("merchant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "order_file_imports_merchant_created_idx" ON "order_file_imports" USING btree ("merchant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "order_import_days_next_attempt_idx" ON "order_import_days" USING btree ("next_attempt_at");