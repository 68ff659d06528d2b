-- AlterTable
ALTER TABLE "linked_accounts" ADD COLUMN     "completed_at" TIMESTAMPTZ(6),
ADD COLUMN     "remote_account_name" TEXT;

-- CreateTable
CREATE TABLE "organization_link_settings" (
    "organization_id" UUID NOT NULL,
    "allowed_origins" TEXT[],
    "allowed_redirect_urls" TEXT[],
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_link_settings_pkey" PRIMARY KEY ("organization_id")
);

-- CreateTable
CREATE TABLE "link_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "end_user_origin_id" TEXT NOT NULL,
    "end_user_email_address" TEXT NOT NULL,
    "end_user_organization_name" TEXT NOT NULL,
    "integration" TEXT,
    "salesforce_environment" TEXT,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "linked_account_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "link_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_states" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "state_hash" TEXT NOT NULL,
    "link_token_id" UUID NOT NULL,
    "integration" TEXT NOT NULL,
    "code_verifier_cipher" TEXT,
    "auth_base_url" TEXT,
    "mode" TEXT NOT NULL DEFAULT 'redirect',
    "return_to" TEXT,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "used_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "public_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "token_hash" TEXT NOT NULL,
    "linked_account_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "used_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "public_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "linked_account_issues" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "linked_account_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ONGOING',
    "error_description" TEXT NOT NULL,
    "error_details" TEXT[],
    "first_incident_time" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_incident_time" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_muted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "linked_account_issues_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "link_tokens_token_hash_key" ON "link_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "link_tokens_organization_id_idx" ON "link_tokens"("organization_id");

-- CreateIndex
CREATE INDEX "link_tokens_expires_at_idx" ON "link_tokens"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_states_state_hash_key" ON "oauth_states"("state_hash");

-- CreateIndex
CREATE INDEX "oauth_states_expires_at_idx" ON "oauth_states"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "public_tokens_token_hash_key" ON "public_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "public_tokens_linked_account_id_idx" ON "public_tokens"("linked_account_id");

-- CreateIndex
CREATE INDEX "linked_account_issues_organization_id_idx" ON "linked_account_issues"("organization_id");

-- CreateIndex
CREATE INDEX "linked_account_issues_linked_account_id_kind_status_idx" ON "linked_account_issues"("linked_account_id", "kind", "status");

-- AddForeignKey
ALTER TABLE "organization_link_settings" ADD CONSTRAINT "organization_link_settings_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "link_tokens" ADD CONSTRAINT "link_tokens_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_link_token_id_fkey" FOREIGN KEY ("link_token_id") REFERENCES "link_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "public_tokens" ADD CONSTRAINT "public_tokens_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "linked_account_issues" ADD CONSTRAINT "linked_account_issues_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "linked_account_issues" ADD CONSTRAINT "linked_account_issues_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
