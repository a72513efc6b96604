-- Differential test (tests/host/test_diff.py): CREATE INDEX in its forms
-- (unique, multi-column, partial, on an expression, descending), what
-- PRAGMA index_list, index_info and index_xinfo say, queries whose
-- results must not change with the index (no EXPLAIN QUERY PLAN: its
-- text is no promise), REINDEX and DROP INDEX.
-- exit status: 1
CREATE TABLE person (id INTEGER PRIMARY KEY, last TEXT, first TEXT, age INTEGER, email TEXT, city TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO person(last, first, age, email, city)
  SELECT 'last' || (i % 37), 'first' || i, 18 + (i * 7) % 60, 'p' || i || '@example.org',
         CASE i % 4 WHEN 0 THEN 'Oslo' WHEN 1 THEN 'Lima' WHEN 2 THEN 'Pune' ELSE NULL END
  FROM n;
.print -- before any index
SELECT count(*), count(DISTINCT last), min(age), max(age) FROM person;
SELECT id, first FROM person WHERE last = 'last5' AND age > 60 ORDER BY id;
CREATE TEMP TABLE before AS
  SELECT last, age, count(*) AS n, min(id) AS lo FROM person GROUP BY last, age;
.print -- indexes
CREATE INDEX person_last ON person(last);
CREATE INDEX person_last_age ON person(last, age DESC);
CREATE UNIQUE INDEX person_email ON person(email);
CREATE INDEX person_city_partial ON person(city) WHERE city IS NOT NULL;
CREATE INDEX person_lower_first ON person(lower(first));
CREATE INDEX IF NOT EXISTS person_last ON person(first);
.headers on
PRAGMA index_list(person);
PRAGMA index_info(person_last_age);
PRAGMA index_xinfo(person_last_age);
PRAGMA index_info(person_lower_first);
SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name;
.headers off
.indexes person
.print -- the same answers through the indexes
SELECT id, first FROM person WHERE last = 'last5' AND age > 60 ORDER BY id;
SELECT count(*) FROM (SELECT last, age, count(*) AS n, min(id) AS lo FROM person GROUP BY last, age
  EXCEPT SELECT * FROM before);
SELECT id FROM person WHERE lower(first) = 'first250';
SELECT city, count(*) FROM person WHERE city IS NOT NULL GROUP BY city ORDER BY city;
SELECT count(*) FROM person WHERE city IS NULL;
SELECT last, max(age) FROM person WHERE last BETWEEN 'last10' AND 'last12' GROUP BY last ORDER BY last;
SELECT id FROM person WHERE email IN ('p3@example.org', 'p499@example.org', 'none') ORDER BY id;
SELECT id, last, age FROM person WHERE last = 'last0' ORDER BY age DESC, id LIMIT 5;
SELECT id FROM person INDEXED BY person_last WHERE last = 'last36' ORDER BY id;
SELECT count(*) FROM person NOT INDEXED WHERE last = 'last36';
.print -- the unique index refuses a duplicate
INSERT INTO person(last, first, age, email) VALUES ('x', 'y', 1, 'p3@example.org');
SELECT count(*) FROM person;
.print -- updates keep the indexes right
UPDATE person SET last = 'renamed' WHERE id % 50 = 0;
SELECT count(*) FROM person WHERE last = 'renamed';
DELETE FROM person WHERE age < 25;
SELECT count(*), sum(id) FROM person;
SELECT count(*), sum(id) FROM person NOT INDEXED;
PRAGMA integrity_check;
REINDEX person;
ANALYZE;
SELECT tbl, idx FROM sqlite_stat1 ORDER BY tbl, idx;
.print -- DROP INDEX
DROP INDEX person_last;
DROP INDEX person_lower_first;
DROP INDEX IF EXISTS no_such_index;
DROP INDEX no_such_index;
PRAGMA index_list(person);
SELECT id, first FROM person WHERE last = 'last5' AND age > 60 ORDER BY id;
PRAGMA integrity_check;
