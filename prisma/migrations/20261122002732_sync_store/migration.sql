-- AlterTable
ALTER TABLE "linked_accounts" ADD COLUMN     "sync_frequency_minutes" INTEGER NOT NULL DEFAULT 5;

-- CreateTable
CREATE TABLE "crm_records" (
    "id" UUID NOT NULL,
    "linked_account_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "remote_id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "data" JSONB NOT NULL,
    "remote_data" JSONB,
    "remote_fields" JSONB,
    "content_hash" TEXT NOT NULL,
    "remote_data_hash" TEXT,
    "remote_created_at" TIMESTAMPTZ(6),
    "remote_updated_at" TIMESTAMPTZ(6),
    "remote_was_deleted" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "modified_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crm_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_states" (
    "linked_account_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PAUSED',
    "is_initial_sync" BOOLEAN NOT NULL DEFAULT true,
    "run_kind" TEXT,
    "checkpoint" JSONB,
    "high_water_mark" TIMESTAMPTZ(6),
    "run_high_water_mark" TIMESTAMPTZ(6),
    "deleted_checkpoint" JSONB,
    "last_sync_start" TIMESTAMPTZ(6),
    "last_sync_finished" TIMESTAMPTZ(6),
    "next_sync_start" TIMESTAMPTZ(6),
    "last_sync_result" TEXT,
    "last_error" TEXT,
    "last_run_written" INTEGER NOT NULL DEFAULT 0,
    "last_run_seen" INTEGER NOT NULL DEFAULT 0,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_states_pkey" PRIMARY KEY ("linked_account_id","model")
);

-- CreateIndex
CREATE INDEX "crm_records_linked_account_id_model_seq_idx" ON "crm_records"("linked_account_id", "model", "seq");

-- CreateIndex
CREATE INDEX "crm_records_linked_account_id_model_modified_at_idx" ON "crm_records"("linked_account_id", "model", "modified_at");

-- CreateIndex
CREATE UNIQUE INDEX "crm_records_linked_account_id_model_remote_id_key" ON "crm_records"("linked_account_id", "model", "remote_id");

-- CreateIndex
CREATE INDEX "sync_states_next_sync_start_idx" ON "sync_states"("next_sync_start");

-- AddForeignKey
ALTER TABLE "crm_records" ADD CONSTRAINT "crm_records_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_states" ADD CONSTRAINT "sync_states_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
