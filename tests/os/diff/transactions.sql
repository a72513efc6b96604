-- Differential test (tests/host/test_diff.py): BEGIN, COMMIT, ROLLBACK,
-- SAVEPOINT, RELEASE and ROLLBACK TO, what each leaves in the table, and
-- the errors of misplaced transaction statements (stderr).
-- exit status: 1
CREATE TABLE account (name TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0));
INSERT INTO account VALUES ('alice', 100), ('bob', 50), ('carol', 0);
.print -- a committed transfer
BEGIN;
UPDATE account SET balance = balance - 30 WHERE name = 'alice';
UPDATE account SET balance = balance + 30 WHERE name = 'bob';
COMMIT;
SELECT * FROM account ORDER BY name;
.print -- a rolled back transfer
BEGIN TRANSACTION;
UPDATE account SET balance = balance - 70 WHERE name = 'alice';
UPDATE account SET balance = balance + 70 WHERE name = 'carol';
SELECT * FROM account ORDER BY name;
ROLLBACK;
SELECT * FROM account ORDER BY name;
.print -- savepoints
BEGIN;
INSERT INTO account VALUES ('dave', 10);
SAVEPOINT one;
INSERT INTO account VALUES ('erin', 20);
SAVEPOINT two;
UPDATE account SET balance = 999;
SELECT name, balance FROM account ORDER BY name;
ROLLBACK TO two;
SELECT name, balance FROM account ORDER BY name;
INSERT INTO account VALUES ('frank', 30);
ROLLBACK TO one;
SELECT name, balance FROM account ORDER BY name;
RELEASE one;
COMMIT;
SELECT name, balance FROM account ORDER BY name;
.print -- a savepoint outside a transaction
SAVEPOINT outer_sp;
INSERT INTO account VALUES ('gina', 5);
SAVEPOINT inner_sp;
DELETE FROM account WHERE name = 'alice';
RELEASE inner_sp;
SELECT count(*) FROM account;
ROLLBACK TO outer_sp;
SELECT count(*) FROM account;
RELEASE outer_sp;
SELECT group_concat(name, ',') FROM (SELECT name FROM account ORDER BY name);
.print -- a failed statement inside a transaction
BEGIN;
UPDATE account SET balance = balance + 1;
UPDATE account SET balance = balance - 60 WHERE name = 'bob';
UPDATE account SET balance = balance - 1000 WHERE name = 'alice';
SELECT name, balance FROM account ORDER BY name;
COMMIT;
SELECT name, balance FROM account ORDER BY name;
.print -- ON CONFLICT ROLLBACK ends the transaction
BEGIN;
INSERT INTO account VALUES ('hank', 1);
INSERT OR ROLLBACK INTO account VALUES ('alice', 1);
SELECT count(*) FROM account WHERE name = 'hank';
.print -- misplaced statements
COMMIT;
ROLLBACK;
ROLLBACK TO nowhere;
RELEASE nowhere;
BEGIN;
BEGIN;
ROLLBACK;
.print -- many rows in one transaction, then rolled back
CREATE TABLE bulk (n INTEGER);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000) INSERT INTO bulk SELECT i FROM c;
SELECT count(*), sum(n) FROM bulk;
ROLLBACK;
SELECT count(*) FROM bulk;
SELECT * FROM account ORDER BY name;
PRAGMA integrity_check;
