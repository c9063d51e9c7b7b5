CREATE TABLE "never;closed (a int);
