#!/usr/bin/env python3
"""SQLite's crash safety on Keel (issue 17; docs/storage.md "What survives
which crash"): while Keel's /bin/sqlite3 runs a long transactional
workload on the ext2 disk, diskload's injector (tests/os/fs/diskload.c,
`diskload inject TARGET N KINDS SEED`) crashes, hangs and kills the
disk's driver (test blk) or its file-system server (test ext2) again and
again through rs. Afterwards:

  - sqlite3 printed no error, and its last line says the last
    transaction was committed;
  - on Keel, `PRAGMA integrity_check` says ok and every committed
    transaction is there: TRANSACTIONS rows whose sum is known, and the
    meta row the last transaction wrote;
  - the host's sqlite3 says the same of the database file that the host's
    debugfs dumps from the disk after Keel halted, and the host's
    `e2fsck -fn` finds the disk clean.

Each transaction inserts a row and updates another table; every tenth
also rewrites a seventh of the rows, so that its rollback journal spans
many pages. The workload is written on the host into /tmp of a copy of
the tests' disk (image osfs: diskload is on its disk).

Speaks the result-line protocol (suite.py; `test=NAME` runs one).

usage: test_sqlcrash.py [--build BUILD] [test=NAME]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))
import suite  # noqa: E402
from mkdisk import host_tool  # noqa: E402
from qemu_cmd import disk_args, qemu_command  # noqa: E402
from test_diff import debugfs, host_sqlite  # noqa: E402
from test_httpd import Console, boot_files  # noqa: E402

TRANSACTIONS = 400
INJECTIONS = 40
KINDS = "crash,hang,kill"
DB = "/home/crash.db"
WORKLOAD = "/tmp/crash.sql"
CHECK = "PRAGMA integrity_check; SELECT count(*), sum(c), (SELECT last FROM meta) FROM t;"
WORKLOAD_SECONDS = 900


class Options:
    build = "build"


options = Options()


def workload(journal_mode):
    """The SQL: the journal mode, a schema, then TRANSACTIONS transactions,
    each followed by a line saying it was committed."""
    lines = [f"PRAGMA journal_mode = {journal_mode};", "CREATE TABLE t(i INTEGER PRIMARY KEY, c INTEGER, v BLOB);",
             "CREATE TABLE meta(last INTEGER);", "INSERT INTO meta VALUES(0);"]
    for i in range(1, TRANSACTIONS + 1):
        body = f"INSERT INTO t VALUES({i}, {i * i}, randomblob(300)); UPDATE meta SET last = {i};"
        if i % 10 == 0:
            body += f" UPDATE t SET v = randomblob(300) WHERE i % 7 = {i % 7};"
        lines.append(f"BEGIN; {body} COMMIT; SELECT 'committed {i}';")
    return "\n".join(lines) + "\n"


def expected_rows():
    """What CHECK prints once every transaction is there."""
    total = sum(i * i for i in range(1, TRANSACTIONS + 1))
    return ["ok", f"{TRANSACTIONS}|{total}|{TRANSACTIONS}"]


def crash_run(target, seed, journal_mode):
    """Boot Keel on a disk copy holding the workload, run it under
    INJECTIONS faults into target, check it there, halt; the disk copy."""
    image, disk, logs = boot_files(options.build, "osfs", f"sqlcrash-{target}.img")
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as sql:
        sql.write(workload(journal_mode))
        sql.flush()
        err = debugfs(disk, [f"write {sql.name} {WORKLOAD}"], write=True)
    if "rror" in err or "not found" in err:
        raise suite.Failure(f"debugfs writing the workload: {err.strip()[-300:]}")
    console_log = os.path.join(logs, f"sqlcrash-{target}.console.log")
    with open(console_log, "wb") as log:
        proc = subprocess.Popen(qemu_command(image, extra=disk_args(disk)), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            session(Console(proc, log), target, seed, console_log)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=10)
    return disk


def session(console, target, seed, console_log):
    console.wait_for(r"/ \$ $", 120)
    lines = console.run(f"diskload inject {target} {INJECTIONS} {KINDS} {seed} & "
                        f"sqlite3 {DB} < {WORKLOAD} > /tmp/crash.out 2> /tmp/crash.err; "
                        f"echo rc=$?; wait", WORKLOAD_SECONDS)
    if "rc=0" not in lines:
        raise suite.Failure(f"sqlite3 did not end with status 0: {lines[-5:]} ({console_log})")
    if not any(re.match(rf"^diskload: {INJECTIONS} injections done$", line) for line in lines):
        raise suite.Failure(f"the injector did not finish its {INJECTIONS} injections: {lines[-5:]}")
    suite.expect_eq(console.run("cat /tmp/crash.err"), [], "sqlite3's errors under the faults")
    suite.expect_eq(console.run("grep -c committed /tmp/crash.out"), [str(TRANSACTIONS)],
                    "the transactions sqlite3 said it committed")
    suite.expect_eq(console.run(f'sqlite3 {DB} "{CHECK}"', 120), expected_rows(),
                    "on Keel afterwards, integrity and the rows of every committed transaction")
    console.halt(console_log)
    # (rs's "component ... faulted" lines are the injected crashes)
    bad = [line for line in console.lines
           if re.search(r"KERNEL PANIC|stays down|segmentation fault", line)]
    if bad:
        raise suite.Failure(f"on the console: {bad[:3]}")


def host_checks(disk, target):
    """The host's sqlite3 on the dumped database, and the host's e2fsck."""
    with tempfile.TemporaryDirectory(prefix="test_sqlcrash.") as scratch:
        db = os.path.join(scratch, "crash.db")
        debugfs(disk, [f"dump {DB} {db}"])
        if not os.path.exists(db):
            raise suite.Failure(f"debugfs could not dump {DB} from {disk}")
        status, out, err = host_sqlite(db, CHECK)
        suite.expect_eq((status, out.decode().splitlines(), err.decode()),
                        (0, expected_rows(), ""), f"the host's sqlite3 on {target}'s database")
    run = subprocess.run([host_tool("e2fsck"), "-fn", disk], capture_output=True, text=True,
                         timeout=300)
    if run.returncode != 0:
        raise suite.Failure(f"e2fsck -fn {disk}: status {run.returncode}: {run.stdout[-500:]}")


@suite.test
def blk():
    host_checks(crash_run("blk", 17, "DELETE"), "blk")


@suite.test
def ext2():
    host_checks(crash_run("ext2", 23, "DELETE"), "ext2")


# The other rollback journal modes: TRUNCATE and PERSIST commit by
# changing the journal file, not by removing it.
@suite.test
def ext2_truncate():
    host_checks(crash_run("ext2", 29, "TRUNCATE"), "ext2")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    args, rest = parser.parse_known_args(argv)
    options.build = args.build
    return suite.main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
