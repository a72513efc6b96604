#!/usr/bin/env python3
"""Tests of the utilities of user/bin (echo cat ls wc head grep kill sleep
date true false), built for the host under ASan/UBSan (BUILD/host/bin,
tests/host/bin.mk): each one's options and output, its errors on stderr
with status 1, its usage errors with status 2. Every run fails on a
sanitizer report. Speaks the result-line protocol; `test=NAME` runs one.

usage: test_utils.py [BUILD] [test=NAME]
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import suite  # noqa: E402

BUILD = "build"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def run(args, stdin="", cwd=None):
    """(status, stdout, stderr) of BUILD/host/bin/ARGS[0] ARGS[1:]."""
    path = os.path.abspath(os.path.join(BUILD, "host", "bin", args[0]))
    env = {"PATH": os.path.dirname(path), "ASAN_OPTIONS": "detect_leaks=1"}
    proc = subprocess.run([path] + args[1:], input=stdin.encode(), capture_output=True,
                          cwd=cwd, env=env, timeout=30)
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    for mark in SANITIZER_MARKS:
        if mark in err:
            raise suite.Failure(f"{args!r}: sanitizer report:\n{err[-2000:]}")
    if proc.returncode < 0:
        raise suite.Failure(f"{args!r} died of signal {-proc.returncode}")
    return proc.returncode, out, err


def expect(args, status, out, stdin="", cwd=None, err=None):
    """Status and stdout exact; stderr empty, or matching the regex err."""
    got_status, got_out, got_err = run(args, stdin, cwd)
    suite.expect_eq(got_out, out, f"stdout of {args!r}")
    suite.expect_eq(got_status, status, f"status of {args!r} (stderr {got_err!r})")
    if err is None and got_err:
        raise suite.Failure(f"{args!r}: unexpected stderr {got_err!r}")
    if err is not None and not re.search(err, got_err):
        raise suite.Failure(f"stderr of {args!r}: {got_err!r} does not match {err!r}")


def files(tmp, contents):
    for name, text in contents.items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)


@suite.test
def true_false():
    expect(["true"], 0, "")
    expect(["true", "ignored"], 0, "")
    expect(["false"], 1, "")


@suite.test
def echo():
    expect(["echo"], 0, "\n")
    expect(["echo", "a", "b  c"], 0, "a b  c\n")
    expect(["echo", "-n", "a", "b"], 0, "a b")
    expect(["echo", "-x", "\\n"], 0, "-x \\n\n")


@suite.test
def cat():
    with tempfile.TemporaryDirectory() as tmp:
        files(tmp, {"a": "one\n", "b": "two"})
        expect(["cat", "a", "b"], 0, "one\ntwo", cwd=tmp)
        expect(["cat"], 0, "from stdin\n", stdin="from stdin\n")
        expect(["cat", "a", "-", "b"], 0, "one\nmiddle\ntwo", stdin="middle\n", cwd=tmp)
        expect(["cat", "a", "missing", "b"], 1, "one\ntwo", cwd=tmp,
               err=r"^cat: missing: No such file or directory\n$")
        expect(["cat", "-z"], 2, "", err=r"usage: cat")
        big = "".join(f"{i}\n" for i in range(5000))
        expect(["cat"], 0, big, stdin=big)


@suite.test
def wc():
    with tempfile.TemporaryDirectory() as tmp:
        files(tmp, {"a": "one two\nthree\n", "b": "  x  "})
        expect(["wc", "a"], 0, "      2       3      14 a\n", cwd=tmp)
        expect(["wc", "-l", "a", "b"], 0, "      2 a\n      0 b\n      2 total\n", cwd=tmp)
        expect(["wc", "-w", "-c"], 0, "      3      11\n", stdin="a b\nc\t\n\n  \n")
        expect(["wc", "-lw"], 0, "      0       0\n")
        expect(["wc", "a", "missing"], 1, "      2       3      14 a\n      2       3      14 total\n",
               cwd=tmp,
               err=r"wc: missing: No such file")
        expect(["wc", "-q"], 2, "", err=r"unknown option -q\nusage: wc")


@suite.test
def head():
    lines = "".join(f"l{i}\n" for i in range(1, 16))
    with tempfile.TemporaryDirectory() as tmp:
        files(tmp, {"f": lines, "g": "g1\ng2"})
        expect(["head", "f"], 0, "".join(f"l{i}\n" for i in range(1, 11)), cwd=tmp)
        expect(["head", "-n", "2"], 0, "l1\nl2\n", stdin=lines)
        expect(["head", "-n3", "f"], 0, "l1\nl2\nl3\n", cwd=tmp)
        expect(["head", "-1", "f", "g"], 0, "==> f <==\nl1\n\n==> g <==\ng1\n", cwd=tmp)
        expect(["head", "-n", "0", "f"], 0, "", cwd=tmp)
        expect(["head", "-n", "5", "g"], 0, "g1\ng2", cwd=tmp)
        expect(["head", "missing"], 1, "", cwd=tmp, err=r"head: missing: No such file")
        expect(["head", "-n"], 2, "", err=r"usage: head")
        expect(["head", "-n", "x"], 2, "", err=r"bad line count")
        expect(["head", "-n", "-3"], 2, "", err=r"bad line count")


@suite.test
def ls():
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "dir"))
        files(tmp, {"b": "12345", ".hidden": "", "a": "", "dir/inner": "x"})
        expect(["ls"], 0, "a\nb\ndir\n", cwd=tmp)
        expect(["ls", "-a"], 0, ".\n..\n.hidden\na\nb\ndir\n", cwd=tmp)
        expect(["ls", "b", "dir"], 0, "b\n\ndir:\ninner\n", cwd=tmp)
        expect(["ls", "dir", "a"], 0, "dir:\ninner\na\n", cwd=tmp)
        os.utime(os.path.join(tmp, "b"), (0, 86400 * 365 + 3600 * 5 + 60 * 7))
        os.chmod(os.path.join(tmp, "b"), 0o640)
        expect(["ls", "-l", "b"], 0, "-rw-r-----        5 1971-01-01 05:07 b\n", cwd=tmp)
        status, out, err = run(["ls", "-la"], cwd=tmp)
        suite.expect_eq(status, 0, "ls -la")
        if not re.search(r"^d[rwx-]{9} +\d+ \d{4}-\d\d-\d\d \d\d:\d\d dir$", out, re.M):
            raise suite.Failure(f"ls -la: no directory line in {out!r}")
        expect(["ls", "missing", "a"], 1, "a\n", cwd=tmp, err=r"ls: missing: No such file")
        expect(["ls", "-R"], 2, "", err=r"unknown option -R\nusage: ls")


@suite.test
def grep():
    text = "Hello world\nfoo bar\nbaz\n[x]\na.c\nabc\n"
    expect(["grep", "o"], 0, "Hello world\nfoo bar\n", stdin=text)
    expect(["grep", "-v", "o"], 0, "baz\n[x]\na.c\nabc\n", stdin=text)
    expect(["grep", "-i", "^hello"], 0, "Hello world\n", stdin=text)
    expect(["grep", "^hello"], 1, "", stdin=text)
    expect(["grep", "-n", "ba"], 0, "2:foo bar\n3:baz\n", stdin=text)
    expect(["grep", "-c", "a"], 0, "4\n", stdin=text)
    expect(["grep", "-vc", "a"], 0, "2\n", stdin=text)
    expect(["grep", "z$"], 0, "baz\n", stdin=text)
    expect(["grep", "^f.*r$"], 0, "foo bar\n", stdin=text)
    expect(["grep", "a\\.c"], 0, "a.c\n", stdin=text)
    expect(["grep", "a.c"], 0, "a.c\nabc\n", stdin=text)
    expect(["grep", "\\[x]"], 0, "[x]\n", stdin=text)
    expect(["grep", "^[a-c][^a-z]"], 0, "a.c\n", stdin=text)
    expect(["grep", "[]]"], 0, "[x]\n", stdin=text)
    expect(["grep", "-i", "[A-C]$"], 0, "a.c\nabc\n", stdin=text)
    expect(["grep", "lo*"], 0, "Hello world\n", stdin=text)
    expect(["grep", "x*"], 0, text, stdin=text)
    expect(["grep", "^$"], 0, "\n", stdin="a\n\nb\n")
    expect(["grep", ""], 0, "a\n\n", stdin="a\n\n")
    expect(["grep", "a$b"], 0, "xa$b\n", stdin="ab\nxa$b\n")
    # stars do not backtrack: this would take ages to fail by trying every split
    expect(["grep", "-c", "a*" * 12 + "b"], 1, "0\n", stdin="a" * 5000 + "\n")
    with tempfile.TemporaryDirectory() as tmp:
        files(tmp, {"f": "one\ntwo\n", "g": "three\n"})
        expect(["grep", "-n", "o", "f", "g"], 0, "f:1:one\nf:2:two\n", cwd=tmp)
        expect(["grep", "-c", "e", "f", "g"], 0, "f:1\ng:1\n", cwd=tmp)
        expect(["grep", "o", "f", "missing"], 2, "f:one\nf:two\n", cwd=tmp,
               err=r"grep: missing: No such file")
    expect(["grep"], 2, "", err=r"no pattern\nusage: grep")
    expect(["grep", "-q", "x"], 2, "", err=r"unknown option")
    for bad in ("[abc", "*a", "a\\", "a**"):
        expect(["grep", bad], 2, "", stdin=text, err=r"bad pattern")


def sleeper():
    """A `sleep 30` with SIGINT at its default action: a test run started in
    the background (`make test &`) inherits SIGINT ignored."""
    return subprocess.Popen(["sleep", "30"],
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@suite.test
def kill():
    proc = sleeper()
    try:
        expect(["kill", "-INT", str(proc.pid)], 0, "")
        suite.expect_eq(proc.wait(timeout=10), -2, "sleep after kill -INT")
    finally:
        if proc.poll() is None:
            proc.kill()
    for args, sig in ((["-s", "KILL"], 9), (["-SIGTERM"], 15), (["-9"], 9), ([], 15)):
        proc = sleeper()
        try:
            expect(["kill"] + args + [str(proc.pid)], 0, "")
            suite.expect_eq(proc.wait(timeout=10), -sig, f"sleep after kill {args}")
        finally:
            if proc.poll() is None:
                proc.kill()
    status, out, _ = run(["kill", "-l"])
    suite.expect_eq((status, "2 INT" in out.splitlines()), (0, True), "kill -l")
    expect(["kill", "-FOO", "1"], 2, "", err=r"unknown signal FOO\nusage: kill")
    expect(["kill"], 2, "", err=r"no process id")
    expect(["kill", "-s"], 2, "", err=r"-s needs a signal")
    expect(["kill", "abc"], 2, "", err=r"kill: abc: not a process id")
    expect(["kill", "-0", "999999999"], 1, "", err=r"kill: 999999999: No such process")


@suite.test
def sleep():
    start = time.monotonic()
    expect(["sleep", "0.2"], 0, "")
    if time.monotonic() - start < 0.2:
        raise suite.Failure("sleep 0.2 returned early")
    expect(["sleep", "0"], 0, "")
    for bad in ([], ["x"], ["-1"], ["1", "2"], ["1s"]):
        expect(["sleep"] + bad, 2, "", err=r"usage: sleep")


@suite.test
def date():
    before = int(time.time())
    status, out, err = run(["date", "+%s"])
    after = int(time.time())
    suite.expect_eq((status, err), (0, ""), "date +%s")
    if not before <= int(out) <= after:
        raise suite.Failure(f"date +%s: {out!r} not in [{before}, {after}]")
    status, out, err = run(["date"])
    if status != 0 or not re.fullmatch(r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\n", out):
        raise suite.Failure(f"date: {status} {out!r}")
    expect(["date", "+%Y-x"], 0, time.strftime("%Y", time.gmtime()) + "-x\n")
    expect(["date", "+"], 0, "\n")
    expect(["date", "now"], 2, "", err=r"usage: date")


def main(argv):
    global BUILD
    BUILD = suite.positional(argv, BUILD)
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
