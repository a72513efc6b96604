#!/usr/bin/env python3
"""Tests of the file utilities of user/bin (mkdir rmdir rm mv cp touch
pwd), built for the host under ASan/UBSan (BUILD/host/bin,
tests/host/bin.mk): what each makes, moves and removes in a scratch
directory, its errors on stderr (`PROG: PATH: strerror`) with status 1,
its usage errors with status 2. Every run fails on a sanitizer report.
Speaks the result-line protocol; `test=NAME` runs one.

usage: test_fileutils.py [BUILD] [test=NAME]
"""

import os
import random
import stat
import sys
import tempfile
import time

import suite
import test_utils
from test_utils import expect, files


def tree(top):
    """Every path below top (relative, '/' after a directory), sorted."""
    found = []
    for root, dirs, names in os.walk(top):
        rel = os.path.relpath(root, top)
        prefix = "" if rel == "." else rel + "/"
        found += [prefix + d + "/" for d in dirs] + [prefix + n for n in names]
    return sorted(found)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def expect_tree(top, want, what):
    suite.expect_eq(tree(top), sorted(want), what)


@suite.test
def mkdir():
    with tempfile.TemporaryDirectory() as tmp:
        expect(["mkdir", "a", "b"], 0, "", cwd=tmp)
        expect_tree(tmp, ["a/", "b/"], "after mkdir a b")
        expect(["mkdir", "a"], 1, "", cwd=tmp, err=r"^mkdir: a: File exists\n$")
        expect(["mkdir", "x/y"], 1, "", cwd=tmp, err=r"^mkdir: x/y: No such file or directory\n$")
        # one failure does not stop the others
        expect(["mkdir", "a", "c"], 1, "", cwd=tmp, err=r"^mkdir: a: File exists\n$")
        expect_tree(tmp, ["a/", "b/", "c/"], "after mkdir a c")
        expect(["mkdir"], 2, "", err=r"^mkdir: missing operand\nusage: mkdir \[-p\] DIR\.\.\.\n$")
        expect(["mkdir", "-z", "d"], 2, "", cwd=tmp, err=r"^mkdir: unknown option -z\nusage: mkdir")
        expect(["mkdir", "--", "-d"], 0, "", cwd=tmp)
        suite.expect_eq(os.path.isdir(os.path.join(tmp, "-d")), True, "mkdir -- -d")


@suite.test
def mkdir_parents():
    with tempfile.TemporaryDirectory() as tmp:
        expect(["mkdir", "-p", "n1/n2/n3", "a//b/"], 0, "", cwd=tmp)
        expect_tree(tmp, ["n1/", "n1/n2/", "n1/n2/n3/", "a/", "a/b/"], "after mkdir -p")
        expect(["mkdir", "-p", "n1/n2", "n1"], 0, "", cwd=tmp)
        expect(["mkdir", "-p", os.path.join(tmp, "abs/olute")], 0, "")
        suite.expect_eq(os.path.isdir(os.path.join(tmp, "abs/olute")), True, "mkdir -p /abs")
        files(tmp, {"f": ""})
        expect(["mkdir", "-p", "f"], 1, "", cwd=tmp, err=r"^mkdir: f: File exists\n$")
        expect(["mkdir", "-p", "f/g"], 1, "", cwd=tmp, err=r"^mkdir: f: Not a directory\n$")
        expect(["mkdir", "-p", ""], 1, "", cwd=tmp, err=r"^mkdir: : No such file or directory\n$")
        expect(["mkdir", "-p"], 2, "", err=r"missing operand")


@suite.test
def rmdir():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "full/inner"))
        os.mkdir(os.path.join(tmp, "empty"))
        files(tmp, {"f": "x"})
        expect(["rmdir", "full"], 1, "", cwd=tmp, err=r"^rmdir: full: Directory not empty\n$")
        expect(["rmdir", "f"], 1, "", cwd=tmp, err=r"^rmdir: f: Not a directory\n$")
        expect(["rmdir", "none"], 1, "", cwd=tmp, err=r"^rmdir: none: No such file or directory\n$")
        expect(["rmdir", "full/inner", "empty"], 0, "", cwd=tmp)
        expect_tree(tmp, ["full/", "f"], "after rmdir")
        expect(["rmdir"], 2, "", err=r"^rmdir: missing operand\nusage: rmdir DIR\.\.\.\n$")
        expect(["rmdir", "-p", "full"], 2, "", cwd=tmp, err=r"unknown option -p")


@suite.test
def rm():
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "d"))
        files(tmp, {"a": "1", "b": "2", "c": "3"})
        expect(["rm", "a"], 0, "", cwd=tmp)
        expect(["rm", "b", "missing", "c"], 1, "", cwd=tmp,
               err=r"^rm: missing: No such file or directory\n$")
        expect_tree(tmp, ["d/"], "after rm b missing c")
        expect(["rm", "d"], 1, "", cwd=tmp, err=r"^rm: d: Is a directory\n$")
        expect(["rm", "-f", "missing", "d/nothing"], 0, "", cwd=tmp)
        expect(["rm", "-f"], 0, "")
        expect(["rm"], 2, "", err=r"^rm: missing operand\nusage: rm \[-f\] \[-r\] PATH\.\.\.\n$")
        expect(["rm", "-i", "d"], 2, "", cwd=tmp, err=r"^rm: unknown option -i\nusage: rm")
        # ("/" too, but that is for the OS test to try: not on this machine)
        for refused in (".", "..", "d/.", "d/..", "d/./"):
            expect(["rm", "-rf", refused], 1, "", cwd=tmp,
                   err=r'^rm: %s: refusing to remove "\.", "\.\." or "/"\n$' % refused)
        expect_tree(tmp, ["d/"], "after the refused removals")


@suite.test
def rm_recursive():
    with tempfile.TemporaryDirectory() as tmp:
        outside = os.path.join(tmp, "outside")
        os.makedirs(os.path.join(tmp, "t/a/b/c"))
        os.makedirs(os.path.join(outside, "keep"))
        files(tmp, {"t/f": "1", "t/.hidden": "2", "t/a/g": "3", "t/a/b/c/h": "4",
                    "outside/keep/k": "5"})
        # a link to a directory is removed, never followed
        os.symlink(outside, os.path.join(tmp, "t/a/link"))
        expect(["rm", "-r", "t"], 0, "", cwd=tmp)
        expect_tree(tmp, ["outside/", "outside/keep/", "outside/keep/k"], "after rm -r t")
        os.makedirs(os.path.join(tmp, "u/v"))
        expect(["rm", "-R", "u/"], 0, "", cwd=tmp)
        expect(["rm", "-rf", "u", "outside/keep/k"], 0, "", cwd=tmp)
        expect_tree(tmp, ["outside/", "outside/keep/"], "after rm -R u/ and rm -rf")
        expect(["rm", "-r", "u"], 1, "", cwd=tmp, err=r"^rm: u: No such file or directory\n$")


@suite.test
def mv():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "d/sub"))
        files(tmp, {"a": "alpha", "b": "beta", "c": "gamma", "old": "replaced"})
        expect(["mv", "a", "renamed"], 0, "", cwd=tmp)
        suite.expect_eq(read(os.path.join(tmp, "renamed")), b"alpha", "mv a renamed")
        expect(["mv", "renamed", "old"], 0, "", cwd=tmp)
        suite.expect_eq(read(os.path.join(tmp, "old")), b"alpha", "mv onto a file")
        expect(["mv", "old", "d"], 0, "", cwd=tmp)
        expect(["mv", "b", "c", "d/"], 0, "", cwd=tmp)
        expect(["mv", "d/sub", "top"], 0, "", cwd=tmp)
        expect_tree(tmp, ["d/", "d/old", "d/b", "d/c", "top/"], "after the moves")
        suite.expect_eq(read(os.path.join(tmp, "d/c")), b"gamma", "mv b c d/")
        # a link is moved itself, even one that leads nowhere
        os.symlink("nowhere", os.path.join(tmp, "dangling"))
        expect(["mv", "dangling", "d"], 0, "", cwd=tmp)
        suite.expect_eq(os.readlink(os.path.join(tmp, "d/dangling")), "nowhere", "mv of a link")


def operand_errors(prog, tmp):
    """The operand errors cp and mv share (fileutil_each_into); tmp holds
    the files f and g, which stay as they are."""
    usage = rf"usage: {prog} SRC DST \| {prog} SRC\.\.\. DIR\n$"
    expect([prog], 2, "", err=rf"^{prog}: missing operand\n{usage}")
    expect([prog, "f"], 2, "", cwd=tmp, err=rf"^{prog}: missing destination\nusage: {prog}")
    expect([prog, "-r", "f", "x"], 2, "", cwd=tmp, err=rf"^{prog}: unknown option -r\n")
    expect([prog, "none", "x"], 1, "", cwd=tmp, err=rf"^{prog}: none: No such file or directory\n$")
    expect([prog, "f", "g", "f2"], 1, "", cwd=tmp,
           err=rf"^{prog}: f2: No such file or directory\n$")
    expect([prog, "f", "g", "g"], 1, "", cwd=tmp, err=rf"^{prog}: g: Not a directory\n$")


@suite.test
def mv_errors():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "d/f/inner"))
        os.makedirs(os.path.join(tmp, "e/x"))
        os.makedirs(os.path.join(tmp, "d/e/keep"))
        files(tmp, {"f": "file", "g": "other"})
        operand_errors("mv", tmp)
        # f into d, where d/f is a directory
        expect(["mv", "f", "d"], 1, "", cwd=tmp, err=r"^mv: f -> d/f: Is a directory\n$")
        # a directory onto a non-empty directory, onto a file
        expect(["mv", "e", "d"], 1, "", cwd=tmp, err=r"^mv: e -> d/e: Directory not empty\n$")
        expect(["mv", "d", "d/f/inner"], 1, "", cwd=tmp,
               err=r"^mv: d -> d/f/inner/d: Invalid argument\n$")
        expect(["mv", "f", "nodir/x"], 1, "", cwd=tmp,
               err=r"^mv: f -> nodir/x: No such file or directory\n$")
        os.mkdir(os.path.join(tmp, "z"))
        expect(["mv", "z", "g"], 1, "", cwd=tmp, err=r"^mv: z -> g: Not a directory\n$")
        expect_tree(tmp, ["d/", "d/e/", "d/e/keep/", "d/f/", "d/f/inner/", "e/", "e/x/", "f", "g",
                          "z/"], "after the failed moves")


@suite.test
def cp():
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "d"))
        files(tmp, {"a": "alpha\n", "b": "beta\n", "long": "x" * 100})
        os.chmod(os.path.join(tmp, "a"), 0o640)
        expect(["cp", "a", "copy"], 0, "", cwd=tmp)
        suite.expect_eq(read(os.path.join(tmp, "copy")), b"alpha\n", "cp a copy")
        suite.expect_eq(stat.S_IMODE(os.stat(os.path.join(tmp, "copy")).st_mode), 0o640,
                        "mode of the copy")
        expect(["cp", "b", "long"], 0, "", cwd=tmp)
        suite.expect_eq(read(os.path.join(tmp, "long")), b"beta\n", "cp onto a longer file")
        expect(["cp", "a", "d"], 0, "", cwd=tmp)
        expect(["cp", "a", "b", "d/"], 0, "", cwd=tmp)
        files(tmp, {"empty": ""})
        expect(["cp", "empty", "d/empty"], 0, "", cwd=tmp)
        expect_tree(tmp, ["a", "b", "copy", "long", "empty", "d/", "d/a", "d/b", "d/empty"],
                    "after the copies")
        suite.expect_eq(read(os.path.join(tmp, "d/b")), b"beta\n", "cp a b d/")
        suite.expect_eq(read(os.path.join(tmp, "a")), b"alpha\n", "the source after cp")


@suite.test
def cp_large():
    data = random.Random(7).randbytes(3 * 1024 * 1024 + 17)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "big"), "wb") as f:
            f.write(data)
        expect(["cp", "big", "big2"], 0, "", cwd=tmp)
        suite.expect_eq(read(os.path.join(tmp, "big2")) == data, True, "the copy of 3 MiB")


@suite.test
def cp_errors():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "d/a"))
        files(tmp, {"a": "alpha", "f": "file", "g": "other"})
        operand_errors("cp", tmp)
        expect(["cp", "d", "e"], 1, "", cwd=tmp, err=r"^cp: d: Is a directory\n$")
        # a into d, where d/a is a directory
        expect(["cp", "a", "d"], 1, "", cwd=tmp, err=r"^cp: d/a: Is a directory\n$")
        expect(["cp", "a", "a"], 1, "", cwd=tmp, err=r"^cp: a and a are the same file\n$")
        expect(["cp", "a", "./"], 1, "", cwd=tmp, err=r"^cp: a and \./a are the same file\n$")
        expect(["cp", "a", "none/x"], 1, "", cwd=tmp,
               err=r"^cp: none/x: No such file or directory\n$")
        # one failure does not stop the other sources
        os.mkdir(os.path.join(tmp, "e"))
        expect(["cp", "none", "a", "e"], 1, "", cwd=tmp, err=r"^cp: none: No such file")
        expect_tree(tmp, ["a", "f", "g", "d/", "d/a/", "e/", "e/a"], "after the failed copies")
        suite.expect_eq(read(os.path.join(tmp, "a")), b"alpha", "a after cp a a")


@suite.test
def touch():
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "d"))
        files(tmp, {"old": "kept"})
        os.utime(os.path.join(tmp, "old"), (1000, 1000))
        expect(["touch", "new", "old", "d", "d/inner"], 0, "", cwd=tmp)
        expect_tree(tmp, ["d/", "d/inner", "new", "old"], "after touch")
        suite.expect_eq(read(os.path.join(tmp, "new")), b"", "a touched new file")
        suite.expect_eq(read(os.path.join(tmp, "old")), b"kept", "a touched old file")
        mtime = os.stat(os.path.join(tmp, "old")).st_mtime
        if not time.time() - 600 <= mtime <= time.time() + 1:
            raise suite.Failure(f"its time: {mtime}, not now (touch sets it)")
        expect(["touch", "none/x", "z"], 1, "", cwd=tmp,
               err=r"^touch: none/x: No such file or directory\n$")
        expect(["touch", "old/x"], 1, "", cwd=tmp, err=r"^touch: old/x: Not a directory\n$")
        suite.expect_eq(os.path.exists(os.path.join(tmp, "z")), True, "touch after a failure")
        expect(["touch"], 2, "", err=r"^touch: missing operand\nusage: touch FILE\.\.\.\n$")


@suite.test
def pwd():
    with tempfile.TemporaryDirectory() as tmp:
        real = os.path.realpath(tmp)
        expect(["pwd"], 0, real + "\n", cwd=tmp)
        # deeper than its first buffer: it grows
        deep = os.path.join(real, *(["d" * 60] * 8))
        os.makedirs(deep)
        expect(["pwd"], 0, deep + "\n", cwd=deep)
        expect(["pwd", "x"], 2, "", err=r"^pwd: too many arguments\nusage: pwd\n$")
        expect(["pwd", "-L"], 2, "", err=r"^pwd: unknown option -L\n")
        # the directory is gone: the shell (builtin cd) runs pwd in it
        gone = os.path.join(real, "gone")
        os.mkdir(gone)
        binary = os.path.abspath(os.path.join(test_utils.BUILD, "host", "bin", "pwd"))
        expect(["sh", "-c", f"cd {gone} && rmdir {gone} && {binary}"], 1, "",
               err=r"^pwd: No such file or directory\n$")


def main(argv):
    test_utils.BUILD = suite.positional(argv, test_utils.BUILD)
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
