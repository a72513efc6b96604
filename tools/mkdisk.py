#!/usr/bin/env python3
"""Make Keel's disk image (docs/storage.md "The disk"): an ext2 file system
made by the host's mke2fs from a staging directory holding the skeleton
(system/disk: /etc, /srv ...), empty /home, /tmp (mode 1777), /var/log
and /dev, and every file the system descriptions list as `disk PATH ELF`
(the programs of /bin; ELFs found in the --elf-dir directories), mode
0755.

    mkdisk.py --system system/keel.system [--system MORE ...] \\
              --elf-dir build/os/programs --skel system/disk --size 128M \\
              -o build/disk.img

With --refresh and an existing image, only the listed files whose ELF is
newer than the image are written into it (debugfs -w), the rest of the
disk kept: make run's disk gets the programs the build changed.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

SBIN = ("/usr/sbin", "/sbin")  # e2fsprogs' tools, when not on PATH


def disk_files(systems):
    """(path on the disk, ELF file) for each `disk PATH ELF` line."""
    found = []
    for system in systems:
        with open(system, encoding="utf-8") as f:
            for line in f:
                words = shlex.split(line, comments=True)
                if len(words) == 3 and words[0] == "disk":
                    found.append((words[1], words[2]))
    return found


def find_elf(name, dirs):
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.isfile(path):
            return path
    sys.exit(f"mkdisk.py: {name} is in none of {', '.join(dirs)}")


def host_tool(name):
    """The path of an e2fsprogs tool (mke2fs, debugfs, e2fsck, dumpe2fs)."""
    found = shutil.which(name) or next((os.path.join(d, name) for d in SBIN
                                        if os.path.exists(os.path.join(d, name))), None)
    if found is None:
        sys.exit(f"{os.path.basename(sys.argv[0])}: {name} not found (Debian package e2fsprogs)")
    return found


def mke2fs():
    return host_tool("mke2fs")


def stage(root, args):
    if args.skel:
        shutil.copytree(args.skel, root, dirs_exist_ok=True)
    for d in ("bin", "dev", "etc", "home", "run", "tmp", "var/log"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    for path, elf in disk_files(args.system):
        dest = os.path.join(root, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(find_elf(elf, args.elf_dir), dest)
        os.chmod(dest, 0o755)


def missing_dirs(image, relative):
    """The directories of `relative` (a path below /) that the image does
    not have, outermost first."""
    missing, path = [], ""
    for part in [p for p in relative.split("/") if p]:
        path += "/" + part
        done = subprocess.run([host_tool("debugfs"), "-R", f"stat {path}", image], capture_output=True,
                              text=True)
        if "File not found" in done.stdout + done.stderr:
            missing.append(path)
    return missing


def refresh(args):
    """Write the listed files newer than the image into it, in place: what
    a run wrote elsewhere on the disk stays. Each is removed and written
    again (debugfs's write does not replace), mode 0755."""
    image = args.output
    since = os.path.getmtime(image)
    commands = []
    for path, elf in disk_files(args.system):
        src = find_elf(elf, args.elf_dir)
        if os.path.getmtime(src) <= since:
            continue
        # debugfs's mkdir of a directory that exists leaves an unlinked
        # directory inode behind: only the missing ones are made.
        commands += [f"mkdir {d}" for d in missing_dirs(image, os.path.dirname(path))
                     if f"mkdir {d}" not in commands]
        commands += [f"rm /{path}", f"write {src} /{path}", f"sif /{path} mode 0100755"]
        print(f"mkdisk.py: /{path} from {src}")
    if not commands:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs") as f:
        f.write("\n".join(commands) + "\n")
        f.flush()
        # debugfs reports a missing file or an existing directory and goes on.
        subprocess.run([host_tool("debugfs"), "-w", "-f", f.name, image], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.utime(image)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", action="append", required=True)
    parser.add_argument("--elf-dir", action="append", default=[])
    parser.add_argument("--skel")
    parser.add_argument("--size", default="128M")
    parser.add_argument("--block-size", default="4096")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--refresh", action="store_true",
                        help="write the listed files the build changed into an existing image")
    args = parser.parse_args()
    if args.refresh and os.path.exists(args.output):
        refresh(args)
        return
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
