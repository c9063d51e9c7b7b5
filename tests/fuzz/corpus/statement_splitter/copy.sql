CREATE TABLE items (id int, label text);
COPY items (id, label) FROM stdin; -- data
1	one;
2	$$two'
\.
COPY items FROM STDIN WITH (FORMAT csv);
3,"a;b"
\.
COPY (SELECT 1) TO STDOUT;
COPY t FROM stdin; SELECT 1;
COPY t FROM stdin;
4
