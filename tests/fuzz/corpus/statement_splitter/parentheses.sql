CREATE TABLE t (a int CHECK (a > 0), b text DEFAULT ';');
SELECT (1;
SELECT 2);
