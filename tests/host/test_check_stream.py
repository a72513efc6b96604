#!/usr/bin/env python3
"""Tests of tests/os/console/check_stream.py, the host's check of the
console test's printed stream: rs's and the driver's lines taken out
wherever they start, and every line lost, doubled, cut or grown
refused. Speaks the result-line protocol; `test=NAME` runs one test."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "os", "console"))
import check_stream  # noqa: E402
import suite  # noqa: E402

RESTART = "rs: uart restarted (killed), restart 3\nuart: PL011 receive interrupt on\n"


def stream(count=5, restarts=2):
    lines = [f"cs {n:06d} {check_stream.PAYLOAD}\n" for n in range(count)]
    return (f"constream print {restarts}\n" + "".join(lines) +
            f"constream: {count} lines printed across {restarts} restarts of the uart\n")


def expect_verdict(text, fragment):
    got = check_stream.first_difference(text)
    if fragment is None and got is not None:
        raise suite.Failure(f"refused: {got}")
    if fragment is not None and (got is None or fragment not in got):
        raise suite.Failure(f"got {got!r}, want something with {fragment!r}")


@suite.test
def a_whole_stream_passes():
    expect_verdict(stream(), None)


@suite.test
def restart_lines_anywhere_are_taken_out():
    text = stream()
    for at in (text.index("cs 000000") + 5, text.index("cs 000003"), len(text) - 3):
        expect_verdict(text[:at] + RESTART + text[at:], None)


@suite.test
def a_lost_byte_fails():
    text = stream()
    at = text.index("cs 000002") + 12
    expect_verdict(text[:at] + text[at + 1:], "line 3 of the stream")


@suite.test
def a_doubled_byte_fails():
    text = stream()
    at = text.index("cs 000002") + 12
    expect_verdict(text[:at] + text[at] + text[at:], "line 3 of the stream")


@suite.test
def a_lost_line_fails():
    expect_verdict(stream().replace(f"cs 000001 {check_stream.PAYLOAD}\n", ""),
                   "line 2 of the stream")


@suite.test
def a_doubled_line_fails():
    line = f"cs 000001 {check_stream.PAYLOAD}\n"
    expect_verdict(stream().replace(line, line + line), "line 3 of the stream")


@suite.test
def a_line_count_that_disagrees_fails():
    expect_verdict(stream().replace("5 lines printed", "6 lines printed"), "printed 6 lines")


@suite.test
def other_text_fails():
    expect_verdict(stream().replace("constream print 2", "echo"), "not from")
    expect_verdict(stream() + "extra", "does not end with a newline")
    expect_verdict(stream().replace("uart\n", "uart\npm: something\n"), "not from")


def main(argv):
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
