#!/usr/bin/env python3
"""Make Keel's disk image (docs/storage.md "The disk"): an ext2 file system
made by the host's mke2fs from a staging directory holding the skeleton
(system/disk: /etc ...), empty /home, /tmp (mode 1777) and /dev, and in
/bin every program the system description lists as `file bin/NAME ELF`
(found in the --elf-dir directories).

    mkdisk.py --system system/keel.system --elf-dir build/os/programs \\
              --skel system/disk --size 128M -o build/disk.img
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

MKE2FS_PATHS = ("/usr/sbin/mke2fs", "/sbin/mke2fs")


def programs(system):
    """(name in /bin, ELF file) for each `file bin/NAME ELF` line."""
    found = []
    with open(system, encoding="utf-8") as f:
        for line in f:
            words = shlex.split(line, comments=True)
            if len(words) == 3 and words[0] == "file" and words[1].startswith("bin/"):
                found.append((words[1][4:], words[2]))
    return found


def find_elf(name, dirs):
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.isfile(path):
            return path
    sys.exit(f"mkdisk.py: {name} is in none of {', '.join(dirs)}")


def mke2fs():
    found = shutil.which("mke2fs") or next((p for p in MKE2FS_PATHS if os.path.exists(p)), None)
    if found is None:
        sys.exit("mkdisk.py: mke2fs not found (Debian package e2fsprogs)")
    return found


def stage(root, args):
    if args.skel:
        shutil.copytree(args.skel, root, dirs_exist_ok=True)
    for d in ("bin", "dev", "etc", "home", "run", "tmp"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    for name, elf in programs(args.system):
        dest = os.path.join(root, "bin", name)
        shutil.copyfile(find_elf(elf, args.elf_dir), dest)
        os.chmod(dest, 0o755)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", required=True)
    parser.add_argument("--elf-dir", action="append", default=[])
    parser.add_argument("--skel")
    parser.add_argument("--size", default="128M")
    parser.add_argument("--block-size", default="4096")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        stage(root, args)
        tmp = args.output + ".tmp"
        if os.path.exists(tmp):
            os.unlink(tmp)
        subprocess.run([mke2fs(), "-q", "-F", "-t", "ext2", "-b", args.block_size, "-L", "keel",
                        "-E", "root_owner=0:0", "-d", root, tmp, args.size], check=True)
        os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
