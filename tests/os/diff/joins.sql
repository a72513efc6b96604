-- Differential test (tests/host/test_diff.py): inner, left, cross and
-- self joins, USING and NATURAL, subqueries, EXISTS, IN, compound
-- selects and CTEs.
CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT, country TEXT);
CREATE TABLE book (id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER, year INTEGER, price REAL);
CREATE TABLE review (book_id INTEGER, stars INTEGER, reviewer TEXT);
INSERT INTO author VALUES (1, 'Austen', 'UK'), (2, 'Tolstoy', 'RU'), (3, 'Borges', 'AR'), (4, 'Nobody', NULL);
INSERT INTO book VALUES
  (1, 'Emma', 1, 1815, 9.5), (2, 'Persuasion', 1, 1817, 7.25), (3, 'War and Peace', 2, 1869, 15.0),
  (4, 'Ficciones', 3, 1944, 11.0), (5, 'Anna Karenina', 2, 1878, 12.75), (6, 'Anonymous', NULL, 1900, 3.0);
INSERT INTO review VALUES (1, 5, 'ann'), (1, 4, 'bo'), (3, 5, 'ann'), (4, 3, 'cy'), (4, 5, 'bo'), (99, 1, 'ghost');
.headers on
.print -- inner join
SELECT a.name, b.title, b.year FROM author a JOIN book b ON b.author_id = a.id ORDER BY a.name, b.year;
.print -- left join
SELECT a.name, count(b.id) AS books, group_concat(b.title, '; ') AS titles
  FROM author a LEFT JOIN book b ON b.author_id = a.id GROUP BY a.id ORDER BY a.id;
SELECT b.title, a.name FROM book b LEFT JOIN author a ON a.id = b.author_id WHERE a.id IS NULL;
.print -- three tables
SELECT a.name, b.title, r.stars, r.reviewer FROM review r
  JOIN book b ON b.id = r.book_id JOIN author a ON a.id = b.author_id ORDER BY a.name, b.title, r.reviewer;
SELECT b.title, avg(r.stars) AS avg_stars, count(r.stars) AS n
  FROM book b LEFT JOIN review r ON r.book_id = b.id GROUP BY b.id ORDER BY avg_stars DESC NULLS LAST, b.title;
.print -- right and full joins (3.39+)
SELECT r.reviewer, b.title FROM book b RIGHT JOIN review r ON r.book_id = b.id ORDER BY r.reviewer, r.book_id;
SELECT coalesce(a.name, '-') AS author, coalesce(b.title, '-') AS title
  FROM author a FULL JOIN book b ON b.author_id = a.id ORDER BY author, title;
.print -- cross and self joins
SELECT a1.name, a2.name FROM author a1 CROSS JOIN author a2 WHERE a1.id < a2.id ORDER BY 1, 2;
SELECT b1.title, b2.title FROM book b1 JOIN book b2 ON b1.author_id = b2.author_id AND b1.year < b2.year ORDER BY 1;
.print -- USING and NATURAL
CREATE TABLE t1 (k INTEGER, v1 TEXT);
CREATE TABLE t2 (k INTEGER, v2 TEXT);
INSERT INTO t1 VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO t2 VALUES (2, 'x'), (3, 'y'), (3, 'z'), (4, 'w');
SELECT * FROM t1 JOIN t2 USING (k) ORDER BY k, v2;
SELECT * FROM t1 NATURAL LEFT JOIN t2 ORDER BY k, v2;
.print -- subqueries
SELECT title FROM book WHERE price > (SELECT avg(price) FROM book) ORDER BY title;
SELECT name FROM author a WHERE EXISTS (SELECT 1 FROM book b WHERE b.author_id = a.id AND b.year < 1850);
SELECT name FROM author WHERE id NOT IN (SELECT author_id FROM book WHERE author_id IS NOT NULL);
SELECT title, (SELECT count(*) FROM review r WHERE r.book_id = b.id) AS reviews FROM book b ORDER BY id;
SELECT * FROM (SELECT author_id, max(price) AS top FROM book GROUP BY author_id) ORDER BY top;
.print -- compound selects
SELECT reviewer FROM review UNION SELECT name FROM author ORDER BY 1;
SELECT reviewer FROM review UNION ALL SELECT reviewer FROM review WHERE stars = 5 ORDER BY 1;
SELECT book_id FROM review INTERSECT SELECT id FROM book ORDER BY 1;
SELECT id FROM book EXCEPT SELECT book_id FROM review ORDER BY 1;
.print -- CTEs and window functions
WITH prolific AS (SELECT author_id, count(*) AS n FROM book GROUP BY author_id HAVING n > 1)
SELECT a.name, p.n FROM prolific p JOIN author a ON a.id = p.author_id ORDER BY a.name;
SELECT title, year, price, rank() OVER (ORDER BY price DESC) AS by_price,
       sum(price) OVER (PARTITION BY author_id ORDER BY year) AS running,
       lag(title) OVER (ORDER BY year) AS previous, row_number() OVER (ORDER BY id) AS n
  FROM book ORDER BY year;
SELECT DISTINCT country FROM author ORDER BY country;
SELECT title FROM book ORDER BY price DESC LIMIT 2 OFFSET 1;
SELECT CASE WHEN year < 1850 THEN 'early' WHEN year < 1900 THEN 'middle' ELSE 'late' END AS era, count(*)
  FROM book GROUP BY era ORDER BY era;
