#!/usr/bin/env python3
"""Make the OS benchmarks' disk: a copy of the tests' disk with the cold
files of the file-system rows added (docs/benchmarks.md, "OS benchmarks"),
and the application benchmarks' disks: copies with files of the host put
into them ("Application benchmarks").

    mkbenchdisk.py --from build/disks/os.img -o build/disks/bench.img [--files N]
                   [--put PATH=HOSTFILE ...]

--put writes HOSTFILE at PATH (its directories made as needed, a file
already there replaced), mode 0755 if HOSTFILE is executable, else 0644,
after the cold files (--files 0: none).

The files are /bench/cold-00 .. cold-(N-1), 1 MiB each, written into the
copy with the host's debugfs (e2fsprogs): `fs_read_1m_cold` reads each of
them once, the first read of that file since boot, on Keel and on Linux
alike. Their bytes are those bench/os/osbench.c expects of file number n
(a change to one is a change to both): each 4 KiB block b starts with the
8-byte little-endian header 0x4f53420000000000 | n << 20 | b, and its byte
i (8 <= i < 4096) is 1 + (31 n + i) mod 251. Afterwards every file is read
back with debugfs and compared, and `e2fsck -fn` must find the image
clean; on any failure no image is left at the output path.
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkdisk import host_tool  # noqa: E402
from qemu_cmd import disk_copy  # noqa: E402

MAGIC = 0x4F53420000000000
BLOCK = 4096
FILE_SIZE = 1 << 20
DIRECTORY = "/bench"


def cold_file(number):
    """The bytes of cold file `number`."""
    body = bytes(1 + (31 * number + i) % 251 for i in range(8, BLOCK))
    return b"".join(struct.pack("<Q", MAGIC | number << 20 | block) + body
                    for block in range(FILE_SIZE // BLOCK))


def debugfs(image, commands, writable=False):
    """Run debugfs's commands on `image`; its output (it exits 0 even when
    a command fails, so callers check what they asked for)."""
    argv = [host_tool("debugfs")] + (["-w"] if writable else []) + ["-f", "-", image]
    done = subprocess.run(argv, input="\n".join(commands) + "\n", capture_output=True,
                          text=True, check=True)
    return done.stdout + done.stderr


def exists(image, path):
    """Is there a file or directory at `path` in `image`?"""
    return "Inode:" in debugfs(image, [f"stat {path}"])


def put_commands(image, path, staged, known):
    """debugfs's commands that write the file `staged` at `path` in
    `image`: its directories that do not exist (debugfs's mkdir of one that
    does leaves an unconnected inode behind), the old file removed if there
    is one. `known`: the directories known to exist (updated)."""
    commands = []
    parts = path.strip("/").split("/")
    for i in range(1, len(parts)):
        directory = "/" + "/".join(parts[:i])
        if directory not in known:
            if not exists(image, directory):
                commands.append(f"mkdir {directory}")
            known.add(directory)
    if exists(image, path):
        commands.append(f"rm {path}")
    return commands + [f"write {staged} {path}"]


def make(source, output, count, puts=()):
    """`puts`: (path on the disk, host file) pairs."""
    tmp_image = output + ".tmp"
    disk_copy(source, tmp_image)
    with tempfile.TemporaryDirectory() as tmp:
        names = [f"cold-{n:02d}" for n in range(count)]
        expected = {}  # path -> bytes
        commands, known = [], set()
        for n, name in enumerate(names):
            staged = os.path.join(tmp, name)
            with open(staged, "wb") as f:
                f.write(cold_file(n))
            os.chmod(staged, 0o644)
            commands += put_commands(tmp_image, f"{DIRECTORY}/{name}", staged, known)
            expected[f"{DIRECTORY}/{name}"] = cold_file(n)
        for i, (path, host_file) in enumerate(puts):
            with open(host_file, "rb") as f:
                data = f.read()
            staged = os.path.join(tmp, f"put-{i}")
            with open(staged, "wb") as f:
                f.write(data)
            os.chmod(staged, 0o755 if os.access(host_file, os.X_OK) else 0o644)
            commands += put_commands(tmp_image, path, staged, known)
            expected[path] = data
        debugfs(tmp_image, commands, writable=True)
        back = os.path.join(tmp, "back")
        for path, data in expected.items():
            debugfs(tmp_image, [f"dump {path} {back}"])
            if not os.path.exists(back):
                raise RuntimeError(f"debugfs could not dump {path}")
            with open(back, "rb") as f:
                same = f.read() == data
            os.unlink(back)
            if not same:
                raise RuntimeError(f"{path} does not read back as written")
    check = subprocess.run([host_tool("e2fsck"), "-fn", tmp_image], capture_output=True,
                           text=True)
    if check.returncode != 0:
        raise RuntimeError(f"e2fsck -fn: exit status {check.returncode}\n{check.stdout}")
    os.replace(tmp_image, output)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", required=True, help="the tests' disk image")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--files", type=int, default=16, help="cold files (default 16)")
    parser.add_argument("--put", action="append", default=[], metavar="PATH=HOSTFILE",
                        help="write HOSTFILE at PATH on the disk (again for more)")
    args = parser.parse_args()
    if not 0 <= args.files <= 100:
        sys.exit("mkbenchdisk: --files wants 0 to 100")
    puts = []
    for put in args.put:
        path, _, host_file = put.partition("=")
        if not path.startswith("/") or path.endswith("/") or not host_file or \
                any(c.isspace() for c in path):
            sys.exit(f"mkbenchdisk: --put {put}: wants /PATH=HOSTFILE (no spaces in PATH)")
        puts.append((path, host_file))
    try:
        make(args.source, args.output, args.files, puts)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        if os.path.exists(args.output + ".tmp"):
            os.unlink(args.output + ".tmp")
        sys.exit(f"mkbenchdisk: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
