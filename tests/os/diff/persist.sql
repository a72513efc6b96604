-- Differential test (tests/host/test_diff.py): a database file meant to
-- be read by another system. Rows larger than a page (overflow pages),
-- deletes that leave free pages, a VACUUM that writes the file anew
-- (through a temporary database), an index, a view and a trigger. The
-- runner hands the file Keel wrote to the host's sqlite3: PRAGMA
-- integrity_check must say ok and its .dump must be the host's own.
PRAGMA page_size = 1024;
CREATE TABLE doc (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, data BLOB, words INTEGER);
CREATE INDEX doc_title ON doc(title);
CREATE TABLE log (n INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT);
CREATE TRIGGER doc_log AFTER DELETE ON doc BEGIN INSERT INTO log(what) VALUES ('deleted ' || OLD.id); END;
CREATE VIEW doc_sizes AS SELECT id, length(body) AS chars, length(data) AS bytes FROM doc;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO doc(title, body, data, words)
  SELECT printf('doc %03d', i), replace(printf('%.*c', (i * 37) % 3000 + 1, 'x'), 'x', 'word '),
         CAST(printf('%.*c', i * 13 % 2048 + 1, char(48 + i % 10)) AS BLOB), (i * 37) % 3000 + 1
  FROM n;
SELECT count(*), sum(length(body)), sum(length(data)), sum(words) FROM doc;
PRAGMA page_count;
DELETE FROM doc WHERE id % 3 = 0;
SELECT changes(), count(*) FROM log;
SELECT freelist_count > 0 FROM pragma_freelist_count;
UPDATE doc SET body = upper(body) WHERE id % 7 = 0;
VACUUM;
PRAGMA freelist_count;
PRAGMA page_size;
SELECT s.id, d.title, s.chars, s.bytes FROM doc_sizes s JOIN doc d USING (id) WHERE s.id IN (1, 2, 7, 299, 300) ORDER BY s.id;
SELECT title FROM doc WHERE title > 'doc 290' ORDER BY title;
SELECT min(n), max(n), count(*) FROM log;
SELECT name, seq FROM sqlite_sequence;
PRAGMA integrity_check;
