#!/usr/bin/env python3
"""Where Keel's instructions go in the OS benchmarks: instructions per
operation by component and function, for each of osbench's benchmarks.

    osprofile.py [--build BUILD] [--ops N] [--top N] [--disk IMAGE]

Boots $BUILD/os/images/osbench-quick.elf (osbench --quick: per benchmark a
warm-up batch and three batches of 2 operations, so 8 operations) under
QEMU with -icount shift=0 and `-d in_asm,exec,nochain`, reading QEMU's log
through a FIFO while it runs: every translated block (its address and
instruction words) and every execution of a block. No guest code changes.
The disk is a copy of the benchmark disk ($BUILD/disks/bench.img, `make
bench-os` makes it; its cold files let the cold read run), attached as
tools/runosbench.py attaches it.

Attribution:
- a block's instructions are counted in full each time it runs;
- kernel addresses are looked up in the kernel ELF's symbols; user
  addresses are ambiguous (every program and component is linked at
  0x400000), so a block belongs to the ELF of the image whose bytes at
  those addresses equal the block's instruction words; where several ELFs
  match (shared start-up code at equal addresses), to the one whose block
  ran last at user level if it is among them, else to the first, marked "?";
- the benchmark phase is the osbench.c function (osbench's ELF, after its
  STT_FILE symbol) that osbench last executed, excluding main and
  echo_main (the pipe child is osbench too); everything any component
  executes meanwhile counts to that phase.

Prints per phase the total per operation and the top functions; --json
writes everything. A profile, not a benchmark: block sizes are those of
the translation (a block left early by an exception still counts whole).
"""

import argparse
import bisect
import json
import os
import re
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_cmd import disk_args, disk_copy, qemu_command  # noqa: E402

INSN = re.compile(r"^0x([0-9a-f]+):\s+([0-9a-f]{8})\s")
TRACE = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/")
PHASE_EXCLUDED = {"main", "echo_main"}
KERNEL_BASE = 0xFFFF000000000000


class Elf:
    """The loadable bytes and the function symbols of an ELF64 file."""

    def __init__(self, name, path):
        self.name = name
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != b"\x7fELF" or data[4] != 2:
            raise ValueError(f"{path}: not an ELF64 file")
        (phoff, shoff) = struct.unpack_from("<QQ", data, 0x20)
        (phentsize, phnum, shentsize, shnum) = struct.unpack_from("<HHHH", data, 0x36)
        self.segments = []  # (vaddr, bytes)
        for i in range(phnum):
            ptype, _, offset, vaddr, _, filesz = struct.unpack_from(
                "<IIQQQQ", data, phoff + i * phentsize)
            if ptype == 1 and filesz:
                self.segments.append((vaddr, data[offset:offset + filesz]))
        self.functions, self.file_functions = [], {}
        self._read_symbols(data, shoff, shentsize, shnum)
        self.starts = [s for s, _, _ in self.functions]

    def _read_symbols(self, data, shoff, shentsize, shnum):
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                    for i in range(shnum)]
        for sh in sections:
            if sh[1] != 2:  # SHT_SYMTAB
                continue
            strtab = sections[sh[6]]
            strings = data[strtab[4]:strtab[4] + strtab[5]]
            current_file = None
            for at in range(sh[4], sh[4] + sh[5], 24):
                name_at, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", data, at)
                name = strings[name_at:strings.index(b"\0", name_at)].decode()
                kind = info & 0xF
                if kind == 4:  # STT_FILE
                    current_file = name
                elif kind == 2 and shndx != 0:  # STT_FUNC, defined
                    self.functions.append((value, size, name))
                    if info >> 4 == 0:  # a local function of current_file
                        self.file_functions.setdefault(current_file, set()).add(name)
                elif kind == 0 and shndx != 0 and name and name[0] not in "$.":
                    # an assembly label (the kernel's vectors): up to the next symbol
                    self.functions.append((value, 0, name))
        self.functions.sort()

    def word(self, address):
        for vaddr, blob in self.segments:
            if vaddr <= address and address + 4 <= vaddr + len(blob):
                return struct.unpack_from("<I", blob, address - vaddr)[0]
        return None

    def function(self, address):
        i = bisect.bisect_right(self.starts, address) - 1
        if i < 0:
            return "?"
        start, size, name = self.functions[i]
        return name if size == 0 or address < start + size else "?"


def elves_of_system(system, elf_dirs):
    """name -> path of every `elf`, `file` and `disk` ELF the description
    names."""
    found = {}
    with open(system, encoding="utf-8") as f:
        for line in f:
            words = shlex.split(line, comments=True)
            elf = words[1] if words[:1] == ["elf"] and len(words) == 2 else \
                words[2] if words[:1] in (["file"], ["disk"]) and len(words) == 3 else None
            if elf is None:
                continue
            path = next((os.path.join(d, elf) for d in elf_dirs
                         if os.path.exists(os.path.join(d, elf))), None)
            if path is None:
                sys.exit(f"osprofile: {elf} (named in {system}) not found in {elf_dirs}")
            found[elf[:-4] if elf.endswith(".elf") else elf] = path
    return found


class Profile:
    """Instructions by phase, owner and function. `users` are the image's
    ELFs at user level; `program` names the benchmark's among them."""

    def __init__(self, kernel, users, program="osbench"):
        self.kernel, self.users = kernel, users
        self.program = next(e for e in users if e.name == program)
        phase_file = next((f for f in self.program.file_functions
                           if f is not None and f.endswith("osbench.c")), None)
        self.phase_functions = self.program.file_functions.get(phase_file, set()) - PHASE_EXCLUDED
        self.blocks = {}  # host pointer of a translated block -> (pc, count, candidates)
        self.pending = None  # [(pc, word)] of the translation just read
        self.last_user = None
        self.phase = "boot"
        self.counts = {}  # phase -> {(owner, function): instructions}

    def translation(self, insns):
        self.pending = insns

    def candidates(self, insns):
        """"kernel", "?" or the user ELFs holding exactly these words."""
        if insns[0][0] >= KERNEL_BASE or self.kernel.word(insns[0][0]) == insns[0][1]:
            return "kernel"
        matching = [e for e in self.users if all(e.word(a) == w for a, w in insns)]
        return matching or "?"

    def owner(self, pc, candidates):
        if candidates == "kernel":
            return "kernel", self.kernel.function(pc)
        if candidates == "?":
            return "?", "?"
        # shared code at a shared address: whoever ran at user level last
        chosen = candidates[0] if len(candidates) == 1 else \
            next((e for e in candidates if e.name == self.last_user), None)
        if chosen is None:  # a guess, which does not name who runs
            return candidates[0].name + "?", candidates[0].function(pc)
        self.last_user = chosen.name
        return chosen.name, chosen.function(pc)

    def executed(self, pointer, pc):
        if self.pending is not None and self.pending[0][0] == pc:
            self.blocks[pointer] = (pc, len(self.pending), self.candidates(self.pending))
            self.pending = None
        start, count, candidates = self.blocks.get(pointer, (pc, 1, "?"))
        owner, function = self.owner(start, candidates)
        if owner == self.program.name and function in self.phase_functions:
            self.phase = function
        per = self.counts.setdefault(self.phase, {})
        per[(owner, function)] = per.get((owner, function), 0) + count


def read_log(stream, profile):
    insns = []
    for line in stream:
        if line.startswith("Trace "):
            m = TRACE.match(line)
            if m:
                profile.executed(m.group(1), int(m.group(2), 16))
            continue
        m = INSN.match(line)
        if m:
            insns.append((int(m.group(1), 16), int(m.group(2), 16)))
        elif insns and not line.strip():
            profile.translation(insns)
            insns = []


def watch_console(proc, done, log_path):
    with open(log_path, "w", encoding="utf-8") as log:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            log.write(line + "\n")
            if line.strip() in ("OSBENCH DONE", "OSBENCH FAILED"):
                done.set()
                break
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(image, profile, console_log, timeout, disk=None):
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "qemu.log")
        os.mkfifo(fifo)
        extra = ["-icount", "shift=0", "-d", "in_asm,exec,nochain", "-D", fifo]
        argv = qemu_command(image, extra=extra + (disk_args(disk) if disk else []))
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        done = threading.Event()
        watcher = threading.Thread(target=watch_console, args=(proc, done, console_log))
        watcher.start()
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            with open(fifo, encoding="utf-8", errors="replace") as stream:
                read_log(stream, profile)
        finally:
            timer.cancel()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            watcher.join()
        return done.is_set()


def report(profile, ops, top):
    out = {}
    for phase, per in profile.counts.items():
        total = sum(per.values())
        owners = {}
        for (owner, _), n in per.items():
            owners[owner] = owners.get(owner, 0) + n
        out[phase] = {"total": total, "ops": ops, "owners": owners,
                      "functions": {f"{o}:{f}": n for (o, f), n in per.items()}}
    for phase in sorted(p for p in out if p.endswith("_batch")):
        data = out[phase]
        print(f"\n{phase}: {data['total'] / ops:,.0f} instructions per operation "
              f"({data['total']:,} for {ops} operations)")
        print("  by component: " + ", ".join(
            f"{o} {n / ops:,.0f}" for o, n in sorted(data["owners"].items(),
                                                     key=lambda x: -x[1])))
        rows = sorted(data["functions"].items(), key=lambda x: -x[1])[:top]
        for name, n in rows:
            print(f"  {n / ops:>12,.1f}  {100 * n / data['total']:5.1f}%  {name}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--image", help="default: BUILD/os/images/osbench-quick.elf")
    parser.add_argument("--ops", type=int, default=8,
                        help="operations per benchmark in the run (quick mode: 8)")
    parser.add_argument("--top", type=int, default=20, help="functions shown per phase")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--json", help="write the whole profile here")
    parser.add_argument("--disk", help="default: BUILD/disks/bench.img (booted as a copy)")
    args = parser.parse_args()
    os_build = os.path.join(args.build, "os")
    image = args.image or os.path.join(os_build, "images", "osbench-quick.elf")
    name = os.path.basename(image)[:-4]
    elves = elves_of_system(os.path.join(os_build, "system", f"{name}.system"),
                            [os.path.join(os_build, "components"),
                             os.path.join(os_build, "programs")])
    elves["rs"] = os.path.join(os_build, "user", f"rs-{name}.elf")
    users = [Elf(n, p) for n, p in elves.items()]
    profile = Profile(Elf("kernel", os.path.join(os_build, "kernel.elf")), users)
    console = os.path.join(args.build, "osprofile.log")
    disk = args.disk or os.path.join(args.build, "disks", "bench.img")
    if not os.path.exists(disk):
        sys.exit(f"osprofile: {disk} does not exist (`make bench-os` makes it)")
    copy = os.path.join(args.build, "osprofile-disk.img")
    disk_copy(disk, copy)
    if not run(image, profile, console, args.timeout, copy):
        sys.exit(f"osprofile: no OSBENCH DONE (console: {console})")
    out = report(profile, args.ops, args.top)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
