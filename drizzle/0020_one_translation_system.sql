-- Texts the console stored in both languages ({"zh": …, "en": …}) become messages ({"key": …, "values": …}) of the
-- one catalogue (messages/<locale>/outcomes.json). What was written before cannot be traced back to its key and
-- values, so it keeps its words under outcomes.legacy.TEXT, whose text in each language is that language's value.
UPDATE "bulk_rows"
SET "error_message" = jsonb_build_object('key', 'outcomes.legacy.TEXT', 'values', "error_message")
WHERE "error_message" ? 'zh';--> statement-breakpoint
UPDATE "order_file_imports"
SET "problems" = (
  SELECT jsonb_agg(
    CASE
      WHEN problem -> 'message' ? 'zh'
        THEN jsonb_set(problem, '{message}', jsonb_build_object('key', 'outcomes.legacy.TEXT', 'values', problem -> 'message'))
      ELSE problem
    END
    ORDER BY position
  )
  FROM jsonb_array_elements("problems") WITH ORDINALITY AS line(problem, position)
)
WHERE jsonb_array_length("problems") > 0;
