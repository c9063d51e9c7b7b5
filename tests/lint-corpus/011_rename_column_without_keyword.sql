-- migrate:up
ALTER TABLE ONLY "Customers" RENAME "Phone" TO phone_number;
