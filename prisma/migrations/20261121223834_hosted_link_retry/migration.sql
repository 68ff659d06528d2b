-- AlterTable
ALTER TABLE "oauth_states" ADD COLUMN     "link_token_cipher" TEXT;

-- AlterTable
ALTER TABLE "organization_link_settings" ADD COLUMN     "enabled_integrations" TEXT[] DEFAULT ARRAY[]::TEXT[];
