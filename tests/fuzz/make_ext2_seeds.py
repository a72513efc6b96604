#!/usr/bin/env python3
"""Write the seed inputs of tests/fuzz/fuzz_ext2.c into a directory: small
ext2 images (128 KiB, 1 KiB blocks) made by `mke2fs -t ext2 -d` from
directories holding what the library reads: files with and without an
indirect block, a hole, short and long symbolic links, hard links, nested
directories, a directory of many entries (also indexed by `e2fsck -D`), 128-
and 256-byte inodes, an empty file system; two with the boot block bytes
that make the fuzz target's device fail (see fuzz_ext2.c) or mount with
EXT2_MOUNT_SYNC_META. Exits 0 without writing anything if mke2fs is missing.

usage: make_ext2_seeds.py DIRECTORY
"""
import os
import shutil
import subprocess
import sys
import tempfile

SIZE = "128K"


def populate(root, entries):
    os.makedirs(os.path.join(root, "d", "e"))
    with open(os.path.join(root, "f"), "wb") as f:
        f.write(bytes(range(256)) * 120)  # 30 KiB: single indirect
    with open(os.path.join(root, "d", "small"), "wb") as f:
        f.write(b"small\n")
    with open(os.path.join(root, "holey"), "wb") as f:
        f.truncate(40000)
        f.seek(39000)
        f.write(b"end")
    os.symlink("f", os.path.join(root, "l"))
    os.symlink("p" * 80, os.path.join(root, "ll"))
    os.link(os.path.join(root, "f"), os.path.join(root, "d", "hard"))
    for i in range(entries):
        open(os.path.join(root, "d", "e", f"n{i:03d}"), "w").close()


def mkfs(image, staging, extra=()):
    argv = ["mke2fs", "-q", "-t", "ext2", "-b", "1024", "-N", "64", "-F", *extra]
    if staging:
        argv += ["-d", staging]
    subprocess.run(argv + [image, SIZE], check=True, capture_output=True,
                   env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    if shutil.which("mke2fs") is None:
        print("make_ext2_seeds.py: no mke2fs: no seeds", file=sys.stderr)
        return 0
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        staging = os.path.join(tmp, "st")
        populate(staging, 40)
        seeds = {
            "empty": (None, ()),
            "files": (staging, ()),
            "inode128": (staging, ("-I", "128")),
        }
        for name, (source, extra) in seeds.items():
            mkfs(os.path.join(out, name), source, extra)
        indexed = os.path.join(out, "indexed")
        shutil.copy(os.path.join(out, "files"), indexed)
        subprocess.run(["e2fsck", "-fyD", indexed], capture_output=True)
        for name, boot in (("failing_writes", b"\x05\x00\x00"), ("sync_meta", b"\x00\x00\x01")):
            shutil.copy(os.path.join(out, "files"), os.path.join(out, name))
            with open(os.path.join(out, name), "r+b") as f:
                f.write(boot)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
