-- Differential test (tests/host/test_diff.py): tables with constraints,
-- ALTER TABLE, what the schema and PRAGMA table_info say, affinity and
-- typeof. Run as `sqlite3 schema.db < schema.sql`.
.headers on
CREATE TABLE dept (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL UNIQUE,
  floor INTEGER CHECK (floor BETWEEN 0 AND 20) DEFAULT 1
);
CREATE TABLE emp (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  name    TEXT NOT NULL COLLATE NOCASE,
  dept_id INTEGER REFERENCES dept(id) ON DELETE SET NULL,
  salary  REAL NOT NULL DEFAULT 1000.0 CHECK (salary > 0),
  email   TEXT UNIQUE,
  hired   TEXT DEFAULT '2000-01-01'
);
CREATE TABLE pairs (a INT, b INT, note TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE affinity (i INTEGER, r REAL, t TEXT, n NUMERIC, b BLOB, x);
CREATE VIEW emp_names AS SELECT name FROM emp ORDER BY name;
CREATE TRIGGER emp_audit AFTER INSERT ON emp BEGIN
  INSERT INTO audit(what) VALUES ('hired ' || NEW.name);
END;
CREATE TABLE audit (n INTEGER PRIMARY KEY, what TEXT);
.print -- the schema
SELECT type, name, tbl_name FROM sqlite_schema ORDER BY type, name;
.schema dept
.tables
.print -- table_info
PRAGMA table_info(emp);
PRAGMA table_info(pairs);
.print -- ALTER TABLE
ALTER TABLE dept ADD COLUMN budget INTEGER DEFAULT 0;
ALTER TABLE dept ADD COLUMN code TEXT NOT NULL DEFAULT 'X';
ALTER TABLE emp RENAME COLUMN hired TO start_date;
ALTER TABLE pairs RENAME TO pair_notes;
PRAGMA table_info(dept);
SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name;
INSERT INTO dept(name) VALUES ('Research');
INSERT INTO dept(name, floor, budget) VALUES ('Sales', 3, 5000);
SELECT * FROM dept ORDER BY id;
.print -- defaults and the trigger
INSERT INTO emp(name, dept_id) VALUES ('ada', 1);
INSERT INTO emp(name, dept_id, salary, email) VALUES ('Bob', 2, 2500.5, 'bob@example.org');
SELECT id, name, dept_id, salary, email, start_date FROM emp ORDER BY id;
SELECT * FROM audit;
SELECT * FROM emp_names;
SELECT name FROM emp WHERE name = 'ADA';
SELECT name, seq FROM sqlite_sequence;
.print -- affinity and typeof
INSERT INTO affinity VALUES ('42', '42', 42, '42', '42', '42');
INSERT INTO affinity VALUES ('4.0', '1e3', 4.5, '4.0', x'0102', 4.0);
INSERT INTO affinity VALUES ('abc', 'abc', NULL, '0x10', NULL, 'abc');
INSERT INTO affinity VALUES (9223372036854775807, 1, '007', ' 12 ', 12, -0.0);
SELECT i, typeof(i), r, typeof(r), t, typeof(t), n, typeof(n), hex(b), typeof(b), x, typeof(x) FROM affinity;
SELECT CAST('12abc' AS INTEGER), CAST('3.7' AS INTEGER), CAST(3.7 AS TEXT), CAST('1e2' AS REAL), CAST(x'41' AS TEXT);
SELECT 1 = 1.0, '1' = 1, 'a' < 'b', 'B' < 'a', NULL = NULL, NULL IS NULL, 5 / 2, 5 / 2.0, 5 % 3, -5 % 3;
SELECT 9223372036854775807 + 1, -9223372036854775808 - 1, 2147483647 * 2147483647 * 4;
.print -- DROP
DROP VIEW emp_names;
DROP TRIGGER emp_audit;
DROP TABLE affinity;
SELECT type, name FROM sqlite_schema ORDER BY type, name;
PRAGMA integrity_check;
