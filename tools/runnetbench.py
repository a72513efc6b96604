#!/usr/bin/env python3
"""Run the network benchmarks on Keel and on Linux 6.1 and print them side by side.

Builds nothing: `make bench-net` builds the Keel image ($BUILD/ospmu/images/
netbench.elf: the kernel lets netbench read the PMU), the tests' disk
($BUILD/disks/os.img: netbench is loaded from its /bin) and the Linux files
($BUILD/linux/Image, netbench.cpio) first. Both boot on the same QEMU board
as the OS benchmarks (tools/runosbench.py: -machine virt,gic-version=3,
-cpu cortex-a76, 1 GiB, -icount shift=0) with the same network card:
virtio-net on virtio-mmio transport 8, QEMU's user network with
restrict=on and one rule, the host's 127.0.0.1:PORT (a free port) to the
guest's TCP port 5001 (tools/qemu_cmd.py net_args). Both run the same
program, bench/os/netbench.c; once it prints `NETBENCH READY` this script
opens the connections it serves, over the host's loopback only, one at a
time, each a bounded loop under a socket timeout (the protocol: netbench.c's
comment):

    rx   the host sends a stream, netbench reads it    (instructions / byte)
    tx   netbench sends a stream, the host reads it    (instructions / byte)
    rr   64-byte request, 64-byte answer, in turn      (instructions / request)

then `end`, and netbench prints

    NETBENCH SAMPLE <kind> units=<n> instructions=<n> counter=<n> frames_in=<n> frames_out=<n>
    NETBENCH RESULT <kind> median=<n> min=<n> max=<n> n=<runs> per=<units>
    NETBENCH INSTRUCTIONS <kind> ...     (where the PMU is readable)
    NETBENCH DONE                        (or NETBENCH FAILED after ERROR lines)

the figures being instructions per `per` units (a MiB of a stream, one
request). Keel idles afterwards and QEMU is stopped here; Linux's /init
powers off.

Prints the table (operation, Keel, Linux 6.1, Keel / Linux), writes
$BUILD/netbench.json and the consoles to $BUILD/netbench.log
(docs/benchmarks.md, "Network benchmarks"). --quick: small sizes and one
run of each (the test net.bench.smoke: `--quick --only keel` on the os
variant's image, whose kernel keeps the PMU to itself, so the figures are
the counter's). Exit status 1 if a run failed.
"""

import argparse
import json
import os
import queue
import re
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_cmd import QEMU, console, disk_args, disk_copy, net_args, qemu_command  # noqa: E402
from runosbench import CPU, LINUX_APPEND, MACHINE, kernel_name  # noqa: E402

GUEST_PORT = 5001
HEADER = 32
CHUNK = 65536
BLOCK = 4096
MAGIC = 0x4E42000000000000
REQUEST = 64
MIB = 1 << 20
BODY = bytes(1 + (i * 7) % 251 for i in range(8, BLOCK))

READY = re.compile(r"^NETBENCH READY")
RESULT = re.compile(r"^NETBENCH (RESULT|INSTRUCTIONS) (\S+) median=(\d+) min=(\d+) max=(\d+) "
                    r"n=(\d+) per=(\d+)")
SAMPLE = re.compile(r"^NETBENCH SAMPLE (\S+) units=(\d+) instructions=(\d+) counter=(\d+) "
                    r"frames_in=(\d+) frames_out=(\d+)")
ERROR = re.compile(r"^NETBENCH (ERROR|FAILED)|KERNEL PANIC|Kernel panic|faulted|"
                   r"segmentation fault")
END = ("NETBENCH DONE", "NETBENCH FAILED")

# Rows in order: kind, label, unit.
OPERATIONS = [("rx", "TCP receive (host -> guest), 64 KiB reads", "byte"),
              ("tx", "TCP send (guest -> host), 64 KiB writes", "byte"),
              ("rr", "request/response, 64 bytes each way", "request")]

# (count, warm-up, runs) per kind: bytes for rx and tx, requests for rr.
FULL = {"rx": (32 * MIB, MIB, 5), "tx": (32 * MIB, MIB, 5), "rr": (1000, 100, 5)}
QUICK = {"rx": (256 * 1024, CHUNK, 1), "tx": (256 * 1024, CHUNK, 1), "rr": (50, 10, 1)}


class Failure(Exception):
    pass


def free_port():
    """A TCP port of the loopback address nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chunk(first_block):
    """CHUNK bytes of the stream pattern, from block `first_block`."""
    return b"".join(struct.pack("<Q", MAGIC | b) + BODY
                    for b in range(first_block, first_block + CHUNK // BLOCK))


def header(op, count=0, warmup=0):
    text = op if op == "end" else f"{op} {count} {warmup}"
    return text.encode().ljust(HEADER, b"\0")


def recv_exactly(sock, length):
    data = bytearray()
    while len(data) < length:
        part = sock.recv(length - len(data))
        if not part:
            raise Failure(f"end of stream after {len(data)} of {length} bytes")
        data += part
    return bytes(data)


def recv_to_end(sock, limit):
    """What the guest sends until it closes (at most `limit` bytes)."""
    data = bytearray()
    while len(data) <= limit:
        part = sock.recv(limit + 1 - len(data))
        if not part:
            return bytes(data)
        data += part
    raise Failure(f"more than {limit} bytes where {limit} at most were due")


def do_rx(sock, count, warmup):
    """Send warm-up + count bytes of the pattern; the guest answers ok."""
    sock.sendall(header("rx", count, warmup))
    for offset in range(0, warmup + count, CHUNK):
        sock.sendall(chunk(offset // BLOCK))
    sock.shutdown(socket.SHUT_WR)
    answer = recv_to_end(sock, 2)
    if answer != b"ok":
        raise Failure(f"rx: the guest answered {answer!r}, not b'ok'")


def do_tx(sock, count, warmup):
    """Read warm-up + count bytes and end of stream, every byte checked;
    answer ok."""
    sock.sendall(header("tx", count, warmup))
    for offset in range(0, warmup + count, CHUNK):
        if recv_exactly(sock, CHUNK) != chunk(offset // BLOCK):
            raise Failure(f"tx: the bytes at {offset} are not the pattern")
    extra = recv_to_end(sock, 0)
    if extra:
        raise Failure("tx: more bytes than asked for")
    sock.sendall(b"ok")
    recv_to_end(sock, 0)


def do_rr(sock, count, warmup):
    """warm-up + count requests, each answered before the next."""
    sock.sendall(header("rr", count, warmup))
    for i in range(warmup + count):
        request = struct.pack("<Q", i) + bytes((i + j) & 0xFF for j in range(REQUEST - 8))
        sock.sendall(request)
        if recv_exactly(sock, REQUEST) != request:
            raise Failure(f"rr: request {i}: the answer differs")
    sock.shutdown(socket.SHUT_WR)
    recv_to_end(sock, 0)


OPS = {"rx": do_rx, "tx": do_tx, "rr": do_rr}


def connect(port, timeout):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class Guest:
    """A QEMU run whose console lines a thread collects (tools/qemu_cmd.py
    console: killed after `timeout` seconds, or when the lines end)."""

    def __init__(self, argv, timeout, log):
        self.lines = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(argv, timeout, log),
                                       daemon=True)
        self.thread.start()

    def _read(self, argv, timeout, log):
        # grace: Linux powers off by itself after its last line
        with console(argv, timeout, log, grace=5) as lines:
            for line in lines:
                self.lines.put(line)
                if line.strip() in END or self.stop.is_set():
                    break
        self.lines.put(None)

    def next_line(self, deadline):
        """The next console line, or None at the end or the deadline."""
        try:
            return self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None


def collect(line, label, out):
    m = RESULT.match(line)
    if m:
        kind = "results" if m.group(1) == "RESULT" else "instructions"
        out[kind][m.group(2)] = {"median": int(m.group(3)), "min": int(m.group(4)),
                                 "max": int(m.group(5)), "n": int(m.group(6)),
                                 "per": int(m.group(7))}
        return
    m = SAMPLE.match(line)
    if m:
        out["samples"].append({"kind": m.group(1), "units": int(m.group(2)),
                               "instructions": int(m.group(3)), "counter": int(m.group(4)),
                               "frames_in": int(m.group(5)), "frames_out": int(m.group(6))})
        return
    if ERROR.search(line):
        print(f"  [{label}] {line}", flush=True)
        out["errors"].append(line)


def drive(port, plan, timeout, label):
    """Every connection of `plan` ([(kind, count, warm-up)]), then `end`;
    the first failure ends the list (`end` still goes)."""
    error = None
    for kind, count, warmup in plan:
        start = time.monotonic()
        try:
            with connect(port, timeout) as sock:
                OPS[kind](sock, count, warmup)
        except (OSError, Failure) as e:
            error = f"host: {kind} {count}: {e}"
            break
        print(f"  [{label}] {kind} {count}: {time.monotonic() - start:.1f} s", flush=True)
    try:
        with connect(port, timeout) as sock:
            sock.sendall(header("end"))
    except OSError as e:
        error = error or f"host: end: {e}"
    return error


def run(label, argv, port, plan, timeout, log):
    """Boot, wait for READY, drive the plan, collect the lines until the
    end line; QEMU stops when the reader's block ends."""
    log.write(f"=== {label}\n$ {' '.join(argv)}\n")
    log.flush()
    out = {"results": {}, "instructions": {}, "samples": [], "errors": [], "done": False}
    deadline = time.monotonic() + timeout
    guest = Guest(argv, timeout, log)
    ready = False
    while not ready:
        line = guest.next_line(deadline)
        if line is None:
            break
        collect(line, label, out)
        ready = bool(READY.match(line))
    if not ready:
        out["errors"].append(f"no `NETBENCH READY` line (timeout after {timeout:.0f} s "
                             "or QEMU stopped)")
        guest.stop.set()
        return out
    error = drive(port, plan, min(60.0, timeout), label)
    if error:
        print(f"  [{label}] {error}", flush=True)
        out["errors"].append(error)
    while True:
        line = guest.next_line(deadline)
        if line is None:
            break
        collect(line, label, out)
        if line.strip() in END:
            out["done"] = line.strip() == "NETBENCH DONE"
            break
    guest.stop.set()
    guest.thread.join(timeout=30)
    if not out["done"] and not out["errors"]:
        out["errors"].append("no `NETBENCH DONE` line")
    for kind, _, _ in OPERATIONS:
        if any(k == kind for k, _, _ in plan) and kind not in out["results"]:
            out["errors"].append(f"no result for {kind}")
    return out


def keel_command(image, cpu, disk, copy, port):
    """Keel boots with a copy of the tests' disk (netbench is on its /bin),
    made at `copy`, and the network card."""
    disk_copy(disk, copy)
    extra = ["-icount", "shift=0"] + disk_args(copy) + \
        net_args([f"tcp::{port}-:{GUEST_PORT}"])
    return qemu_command(image, cpu, extra=extra, machine=MACHINE)


def linux_command(kernel, initramfs, cpu, port):
    """Linux boots with the same card and no disk."""
    return [QEMU, "-machine", MACHINE, "-cpu", cpu, "-m", "1G", "-nographic", "-nic", "none",
            "-no-reboot", "-kernel", kernel, "-initrd", initramfs, "-append", LINUX_APPEND,
            "-icount", "shift=0"] + net_args([f"tcp::{port}-:{GUEST_PORT}"])


def figures(run_out):
    """kind -> the chosen figure set and its source: the PMU's where the
    run has them, else the counter's."""
    if run_out.get("instructions"):
        return run_out["instructions"], "PMU"
    return run_out.get("results", {}), "counter"


def per_unit(figure):
    return figure["median"] / figure["per"]


def format_figure(value, unit):
    return f"{value:,.3f}" if unit == "byte" else f"{value:,.0f}"


def table(runs):
    head = ["operation", "instructions per", "Keel", "Linux 6.1", "Keel / Linux"]
    keel, _ = figures(runs.get("keel", {}))
    linux, _ = figures(runs.get("linux", {}))
    rows = []
    for kind, label, unit in OPERATIONS:
        cells = []
        for chosen in (keel, linux):
            cells.append(format_figure(per_unit(chosen[kind]), unit) if kind in chosen else "-")
        ratio = "-"
        if kind in keel and kind in linux and linux[kind]["median"]:
            ratio = f"{per_unit(keel[kind]) / per_unit(linux[kind]):.2f}"
        rows.append([label, unit] + cells + [ratio])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(x.ljust(w) for x, w in zip(row, widths)) + " |" for row in rows]
    return "\n".join(lines)


def make_plan(sizes):
    return [(kind, sizes[kind][0], sizes[kind][1])
            for kind, _, _ in OPERATIONS for _ in range(sizes[kind][2])]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="build directory")
    parser.add_argument("--keel-image", help="default: BUILD/ospmu/images/netbench.elf")
    parser.add_argument("--linux-kernel", help="default: BUILD/linux/Image")
    parser.add_argument("--linux-initramfs", help="default: BUILD/linux/netbench.cpio")
    parser.add_argument("--disk", help="default: BUILD/disks/os.img (Keel boots a copy)")
    parser.add_argument("--only", choices=["keel", "linux"], help="run one system only")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, one run of each (the smoke test)")
    parser.add_argument("--cpu", default=CPU)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per system")
    parser.add_argument("--json", help="default: BUILD/netbench.json")
    parser.add_argument("--log", help="default: BUILD/netbench.log (Keel's disk copy beside it, "
                        "the same name with .img)")
    return parser.parse_args()


def main():
    args = parse_args()
    keel_image = args.keel_image or os.path.join(args.build, "ospmu", "images", "netbench.elf")
    kernel = args.linux_kernel or os.path.join(args.build, "linux", "Image")
    initramfs = args.linux_initramfs or os.path.join(args.build, "linux", "netbench.cpio")
    disk = args.disk or os.path.join(args.build, "disks", "os.img")
    needed = ([keel_image, disk] if args.only != "linux" else []) + \
        ([kernel, initramfs] if args.only != "keel" else [])
    for path in needed:
        if not os.path.exists(path):
            sys.exit(f"runnetbench: {path} does not exist (run `make bench-net`)")
    sizes = QUICK if args.quick else FULL
    plan = make_plan(sizes)
    log_path = args.log or os.path.join(args.build, "netbench.log")
    runs, failed = {}, False
    with open(log_path, "w", encoding="utf-8") as log:
        for label in ("keel", "linux"):
            if args.only and args.only != label:
                continue
            port = free_port()
            argv = keel_command(keel_image, args.cpu, disk, os.path.splitext(log_path)[0] + ".img",
                                port) \
                if label == "keel" else linux_command(kernel, initramfs, args.cpu, port)
            print(f"runnetbench: {label} ...", flush=True)
            start = time.monotonic()
            runs[label] = run(label, argv, port, plan, args.timeout, log)
            print(f"runnetbench: {label}: {len(runs[label]['results'])} results in "
                  f"{time.monotonic() - start:.0f} s", flush=True)
            for e in runs[label]["errors"]:
                print(f"runnetbench: {label}: {e}", file=sys.stderr)
                failed = True

    out_json = args.json or os.path.join(args.build, "netbench.json")
    data = {"cpu": args.cpu, "machine": MACHINE, "linux_kernel": kernel_name(args.build),
            "quick": args.quick,
            "sizes": {kind: {"count": c, "warmup": w, "runs": r}
                      for kind, (c, w, r) in sizes.items()}}
    for label, r in runs.items():
        data[label] = r["results"]
        if r["instructions"]:
            data[f"{label}_instructions"] = r["instructions"]
        data[f"{label}_samples"] = r["samples"]
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    sources = ", ".join(f"{label}: {figures(r)[1]}" for label, r in runs.items())
    print("\nNetwork benchmarks: instructions executed in the guest per byte or request"
          f"\n(QEMU -icount shift=0, median of the runs; counted by {sources})")
    if data["linux_kernel"] and "linux" in runs:
        print(f"Linux: {data['linux_kernel']}")
    print(table(runs))
    print(f"\nrunnetbench: wrote {out_json} (consoles: {log_path})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
