-- CreateTable
CREATE TABLE "linked_accounts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "integration" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'COMPLETE',
    "is_sandbox" BOOLEAN NOT NULL DEFAULT false,
    "end_user_origin_id" TEXT,
    "end_user_email_address" TEXT,
    "end_user_organization_name" TEXT,
    "remote_account_id" TEXT,
    "api_base_url" TEXT NOT NULL,
    "auth_base_url" TEXT NOT NULL,
    "account_token_hash" TEXT NOT NULL,
    "read_mode" TEXT NOT NULL DEFAULT 'stored',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "linked_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "linked_account_credentials" (
    "linked_account_id" UUID NOT NULL,
    "access_token_cipher" TEXT NOT NULL,
    "refresh_token_cipher" TEXT,
    "key_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(6),
    "scopes" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "last_refreshed_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "linked_account_credentials_pkey" PRIMARY KEY ("linked_account_id")
);

-- CreateTable
CREATE TABLE "remote_identities" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "linked_account_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "remote_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "remote_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "linked_account_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_body" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("linked_account_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "linked_accounts_account_token_hash_key" ON "linked_accounts"("account_token_hash");

-- CreateIndex
CREATE INDEX "linked_accounts_organization_id_idx" ON "linked_accounts"("organization_id");

-- CreateIndex
CREATE INDEX "linked_accounts_organization_id_integration_remote_account__idx" ON "linked_accounts"("organization_id", "integration", "remote_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "remote_identities_linked_account_id_model_remote_id_key" ON "remote_identities"("linked_account_id", "model", "remote_id");

-- CreateIndex
CREATE INDEX "idempotency_records_created_at_idx" ON "idempotency_records"("created_at");

-- AddForeignKey
ALTER TABLE "linked_accounts" ADD CONSTRAINT "linked_accounts_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "linked_account_credentials" ADD CONSTRAINT "linked_account_credentials_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "remote_identities" ADD CONSTRAINT "remote_identities_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "idempotency_records" ADD CONSTRAINT "idempotency_records_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
