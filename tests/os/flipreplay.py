#!/usr/bin/env python3
"""os.flip.replay: flips the campaign found harmful, made again by hand
(`service flip`, proto/rs.proto flip) at addresses read from the
components' ELF and debug information (tools/elfaddr.py), in one boot of
the OS image:

timer  The regression test of the one hang of the combined campaign (seed
       104, injection 468): a flipped bit made the timer driver lose a
       sleeper's timeout while it went on answering rs's heartbeat, so
       nothing restarted it. Here: bit 0 of the count of pm's timeouts in
       the timer's table, 1 -> 0, while `sleep 3` waits. pm must find that
       timeout 2 s overdue (docs/os.md "pm"), have rs restart the timer,
       and the sleeper and every later sleep must end.
blk    A flipped bit in the physical address blk keeps for a page of its
       client's region would send the device's DMA to the wrong memory
       (docs/reliability.md "Not yet"). Here: bit 12 of the first page's
       address. blk must stop at its next request rather than use it, rs
       restart it, and a file written and synced then read back whole, in
       the OS and by the host's debugfs from the disk.
eth    The same in eth (the first page's address of its client's region):
       eth must stop at its next frame, rs restart it, and the gateway
       answer a ping after it.

Exit 0 on a pass."""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import elfaddr  # noqa: E402
import stress  # noqa: E402
from qemu_cmd import DEFAULT_CPU, disk_args, disk_copy, net_args, qemu_command  # noqa: E402

STALL = 60  # seconds of console silence that mean a hang
WATCH_SECONDS = 30  # a report awaited must come within this much host time
FIRST_CLIENT = 0  # pm's channel is the timer's first, ext2's blk's (system/keel.system)
OVERDUE = re.compile(r"^pm: a timeout is 2000 ms overdue: the timer restarted \(0\)\r?$", re.M)
BLK_STOPPED = re.compile(r"^blk: its record of physical addresses is damaged; stopping\r?$", re.M)
ETH_STOPPED = re.compile(r"^eth: its record of physical addresses is damaged; stopping\r?$", re.M)
GATEWAY = "10.0.2.2"  # QEMU's user network answers its pings (restrict=on or not)
TEXT = "written after a flip into blk"


def run(console, command):
    return stress.run_command(console, command, lambda *a: None, STALL)


def restarts(console, component):
    """The component's restarts as `service list` shows them."""
    out = run(console, "service list")
    header, row = None, None
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[0] == "NAME":
            header = fields
        elif fields and fields[0] == component:
            row = fields
    if header is None or row is None or "RESTARTS" not in header:
        raise stress.Stop(f"service list shows no {component}: {out!r}")
    return int(row[header.index("RESTARTS")])


def await_line(console, pattern, mark):
    """True once `pattern` is in the console's text after `mark`."""
    deadline = time.monotonic() + WATCH_SECONDS
    while not pattern.search(console.text, mark) and time.monotonic() < deadline:
        if console.poll(0.5) is None:
            raise stress.Stop("QEMU ended")
    return pattern.search(console.text, mark) is not None


def flip(console, component, address, bit, failures):
    out = run(console, f"service flip {component} 0x{address:x} {bit}")
    check(f"service flip says what it flipped in {component}",
          f"{component}: flipped bit {bit} of the byte at 0x{address:x}" in out, failures)


def check(what, ok, failures):
    print(f"flipreplay: {what}: {'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append(what)


def timer_case(console, address, failures):
    before = restarts(console, "timer")
    run(console, "sleep 3 &")
    mark = len(console.text)
    flip(console, "timer", address, 0, failures)
    check("pm found the sleeper's timeout overdue and had the timer restarted",
          await_line(console, OVERDUE, mark), failures)
    check("rs restarted the timer once", restarts(console, "timer") == before + 1, failures)
    out = run(console, "sleep 1; echo slept")
    check("a sleep after it ends", re.search(r"^slept\r?$", out, re.M) is not None, failures)


def blk_case(console, address, failures):
    before = restarts(console, "blk")
    mark = len(console.text)
    flip(console, "blk", address + 1, 4, failures)  # bit 12 of the address: another page
    run(console, f"echo {TEXT} > /tmp/flipreplay.txt; sync")
    check("blk stopped at its next request, its addresses damaged",
          await_line(console, BLK_STOPPED, mark), failures)
    check("rs restarted blk once", restarts(console, "blk") == before + 1, failures)
    out = run(console, "sync; cat /tmp/flipreplay.txt")
    check("the file written then reads back whole",
          re.search(rf"^{TEXT}\r?$", out, re.M) is not None, failures)


def eth_case(console, address, failures):
    before = restarts(console, "eth")
    mark = len(console.text)
    flip(console, "eth", address + 1, 4, failures)
    run(console, f"ping -c 1 -W 500 {GATEWAY}")  # its frame finds the damage, whatever it gets
    check("eth stopped at its next frame, its addresses damaged",
          await_line(console, ETH_STOPPED, mark), failures)
    check("rs restarted eth", restarts(console, "eth") > before, failures)
    out = run(console, f"ping -c 3 -W 2000 {GATEWAY}")
    check("the gateway answers pings after it",
          re.search(r"^3 packets transmitted, [1-3] received", out, re.M) is not None, failures)


def session(console, addresses, failures):
    stress.wait_for_shell(console, STALL)
    timer_case(console, addresses["timer"], failures)
    blk_case(console, addresses["blk"], failures)
    eth_case(console, addresses["eth"], failures)
    check("nothing faulted", "faulted" not in console.text and stress.PANIC not in console.text,
          failures)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--image", required=True, help="the OS image (os.elf)")
    p.add_argument("--disk", required=True, help="its disk (a copy is booted)")
    p.add_argument("--components", required=True, help="the directory of the components' ELFs")
    p.add_argument("--log", default=os.devnull)
    p.add_argument("--cpu", default=DEFAULT_CPU)
    args = p.parse_args(argv)
    addresses = {}
    for component, expression in (("timer", f"timer.client[{FIRST_CLIENT}].timeouts.count"),
                                  ("blk", f"blk.client[{FIRST_CLIENT}].paddr[0]"),
                                  ("eth", "eth.paddr[0]")):
        elf = os.path.join(args.components, f"{component}.elf")
        addresses[component], size = elfaddr.address(elf, expression)
        print(f"flipreplay: {expression} at 0x{addresses[component]:x} ({size} bytes)")
    failures = []
    with tempfile.TemporaryDirectory() as scratch, open(args.log, "wb") as log:
        disk = os.path.join(scratch, "disk.img")
        disk_copy(args.disk, disk)
        console = stress.Console(qemu_command(args.image, args.cpu,
                                              extra=disk_args(disk) + net_args()), log)
        try:
            session(console, addresses, failures)
        except stress.Stop as e:
            failures.append(str(e))
            print(f"flipreplay: stopped: {e}")
        finally:
            console.close()
        on_disk = subprocess.run(["debugfs", "-R", "cat /tmp/flipreplay.txt", disk],
                                 capture_output=True, text=True).stdout
        check("the host's debugfs reads the file from the disk whole",
              on_disk == TEXT + "\n", failures)
    print(f"flipreplay: {'PASS' if not failures else 'FAIL: ' + '; '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
