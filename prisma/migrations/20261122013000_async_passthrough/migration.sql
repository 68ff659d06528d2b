-- Async pass-through receipts (src/passthrough/async-passthrough.service.ts).

-- CreateTable
CREATE TABLE "async_passthrough_receipts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "linked_account_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "request_cipher" TEXT NOT NULL,
    "result_cipher" TEXT,
    "result_status" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(6),
    "expires_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "async_passthrough_receipts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "async_passthrough_receipts_linked_account_id_idx" ON "async_passthrough_receipts"("linked_account_id");

-- CreateIndex
CREATE INDEX "async_passthrough_receipts_expires_at_idx" ON "async_passthrough_receipts"("expires_at");

-- AddForeignKey
ALTER TABLE "async_passthrough_receipts" ADD CONSTRAINT "async_passthrough_receipts_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
