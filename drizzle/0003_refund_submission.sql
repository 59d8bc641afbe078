ALTER TABLE "refunds" ADD COLUMN "scheduled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "outcome_unknown" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "submitting_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "refunds_pending_scheduled_idx" ON "refunds" USING btree ("scheduled_at") WHERE "refunds"."status" = 'PENDING';