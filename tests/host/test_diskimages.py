#!/usr/bin/env python3
"""Tests of the disk-image tools: tools/mkdisk.py (the `disk` lines of
descriptions, several descriptions at once, and --refresh, which writes
only the programs newer than the image into it and keeps the rest) and
tools/mkbenchdisk.py (the cold files' bytes as osbench reads them,
files put into the image, nothing left behind on failure). Small images made here; the host's
debugfs and e2fsck read them. Speaks the result-line protocol; `test=NAME`
runs one test."""

import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mkdisk  # noqa: E402
import suite  # noqa: E402

from suite import expect_eq  # noqa: E402

MKDISK = os.path.join(ROOT, "tools", "mkdisk.py")
MKBENCHDISK = os.path.join(ROOT, "tools", "mkbenchdisk.py")


def debugfs_cat(image, path):
    done = subprocess.run([mkdisk.host_tool("debugfs"), "-R", f"cat {path}", image],
                          capture_output=True, check=True)
    return done.stdout


def fsck_clean(image):
    done = subprocess.run([mkdisk.host_tool("e2fsck"), "-fn", image], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise suite.Failure(f"e2fsck -fn {image}: exit {done.returncode}\n{done.stdout}")


class Workspace:
    """A directory with two 'ELF' files and two descriptions naming them."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="diskimages.")
        self.elves = os.path.join(self.dir, "elves")
        os.mkdir(self.elves)
        for name, text in (("one.elf", b"first program\n"), ("two.elf", b"second program\n")):
            with open(os.path.join(self.elves, name), "wb") as f:
                f.write(text)
        self.system = self.file("a.system", "disk bin/one one.elf\nfile bin/archived one.elf\n")
        self.more = self.file("b.system", "# more\ndisk bin/two two.elf\ndisk etc/deep/x one.elf\n")
        self.image = os.path.join(self.dir, "disk.img")
        return self

    def file(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def mkdisk(self, *extra):
        argv = [sys.executable, MKDISK, "--system", self.system, "--system", self.more,
                "--elf-dir", self.elves, "--size", "8M", "-o", self.image, *extra]
        return subprocess.run(argv, capture_output=True, text=True)

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)


@suite.test
def mkdisk_takes_disk_lines_of_every_description():
    with Workspace() as w:
        done = w.mkdisk()
        expect_eq(done.returncode, 0, f"mkdisk exit ({done.stderr})")
        expect_eq(debugfs_cat(w.image, "/bin/one"), b"first program\n", "/bin/one")
        expect_eq(debugfs_cat(w.image, "/bin/two"), b"second program\n", "/bin/two")
        expect_eq(debugfs_cat(w.image, "/etc/deep/x"), b"first program\n", "/etc/deep/x")
        expect_eq(debugfs_cat(w.image, "/bin/archived"), b"", "a `file` line (the archive's)")
        fsck_clean(w.image)


@suite.test
def refresh_writes_newer_programs_and_keeps_the_rest():
    with Workspace() as w:
        expect_eq(w.mkdisk().returncode, 0, "mkdisk")
        subprocess.run([mkdisk.host_tool("debugfs"), "-w", "-R",
                        f"write {w.system} /home-note", w.image], capture_output=True, check=True)
        old = os.path.getmtime(w.image) - 60
        os.utime(w.image, (old, old))
        os.utime(os.path.join(w.elves, "one.elf"), (old - 60, old - 60))  # older: kept
        with open(os.path.join(w.elves, "two.elf"), "wb") as f:
            f.write(b"second program, rebuilt\n")
        done = w.mkdisk("--refresh")
        expect_eq(done.returncode, 0, f"refresh exit ({done.stderr})")
        expect_eq(done.stdout.count("mkdisk.py: /"), 1, f"files written: {done.stdout!r}")
        expect_eq(debugfs_cat(w.image, "/bin/two"), b"second program, rebuilt\n", "/bin/two")
        expect_eq(debugfs_cat(w.image, "/bin/one"), b"first program\n", "/bin/one")
        with open(w.system, "rb") as f:
            expect_eq(debugfs_cat(w.image, "/home-note"), f.read(), "a file a run wrote")
        fsck_clean(w.image)


@suite.test
def refresh_makes_missing_directories_only():
    with Workspace() as w:
        expect_eq(w.mkdisk().returncode, 0, "mkdisk")
        with open(w.more, "a") as f:
            f.write("disk opt/new/y two.elf\n")
        old = os.path.getmtime(w.image) - 60
        os.utime(w.image, (old, old))
        expect_eq(w.mkdisk("--refresh").returncode, 0, "refresh")
        expect_eq(debugfs_cat(w.image, "/opt/new/y"), b"second program\n", "/opt/new/y")
        fsck_clean(w.image)  # no directory made twice


@suite.test
def refresh_without_an_image_makes_one():
    with Workspace() as w:
        expect_eq(w.mkdisk("--refresh").returncode, 0, "mkdisk --refresh")
        expect_eq(debugfs_cat(w.image, "/bin/two"), b"second program\n", "/bin/two")


@suite.test
def bench_disk_cold_files_as_osbench_reads_them():
    with Workspace() as w:
        expect_eq(w.mkdisk().returncode, 0, "mkdisk")
        out = os.path.join(w.dir, "bench.img")
        done = subprocess.run([sys.executable, MKBENCHDISK, "--from", w.image, "-o", out,
                               "--files", "2"], capture_output=True, text=True)
        expect_eq(done.returncode, 0, f"mkbenchdisk exit ({done.stderr})")
        for n in range(2):
            data = debugfs_cat(out, f"/bench/cold-{n:02d}")
            expect_eq(len(data), 1 << 20, f"cold-{n:02d} size")
            # Block 5's header and byte 100, from the rule osbench checks.
            header, = struct.unpack_from("<Q", data, 5 * 4096)
            expect_eq(header, 0x4F53420000000000 | n << 20 | 5, f"cold-{n:02d} block 5 header")
            expect_eq(data[5 * 4096 + 100], 1 + (31 * n + 100) % 251, f"cold-{n:02d} byte")
        expect_eq(debugfs_cat(out, "/bin/one"), b"first program\n", "the source's files kept")
        fsck_clean(out)


@suite.test
def bench_disk_puts_files_replacing_and_in_new_directories():
    with Workspace() as w:
        expect_eq(w.mkdisk().returncode, 0, "mkdisk")
        out = os.path.join(w.dir, "apps.img")
        script = w.file("script.lua", "print(1)\n")
        program = os.path.join(w.elves, "two.elf")
        os.chmod(program, 0o755)
        done = subprocess.run([sys.executable, MKBENCHDISK, "--from", w.image, "-o", out,
                               "--files", "0", "--put", f"/bench/deep/script.lua={script}",
                               "--put", f"/bin/one={program}"], capture_output=True, text=True)
        expect_eq(done.returncode, 0, f"mkbenchdisk exit ({done.stderr})")
        expect_eq(debugfs_cat(out, "/bench/deep/script.lua"), b"print(1)\n", "a new file")
        expect_eq(debugfs_cat(out, "/bin/one"), b"second program\n", "a file replaced")
        expect_eq(debugfs_cat(out, "/bin/two"), b"second program\n", "the source's files kept")
        stat = subprocess.run([mkdisk.host_tool("debugfs"), "-R", "stat /bin/one", out],
                              capture_output=True, text=True, check=True).stdout
        expect_eq("Mode:  0755" in stat, True, f"an executable's mode: {stat.splitlines()[:1]}")
        expect_eq(debugfs_cat(out, "/bench/cold-00"), b"", "no cold files with --files 0")
        fsck_clean(out)  # no directory made twice, nothing unconnected


@suite.test
def bench_disk_failure_leaves_nothing():
    with Workspace() as w:
        with open(w.image, "wb") as f:
            f.write(b"not a file system" * 1000)
        out = os.path.join(w.dir, "bench.img")
        done = subprocess.run([sys.executable, MKBENCHDISK, "--from", w.image, "-o", out,
                               "--files", "1"], capture_output=True, text=True)
        expect_eq(done.returncode != 0, True, "exit status on a broken source")
        expect_eq(os.path.exists(out) or os.path.exists(out + ".tmp"), False, "output left")


def main(argv):
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
