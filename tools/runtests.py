#!/usr/bin/env python3
"""Keel's one test runner: runs the entries of a test list and sums up.

    runtests.py --list tests/tests.list --build build [--cpu CPU] [--only NAME]
                [-j N] [--verbose]

The list format is described at the top of tests/tests.list and in
docs/testing.md. Three kinds of entries:
  host   a host test binary, $BUILD/host/test_<name>, speaking the result-line
         protocol below;
  check  a command; exit 0 = PASS, 77 = SKIP, else FAIL (with the flag `suite`
         it speaks the protocol instead);
  qemu   a boot image, $BUILD/images/<image>.elf, run in QEMU; a suite (the root
         task speaks the protocol and halts) unless `expect=` or `script=` is
         given; a script is a dialogue on the serial console (send a line,
         expect its output) that must run to its end.
Result-line protocol, at line start: `TEST PASS <name>`, `TEST FAIL <name>:
<reason>`, `TEST SKIP <name>: <reason>`, and `TEST DONE` when a suite ends.

The last line printed is `N passed, M failed` (`, K skipped` if any). The exit
status is 1 if anything failed or no test ran at all, 2 for a bad list or usage.
"""

import argparse
import codecs
import concurrent.futures
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_cmd import DEFAULT_MACHINE, disk_args, disk_copy, net_args, qemu_command  # noqa: E402

RESULT_RE = re.compile(r"^TEST (PASS|FAIL|SKIP) (\S+?)(?::\s*(.*))?$")
DONE_LINE = "TEST DONE"
PANIC_PREFIX = "KERNEL PANIC"
SKIP_STATUS = 77
TAIL_LINES = 30
DEFAULT_TIMEOUT = {"host": 120, "check": 120, "qemu": 60}
# A suite that printed TEST DONE must stop by itself within this many seconds.
HALT_GRACE = 10
# After a kernel panic, QEMU gets this long to exit on its own before being killed.
PANIC_GRACE = 2
# How far back (in characters) before new output an expect= match may begin.
EXPECT_LOOKBACK = 1 << 16

# Options each kind accepts (key=value), and bare flags.
OPTIONS = {
    "host": {"timeout"},
    "check": {"timeout"},
    "qemu": {"timeout", "image", "variant", "cpu", "machine", "append", "disk", "expect", "alive", "input", "input_after",
             "fail", "script"},
}
FLAGS = {"host": set(), "check": {"suite"}, "qemu": {"fsck", "net"}}


class ListError(Exception):
    pass


class Entry:
    """One line of the test list."""

    def __init__(self, kind, name, options, flags, command, where):
        self.kind, self.name, self.options = kind, name, options
        self.flags, self.command, self.where = flags, command, where
        self.timeout = float(options.get("timeout", DEFAULT_TIMEOUT[kind]))
        self.expect = re.compile(options["expect"], re.MULTILINE) if "expect" in options else None
        self.alive = float(options["alive"]) if "alive" in options else None
        self.fail = re.compile(options["fail"]) if "fail" in options else None
        self.script = load_script(options["script"]) if "script" in options else None

    @property
    def is_suite(self):
        if self.kind == "host":
            return True
        if self.kind == "check":
            return "suite" in self.flags
        return self.expect is None and self.script is None


def parse_list(path):
    entries, names = [], set()
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for lineno, line in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        try:
            words = shlex.split(line, comments=True)
        except ValueError as e:
            raise ListError(f"{where}: {e}") from e
        if not words:
            continue
        entry = parse_entry(words, where)
        if entry.name in names:
            raise ListError(f"{where}: duplicate entry name {entry.name}")
        names.add(entry.name)
        entries.append(entry)
    return entries


def parse_entry(words, where):
    if len(words) < 2 or words[0] not in OPTIONS:
        raise ListError(f"{where}: expected `host|check|qemu NAME [options] [-- command]`")
    kind, name = words[0], words[1]
    rest, command = words[2:], []
    if "--" in rest:
        cut = rest.index("--")
        rest, command = rest[:cut], rest[cut + 1:]
    options, flags = {}, set()
    for word in rest:
        key, eq, value = word.partition("=")
        if eq and key in OPTIONS[kind]:
            options[key] = value
        elif not eq and word in FLAGS[kind]:
            flags.add(word)
        else:
            raise ListError(f"{where}: {kind} entries take no option `{word}`")
    if kind == "check" and not command:
        raise ListError(f"{where}: a check entry needs `-- command`")
    if kind == "qemu" and command:
        raise ListError(f"{where}: qemu entries take no command")
    if kind == "qemu" and "alive" in options and "expect" not in options:
        raise ListError(f"{where}: alive= needs expect=")
    try:
        return Entry(kind, name, options, flags, command, where)
    except (ValueError, re.error) as e:
        raise ListError(f"{where}: bad option: {e}") from e


def load_script(path):
    """A script= file: one step per line, `send TEXT` (escapes as in input=),
    `expect REGEX` (Python, multi-line mode, searched in the output after
    the previous expect's match) or `check COMMAND` (run with the text the
    previous expect matched on its stdin; it must exit 0); blank lines and
    `#` comments are skipped. Returns [(line number, kind, value)]."""
    steps = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise ValueError(f"script {path}: {e.strerror}") from e
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        kind, _, value = line.lstrip().partition(" ")
        if kind == "send":
            steps.append((number, "send", decode_input(value)))
        elif kind == "expect":
            steps.append((number, "expect", re.compile(value, re.MULTILINE)))
        elif kind == "check" and shlex.split(value):
            steps.append((number, "check", shlex.split(value)))
        else:
            raise ValueError(f"{path}:{number}: a step is `send TEXT`, `expect REGEX` or "
                             "`check COMMAND`")
    if not steps:
        raise ValueError(f"script {path} has no steps")
    return steps


def decode_input(text):
    """input= values may contain \\n, \\r, \\t and \\xNN escapes."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


class Outcome:
    """What one process did: its output and how it ended."""

    def __init__(self):
        self.text = ""
        self.status = None
        self.timed_out = False
        self.matched = False  # the expect regex matched
        self.alive_ok = False  # ran on for alive= seconds after the match, without panic
        self.no_halt = False  # printed TEST DONE but did not stop by itself
        self.panic = None  # the first KERNEL PANIC line
        self.rejected = None  # the first line that matched fail=
        self.script_done = False  # every step of script= ran
        self.script_step = None  # the step it waits for: (line, kind, value)
        self.check_failed = None  # a script's check that did not pass: (line, what it said)
        self.done = False  # saw TEST DONE
        self.error = None  # could not start


class Monitor:
    """Runs one process, watching its output as it arrives.

    Enforces the timeout, notices panics, TEST DONE and the expect regex, feeds
    input= once its trigger appears, and keeps the raw output in the log file.
    Whatever still runs when the outcome is decided is killed."""

    def __init__(self, entry, log, verbose):
        self.entry, self.log, self.verbose = entry, log, verbose
        self.out = Outcome()
        self.chunks = queue.Queue()
        self.input = decode_input(entry.options["input"]) if "input" in entry.options else None
        trigger = entry.options.get("input_after")
        self.input_after = re.compile(trigger, re.MULTILINE) if trigger else None
        self.partial = ""
        self.script = list(entry.script) if entry.script else None
        self.script_pos = 0  # output before this index is behind the last expect
        self.last_match = ""  # what the last expect matched: a check's input
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.stdin = None

    def run(self, argv):
        try:
            # Its own process group, so that killing it also ends any children.
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as e:
            self.out.error = f"cannot run {argv[0]}: {e.strerror}"
            return self.out
        self.stdin = proc.stdin
        reader = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        reader.start()
        try:
            self._watch()
        finally:
            if proc.poll() is None:
                kill_group(proc)
            self.out.status = proc.wait()
            reader.join(timeout=5)
            try:
                proc.stdin.close()
            except OSError:
                pass
        return self.out

    def _read(self, stream):
        fd = stream.fileno()
        while True:
            data = os.read(fd, 4096)
            self.chunks.put(data)
            if not data:
                return

    def _watch(self):
        """Consume output until end of file or the deadline, which the output
        itself may bring forward (panic, alive period, halt after TEST DONE)."""
        deadline = time.monotonic() + self.entry.timeout
        reason = "timeout"
        while True:
            now = time.monotonic()
            if now >= deadline:
                self._expire(reason)
                return
            try:
                data = self.chunks.get(timeout=min(0.2, deadline - now))
            except queue.Empty:
                continue
            if not data:
                self._take(b"", final=True)
                return
            self._take(data)
            if self.out.rejected is not None or self.out.script_done or \
                    self.out.check_failed is not None:
                return  # decided
            if self.out.panic is not None and reason != "panic":
                reason, deadline = "panic", min(deadline, time.monotonic() + PANIC_GRACE)
            elif self.entry.alive is not None and self.out.matched and reason == "timeout":
                reason, deadline = "alive", time.monotonic() + self.entry.alive
            elif self.out.done and self.entry.is_suite and reason == "timeout":
                reason, deadline = "halt", min(deadline, time.monotonic() + HALT_GRACE)

    def _expire(self, reason):
        if reason == "alive":
            self.out.alive_ok = self.out.panic is None
        elif reason == "halt":
            self.out.no_halt = True
        elif reason == "timeout":
            self.out.timed_out = True

    def _take(self, data, final=False):
        """Log, keep and scan new output; `final` at end of file."""
        text = self.decoder.decode(data, final).replace("\r", "")
        self.log.write(text)
        self.log.flush()
        searched = len(self.out.text)
        self.out.text += text
        lines = (self.partial + text).split("\n")
        self.partial = "" if final else lines.pop()
        for line in lines:
            if self.verbose:
                print(f"[{self.entry.name}] {line}", flush=True)
            if line.startswith(PANIC_PREFIX) and self.out.panic is None:
                self.out.panic = line
            if self.entry.fail is not None and self.out.rejected is None and \
                    self.entry.fail.search(line):
                self.out.rejected = line
            if line.rstrip() == DONE_LINE:
                self.out.done = True
        if self.entry.expect is not None and not self.out.matched:
            # Search only text that may hold a new match (a match may span a few
            # lines), starting at a line start so that `^` keeps its meaning.
            window = self.out.text.rfind("\n", 0, max(0, searched - EXPECT_LOOKBACK)) + 1
            self.out.matched = self.entry.expect.search(self.out.text, window) is not None
        self._maybe_send_input()
        self._advance_script()

    def _advance_script(self):
        """Run the script's steps as far as the output allows."""
        while self.script:
            number, kind, value = self.script[0]
            if kind == "expect":
                m = value.search(self.out.text, self.script_pos)
                if m is None:
                    self.out.script_step = self.script[0]
                    return
                self.script_pos = m.end()
                self.last_match = m.group(0)
            elif kind == "check":
                said = run_check(value, self.last_match)
                if said is not None:
                    self.out.check_failed = (number, said)
                    return
            else:
                try:
                    self.stdin.write(value)
                    self.stdin.flush()
                except OSError:
                    self.out.script_step = self.script[0]
                    return
            self.script.pop(0)
        if self.script is not None:
            self.out.script_done = True

    def _maybe_send_input(self):
        if self.input is None:
            return
        if self.input_after is None or self.input_after.search(self.out.text):
            try:
                self.stdin.write(self.input)
                self.stdin.flush()
            except OSError:
                pass  # the process is gone; its exit tells the rest
            self.input = None


def run_check(argv, text):
    """A script's check step: None if `argv` exits 0 with `text` on its
    stdin, else why not (its first line of output, or how it ended)."""
    try:
        proc = subprocess.run(argv, input=text, capture_output=True, text=True,
                              timeout=DEFAULT_TIMEOUT["check"])
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{shlex.join(argv)}: {e}"
    if proc.returncode == 0:
        return None
    said = (proc.stdout + proc.stderr).strip().split("\n")[0]
    return f"{shlex.join(argv)}: {status_text(proc.returncode)}" + (f": {said}" if said else "")


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()


class Ctx:
    """Settings shared by every entry of one run."""

    def __init__(self, args):
        self.build = args.build
        self.cpu = args.cpu
        self.only = args.only
        self.verbose = args.verbose
        self.logs = os.path.join(args.build, "test-logs")


class Report:
    """Counted results of one entry."""

    def __init__(self, entry):
        self.entry = entry
        self.passed, self.failed, self.skipped = [], [], []  # (name, reason)
        self.tail = []
        self.seconds = 0.0

    def add(self, status, name, reason=""):
        {"PASS": self.passed, "FAIL": self.failed, "SKIP": self.skipped}[status].append(
            (name, reason))


def tail_of(text, count=TAIL_LINES):
    return text.rstrip("\n").split("\n")[-count:] if text.strip() else []


def substitute(word, ctx):
    return word.replace("{build}", ctx.build).replace("{python}", sys.executable)


def entry_disk(entry, ctx):
    """The entry's own copy of its disk= image (the guest writes it), made
    afresh beside its log; the original stays as the build made it."""
    copy = os.path.join(ctx.logs, entry.name + ".img")
    os.makedirs(ctx.logs, exist_ok=True)
    disk_copy(os.path.join(ctx.build, entry.options["disk"]), copy)
    return copy


def entry_argv(entry, ctx, filter_name):
    """(argv, file that must exist or None) for running an entry."""
    if entry.kind == "qemu":
        variant = entry.options.get("variant", "")
        image = os.path.join(ctx.build, variant, "images",
                             entry.options.get("image", entry.name) + ".elf")
        append = entry.options.get("append", "")
        if filter_name:
            append = (append + " " if append else "") + f"test={filter_name}"
        machine = entry.options.get("machine", DEFAULT_MACHINE)
        extra = disk_args(entry_disk(entry, ctx)) if "disk" in entry.options else []
        if "net" in entry.flags:
            extra = list(extra) + net_args()
        return qemu_command(image, entry.options.get("cpu", ctx.cpu), append or None,
                            extra=extra, machine=machine), image
    if entry.kind == "host":
        argv = [os.path.join(ctx.build, "host", f"test_{entry.name}")]
    else:
        argv = [substitute(w, ctx) for w in entry.command]
    if filter_name:
        argv.append(f"test={filter_name}")
    return argv, argv[0] if entry.kind == "host" else None


def run_entry(entry, ctx):
    report = Report(entry)
    # An entry named by --only runs whole; other suites run with the filter.
    filter_name = ctx.only if ctx.only and ctx.only != entry.name else None
    if filter_name and not entry.is_suite:
        return report
    argv, needed = entry_argv(entry, ctx, filter_name)
    if needed and not os.path.exists(needed):
        if filter_name:
            return report  # a suite not built, asked only for a test it may hold: quiet
        report.add("FAIL", entry.name, f"{needed} does not exist (not built?)")
        return report
    os.makedirs(ctx.logs, exist_ok=True)
    start = time.monotonic()
    with open(os.path.join(ctx.logs, entry.name + ".log"), "w", encoding="utf-8") as log:
        log.write("$ " + shlex.join(argv) + "\n")
        monitor = Monitor(entry, log, ctx.verbose)
        out = monitor.run(argv)
    report.seconds = time.monotonic() - start
    if out.error:
        report.add("FAIL", entry.name, out.error)
    elif entry.script is not None:
        judge_script(entry, out, report)
    elif entry.is_suite:
        judge_suite(entry, out, filter_name, report)
    elif entry.kind == "check":
        judge_check(entry, out, report)
    else:
        judge_expect(entry, out, report)
    if "fsck" in entry.flags and not report.failed:
        judge_disk(entry, ctx, report)
    return report


E2FSCK_PATHS = ("/usr/sbin/e2fsck", "/sbin/e2fsck")


def judge_disk(entry, ctx, report):
    """The entry's disk after the run, checked by the host's e2fsck
    (read-only, every pass forced): exit status 0 or a failure."""
    e2fsck = shutil.which("e2fsck") or next((p for p in E2FSCK_PATHS if os.path.exists(p)), None)
    disk = os.path.join(ctx.logs, entry.name + ".img")
    if e2fsck is None:
        report.add("FAIL", entry.name, "fsck: e2fsck not found (Debian package e2fsprogs)")
        return
    run = subprocess.run([e2fsck, "-fn", disk], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, check=False)
    with open(os.path.join(ctx.logs, entry.name + ".log"), "a", encoding="utf-8") as log:
        log.write(f"$ {e2fsck} -fn {disk}\n{run.stdout}")
    if run.returncode != 0:
        report.add("FAIL", entry.name, f"e2fsck -fn {disk}: exit status {run.returncode}: " +
                   " | ".join(run.stdout.strip().split("\n")[-6:]))


def status_text(status):
    return f"killed by signal {-status}" if status < 0 else f"exit status {status}"


def judge_suite(entry, out, filter_name, report):
    failed_lines = False
    for line in out.text.split("\n"):
        line = line.rstrip()
        m = RESULT_RE.match(line)
        if not m:
            if line.startswith(("TEST PASS", "TEST FAIL", "TEST SKIP")):
                # Never let a result line that does not parse hide a failure.
                failed_lines = True
                report.add("FAIL", entry.name, f"malformed result line: {line!r}")
            continue
        status, name, reason = m.group(1), m.group(2), m.group(3) or ""
        if filter_name and name != filter_name:
            continue
        failed_lines |= status == "FAIL"
        report.add(status, name, reason)
    problem = None
    if out.rejected is not None:
        problem = f"output matched fail=/{entry.fail.pattern}/: {out.rejected}"
    elif out.timed_out:
        problem = "timeout"
    elif out.panic is not None:
        problem = out.panic
    elif not out.done:
        problem = "incomplete" + (f" ({status_text(out.status)})" if out.status else "")
    elif out.no_halt:
        problem = "did not halt after TEST DONE"
    elif out.status != 0 and (entry.kind == "qemu" or not failed_lines):
        problem = ("QEMU " if entry.kind == "qemu" else "") + status_text(out.status)
    if problem:
        report.add("FAIL", entry.name, problem)
        report.tail = tail_of(out.text)


def judge_check(entry, out, report):
    if out.timed_out:
        report.add("FAIL", entry.name, "timeout")
    elif out.status == 0:
        report.add("PASS", entry.name)
        return
    elif out.status == SKIP_STATUS:
        last = tail_of(out.text, 1)
        report.add("SKIP", entry.name, last[0] if last else "skipped")
        return
    else:
        report.add("FAIL", entry.name, status_text(out.status))
    report.tail = tail_of(out.text)


def judge_script(entry, out, report):
    if out.rejected is not None:
        problem = f"output matched fail=/{entry.fail.pattern}/: {out.rejected}"
    elif out.panic is not None:
        problem = out.panic
    elif out.check_failed is not None:
        number, said = out.check_failed
        problem = f"{entry.options['script']}:{number}: check failed: {said}"
    elif not out.script_done:
        number, kind, value = out.script_step or entry.script[0]
        what = f"expect /{value.pattern}/ never matched" if kind == "expect" \
            else "could not send (QEMU gone)"
        ended = "timeout" if out.timed_out else f"QEMU stopped ({status_text(out.status)})"
        problem = f"{entry.options['script']}:{number}: {what} ({ended})"
    else:
        problem = None
    if problem:
        report.add("FAIL", entry.name, problem)
        report.tail = tail_of(out.text)
    else:
        report.add("PASS", entry.name)


def judge_expect(entry, out, report):
    pattern = entry.expect.pattern
    if out.rejected is not None:
        problem = f"output matched fail=/{entry.fail.pattern}/: {out.rejected}"
    elif out.panic is not None:
        problem = out.panic
    elif not out.matched:
        problem = ("timeout" if out.timed_out else f"QEMU stopped ({status_text(out.status)})") + \
            f", output did not match /{pattern}/"
    elif entry.alive is not None:
        problem = None if out.alive_ok else \
            f"QEMU stopped ({status_text(out.status)}) within alive={entry.alive:g} s"
    elif out.timed_out:
        problem = "timeout (matched, but QEMU did not halt)"
    else:
        problem = None if out.status == 0 else f"QEMU {status_text(out.status)}"
    if problem:
        report.add("FAIL", entry.name, problem)
        report.tail = tail_of(out.text)
    else:
        report.add("PASS", entry.name)


def progress_line(report):
    counts = [f"{len(items)} {label}" for label, items in
              (("passed", report.passed), ("failed", report.failed), ("skipped", report.skipped))
              if items]
    if report.failed:
        verdict = "FAIL"
    elif report.skipped and not report.passed:
        verdict = "SKIP"
    else:
        verdict = "ok"
    return f"{verdict:4} {report.entry.name} ({', '.join(counts)}, {report.seconds:.1f} s)"


def print_report(report):
    print(progress_line(report), flush=True)
    if report.tail:
        print(f"     --- last {len(report.tail)} lines of output "
              f"(all in {report.entry.name}.log) ---")
        for line in report.tail:
            print("     | " + line)
    sys.stdout.flush()


def failure_name(report, name):
    entry = report.entry.name
    return entry if name == entry else f"{entry}: {name}"


def run_all(entries, ctx, jobs):
    """Run the entries on `jobs` workers; print progress in list order. Under
    --only, suites that had no matching test and no failure stay quiet."""
    reports = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_entry, entry, ctx) for entry in entries]
        for future in futures:
            report = future.result()
            reports.append(report)
            if report.passed or report.failed or report.skipped:
                print_report(report)
    return reports


def summarize(reports, ctx):
    passed = sum(len(r.passed) for r in reports)
    failed = [(r, name, why) for r in reports for name, why in r.failed]
    skipped = [(r, name, why) for r in reports for name, why in r.skipped]
    if skipped:
        print("\nskipped:")
        for report, name, why in skipped:
            print(f"  {failure_name(report, name)}: {why}")
    slow = [r for r in reports if not r.failed and r.seconds > r.entry.timeout / 2]
    if slow:
        # A slower machine (CI's) may push these over: raise the timeout or
        # make the test quicker before it fails there.
        print("\nover half their timeout:")
        for report in slow:
            print(f"  {report.entry.name}: {report.seconds:.0f} s of {report.entry.timeout:.0f} s")
    if failed:
        print("\nfailures:")
        for report, name, why in failed:
            print(f"  {failure_name(report, name)}: {why}")
    ran_any = passed or failed or skipped
    if not ran_any:
        what = f"no test named {ctx.only}" if ctx.only else "no test ran"
        print(f"\n{what}")
    line = f"{passed} passed, {len(failed)} failed"
    if skipped:
        line += f", {len(skipped)} skipped"
    print(line, flush=True)
    return 0 if ran_any and not failed else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run Keel's tests from a test list.")
    parser.add_argument("--list", default="tests/tests.list", help="the test list")
    parser.add_argument("--build", default="build", help="the build directory")
    parser.add_argument("--cpu", default="cortex-a76", help="QEMU -cpu for qemu entries")
    parser.add_argument("--only", metavar="NAME",
                        help="run only the entry NAME or the test NAME inside suites")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="entries run in parallel (default 2; 1 with --verbose)")
    parser.add_argument("-v", "--verbose", action="store_true", help="stream all output")
    args = parser.parse_args(argv)
    try:
        entries = parse_list(args.list)
    except (OSError, ListError) as e:
        print(f"runtests: {e}", file=sys.stderr)
        return 2
    jobs = args.jobs or (1 if args.verbose else 2)
    ctx = Ctx(args)
    reports = run_all(entries, ctx, max(1, jobs))
    return summarize(reports, ctx)


if __name__ == "__main__":
    sys.exit(main())
