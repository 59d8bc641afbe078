CREATE TYPE "public"."bank_card_application_status" AS ENUM('AWAITING_APPROVAL', 'REJECTED', 'APPROVED', 'SENT', 'FAILED');--> statement-breakpoint
CREATE TABLE "bank_card_applications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bank_card_applications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"refund_id" bigint NOT NULL,
	"merchant_id" uuid NOT NULL,
	"status" "bank_card_application_status" DEFAULT 'AWAITING_APPROVAL' NOT NULL,
	"bank_type" text NOT NULL,
	"masked_account" text NOT NULL,
	"masked_name" text NOT NULL,
	"card_sealed" text,
	"entered_by" uuid NOT NULL,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"note" text,
	"result_code" text
);
--> statement-breakpoint
ALTER TABLE "bank_card_applications" ADD CONSTRAINT "bank_card_applications_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_card_applications" ADD CONSTRAINT "bank_card_applications_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_card_applications" ADD CONSTRAINT "bank_card_applications_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_card_applications" ADD CONSTRAINT "bank_card_applications_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bank_card_applications_one_open" ON "bank_card_applications" USING btree ("refund_id") WHERE "bank_card_applications"."status" in ('AWAITING_APPROVAL', 'APPROVED');--> statement-breakpoint
CREATE INDEX "bank_card_applications_merchant_status_idx" ON "bank_card_applications" USING btree ("merchant_id","status");