-- The login host choice of a link token is not Salesforce-specific in the schema (the vendor's
-- auth settings interpret it): a neutral name.
ALTER TABLE "link_tokens" RENAME COLUMN "salesforce_environment" TO "login_environment";
