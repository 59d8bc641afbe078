CREATE TABLE "user_merchants" (
	"user_id" uuid NOT NULL,
	"merchant_id" uuid NOT NULL,
	"role" "user_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_merchants_user_id_merchant_id_pk" PRIMARY KEY("user_id","merchant_id")
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "merchant_id" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "platform_admin" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "user_merchants" ADD CONSTRAINT "user_merchants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_merchants" ADD CONSTRAINT "user_merchants_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_merchants_merchant_idx" ON "user_merchants" USING btree ("merchant_id");--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_merchant_at_idx" ON "audit_log" USING btree ("merchant_id","at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
-- Existing accounts keep exactly the access they had: a membership in every merchant with their former role, and
-- the former admins become platform admins (they could administer every merchant). Narrow them in the console.
INSERT INTO "user_merchants" ("user_id", "merchant_id", "role")
  SELECT u."id", m."id", u."role" FROM "users" u CROSS JOIN "merchants" m
  ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "users" SET "platform_admin" = true WHERE "role" = 'admin';--> statement-breakpoint
-- Past audit rows learn their merchant from their target, so a merchant's admins see their own history.
UPDATE "audit_log" a SET "merchant_id" = CASE a."target_type"
    WHEN 'merchant' THEN (SELECT m."id" FROM "merchants" m WHERE m."id"::text = a."target_id")
    WHEN 'refund' THEN (SELECT r."merchant_id" FROM "refunds" r WHERE r."out_refund_no" = a."target_id" LIMIT 1)
    WHEN 'order' THEN (SELECT o."merchant_id" FROM "orders" o WHERE o."id"::text = a."target_id")
    WHEN 'bulk_batch' THEN (SELECT b."merchant_id" FROM "bulk_batches" b WHERE b."id"::text = a."target_id")
    WHEN 'bill_day' THEN (SELECT d."merchant_id" FROM "bill_days" d WHERE d."id"::text = a."target_id")
    WHEN 'reconciliation_mismatch' THEN (SELECT x."merchant_id" FROM "reconciliation_mismatches" x WHERE x."id"::text = a."target_id")
    WHEN 'notification' THEN (SELECT n."merchant_id" FROM "notifications" n WHERE n."id"::text = a."target_id")
    WHEN 'api_key' THEN (SELECT k."merchant_id" FROM "api_keys" k WHERE k."id"::text = a."target_id")
  END
  WHERE a."target_type" IN ('merchant', 'refund', 'order', 'bulk_batch', 'bill_day', 'reconciliation_mismatch', 'notification', 'api_key');
