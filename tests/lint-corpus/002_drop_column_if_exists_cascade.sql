-- migrate:up
ALTER TABLE public.accounts DROP COLUMN IF EXISTS legacy_plan CASCADE;
