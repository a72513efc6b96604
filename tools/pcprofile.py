#!/usr/bin/env python3
"""A sampling profiler for anything that boots under QEMU: where the instructions go.

Boots a QEMU command line with its gdbstub on a loopback port, and while
the console is between a start line and a stop line, stops the machine at
random moments, reads the program counter, the exception level (from
CPSR), the address space (TTBR0_EL1, its ASID bits cleared) and the
instruction at the counter, and lets it go on.

The stops come at random *host* times, so this is a profile of QEMU's
time, not of instructions. Within one program's own code QEMU spends
about the same host time on each instruction, and there the shares of
its functions approximate their shares of its instructions; across
address spaces and exception levels they do not (exceptions, address
space switches and system register accesses cost QEMU far more time per
instruction): for those shares count with the PMU (make bench-apps).

Prints the samples per exception level and per address space, then, for
the busiest address spaces, the functions that took the most samples,
with the symbols of the --elf whose functions hold them (every Keel
program and server is linked at the same address, so the profiler finds
which ELF an address space runs by where its samples fall). The
kernel's samples (EL1) are matched with --kernel.

    tools/pcprofile.py --start 'APPBENCH START lua' --stop 'APPBENCH RESULT lua' \\
        --elf lua=build/os/programs/lua.elf --kernel build/osapps/kernel.elf \\
        -- qemu-system-aarch64 ... -icount shift=0 ...

Nothing here changes what the guest computes: the stops are outside it.
"""

import argparse
import bisect
import collections
import json
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time

PC, CPSR = 32, 33  # aarch64-core.xml's order: x0-x30, sp, pc, cpsr
TTBR_ADDRESS = 0x0000FFFFFFFFFFFE  # the table's address: ASID (63:48) and CnP cleared


class Stub:
    """A client of QEMU's gdbstub (the GDB remote serial protocol)."""

    def __init__(self, port, seconds=30):
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port))
                # each request is a small write after the acknowledgement,
                # a write: without this, Nagle waits for a delayed ACK
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                break
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.pending = b""
        self.sock.sendall(b"+")
        self.request("qSupported:xmlRegisters=aarch64")

    def packet(self):
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-fA-F]{2}", self.pending)
            if m:
                self.pending = self.pending[m.end():]
                self.sock.sendall(b"+")
                return m.group(1)
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QEMU closed its gdbstub")
            self.pending += data

    def send(self, body):
        raw = body.encode()
        self.sock.sendall(b"$" + raw + b"#%02x" % (sum(raw) & 0xFF))

    def request(self, body):
        self.send(body)
        return self.packet()

    def register(self, number):
        return int.from_bytes(bytes.fromhex(self.request(f"p{number:x}").decode()), "little")

    def word(self, address):
        """The 32-bit word at a virtual address of the current context, or None."""
        reply = self.request(f"m{address:x},4").decode()
        return None if reply.startswith("E") or len(reply) != 8 else \
            int.from_bytes(bytes.fromhex(reply), "little")

    def document(self, name):
        """A target description document, read in pieces."""
        out, offset = b"", 0
        while True:
            piece = self.request(f"qXfer:features:read:{name}:{offset:x},800")
            out, offset = out + piece[1:], offset + len(piece) - 1
            if piece[:1] != b"m":
                return out.decode()

    def register_number(self, name):
        for doc in re.findall(r'href="([^"]+)"', self.document("target.xml")):
            m = re.search(rf'name="{name}"[^>]*regnum="(\d+)"', self.document(doc))
            if m:
                return int(m.group(1))
        raise LookupError(f"the gdbstub has no register {name}")

    def stop(self):
        self.sock.sendall(b"\x03")
        return self.packet()


class Symbols:
    """An ELF's function symbols, looked up by address."""

    def __init__(self, path):
        out = subprocess.run(["llvm-nm", "--defined-only", "-n", "-S", path], capture_output=True,
                             text=True, check=True).stdout
        self.starts, self.ends, self.names = [], [], []
        self.segments = load_segments(path)
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[2] in "tTwW":
                self.starts.append(int(parts[0], 16))
                self.ends.append(int(parts[0], 16) + int(parts[1], 16))
                self.names.append(parts[3])

    def name(self, pc):
        """The function holding pc, or None."""
        i = bisect.bisect_right(self.starts, pc) - 1
        return self.names[i] if i >= 0 and pc < self.ends[i] else None

    def word(self, address):
        for start, data in self.segments:
            if start <= address < start + len(data) - 3:
                return int.from_bytes(data[address - start:address - start + 4], "little")
        return None

    def fit(self, samples):
        """The share of (pc, word) samples whose instruction this ELF has
        at pc: every program is linked at the same address, and the right
        ELF is the one that holds the instructions the machine ran."""
        return sum(word is not None and self.word(pc) == word for pc, word in samples) / \
            max(len(samples), 1)


def load_segments(path):
    """An ELF64's loadable segments: (virtual address, file bytes)."""
    with open(path, "rb") as f:
        elf = f.read()
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    segments = []
    for i in range(phnum):
        kind, _, offset, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if kind == 1:  # PT_LOAD
            segments.append((vaddr, elf[offset:offset + filesz]))
    return segments


class Console:
    """QEMU's serial console on its stdout: the lines, and whether the
    start line has come and the stop line not yet."""

    def __init__(self, proc, start, stop, echo):
        self.proc, self.start, self.stop, self.echo = proc, start, stop, echo
        self.sampling = threading.Event()
        self.done = threading.Event()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            if self.echo:
                print(line, file=sys.stderr)
            if re.search(self.start, line):
                self.sampling.set()
            if self.sampling.is_set() and re.search(self.stop, line):
                break
        self.done.set()


def sample(stub, ttbr0, console, interval):
    """(EL, address space, pc) of each stop until the stop line."""
    samples = []
    while not console.done.is_set():
        if not console.sampling.wait(0.1):
            continue
        time.sleep(random.uniform(0, 2 * interval))
        stub.stop()
        if console.sampling.is_set() and not console.done.is_set():
            el = (stub.register(CPSR) >> 2) & 3
            pc = stub.register(PC)
            samples.append((el, stub.register(ttbr0) & TTBR_ADDRESS, pc, stub.word(pc)))
        stub.send("c")
    return samples


def report(samples, elves, kernel, top, idle, spaces_shown=6):
    if kernel and idle:
        # Waiting for the disk costs host time, not instructions: a stop
        # then finds the kernel's idle loop, which executes nothing.
        table = Symbols(kernel)
        busy = [x for x in samples if not (x[0] == 1 and table.name(x[2]) == idle)]
        print(f"{len(samples) - len(busy)} samples in {idle} left out (idle)")
        samples = busy
    total = len(samples)
    print(f"{total} samples")
    by_el = collections.Counter(el for el, _, _, _ in samples)
    for el, n in sorted(by_el.items()):
        print(f"  EL{el}: {n} ({100 * n / total:.1f}%)")
    spaces = collections.Counter(space for el, space, _, _ in samples if el == 0)
    ranked = [space for space, _ in spaces.most_common()]
    print("EL0 address spaces (TTBR0):")
    for space, n in spaces.most_common():
        print(f"  {space:#x}: {n} ({100 * n / total:.1f}%)")
    symbols = {label: Symbols(path) for label, path in elves.items()}
    groups = []
    for space in ranked[:spaces_shown]:
        pcs = [(pc, word) for el, s, pc, word in samples if el == 0 and s == space]
        fits = sorted(((table.fit(pcs), label) for label, table in symbols.items()), reverse=True)
        if fits and fits[0][0] > 0.5:
            groups.append((fits[0][1], space, symbols[fits[0][1]], 0))
    if kernel:
        groups.append(("kernel", None, Symbols(kernel), 1))
    for label, space, table, el in groups:
        names = collections.Counter(table.name(pc) or f"{pc:#x}" for e, s, pc, _ in samples
                                    if e == el and (space is None or s == space))
        n = sum(names.values())
        where = "EL1" if space is None else f"{space:#x}"
        print(f"\n{label} ({where}): {n} samples ({100 * n / max(total, 1):.1f}% of all)")
        for name, count in names.most_common(top):
            print(f"  {100 * count / total:6.2f}%  {count:6d}  {name}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="", help="console line (regex) to start sampling at")
    parser.add_argument("--stop", default="", help="console line (regex) to stop at")
    parser.add_argument("--elf", action="append", default=[],
                        help="LABEL=ELF: a program or server; each of the busiest address "
                        "spaces is shown with the ELF whose functions hold its samples")
    parser.add_argument("--kernel", help="the kernel's ELF, for the EL1 samples")
    parser.add_argument("--idle", default="arch_wait_for_interrupt",
                        help="the kernel's idle function, whose samples are left out")
    parser.add_argument("--port", type=int, default=14455)
    parser.add_argument("--interval", type=float, default=0.002, help="mean seconds between stops")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--echo", action="store_true", help="copy the console to stderr")
    parser.add_argument("--save", help="write the samples to this file (JSON)")
    parser.add_argument("--load", help="report the samples of a --save file; boot nothing")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"]
    elves = dict(e.split("=", 1) for e in args.elf)
    if args.load:
        with open(args.load) as f:
            report([tuple(x) for x in json.load(f)], elves, args.kernel, args.top, args.idle)
        return 0
    command += ["-gdb", f"tcp:127.0.0.1:{args.port}", "-S"]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        stub = Stub(args.port)
        ttbr0 = stub.register_number("TTBR0_EL1")
        console = Console(proc, args.start, args.stop, args.echo)
        stub.send("c")
        samples = sample(stub, ttbr0, console, args.interval)
    finally:
        proc.kill()
        proc.wait()
    if args.save:
        with open(args.save, "w") as f:
            json.dump(samples, f)
    report(samples, elves, args.kernel, args.top, args.idle)
    return 0 if samples else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
