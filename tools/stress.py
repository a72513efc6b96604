#!/usr/bin/env python3
"""make stress: the fault-injection campaign on the OS's drivers
(docs/reliability.md, "The stress campaign").

    stress.py --image build/os/images/osstress.elf [--seed 1] [-n 1000]
              [--kinds crash,hang,flip,kill] [--targets uart,timer,rtc]
              [--restarts 10000] [--log FILE] [--no-icount] [--stall SECONDS]

Boots the image (system/keel.system without the drivers' restart limits,
and /bin/stress) in QEMU with -icount (reproducible guest time; idle time
costs nothing), and types at its shell:

1. `free`, the memory before;
2. `stress restarts R` (unless --restarts 0): R restarts in a row, round
   the targets, which must leave rs's and pm's memory as it was;
3. `stress SEED N KINDS TARGETS`: the campaign (user/bin/stress), N
   injections under the workload;
4. `free` again: the same figures as in 1.

It reads the campaign's own lines out of the console whatever is mixed
into them (user/bin/stress/report.c: they are sent in fullwidth form, every
byte >= 0x80; rs's and the drivers' lines are ASCII), checks every record
of the workload's numbered stream (lost, duplicated, corrupted), and prints
the injections per target and kind, the recoveries, failures, hangs and
kinds not available, the stream's figures and the memory before and after.
Exit status 0 only if every injection recovered (kinds not available
aside), nothing hung, the stream is whole but for damage while a flip was
under way (reported as silent: a flipped bit may change what a driver
sends with nothing to recover from), the workload's checks passed and no
memory leaked; 1 otherwise, 2 for a usage error.
"""

import argparse
import collections
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_cmd import DEFAULT_CPU, disk_args, disk_copy, qemu_command  # noqa: E402

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
WORK_SALT = 0x5717E55C0FFEE000  # user/bin/stress/stress.h STRESS_WORK_SALT
PILCROW = b"\xc2\xb6"  # the end of a campaign line
PROMPT = "\n/ $ "
KINDS = ("crash", "hang", "flip", "kill")
TARGETS = ("uart", "timer", "rtc")
PANIC = "KERNEL PANIC"
READ_PAUSE = 0.02  # seconds between reads of the console


# --- the workload's records ------------------------------------------------

def splitmix64(state_after):
    """splitmix64's output for the state after its increment (common/include/splitmix64.h)."""
    z = state_after & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def drawn(seed, k):
    """The k-th number (from 0) a splitmix64 seeded with `seed` draws."""
    return splitmix64(seed + (k + 1) * GAMMA)


def record(seed, seq):
    """The workload's record `seq` (user/bin/stress/workload.c): its PRNG,
    seeded with seed ^ WORK_SALT, draws one number per record."""
    return f"w {seq} {drawn(seed ^ WORK_SALT, seq) & 0xFFFFFFFF:08x}"


def planned(seed, n, targets, kinds):
    """Injection n as the campaign draws it (user/bin/stress/campaign.c
    inject_one): two numbers each, the delay's and the pick's."""
    pick = drawn(seed, 2 * n + 1)
    return targets[pick % len(targets)], kinds[(pick >> 32) % len(kinds)]


def wide_length(text):
    """Bytes of a campaign line on the wire, without its newline."""
    return 3 * len(text) + len(PILCROW)


# --- the campaign's lines out of the console --------------------------------

def wide_char(b0, b1, b2):
    """The ASCII character a fullwidth form stands for, or None."""
    code = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F)
    if b0 & 0xF0 != 0xE0 or b1 & 0xC0 != 0x80 or b2 & 0xC0 != 0x80:
        return None
    if code == 0x3000:
        return " "
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFF01 + 0x21)
    return None


def unwide(piece):
    """A campaign line's bytes (pilcrow removed) as ASCII text, or None
    when they are not whole fullwidth characters."""
    if len(piece) % 3:
        return None
    chars = [wide_char(*piece[i:i + 3]) for i in range(0, len(piece), 3)]
    return None if None in chars else "".join(chars)


ASCII = bytes(range(0x80))
NOT_ASCII = bytes(range(0x80, 0x100)) + b"\r"


class WideLines:
    """Feed it the console's bytes as they come; it keeps the bytes >= 0x80
    (every byte of a campaign line but its newline) and returns each line
    the pilcrows end: its text, or None with the raw bytes when damaged."""

    def __init__(self):
        self.pending = bytearray()

    def feed(self, data):
        self.pending += data.translate(None, ASCII)
        lines = []
        while True:
            end = self.pending.find(PILCROW)
            if end < 0:
                return lines
            piece = bytes(self.pending[:end])
            del self.pending[:end + len(PILCROW)]
            lines.append((unwide(piece), piece))


class Stream:
    """The workload's numbered stream: every record must come once, in
    order, as the PRNG made it. Each fault found is kept with `during`, the
    injection under way when it came."""

    def __init__(self, seed):
        self.seed = seed
        self.next = 0
        self.intact = 0
        self.intact_bytes = 0
        self.lost = 0  # records never seen
        self.duplicated = 0
        self.corrupted = 0  # damaged lines
        self.during = None
        self.damage_began = None  # `during` of the first damaged line since the last intact one
        self.faults = []  # (what, detail, during)

    def fault(self, what, detail, during=None):
        self.faults.append((what, detail, during or self.during))

    def take(self, seq, text):
        if text != record(self.seed, seq):
            self.damaged(text)
        elif seq < self.next:
            self.duplicated += 1
            self.fault("duplicated", f"record {seq}")
        else:
            if seq > self.next:
                # Records lost where damaged lines came are that damage's,
                # though the loss shows only at the next intact record.
                self.lost += seq - self.next
                self.fault("lost", f"records {self.next}..{seq - 1}", self.damage_began)
            self.intact += 1
            self.intact_bytes += wide_length(text)
            self.next = seq + 1
        self.damage_began = None if text == record(self.seed, seq) else self.damage_began

    def damaged(self, what):
        self.corrupted += 1
        self.damage_began = self.damage_began or self.during
        self.fault("corrupted", printable(what))

    def expected_bytes(self):
        return sum(wide_length(record(self.seed, s)) for s in range(self.next))

    def whole(self):
        return not self.faults


def printable(what, width=60):
    """A damaged line for the summary: its fullwidth characters as ASCII,
    anything else as `?`."""
    if isinstance(what, bytes):
        text = what.decode("utf-8", "replace")
        what = "".join(chr(ord(c) - 0xFF01 + 0x21) if 0xFF01 <= ord(c) <= 0xFF5E else
                       " " if c == "\u3000" else "?" for c in text)
    return what if len(what) <= width else what[:width] + "..."


INJECTION = re.compile(r"i (\d+) (\S+) (\S+) (\S+) (-?\d+) (\d+) (\d+) (\d+) (\d+) (\d+) "
                       r"([0-9a-f]+) ([01]) (\d+) (\d+) (\d+) (\d+)$")
RECORD = re.compile(r"w (\d+) [0-9a-f]{8}$")
DONE = re.compile(r"done (\d+) of (\d+): .*memory (the same|LEAKED)$")
MEMORY = re.compile(r"mem (before|after) rs-free (\d+) rs-free-slots (\d+) pm-free (\d+)$")
OTHER = re.compile(r"(start|repair|error|work|soak|sample|soak-done) ")


class Campaign:
    """What the campaign's lines say: injections, repairs, the workload's
    errors, the memory, the end."""

    def __init__(self, seed, targets, kinds):
        self.seed, self.targets, self.kinds = seed, targets, kinds
        self.stream = Stream(seed)
        self.stream.during = (0,) + planned(seed, 0, targets, kinds)
        self.unplanned = []  # injection lines the seed does not give
        # (n, target, kind, outcome, error, restarted, microseconds, pc, in a system call,
        #  the disk workers' errors under way: (files errors, files wrong, sql errors, sql wrong))
        self.injections = []
        self.repairs = []
        self.workload_errors = []
        self.worker_lines = []  # (injections seen before it, the disk workers' error line)
        self.memory = {}
        self.done = None
        self.other = []

    def take(self, text, raw):
        """One line; whatever is none of the campaign's is a damaged one."""
        matches = [(pattern, pattern.match(text or "")) for pattern in
                   (RECORD, INJECTION, DONE, MEMORY, OTHER)]
        pattern, m = next(((p, m) for p, m in matches if m), (None, None))
        if pattern is RECORD:
            self.stream.take(int(m.group(1)), text)
        elif pattern is INJECTION:
            self.take_injection(m)
        elif pattern is DONE:
            self.done = m
        elif pattern is MEMORY:
            self.memory[m.group(1)] = tuple(int(g) for g in m.groups()[1:])
        elif pattern is OTHER:
            (self.repairs if m.group(1) == "repair" else self.other).append(text)
        elif text is not None and text.startswith("w-error "):
            self.workload_errors.append(text)
        elif text is not None and re.match(r"[fs]-(error|wrong) ", text):
            self.worker_lines.append((len(self.injections), text))
        else:
            self.stream.damaged(raw if text is None else text)

    def take_injection(self, m):
        n, target, kind, outcome = int(m.group(1)), m.group(2), m.group(3), m.group(4)
        if (target, kind) != planned(self.seed, n, self.targets, self.kinds):
            self.unplanned.append(m.group(0))
        error, restarts_before, restarts_after = (int(m.group(i)) for i in (5, 6, 7))
        self.injections.append((n, target, kind, outcome, error,
                                restarts_after > restarts_before, int(m.group(10)),
                                int(m.group(11), 16), m.group(12) == "1",
                                tuple(int(m.group(i)) for i in (13, 14, 15, 16))))
        self.stream.during = (n + 1,) + planned(self.seed, n + 1, self.targets, self.kinds)

    def missing(self):
        """Injections before the last one seen whose lines never came:
        (n, target, kind) as the seed gives them."""
        seen = {i[0] for i in self.injections}
        last = max(seen, default=-1)
        return [(n,) + planned(self.seed, n, self.targets, self.kinds)
                for n in range(last) if n not in seen]

    def count(self, outcome):
        return sum(1 for i in self.injections if i[3] == outcome)


# --- QEMU and its console ---------------------------------------------------

class Console:
    """QEMU with the serial console on a pipe: bytes go to the log, to the
    campaign's line reader, and (those < 0x80) to `text` for the shell."""

    def __init__(self, argv, log):
        self.log = log
        self.text = ""
        self.ended = False
        self.wide = WideLines()
        self.chunks = queue.Queue()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 1 << 20)
            self.chunks.put(data)
            if not data:
                return
            time.sleep(READ_PAUSE)  # QEMU writes a byte at a time: let them gather

    def poll(self, timeout):
        """The campaign lines of the output that came (waiting up to
        `timeout` seconds for some); None once QEMU's output has ended."""
        try:
            chunks = [self.chunks.get(timeout=timeout)]
            while not self.chunks.empty():
                chunks.append(self.chunks.get_nowait())
        except queue.Empty:
            return None if self.ended else []
        self.ended = self.ended or b"" in chunks
        data = b"".join(chunks)
        if not data:
            return None
        self.log.write(data)
        self.text += data.translate(None, NOT_ASCII).decode("ascii")
        return self.wide.feed(data)

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\r")
        self.proc.stdin.flush()

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


class Stop(Exception):
    """The run cannot go on: the console stalled, QEMU ended, the kernel panicked."""


def run_command(console, command, on_line, stall):
    """Type `command` and wait for the next prompt; the campaign lines on
    the way go to on_line. Returns the ASCII output. Stop when nothing
    new arrives for `stall` seconds."""
    mark = seen = len(console.text)
    console.send(command)
    last = time.monotonic()
    while True:
        lines = console.poll(0.5)
        if lines is None:
            raise Stop(f"QEMU ended during `{command}`")
        for text, raw in lines:
            on_line(text, raw)
        text = console.text
        if lines or len(text) > seen:
            panic = text.find(PANIC, max(mark, seen - len(PANIC)))
            if panic >= 0:
                raise Stop(text[panic:].split("\n")[0])
            seen, last = len(text), time.monotonic()
        end = text.find(PROMPT, mark)
        if end >= 0:
            return text[mark:end]
        if time.monotonic() - last > stall:
            raise Stop(f"no output for {stall} s during `{command}`: a hang")


def wait_for_shell(console, stall):
    deadline = time.monotonic() + stall
    while not console.text.endswith("/ $ "):
        if console.poll(0.5) is None or time.monotonic() > deadline:
            raise Stop("the shell's prompt never came")


FREE_LINE = re.compile(r"^(Mem|rs|Slots): +(\d+) +(\d+) +(\d+)$", re.MULTILINE)


def free_figures(output):
    """free's lines: {which: (total, used, free)}."""
    return {m.group(1): tuple(int(g) for g in m.groups()[1:]) for m in FREE_LINE.finditer(output)}


# --- the summary -------------------------------------------------------------

def table(campaign, targets, kinds):
    """Injections per target and kind: `recovered/injected` in each cell
    (`n/a` where the kind is not available)."""
    cells = collections.defaultdict(lambda: [0, 0, 0])  # injected, recovered, not available
    for _, target, kind, outcome, *_ in campaign.injections:
        for key in ((target, kind), (target, "total"), ("total", kind), ("total", "total")):
            cells[key][0] += 1
            cells[key][1] += outcome == "recovered"
            cells[key][2] += outcome == "n/a"
    columns = list(kinds) + ["total"]
    rows = [f"{'':8}" + "".join(f"{k:>12}" for k in columns)]
    for target in list(targets) + ["total"]:
        row = f"{target:8}"
        for kind in columns:
            injected, recovered, na = cells[(target, kind)]
            cell = "n/a" if injected and na == injected else f"{recovered}/{injected - na}"
            row += f"{cell:>12}"
        rows.append(row)
    return rows


def recovery_times(campaign):
    times = [i[6] for i in campaign.injections if i[3] == "recovered"]
    if not times:
        return "none"
    return (f"median {statistics.median(times) / 1000:.1f} ms, "
            f"max {max(times) / 1000:.1f} ms (guest time)")


def silent_flips(campaign):
    """The flips under way when the stream was damaged: a flipped bit can
    change what a driver sends with no fault or hang to recover from
    (fail-silent, not fail-stop). Their numbers; damage under any other
    kind is a failure of recovery."""
    return {n for _, _, (n, _, kind) in campaign.stream.faults if kind == "flip"}


def where_line(campaign, targets):
    """Where rs found each target when it injected: how many times in its
    own code rather than at a system call (waiting for work, or asking
    another process), and at how many places (a kill stops nothing: no
    pc)."""
    parts = []
    for target in targets:
        stopped = [i for i in campaign.injections if i[1] == target and i[7] != 0]
        own = sum(1 for i in stopped if not i[8])
        places = len({i[7] for i in stopped})
        parts.append(f"{target} {own} of {len(stopped)} in its own code ({places} places)")
    return "where: " + ", ".join(parts)


def memory_line(before, after):
    if before is None or after is None:
        return "not measured", False
    same = before == after
    verdict = "the same" if same else "CHANGED"
    return (f"rs {before[0] >> 10} KiB and {before[1]} slots free, pm {before[2] >> 10} KiB free; "
            f"after: rs {after[0] >> 10} KiB and {after[1]} slots, pm {after[2] >> 10} KiB: "
            f"{verdict}"), same


def summarize(args, campaign, free_before, free_after, restarts_line, seconds, stopped):
    """Print the figures; returns the list of reasons to fail."""
    problems = []
    c, s = campaign, campaign.stream
    done = int(c.done.group(1)) if c.done else len(c.injections) + len(c.missing())
    print(f"\nstress: seed {args.seed}, {done} of {args.n} injections ({args.kinds}) into "
          f"{args.targets}, {seconds / 60:.1f} min; each cell: recovered/injected")
    for row in table(c, args.targets.split(","), args.kinds.split(",")):
        print("  " + row)
    restarted = sum(1 for i in c.injections if i[3] == "recovered" and i[5])
    went_on = c.count("recovered") - restarted
    print(f"recovered: {c.count('recovered')} ({restarted} restarted, "
          f"{went_on} went on without a restart)")
    na_kinds = sorted({i[2] for i in c.injections if i[3] == "n/a"})
    print(f"failed: {c.count('failed')}, hangs: {c.count('hang')}"
          f"{' (repaired by hand: ' + str(len(c.repairs)) + ')' if c.repairs else ''}, "
          f"not available: {c.count('n/a')}" + (f" ({', '.join(na_kinds)})" if na_kinds else ""))
    print(f"recovery: {recovery_times(c)}")
    print(where_line(c, args.targets.split(",")))
    print(f"console: {s.intact} records intact ({s.intact_bytes} bytes), {s.lost} lost, "
          f"{s.duplicated} duplicated, {s.corrupted} corrupted; "
          f"{s.expected_bytes() - s.intact_bytes} of {s.expected_bytes()} bytes missing")
    faults = collections.Counter(f"{t} {k}" for _, _, (_, t, k) in s.faults)
    injections = collections.Counter(f"{t} {k}" for _, t, k in {f[2] for f in s.faults})
    if faults:
        print("  by the injection under way: " + ", ".join(
            f"{what}: {n} faults in {injections[what]} injections"
            for what, n in faults.most_common()))
    for what, detail, (n, target, kind) in s.faults[:12]:
        print(f"  {what} during injection {n} ({target} {kind}): {detail}")
    missing = c.missing()
    silent = silent_flips(c)
    if silent:
        print(f"silent: {len(silent)} flips into the uart changed what it sent without a fault "
              f"or a hang (injections {', '.join(str(n) for n in sorted(silent))}); no restart "
              "can see that (docs/reliability.md \"The stress campaign\")")
    if missing:
        print(f"injection lines lost: {len(missing)}: "
              + ", ".join(f"{n} ({t} {k})" for n, t, k in missing[:10]))
    for line in c.unplanned[:10]:
        print(f"  not what the seed gives: {line}")
    for line in c.other[:10]:
        print(f"  campaign: {line}")
    print(f"workload: {len(c.workload_errors)} failed checks")
    for error in c.workload_errors[:10]:
        print(f"  {error}")
    mem, same = memory_line(c.memory.get("before"), c.memory.get("after"))
    print(f"memory (campaign): {mem}")
    if free_before and free_after:
        print(f"free before and after: {'the same' if free_before == free_after else 'CHANGED'}")
    if restarts_line:
        print(restarts_line)
    if stopped:
        last = max((i[0] for i in c.injections), default=-1)
        target, kind = planned(args.seed, last + 1, c.targets, c.kinds)
        print(f"stopped after injection {last}; the next, {last + 1}, is {target} {kind}")
    for what, bad in ((stopped, stopped),
                      ("the campaign did not finish", c.done is None and not stopped),
                      (f"{c.count('failed')} injections failed", c.count("failed")),
                      (f"{c.count('hang')} hangs", c.count("hang")),
                      ("the console stream is not whole after a crash, hang or kill",
                       [f for f in s.faults if f[2][0] not in silent]),
                      ("injection lines lost", [m for m in missing if m[0] not in silent]),
                      ("injections other than the seed's", c.unplanned),
                      ("the workload's checks failed", c.workload_errors),
                      ("memory changed across the campaign", not same),
                      ("free changed", free_before != free_after),
                      ("restarts leaked", restarts_line and "nothing leaked" not in restarts_line)):
        if bad:
            problems.append(what)
    print("stress: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    return problems


# --- the run -----------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", required=True, help="the osstress boot image")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-n", type=int, default=1000, help="injections")
    p.add_argument("--kinds", default=",".join(KINDS))
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--restarts", type=int, default=10000,
                   help="restarts in a row before the campaign (0: none)")
    p.add_argument("--log", default=None, help="the whole console, raw")
    p.add_argument("--disk", default=None,
                   help="the disk image (system/disk.mk); the campaign boots a copy of it")
    p.add_argument("--cpu", default=DEFAULT_CPU)
    p.add_argument("--no-icount", action="store_true",
                   help="run QEMU on host time (not reproducible)")
    p.add_argument("--stall", type=float, default=300,
                   help="seconds without console output that make a hang")
    args = p.parse_args(argv)
    for name, allowed in (("kinds", KINDS), ("targets", TARGETS)):
        values = getattr(args, name).split(",")
        if not values or any(v not in allowed for v in values):
            p.error(f"--{name}: a comma-separated list of {', '.join(allowed)}")
    if args.seed < 0 or args.n < 0 or args.restarts < 0:
        p.error("--seed, -n and --restarts are not negative")
    return args


def progress(campaign, n):
    done = len(campaign.injections)
    if done and done % 100 == 0:
        print(f"stress: {done} of {n} injections, {campaign.count('recovered')} recovered, "
              f"{campaign.stream.intact} records", flush=True)


def run(args, console, campaign):
    """The four commands; returns (free before, free after, restarts line)."""
    wait_for_shell(console, args.stall)

    def on_line(text, raw):
        before = len(campaign.injections)
        campaign.take(text, raw)
        if len(campaign.injections) != before:
            progress(campaign, args.n)

    free_before = free_figures(run_command(console, "free", on_line, args.stall))
    restarts_line = None
    if args.restarts:
        start = time.monotonic()
        out = run_command(console, f"stress restarts {args.restarts} {args.targets}", on_line,
                          args.stall)
        restarts_line = next((line for line in out.split("\n") if line.startswith("stress: ")),
                             "stress restarts: no verdict")
        restarts_line += f" ({time.monotonic() - start:.0f} s)"
        print(restarts_line, flush=True)
    run_command(console, f"stress {args.seed} {args.n} {args.kinds} {args.targets}", on_line,
                args.stall)
    free_after = free_figures(run_command(console, "free", on_line, args.stall))
    return free_before, free_after, restarts_line


def main(argv=None):
    args = parse_args(argv)
    extra = [] if args.no_icount else ["-icount", "shift=0,sleep=off"]
    if args.disk:
        copy = (args.log or os.path.join(os.path.dirname(args.image), "stress")) + ".img"
        disk_copy(args.disk, copy)
        extra += disk_args(copy)
    argv = qemu_command(args.image, args.cpu, extra=extra)
    campaign = Campaign(args.seed, args.targets.split(","), args.kinds.split(","))
    start = time.monotonic()
    log = open(args.log, "wb") if args.log else open(os.devnull, "wb")
    console = Console(argv, log)
    stopped, free_before, free_after, restarts_line = None, None, None, None
    try:
        free_before, free_after, restarts_line = run(args, console, campaign)
    except Stop as e:
        stopped = str(e)
    finally:
        console.close()
        log.close()
    problems = summarize(args, campaign, free_before, free_after, restarts_line,
                         time.monotonic() - start, stopped)
    if args.log:
        print(f"the console: {args.log}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
