-- Differential test (tests/host/test_diff.py): count, sum, total, avg,
-- min, max and group_concat (with ORDER BY inside), GROUP BY, HAVING,
-- DISTINCT, NULLs in aggregates, and window aggregates.
-- exit status: 1
CREATE TABLE sale (id INTEGER PRIMARY KEY, region TEXT, product TEXT, qty INTEGER, price REAL, day TEXT);
INSERT INTO sale(region, product, qty, price, day) VALUES
  ('north', 'apple', 10, 0.5, '2024-01-01'), ('north', 'pear', 4, 0.75, '2024-01-01'),
  ('south', 'apple', 7, 0.5, '2024-01-02'), ('south', 'plum', 12, 0.25, '2024-01-02'),
  ('east', 'apple', 3, 0.55, '2024-01-03'), ('east', 'pear', NULL, 0.8, '2024-01-03'),
  ('north', 'plum', 6, 0.3, '2024-01-04'), ('west', NULL, 1, NULL, '2024-01-04'),
  ('south', 'pear', 9, 0.7, '2024-01-05'), ('north', 'apple', 2, 0.45, '2024-01-05');
.headers on
.print -- whole table
SELECT count(*), count(qty), count(DISTINCT product), sum(qty), total(qty), avg(qty), min(qty), max(qty) FROM sale;
SELECT min(price), max(price), sum(price), round(avg(price), 6), min(product), max(product) FROM sale;
SELECT sum(qty * price) AS revenue, round(sum(qty * price) / sum(qty), 6) AS avg_unit FROM sale;
.print -- GROUP BY
SELECT region, count(*) AS n, sum(qty) AS qty, round(avg(price), 4) AS avg_price FROM sale GROUP BY region ORDER BY region;
SELECT product, count(*), sum(qty), max(day) FROM sale GROUP BY product ORDER BY product;
SELECT region, product, sum(qty) FROM sale GROUP BY region, product ORDER BY region, product;
SELECT substr(day, 1, 7) AS month, count(*) FROM sale GROUP BY 1;
.print -- HAVING
SELECT region, sum(qty) AS total FROM sale GROUP BY region HAVING total > 10 ORDER BY total DESC;
SELECT product, count(*) AS n FROM sale WHERE product IS NOT NULL GROUP BY product HAVING count(*) >= 3;
SELECT region FROM sale GROUP BY region HAVING min(price) < 0.5 AND max(qty) >= 10 ORDER BY region;
.print -- group_concat
SELECT group_concat(product) FROM (SELECT product FROM sale ORDER BY id);
SELECT region, group_concat(product, '+') AS products FROM (SELECT * FROM sale ORDER BY product) GROUP BY region ORDER BY region;
SELECT group_concat(DISTINCT region) FROM (SELECT region FROM sale ORDER BY region);
SELECT region, group_concat(qty, ',') FILTER (WHERE qty > 3) FROM (SELECT * FROM sale ORDER BY qty) GROUP BY region ORDER BY region;
SELECT group_concat(id || ':' || coalesce(product, '?'), ' ') OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM sale ORDER BY id;
.print -- empty input and NULLs
SELECT count(*), sum(qty), total(qty), avg(qty), min(qty), max(qty), group_concat(qty) FROM sale WHERE id > 100;
SELECT count(*) FROM sale WHERE id > 100 GROUP BY region;
SELECT sum(x), avg(x), count(x) FROM (SELECT NULL AS x UNION ALL SELECT NULL);
SELECT sum(v), typeof(sum(v)), total(v), typeof(total(v)) FROM (SELECT 1 AS v UNION ALL SELECT 2);
SELECT sum(v) FROM (SELECT 9223372036854775807 AS v UNION ALL SELECT 1);
.print -- window aggregates
SELECT id, region, qty, sum(qty) OVER (PARTITION BY region ORDER BY id) AS running,
       count(*) OVER (PARTITION BY region) AS in_region,
       round(avg(qty) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), 4) AS moving
  FROM sale ORDER BY id;
SELECT region, qty, dense_rank() OVER (ORDER BY qty DESC) AS r, ntile(3) OVER (ORDER BY id) AS tile,
       first_value(product) OVER (PARTITION BY region ORDER BY id) AS first,
       percent_rank() OVER (ORDER BY qty) AS pr
  FROM sale WHERE qty IS NOT NULL ORDER BY qty DESC, id;
.print -- aggregates over a generated series
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
SELECT count(*), sum(i), sum(i * i), avg(i), min(i), max(i), sum(i % 7 = 0), total(1.0 / i) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
SELECT i % 5 AS bucket, count(*), sum(i), group_concat(i, ',') FROM (SELECT i FROM n ORDER BY i DESC)
  GROUP BY bucket HAVING sum(i) > 990 ORDER BY bucket;
