#!/usr/bin/env python3
"""Differential tests (docs/testing.md "Differential tests"): every script
of tests/os/diff runs on Keel and on the host, and the two must print the
same bytes.

  NAME.lua   Keel's /bin/lua against the host's lua5.4 (both Lua 5.4.4):
             `lua NAME.lua > NAME.out 2> NAME.err`
  NAME.sql   Keel's /bin/sqlite3 against the host's sqlite3 (both
             3.40.1): `sqlite3 NAME.db < NAME.sql > NAME.out 2> NAME.err`;
             then the host's sqlite3 opens the NAME.db Keel wrote:
             `PRAGMA integrity_check` must print ok and its `.dump` must
             be that of the host's own NAME.db

Each script is one test, lua_NAME or sql_NAME: its stdout, its stderr and
its exit status must be the host's, byte for byte (a failure shows a
unified diff, host first), and the host's exit status must be the one
the script declares in a line `-- exit status: N` (0 without one), so
that a script broken for both fails too. disk_clean: the host's `e2fsck
-fn` finds Keel's disk clean afterwards.

How the files travel: the host's debugfs writes the scripts into
/tmp/diff of a copy of the tests' disk (BUILD/test-logs/diff.img) before
boot; Keel (image osshell: no boot script) runs them there, from its
shell, with /tmp/diff as the current directory, types `sync` and `halt`;
then debugfs dumps the outputs and databases from the copy. The host
runs the same command lines in a scratch directory holding copies of the
scripts, so the paths in messages (`arith.lua:30: ...`) are the same.
The console goes to BUILD/test-logs/diff.console.log.

Speaks the result-line protocol (suite.py; `test=NAME` runs one: Keel
then runs only that script).

usage: test_diff.py [--build BUILD] [test=NAME]
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import suite  # noqa: E402
from mkdisk import host_tool  # noqa: E402
from qemu_cmd import disk_args, qemu_command  # noqa: E402
from test_httpd import Console, boot_files  # noqa: E402

SCRIPTS = os.path.join(ROOT, "tests", "os", "diff")
KEEL_DIR = "/tmp/diff"
HOST_LUA = "lua5.4"
HOST_SQLITE = "sqlite3"
DIFF_LINES = 40  # of a unified diff in a failure
SCRIPT_SECONDS = 120  # one script on Keel


class Options:
    build = "build"


options = Options()


class Script:
    """One script of tests/os/diff: its kind (lua or sql), its name, and
    the exit status it declares."""

    def __init__(self, filename):
        self.name, ext = os.path.splitext(filename)
        self.kind = ext[1:]
        self.filename = filename
        self.path = os.path.join(SCRIPTS, filename)
        self.status = 0
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"-- exit status: (\d+)$", line.strip())
                if m:
                    self.status = int(m.group(1))
                    break

    @property
    def test_name(self):
        return f"{self.kind}_{self.name}"

    def command(self):
        """The shell command, the same on both systems."""
        if self.kind == "lua":
            return f"lua {self.filename} > {self.name}.out 2> {self.name}.err"
        return f"sqlite3 {self.name}.db < {self.filename} > {self.name}.out 2> {self.name}.err"

    def outputs(self):
        """The files the command leaves, read back from both systems."""
        names = [f"{self.name}.out", f"{self.name}.err"]
        return names + [f"{self.name}.db"] if self.kind == "sql" else names


def all_scripts():
    return [Script(f) for f in sorted(os.listdir(SCRIPTS)) if f.endswith((".lua", ".sql"))]


class Result:
    """What a script left on one system: its files (name -> bytes, None if
    missing), its exit status (None if unknown), and on Keel the console's
    lines while it ran (pm's and the shell's messages)."""

    def __init__(self, files, status):
        self.files, self.status = files, status
        self.console = []


# --- the host -----------------------------------------------------------------

def host_program(name):
    found = shutil.which(name)
    if found is None:
        raise suite.Failure(f"the host's {name} is missing (tools/setup.sh installs it)")
    return found


def run_on_host(script, scratch):
    """The script's command in `scratch` (which holds a copy of it): its
    Result. argv[0] is `lua` as on Keel (the interpreter names itself by
    it in messages); HOME is the scratch directory (no ~/.sqliterc)."""
    shutil.copy(script.path, scratch)
    env = {"PATH": "/usr/bin:/bin", "HOME": scratch}
    out_path = os.path.join(scratch, f"{script.name}.out")
    err_path = os.path.join(scratch, f"{script.name}.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        if script.kind == "lua":
            proc = subprocess.run(["lua", script.filename], executable=host_program(HOST_LUA),
                                  cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=err, timeout=120)
        else:
            with open(os.path.join(scratch, script.filename), "rb") as sql:
                proc = subprocess.run([host_program(HOST_SQLITE), f"{script.name}.db"],
                                      cwd=scratch, env=env, stdin=sql, stdout=out, stderr=err,
                                      timeout=120)
    return Result(read_files(scratch, script.outputs()), proc.returncode)


def read_files(directory, names):
    files = {}
    for name in names:
        path = os.path.join(directory, name)
        files[name] = open(path, "rb").read() if os.path.exists(path) else None
    return files


def host_sqlite(db, *args):
    """The host's sqlite3 on the database file db: (status, stdout, stderr)."""
    proc = subprocess.run([host_program(HOST_SQLITE), db, *args], capture_output=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": os.path.dirname(db)})
    return proc.returncode, proc.stdout, proc.stderr


# --- Keel ---------------------------------------------------------------------

def debugfs(image, commands, write=False):
    """debugfs on image with `commands` (a list): its stderr."""
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs") as f:
        f.write("\n".join(commands) + "\n")
        f.flush()
        argv = [host_tool("debugfs")] + (["-w"] if write else []) + ["-f", f.name, image]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return proc.stderr


class Keel:
    """The scripts run on Keel: booted once, on the first test that asks."""

    def __init__(self, scripts):
        image, self.disk, logs = boot_files(options.build, "osshell", "diff.img")
        err = debugfs(self.disk, [f"mkdir {KEEL_DIR}"] +
                      [f"write {s.path} {KEEL_DIR}/{s.filename}" for s in scripts], write=True)
        if "rror" in err or "not found" in err:
            raise suite.Failure(f"debugfs writing the scripts: {err.strip()[-500:]}")
        self.statuses = {}
        self.console = {}  # script -> what the console showed while it ran
        self.console_log = os.path.join(logs, "diff.console.log")
        with open(self.console_log, "wb") as log:
            proc = subprocess.Popen(qemu_command(image, extra=disk_args(self.disk)),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                self.session(Console(proc, log), scripts)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, 9)
                    proc.wait(timeout=10)
        self.outputs = tempfile.mkdtemp(prefix="test_diff.keel.")
        names = [n for s in scripts for n in s.outputs()]
        debugfs(self.disk, [f"dump {KEEL_DIR}/{n} {os.path.join(self.outputs, n)}" for n in names])

    def session(self, console, scripts):
        """At the shell: cd, each script's command with its exit status
        echoed after it, sync, halt; QEMU must end with status 0."""
        console.wait_for(r"/ \$ $", 120)
        console.run(f"cd {KEEL_DIR}")
        for s in scripts:
            started = time.monotonic()
            lines = console.run(f"{s.command()}; echo rc=$?", SCRIPT_SECONDS)
            found = [int(m.group(1)) for m in map(re.compile(r"^rc=(\d+)$").match, lines) if m]
            self.statuses[s.name] = found[-1] if found else None
            self.console[s.name] = [line for line in lines if not re.match(r"^rc=\d+$", line)]
            print(f"keel: {s.filename}: status {self.statuses[s.name]} in "
                  f"{time.monotonic() - started:.1f} s", flush=True)
        console.halt(self.console_log)
        bad = [line for line in console.lines if "KERNEL PANIC" in line or "faulted" in line]
        if bad:
            raise suite.Failure(f"on the console: {bad[:3]}")

    def result(self, script):
        result = Result(read_files(self.outputs, script.outputs()), self.statuses.get(script.name))
        result.console = self.console.get(script.name, [])
        return result

    def close(self):
        shutil.rmtree(self.outputs, ignore_errors=True)


_keel = None
_keel_error = None


def keel(scripts):
    """The Keel run, made by the first test; one that failed fails every
    test without running again."""
    global _keel, _keel_error
    if _keel_error is not None:
        raise suite.Failure(f"the Keel run failed: {_keel_error}")
    if _keel is None:
        try:
            _keel = Keel(scripts)
        except Exception as e:
            _keel_error = e
            raise
    return _keel


# --- comparing ----------------------------------------------------------------

def unified(host, guest, name):
    """The first lines of a unified diff, host's bytes first."""
    a = host.decode(errors="backslashreplace").splitlines(keepends=True)
    b = guest.decode(errors="backslashreplace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, f"host/{name}", f"keel/{name}"))
    shown = "".join(line if line.endswith("\n") else line + "\n\\ no newline\n"
                    for line in lines[:DIFF_LINES])
    more = f"... {len(lines) - DIFF_LINES} more diff lines\n" if len(lines) > DIFF_LINES else ""
    return shown + more


def compare(script, host, guest):
    """Failure at the first difference: the host's status against the
    script's declaration, then stdout, stderr, and the status."""
    if host.status != script.status:
        err = (host.files[f"{script.name}.err"] or b"").decode(errors="replace").strip()
        raise suite.Failure(f"the host's run of {script.filename} ended with status "
                            f"{host.status}, the script declares {script.status}: {err[:300]!r}")
    if guest.status in (126, 127):  # the shell could not run the program
        raise suite.Failure(f"{script.command().split()[0]} did not start on Keel (status "
                            f"{guest.status}): {' / '.join(guest.console[-3:])}")
    for name in (f"{script.name}.out", f"{script.name}.err"):
        if guest.files[name] is None:
            raise suite.Failure(f"Keel left no {KEEL_DIR}/{name} (status {guest.status})")
        if guest.files[name] != host.files[name]:
            said = f"; Keel's console: {' / '.join(guest.console[-3:])}" if guest.console else ""
            raise suite.Failure(f"{name} differs (host {len(host.files[name])} bytes, Keel "
                                f"{len(guest.files[name])}, exit status {guest.status}{said}):\n"
                                + unified(host.files[name], guest.files[name], name))
    if guest.status != host.status:
        raise suite.Failure(f"exit status {guest.status} on Keel, {host.status} on the host")


def check_database(script, scratch, keel_run):
    """The NAME.db Keel wrote, opened by the host's sqlite3."""
    name = f"{script.name}.db"
    data = keel_run.result(script).files[name]
    if data is None:
        raise suite.Failure(f"Keel left no {KEEL_DIR}/{name}")
    keel_db = os.path.join(scratch, f"keel-{name}")
    with open(keel_db, "wb") as f:
        f.write(data)
    status, out, err = host_sqlite(keel_db, "PRAGMA integrity_check;")
    if status != 0 or out != b"ok\n":
        raise suite.Failure(f"the host's integrity_check of Keel's {name}: status {status}, "
                            f"{(out + err)[:500]!r}")
    dumps = []
    for db in (keel_db, os.path.join(scratch, name)):
        status, out, err = host_sqlite(db, ".dump")
        if status != 0 or err:
            raise suite.Failure(f".dump of {os.path.basename(db)}: status {status}, {err[:300]!r}")
        dumps.append(out)
    if dumps[0] != dumps[1]:
        raise suite.Failure(f"the host's .dump of Keel's {name} differs from its own:\n"
                            + unified(dumps[1], dumps[0], f"{name}.dump"))


def script_test(script, scripts):
    """The test of one script (named lua_NAME or sql_NAME)."""
    def run():
        keel_run = keel(scripts)
        scratch = tempfile.mkdtemp(prefix="test_diff.host.")
        try:
            compare(script, run_on_host(script, scratch), keel_run.result(script))
            if script.kind == "sql":
                check_database(script, scratch, keel_run)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    run.__name__ = script.test_name
    run.__module__ = "__main__"
    return run


def disk_clean_test(scripts):
    def disk_clean():
        keel_run = keel(scripts)
        check = subprocess.run([host_tool("e2fsck"), "-fn", keel_run.disk], capture_output=True,
                               text=True, timeout=120)
        if check.returncode != 0:
            raise suite.Failure(f"e2fsck -fn: status {check.returncode}: {check.stdout[-500:]}")
    disk_clean.__module__ = "__main__"
    return disk_clean


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    args, rest = parser.parse_known_args(argv)
    options.build = args.build
    scripts = all_scripts()
    only = suite.only_test(rest)
    # Keel runs only the script a `test=NAME` names (all for disk_clean).
    chosen = [s for s in scripts if s.test_name == only] or scripts
    for s in scripts:
        suite.test(script_test(s, chosen))
    suite.test(disk_clean_test(chosen))
    try:
        return suite.main(rest)
    finally:
        if _keel is not None:
            _keel.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
