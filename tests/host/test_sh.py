#!/usr/bin/env python3
"""Tests of the shell, user/bin/sh, built for the host under ASan/UBSan
(BUILD/host/bin/sh, tests/host/bin.mk), with the utilities of user/bin on
its PATH: pipelines, redirections, && || ;, quoting, $? and variables, cd,
exit, scripts and -c, error messages and statuses, how a killed command is
reported, the prompt on a terminal, and random malformed input that must
never crash it. Every run fails on a sanitizer report. Speaks the
result-line protocol; `test=NAME` runs one test.

usage: test_sh.py [BUILD] [test=NAME]
"""

import os
import pty
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
import suite  # noqa: E402

BUILD = "build"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def expect_in(part, whole, what):
    if part not in whole:
        raise suite.Failure(f"{what}: {part!r} not in {whole!r}")


def bin_dir():
    return os.path.abspath(os.path.join(BUILD, "host", "bin"))


def environment(**extra):
    env = {"PATH": bin_dir(), "HOME": "/", "ASAN_OPTIONS": "detect_leaks=1",
           "UBSAN_OPTIONS": "print_stacktrace=1"}
    env.update(extra)
    return env


def check_sanitizers(err, what):
    for mark in SANITIZER_MARKS:
        if mark in err:
            raise suite.Failure(f"{what}: sanitizer report:\n{err[-2000:]}")


def sh(args, stdin="", cwd=None, env=None, timeout=30):
    """(status, stdout, stderr) of BUILD/host/bin/sh ARGS."""
    proc = subprocess.run([os.path.join(bin_dir(), "sh")] + args, input=stdin.encode(),
                          capture_output=True, cwd=cwd, env=env or environment(),
                          timeout=timeout)
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    check_sanitizers(err, f"sh {args!r}")
    if proc.returncode < 0:
        raise suite.Failure(f"sh {args!r} died of signal {-proc.returncode}: {err}")
    return proc.returncode, out, err


def c(command, **kw):
    return sh(["-c", command], **kw)


def expect_run(command, status, out, err_part=None, **kw):
    got_status, got_out, got_err = c(command, **kw)
    suite.expect_eq(got_out, out, f"stdout of {command!r}")
    suite.expect_eq(got_status, status, f"status of {command!r} (stderr {got_err!r})")
    if err_part is not None:
        expect_in(err_part, got_err, f"stderr of {command!r}")
    elif got_err:
        raise suite.Failure(f"{command!r}: unexpected stderr {got_err!r}")


# --- pipelines and redirections ----------------------------------------------

@suite.test
def pipeline():
    expect_run("echo hello | cat | cat | wc -l", 0, "      1\n")
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "f"), "w") as f:
            f.write("".join(f"line {i}\n" for i in range(20)))
        expect_run("cat f | head -n 3 | wc -l", 0, "      3\n", cwd=tmp)
        expect_run("cat < f | grep 'line 1' | wc -l", 0, "     11\n", cwd=tmp)


@suite.test
def pipeline_waits_for_every_command():
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(20):
            expect_run("echo data > out | true; cat out", 0, "data\n", cwd=tmp)


@suite.test
def pipeline_status_is_last_command():
    expect_run("false | true; echo $?", 0, "0\n")
    expect_run("true | false; echo $?", 0, "1\n")
    expect_run("echo x | false", 1, "")


@suite.test
def redirect_output_append_input():
    with tempfile.TemporaryDirectory() as tmp:
        expect_run("echo a > f; echo b >> f; cat < f", 0, "a\nb\n", cwd=tmp)
        expect_run("echo c > f; cat f", 0, "c\n", cwd=tmp)
        expect_run(">empty; wc -c < empty", 0, "      0\n", cwd=tmp)


@suite.test
def redirect_stderr_and_numbered_fds():
    with tempfile.TemporaryDirectory() as tmp:
        expect_run("cat missing 2> err; cat err", 0, "cat: missing: No such file or directory\n",
                   cwd=tmp)
        expect_run("cat missing 2>&1 | wc -l", 0, "      1\n", cwd=tmp)
        expect_run("echo out 1>o 2>e; cat o e", 0, "out\n", cwd=tmp)
        expect_run("cat missing >o 2>&1; cat o", 0, "cat: missing: No such file or directory\n",
                   cwd=tmp)
        expect_run("echo x 3>three; wc -c three", 0, "x\n      0 three\n", cwd=tmp)


@suite.test
def redirect_errors():
    with tempfile.TemporaryDirectory() as tmp:
        expect_run("cat < nothere; echo $?", 0, "1\n", "sh: nothere: No such file", cwd=tmp)
        expect_run("echo x > nodir/f", 1, "", "sh: nodir/f:", cwd=tmp)
        expect_run("echo x 1>&9999; echo $?", 0, "126\n", "Bad file descriptor")
        expect_run("echo x >&-; echo $?", 0, "1\n")  # echo's stdout closed
        expect_run("echo a >&x", 2, "", "syntax error")
        expect_run("echo a >", 2, "", "syntax error")


# --- lists, statuses, exit ----------------------------------------------------

@suite.test
def and_or_sequence():
    expect_run("false && echo no || echo yes", 0, "yes\n")
    expect_run("true || echo no; echo end", 0, "end\n")
    expect_run("true && false && echo x; echo $?", 0, "1\n")
    expect_run("false || false || echo third", 0, "third\n")
    expect_run("true && echo a && echo b", 0, "a\nb\n")
    expect_run("echo a;echo b ; echo c;", 0, "a\nb\nc\n")


@suite.test
def exit_status_and_exit():
    expect_run("false; echo $?", 0, "1\n")
    expect_run("true; echo $?", 0, "0\n")
    expect_run("exit 7; echo no", 7, "")
    expect_run("exit 300", 44, "")
    expect_run("false; exit", 1, "")
    expect_run("exit abc", 2, "", "numeric argument required")
    expect_run("exit 1 2; echo still", 0, "still\n", "too many arguments")
    expect_run("nosuchcommand; echo $?", 0, "127\n", "sh: nosuchcommand: not found")


@suite.test
def not_executable():
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "plain"), "w") as f:
            f.write("data\n")
        status, out, err = c("./plain; echo $?", cwd=tmp)
        suite.expect_eq(out, "126\n", "status of a file that is not a program")
        expect_in("./plain", err, "message")


# --- words --------------------------------------------------------------------

@suite.test
def quoting():
    expect_run("X=1; echo 'a  b' \"c  $X\" \\$X a\\ b '$X'", 0, "a  b c  1 $X a b $X\n")
    expect_run("echo \"a\\\"b\" 'it'\\''s' \"\\\\\" \"\\x\"", 0, "a\"b it's \\ \\x\n")
    expect_run("echo 'a|b;c&&d>e' \"#\" a#b", 0, "a|b;c&&d>e # a#b\n")
    expect_run("echo \"\" | wc -c", 0, "      1\n")
    expect_run("echo x'y'\"z\"", 0, "xyz\n")


@suite.test
def comments():
    expect_run("echo a # echo b", 0, "a\n")
    expect_run("# only a comment", 0, "")
    expect_run("echo a#b", 0, "a#b\n")


@suite.test
def variables():
    expect_run("X=hi; echo $X ${X}there $Xthere.", 0, "hi hithere .\n")
    expect_run("echo a $NOPE b", 0, "a b\n")
    expect_run("X=1 Y=2; echo $X$Y", 0, "12\n")
    expect_run("echo $FROMENV", 0, "outside\n", env=environment(FROMENV="outside"))
    expect_run("echo $ ${ ${1x}", 0, "$ ${ ${1x}\n")
    expect_run("echo $$ | wc -w", 0, "      1\n")


@suite.test
def export_and_child_environment():
    expect_run("export Y=2; sh -c 'echo $Y'", 0, "2\n")
    expect_run("Z=3; sh -c 'echo $Z'", 0, "3\n")  # every variable is exported
    expect_run("X=only sh -c 'echo $X'; echo \"[$X]\"", 0, "only\n[]\n")
    expect_run("export 1A=2", 1, "", "not a valid name")
    expect_run("W=1; unset W; echo \"[$W]\"", 0, "[]\n")


@suite.test
def positional_parameters():
    expect_run_args = sh(["-c", "echo $0 $1 $2 $#", "name", "one", "two"])
    suite.expect_eq(expect_run_args[1], "name one two 2\n", "sh -c with arguments")


# --- cd, scripts, stdin -------------------------------------------------------

@suite.test
def cd():
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "sub"))
        open(os.path.join(tmp, "sub", "inside"), "w").close()
        expect_run("cd sub && ls", 0, "inside\n", cwd=tmp)
        expect_run("cd sub; cd ..; ls", 0, "sub\n", cwd=tmp)
        expect_run("cd /nonexistent; echo $?", 0, "1\n", "cd: /nonexistent:", cwd=tmp)
        expect_run("cd sub; echo $PWD", 0, os.path.realpath(tmp) + "/sub\n", cwd=tmp)
        expect_run("echo $PWD; cd sub; pwd", 0,
                   f"{os.path.realpath(tmp)}\n{os.path.realpath(tmp)}/sub\n", cwd=tmp)
        expect_run("pwd | cat", 0, "", "pwd: not supported in a pipeline", cwd=tmp)
        expect_run("cd; ls -a / | grep -c '^\\.$'", 0, "1\n", cwd=tmp)
        expect_run("cd a b", 2, "", "too many arguments", cwd=tmp)


@suite.test
def scripts():
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "s.sh")
        with open(script, "w") as f:
            f.write("# a script\necho $1 $#\nX=in\n\necho $X |\n  cat\necho 'two\nlines'\nexit 5\n"
                    "echo never\n")
        status, out, err = sh([script, "arg"])
        suite.expect_eq((status, out, err), (5, "arg 1\nin\ntwo\nlines\n", ""), "script")
        status, out, err = sh([os.path.join(tmp, "missing")])
        suite.expect_eq(status, 127, "status of a missing script")
        expect_in("missing", err, "message")


@suite.test
def script_stops_at_syntax_error():
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "s.sh")
        with open(script, "w") as f:
            f.write("echo before\necho a | | b\necho after\n")
        status, out, err = sh([script])
        suite.expect_eq((status, out), (2, "before\n"), "script with a syntax error")
        expect_in("syntax error near '|'", err, "message")


@suite.test
def commands_from_stdin():
    status, out, err = sh([], stdin="echo one\nX=2\necho $X\nfalse\n")
    suite.expect_eq((status, out, err), (1, "one\n2\n", ""), "stdin")
    # the shell reads stdin a byte at a time: cat gets the rest
    status, out, err = sh([], stdin="cat\necho not run by the shell\n")
    suite.expect_eq(out, "echo not run by the shell\n", "stdin shared with a child")
    suite.expect_eq(sh([], stdin="echo 'open\n")[0], 2, "unterminated quote at the end")


@suite.test
def usage_errors():
    suite.expect_eq(sh(["-c"])[0], 2, "sh -c without commands")
    suite.expect_eq(sh(["-x"])[0], 2, "unknown option")


# --- syntax errors ------------------------------------------------------------

@suite.test
def syntax_errors():
    for bad, near in (("| a", "|"), ("a ||", "end of input"), ("a | | b", "|"),
                      ("; a", ";"), ("a ;; b", ";"), ("&& a", "&&"), ("a > ", "end of input"),
                      ("& a", "&"), ("a & & b", "&"), ("a &;", ";"),
                      ("echo 'open", "end of input"), ("echo \"open", "end of input"),
                      ("echo a\\", "end of input"), ("< ", "end of input")):
        status, out, err = c(bad)
        suite.expect_eq((status, out), (2, ""), f"status of {bad!r}")
        expect_in("syntax error", err, f"message for {bad!r}")
        if near != "end of input":
            expect_in(f"near '{near}'", err, f"message for {bad!r}")
    expect_run("echo a && echo b &", 2, "", "only a pipeline can run in the background")
    expect_run("echo a; false || echo b & echo c", 2, "", "only a pipeline")


# --- background jobs ----------------------------------------------------------

@suite.test
def background_job_runs_without_waiting():
    start = time.monotonic()
    status, out, err = c("sleep 2 > /dev/null 2>&1 & echo started $!")
    took = time.monotonic() - start
    suite.expect_eq((status, err), (0, ""), "status and stderr (no [PID]: not interactive)")
    words = out.split()
    if words[:1] != ["started"] or len(words) != 2 or not words[1].isdigit():
        raise suite.Failure(f"output {out!r}")
    if took > 1.5:
        raise suite.Failure(f"the shell waited for the job: {took:.1f} s")
    os.kill(int(words[1]), signal.SIGTERM)


@suite.test
def background_and_foreground_both_run():
    status, out, err = c("echo a & echo b; wait")
    suite.expect_eq((status, sorted(out.splitlines()), err), (0, ["a", "b"], ""), "a & b")
    expect_run("echo x | cat & wait; echo after", 0, "x\nafter\n")
    status, out, err = c("echo one & echo two & wait; echo end")
    suite.expect_eq((sorted(out.splitlines()[:2]), out.splitlines()[2:]),
                    (["one", "two"], ["end"]), "two jobs, then wait")


@suite.test
def background_pid_and_wait_status():
    with tempfile.TemporaryDirectory() as tmp:
        status, out, err = c("sh -c 'echo $$ > pid; exit 3' & wait $!; echo $? $!; cat pid",
                             cwd=tmp)
        lines = out.splitlines()
        if len(lines) != 2 or lines[0].split()[0] != "3" or lines[0].split()[1] != lines[1]:
            raise suite.Failure(f"$! and the job's own pid: {out!r} {err!r}")
    expect_run("false & wait $!; echo $?", 0, "1\n")
    expect_run("sh -c 'kill $$' & wait $!; echo $?", 0, "143\n")
    expect_run("sleep 5 & kill $!; wait $!; echo $?", 0, "143\n")  # the builtin kill
    expect_run("kill -s NOPE 1; echo $?", 0, "2\n", "unknown signal NOPE")
    expect_run("true & wait; echo $?", 0, "0\n")  # wait for all: status 0
    expect_run("wait; echo $?", 0, "0\n")  # no jobs
    expect_run("echo \"[$!]\"", 0, "[]\n")  # no job yet
    expect_run("wait 99999999; echo $?", 0, "127\n", "no such job")
    expect_run("wait x; echo $?", 0, "2\n", "not a pid")


@suite.test
def background_stdin_is_null():
    # the shell's stdin has data: the job reads end of file, not the data
    status, out, err = sh([], stdin="wc -c & wait\necho after\n")
    suite.expect_eq((status, out, err), (0, "      0\nafter\n", ""), "a job's stdin")
    with tempfile.TemporaryDirectory() as tmp:
        expect_run("echo abc > f; wc -c < f & wait", 0, "      4\n", cwd=tmp)


@suite.test
def background_refusals():
    expect_run("cd / & echo $?", 0, "1\n", "cd: not supported in the background")
    expect_run("X=1 &", 1, "", "not supported in the background")
    expect_run("nosuchcommand & echo $?", 0, "127\n", "nosuchcommand: not found")


@suite.test
def script_jobs_outlive_it_quietly():
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "s.sh")
        with open(script, "w") as f:
            f.write("true &\nsleep 0.2\nsleep 1 > /dev/null &\necho $! > pid\n")
        status, out, err = sh([script], cwd=tmp)
        suite.expect_eq((status, out, err), (0, "", ""), "a script with jobs: no reports")
        with open(os.path.join(tmp, "pid")) as f:
            pid = int(f.read())
        os.kill(pid, 0)  # still running after the script ended
        os.kill(pid, signal.SIGTERM)


# --- signals ------------------------------------------------------------------

@suite.test
def killed_commands():
    expect_run("sh -c 'kill -INT $$'; echo $?", 0, "130\n", "Interrupt")
    # ASan would take the SIGSEGV for a crash of its own: let it kill
    no_segv_handler = environment(ASAN_OPTIONS="detect_leaks=1:handle_segv=0")
    status, out, err = c("sh -c 'kill -SEGV $$'; echo $?", env=no_segv_handler)
    suite.expect_eq(out, "139\n", "status of a crashed command")
    if "segmentation fault (pid " not in err:
        raise suite.Failure(f"crash report: {err!r}")
    expect_run("sh -c 'kill $$'; echo $?", 0, "143\n", "Terminated")
    expect_run("sh -c 'kill -9 $$'", 137, "", "Killed")


def read_until(fd, text, timeout=10.0):
    data = b""
    end = time.monotonic() + timeout
    while text.encode() not in data:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise suite.Failure(f"waiting for {text!r}, got {data!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            raise suite.Failure(f"end of output waiting for {text!r}, got {data!r}")
        data += chunk
    return data.decode(errors="replace")


@suite.test
def terminal_prompt_and_sigint():
    status, out, err = sh([], stdin="echo x\n")
    if "$ " in err:
        raise suite.Failure(f"prompt without a terminal: {err!r}")
    with tempfile.TemporaryDirectory() as tmp:
        master, slave = pty.openpty()
        proc = subprocess.Popen([os.path.join(bin_dir(), "sh")], stdin=slave, stdout=slave,
                                stderr=slave, cwd=tmp, env=environment(), start_new_session=True)
        os.close(slave)
        try:
            read_until(master, os.path.realpath(tmp) + " $ ")
            os.kill(proc.pid, signal.SIGINT)  # the shell ignores it
            os.write(master, b"echo still here\n")
            read_until(master, "still here")
            # its children do not inherit the ignored SIGINT
            os.write(master, b"sh -c 'kill -INT $$'; echo st=$?\n")
            read_until(master, "st=130")
            # a job: [PID] at once, how it ended before a later prompt
            os.write(master, b"sleep 0.2 &\n")
            got = read_until(master, "]")
            pid = got[got.rindex("[") + 1:got.rindex("]")]
            if not pid.isdigit():
                raise suite.Failure(f"no [PID] for a job: {got!r}")
            os.write(master, b"sleep 0.5; echo slept\n")
            read_until(master, f"slept\r\n[{pid}] done\r\n")
            os.write(master, b"sh -c 'exit 5' &\n")
            read_until(master, "]")
            os.write(master, b"sleep 0.3\n")
            read_until(master, "] exit 5")
            os.write(master, b"sh -c 'kill -9 $$' &\n")
            read_until(master, "]")
            os.write(master, b"sleep 0.3; jobs\n")
            read_until(master, "] killed by signal 9")
            os.write(master, b"sleep 5 > /dev/null & jobs\n")
            got = read_until(master, "] running")
            os.write(master, b"exit 3\n")
            proc.wait(timeout=10)
            suite.expect_eq(proc.returncode, 3, "status of the interactive shell")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)


# --- robustness ----------------------------------------------------------------

FUZZ_PIECES = ["echo", "true", "false", "cat", "wc", "x", "a b", "|", "||", "&&", ";", "&",
               "<", ">", ">>", "2>&1", "3>", ">&", "<&", "'", "\"", "\\", "$", "$?", "${", "}",
               "$X", "${X}", "X=1", "#", "\n", " ", "\t", "exit", "export", "=", "-", "9",
               "out", "$$", "'q'", "\"d $X\"", "1>&2", ">&-", "*", "(", ")", "unset"]


def random_line(rng):
    if rng.random() < 0.1:
        return "".join(chr(rng.randrange(1, 256)) for _ in range(rng.randrange(1, 40)))
    pieces = [rng.choice(FUZZ_PIECES) for _ in range(rng.randrange(1, 12))]
    sep = "" if rng.random() < 0.3 else " "
    return sep.join(pieces)


@suite.test
def fuzz_malformed_lines():
    """Random and malformed lines, as scripts and with -c: the shell may
    report errors but never crashes and stays sanitizer-clean."""
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        env = environment()
        for batch in range(12):
            script = os.path.join(tmp, f"fuzz{batch}.sh")
            with open(script, "w", encoding="latin-1") as f:
                for _ in range(150):
                    f.write(random_line(rng).replace("exit", "echo") + "\n")
                f.write(random_line(rng))  # a last line without its newline
            proc = subprocess.run([os.path.join(bin_dir(), "sh"), script], cwd=tmp, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
            err = proc.stderr.decode(errors="replace")
            check_sanitizers(err, f"fuzz batch {batch}")
            if not 0 <= proc.returncode <= 255:
                raise suite.Failure(f"fuzz batch {batch}: status {proc.returncode}")
        for _ in range(250):
            line = random_line(rng)
            proc = subprocess.run([os.path.join(bin_dir(), "sh"), "-c", line.replace("\0", "")],
                                  cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=60)
            check_sanitizers(proc.stderr.decode(errors="replace"), f"sh -c {line!r}")
            if not 0 <= proc.returncode <= 255:
                raise suite.Failure(f"sh -c {line!r}: status {proc.returncode}")


def main(argv):
    global BUILD
    BUILD = suite.positional(argv, BUILD)
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
