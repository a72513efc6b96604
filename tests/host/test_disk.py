#!/usr/bin/env python3
"""The disk against the host's tools (docs/storage.md "Tests against the
host's tools"): Keel writes a tree of files, the host's e2fsck and debugfs
check it; the host's mke2fs writes one, Keel reads it back byte for byte.

1. Keel writes: boot the image osfs with a copy of BUILD/disks/os.img (4
   KiB blocks), type `fstree make SEED /home/t BIG`, `fstree verify ...`,
   `fstree far ...` (1000 bytes at 5 GiB + 3), `fstree df /`, `sync` and
   `halt`; then `e2fsck -fn` on the copy must find nothing, every file,
   link and directory `debugfs rdump` takes out must be the model's
   (tests/host/fstree_model.py) -- type, mode, size, every byte, no name
   more or less --, the sparse files' holes must hold no blocks, the far
   file's bytes must be where `debugfs bmap` says, and statvfs must agree
   with dumpe2fs.
2. The host writes: for 1 KiB and 4 KiB blocks (the 4 KiB image's
   directories indexed by `e2fsck -D`), stage the tree of seed SEED+1 (the
   model's bytes, holes by seek, hard and symbolic links) beside files of
   the host's own (holes at the end by truncate, odd names, symbolic links
   fast and slow, absolute, to a directory, dangling; a directory of 2000
   entries), make an image with `mke2fs -t ext2 -d`, boot Keel on it:
   `fstree sums /data` must print the host's own sums, `fstree verify`
   find the tree exact; Keel then changes the large directory (rm, touch)
   and, on the 1 KiB image, writes the tree of seed SEED+2 and a far file;
   after halt, e2fsck -fn must find nothing, debugfs the changes and
   dumpe2fs Keel's statvfs.

Every failure names the seed; `--seed N` replays it. `--big BYTES` sets
the big file's size, `--large` makes it just over 64 MiB (past the
triple indirect block with 1 KiB blocks) in both trees Keel writes.
Speaks the result-line protocol; `test=NAME` runs one test.

usage: test_disk.py [--build BUILD] [--seed N] [--big BYTES | --large] [test=NAME]
"""

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "host"))
import fstree_model as model  # noqa: E402
import mkdisk  # noqa: E402
import suite  # noqa: E402
from qemu_cmd import disk_args, disk_copy, qemu_command  # noqa: E402
from stress import Console, Stop, run_command, wait_for_shell  # noqa: E402

LARGE = 64 * model.MIB + 300 * model.KIB + 5
# The big file of the tree Keel writes on 1 KiB blocks, for a shorter run
# (past the double indirect block all the same).
BIG_1K = 300 * model.KIB + 7
IMAGE_SIZE = "256M"
SHOWN = 12  # differences shown in a failure
E2FSPROGS = ("/sbin", "/usr/sbin")
FAR_OFFSET = 5 * 1024 * model.MIB + 3  # past 4 GiB: triple indirect with either block size
FAR_PATH = "/home/far"
INDEX_FL = 0x1000  # an indexed directory (dir_index)
WIDE = 2000  # entries of the host's large directory
WIDE_REMOVED = 10
WIDE_ADDED = 10

options = argparse.Namespace(build="build", seed=1, big=model.BIG_DEFAULT, large=False,
                             tag="disk.host")  # tag: the prefix of its files in test-logs


def tool(name):
    found = shutil.which(name) or next(
        (os.path.join(d, name) for d in E2FSPROGS if os.path.exists(os.path.join(d, name))), None)
    if found is None:
        raise suite.Failure(f"{name} not found (Debian package e2fsprogs)")
    return found


def build_path(*parts):
    return os.path.join(options.build, *parts)


def seeded(text):
    """A failure's text with the seed at the end of its first line (the
    line the runner shows; the rest is in the log)."""
    size = " --large" if options.large else \
        f" --big {options.big}" if options.big != model.BIG_DEFAULT else ""
    first, _, rest = text.partition("\n")
    note = f" (seed {options.seed}; replay: tests/host/test_disk.py --seed {options.seed}{size})"
    return first + note + ("\n" + rest if rest else "")


def listed(what, items):
    """`what: N ..., the first: ITEM` and the others on lines after it."""
    text = f"{what}: {len(items)}, the first: {items[0]}"
    return text + "".join(f"\n  {item}" for item in items[1:SHOWN])


# --- booting Keel and typing at its shell ------------------------------------

def boot(image, commands, name, stall):
    """Boot osfs on disk `image`, type each command and take what it prints
    up to the next prompt, then `sync` and `halt`, after which QEMU must end
    with status 0. The console: BUILD/test-logs/TAG.NAME.log (TAG disk.host or
    disk.host.large).
    {command: output}."""
    elf = build_path("os", "images", "osfs.elf")
    if not os.path.exists(elf):
        raise suite.Failure(f"{elf} is missing (make os-images)")
    os.makedirs(build_path("test-logs"), exist_ok=True)
    argv = qemu_command(elf, extra=disk_args(image))
    outputs = {}
    with open(build_path("test-logs", f"{options.tag}.{name}.log"), "wb") as log:
        console = Console(argv, log)
        try:
            wait_for_shell(console, 60)
            for command in commands:
                start = time.monotonic()
                outputs[command] = run_command(console, command, lambda *_: None, stall)
                print(f"{options.tag} {name}: {time.monotonic() - start:5.1f} s  {command[:60]}",
                      flush=True)
            run_command(console, "sync", lambda *_: None, stall)
            console.send("halt")
            deadline = time.monotonic() + 30
            while console.poll(0.5) is not None:
                if time.monotonic() > deadline:
                    raise Stop("QEMU did not end after halt")
            status = console.proc.wait(timeout=10)
            if status != 0:
                raise Stop(f"QEMU exit status {status} after halt")
        except Stop as e:
            raise suite.Failure(seeded(f"{name}: {e} (console: {log.name})"))
        finally:
            console.close()
    return outputs


def fstree_lines(output):
    """fstree's own lines (`fstree: ...`) in a command's output."""
    return [line for line in output.splitlines() if line.startswith("fstree:")]


def expect_summary(output, pattern, what):
    """The output's last fstree line must match pattern; every other
    fstree line is a failure it reported."""
    lines = fstree_lines(output)
    if len(lines) > 1:
        raise suite.Failure(seeded(listed(f"{what}: failures", lines[:-1]) + "\n  " + lines[-1]))
    if not lines or not re.fullmatch(pattern, lines[-1]):
        shown = "\n".join(lines) or output[-1500:]
        raise suite.Failure(seeded(f"{what}: no line /{pattern}/ at its end\n{shown}"))


def make_failures(output, what):
    """fstree make's failure lines: (the checks of calls that must fail,
    the rest); its summary line must be there."""
    lines = fstree_lines(output)
    if not lines or not re.fullmatch(r"fstree: make: \d+ failed", lines[-1]):
        raise suite.Failure(seeded(f"{what}: no summary line\n" + ("\n".join(lines[-SHOWN:]) or
                                                                   output[-1500:])))
    checks = [line for line in lines[:-1] if line.startswith("fstree: check ")]
    return checks, [line for line in lines[:-1] if line not in checks]


def expect_no_failures(lines, what):
    if lines:
        raise suite.Failure(seeded(listed(f"{what}: failures", lines)))


def sums_lines(output):
    return [line for line in output.splitlines() if re.match(r"[dfl] ", line)]


def compare_lines(got, want, what):
    if got == want:
        return
    got_set, want_set = set(got), set(want)
    problems = [f"missing: {line}" for line in want if line not in got_set]
    problems += [f"extra: {line}" for line in got if line not in want_set]
    if not problems:
        problems = ["the same lines in another order"]
    raise suite.Failure(seeded(listed(f"{what}: {len(got)} lines, want {len(want)}; differences",
                                      problems)))


# --- the host's tools ------------------------------------------------------------

def e2fsck(image, what):
    """e2fsck -fn must exit 0 and ask nothing (-n answers every problem no)."""
    proc = subprocess.run([tool("e2fsck"), "-fn", image], capture_output=True, timeout=120)
    out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    if proc.returncode != 0 or "? no" in out:
        problems = [line for line in out.splitlines() if line.strip() and
                    not line.startswith(("Pass ", "e2fsck ", image))]
        first = problems[0] if problems else ""
        raise suite.Failure(seeded(f"{what}: e2fsck -fn exit {proc.returncode}: {first}\n"
                                   f"{out[-3000:]}"))


def debugfs(image, request):
    proc = subprocess.run([tool("debugfs"), "-R", request, image], capture_output=True,
                          timeout=300)
    return proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def rdump(image, path, dest):
    """debugfs rdump of path into dest: the host path of its copy."""
    os.makedirs(dest, exist_ok=True)
    _, err = debugfs(image, f"rdump {path} {dest}")
    copy = os.path.join(dest, os.path.basename(path))
    if not os.path.isdir(copy):
        raise suite.Failure(seeded(f"debugfs rdump {path}: nothing taken out: {err[-800:]}"))
    return copy


def blockcount(image, path):
    """The 512-byte sectors debugfs says the inode at path holds."""
    out, err = debugfs(image, f"stat {path}")
    m = re.search(r"Blockcount: (\d+)", out)
    if m is None:
        raise suite.Failure(seeded(f"debugfs stat {path}: no block count: {err[-500:]}"))
    return int(m.group(1))


def index_directories(image):
    """e2fsck -D: every directory of more than a block indexed (dir_index),
    as Linux's ext3 and ext4 drivers make them."""
    proc = subprocess.run([tool("e2fsck"), "-fyD", image], capture_output=True, timeout=120)
    out, _ = debugfs(image, "stat /data/x/wide")
    flags = re.search(r"Flags: (0x[0-9a-f]+)", out)
    if proc.returncode not in (0, 1) or not flags or not int(flags.group(1), 16) & INDEX_FL:
        raise suite.Failure(f"e2fsck -fyD indexed no directory (exit {proc.returncode}): "
                            f"{proc.stdout.decode(errors='replace')[-800:]}")


def mke2fs(staging, image, block):
    proc = subprocess.run([mkdisk.mke2fs(), "-q", "-F", "-t", "ext2", "-b", str(block), "-L", "keel",
                           "-E", "root_owner=0:0", "-d", staging, image, IMAGE_SIZE],
                          capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise suite.Failure(f"mke2fs -b {block}: {proc.stderr.decode(errors='replace')[-1000:]}")


# --- the model's tree against a tree on the host ---------------------------------

def compare_tree(plan, content, copy, what):
    """The host directory copy (debugfs rdump keeps modes) against the
    plan's tree that fstree made: the same paths, types, sizes, bytes, and
    the modes fstree asked for (0755 for directories, 0644 for files)."""
    want = plan.tree()
    got = {}
    for dirpath, dirnames, filenames in os.walk(copy):
        rel = os.path.relpath(dirpath, copy)
        for name in dirnames + filenames:
            path = name if rel == "." else f"{rel}/{name}"
            got[path] = os.path.join(dirpath, name)
    problems = [f"lacks {p}" for p in sorted(set(want) - set(got))]
    problems += [f"holds {p}, which it should not" for p in sorted(set(got) - set(want))]
    for path in sorted(set(want) & set(got)):
        node, host = want[path], got[path]
        if node.kind == model.SYMLINK:
            if not os.path.islink(host) or os.readlink(host) != node.target:
                problems.append(f"{path}: not a symbolic link to {node.target}")
            continue
        mode = stat.S_IMODE(os.lstat(host).st_mode)
        if mode != (0o755 if node.kind == model.DIR else 0o644):
            problems.append(f"{path}: mode 0{mode:o}")
        if node.kind == model.DIR:
            if not os.path.isdir(host) or os.path.islink(host):
                problems.append(f"{path}: not a directory")
            continue
        if not os.path.isfile(host) or os.path.islink(host):
            problems.append(f"{path}: not a file")
            continue
        size = os.path.getsize(host)
        if size != node.inode.size:
            problems.append(f"{path}: size {size}, want {node.inode.size}")
            continue
        data = model.file_bytes(content, node)
        with open(host, "rb") as f:
            have = f.read()
        if have != data:
            at = next(i for i in range(len(data)) if have[i] != data[i])
            problems.append(f"{path}: byte {at} is 0x{have[at]:02x}, want 0x{data[at]:02x}")
    if problems:
        raise suite.Failure(seeded(listed(f"{what}: differences", problems)))


def holes_unallocated(image, plan, root, block):
    """Each sparse file of the plan holds no more blocks than its data
    touches, and a few for its block map."""
    problems = []
    for path, node in sorted(plan.tree().items()):
        if not path.startswith("sparse/") or node.kind != model.FILE:
            continue
        touched = set()
        for start, end, _ in node.inode.extents:
            touched.update(range(start // block, (end - 1) // block + 1))
        held = blockcount(image, f"{root}/{path}") * 512 // block
        if held > len(touched) + 8:
            problems.append(f"{path}: {held} blocks for {len(touched)} of data")
    if problems:
        raise suite.Failure(seeded(listed("holes given blocks", problems)))


DF = "fstree df /"


def statvfs_matches(image, output, what):
    """fstree df's figures against the superblock's and the sum of the
    group descriptors' (which e2fsck holds to the bitmaps), from dumpe2fs."""
    m = re.search(r"fstree: df: bsize (\d+) blocks (\d+) bfree (\d+) bavail (\d+) files (\d+) "
                  r"ffree (\d+)", output)
    if m is None:
        raise suite.Failure(seeded(f"{what}: no figures from fstree df: {output[-500:]}"))
    got = dict(zip(("bsize", "blocks", "bfree", "bavail", "files", "ffree"), map(int, m.groups())))
    proc = subprocess.run([tool("dumpe2fs"), image], capture_output=True, timeout=120)
    text = proc.stdout.decode(errors="replace")

    def field(name):
        found = re.search(rf"^{name}:\s+(\d+)$", text, re.MULTILINE)
        if found is None:
            raise suite.Failure(f"dumpe2fs {image}: no {name}")
        return int(found.group(1))
    groups = re.findall(r"^\s+(\d+) free blocks, (\d+) free inodes", text, re.MULTILINE)
    free = field("Free blocks")
    want = {"bsize": field("Block size"), "blocks": field("Block count") - field("First block"),
            "bfree": free, "bavail": max(0, free - field("Reserved block count")),
            "files": field("Inode count"), "ffree": field("Free inodes")}
    problems = [f"{k} {got[k]}, want {want[k]}" for k in want if got[k] != want[k]]
    group_free = (sum(int(b) for b, _ in groups), sum(int(i) for _, i in groups))
    if group_free != (got["bfree"], got["ffree"]):
        problems.append(f"free blocks and inodes {got['bfree']}, {got['ffree']}; the groups "
                        f"count {group_free[0]}, {group_free[1]}")
    if problems:
        raise suite.Failure(seeded(f"{what}: statvfs against dumpe2fs: " + "; ".join(problems)))


def far_on_disk(image, content, block):
    """fstree far's file: its size, its bytes where debugfs bmap says its
    blocks are (zeros around them in those blocks), few blocks held."""
    out, err = debugfs(image, f"stat {FAR_PATH}")
    size = re.search(r"Size: (\d+)", out)
    if size is None or int(size.group(1)) != FAR_OFFSET + model.FAR_LENGTH:
        raise suite.Failure(seeded(f"{FAR_PATH}: size {size and size.group(1)}, want "
                                   f"{FAR_OFFSET + model.FAR_LENGTH}: {err[-300:]}"))
    first, last = FAR_OFFSET // block, (FAR_OFFSET + model.FAR_LENGTH - 1) // block
    data = bytearray()
    with open(image, "rb") as f:
        for logical in range(first, last + 1):
            out, err = debugfs(image, f"bmap {FAR_PATH} {logical}")
            if not out.strip().isdigit() or int(out) == 0:
                raise suite.Failure(seeded(f"{FAR_PATH}: block {logical} not mapped: {out}{err}"))
            f.seek(int(out) * block)
            data += f.read(block)
    at = FAR_OFFSET - first * block
    want = bytes(at) + content.bytes(model.FAR_STREAM, FAR_OFFSET, model.FAR_LENGTH)
    want += bytes(len(data) - len(want))
    if bytes(data) != want:
        i = next(i for i in range(len(want)) if data[i] != want[i])
        raise suite.Failure(seeded(f"{FAR_PATH}: byte {first * block + i} is 0x{data[i]:02x}, "
                                   f"want 0x{want[i]:02x}"))
    held = blockcount(image, FAR_PATH) * 512 // block
    if held > last - first + 1 + 3:
        raise suite.Failure(seeded(f"{FAR_PATH}: {held} blocks held for {last - first + 1} of data"))


# --- 1. Keel writes ----------------------------------------------------------------

def once(fn):
    """A run shared by several tests: done at the first's call; a failure
    fails every test that needs it."""
    result = []

    def shared():
        if not result:
            try:
                result.append((fn(), None))
            except suite.Failure as e:
                result.append((None, e))
        value, failure = result[0]
        if failure is not None:
            raise suite.Failure(str(failure))
        return value
    return shared


@once
def keel_run():
    seed, big = options.seed, options.big
    image = build_path("test-logs", f"{options.tag}.keel.img")
    source = build_path("disks", "os.img")
    if not os.path.exists(source):
        raise suite.Failure(f"{source} is missing (make {source})")
    disk_copy(source, image)
    make = f"fstree make {seed} /home/t {big}"
    verify = f"fstree verify {seed} /home/t {big}"
    far = f"fstree far {seed} {FAR_PATH} {FAR_OFFSET}"
    out = boot(image, [make, verify, far, DF], "keel", stall=300)
    return argparse.Namespace(image=image, make=out[make], verify=out[verify], far=out[far],
                              df=out[DF],
                              plan=model.Plan("/home/t", seed, big), content=model.Content(seed))


@suite.test
def keel_make_without_errors():
    """fstree make: every call as planned (the checks of calls that must
    fail are the next test's)."""
    expect_no_failures(make_failures(keel_run().make, "fstree make")[1], "fstree make")


@suite.test
def keel_refused_calls_errno():
    """The calls fstree make makes that must fail: each with its errno,
    changing nothing."""
    expect_no_failures(make_failures(keel_run().make, "fstree make")[0],
                       "fstree make: calls that must fail")


@suite.test
def keel_verify_inside():
    expect_summary(keel_run().verify, r"fstree: verify: \d+ checks, 0 failed", "fstree verify")


@suite.test
def keel_image_e2fsck_clean():
    e2fsck(keel_run().image, "the disk Keel wrote")


@suite.test
def keel_halt_leaves_it_clean():
    """halt unmounts: the superblock says clean (no "was not cleanly
    unmounted" at the next boot)."""
    image = keel_run().image
    proc = subprocess.run([tool("dumpe2fs"), "-h", image], capture_output=True, timeout=120)
    state = re.search(r"^Filesystem state:\s+(.*)$", proc.stdout.decode(errors="replace"), re.M)
    if state is None or state.group(1).strip() != "clean":
        raise suite.Failure(f"dumpe2fs -h {image}: state "
                            f"{state.group(1).strip() if state else 'not found'}, want clean")


@suite.test
def keel_tree_matches_debugfs():
    run = keel_run()
    with tempfile.TemporaryDirectory(dir=build_path("test-logs")) as dest:
        copy = rdump(run.image, "/home/t", dest)
        compare_tree(run.plan, run.content, copy, "debugfs rdump /home/t against the model")


@suite.test
def keel_sparse_holes_unallocated():
    run = keel_run()
    holes_unallocated(run.image, run.plan, "/home/t", 4096)


@suite.test
def keel_statvfs_matches_dumpe2fs():
    run = keel_run()
    statvfs_matches(run.image, run.df, "the disk Keel wrote")


@suite.test
def keel_far_file_past_4gib():
    """1000 bytes at 5 GiB + 3 (4 KiB blocks): read back in Keel, found
    by the host through the triple indirect block."""
    run = keel_run()
    expect_summary(run.far, r"fstree: far: 0 failed", "fstree far")
    far_on_disk(run.image, run.content, 4096)


# --- 2. the host writes ------------------------------------------------------------

def wide_name(i):
    return f"w{i:04d}"


def stage_extras(x):
    """The host's own files beside the model's tree, under x."""
    with open(os.path.join(x, "tail-hole"), "wb") as f:
        f.write(b"tail" * 250)
        f.truncate(5 * model.MIB)
    with open(os.path.join(x, "only-hole"), "wb") as f:
        f.truncate(3 * model.MIB + 1)
    with open(os.path.join(x, "zeros"), "wb") as f:
        f.write(bytes(100 * model.KIB))
    with open(os.path.join(x, "n" * 255), "wb") as f:
        f.write(b"the longest name\n")
    for name in ("with space", "caf\u00e9-\u00fcber", "per%cent", "dot.."):
        with open(os.path.join(x, name), "w", encoding="utf-8") as f:
            f.write(name * 3)
    os.symlink("../t/sizes/s02-511", os.path.join(x, "link-fast"))
    os.symlink("./" * 40 + "../t/sizes/s08-4095", os.path.join(x, "link-slow"))
    os.symlink("/data/t/sizes/s10-4097", os.path.join(x, "link-absolute"))
    os.symlink("../t/deep", os.path.join(x, "link-dir"))
    os.symlink("nowhere", os.path.join(x, "link-dangling"))
    os.mkdir(os.path.join(x, "empty"))
    wide = os.path.join(x, "wide")
    os.mkdir(wide)
    for i in range(WIDE):
        with open(os.path.join(wide, wide_name(i)), "wb") as f:
            f.write(str(i).encode() * (i % 4))


def resolver(data_root):
    """How Keel follows a link of the staged /data: relative to the link's
    directory, or from / (the staging's parent) when absolute."""
    top = os.path.dirname(os.fsencode(data_root))

    def resolve(link, target):
        if target.startswith(b"/"):
            return top + target
        return os.path.join(os.path.dirname(link), target)
    return resolve


def wide_commands():
    """Keel's changes to the host's large directory: some removed, some
    added ({name: present afterwards})."""
    removed = [wide_name(i) for i in range(0, WIDE, WIDE // WIDE_REMOVED)][:WIDE_REMOVED]
    added = [f"added{i}" for i in range(WIDE_ADDED)]
    commands = ["rm " + " ".join(f"/data/x/wide/{n}" for n in removed),
                "touch " + " ".join(f"/data/x/wide/{n}" for n in added)]
    names = {wide_name(i) for i in range(WIDE)} - set(removed) | set(added)
    return commands, names


def host_run(block):
    seed, big = options.seed + 1, model.BIG_DEFAULT
    work = tempfile.mkdtemp(dir=build_path("test-logs"), prefix=f"{options.tag}.{block}.")
    try:
        staging = os.path.join(work, "root")
        os.mkdir(staging)
        mkdisk.stage(staging, argparse.Namespace(skel=os.path.join(ROOT, "system", "disk"),
                                                 system=[os.path.join(ROOT, "system", "keel.system"),
                                                         os.path.join(ROOT, "tests", "os", "fs",
                                                                      "extra.system")],
                                                 elf_dir=[build_path("os", "programs")]))
        data = os.path.join(staging, "data")
        os.makedirs(os.path.join(data, "x"))
        plan, content = model.Plan(os.path.join(data, "t"), seed, big), model.Content(seed)
        materialize(plan, content)
        stage_extras(os.path.join(data, "x"))
        image = build_path("test-logs", f"{options.tag}.{block}.img")
        mke2fs(staging, image, block)
        if block == 4096:
            index_directories(image)
        e2fsck(image, f"the image mke2fs -b {block} made (before Keel)")
        host_sums = model.sums_of_dir(data, resolver(data))

        changes, wide_names = wide_commands()
        sums = "fstree sums /data"
        verify = f"fstree verify {seed} /data/t {big}"
        commands = [sums, verify] + changes
        written = None
        if block == 1024:
            # Keel writes on the host's file system of 1 KiB blocks too.
            written = argparse.Namespace(seed=options.seed + 2,
                                         big=LARGE if options.large else BIG_1K)
            written.make = f"fstree make {written.seed} /home/t {written.big}"
            written.verify = f"fstree verify {written.seed} /home/t {written.big}"
            written.far = f"fstree far {written.seed} {FAR_PATH} {FAR_OFFSET}"
            commands += [written.make, written.verify, written.far]
        commands.append(DF)
        out = boot(image, commands, f"host{block}", stall=300)
        return argparse.Namespace(image=image, block=block, out=out, sums=sums, verify=verify,
                                  changes=changes, wide_names=wide_names, host_sums=host_sums,
                                  written=written)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def materialize(plan, content):
    """The plan's tree on the host, holes by seeking past them; a hard link
    whose inode's first name is gone holds the bytes itself."""
    root = plan.nodes[0].name
    made = {}
    for n in plan.nodes:
        if n.kind == model.DIR:
            os.makedirs(os.path.join(root, plan.path(n)), exist_ok=True)
    for n in plan.nodes:
        path = os.path.join(root, plan.path(n))
        if n.kind == model.SYMLINK:
            os.symlink(n.target, path)
        elif n.kind == model.FILE and n.inode in made:
            os.link(made[n.inode], path)
        elif n.kind == model.FILE:
            with open(path, "wb") as f:
                for start, end, stream in n.inode.extents:
                    f.seek(start)
                    f.write(content.bytes(stream, start, end - start))
                f.truncate(n.inode.size)
            made[n.inode] = path


host_1k = once(lambda: host_run(1024))
host_4k = once(lambda: host_run(4096))


def host_tests(block, run):
    def sums_match():
        r = run()
        compare_lines(sums_lines(r.out[r.sums]), r.host_sums,
                      f"fstree sums /data (mke2fs -b {block}) against the host's")

    def verify_inside():
        r = run()
        expect_summary(r.out[r.verify], r"fstree: verify: \d+ checks, 0 failed",
                       f"fstree verify /data/t (mke2fs -b {block})")

    def image_clean_after():
        e2fsck(run().image, f"the image of mke2fs -b {block} after Keel")

    def directory_changes():
        r = run()
        for command in r.changes:
            lines = [line for line in r.out[command].splitlines()[1:] if line.strip()]
            if lines:
                raise suite.Failure(seeded(f"`{command[:40]}...`: " + "\n".join(lines[:SHOWN])))
        out, _ = debugfs(r.image, "ls /data/x/wide")
        names = set(re.findall(r"\(\d+\)\s+(\S+)", out)) - {".", ".."}
        compare_lines(sorted(names), sorted(r.wide_names),
                      f"/data/x/wide (mke2fs -b {block}) after rm and touch")

    def statvfs():
        r = run()
        statvfs_matches(r.image, r.out[DF], f"the image of mke2fs -b {block}")

    tests = {"sums_match": sums_match, "verify_inside": verify_inside,
             "image_clean_after_keel": image_clean_after,
             "large_directory_changes": directory_changes,
             "statvfs_matches_dumpe2fs": statvfs}
    for what, fn in tests.items():
        fn.__name__ = f"host{block // 1024}k_{what}"
        fn.__module__ = "__main__"
        suite.test(fn)


host_tests(1024, host_1k)


@suite.test
def host1k_keel_writes():
    """Keel's tree on a file system of 1 KiB blocks (the triple indirect
    block with the far sparse file), read back by debugfs."""
    r = host_1k()
    w = r.written
    expect_no_failures(make_failures(r.out[w.make], "fstree make (1 KiB blocks)")[1],
                       "fstree make (1 KiB blocks)")
    expect_summary(r.out[w.verify], r"fstree: verify: \d+ checks, 0 failed",
                   "fstree verify (1 KiB blocks)")
    plan, content = model.Plan("/home/t", w.seed, w.big), model.Content(w.seed)
    with tempfile.TemporaryDirectory(dir=build_path("test-logs")) as dest:
        copy = rdump(r.image, "/home/t", dest)
        compare_tree(plan, content, copy, "debugfs rdump /home/t (1 KiB blocks)")
    holes_unallocated(r.image, plan, "/home/t", 1024)


@suite.test
def host1k_far_file_past_4gib():
    r = host_1k()
    expect_summary(r.out[r.written.far], r"fstree: far: 0 failed", "fstree far (1 KiB blocks)")
    far_on_disk(r.image, model.Content(r.written.seed), 1024)


host_tests(4096, host_4k)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--big", type=int, default=model.BIG_DEFAULT)
    parser.add_argument("--large", action="store_true")
    args, rest = parser.parse_known_args(argv)
    options.build, options.seed = args.build, args.seed
    options.big = LARGE if args.large else args.big
    options.large = args.large
    options.tag = "disk.host.large" if args.large else "disk.host"
    return suite.main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
