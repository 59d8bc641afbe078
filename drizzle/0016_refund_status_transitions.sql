-- The refund state machine, kept by the database too (lib/refunds/transitions.ts is the same table in code, and
-- tests/integration/refund-transitions.test.ts proves the two agree): a status change not listed here is refused,
-- whichever code path sends it, including single-statement hot paths that bypass lib/refunds/move.ts.
CREATE TABLE "refund_status_transitions" (
	"from_status" "refund_status" NOT NULL,
	"to_status" "refund_status" NOT NULL,
	PRIMARY KEY ("from_status", "to_status")
);--> statement-breakpoint
INSERT INTO "refund_status_transitions" ("from_status", "to_status") VALUES
	('AWAITING_APPROVAL', 'PENDING'), ('AWAITING_APPROVAL', 'REJECTED'),
	('PENDING', 'PROCESSING'), ('PENDING', 'SUCCESS'), ('PENDING', 'CLOSED'), ('PENDING', 'ABNORMAL'), ('PENDING', 'FAILED'),
	('PROCESSING', 'SUCCESS'), ('PROCESSING', 'CLOSED'), ('PROCESSING', 'ABNORMAL'),
	('ABNORMAL', 'PROCESSING'), ('ABNORMAL', 'SUCCESS'), ('ABNORMAL', 'CLOSED'),
	('FAILED', 'PENDING'), ('FAILED', 'AWAITING_APPROVAL');--> statement-breakpoint
CREATE FUNCTION "refunds_status_transition_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (
		SELECT 1 FROM "refund_status_transitions" WHERE "from_status" = OLD."status" AND "to_status" = NEW."status"
	) THEN
		RAISE EXCEPTION 'refund %: % -> % is not a refund status transition', OLD."id", OLD."status", NEW."status"
			USING ERRCODE = 'check_violation', CONSTRAINT = 'refunds_status_transition';
	END IF;
	RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "refunds_status_transition" BEFORE UPDATE OF "status" ON "refunds"
	FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status")
	EXECUTE FUNCTION "refunds_status_transition_guard"();
