#!/usr/bin/env python3
"""Run the application benchmarks on Keel and on Linux 6.1 and print them side by side.

Builds nothing: `make bench-apps` builds the Keel image ($BUILD/osapps/
images/appbench.elf: a kernel that lets appbench read the PMU and splits
its count between the programs and the rest), the disks ($BUILD/disks/
apps.img; apps-linux.img, the same with Linux's own /bin/lua and
/bin/speedtest1) and the Linux files ($BUILD/linux/Image, appbench.cpio)
first. Both boot on the OS benchmarks' board (tools/runosbench.py: -machine
virt,gic-version=3, -cpu cortex-a76, 1 GiB, -icount shift=0, no network),
each with a copy of its disk attached the same way (QEMU's cache mode
unsafe unless --disk-cache says otherwise), and both run
bench/os/appbench.c, which runs Lua with bench/os/lua/bench.lua and
SQLite's speedtest1 and prints, per program,

    APPBENCH START <name>
    (the program's output: LUABENCH ... lines; speedtest1's table and
    its `Verification Hash:` line)
    APPBENCH RESULT <name> status=<n> counter=<n> [instructions=<n>]
                    [kernel=<n>] [programs=<n>]

then APPBENCH DONE (or FAILED after APPBENCH ERROR lines). The two
systems must print the same checksums (Lua's LUABENCH CHECKSUM line,
speedtest1's verification hash): they computed the same thing.

Prints the table (per program and system: instructions, the kernel's,
the servers' (Keel; Linux has them in its kernel), the program's, the
share of the kernel and servers, the virtual time) and the Keel / Linux
ratio against issue 17's targets; writes $BUILD/appbench.json and the
consoles to $BUILD/appbench.log (docs/benchmarks.md, "Application
benchmarks"). Exit status 1 if a run failed or the checksums differ; a
missed target is reported, not an error. --quick: the programs at their
smallest sizes (the test apps.bench.smoke, `--quick --only keel` on the
os variant's appbench-quick image, whose kernel keeps the PMU to itself:
the counter's figures only).
"""

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runosbench import CPU, MACHINE, boot, kernel_name, keel_command, linux_command  # noqa: E402

START = re.compile(r"^APPBENCH START (\S+)\s*$")
RESULT = re.compile(r"^APPBENCH RESULT (\S+)((?: \w+=-?\d+)+)\s*$")
COUNTERS = re.compile(r"^APPBENCH COUNTERS (\S+)")
ERROR = re.compile(r"^APPBENCH (ERROR|FAILED)|KERNEL PANIC|Kernel panic|faulted|"
                   r"segmentation fault")
# What shows that a run computed what it should: the same on both systems.
CHECKSUM = {"lua": re.compile(r"^LUABENCH CHECKSUM (\S+ scale=\d+)"),
            "speedtest1": re.compile(r"^Verification Hash: (\d+ [0-9a-f]+)")}
END = ("APPBENCH DONE", "APPBENCH FAILED")

# Rows in order: name, label.
PROGRAMS = [("lua", "Lua 5.4 (bench.lua)"), ("speedtest1", "SQLite speedtest1")]
# Issue 17's targets, on the PMU's instructions: speedtest1 within 1.2 x
# Linux, the Lua benchmark below Linux.
TARGETS = {"speedtest1": (1.2, "<= 1.2 x Linux"), "lua": (1.0, "< Linux")}


def collect(line, label, out):
    m = START.match(line)
    if m:
        out["current"] = m.group(1)
        return
    m = RESULT.match(line)
    if m:
        fields = dict(f.split("=") for f in m.group(2).split())
        figures = {k: int(v) for k, v in fields.items()}
        out["results"][m.group(1)] = figures
        shown = figures.get("instructions", figures.get("counter"))
        print(f"  [{label}] {m.group(1)}: {shown:,}", flush=True)
        out["current"] = None
        return
    m = COUNTERS.match(line)
    if m:
        out["counters"] = m.group(1)
        return
    for name, pattern in CHECKSUM.items():
        m = pattern.match(line)
        if m and out.get("current") == name:
            out["checksums"][name] = m.group(1)
            return
    if ERROR.search(line):
        print(f"  [{label}] {line}", flush=True)
        out["errors"].append(line)


def run(label, argv, timeout, log):
    out = {"results": {}, "checksums": {}, "errors": [], "counters": None, "current": None}
    out["done"] = boot(label, argv, timeout, log, lambda line: collect(line, label, out), END,
                       "APPBENCH DONE")
    if not out["done"] and not out["errors"]:
        out["errors"].append(f"no `APPBENCH DONE` line (timeout after {timeout:.0f} s "
                             "or QEMU stopped)")
    del out["current"]
    return out


def split(figures):
    """(kernel, servers, program) of one run; None where not counted.
    Keel's servers are what is neither the kernel's nor the programs';
    Linux has none (its file system and drivers are in the kernel)."""
    total, kernel, programs = (figures.get(k) for k in ("instructions", "kernel", "programs"))
    servers = None
    if None not in (total, kernel, programs):
        servers = total - kernel - programs
    return kernel, servers, programs


def fmt(value):
    return "-" if value is None else f"{value:,}"


def share(part, total):
    return "-" if part is None or not total else f"{100 * part / total:.1f} %"


def rows(runs):
    head = ["program", "system", "instructions", "kernel", "servers", "program's own",
            "kernel + servers", "virtual time (ns)"]
    body = []
    for name, label in PROGRAMS:
        for system in ("keel", "linux"):
            figures = runs.get(system, {}).get("results", {}).get(name)
            if figures is None:
                if system in runs:
                    body.append([label, system, "failed"] + ["-"] * 5)
                continue
            total = figures.get("instructions")
            kernel, servers, programs = split(figures)
            os_part = None if None in (total, programs) else total - programs
            body.append([label, "Keel" if system == "keel" else "Linux 6.1", fmt(total),
                         fmt(kernel), "-" if system == "linux" else fmt(servers), fmt(programs),
                         share(os_part, total), fmt(figures.get("counter"))])
    return head, body


def table(head, body):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths)) + " |"
              for row in body]
    return "\n".join(lines)


def verdicts(runs):
    """name -> {ratio, limit, met}: Keel / Linux on the PMU's
    instructions, where both runs have them."""
    out = {}
    for name, (limit, text) in TARGETS.items():
        keel = runs.get("keel", {}).get("results", {}).get(name, {}).get("instructions")
        linux = runs.get("linux", {}).get("results", {}).get(name, {}).get("instructions")
        if keel is None or not linux:
            continue
        ratio = keel / linux
        met = ratio <= limit if name == "speedtest1" else ratio < limit
        out[name] = {"ratio": round(ratio, 4), "limit": limit, "text": text, "met": met}
    return out


def compare_checksums(runs):
    """Error lines for programs whose checksums differ between the systems."""
    errors = []
    if "keel" in runs and "linux" in runs:
        for name, _ in PROGRAMS:
            a = runs["keel"]["checksums"].get(name)
            b = runs["linux"]["checksums"].get(name)
            if a is not None and b is not None and a != b:
                errors.append(f"{name}: Keel's checksum {a} is not Linux's {b}")
    return errors


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="build directory")
    parser.add_argument("--keel-image", help="default: BUILD/osapps/images/appbench.elf")
    parser.add_argument("--keel-disk", help="default: BUILD/disks/apps.img (a copy is booted)")
    parser.add_argument("--linux-kernel", help="default: BUILD/linux/Image")
    parser.add_argument("--linux-initramfs", help="default: BUILD/linux/appbench.cpio")
    parser.add_argument("--linux-disk", help="default: BUILD/disks/apps-linux.img")
    parser.add_argument("--disk-cache", default="unsafe",
                        choices=["unsafe", "writeback", "none", "writethrough", "directsync"],
                        help="QEMU's cache mode for both disks (default unsafe, as "
                        "runosbench's)")
    parser.add_argument("--only", choices=["keel", "linux"], help="run one system only")
    parser.add_argument("--quick", action="store_true",
                        help="the programs' smallest sizes (the image must be built with "
                        "--quick: appbench-quick)")
    parser.add_argument("--cpu", default=CPU)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per system")
    parser.add_argument("--json", help="default: BUILD/appbench.json")
    parser.add_argument("--log", help="default: BUILD/appbench.log")
    return parser.parse_args()


def main():
    args = parse_args()
    b = args.build
    keel_image = args.keel_image or os.path.join(b, "osapps", "images", "appbench.elf")
    keel_disk = args.keel_disk or os.path.join(b, "disks", "apps.img")
    kernel = args.linux_kernel or os.path.join(b, "linux", "Image")
    initramfs = args.linux_initramfs or os.path.join(b, "linux", "appbench.cpio")
    linux_disk = args.linux_disk or os.path.join(b, "disks", "apps-linux.img")
    needed = ([keel_image, keel_disk] if args.only != "linux" else []) + \
        ([kernel, initramfs, linux_disk] if args.only != "keel" else [])
    for path in needed:
        if not os.path.exists(path):
            sys.exit(f"runappbench: {path} does not exist (run `make bench-apps`)")
    systems = []
    if args.only != "linux":
        systems.append(("keel", keel_command(keel_image, args.cpu, keel_disk, b, args.disk_cache,
                                             copy="appbench-disk.img")))
    if args.only != "keel":
        systems.append(("linux", linux_command(kernel, initramfs, args.cpu, linux_disk, b,
                                               args.disk_cache, copy="appbench-linux-disk.img")))

    runs, failed = {}, False
    log_path = args.log or os.path.join(b, "appbench.log")
    with open(log_path, "w", encoding="utf-8") as log:
        for label, argv in systems:
            print(f"runappbench: {label} ...", flush=True)
            start = time.monotonic()
            runs[label] = run(label, argv, args.timeout, log)
            runs[label]["seconds"] = round(time.monotonic() - start)
            print(f"runappbench: {label}: {len(runs[label]['results'])} programs in "
                  f"{runs[label]['seconds']} s", flush=True)
    mismatches = compare_checksums(runs)
    for label, r in runs.items():
        for e in r["errors"]:
            print(f"runappbench: {label}: {e}", file=sys.stderr)
            failed = True
    for e in mismatches:
        print(f"runappbench: {e}", file=sys.stderr)
        failed = True

    out_json = args.json or os.path.join(b, "appbench.json")
    judged = verdicts(runs)
    data = {"cpu": args.cpu, "machine": MACHINE, "linux_kernel": kernel_name(b),
            "disk_cache": args.disk_cache, "quick": args.quick, "targets": judged,
            "checksums_differ": mismatches}
    data.update(runs)
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    print("\nApplication benchmarks: instructions of a whole run, spawn to reap (QEMU -icount"
          "\nshift=0; the PMU's count; virtual time also holds the time the machine idles)")
    if data["linux_kernel"] and "linux" in runs:
        print(f"Linux: {data['linux_kernel']}")
    print(table(*rows(runs)))
    for name, label in PROGRAMS:
        for system, r in runs.items():
            if name in r["checksums"]:
                print(f"  {label}, {system}: checksum {r['checksums'][name]}")
    if judged:
        print()
        print(table(["program", "Keel / Linux", "target (issue 17)"],
                    [[label, f"{judged[n]['ratio']:.3f}",
                      judged[n]["text"] + (": met" if judged[n]["met"] else ": not met")]
                     for n, label in PROGRAMS if n in judged]))
    print(f"\nrunappbench: wrote {out_json} (consoles: {log_path})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
