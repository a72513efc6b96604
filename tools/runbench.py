#!/usr/bin/env python3
"""Run the Keel benchmark image under QEMU and collect the results.

Builds nothing: `make bench` builds $BUILD/bench/images/bench.elf first. For
each CPU the image boots with -icount shift=0 (one virtual nanosecond, and one
PMCCNTR_EL0 count, per guest instruction) and a board without random seeds in
its device tree, so every figure is a deterministic instruction count. The
root task prints `BENCH RESULT <name> min=.. median=.. max=.. n=..` lines and
`BENCH DONE`; it cannot end QEMU itself (release kernel), so QEMU is stopped
here once that line has been seen.

Writes build/bench.json ({cpu: {name: {"min", "median", "max"}}}) and prints
the table (docs/benchmarks.md describes every figure).
"""

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_cmd import console, qemu_command  # noqa: E402

CPUS = ["cortex-a53", "cortex-a76"]
MACHINE = "virt,gic-version=3,dtb-randomness=off"
RESULT = re.compile(r"^BENCH RESULT (\S+) min=(\d+) median=(\d+) max=(\d+) n=(\d+)")
DONE = "BENCH DONE"
ABORTED = "BENCH ABORTED"

# seL4 16.0.0 (sel4bench, release build, fastpath, same QEMU set-up) and
# Linux 6.1, from issues 7 and 12: the figures Keel is compared with, each
# beside the Keel row that measures the same operation (docs/benchmarks.md
# says which sel4bench result each one is).
SEL4 = {
    "ipc_call": 191, "ipc_replyrecv": 215, "ipc_call_fpu": 243, "ipc_call_10": 703,
    "ipc_send": 634, "sched_wait_to_lower_other_as": 656, "irq_user": 336, "yield": 329,
    "fault_roundtrip": 1129, "map_1": 561, "map_2048": 1128458,
}
LINUX = {"floor_trap": "562 (null syscall)", "ipc_call": "7,220 pipe / 6,553 futex",
         "yield": "2,548 (sched_yield)", "vm_fault_roundtrip": "3,086 (page fault)"}
# Figures Keel must match seL4 on (IPC, notification, fault, interrupt).
MUST_MATCH = {"ipc_call", "ipc_replyrecv", "ipc_call_fpu", "ipc_call_10", "ipc_send",
              "sched_wait_to_lower_other_as", "irq_user", "fault_roundtrip"}


def run_cpu(image, cpu, append, timeout, log):
    argv = qemu_command(image, cpu, append, extra=["-icount", "shift=0"], machine=MACHINE)
    log.write(f"$ {' '.join(argv)}\n")
    results, errors, done = {}, [], False
    with console(argv, timeout, log) as lines:
        for line in lines:
            m = RESULT.match(line)
            if m:
                results[m.group(1)] = {"min": int(m.group(2)), "median": int(m.group(3)),
                                       "max": int(m.group(4))}
                print(f"  [{cpu}] {m.group(1)}: {m.group(3)}", flush=True)
            elif line.startswith(("BENCH ERROR", "BENCH NOTE", "BENCH CHECK")) \
                    or "PANIC" in line:
                print(f"  [{cpu}] {line}", flush=True)
                if not line.startswith(("BENCH NOTE", "BENCH CHECK ")) \
                        or line.startswith("BENCH CHECK FAIL"):
                    errors.append(line)
            if line.strip() == DONE:
                done = True
                break
            if line.strip() == ABORTED:
                break
    if not done:
        errors.append(f"no `{DONE}` line (timeout after {timeout} s or QEMU stopped)")
    return results, errors


def cell(value):
    return f"{value:,}" if value is not None else "-"


def table(data):
    names = []
    for cpu in data:
        names += [n for n in data[cpu] if n not in names]
    floor = {cpu: data[cpu].get("floor_switch", {}).get("median") for cpu in data}
    head = ["benchmark"] + [f"{cpu} (min/median/max)" for cpu in data] + \
        ["x floor_switch", "seL4 16", "Linux 6.1"]
    rows = []
    for name in names:
        row = [name]
        for cpu in data:
            r = data[cpu].get(name)
            row.append(f"{r['min']:,} / {r['median']:,} / {r['max']:,}" if r else "-")
        cpu0 = next(iter(data))
        r0, f0 = data[cpu0].get(name), floor.get(cpu0)
        row.append(f"{r0['median'] / f0:.2f}" if r0 and f0 else "-")
        mark = ""
        if name in SEL4 and r0 and name in MUST_MATCH and r0["median"] > SEL4[name]:
            mark = " (Keel slower)"
        row.append(cell(SEL4.get(name)) + mark)
        row.append(LINUX.get(name, "-"))
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths)) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="build directory (for the outputs)")
    parser.add_argument("--image", help="boot image (default: BUILD/bench/images/bench.elf)")
    parser.add_argument("--cpu", action="append", help="CPU to run on (repeatable; default: "
                        + ", ".join(CPUS) + ")")
    parser.add_argument("--append", default="", help="extra boot arguments, e.g. iterations=64")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per CPU")
    parser.add_argument("--json", help="output file (default: BUILD/bench.json)")
    args = parser.parse_args()

    image = args.image or os.path.join(args.build, "bench", "images", "bench.elf")
    out_json = args.json or os.path.join(args.build, "bench.json")
    if not os.path.exists(image):
        sys.exit(f"runbench: {image} does not exist (run `make bench`)")
    os.makedirs(os.path.dirname(out_json) or ".", exist_ok=True)

    data, failed = {}, False
    log_path = os.path.join(args.build, "bench.log")
    with open(log_path, "w", encoding="utf-8") as log:
        for cpu in args.cpu or CPUS:
            print(f"runbench: {cpu} ...", flush=True)
            start = time.monotonic()
            results, errors = run_cpu(image, cpu, args.append or None, args.timeout, log)
            print(f"runbench: {cpu}: {len(results)} results in {time.monotonic() - start:.0f} s",
                  flush=True)
            data[cpu] = results
            for e in errors:
                print(f"runbench: {cpu}: {e}", file=sys.stderr)
                failed = True
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    print()
    print("Instructions (QEMU -icount shift=0); x floor_switch and the seL4/Linux columns use "
          f"the median on {next(iter(data))}")
    print(table(data))
    print(f"\nrunbench: wrote {out_json} (console log: {log_path})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
