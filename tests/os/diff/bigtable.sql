-- Differential test (tests/host/test_diff.py): a table of 10,000 rows
-- made by a recursive CTE, checked with aggregates -- counts, sums,
-- extremes, groups, a join with itself, ordered slices, an update and a
-- delete of a part -- and PRAGMA integrity_check. The page cache is kept
-- small (the programs on Keel have little memory): that changes no
-- result.
PRAGMA cache_size = -256;
CREATE TABLE big (id INTEGER PRIMARY KEY, k INTEGER, grp TEXT, val REAL, s TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO big(id, k, grp, val, s)
  SELECT i, (i * 7919) % 10007, char(65 + i % 26), (i % 1000) / 8.0, printf('row-%05d-%s', i, hex(i * i))
  FROM n;
SELECT count(*), sum(id), sum(k), min(k), max(k), sum(val), avg(val) FROM big;
SELECT count(DISTINCT k), count(DISTINCT grp), count(DISTINCT val), sum(length(s)) FROM big;
SELECT grp, count(*), sum(k), min(s), max(s) FROM big GROUP BY grp HAVING grp IN ('A', 'M', 'Z') ORDER BY grp;
SELECT k, id FROM big ORDER BY k LIMIT 5;
SELECT k, id FROM big ORDER BY k DESC LIMIT 5;
SELECT id, s FROM big WHERE s LIKE 'row-0999_-%' ORDER BY id;
SELECT count(*) FROM big a JOIN big b ON b.id = a.k WHERE a.id <= 2000;
SELECT sum(a.val * b.val) FROM big a JOIN big b ON b.id = a.id + 5000 WHERE a.id <= 5000;
CREATE INDEX big_k ON big(k);
SELECT count(*) FROM big WHERE k BETWEEN 1000 AND 1999;
SELECT id FROM big WHERE k = 4242;
UPDATE big SET val = -val WHERE id % 3 = 0;
SELECT changes(), sum(val), count(*) FILTER (WHERE val < 0) FROM big;
DELETE FROM big WHERE grp IN ('B', 'C', 'D');
SELECT changes(), count(*), sum(id) FROM big;
SELECT grp, count(*) FROM big GROUP BY grp ORDER BY count(*) DESC, grp LIMIT 4;
WITH RECURSIVE fib(a, b, n) AS (SELECT 0, 1, 0 UNION ALL SELECT b, a + b, n + 1 FROM fib WHERE n < 90)
SELECT n, a FROM fib WHERE n IN (10, 50, 90);
SELECT sum(k) FROM (SELECT k FROM big ORDER BY s DESC LIMIT 100);
SELECT count(*) FROM big WHERE id IN (SELECT k FROM big);
PRAGMA integrity_check;
