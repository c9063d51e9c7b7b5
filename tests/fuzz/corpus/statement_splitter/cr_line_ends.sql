-- add a tableCREATE TABLE crtab(a int);SELECT 'a-- b;', $$c--;$$ /* d-- e; */;COPY t FROM stdin; -- rows
1a
\.
