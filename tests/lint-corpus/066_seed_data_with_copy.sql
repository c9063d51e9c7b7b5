-- migrate:up
CREATE TABLE countries (code char(2) PRIMARY KEY, name text NOT NULL);
COPY countries (code, name) FROM stdin;
IE	Ireland
CI	Cote d'Ivoire
\.
CREATE INDEX countries_name_idx ON countries (name);
