-- Differential test (tests/host/test_diff.py): INSERT in its forms,
-- UPSERT, RETURNING, UPDATE, DELETE, changes(), quoting, blobs, NULLs,
-- and the shell's output modes. The REAL values that the quote and insert
-- modes and .dump print (20 significant digits, SQLite's own printf in
-- long double) are short binary fractions: others' 20th digit depends on
-- the machine's long double, not on the C library -- 0.24 prints as
-- 0.23999999999999999111 on an x86-64 host (80 bits), as
-- 0.23999999999999999112 (right) on AArch64 (128 bits), glibc on both.
CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE, qty INTEGER DEFAULT 0, price REAL, tag BLOB);
INSERT INTO item(name, qty, price) VALUES ('bolt', 100, 0.25), ('nut', 250, 0.125), ('washer', 75, 0.0625);
SELECT changes(), last_insert_rowid(), total_changes();
INSERT INTO item VALUES (10, 'gear', 3, 12.5, x'DEADBEEF');
INSERT INTO item(name) VALUES ('spring');
SELECT last_insert_rowid();
INSERT OR IGNORE INTO item(name, qty) VALUES ('bolt', 1);
SELECT changes();
INSERT OR REPLACE INTO item(id, name, qty, price) VALUES (2, 'nut', 300, 0.09375);
INSERT INTO item(name, qty) VALUES ('washer', 5) ON CONFLICT(name) DO UPDATE SET qty = qty + excluded.qty;
INSERT INTO item(name, qty) VALUES ('gear', 1) ON CONFLICT DO NOTHING;
INSERT INTO item(name, qty, price) VALUES ('cog', 8, 4.75) RETURNING id, name, qty * price AS value;
UPDATE item SET price = price * 2 WHERE price < 0.2 RETURNING name, price;
SELECT * FROM item ORDER BY id;
.print -- INSERT ... SELECT, UPDATE FROM, DELETE
CREATE TABLE copy AS SELECT name, qty FROM item WHERE qty > 50;
INSERT INTO copy SELECT upper(name), qty / 10 FROM item WHERE price IS NOT NULL ORDER BY name;
SELECT * FROM copy ORDER BY name COLLATE BINARY;
CREATE TABLE restock (name TEXT, extra INTEGER);
INSERT INTO restock VALUES ('bolt', 10), ('cog', 2), ('nothing', 99);
UPDATE item SET qty = qty + restock.extra FROM restock WHERE restock.name = item.name;
SELECT changes();
DELETE FROM item WHERE qty < 10 RETURNING name;
SELECT count(*), sum(qty), total(price) FROM item;
.print -- quoting, NULLs and blobs
INSERT INTO item(name, qty, price, tag) VALUES ('it''s "quoted"', NULL, NULL, x''), ('tab	and|pipe', -1, -0.5, zeroblob(3));
.mode quote
SELECT name, qty, price, tag, hex(tag), length(tag), typeof(tag) FROM item ORDER BY id;
.nullvalue <NULL>
.mode list
SELECT name, qty, price FROM item WHERE qty IS NULL OR qty < 0;
.nullvalue ''
SELECT quote('x''y'), quote(NULL), quote(1.5), quote(x'00ff'), char(72, 105), unicode('é'), hex('é');
SELECT printf('%5d|%-6s|%.3f|%e|%x|%q|%Q|%%', 42, 'ab', 3.14159, 12345.678, 255, 'it''s', NULL);
SELECT printf('%.15g %.17g %g %g %g', 0.1, 0.1, 1e100, 1.0/3, 123456789.0);
SELECT 0.1 + 0.2, 1e308 * 10, -1e308 * 10, 1.0 / 0, 4.0, 100000000000000000000.0, 1.5e-7;
SELECT round(2.5), round(-2.5), round(3.14159, 2), round(1234.5678, -2), abs(-7), max(3, 9, 1), min('b', 'a');
SELECT substr('hello world', 7), substr('hello', -3, 2), instr('banana', 'na'), replace('aaa', 'a', 'bb'),
       trim('  x  '), ltrim('xxy', 'x'), upper('abc'), lower('ÀBC'), length('héllo'), length(x'0102');
SELECT 'abc' LIKE 'A%', 'abc' GLOB 'A*', 'a_c' LIKE 'a\_c' ESCAPE '\', coalesce(NULL, NULL, 3), nullif(1, 1), iif(1 > 2, 'y', 'n');
.print -- output modes
.headers on
.mode csv
SELECT id, name, price FROM item WHERE id <= 3 ORDER BY id;
.mode column
SELECT id, name, qty FROM item ORDER BY id LIMIT 4;
.mode line
SELECT id, name FROM item WHERE id = 1;
.mode json
SELECT id, name, price, tag FROM item WHERE id IN (1, 10) ORDER BY id;
.mode markdown
SELECT id, name FROM item ORDER BY id LIMIT 3;
.mode box
SELECT id, name FROM item ORDER BY id LIMIT 3;
.mode table
SELECT id, name FROM item ORDER BY id LIMIT 3;
.mode insert item2
SELECT id, name, price FROM item ORDER BY id LIMIT 3;
.mode tabs
SELECT id, name FROM item ORDER BY id LIMIT 3;
.mode html
SELECT id, name FROM item WHERE id = 1;
.mode list
.separator ,
SELECT id, name FROM item ORDER BY id LIMIT 2;
.headers off
.dump item
