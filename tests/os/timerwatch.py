#!/usr/bin/env python3
"""os.timer.watch: pm's watch of the timer driver (docs/os.md "pm").

The regression test of the one hang of the combined campaign (seed 104,
injection 468): a flipped bit made the timer driver lose a sleeper's
timeout while it went on answering rs's heartbeat, so nothing restarted
it. Here one bit is flipped by hand (`service flip`, proto/rs.proto flip):
bit 0 of the count of pm's timeouts in the timer's table, 1 -> 0, while
`sleep 3` waits. pm must find that timeout 2 s overdue, have rs restart the
timer, and the sleeper and every later sleep must end. Exit 0 on a pass."""

import argparse
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import elfaddr  # noqa: E402
import stress  # noqa: E402
from qemu_cmd import DEFAULT_CPU, disk_args, disk_copy, qemu_command  # noqa: E402

STALL = 60  # seconds of console silence that mean a hang
WATCH_SECONDS = 30  # the overdue report must come within this much host time
PM_CLIENT = 0  # pm's channel is the timer's first (system/keel.system)
OVERDUE = re.compile(r"^pm: a timeout is 2000 ms overdue: the timer restarted \(0\)\r?$", re.M)


def timer_restarts(console):
    """The timer's restarts as `service list` shows them."""
    out = stress.run_command(console, "service list", lambda *a: None, STALL)
    header, timer = None, None
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[0] == "NAME":
            header = fields
        elif fields and fields[0] == "timer":
            timer = fields
    if header is None or timer is None or "RESTARTS" not in header:
        raise stress.Stop(f"service list shows no timer: {out!r}")
    return int(timer[header.index("RESTARTS")])


def check(what, ok, failures):
    print(f"timerwatch: {what}: {'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append(what)


def session(console, address, failures):
    stress.wait_for_shell(console, STALL)
    before = timer_restarts(console)
    stress.run_command(console, "sleep 3 &", lambda *a: None, STALL)
    out = stress.run_command(console, f"service flip timer 0x{address:x} 0", lambda *a: None,
                             STALL)
    check("service flip says what it flipped",
          f"timer: flipped bit 0 of the byte at 0x{address:x}" in out, failures)
    mark = len(console.text)
    deadline = time.monotonic() + WATCH_SECONDS
    while not OVERDUE.search(console.text, mark) and time.monotonic() < deadline:
        if console.poll(0.5) is None:
            raise stress.Stop("QEMU ended")
    check("pm found the sleeper's timeout overdue and had the timer restarted",
          OVERDUE.search(console.text, mark) is not None, failures)
    check("rs restarted the timer once", timer_restarts(console) == before + 1, failures)
    out = stress.run_command(console, "sleep 1; echo slept", lambda *a: None, STALL)
    check("a sleep after it ends", re.search(r"^slept\r?$", out, re.M) is not None, failures)
    check("nothing faulted", "faulted" not in console.text and stress.PANIC not in console.text,
          failures)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--image", required=True, help="the OS image (os.elf)")
    p.add_argument("--disk", required=True, help="its disk (a copy is booted)")
    p.add_argument("--timer", required=True, help="the timer driver's ELF, for the address")
    p.add_argument("--log", default=os.devnull)
    p.add_argument("--cpu", default=DEFAULT_CPU)
    args = p.parse_args(argv)
    address, size = elfaddr.address(args.timer, f"timer.client[{PM_CLIENT}].timeouts.count")
    print(f"timerwatch: pm's count of timeouts in the timer: 0x{address:x} ({size} bytes)")
    failures = []
    with tempfile.TemporaryDirectory() as scratch, open(args.log, "wb") as log:
        disk = os.path.join(scratch, "disk.img")
        disk_copy(args.disk, disk)
        console = stress.Console(qemu_command(args.image, args.cpu, extra=disk_args(disk)), log)
        try:
            session(console, address, failures)
        except stress.Stop as e:
            failures.append(str(e))
            print(f"timerwatch: stopped: {e}")
        finally:
            console.close()
    print(f"timerwatch: {'PASS' if not failures else 'FAIL: ' + '; '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
