#!/usr/bin/env python3
"""Tests of tools/stress.py (make stress) without QEMU: the campaign's
fullwidth lines come out whole whatever ASCII lands inside them (rs's
lines, one inside another, in the middle of a character); the workload's
records and the injections are those the guest draws (values the guest
printed for seed 1); the stream checker finds a lost, a duplicated, a
corrupted and a damaged record; the summary counts per target and kind;
the combined campaign's outcome of each injection (tools/campaign.py).
Speaks the result-line protocol; `test=NAME` runs one test."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import campaign  # noqa: E402
import stress  # noqa: E402
import suite  # noqa: E402

from suite import expect_eq  # noqa: E402


def wide(text):
    """A campaign line as user/bin/stress/report.c sends it."""
    out = bytearray()
    for c in text:
        code = 0x3000 if c == " " else 0xFF01 + ord(c) - 0x21
        out += chr(code).encode()
    return bytes(out) + "\u00b6".encode() + b"\r\n"


def lines_of(data, chunk=7):
    w = stress.WideLines()
    out = []
    for i in range(0, len(data), chunk):
        out += w.feed(data[i:i + chunk])
    return out


@suite.test
def foreign_lines_anywhere():
    a, b = wide("w 0 0ed88b07"), wide("i 12 uart crash recovered 0 3 4 1 2 2544 4012a0 1 0 0 0 0")
    rs = b"rs: uart restarted (after a fault), restart 4\r\n"
    banner = b"uart: PL011 receive interrupt on\r\n"
    nested = rs[:10] + banner + rs[10:]  # one foreign line inside another
    data = a[:4] + nested + a[4:] + b[:1] + rs + b[1:]  # inside a character, too
    got = [text for text, _ in lines_of(data)]
    expect_eq(got, ["w 0 0ed88b07", "i 12 uart crash recovered 0 3 4 1 2 2544 4012a0 1 0 0 0 0"], "lines")


@suite.test
def damaged_line_kept_raw():
    data = wide("w 1 18223b73")
    damaged = data[:5] + data[7:]  # two bytes of a character lost
    (text, raw), = lines_of(damaged)
    expect_eq(text, None, "text of a damaged line")
    expect_eq(raw, damaged[:-4], "its bytes, pilcrow and newline removed")


@suite.test
def records_and_injections_as_the_guest_draws_them():
    # Printed by user/bin/stress on Keel for seed 1.
    expect_eq(stress.record(1, 0), "w 0 0ed88b07", "record 0")
    expect_eq(stress.record(1, 1), "w 1 18223b73", "record 1")
    targets, kinds = ["uart", "timer", "rtc"], list(stress.KINDS)
    got = [stress.planned(1, n, targets, kinds) for n in range(5)]
    expect_eq(got, [("timer", "hang"), ("rtc", "crash"), ("rtc", "kill"), ("uart", "kill"),
                    ("timer", "flip")], "injections 0..4")


@suite.test
def stream_lost_duplicated_corrupted():
    s = stress.Stream(1)
    s.during = (7, "uart", "crash")
    for seq in (0, 1, 3, 3, 4):
        s.take(seq, stress.record(1, seq))
    s.take(5, "w 5 00000000")
    s.during = (8, "uart", "flip")
    s.damaged(b"\xef\xbd\x97\xe3\x80\x80\xef\xbc")
    expect_eq((s.intact, s.lost, s.duplicated, s.corrupted), (4, 1, 1, 2), "counts")
    expect_eq(s.faults, [("lost", "records 2..2", (7, "uart", "crash")),
                         ("duplicated", "record 3", (7, "uart", "crash")),
                         ("corrupted", "w 5 00000000", (7, "uart", "crash")),
                         ("corrupted", "w ?", (8, "uart", "flip"))], "faults")
    expect_eq(s.whole(), False, "whole")
    expect_eq(s.expected_bytes() - s.intact_bytes, stress.wide_length(stress.record(1, 2)),
              "missing bytes: record 2's")


@suite.test
def campaign_counts():
    c = stress.Campaign(1, ["uart", "timer", "rtc"], list(stress.KINDS))
    for text in ("i 0 timer hang n/a -88 0 0 0 0 0 0 0 0 0 0 0", "i 1 rtc crash recovered 0 0 1 0 1 3892 401a08 0 0 0 0 0",
                 "2 rtc kill recovered", "w 1 18223b73",
                 "i 3 uart kill failed -5 0 0 0 0 26028 0 0 0 0 0 0", "w 0 0ed88b07",
                 "w-error 1 sleep: I/O error", "mem before rs-free 10 rs-free-slots 2 pm-free 3",
                 "done 4 of 4: 1 recovered, 1 failed, 0 hangs, 1 not available; memory the same"):
        c.take(text, b"")
    expect_eq([c.count(o) for o in ("recovered", "failed", "hang", "n/a")], [1, 1, 0, 1],
              "outcomes")
    expect_eq(c.missing(), [(2, "rtc", "kill")], "the injection whose line was lost")
    expect_eq(c.unplanned, [], "every line is the seed's")
    expect_eq(len(c.workload_errors), 1, "workload errors")
    expect_eq([(f[0], f[2]) for f in c.stream.faults],
              [("corrupted", (2, "rtc", "kill")), ("lost", (2, "rtc", "kill")),
               ("duplicated", (4, "timer", "flip"))],
              "stream faults: a damaged line, record 0 lost, then late (not in order)")
    expect_eq(c.memory["before"], (10, 2, 3), "memory")
    expect_eq(stress.where_line(c, ["uart", "rtc"]),
              "where: uart 0 of 0 in its own code (0 places), rtc 1 of 1 in its own code "
              "(1 places)", "where rs found them")
    expect_eq(c.done is not None, True, "done")
    expect_eq(stress.silent_flips(c), {4}, "the duplicate came while flip 4 was under way")
    rows = stress.table(c, ["uart", "timer", "rtc"], ["crash", "hang", "kill"])
    expect_eq(rows[1].split(), ["uart", "0/0", "0/0", "0/1", "0/1"], "uart's row")
    expect_eq(rows[2].split(), ["timer", "0/0", "n/a", "0/0", "n/a"], "timer's row: hang only")
    c.take("i 4 uart crash recovered 0 0 1 0 1 1000 400ff0 1 0 0 0 0", b"")
    expect_eq(len(c.unplanned), 1, "an injection the seed does not give")


@suite.test
def flip_damage_is_silent():
    """Records lost while a flip is under way are the flip's (fail-silent);
    while a crash is, a failure of recovery."""
    kinds = list(stress.KINDS)
    c = stress.Campaign(1, ["uart", "timer", "rtc"], kinds)
    flip = next(n for n in range(50) if stress.planned(1, n, c.targets, kinds)[1] == "flip")
    c.stream.during = (flip,) + stress.planned(1, flip, c.targets, kinds)
    c.take(stress.record(1, 0), b"")
    c.take(stress.record(1, 2), b"")  # record 1 lost
    expect_eq(stress.silent_flips(c), {flip}, "the flip under way")
    crash = next(n for n in range(50) if stress.planned(1, n, c.targets, kinds)[1] == "crash")
    c.stream.during = (crash,) + stress.planned(1, crash, c.targets, kinds)
    c.take(stress.record(1, 4), b"")  # record 3 lost
    expect_eq(stress.silent_flips(c), {flip}, "a loss under a crash is not silent")
    expect_eq(c.stream.faults[-1][2][0], crash, "the loss under the crash is the crash's")
    # Damage under a flip whose loss shows only at the next intact record,
    # when another injection is under way: the flip's.
    c.stream.during = (flip,) + stress.planned(1, flip, c.targets, kinds)
    c.stream.damaged("w 5 garbled")
    c.stream.during = (crash,) + stress.planned(1, crash, c.targets, kinds)
    c.take(stress.record(1, 7), b"")  # records 5 and 6 lost
    expect_eq(c.stream.faults[-1][:2], ("lost", "records 5..6"), "the loss")
    expect_eq(c.stream.faults[-1][2][0], flip, "the loss where the flip's damage came is the flip's")


class FakeRun:
    """What campaign.classify reads of a run, without QEMU."""

    def __init__(self, seed, targets, kinds):
        self.args = type("Args", (), {"seed": seed, "n": 0})()
        self.campaign = stress.Campaign(seed, targets, kinds)
        self.downloads = type("Downloads", (), {"results": []})()
        self.arrived, self.pipes, self.stopped, self.started = [], [], None, 0.0

    under_way = campaign.Run.under_way

    def injection(self, n, outcome="recovered", errors=(0, 0, 0, 0)):
        target, kind = stress.planned(self.args.seed, n, self.campaign.targets,
                                      self.campaign.kinds)
        self.campaign.take(f"i {n} {target} {kind} {outcome} 0 0 1 0 1 1000 400ff0 1 "
                           + " ".join(str(e) for e in errors), b"")
        self.arrived.append(float(n + 1))


@suite.test
def combined_outcomes():
    """Each injection's outcome in the combined campaign (tools/campaign.py):
    what a client saw during it, the target's rules, the guest's verdict."""
    targets, kinds = list(campaign.TARGETS), list(stress.KINDS)
    run = FakeRun(18, targets, kinds)
    plan = [stress.planned(18, n, targets, kinds) for n in range(40)]
    taken = set()

    def pick(fits):
        n = next(n for n, (t, k) in enumerate(plan) if n not in taken and fits(t, k))
        taken.add(n)
        return n

    net_stop = pick(lambda t, k: t == "net" and k != "flip")
    disk = pick(lambda t, k: t in ("blk", "ext2") and k != "flip")
    flip = pick(lambda t, k: k == "flip")
    hung, wrong, lost, clean = (pick(lambda t, k: k != "flip") for _ in range(4))
    for n in range(40):
        run.injection(n, "hang" if n == hung else "recovered",
                      (1, 0, 0, 0) if n == disk else (0, 1, 0, 0) if n == flip else (0, 0, 0, 0))
    # Injection n's line came at time n + 1: what ended before it was under it.
    run.downloads.results = [(net_stop + 0.5, "download cut", "curl 56"),
                             (wrong + 0.5, "wrong bytes", "sha256"), (clean + 0.5, "ok", "")]
    run.pipes = [(lost, False, "pipe 0"), (clean, True, "pipe 1")]
    records = {r["n"]: r for r in campaign.classify(run)}
    expect_eq(len(records), 40, "a record per injection")
    expect_eq((records[net_stop]["outcome"], records[net_stop]["allowed"]), ("error", True),
              "net's restart may cut a download")
    expect_eq((records[disk]["outcome"], records[disk]["allowed"]), ("error", False),
              "the disk's server or driver may not show a client an error")
    expect_eq((records[flip]["outcome"], records[flip]["allowed"]), ("error", True),
              "wrong data after a flip: fail-silent, allowed")
    expect_eq(records[hung]["outcome"], "hung", "the guest's bound passed")
    expect_eq(records[wrong]["outcome"], "failed", "a download with wrong bytes")
    expect_eq(records[lost]["outcome"], "failed", "a pipeline whose answer never came")
    expect_eq(records[clean]["outcome"], "clean", "nothing seen: clean")
    # A flip's own line lost with the console's damage: counted, allowed.
    run2 = FakeRun(18, targets, kinds)
    flip2 = next(n for n, (t, k) in enumerate(plan) if k == "flip" and n > 0)
    for n in range(flip2 + 2):
        if n != flip2:
            run2.injection(n)
    lost = {r["n"]: r for r in campaign.classify(run2)}[flip2]
    expect_eq((lost["outcome"], lost["allowed"]), ("error", True), "a flip whose line was lost")
    run.stopped = "KERNEL PANIC: something"
    last = campaign.classify(run)[-1]
    expect_eq((last["n"], last["outcome"]), (40, "crashed"), "a panic ends it: the next one crashed")


if __name__ == "__main__":
    sys.exit(suite.main(sys.argv[1:]))
