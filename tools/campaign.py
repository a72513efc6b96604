#!/usr/bin/env python3
"""The combined fault-injection campaign (issue 18; docs/reliability.md
"The combined campaign").

    campaign.py --image build/os/images/osstress.elf --disk build/disks/os.img
                [--seed 1] [-n 100] [--kinds crash,hang,flip,kill]
                [--targets uart,timer,rtc,blk,eth,ext2,net] [--json FILE]
                [--log FILE] [--pipe-every 4] [--stall 300]

Boots the image with its disk and network (QEMU's user network,
restrict=on, httpd's port 80 forwarded to a free port of 127.0.0.1) under
-icount, starts httpd, and types at the shell

    stress SEED N KINDS TARGETS console,files,sql &

the guest's campaign (user/bin/stress): N injections, one at a time, each
drawn from the seed (its delay, target and kind; rs's own choices too),
while three workers in the guest check what they get -- the console's
numbered records (timer, rtc, uart), copies of files verified byte for
byte (vfs, ext2, blk), SQLite transactions counted row by row (sqlite3
started from the disk by pm for each) -- and the host adds two more:
curl downloading a file from httpd again and again, its sha256 checked
(net, eth, and the disk behind httpd), and a shell pipeline typed at the
console every few seconds, its answer read back (`echo pipe K | cat |
grep pipe`: the uart, the shell, pm, vfs's pipes).

Each injection gets one outcome, written as a JSON line to --json:

    clean       recovered, and no client saw anything
    error       recovered, and a client saw an error: `allowed` says
                whether the target's rules let it (docs/reliability.md)
    failed      a workload found wrong data, or a check did not come back
    hung        the target or the workload did not recover (the guest's
                bound), or the console stopped
    crashed     the kernel panicked or QEMU ended

Deterministic per seed: `--seed S -n K+1` replays injection K (and those
before it). `campaign.py tally FILE...` prints the table of JSON lines
gathered over many runs (docs/reliability.md has the last one).

QEMU runs with -icount shift=0,sleep=on: the guest counts instructions,
but while it is idle its clock follows the host's. With sleep=off idle
guest time costs nothing, and the guest's clock races ahead of every peer
that lives in host time -- the disk's completions, QEMU's network, curl --
so a guest timeout (httpd's 30 s without progress, ext2's 10 s
supervision of blk) fires after a fraction of a real second: an early
run of this campaign saw downloads cut and blk "completing nothing",
artefacts of the clock, not faults. Exit status 0 only if every injection was clean or had an
allowed error and the memory was the same before and after; 1 otherwise.
"""

import argparse
import collections
import hashlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stress  # noqa: E402
from qemu_cmd import DEFAULT_CPU, disk_args, disk_copy, net_args, qemu_command  # noqa: E402

TARGETS = ("uart", "timer", "rtc", "blk", "eth", "ext2", "net")
WORKERS = "console,files,sql"
SITE_FILE = "campaign.bin"
SITE_BYTES = 1 << 20
CURL_SECONDS = 300
# A download that receives nothing for this long is cut (curl's
# --speed-time): a cut is then tied to the injection under way when its
# last byte came (or when it began, if none did) -- not to the one under
# way when curl gave up. A driver's restart loses the frames it held, and
# TCP sends them again on its own timers -- QEMU's user network resends a
# lost SYN after 6 s, then 12 s, in guest time, which runs two to four
# times slower than the host's under the campaign's load -- so a shorter
# pause is a delay, counted apart (PAUSE_SECONDS), not a cut.
STALL_SECONDS = 60
PAUSE_SECONDS = 10
CHUNK = 1 << 16
PIPE_ANSWER_SECONDS = 90
# Lines of the system's own that land anywhere in the console's text,
# even in the middle of a pipeline's answer: taken out before looking.
NOISE = re.compile(r"(?:rs|uart|timer|rtc|blk|eth|ext2|net|vfs|pm|httpd|clock): [^\n]*\n")
OUTCOMES = ("clean", "error", "failed", "hung", "crashed")


def allowed(target, kind, what):
    """May a client see `what` (a worker's error, a download cut) after
    this injection, by the target's rules? A flip may do anything short of
    stopping the system (a fail-silent fault: docs/reliability.md); a
    crash, hang or kill of net ends its sockets (docs/network.md), so a
    download may be cut; nothing else may show."""
    return kind == "flip" or (target == "net" and what == "download cut")


def site_bytes(seed):
    return random.Random(seed).randbytes(SITE_BYTES)


def put_site(disk, data):
    """The download's file into /srv/www of the disk copy (the host's debugfs)."""
    scratch = tempfile.mkdtemp(prefix="campaign.")
    try:
        local = os.path.join(scratch, SITE_FILE)
        with open(local, "wb") as f:
            f.write(data)
        proc = subprocess.run(["debugfs", "-w", "-R", f"write {local} /srv/www/{SITE_FILE}", disk],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0 or "rror" in proc.stderr:
            raise SystemExit(f"campaign: debugfs: {proc.stderr.strip()[-300:]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Downloads:
    """curl from the host, again and again until stopped: each download's
    end (host time), whether it was whole and right, and what went wrong."""

    def __init__(self, port, expected):
        self.url = f"http://127.0.0.1:{port}/{SITE_FILE}"
        self.expected = hashlib.sha256(expected).hexdigest()
        self.results = []  # (host time at its end, "ok" | "download cut" | "wrong bytes", detail)
        self.pauses = []  # the longest pause of each whole download that paused > PAUSE_SECONDS
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def fetch(self):
        """(what, detail, host time of the last byte or of the start); the
        longest pause between bytes goes to self.pauses when it passes
        PAUSE_SECONDS."""
        last = time.monotonic()
        longest = 0.0
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(["curl", "-sS", "--max-time", str(CURL_SECONDS),
                                     "--speed-time", str(STALL_SECONDS), "--speed-limit", "1",
                                     self.url], stdout=subprocess.PIPE, stderr=err)
            digest, length = hashlib.sha256(), 0
            while True:
                chunk = proc.stdout.read1(CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                length += len(chunk)
                longest = max(longest, time.monotonic() - last)
                last = time.monotonic()
            status = proc.wait()
            err.seek(0)
            message = err.read().decode(errors="replace")[-80:].strip()
        if longest > PAUSE_SECONDS and status == 0:
            self.pauses.append(longest)
        if status != 0:
            return "download cut", f"curl {status}: {message}", last
        if digest.hexdigest() != self.expected:
            return "wrong bytes", f"{length} bytes, sha256 differs", last
        return "ok", "", last

    def _loop(self):
        while not self.stopping.is_set():
            what, detail, last = self.fetch()
            self.results.append((last, what, detail))
            if what != "ok":
                self.stopping.wait(0.5)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(CURL_SECONDS + 60)


class Run:
    """One campaign: the console, what the guest's lines say, the host's
    checks, each tied to the injection under way (the first whose line had
    not come yet)."""

    def __init__(self, args, console, port, data):
        self.args, self.console = args, console
        self.campaign = stress.Campaign(args.seed, args.targets.split(","), args.kinds.split(","))
        self.downloads = Downloads(port, data)
        self.arrived = []  # host time each injection's line came
        self.pipes = []  # (injection under way, answered?, detail)
        self.stopped = None
        self.started = time.monotonic()
        self.network = ""  # what ifconfig said at the end

    def under_way(self, when=None):
        """The number of the injection under way at host time `when`."""
        if when is None:
            return len(self.arrived)
        return sum(1 for t in self.arrived if t <= when)

    def on_line(self, text, raw):
        before = len(self.campaign.injections)
        self.campaign.take(text, raw)
        if len(self.campaign.injections) != before:
            self.arrived.append(time.monotonic())
            stress.progress(self.campaign, self.args.n)

    def poll(self, seconds):
        lines = self.console.poll(seconds)
        if lines is None:
            raise stress.Stop("QEMU ended")
        for text, raw in lines:
            self.on_line(text, raw)
        panic = self.console.text.find(stress.PANIC)
        if panic >= 0:
            raise stress.Stop(self.console.text[panic:].split("\n")[0])

    def command(self, line):
        return stress.run_command(self.console, line, self.on_line, self.args.stall)

    def start_httpd(self):
        self.command("httpd >> /var/log/httpd.log 2>&1 &")
        deadline = time.monotonic() + 120
        while self.downloads.fetch()[0] != "ok":
            if time.monotonic() > deadline:
                raise stress.Stop("httpd never served the campaign's file")
            self.poll(1)

    def pipeline(self, k):
        """Type a pipeline; True once its answer is on the console."""
        mark = len(self.console.text)
        self.console.send(f"echo pipe {k} | cat | grep pipe")
        answer = re.compile(rf"(?m)^pipe {k}\r?$")
        deadline = time.monotonic() + PIPE_ANSWER_SECONDS
        while time.monotonic() < deadline:
            self.poll(0.5)
            if answer.search(NOISE.sub("", self.console.text[mark:])):
                return True
            if self.campaign.done or self.soak_done():
                break
        return bool(answer.search(NOISE.sub("", self.console.text[mark:])))

    def soak_done(self):
        return any(line.startswith("soak-done ") for line in self.campaign.other)

    def campaign_loop(self):
        a = self.args
        if a.soak:
            self.console.send(f"stress soak {a.seed} {a.soak} {WORKERS} &")
            finished = self.soak_done
        else:
            self.console.send(f"stress {a.seed} {a.n} {a.kinds} {a.targets} {WORKERS} &")
            finished = lambda: self.campaign.done is not None  # noqa: E731
        if not a.no_downloads:
            self.downloads.start()
        last_output, seen, k = time.monotonic(), len(self.console.text), 0
        next_pipe = time.monotonic() + a.pipe_every
        while not finished():
            self.poll(0.5)
            if len(self.console.text) > seen or self.campaign.injections:
                if len(self.console.text) > seen:
                    last_output = time.monotonic()
                seen = len(self.console.text)
            if time.monotonic() - last_output > a.stall:
                raise stress.Stop(f"no output for {a.stall} s: a hang")
            if a.pipe_every and time.monotonic() >= next_pipe:
                during = self.under_way()
                ok = self.pipeline(k)
                self.pipes.append((during, ok, f"pipe {k}"))
                k += 1
                next_pipe = time.monotonic() + a.pipe_every
                last_output = time.monotonic()
        self.downloads.stop()
        self.command("")  # the prompt after the campaign's end


def classify(run):
    """One record per injection: its outcome and the errors clients saw."""
    c = run.campaign
    seen = collections.defaultdict(list)  # injection -> [(what, detail)]
    for when, what, detail in run.downloads.results:
        if what != "ok":
            seen[run.under_way(when)].append((what, detail))
    for during, ok, detail in run.pipes:
        if not ok:
            seen[during].append(("pipeline lost", detail))
    for during, text in c.worker_lines:
        seen[during].append(("wrong data" if "-wrong " in text else "worker error", text))
    for what, detail, (n, _, _) in c.stream.faults:
        seen[n].append(("console damaged", f"{what}: {detail}"))
    records = []
    for (n, target, kind, outcome, error, restarted, us, pc, in_sys, errs) in c.injections:
        saw = seen.get(n, [])
        if errs[1] or errs[3]:
            saw = saw + [("wrong data", f"files {errs[1]}, sql {errs[3]}")]
        if (errs[0] or errs[2]) and not any(w == "worker error" for w, _ in saw):
            saw = saw + [("worker error", f"files {errs[0]}, sql {errs[2]}")]
        fatal = [w for w, _ in saw if w in ("wrong data", "wrong bytes", "pipeline lost")]
        if outcome in ("hang", "failed"):
            result = "hung"
        elif fatal and kind != "flip":
            result = "failed"
        elif saw:
            result = "error"
        else:
            result = "clean"
        ok = all(allowed(target, kind, w) for w, _ in saw)
        arrived = run.arrived[n] - run.started if n < len(run.arrived) else None
        records.append({"seed": run.args.seed, "n": n, "target": target, "kind": kind,
                        "outcome": result, "allowed": ok if result == "error" else None,
                        "host_s": None if arrived is None else round(arrived, 1),
                        "guest": outcome, "rs_error": error, "restarted": restarted,
                        "recovery_us": us, "pc": f"{pc:x}", "in_syscall": in_sys,
                        "saw": [f"{w}: {d}" for w, d in saw]})
    # Injections whose own line was lost in the console's damage: a flip
    # into the uart (fail-silent, allowed) or, under any other kind, a
    # console stream that is not whole: failed.
    for n, target, kind in c.missing():
        silent = kind == "flip"
        records.append({"seed": run.args.seed, "n": n, "target": target, "kind": kind,
                        "outcome": "error" if silent else "failed",
                        "allowed": True if silent else None, "host_s": None,
                        "saw": ["its own line lost with the console's damage"] + [
                            f"{w}: {d}" for w, d in seen.get(n, [])]})
    records.sort(key=lambda r: r["n"])
    if run.stopped:
        n = len(c.injections) + len(c.missing())
        target, kind = stress.planned(run.args.seed, n, c.targets, c.kinds)
        crashed = "PANIC" in run.stopped or "QEMU ended" in run.stopped
        records.append({"seed": run.args.seed, "n": n, "target": target, "kind": kind,
                        "outcome": "crashed" if crashed else "hung", "allowed": None,
                        "saw": [run.stopped]})
    return records


WORK = re.compile(r"work records (\d+) files (\d+) (\d+) (\d+) sql (\d+) (\d+) (\d+)$")


def worker_totals(campaign):
    """The guest workers' totals from the campaign's `work` line, or None."""
    for line in campaign.other:
        m = WORK.match(line)
        if m:
            names = ("records", "files", "files_errors", "files_wrong", "sql", "sql_errors",
                     "sql_wrong")
            return dict(zip(names, (int(g) for g in m.groups())))
    return None


def summarize(args, run, records, memory_same, minutes):
    """The table (outcomes per target) and the verdict; the problems."""
    counts = collections.Counter((r["target"], r["outcome"]) for r in records)
    kinds = collections.Counter((r["kind"], r["outcome"]) for r in records)
    print(f"\ncampaign: seed {args.seed}, {len(records)} of {args.n} injections "
          f"({args.kinds}) into {args.targets}, {minutes:.1f} min")
    print(f"  {'':8}" + "".join(f"{o:>9}" for o in OUTCOMES) + f"{'total':>9}")
    for row, table in [(t, counts) for t in args.targets.split(",")] + \
                      [(k, kinds) for k in args.kinds.split(",")]:
        cells = [table[(row, o)] for o in OUTCOMES]
        print(f"  {row:8}" + "".join(f"{x:>9}" for x in cells) + f"{sum(cells):>9}")
    errors = [r for r in records if r["outcome"] == "error"]
    refused = [r for r in errors if not r["allowed"]]
    ok_downloads = sum(1 for _, w, _ in run.downloads.results if w == "ok")
    print(f"errors clients saw: {len(errors)} injections, {len(refused)} not allowed by the "
          f"target's rules")
    pauses = run.downloads.pauses
    print(f"host: {ok_downloads} downloads whole of {len(run.downloads.results)}"
          f" ({len(pauses)} paused over {PAUSE_SECONDS} s"
          f"{f', longest {max(pauses):.0f} s' if pauses else ''}), "
          f"{sum(1 for p in run.pipes if p[1])} pipelines answered of {len(run.pipes)}")
    for when, what, detail in run.downloads.results:
        if what != "ok":
            print(f"  download during injection {run.under_way(when)}: {what}: {detail}")
    counters = [line.strip() for line in run.network.splitlines() if "dropped" in line]
    if counters:
        print("net at the end: " + "; ".join(counters))
    w = run.campaign.stream
    print(f"console: {w.intact} records intact, {w.lost} lost, {w.duplicated} duplicated, "
          f"{w.corrupted} corrupted")
    work = worker_totals(run.campaign)
    if work:
        print(f"guest: {work['files']} copies verified ({work['files_errors']} with an error, "
              f"{work['files_wrong']} wrong), {work['sql']} SQLite transactions "
              f"({work['sql_errors']} with an error, {work['sql_wrong']} wrong)")
    for r in [r for r in records if r["outcome"] != "clean"][:20]:
        print(f"  {r['n']} {r['target']} {r['kind']}: {r['outcome']}"
              f"{'' if r['allowed'] is None else ' (allowed)' if r['allowed'] else ' (NOT allowed)'}"
              f": {'; '.join(r['saw'])[:160]}")
    problems = []
    bad = [r for r in records if r["outcome"] in ("failed", "hung", "crashed")]
    if bad:
        problems.append(f"{len(bad)} injections failed, hung or crashed")
    if refused:
        problems.append(f"{len(refused)} errors the rules do not allow")
    if run.campaign.unplanned:
        problems.append(f"injections other than the seed's: {run.campaign.unplanned[:3]}")
    if len(records) < args.n:
        problems.append(f"{args.n - len(records)} injections not made")
    if not memory_same:
        problems.append("memory changed across the campaign")
    if work is None or not work["files"] or not work["sql"]:
        problems.append("a guest worker made no progress (or its totals never came)")
    print("campaign: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    return problems


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", required=True, help="the osstress boot image")
    p.add_argument("--disk", required=True, help="the tests' disk (a copy is booted)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-n", type=int, default=100, help="injections")
    p.add_argument("--kinds", default=",".join(stress.KINDS))
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--json", default=None, help="one JSON line per injection (appended)")
    p.add_argument("--log", default=None, help="the whole console, raw")
    p.add_argument("--cpu", default=DEFAULT_CPU)
    p.add_argument("--pipe-every", type=float, default=4.0,
                   help="seconds between pipelines typed at the console (0: none)")
    p.add_argument("--stall", type=float, default=300,
                   help="seconds without console output that make a hang")
    p.add_argument("--no-downloads", action="store_true",
                   help="no curl downloads during the campaign (httpd is started all the same)")
    p.add_argument("--soak", type=int, default=0, metavar="MINUTES",
                   help="no injections: the workload for MINUTES of guest time, the memory "
                        "and vfs's tables sampled each minute")
    p.add_argument("--pcap", default=None, metavar="FILE",
                   help="the network's packets to FILE (headers only), for finding a stall")
    args = p.parse_args(argv)
    for name, choices in (("kinds", stress.KINDS), ("targets", TARGETS)):
        values = getattr(args, name).split(",")
        if any(v not in choices for v in values):
            p.error(f"--{name}: a comma-separated list of {', '.join(choices)}")
    if args.seed <= 0 or args.n <= 0:
        p.error("--seed and -n are positive")
    return args


def boot(args):
    log_base = args.log or os.path.join(os.path.dirname(args.image), f"campaign-{args.seed}")
    disk = log_base + ".img"
    disk_copy(args.disk, disk)
    data = site_bytes(args.seed)
    put_site(disk, data)
    port = free_port()
    extra = ["-icount", "shift=0,sleep=on"] + disk_args(disk) + net_args([f"tcp::{port}-:80"])
    if args.pcap:
        extra += ["-object", f"filter-dump,id=dump0,netdev=net0,file={args.pcap},maxlen=96"]
    log = open(args.log, "wb") if args.log else open(os.devnull, "wb")
    return stress.Console(qemu_command(args.image, args.cpu, extra=extra), log), log, port, data


def tally(paths):
    """The table of many runs' JSON lines: outcomes per target and kind."""
    records = [json.loads(line) for path in paths for line in open(path) if line.strip()]
    seeds = sorted({r["seed"] for r in records})
    print(f"{len(records)} injections, seeds {', '.join(str(s) for s in seeds)}")
    print("| | " + " | ".join(OUTCOMES) + " | total |")
    print("|---" * (len(OUTCOMES) + 2) + "|")
    for key in ("target", "kind"):
        for name in sorted({r[key] for r in records}):
            row = [sum(1 for r in records if r[key] == name and r["outcome"] == o)
                   for o in OUTCOMES]
            print(f"| {name} | " + " | ".join(str(x) for x in row) + f" | {sum(row)} |")
    row = [sum(1 for r in records if r["outcome"] == o) for o in OUTCOMES]
    print("| total | " + " | ".join(str(x) for x in row) + f" | {sum(row)} |")
    refused = [r for r in records if r["outcome"] == "error" and not r["allowed"]]
    print(f"errors not allowed by the rules: {len(refused)}")
    for r in [r for r in records if r["outcome"] not in ("clean",)][:40]:
        print(f"  seed {r['seed']} n {r['n']} {r['target']} {r['kind']}: {r['outcome']}"
              f"{'' if r.get('allowed') is None else ' allowed' if r['allowed'] else ' NOT allowed'}"
              f": {'; '.join(r['saw'])[:150]}")
    return 0


SAMPLE = re.compile(r"sample (\d+) rs-free (\d+) rs-free-slots (\d+) pm-free (\d+) "
                    r"vfs (\d+) (\d+) (\d+) (\d+) (\d+) (same|CHANGED)$")
SOAK_DONE = re.compile(r"soak-done records (\d+) files (\d+) (\d+) (\d+) sql (\d+) (\d+) (\d+) "
                       r"memory (flat|CHANGED)$")


def summarize_soak(args, run, minutes):
    """The soak's samples and verdict; the problems."""
    samples = [SAMPLE.match(line) for line in run.campaign.other]
    samples = [m for m in samples if m]
    done = next((SOAK_DONE.match(line) for line in run.campaign.other
                 if SOAK_DONE.match(line)), None)
    print(f"\nsoak: seed {args.seed}, {len(samples) - 1} of {args.soak} minutes sampled, "
          f"{minutes:.1f} min of host time")
    print("  minute  rs-free-KiB  rs-slots  pm-free-KiB  vfs(procs ofiles pipes waiters replies)")
    for m in samples:
        print(f"  {m.group(1):>6}  {int(m.group(2)) >> 10:>11}  {m.group(3):>8}  "
              f"{int(m.group(4)) >> 10:>11}  {' '.join(m.group(i) for i in range(5, 10))}  "
              f"{m.group(10)}")
    cut = [r for r in run.downloads.results if r[1] != "ok"]
    print(f"host: {len(run.downloads.results) - len(cut)} downloads whole of "
          f"{len(run.downloads.results)} ({len(run.downloads.pauses)} paused over "
          f"{PAUSE_SECONDS} s), {sum(1 for p in run.pipes if p[1])} pipelines "
          f"answered of {len(run.pipes)}")
    for when, what, detail in cut[:10]:
        print(f"  download at {when - run.started:.0f} s: {what}: {detail}")
    w = run.campaign.stream
    print(f"console: {w.intact} records intact, {w.lost} lost, {w.duplicated} duplicated, "
          f"{w.corrupted} corrupted")
    if done:
        print(f"guest: {done.group(2)} copies verified ({done.group(3)} errors, {done.group(4)} "
              f"wrong), {done.group(5)} SQLite transactions ({done.group(6)} errors, "
              f"{done.group(7)} wrong)")
    problems = []
    for what, bad in (("stopped: " + str(run.stopped), run.stopped),
                      ("the soak did not finish", done is None),
                      ("the figures changed", done and done.group(8) != "flat"),
                      ("a client saw an error or wrong data",
                       done and any(int(done.group(i)) for i in (3, 4, 6, 7))),
                      ("downloads cut or wrong", cut),
                      ("pipelines lost", [p for p in run.pipes if not p[1]]),
                      ("the console stream is not whole", w.faults)):
        if bad:
            problems.append(what)
    print("soak: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "tally":
        return tally(argv[1:])
    args = parse_args(argv)
    start = time.monotonic()
    console, log, port, data = boot(args)
    run = Run(args, console, port, data)
    free_before = free_after = None
    try:
        stress.wait_for_shell(console, args.stall)
        run.start_httpd()
        free_before = stress.free_figures(run.command("free"))
        run.campaign_loop()
        free_after = stress.free_figures(run.command("free"))
        run.network = run.command("ifconfig")  # net's counters, dropped frames among them
    except stress.Stop as e:
        run.stopped = str(e)
        run.downloads.stopping.set()
    finally:
        console.close()
        log.close()
    if args.soak:
        return 1 if summarize_soak(args, run, (time.monotonic() - start) / 60) else 0
    records = classify(run)
    if args.json:
        with open(args.json, "a") as f:
            for r in records:
                f.write(json.dumps(r, sort_keys=True) + "\n")
    mem = run.campaign.memory
    same = (mem.get("before") == mem.get("after") and mem.get("before") is not None
            and free_before == free_after)
    problems = summarize(args, run, records, same, (time.monotonic() - start) / 60)
    if args.log:
        print(f"the console: {args.log}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
