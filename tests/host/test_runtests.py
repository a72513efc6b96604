#!/usr/bin/env python3
"""Tests of tools/runtests.py against a fake QEMU: each "image" is a small shell
script that the fake runs, so every way an entry can end (pass, failed line,
panic, timeout, missing TEST DONE, bad exit, expect/alive/input) is checked
without a kernel. Speaks the result-line protocol; `test=NAME` runs one test."""

import os
import subprocess
import sys
import tempfile

import suite

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(ROOT, "tools", "runtests.py")

# The fake QEMU: runs the -kernel file with sh, passing the -append text and the
# -cpu value as arguments, so images can print what they were given.
FAKE_QEMU = """#!/bin/sh
kernel= append= cpu=
while [ $# -gt 0 ]; do
    case "$1" in
    -kernel) kernel=$2; shift ;;
    -append) append=$2; shift ;;
    -cpu) cpu=$2; shift ;;
    esac
    shift
done
exec sh "$kernel" "$append" "$cpu"
"""

# name -> shell script standing in for a boot image
IMAGES = {
    "good": 'echo "booting"; echo "TEST PASS a"; printf "TEST PASS b\\r\\n"; echo "TEST DONE"',
    "failing": 'echo "TEST PASS a"; echo "TEST FAIL b: wrong answer"; echo "TEST DONE"',
    "incomplete": 'echo "TEST PASS a"',
    "panic": 'echo "TEST PASS a"; echo "KERNEL PANIC: bad thing at foo.c:12"; exit 1',
    "hang": 'echo "TEST PASS a"; echo "last words"; sleep 30',
    "badexit": 'echo "TEST PASS a"; echo "TEST DONE"; exit 3',
    "nohalt": 'echo "TEST PASS a"; echo "TEST DONE"; sleep 30',
    "filtered": 'case "$1" in *test=b*) echo "TEST PASS b";; *) echo "TEST PASS a"; '
                'echo "TEST PASS b";; esac; echo "TEST DONE"',
    "cpu": 'echo "TEST PASS cpu_is_$2"; echo "TEST DONE"',
    "hello": 'echo "hello"; echo "Untyped list:"; exit 0',
    "resident": 'echo "Caught fault"; sleep 30',
    "resident_panic": 'echo "Caught fault"; sleep 0.2; echo "KERNEL PANIC: late"; sleep 30',
    "echo": 'echo "ready"; read line; echo "got: $line"; exit 0',
    "shell": 'while printf "$ "; read line; do case "$line" in hi) echo "hello there";; '
             '*) echo "unknown: $line";; esac; done',
    "panic_unterminated": 'echo "TEST PASS a"; printf "KERNEL PANIC: no newline"; exit 1',
    "malformed": 'echo "TEST PASS a"; echo "TEST FAIL"; echo "TEST DONE"',
}


def run(list_text, *args):
    """Run the runner on a list in a scratch tree; returns (exit status, output, build)."""
    tmp = tempfile.mkdtemp(prefix="runtests-test-")
    bindir = os.path.join(tmp, "bin")
    images = os.path.join(tmp, "build", "images")
    os.makedirs(bindir)
    os.makedirs(images)
    with open(os.path.join(bindir, "qemu-system-aarch64"), "w") as f:
        f.write(FAKE_QEMU)
    os.chmod(os.path.join(bindir, "qemu-system-aarch64"), 0o755)
    for name, script in IMAGES.items():
        with open(os.path.join(images, name + ".elf"), "w") as f:
            f.write(script + "\n")
    with open(os.path.join(tmp, "tests.list"), "w") as f:
        f.write(list_text)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
    proc = subprocess.run([sys.executable, RUNNER, "--list", os.path.join(tmp, "tests.list"),
                           "--build", os.path.join(tmp, "build"), *args],
                          capture_output=True, text=True, env=env, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr, os.path.join(tmp, "build")


def expect_run(list_text, status, last_line, *fragments, args=()):
    code, output, build = run(list_text, *args)
    lines = output.rstrip("\n").split("\n")
    if code != status or lines[-1] != last_line:
        raise suite.Failure(f"got exit {code} and last line {lines[-1]!r}, want {status} and "
                      f"{last_line!r}; output:\n" + output)
    for fragment in fragments:
        if fragment not in output:
            raise suite.Failure(f"output lacks {fragment!r}:\n{output}")
    return output, build


@suite.test
def suite_results_counted():
    expect_run("qemu good\n", 0, "2 passed, 0 failed")


@suite.test
def suite_failed_line_reported():
    expect_run("qemu failing\n", 1, "1 passed, 1 failed", "failing: b: wrong answer")


@suite.test
def suite_without_done_is_incomplete():
    expect_run("qemu incomplete\n", 1, "1 passed, 1 failed", "incomplete: incomplete")


@suite.test
def malformed_result_line_fails():
    expect_run("qemu malformed\n", 1, "1 passed, 1 failed", "malformed result line")


@suite.test
def suite_panic_fails():
    expect_run("qemu panic\n", 1, "1 passed, 1 failed",
               "panic: KERNEL PANIC: bad thing at foo.c:12")


@suite.test
def unterminated_last_line_is_seen():
    expect_run("qemu panic_unterminated\n", 1, "1 passed, 1 failed",
               "panic_unterminated: KERNEL PANIC: no newline")


@suite.test
def suite_timeout_shows_tail():
    expect_run("qemu hang timeout=1\n", 1, "1 passed, 1 failed", "hang: timeout",
               "| last words")


@suite.test
def slow_entry_is_named():
    # 11 s of 20: over half however fast the machine, and 9 s to spare
    # for a loaded one (with 4 s to spare it failed once, on a machine
    # running two test suites at once).
    output, _ = expect_run("check slow timeout=20 -- sleep 11\ncheck quick timeout=60 -- true\n",
                           0, "2 passed, 0 failed", "over half their timeout:\n  slow: ",
                           " s of 20 s")
    if "quick:" in output:
        raise suite.Failure("a quick entry was named as slow:\n" + output)


@suite.test
def suite_nonzero_exit_fails():
    expect_run("qemu badexit\n", 1, "1 passed, 1 failed", "badexit: QEMU exit status 3")


@suite.test
def suite_that_does_not_halt_fails():
    expect_run("qemu nohalt timeout=1\n", 1, "1 passed, 1 failed",
               "nohalt: did not halt after TEST DONE")


@suite.test
def missing_image_fails():
    expect_run("qemu absent\n", 1, "0 passed, 1 failed", "absent.elf does not exist")


def read_log(build, name):
    with open(os.path.join(build, "test-logs", name + ".log")) as f:
        return f.read()


@suite.test
def image_and_cpu_options():
    _, build = expect_run("qemu a53 image=cpu cpu=cortex-a53\n", 0, "1 passed, 0 failed")
    if "TEST PASS cpu_is_cortex-a53" not in read_log(build, "a53"):
        raise suite.Failure("cpu= not passed to QEMU:\n" + read_log(build, "a53"))
    _, build = expect_run("qemu cpu\n", 0, "1 passed, 0 failed", args=("--cpu", "max"))
    if "TEST PASS cpu_is_max" not in read_log(build, "cpu"):
        raise suite.Failure("--cpu not passed to QEMU:\n" + read_log(build, "cpu"))


@suite.test
def logs_are_kept():
    _, build = expect_run("qemu good\n", 0, "2 passed, 0 failed")
    log = read_log(build, "good")
    if "TEST PASS a" not in log or "-kernel" not in log:
        raise suite.Failure("log lacks the output or the command:\n" + log)


@suite.test
def only_filters_inside_suites():
    expect_run("qemu filtered\nqemu good\ncheck other -- true\n", 0, "2 passed, 0 failed",
               args=("--only", "b"))


@suite.test
def only_runs_whole_named_entry():
    expect_run("qemu filtered\nqemu good\n", 0, "2 passed, 0 failed", args=("--only", "good"))


@suite.test
def only_skips_suites_not_built():
    # asked for one test, a suite whose image was never built is no failure
    expect_run("qemu absent\nqemu filtered\nqemu good\n", 0, "2 passed, 0 failed",
               args=("--only", "b"))
    expect_run("qemu absent\n", 1, "0 passed, 1 failed", "absent.elf does not exist",
               args=("--only", "absent"))


@suite.test
def only_without_match_fails():
    expect_run("qemu good\ncheck other -- true\n", 1, "0 passed, 0 failed",
               "no test named nothing", args=("--only", "nothing"))


@suite.test
def expect_matches():
    expect_run("qemu hello expect='^Untyped list:$'\n", 0, "1 passed, 0 failed")


@suite.test
def expect_mismatch_fails():
    expect_run("qemu hello expect='^Goodbye'\n", 1, "0 passed, 1 failed",
               "output did not match")


@suite.test
def alive_passes_when_still_running():
    expect_run("qemu resident expect='^Caught' alive=0.5 timeout=20\n", 0,
               "1 passed, 0 failed")


@suite.test
def alive_fails_on_exit():
    expect_run("qemu hello expect='^hello' alive=5\n", 1, "0 passed, 1 failed",
               "within alive=5 s")


@suite.test
def alive_fails_on_panic():
    expect_run("qemu resident_panic expect='^Caught' alive=2 timeout=20\n", 1,
               "0 passed, 1 failed", "KERNEL PANIC: late")


@suite.test
def fail_pattern_stops_at_once():
    expect_run("qemu resident expect='^never' fail='^Caught' timeout=20\n", 1,
               "0 passed, 1 failed", "output matched fail=/^Caught/: Caught")


def script_file(text):
    fd, path = tempfile.mkstemp(prefix="runtests-script-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


@suite.test
def script_runs_to_its_end():
    path = script_file("# a dialogue\nexpect ^\\$ \nsend hi\\n\nexpect hello there$\n"
                       "send what\\n\nexpect unknown: what$\n")
    expect_run(f"qemu shell script={path} timeout=20\n", 0, "1 passed, 0 failed")


@suite.test
def script_names_the_step_it_waited_for():
    path = script_file("expect ^\\$ \nsend hi\\n\nexpect ^goodbye$\n")
    expect_run(f"qemu shell script={path} timeout=2\n", 1, "0 passed, 1 failed",
               f"{path}:3: expect /^goodbye$/ never matched (timeout)")


@suite.test
def script_with_a_bad_step_is_a_list_error():
    path = script_file("expect ok\nshout hi\n")
    code, output, _ = run(f"qemu shell script={path}\n")
    if code != 2 or "a step is `send TEXT`, `expect REGEX` or `check COMMAND`" not in output:
        raise suite.Failure(f"got exit {code}:\n{output}")


@suite.test
def script_check_reads_what_the_expect_matched():
    path = script_file("expect ^\\$ \nsend hi\\n\nexpect hello there$\ncheck grep -qx 'hello there'\n"
                       "send what\\n\nexpect unknown: what$\n")
    expect_run(f"qemu shell script={path} timeout=20\n", 0, "1 passed, 0 failed")


@suite.test
def script_check_that_fails_stops_and_says_why():
    path = script_file("expect ^\\$ \nsend hi\\n\nexpect hello there$\n"
                       "check sh -c 'echo the third line is wrong; exit 3'\nsend what\\n\n"
                       "expect ^never$\n")
    expect_run(f"qemu shell script={path} timeout=20\n", 1, "0 passed, 1 failed",
               f"{path}:4: check failed: sh -c 'echo the third line is wrong; exit 3': "
               "exit status 3: the third line is wrong")


@suite.test
def input_fed_after_trigger():
    expect_run("qemu echo input='hello\\n' input_after='^ready' expect='^got: hello$'\n",
               0, "1 passed, 0 failed")


@suite.test
def check_statuses():
    expect_run("check ok -- true\ncheck skipped -- sh -c 'echo no reference; exit 77'\n"
               "check bad -- false\n", 1, "1 passed, 1 failed, 1 skipped",
               "skipped: no reference", "bad: exit status 1")


@suite.test
def check_suite_speaks_protocol():
    expect_run("check s suite -- sh -c 'echo TEST PASS x; echo TEST SKIP y: later; "
               "echo TEST DONE'\n", 0, "1 passed, 0 failed, 1 skipped")


@suite.test
def bad_list_is_usage_error():
    code, output, _ = run("qemu x bogus=1\n")
    if code != 2 or "bogus=1" not in output:
        raise suite.Failure(f"exit {code}:\n{output}")


@suite.test
def empty_list_ran_no_test():
    expect_run("# nothing\n", 1, "0 passed, 0 failed", "no test ran")


def main(argv):
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
