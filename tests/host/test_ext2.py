#!/usr/bin/env python3
"""Tests of the ext2 library (user/os/fs/ext2, docs/ext2.md) through
BUILD/host/ext2tool (built under ASan/UBSan) against e2fsprogs: images made
by `mke2fs -t ext2 -d`, read back byte for byte; everything written again
by the library and checked with `e2fsck -fn` (exit 0, no question asked)
and `debugfs`; writes, truncates and renames at every block-map boundary;
errors as POSIX names them; ENOSPC; free counts restored; corrupted images
(each must give EIO or a refused mount, never a crash or a hang); a seeded
random sequence of operations against a model of the tree; crashes under
EXT2_MOUNT_SYNC_META after every call and at every other device write (e2fsck
may find only what docs/ext2.md "Crashes" allows). Speaks the result-line
protocol; `test=NAME` runs one test, `seed=N` another random sequence.

usage: test_ext2.py [BUILD] [test=NAME] [seed=N]
"""

import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "host"))
import suite  # noqa: E402

BUILD = "build"
SEED = 1
NOW = 1700000000
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
TREE_CRC_MAX = 256 << 20  # ext2tool's tree prints no checksum above this


# --- running the tools ---------------------------------------------------------

def tool_path():
    return os.path.abspath(os.path.join(BUILD, "host", "ext2tool"))


def ext2tool(image, *args, options=(), timeout=60):
    """(status, stdout bytes, stderr text) of ext2tool OPTIONS IMAGE ARGS."""
    argv = [tool_path(), "-t", str(NOW), *options, image, *map(str, args)]
    proc = subprocess.run(argv, capture_output=True, timeout=timeout)
    err = proc.stderr.decode(errors="replace")
    for mark in SANITIZER_MARKS:
        if mark in err:
            raise suite.Failure(f"ext2tool {args!r}: sanitizer report:\n{err[-3000:]}")
    if proc.returncode < 0:
        raise suite.Failure(f"ext2tool {args!r} died of signal {-proc.returncode}: {err[-500:]}")
    return proc.returncode, proc.stdout, err


def ok(image, *args, **kw):
    status, out, err = ext2tool(image, *args, **kw)
    if status != 0:
        raise suite.Failure(f"ext2tool {' '.join(map(str, args))}: status {status}: {err[-800:]}")
    return out


def fails(image, errname, *args, **kw):
    """ext2tool must exit 1 naming errname; its stderr."""
    status, out, err = ext2tool(image, *args, **kw)
    if status != 1 or f"({errname})" not in err:
        raise suite.Failure(f"ext2tool {' '.join(map(str, args))}: want {errname}, got status "
                            f"{status}: {err[-800:]}")
    return err


def script(image, lines, options=(), expect_status=0, timeout=120):
    """Run the lines as one ext2tool script: stdout."""
    path = image + ".script"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    status, out, err = ext2tool(image, "script", path, options=options, timeout=timeout)
    if status != expect_status:
        raise suite.Failure(f"script: status {status}: {err[-1500:]}")
    return out


def write_script(tmp, lines):
    """A script file of lines in tmp (for ext2tool ... script PATH)."""
    path = os.path.join(tmp, "s")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, timeout=60, **kw)


def mkfs(image, staging=None, block=1024, size="8M", extra=()):
    argv = ["mke2fs", "-q", "-t", "ext2", "-b", str(block), "-F", *extra]
    if staging is not None:
        argv += ["-d", staging]
    proc = run(argv + [image, size], env=dict(os.environ, E2FSPROGS_FAKE_TIME=str(NOW)))
    if proc.returncode != 0:
        raise suite.Failure(f"mke2fs: {proc.stderr.decode()}")
    return image


def fsck(image, what="e2fsck"):
    """e2fsck -fn: exit status 0 and no question asked (with -n every
    problem is a question answered no)."""
    proc = run(["e2fsck", "-fn", image])
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0 or "? no" in out:
        raise suite.Failure(f"{what}: e2fsck -fn exit {proc.returncode}:\n{out[-2000:]}")


def fsck_problems(image):
    """e2fsck -fn's problem lines (empty when clean)."""
    proc = run(["e2fsck", "-fn", image])
    out = proc.stdout.decode(errors="replace")
    return [line for line in out.splitlines() if line and not line.startswith(("Pass ", image))
            and "? no" not in line and line.strip()], out, proc.returncode


def debugfs(image, request):
    proc = run(["debugfs", "-R", request, image])
    return proc.stdout


def debugfs_cat(image, path):
    return debugfs(image, f"cat {path}")


def debugfs_stat(image, path):
    text = debugfs(image, f"stat {path}").decode(errors="replace")
    fields = {}
    for key, pattern in (("links", r"Links: (\d+)"), ("blockcount", r"Blockcount: (\d+)"),
                         ("size", r"Size: (\d+)"), ("flags", r"Flags: (0x[0-9a-f]+)")):
        m = re.search(pattern, text)
        if m:
            fields[key] = int(m.group(1), 0)
    return fields, text


class Scratch:
    """A temporary directory under BUILD (removed afterwards)."""

    def __enter__(self):
        base = os.path.join(BUILD, "ext2-test")
        os.makedirs(base, exist_ok=True)
        self.path = tempfile.mkdtemp(dir=base)
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


# --- trees: the tool's listing and what it should be -----------------------------

def tree(image, path="/", options=()):
    """ext2tool tree: {path: (type, mode, nlink, size, extra)}."""
    out = ok(image, "tree", path, options=options).decode()
    result = {}
    for line in out.splitlines():
        p, kind, mode, nlink, size, extra = line.split(" ", 5)
        result[p] = (kind, int(mode, 8), int(nlink), int(size), extra)
    return result


def crc_of(data):
    return f"{zlib.crc32(data) & 0xffffffff:08x}"


def crc_of_file(path):
    crc = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return f"{crc & 0xffffffff:08x}"
            crc = zlib.crc32(chunk, crc)


def host_tree(staging):
    """What ext2tool tree should print for an image made from staging."""
    result = {}
    for top, dirs, files in os.walk(staging):
        for name in sorted(dirs + files):
            full = os.path.join(top, name)
            rel = "/" + os.path.relpath(full, staging)
            st = os.lstat(full)
            if os.path.islink(full):
                target = os.readlink(full)
                result[rel] = ("l", 0o777, 1, len(target), target)
            elif os.path.isdir(full):
                result[rel] = ("d", st.st_mode & 0o7777, st.st_nlink, None, "-")
            else:
                extra = crc_of_file(full) if st.st_size <= TREE_CRC_MAX else "-"
                result[rel] = ("f", st.st_mode & 0o7777, st.st_nlink, st.st_size, extra)
    return result


def expect_tree(got, want, what):
    got = {p: v for p, v in got.items() if not p.startswith("/lost+found")}
    for p in sorted(set(got) | set(want)):
        g, w = got.get(p), want.get(p)
        if g is not None and w is not None and w[3] is None:
            g = g[:3] + (None,) + g[4:]  # a directory's size depends on the file system
        if g != w:
            raise suite.Failure(f"{what}: {p}: got {g}, want {w}")


# --- test data ----------------------------------------------------------------

def geometry(block):
    """The block-map boundaries in bytes: direct, single, double, triple."""
    a = block // 4
    ind = 12 * block
    dind = ind + a * block
    tind = dind + a * a * block
    return ind, dind, tind


def boundary_sizes(block):
    ind, dind, _ = geometry(block)
    sizes = [0, 1, block - 1, block, block + 1, ind - 1, ind, ind + 1, dind - 1, dind, dind + 1]
    return sizes + [dind + 3 * (1 << 20) + 123]  # a few MiB into double indirect


def make_staging(root, block, entries=3000, seed=7):
    """A directory of every kind of thing the tests read back: files at each
    boundary, a sparse file reaching triple indirect, symbolic links short
    and long, hard links, deep directories, a directory of many entries."""
    rng = random.Random(seed)
    os.makedirs(root)
    for size in boundary_sizes(block):
        with open(os.path.join(root, f"size{size}"), "wb") as f:
            f.write(rng.randbytes(size))
    _, _, tind = geometry(block)
    with open(os.path.join(root, "sparse"), "wb") as f:
        f.truncate(tind + 5000)
        f.seek(tind - 2)
        f.write(b"triple!")
        f.seek(100)
        f.write(b"start")
    os.symlink("size1", os.path.join(root, "short"))
    os.symlink("x" * 59, os.path.join(root, "link59"))
    os.symlink("y" * 60, os.path.join(root, "link60"))
    os.symlink("/" + "z/" * 100 + "end", os.path.join(root, "longlink"))
    os.symlink("/".join(["deep"] * 39), os.path.join(root, "relative"))
    os.link(os.path.join(root, f"size{block}"), os.path.join(root, "hardlink"))
    deep = root
    for _ in range(40):
        deep = os.path.join(deep, "deep")
        os.mkdir(deep)
    with open(os.path.join(deep, "bottom"), "wb") as f:
        f.write(b"bottom of the tree\n")
    many = os.path.join(root, "many")
    os.mkdir(many)
    for i in range(entries):
        open(os.path.join(many, f"entry-{i:05d}-{'n' * (i % 40)}"), "w").close()
    os.mkdir(os.path.join(root, "empty"))
    return root


def pattern(seed, offset, length):
    """ext2tool pattern's bytes."""
    return bytes((seed * 131 + p * 7 + (p >> 10) * 13) & 0xff
                 for p in range(offset, offset + length))


# --- reading what mke2fs wrote ---------------------------------------------------

def check_read_back(block):
    with Scratch() as tmp:
        staging = make_staging(os.path.join(tmp, "st"), block)
        image = mkfs(os.path.join(tmp, "img"), staging, block, "16M" if block == 1024 else "32M")
        expect_tree(tree(image), host_tree(staging), "tree")
        for name in os.listdir(staging):
            full = os.path.join(staging, name)
            if os.path.isfile(full) and not os.path.islink(full) and name != "sparse":
                with open(full, "rb") as f:
                    suite.expect_eq(ok(image, "cat", "/" + name), f.read(), f"cat /{name}")
        _, _, tind = geometry(block)
        suite.expect_eq(ok(image, "readat", "/sparse", tind - 4, 12),
                        b"\0\0triple!\0\0\0", "the triple indirect block")
        suite.expect_eq(ok(image, "readlink", "/longlink").decode(),
                        os.readlink(os.path.join(staging, "longlink")) + "\n", "readlink")
        suite.expect_eq(ok(image, "cat", "/relative/deep/bottom"), b"bottom of the tree\n",
                        "through a relative link")
        fields, _ = debugfs_stat(image, f"/size{geometry(block)[1] + 1}")
        got = dict(line.split() for line in ok(image, "stat", f"/size{geometry(block)[1] + 1}")
                   .decode().splitlines())
        suite.expect_eq(int(got["blocks"]), fields["blockcount"], "i_blocks as debugfs reads it")
        suite.expect_eq(int(got["nlink"]), fields["links"], "links as debugfs reads them")
        fsck(image, "after reading")


@suite.test
def reads_every_file_mke2fs_wrote_1k():
    check_read_back(1024)


@suite.test
def reads_every_file_mke2fs_wrote_4k():
    check_read_back(4096)


# --- writing all of it -----------------------------------------------------------

def staging_script(staging, aux):
    """Script lines that make the staging tree on an empty image (the
    sparse file from two small pieces written into aux)."""
    lines = []
    for top, dirs, files in os.walk(staging):
        rel_top = "/" + os.path.relpath(top, staging) if top != staging else ""
        for d in sorted(dirs):
            full = os.path.join(top, d)
            if os.path.islink(full):
                lines.append(f"symlink {os.readlink(full)} {rel_top}/{d}")
            else:
                lines.append(f"mkdir {rel_top}/{d}")
        inodes = {}
        for name in sorted(files):
            full, path = os.path.join(top, name), f"{rel_top}/{name}"
            st = os.lstat(full)
            if os.path.islink(full):
                lines.append(f"symlink {os.readlink(full)} {path}")
            elif st.st_ino in inodes:
                lines.append(f"ln {inodes[st.st_ino]} {path}")
            elif name == "sparse":
                lines += sparse_lines(full, path, aux)
            else:
                inodes[st.st_ino] = path
                lines.append(f"put {full} {path}")
    return lines


def sparse_lines(full, path, aux):
    """Copy the sparse file's two written pieces (make_staging)."""
    size = os.path.getsize(full)
    lines = []
    with open(full, "rb") as f:
        for i, (offset, length) in enumerate(((100, 5), (size - 5002, 7))):
            f.seek(offset)
            piece = os.path.join(aux, f"piece{i}")
            with open(piece, "wb") as out:
                out.write(f.read(length))
            lines.append(f"write {path} {offset} {piece}")
    return lines + [f"truncate {path} {size}"]


def check_write_back(block):
    with Scratch() as tmp:
        staging = make_staging(os.path.join(tmp, "st"), block, entries=1500)
        lines = staging_script(staging, tmp)
        image = mkfs(os.path.join(tmp, "img"), None, block, "16M" if block == 1024 else "32M")
        script(image, lines)
        fsck(image, "after writing everything")
        expect_tree(tree(image), host_tree(staging), "tree")
        for size in boundary_sizes(block):
            with open(os.path.join(staging, f"size{size}"), "rb") as f:
                suite.expect_eq(debugfs_cat(image, f"/size{size}"), f.read(),
                                f"debugfs cat /size{size}")
        fields, _ = debugfs_stat(image, "/sparse")
        _, _, tind = geometry(block)
        suite.expect_eq(fields["size"], tind + 5000, "sparse size as debugfs reads it")
        suite.expect_eq(ok(image, "readat", "/sparse", tind - 4, 12), b"\0\0triple!\0\0\0",
                        "the triple indirect block")


@suite.test
def writes_everything_e2fsck_and_debugfs_agree_1k():
    check_write_back(1024)


@suite.test
def writes_everything_e2fsck_and_debugfs_agree_4k():
    check_write_back(4096)


# --- overwrite, append, truncate at the boundaries ------------------------------------

class FileModel:
    """A file's expected bytes under pattern writes and truncates."""

    def __init__(self):
        self.data = bytearray()

    def write(self, offset, length, seed):
        if offset > len(self.data):
            self.data.extend(bytes(offset - len(self.data)))
        self.data[offset:offset + length] = pattern(seed, offset, length)

    def truncate(self, size):
        if size < len(self.data):
            del self.data[size:]
        else:
            self.data.extend(bytes(size - len(self.data)))


def check_boundaries(block):
    ind, dind, tind = geometry(block)
    points = [1, block - 1, block, block + 1, ind - 1, ind, ind + 1, dind - 1, dind, dind + 1]
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"), None, block, "16M")
        model = FileModel()
        rng = random.Random(SEED)
        for step, b in enumerate(points):
            lines, seed = [], step + 1
            for off, length in ((max(b - 3, 0), 7), (b, 1), (b - 1, 2)):
                lines.append(f"pattern /f {off} {length} {seed}")
                model.write(off, length, seed)
            grow = b + rng.randrange(1, 3 * block)
            shrink = b - rng.randrange(0, min(b, 2 * block) + 1)
            lines += [f"truncate /f {grow}", f"truncate /f {b}", f"truncate /f {shrink}"]
            model.truncate(grow)
            model.truncate(b)
            model.truncate(shrink)
            lines.append(f"pattern /f {len(model.data)} 10 {seed}")  # append
            model.write(len(model.data), 10, seed)
            script(image, lines)
            suite.expect_eq(ok(image, "cat", "/f"), bytes(model.data), f"after boundary {b}")
            fsck(image, f"after boundary {b}")
        suite.expect_eq(debugfs_cat(image, "/f"), bytes(model.data), "debugfs cat")
        # Into triple indirect and back, sparse (no bytearray of the hole).
        end = tind + block * 70
        script(image, [f"pattern /f {tind - 2} 4 9", f"truncate /f {tind + 1}",
                       f"truncate /f {dind + 5}", f"pattern /f {end} 3 5"])
        model.truncate(dind + 5)
        fields, _ = debugfs_stat(image, "/f")
        suite.expect_eq(fields["size"], end + 3, "size past triple")
        suite.expect_eq(ok(image, "readat", "/f", dind - 8, 16),
                        bytes(model.data[dind - 8:]) + bytes(3), "double indirect tail")
        suite.expect_eq(ok(image, "readat", "/f", tind - 4, 8), bytes(8), "truncated away")
        suite.expect_eq(ok(image, "readat", "/f", end - 2, 10), bytes(2) + pattern(5, end, 3),
                        "triple indirect tail")
        fsck(image, "after triple indirect")
        script(image, ["truncate /f 0"])
        st = dict(line.split() for line in ok(image, "stat", "/f").decode().splitlines())
        suite.expect_eq(st["blocks"], "0", "blocks after truncating to 0")
        fsck(image, "after truncate to 0")


@suite.test
def overwrite_append_truncate_at_every_boundary_1k():
    check_boundaries(1024)


@suite.test
def overwrite_append_truncate_at_every_boundary_4k():
    check_boundaries(4096)


# --- names ------------------------------------------------------------------------

def df(image):
    return ok(image, "df").decode().strip()


def unlink_while_open(image, opened, removes, before_end):
    """Write /f (300000 bytes), remove names with handles open (f's as h),
    read f through h: its bytes must come back."""
    out = script(image, ["pattern /f 0 300000 3"] + [f"open {h} {p}" for h, p in opened] +
                 removes + ["hcat h"] + before_end)
    suite.expect_eq(out, pattern(3, 0, 300000), "the unlinked file's contents")


@suite.test
def unlinked_open_file_lives_until_released():
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"))
        before = df(image)
        unlink_while_open(image, [("h", "/f")], ["rm /f", "expect ENOENT stat /f"],
                          ["pattern /g 0 1000 1", "close h", "rm /g"])
        suite.expect_eq(df(image), before, "free counts after release")
        fsck(image)


@suite.test
def crash_with_an_unlinked_open_file_frees_it_at_the_next_mount():
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"))
        before = df(image)
        script(image, ["pattern /g 0 50000 4", "mkdir /d"])
        unlink_while_open(image, [("h", "/f"), ("i", "/g"), ("j", "/d")],
                          ["rm /f", "rm /g", "rmdir /d", "close i"], ["sync", "crash"])
        status, _, err = ext2tool(image, "df")
        if status != 0 or "orphan list 2: inodes freed" not in err:
            raise suite.Failure(f"the next mount: {status}: {err}")
        suite.expect_eq(df(image), before, "free counts after the next mount")
        fsck(image)


@suite.test
def rename_cases():
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"))
        before = df(image)
        script(image, [
            "mkdir /a", "mkdir /a/sub", "mkdir /b", "mkdir /empty", "mkdir /full",
            "pattern /full/x 0 10 1", "pattern /f1 0 5000 1", "pattern /f2 0 7000 2",
            "mv /f1 /f2",                        # file over file: the old f2 freed
            "expect ENOENT stat /f1",
            "mv /a /empty",                      # directory over an empty directory
            "mv /empty/sub /b/sub",              # into another directory
            "expect EINVAL mv /b /b/sub/inside",  # into itself
            "mv /b /b",
            "expect ENOTEMPTY mv /b /full",
            "expect EISDIR mv /f2 /full",
            "expect ENOTDIR mv /full /f2",
            "expect ENOENT mv /nothing /x",
            "ln /f2 /f2link", "mv /f2 /f2link",   # two names of one inode: nothing
            "mv /f2 /f2",
            "expect EINVAL mv /b/. /c",
        ])
        t = tree(image)
        suite.expect_eq(t["/f2"][4], crc_of(pattern(1, 0, 5000)), "f2 holds f1's bytes")
        suite.expect_eq(t["/f2"][2], 2, "f2's links")
        suite.expect_eq(t["/empty"][2], 2, "the moved directory's links (its sub moved out)")
        suite.expect_eq(t["/b"][2], 3, "b's links (sub moved in)")
        suite.expect_eq(t["/"][2] if "/" in t else 5, 5, "root")
        ls = ok(image, "ls", "/b/sub").decode().split("\n")
        dotdot = [line.split()[0] for line in ls if line.endswith(" ..")]
        b_ino = ok(image, "stat", "/b").decode().split("\n")[0].split()[1]
        suite.expect_eq(dotdot, [b_ino], "the moved directory's ..")
        fsck(image, "after renames")
        script(image, ["rm /f2", "rm /f2link", "rmdir /b/sub", "rmdir /b", "rmdir /empty",
                       "rm /full/x", "rmdir /full"])
        suite.expect_eq(df(image), before, "free counts after removing everything")
        fsck(image, "after removing")


@suite.test
def errors_as_posix_names_them():
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"))
        long_name = "n" * 256
        script(image, [
            "mkdir /d", "pattern /d/f 0 10 1", "pattern /f 0 10 1",
            "expect ENOTEMPTY rmdir /d", "expect ENOTDIR rmdir /f", "expect EISDIR rm /d",
            "expect EEXIST mkdir /d", "expect EEXIST mkdir /f", "expect ENOTDIR mkdir /f/x",
            "expect ENOENT mkdir /no/x", f"expect ENAMETOOLONG mkdir /{long_name}",
            f"mkdir /{long_name[:255]}", "expect EINVAL rmdir /d/.",
            "expect ENOTEMPTY rmdir /d/..", "expect EINVAL rmdir /",
            "symlink /loop2 /loop1", "symlink /loop1 /loop2", "expect ELOOP cat /loop1",
            "expect EPERM ln /d /dlink", "expect ENOENT rm /nothing",
            "expect EISDIR cat /d", "expect ENOTDIR cat /f/",
            "symlink d /dl", "ls /dl/", "expect ENOENT symlink /x /d/nothing/y",
        ])
        fails(image, "EROFS", "mkdir", "/ro", options=("-r",))
        fsck(image)


@suite.test
def no_space_left_is_clean_and_recovers():
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"), size="2M", extra=("-N", "64"))
        before = df(image)
        inodes = int(re.search(r"ifree (\d+)", before).group(1))
        out = script(image, ["expect ENOSPC pattern /big 0 5000000 1", "stat /big"])
        size = int(re.search(rb"size (\d+)", out).group(1))
        if not 1000000 < size < 2100000:
            raise suite.Failure(f"the full disk took {size} bytes")
        fsck(image, "after filling the blocks")
        files = inodes - 1  # and /d
        lines = ["mkdir /d"] + [f"pattern /d/f{i} 0 0 1" for i in range(files)]
        lines += [f"expect ENOSPC pattern /d/g{i} 0 0 1" for i in range(3)]
        lines += ["expect ENOSPC mkdir /d/dir", "expect ENOSPC symlink x /d/l"]
        script(image, ["rm /big"] + lines)
        fsck(image, "after running out of inodes")
        script(image, [f"rm /d/f{i}" for i in range(5)] +
               ["expect ENOSPC pattern /big 0 5000000 1"])
        fsck(image, "after filling again")
        script(image, ["rm /big"] + [f"rm /d/f{i}" for i in range(5, files)] + ["rmdir /d"])
        suite.expect_eq(df(image), before, "free counts")
        fsck(image, "after removing everything")


@suite.test
def free_counts_return_after_deletes():
    with Scratch() as tmp:
        staging = make_staging(os.path.join(tmp, "st"), 1024, entries=200)
        image = mkfs(os.path.join(tmp, "img"), staging, 1024, "16M")
        before = df(image)
        lines = ["mkdir /new"]
        for i in range(100):
            lines += [f"mkdir /new/d{i}", f"pattern /new/d{i}/f 0 {i * 1000} {i}",
                      f"symlink {'t' * (i % 90 + 1)} /new/d{i}/l", f"ln /new/d{i}/f /new/h{i}"]
        lines.append(f"pattern /new/sparse {geometry(1024)[2] + 10} 10 1")
        script(image, lines)
        fsck(image, "after creating")
        lines = ["rm /new/sparse"]
        for i in range(100):
            lines += [f"rm /new/d{i}/f", f"rm /new/d{i}/l", f"rmdir /new/d{i}", f"rm /new/h{i}"]
        script(image, lines + ["rmdir /new"])
        suite.expect_eq(df(image), before, "free counts")
        fsck(image, "after deleting")
        expect_tree(tree(image), host_tree(staging), "the original tree")


# --- features, sizes, policies ----------------------------------------------------

@suite.test
def indexed_directories_read_then_unindexed_on_change():
    with Scratch() as tmp:
        staging = make_staging(os.path.join(tmp, "st"), 1024, entries=2000)
        image = mkfs(os.path.join(tmp, "img"), staging, 1024, "16M")
        run(["e2fsck", "-fyD", image])
        fields, _ = debugfs_stat(image, "/many")
        if not fields.get("flags", 0) & 0x1000:
            raise suite.Failure("e2fsck -D did not index /many")
        expect_tree(tree(image), host_tree(staging), "indexed tree")
        script(image, ["pattern /many/new 0 10 1", "rm /many/entry-00007-nnnnnnn",
                       "mv /many/entry-00009-nnnnnnnnn /many/renamed"])
        fields, _ = debugfs_stat(image, "/many")
        suite.expect_eq(fields.get("flags", 0) & 0x1000, 0, "index flag after a change")
        fsck(image)


@suite.test
def inode_size_128_and_block_size_2k():
    with Scratch() as tmp:
        for extra, block in ((("-I", "128"), 1024), ((), 2048)):
            staging = make_staging(os.path.join(tmp, f"st{block}"), block, entries=100)
            image = mkfs(os.path.join(tmp, f"img{block}"), staging, block, "16M", extra)
            expect_tree(tree(image), host_tree(staging), f"{extra} {block}")
            script(image, ["mkdir /n", "pattern /n/f 0 400000 2", "symlink " + "s" * 80 + " /n/l",
                           "rm /size1", "mv /many /n/many"])
            fsck(image, f"{extra} {block}")


@suite.test
def unsupported_features():
    with Scratch() as tmp:
        image = os.path.join(tmp, "ext4")
        run(["mke2fs", "-q", "-t", "ext4", "-F", image, "8M"])
        err = ext2tool(image, "ls", "/")[2]
        if "mount" not in err or "(EINVAL)" not in err:
            raise suite.Failure(f"ext4 mounted: {err}")
        image = mkfs(os.path.join(tmp, "huge"), None, 1024, "8M", ("-O", "huge_file"))
        ok(image, "ls", "/")
        fails(image, "EROFS", "mkdir", "/x")
        image = os.path.join(tmp, "ext3")
        run(["mke2fs", "-q", "-t", "ext3", "-F", image, "8M"])
        script(image, ["mkdir /d", "pattern /d/f 0 100000 1"])
        fsck(image, "ext3 without the journal")


@suite.test
def extended_attribute_block_freed_with_its_inode():
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"), None, 1024, "8M", ("-I", "128"))
        before = df(image)
        script(image, ["pattern /f 0 100 1"])
        run(["debugfs", "-w", "-R", "ea_set /f user.big " + "v" * 300, image])
        fields, _ = debugfs_stat(image, "/f")
        if fields["blockcount"] != 4:
            raise suite.Failure(f"debugfs made no attribute block: {fields}")
        fsck(image, "with an attribute block")
        script(image, ["rm /f"])
        suite.expect_eq(df(image), before, "free counts")
        fsck(image, "after removing")


@suite.test
def sync_then_crash_is_clean():
    for options in ((), ("-s",)):
        with Scratch() as tmp:
            image = mkfs(os.path.join(tmp, "img"), None, 1024, "8M")
            script(image, ["mkdir /d", "pattern /d/f 0 2000000 1", "symlink " + "q" * 70 + " /l",
                           "pattern /d/g 0 10 1", "rm /d/g", "truncate /d/f 30000", "sync",
                           "crash"], options=options)
            fsck(image, f"crash after sync {options}")
            suite.expect_eq(ok(image, "cat", "/d/f"), pattern(1, 0, 30000), "data after crash")


def crash_setup(tmp):
    """(an empty image, the workload's script lines, a path for a copy)."""
    base = mkfs(os.path.join(tmp, "base"), None, 1024, "2M")
    return base, crash_workload(), os.path.join(tmp, "work")


def crash_workload():
    return ["mkdir /d", "pattern /d/f 0 14000 1", "mkdir /d/e", "symlink " + "w" * 80 + " /d/l",
            "pattern /d/e/g 0 3000 2", "mv /d/e /e", "ln /d/f /e/f2", "rm /d/f",
            "truncate /e/f2 5000", "expect ENOENT rmdir /d/e2", "pattern /big 0 70000 3", "rm /big",
            "rm /d/l", "mv /e/g /d/g", "pattern /d/h 0 5000 4", "ln /d/h /e/h2",
            "mv /d/h /d/g", "mkdir /e/sub", "mkdir /e/sub2", "mv /e/sub /e/sub2",
            "mv /e/sub2 /d/sub", "rm /e/h2", "rmdir /d/sub"]


# What a commit cut short may leave (docs/ext2.md "Crashes"): space and
# inodes marked used that nothing uses, summary counts behind, a directory
# out of its old parent and not yet in the new one (or its ".." behind),
# link counts too high. Never a name for something free or uninitialised,
# never a link count too low.
HARMLESS = re.compile(r"^(Block|Inode) bitmap differences: +(-\(?\d+(--\d+)?\)? *)+$|"
                      r"^Free (blocks|inodes) count wrong|^Directories count wrong|"
                      r"^Unconnected directory inode \d+|^'\.\.' in .* should be|"
                      r"^Unattached (zero-length )?inode \d+|^Padding at end of")


def harmless(problem):
    m = re.match(r"Inode \d+ ref count is (\d+), should be (\d+)", problem)
    if m:
        return int(m.group(1)) > int(m.group(2))
    return HARMLESS.search(problem) is not None or "Filesystem still has errors" in problem


@suite.test
def sync_meta_crash_at_any_write_leaves_nothing_e2fsck_must_guess():
    with Scratch() as tmp:
        base, lines, work = crash_setup(tmp)
        shutil.copy(base, work)
        path = write_script(tmp, lines)
        _, _, err = ext2tool(work, "script", path, options=("-s", "-v"))
        writes = int(re.search(r"writes (\d+)", err).group(1))
        if writes < 20:
            raise suite.Failure(f"only {writes} writes")
        for k in range(1 + SEED % 2, writes, 2):  # every other write: half the time
            shutil.copy(base, work)
            ext2tool(work, "script", path, options=("-s", "-k", str(k)))
            problems, out, status = fsck_problems(work)
            bad = [p for p in problems if not harmless(p)]
            if bad:
                raise suite.Failure(f"crash at write {k} of {writes}: {bad[:5]}\n{out[-1500:]}")


@suite.test
def sync_meta_writes_each_operation_whole():
    """Under EXT2_MOUNT_SYNC_META, a crash right after any operation leaves
    a clean file system holding every operation before it."""
    with Scratch() as tmp:
        base, lines, work = crash_setup(tmp)
        for n in range(1, len(lines) + 1):
            shutil.copy(base, work)
            script(work, lines[:n] + ["crash"], options=("-s",))
            fsck(work, f"crash after operation {n} ({lines[n - 1]})")
            shutil.copy(base, os.path.join(tmp, "ref"))
            script(os.path.join(tmp, "ref"), lines[:n])
            suite.expect_eq(tree(work), tree(os.path.join(tmp, "ref")),
                            f"tree after operation {n}")


@suite.test
def small_cache_and_write_errors():
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"), None, 1024, "8M")
        lines = ["mkdir /d"] + [f"pattern /d/f{i} 0 {i * 5000} {i}" for i in range(30)]
        lines += [f"mv /d/f{i} /d/g{i}" for i in range(0, 30, 3)]
        script(image, lines, options=("-c", "24"))
        script(image, ["truncate /d/f29 1000"], options=("-c", "24", "-s"))
        fsck(image, "with a 24-block cache")
        # Under SYNC_META a long write and truncate commit in steps that fit
        # the cache: no metadata written before its step ends.
        path = write_script(tmp, ["pattern /big 0 2500000 3", "truncate /big 1000"])
        _, _, err = ext2tool(image, "script", path, options=("-c", "24", "-s", "-v"))
        commits, early = (int(re.search(rf"{k} (\d+)", err).group(1)) for k in ("commits", "early"))
        if commits < 100 or early != 0:
            raise suite.Failure(f"long operations: {commits} commits, {early} early: {err}")
        fsck(image, "after long operations in steps")
        for k in (0, 3, 8, 15):  # of about 35 writes
            status, _, err = ext2tool(image, "pattern", "/d/new", 0, 1000000, 7,
                                      options=("-w", str(k)))
            if status == 0 or "(EIO)" not in err:
                raise suite.Failure(f"write errors after {k}: status {status}: {err[-500:]}")


# --- corrupted images --------------------------------------------------------------

def corruption_base(tmp):
    staging = os.path.join(tmp, "st")
    os.makedirs(os.path.join(staging, "d", "e"))
    os.makedirs(os.path.join(staging, "p", "q"))
    os.makedirs(os.path.join(staging, "p", "r"))
    with open(os.path.join(staging, "big"), "wb") as f:
        f.write(random.Random(3).randbytes(400000))
    with open(os.path.join(staging, "small"), "wb") as f:
        f.write(b"small file\n")
    os.symlink("small", os.path.join(staging, "l"))
    os.symlink("s" * 100, os.path.join(staging, "ll"))
    return mkfs(os.path.join(tmp, "base"), staging, 1024, "4M")


def inode_of(image, path):
    out = debugfs(image, f"stat {path}").decode()
    return int(re.search(r"Inode: (\d+)", out).group(1))


def block_of(image, path, index=0):
    return int(debugfs(image, f"bmap {path} {index}").decode().split()[0])


def indirect_of(image, path):
    out = debugfs(image, f"stat {path}").decode()
    return int(re.search(r"\(IND\):(\d+)", out).group(1))


def patch(image, offset, data):
    with open(image, "r+b") as f:
        f.seek(offset)
        f.write(data)


def sif(image, path, field, value):
    run(["debugfs", "-w", "-R", f"sif {path} {field} {value}", image])


def dir_entry_offset(image, dirpath, name):
    """Byte offset in the image of the entry `name` in dirpath's first block."""
    block = block_of(image, dirpath)
    with open(image, "rb") as f:
        f.seek(block * 1024)
        data = f.read(1024)
    off = 0
    while off < 1024:
        rec = struct.unpack_from("<H", data, off + 4)[0]
        n = data[off + 6]
        if data[off + 8:off + 8 + n] == name.encode():
            return block * 1024 + off
        off += rec
    raise suite.Failure(f"no entry {name} in {dirpath}")


def corruptions():
    """(name, function changing an image[, the command that must find it,
    `tree /` if not given]) tuples."""
    sb = 1024

    def gdt_table(img):
        patch(img, 2048 + 8, struct.pack("<I", 0x7fffffff))

    def dotdot_self(img):
        ino = inode_of(img, "/d/e")
        patch(img, dir_entry_offset(img, "/d/e", ".."), struct.pack("<I", ino))

    def dotdot_cycle(img):
        q, r = inode_of(img, "/p/q"), inode_of(img, "/p/r")
        patch(img, dir_entry_offset(img, "/p/q", ".."), struct.pack("<I", r))
        patch(img, dir_entry_offset(img, "/p/r", ".."), struct.pack("<I", q))

    def self_subdir(img):
        run(["debugfs", "-w", "-R", "ln /d /d/self", img])

    def garbage_indirect(img):
        patch(img, indirect_of(img, "/big") * 1024, random.Random(5).randbytes(1024))

    def rec_len(value):
        return lambda img: patch(img, dir_entry_offset(img, "/d", ".") + 4,
                                 struct.pack("<H", value))

    def name_len(img):
        patch(img, dir_entry_offset(img, "/d", "..") + 6, bytes([255]))

    def entry_inode(img):
        patch(img, dir_entry_offset(img, "/", "small"), struct.pack("<I", 0xfffffff))

    def symlink_block(img):
        sif(img, "/ll", "block[0]", 3)

    return [
        ("sb_magic", lambda img: patch(img, sb + 56, b"\0\0")),
        ("sb_log_block_size", lambda img: patch(img, sb + 24, struct.pack("<I", 7))),
        ("sb_inodes_per_group_0", lambda img: patch(img, sb + 40, struct.pack("<I", 0))),
        ("sb_inodes_per_group_huge", lambda img: patch(img, sb + 40, struct.pack("<I", 1 << 30))),
        ("sb_blocks_per_group_0", lambda img: patch(img, sb + 32, struct.pack("<I", 0))),
        ("sb_blocks_per_group_odd", lambda img: patch(img, sb + 32, struct.pack("<I", 1001))),
        ("sb_first_data_block", lambda img: patch(img, sb + 20, struct.pack("<I", 5))),
        ("sb_blocks_count_huge", lambda img: patch(img, sb + 4, struct.pack("<I", 1 << 31))),
        ("sb_inode_size", lambda img: patch(img, sb + 88, struct.pack("<H", 100))),
        ("gd_inode_table", gdt_table),
        ("inode_block_outside", lambda img: sif(img, "/small", "block[0]", 0x7ffffff)),
        ("inode_size_absurd", lambda img: sif(img, "/small", "size", 0xffffffffffff)),
        ("dir_size_unaligned", lambda img: sif(img, "/d", "size", 1000)),
        ("symlink_size_absurd", lambda img: sif(img, "/ll", "size", 5000)),
        ("inode_mode_none", lambda img: sif(img, "/small", "mode", 0)),
        ("rec_len_0", rec_len(0)),
        ("rec_len_unaligned", rec_len(13)),
        ("rec_len_past_block", rec_len(2000)),
        ("name_len_past_rec_len", name_len),
        ("entry_inode_out_of_range", entry_inode),
        ("indirect_garbage", garbage_indirect),
        ("symlink_block_in_metadata", symlink_block),
        ("dotdot_is_self", dotdot_self, ("mv", "/p", "/d/e/p2")),
        ("dotdot_cycle", dotdot_cycle, ("mv", "/d", "/p/q/d2")),
        ("directory_holds_itself", self_subdir),
    ]


# What each corruption must make fail with EIO (after a refused mount, every
# command fails); the rest may succeed but must not crash.
ATTEMPTS = [("tree", "/"), ("cat", "/big"), ("cat", "/small"), ("readlink", "/ll"),
            ("ls", "/d"), ("mkdir", "/d/new"), ("pattern", "/big", 1000, 5000, 1),
            ("rm", "/small"), ("mv", "/p", "/d/e/p2"), ("mv", "/d", "/p/q/d2"),
            ("rmdir", "/d/e"), ("truncate", "/big", 10)]


@suite.test
def corrupted_images_give_eio_never_a_crash():
    with Scratch() as tmp:
        base = corruption_base(tmp)
        fsck(base, "the base image")
        for name, corrupt, *detector in corruptions():
            img = os.path.join(tmp, name)
            shutil.copy(base, img)
            corrupt(img)
            detector = detector[0] if detector else ("tree", "/")
            status, _, err = ext2tool(img, *detector, timeout=20)
            if status == 0:
                raise suite.Failure(f"{name}: {detector} did not notice the corruption")
            if "(EIO)" not in err and "mount" not in err:
                raise suite.Failure(f"{name}: {detector} failed without EIO: {err[-300:]}")
            errors = 0
            for attempt in ATTEMPTS:
                status, _, err = ext2tool(img, *attempt, timeout=20)
                if status != 0:
                    errors += 1
                    if "(EIO)" not in err and "(EINVAL)" not in err and "(ENOTEMPTY)" not in err \
                            and "(ENOENT)" not in err and "(ENOTDIR)" not in err:
                        raise suite.Failure(f"{name}: {attempt}: {err[-300:]}")
            if errors == 0:
                raise suite.Failure(f"{name}: nothing noticed the corruption")


@suite.test
def random_bit_flips_never_crash():
    rng = random.Random(SEED)
    with Scratch() as tmp:
        base = corruption_base(tmp)
        with open(base, "rb") as f:
            pristine = bytearray(f.read())
        used = [b for b in range(len(pristine) // 1024) if any(pristine[b * 1024:b * 1024 + 1024])]
        img = os.path.join(tmp, "flipped")
        for round_ in range(40):
            data = bytearray(pristine)
            for _ in range(rng.randrange(1, 20)):
                block = rng.choice(used[:60])
                pos = block * 1024 + rng.randrange(1024)
                data[pos] ^= 1 << rng.randrange(8)
            with open(img, "wb") as f:
                f.write(data)
            # Each may fail or not; none may crash or hang (ext2tool checks).
            ext2tool(img, "tree", "/", timeout=20)
            ext2tool(img, "script", write_script(tmp, ["mkdir /zz", "pattern /zz/f 0 20000 1",
                                                 "rm /big", "mv /d /p/q/d"]), timeout=20)


# --- a random sequence against a model ----------------------------------------------

class Model:
    """The tree as it should be: directories map names to nodes; a node is a
    dict with kind 'd' (entries), 'f' (data) or 'l' (target)."""

    def __init__(self):
        self.root = {"kind": "d", "entries": {}, "mode": 0o755}

    def lookup(self, path):
        node = self.root
        for part in [p for p in path.split("/") if p]:
            if node["kind"] != "d" or part not in node["entries"]:
                return None
            node = node["entries"][part]
        return node

    def parent(self, path):
        head, _, name = path.rpartition("/")
        return self.lookup(head or "/"), name

    def walk(self, node=None, prefix=""):
        node = node or self.root
        for name, child in node["entries"].items():
            yield prefix + "/" + name, child
            if child["kind"] == "d":
                yield from self.walk(child, prefix + "/" + name)

    def is_below(self, node, maybe_ancestor):
        if node is maybe_ancestor:
            return True
        if maybe_ancestor["kind"] != "d":
            return False
        return any(self.is_below(node, c) for c in maybe_ancestor["entries"].values())

    def expected(self):
        links = {}
        for _, node in self.walk():
            links[id(node)] = links.get(id(node), 0) + 1
        result = {}
        for path, node in self.walk():
            if node["kind"] == "d":
                subdirs = sum(1 for c in node["entries"].values() if c["kind"] == "d")
                result[path] = ("d", node["mode"], 2 + subdirs, None, "-")
            elif node["kind"] == "f":
                result[path] = ("f", node["mode"], links[id(node)], len(node["data"]),
                                crc_of(bytes(node["data"])))
            else:
                result[path] = ("l", 0o777, 1, len(node["target"]), node["target"])
        return result


def random_op(model, rng, block):
    """One script line, with `expect ERR` when the model says it fails."""
    paths = ["/"] + [p for p, _ in model.walk()]
    dirs = ["/"] + [p for p, n in model.walk() if n["kind"] == "d"]
    files = [p for p, n in model.walk() if n["kind"] == "f"]

    def new_path():
        d = rng.choice(dirs)
        name = rng.choice(["a", "b", "c", "dd", "e" * rng.randrange(1, 60), "x" * 200])
        return (d.rstrip("/") + "/" + name)

    op = rng.choice(["mkdir", "create", "write", "write", "truncate", "rm", "rmdir", "mv", "mv",
                     "ln", "symlink", "chmod"])
    if op == "mkdir":
        path = new_path()
        parent, name = model.parent(path)
        if name in parent["entries"]:
            return f"expect EEXIST mkdir {path}"
        parent["entries"][name] = {"kind": "d", "entries": {}, "mode": 0o755}
        return f"mkdir {path}"
    if op in ("create", "write") or (op == "truncate" and files):
        path = rng.choice(files) if op != "create" and files else new_path()
        parent, name = model.parent(path)
        node = parent["entries"].get(name)
        if node is not None and node["kind"] != "f":
            return f"expect EISDIR pattern {path} 0 1 1" if node["kind"] == "d" else "df"
        if node is None:
            node = parent["entries"][name] = {"kind": "f", "data": bytearray(), "mode": 0o644}
        if op == "truncate":
            size = rng.choice([0, 1, block, 12 * block + 1, len(node["data"]) // 2,
                               len(node["data"]) + rng.randrange(3 * block)])
            fm = FileModel()
            fm.data = node["data"]
            fm.truncate(size)
            return f"truncate {path} {size}"
        offset = rng.choice([0, len(node["data"]), rng.randrange(20 * block),
                             12 * block - 5, rng.randrange(300 * block)])
        length = rng.choice([1, 100, block, 3 * block + 7, rng.randrange(8 * block)])
        seed = rng.randrange(256)
        fm = FileModel()
        fm.data = node["data"]
        fm.write(offset, length, seed)
        return f"pattern {path} {offset} {length} {seed}"
    if op in ("rm", "rmdir"):
        path = rng.choice(paths)
        if path == "/":
            return "expect EINVAL rmdir /"
        parent, name = model.parent(path)
        node = parent["entries"][name]
        if op == "rm":
            if node["kind"] == "d":
                return f"expect EISDIR rm {path}"
            del parent["entries"][name]
            return f"rm {path}"
        if node["kind"] != "d":
            return f"expect ENOTDIR rmdir {path}"
        if node["entries"]:
            return f"expect ENOTEMPTY rmdir {path}"
        del parent["entries"][name]
        return f"rmdir {path}"
    if op == "mv":
        src = rng.choice(paths)
        dst = rng.choice([new_path(), rng.choice(paths)])
        if src == "/" or dst == "/":
            return "df"
        sp, sn = model.parent(src)
        dp, dn = model.parent(dst)
        if dp is None:
            return "df"
        if dp["kind"] != "d":
            return f"expect ENOTDIR mv {src} {dst}"
        node, target = sp["entries"][sn], dp["entries"].get(dn)
        if target is node:
            return f"mv {src} {dst}"
        if node["kind"] == "d" and model.is_below(dp, node):
            return f"expect EINVAL mv {src} {dst}"
        if target is not None:
            if node["kind"] == "d" and target["kind"] != "d":
                return f"expect ENOTDIR mv {src} {dst}"
            if node["kind"] != "d" and target["kind"] == "d":
                return f"expect EISDIR mv {src} {dst}"
            if target["kind"] == "d" and target["entries"]:
                return f"expect ENOTEMPTY mv {src} {dst}"
        del sp["entries"][sn]
        dp["entries"][dn] = node
        return f"mv {src} {dst}"
    if op == "ln" and files:
        src, dst = rng.choice(files), new_path()
        dp, dn = model.parent(dst)
        if dn in dp["entries"]:
            return f"expect EEXIST ln {src} {dst}"
        dp["entries"][dn] = model.lookup(src)
        return f"ln {src} {dst}"
    if op == "symlink":
        dst = new_path()
        dp, dn = model.parent(dst)
        target = rng.choice(["t", "t" * 59, "t" * 60, "u" * rng.randrange(1, block)])
        if dn in dp["entries"]:
            return f"expect EEXIST symlink {target} {dst}"
        dp["entries"][dn] = {"kind": "l", "target": target}
        return f"symlink {target} {dst}"
    if op == "chmod" and files:
        path = rng.choice(files)
        mode = rng.choice([0o600, 0o644, 0o4755, 0o1777])
        model.lookup(path)["mode"] = mode
        return f"chmod {mode:o} {path}"
    return "df"


def check_random(block, count):
    rng = random.Random(SEED * 1000 + block)
    with Scratch() as tmp:
        image = mkfs(os.path.join(tmp, "img"), None, block, "32M")
        before = df(image)
        model = Model()
        lines = [random_op(model, rng, block) for _ in range(count)]
        # The lines in two mounts, the second with EXT2_MOUNT_SYNC_META.
        half = len(lines) // 2
        script(image, lines[:half], timeout=300)
        script(image, lines[half:], options=("-s",), timeout=300)
        fsck(image, f"after {count} random operations (seed {SEED})")
        expect_tree(tree(image), model.expected(), f"random operations (seed {SEED})")
        for path, node in list(model.walk())[:40]:
            if node["kind"] == "f":
                suite.expect_eq(debugfs_cat(image, path), bytes(node["data"]),
                                f"debugfs cat {path}")
        cleanup = []
        for path, node in sorted(model.walk(), key=lambda pn: -len(pn[0])):
            cleanup.append(f"rmdir {path}" if node["kind"] == "d" else f"rm {path}")
        script(image, cleanup)
        suite.expect_eq(df(image), before, "free counts after removing everything")
        fsck(image, "after removing everything")


@suite.test
def random_operations_against_a_model_1k():
    check_random(1024, 1500)


@suite.test
def random_operations_against_a_model_4k():
    check_random(4096, 1000)


def main(argv):
    global BUILD, SEED
    BUILD = suite.positional([a for a in argv if not a.startswith("seed=")], BUILD)
    SEED = next((int(a[5:]) for a in argv if a.startswith("seed=")), SEED)
    if not shutil.which("mke2fs") or not shutil.which("e2fsck") or not shutil.which("debugfs"):
        print("TEST SKIP ext2: e2fsprogs (mke2fs, e2fsck, debugfs) not installed", flush=True)
        print("TEST DONE", flush=True)
        return 0
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
