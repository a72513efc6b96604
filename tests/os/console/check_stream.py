#!/usr/bin/env python3
"""The host's check of `constream print K` (tests/os/console/console.script,
a `check` step of tools/runtests.py): on stdin the serial output from the
echo of the command to constream's last line; exit 0 when every numbered
line constream printed is there exactly once, in order, and nothing else
is, else 1 with the first difference.

rs and the uart driver print on the kernel's debug console, into the same
serial stream: "rs: ..." when it restarts the uart or the restarter,
"uart: ..." when a new instance starts. Each such line is printed whole,
at a higher priority than anything that could come between its bytes, but
it can start anywhere -- in the middle of one of constream's lines, whose
rest follows it. So they are removed wherever they start, up to and
including their newline; constream's lines never hold ": ", so no part of
them can be taken for one. What is left must be exactly constream's own
output. (The runner drops every carriage return before this sees the
text: a lost or doubled "\\r" would pass unseen.)"""

import re
import sys

PAYLOAD = "abcdefghijklmnopqrstuvwxyz0123456789"  # constream.c's
NOISE = re.compile(r"(?:rs|uart): [^\n]*\n")
COMMAND = re.compile(r"constream print (\d+)$")
LAST = re.compile(r"constream: (\d+) lines printed across (\d+) restarts of the uart$")


def first_difference(text):
    """None if `text` is exactly constream's output, else what is wrong."""
    lines = NOISE.sub("", text).split("\n")
    if lines[-1] != "":
        return "the text does not end with a newline"
    lines.pop()
    command = COMMAND.search(lines[0]) if lines else None
    last = LAST.fullmatch(lines[-1]) if len(lines) > 1 else None
    if command is None or last is None:
        return "not from `constream print K` to its last line"
    body = lines[1:-1]
    for number, line in enumerate(body):
        want = f"cs {number:06d} {PAYLOAD}"
        if line != want:
            return f"line {number + 1} of the stream is {line!r}, not {want!r}"
    if int(last.group(1)) != len(body):
        return f"constream printed {last.group(1)} lines, the output holds {len(body)}"
    if last.group(2) != command.group(1):
        return f"{last.group(2)} restarts, not the {command.group(1)} asked"
    return None


def main():
    problem = first_difference(sys.stdin.read())
    if problem is not None:
        print(problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
