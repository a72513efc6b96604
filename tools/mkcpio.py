#!/usr/bin/env python3
"""Write a cpio archive in the "newc" format that Linux unpacks as its
initramfs (the kernel's Documentation/driver-api/early-userspace/
buffer-format.rst): the Linux side of the OS benchmarks (bench/linux/) packs
its /init with it.

    mkcpio.py -o OUT [--dir PATH] [--file PATH=SOURCE] [--char PATH=MAJOR,MINOR] ...

Entries are written in the order given, each missing parent directory
first (mode 0755). Every entry is owned by root, dated 0 and numbered from 1,
so the same inputs always give the same bytes. A file's mode is 0755 if its
source is executable, else 0644; a directory's 0755, a character device's
0600. Paths are absolute or relative to the archive's root; "." and ".."
components, empty paths and a path given twice are errors (exit status 2,
no output written).

The format: per entry a 110-byte ASCII header -- "070701" and thirteen
8-digit hexadecimal fields (inode, mode, uid, gid, nlink, mtime, filesize,
devmajor, devminor, rdevmajor, rdevminor, namesize including its NUL,
check = 0) -- then the name and its NUL, padded with NULs to a multiple of
4 bytes, then the data, padded likewise; the last entry is "TRAILER!!!".
"""

import argparse
import os
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


class CpioError(Exception):
    pass


def _pad4(length):
    return (4 - length % 4) % 4


def _header(ino, mode, nlink, size, rdev, name):
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0)
    return MAGIC + b"".join(b"%08X" % f for f in fields)


def _record(ino, mode, nlink, data, rdev, name):
    encoded = name.encode("utf-8")
    head = _header(ino, mode, nlink, len(data), rdev, encoded) + encoded + b"\0"
    return head + bytes(_pad4(len(head))) + data + bytes(_pad4(len(data)))


def normalise(path):
    """The archive name of `path`: no leading slash; "." and ".." refused."""
    parts = path.strip("/").split("/")
    if path.strip("/") == "" or any(p in ("", ".", "..") for p in parts):
        raise CpioError(f"bad path {path!r}")
    return "/".join(parts)


class Archive:
    """Entries in order; `data()` is the archive's bytes."""

    def __init__(self):
        self.entries = []  # (name, mode, data, (rdevmajor, rdevminor))
        self.names = set()

    def _add(self, path, mode, data=b"", rdev=(0, 0)):
        name = normalise(path)
        if name in self.names:
            raise CpioError(f"{path!r} given twice")
        parent = name.rpartition("/")[0]
        if parent and parent not in self.names:
            self._add(parent, stat.S_IFDIR | 0o755)
        self.entries.append((name, mode, data, rdev))
        self.names.add(name)

    def add_dir(self, path, perm=0o755):
        self._add(path, stat.S_IFDIR | perm)

    def add_file(self, path, data, perm=0o644):
        self._add(path, stat.S_IFREG | perm, bytes(data))

    def add_char(self, path, major, minor, perm=0o600):
        if not (0 <= major < 1 << 32 and 0 <= minor < 1 << 32):
            raise CpioError(f"device number {major},{minor} out of range")
        self._add(path, stat.S_IFCHR | perm, rdev=(major, minor))

    def data(self):
        out = bytearray()
        for ino, (name, mode, data, rdev) in enumerate(self.entries, start=1):
            nlink = 2 if stat.S_ISDIR(mode) else 1
            out += _record(ino, mode, nlink, data, rdev, name)
        out += _record(0, 0, 1, b"", (0, 0), TRAILER)
        return bytes(out)


def _split(spec, what):
    path, sep, value = spec.partition("=")
    if not sep or not path or not value:
        raise CpioError(f"{what} wants PATH=VALUE, got {spec!r}")
    return path, value


def add_file_from(archive, spec):
    path, source = _split(spec, "--file")
    try:
        with open(source, "rb") as f:
            data = f.read()
    except OSError as e:
        raise CpioError(f"{source}: {e.strerror}") from e
    archive.add_file(path, data, 0o755 if os.access(source, os.X_OK) else 0o644)


def add_char_from(archive, spec):
    path, numbers = _split(spec, "--char")
    try:
        major, minor = (int(n, 0) for n in numbers.split(","))
    except ValueError as e:
        raise CpioError(f"--char wants PATH=MAJOR,MINOR, got {spec!r}") from e
    archive.add_char(path, major, minor)


class _Ordered(argparse.Action):
    """Keeps --dir, --file and --char in command-line order."""

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.entries.append((self.dest, values))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", required=True)
    parser.set_defaults(entries=[])
    for kind in ("dir", "file", "char"):
        parser.add_argument(f"--{kind}", dest=kind, action=_Ordered, metavar="SPEC")
    args = parser.parse_args(argv)
    archive = Archive()
    adders = {"dir": archive.add_dir, "file": lambda s: add_file_from(archive, s),
              "char": lambda s: add_char_from(archive, s)}
    try:
        for kind, spec in args.entries:
            adders[kind](spec)
    except CpioError as e:
        print(f"mkcpio: {e}", file=sys.stderr)
        return 2
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(archive.data())
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
