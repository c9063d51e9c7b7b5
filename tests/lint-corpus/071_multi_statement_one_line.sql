-- migrate:up
ALTER TABLE "User Profiles" ADD COLUMN bio text; ALTER TABLE "User Profiles" DROP COLUMN "About Me"; CREATE INDEX ON "User Profiles" (bio);
