-- Stored reads: an index behind every list filter (src/crm/stored-read.service.ts).

-- CreateIndex: created_after / created_before
CREATE INDEX "crm_records_linked_account_id_model_created_at_idx" ON "crm_records"("linked_account_id", "model", "created_at");

-- CreateIndex: opportunities remote_created_after
CREATE INDEX "crm_records_linked_account_id_model_remote_created_at_idx" ON "crm_records"("linked_account_id", "model", "remote_created_at");

-- CreateIndex: equality and containment filters (relations, enums, exact strings, email addresses, phone numbers) as `data @> ...`
CREATE INDEX "crm_records_data_idx" ON "crm_records" USING GIN ("data" jsonb_path_ops);

-- CreateIndex: engagements started_after / started_before (ISO 8601 UTC strings order like the times they name)
CREATE INDEX "crm_records_engagement_start_time_idx" ON "crm_records"("linked_account_id", ("data"->>'start_time')) WHERE "model" = 'Engagement';

-- CreateIndex: accounts `name` (contains, case-insensitive) via trigrams where pg_trgm is available.
-- PostgreSQL ships it in contrib (trusted since 13); embedded PGlite only has it when the extension
-- bundle is loaded at start-up, which this server does not do, so there the filter scans the
-- account's accounts through the (linked_account_id, model, seq) index instead.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm not created (insufficient privilege): account name filters will scan';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX "crm_records_account_name_trgm_idx" ON "crm_records" USING GIN (("data"->>'name') gin_trgm_ops) WHERE "model" = 'Account';
  END IF;
END
$$;
