-- Differential test (tests/host/test_diff.py): statements that violate
-- constraints. The shell (bail off, its default with a script on stdin)
-- reports each on stderr ("Runtime error near line N: ...") and goes
-- on; a SELECT after each shows what the table holds. The runner
-- compares stdout and stderr, each byte for byte, and the exit status
-- (1: some statement failed).
-- exit status: 1
PRAGMA foreign_keys = ON;
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE child (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE,
  score INTEGER CHECK (score BETWEEN 0 AND 100),
  code TEXT CONSTRAINT code_shape CHECK (length(code) = 3)
);
CREATE TABLE strict_t (i INTEGER, t TEXT) STRICT;
INSERT INTO parent VALUES (1, 'one'), (2, 'two');
INSERT INTO child VALUES (1, 1, 50, 'abc');
.print -- NOT NULL
INSERT INTO parent(id, name) VALUES (3, NULL);
SELECT count(*) FROM parent;
.print -- UNIQUE and PRIMARY KEY
INSERT INTO parent VALUES (3, 'one');
INSERT INTO parent VALUES (1, 'uno');
UPDATE parent SET name = 'two' WHERE id = 1;
SELECT id, name FROM parent ORDER BY id;
.print -- CHECK
INSERT INTO child VALUES (2, 1, 101, 'xyz');
INSERT INTO child VALUES (2, 1, 10, 'toolong');
UPDATE child SET score = -1;
SELECT * FROM child;
.print -- FOREIGN KEY
INSERT INTO child VALUES (3, 99, 10, 'fkx');
UPDATE child SET parent_id = 42;
DELETE FROM parent WHERE id = 1;
SELECT count(*) FROM child;
PRAGMA foreign_key_check;
.print -- STRICT
INSERT INTO strict_t VALUES ('abc', 'x');
INSERT INTO strict_t VALUES (1.5, 'x');
INSERT INTO strict_t VALUES ('12', 13);
SELECT i, typeof(i), t, typeof(t) FROM strict_t;
.print -- conflict clauses
INSERT OR FAIL INTO parent VALUES (5, 'five'), (6, 'two'), (7, 'seven');
SELECT id FROM parent ORDER BY id;
INSERT OR ABORT INTO parent VALUES (8, 'eight'), (9, 'two');
SELECT id FROM parent ORDER BY id;
INSERT OR REPLACE INTO parent VALUES (10, 'two');
SELECT id, name FROM parent ORDER BY id;
.print -- errors that are not constraints
SELECT * FROM no_such_table;
SELECT no_such_column FROM parent;
INSERT INTO parent VALUES (1, 2, 3);
CREATE TABLE parent (x);
SELECT 1 +;
SELECT abs(-9223372036854775808);
SELECT RAISE(ABORT, 'raised');
CREATE TRIGGER guard BEFORE DELETE ON parent BEGIN SELECT RAISE(ABORT, 'parents stay'); END;
DELETE FROM parent;
SELECT count(*) FROM parent;
SELECT 'still running after every error';
