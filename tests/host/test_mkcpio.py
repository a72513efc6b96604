#!/usr/bin/env python3
"""Tests of tools/mkcpio.py, the newc cpio writer of the Linux benchmark
initramfs: a hand-written known answer, a reader of the format written here
from the specification (not from the writer), alignment for every name and
data length, parent directories, determinism, and every input the writer
must refuse. Speaks the result-line protocol; `test=NAME` runs one test."""

import os
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mkcpio  # noqa: E402
import suite  # noqa: E402

from suite import expect_eq  # noqa: E402

FIELDS = ("ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor", "devminor",
          "rdevmajor", "rdevminor", "namesize", "check")


def read_archive(blob):
    """[(name, fields, data)] up to and without the trailer; raises Failure
    on anything the newc format does not allow."""
    entries, pos = [], 0
    while True:
        if pos % 4 != 0:
            raise suite.Failure(f"header at {pos}, not 4-byte aligned")
        head = blob[pos:pos + 110]
        if len(head) != 110 or head[:6] != b"070701":
            raise suite.Failure(f"no newc header at {pos}: {head[:6]!r}")
        fields = {k: int(head[6 + 8 * i:14 + 8 * i], 16) for i, k in enumerate(FIELDS)}
        name_end = pos + 110 + fields["namesize"]
        raw_name = blob[pos + 110:name_end]
        if not raw_name.endswith(b"\0") or b"\0" in raw_name[:-1]:
            raise suite.Failure(f"name at {pos} not NUL-terminated once: {raw_name!r}")
        data_at = name_end + (-name_end) % 4
        if any(blob[name_end:data_at]):
            raise suite.Failure(f"name padding at {name_end} is not NULs")
        data_end = data_at + fields["filesize"]
        pos = data_end + (-data_end) % 4
        if any(blob[data_end:pos]) or pos > len(blob):
            raise suite.Failure(f"data padding at {data_end} wrong")
        name = raw_name[:-1].decode()
        if name == "TRAILER!!!":
            if pos != len(blob):
                raise suite.Failure(f"{len(blob) - pos} bytes after the trailer")
            return entries
        entries.append((name, fields, blob[data_at:data_end]))


def run_cli(*args):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.cpio")
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mkcpio.py"),
                               "-o", out, *[a.replace("{dir}", d) for a in args]],
                              capture_output=True, text=True, check=False)
        blob = open(out, "rb").read() if os.path.exists(out) else None
        leftovers = sorted(set(os.listdir(d)) - {"out.cpio", "exe", "plain"})
        return proc, blob, leftovers


def expect_refused(what, *args):
    proc, blob, leftovers = run_cli(*args)
    expect_eq(proc.returncode, 2, f"{what}: exit status")
    expect_eq(blob, None, f"{what}: output file")
    expect_eq(leftovers, [], f"{what}: files left")
    if not proc.stderr.startswith("mkcpio: "):
        raise suite.Failure(f"{what}: unclear message {proc.stderr!r}")


@suite.test
def known_answer():
    a = mkcpio.Archive()
    a.add_file("/x", b"hi", 0o755)
    want = (b"070701" + b"00000001" + b"000081ED" + b"00000000" * 2 + b"00000001" +
            b"00000000" + b"00000002" + b"00000000" * 4 + b"00000002" + b"00000000" +
            b"x\0" + b"hi\0\0" +
            b"070701" + b"00000000" * 4 + b"00000001" + b"00000000" * 6 + b"0000000B" +
            b"00000000" + b"TRAILER!!!\0" + b"\0\0\0")
    # 110 + 2 = 112: no name padding; data 2 -> 2 NULs; trailer 110 + 11 = 121 -> 3 NULs.
    expect_eq(a.data(), want, "archive bytes")


@suite.test
def round_trip_of_every_kind():
    a = mkcpio.Archive()
    a.add_dir("/dev")
    a.add_char("/dev/console", 5, 1)
    a.add_file("/init", b"\x7fELF" + bytes(range(256)) * 3, 0o755)
    a.add_file("/bin/osbench-exit", b"", 0o644)
    got = [(n, f["mode"], f["nlink"], f["rdevmajor"], f["rdevminor"], d)
           for n, f, d in read_archive(a.data())]
    expect_eq(got, [
        ("dev", stat.S_IFDIR | 0o755, 2, 0, 0, b""),
        ("dev/console", stat.S_IFCHR | 0o600, 1, 5, 1, b""),
        ("init", stat.S_IFREG | 0o755, 1, 0, 0, b"\x7fELF" + bytes(range(256)) * 3),
        ("bin", stat.S_IFDIR | 0o755, 2, 0, 0, b""),
        ("bin/osbench-exit", stat.S_IFREG | 0o644, 1, 0, 0, b""),
    ], "entries read back")


@suite.test
def every_name_and_data_length_aligns():
    a = mkcpio.Archive()
    for n in range(1, 10):
        for size in range(0, 6):
            a.add_file(f"{'n' * n}/{size}", b"\xa5" * size)
    entries = read_archive(a.data())
    files = [(n, d) for n, f, d in entries if stat.S_ISREG(f["mode"])]
    expect_eq(len(files), 54, "files read back")
    for name, data in files:
        expect_eq(data, b"\xa5" * int(name.rpartition("/")[2]), f"data of {name}")


@suite.test
def owner_time_and_inodes_are_fixed():
    def build():
        a = mkcpio.Archive()
        a.add_file("a/b/c", b"data")
        a.add_char("d", 1, 3)
        return a.data()
    blob = build()
    expect_eq(blob, build(), "second run")
    entries = read_archive(blob)
    expect_eq([f["ino"] for _, f, _ in entries], [1, 2, 3, 4], "inode numbers")
    for name, f, _ in entries:
        expect_eq((f["uid"], f["gid"], f["mtime"], f["check"]), (0, 0, 0, 0), name)


@suite.test
def parents_come_first_once():
    a = mkcpio.Archive()
    a.add_file("/a/b/c", b"1")
    a.add_file("/a/b/d", b"2")
    a.add_dir("/e")
    expect_eq([n for n, _, _ in read_archive(a.data())], ["a", "a/b", "a/b/c", "a/b/d", "e"],
              "order")


@suite.test
def bad_paths_refused():
    for path in ("", "/", "a/../b", "./a", "a//b", "a/."):
        try:
            mkcpio.Archive().add_dir(path)
        except mkcpio.CpioError:
            continue
        raise suite.Failure(f"path {path!r} accepted")
    a = mkcpio.Archive()
    a.add_dir("/x")
    try:
        a.add_file("x", b"")
    except mkcpio.CpioError:
        return
    raise suite.Failure("a path given twice was accepted")


@suite.test
def cli_writes_in_order_with_modes():
    with tempfile.TemporaryDirectory() as d:
        exe, plain = os.path.join(d, "exe"), os.path.join(d, "plain")
        with open(exe, "wb") as f:
            f.write(b"#!x")
        os.chmod(exe, 0o755)
        with open(plain, "wb") as f:
            f.write(b"text")
        os.chmod(plain, 0o644)
        proc, blob, _ = run_cli("--file", f"/init={exe}", "--char", "/dev/console=5,1",
                                "--file", f"/etc/plain={plain}", "--dir", "/root")
    expect_eq((proc.returncode, proc.stderr), (0, ""), "exit status and message")
    got = [(n, f["mode"], d) for n, f, d in read_archive(blob)]
    expect_eq(got, [("init", stat.S_IFREG | 0o755, b"#!x"), ("dev", stat.S_IFDIR | 0o755, b""),
                    ("dev/console", stat.S_IFCHR | 0o600, b""),
                    ("etc", stat.S_IFDIR | 0o755, b""),
                    ("etc/plain", stat.S_IFREG | 0o644, b"text"),
                    ("root", stat.S_IFDIR | 0o755, b"")], "entries")


@suite.test
def cli_refusals_write_nothing():
    expect_refused("missing source", "--file", "/init={dir}/nothing")
    expect_refused("no source", "--file", "/init")
    expect_refused("device without numbers", "--char", "/dev/console")
    expect_refused("device number not a number", "--char", "/dev/console=5,x")
    expect_refused("device with three numbers", "--char", "/dev/console=5,1,2")
    expect_refused("negative device number", "--char", "/dev/console=-1,1")
    expect_refused("dot-dot", "--dir", "/a/../b")
    expect_refused("twice", "--dir", "/a", "--dir", "a")


def main(argv):
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
