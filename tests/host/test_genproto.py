#!/usr/bin/env python3
"""Tests of tools/genproto.py: the files generated from
tests/host/data/genproto/example.proto against golden copies (*.golden),
the real descriptions in proto/ generate, and every malformed description
is rejected with FILE:LINE and nothing written. Speaks the result-line
protocol (TEST PASS/FAIL <name>, TEST DONE); `test=NAME` runs one test.

After a deliberate change to the generator, refresh the golden files with
  python3 tests/host/test_genproto.py --update
and review the difference."""

import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import genproto  # noqa: E402
import suite  # noqa: E402

DATA = os.path.join("tests", "host", "data", "genproto")
EXAMPLE = os.path.join(DATA, "example.proto")
GOLDEN = {
    ("include", "keel/proto/example_defs.h"): "example_defs.h.golden",
    ("include", "keel/proto/example.h"): "example.h.golden",
    ("include", "keel/proto/example_server.h"): "example_server.h.golden",
    ("src", "example_server.c"): "example_server.c.golden",
}


def generate_example():
    with open(os.path.join(ROOT, EXAMPLE)) as f:
        return genproto.generate(genproto.parse(EXAMPLE, f.read()))


def first_difference(a, b):
    for n, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), 1):
        if x != y:
            return f"line {n}: got {x!r}, want {y!r}"
    return f"lengths differ: {len(a.splitlines())} vs {len(b.splitlines())} lines"


@suite.test
def golden_example_outputs():
    outputs = generate_example()
    if set(outputs) != set(GOLDEN):
        raise suite.Failure(f"generated {sorted(outputs)}, want {sorted(GOLDEN)}")
    for key, golden in GOLDEN.items():
        with open(os.path.join(ROOT, DATA, golden)) as f:
            want = f.read()
        if outputs[key] != want:
            raise suite.Failure(f"{key[1]} differs from {golden}: {first_difference(outputs[key], want)}")


@suite.test
def example_layout():
    with open(os.path.join(ROOT, EXAMPLE)) as f:
        proto = genproto.parse(EXAMPLE, f.read())
    methods = {m.name: m for m in proto.methods}
    expect = {  # name: (number, request words, reply words, privileged)
        "ping": (1, 0, 1, False),
        "scalars": (2, 5, 3, False),
        "names": (3, 4, 6, False),
        "buffers": (10, 8, 1, False),
        "secret": (11, 1, 1, True),
        "later": (0xFFF0, 1, 2, False),
    }
    for name, (number, request, reply, privileged) in expect.items():
        m = methods[name]
        got = (m.number, m.request_words(), m.reply_words(), m.privileged)
        if got != (number, request, reply, privileged):
            raise suite.Failure(f"{name}: (number, request, reply, privileged) = {got}, "
                          f"want {(number, request, reply, privileged)}")
    mrs = [(p.name, p.mr) for p in methods["buffers"].params]
    if mrs != [("path", 0), ("src", 2), ("dst", 4), ("both", 6)]:
        raise suite.Failure(f"buffers' message registers: {mrs}")
    outs = [(o.name, o.mr) for o in methods["names"].outs]
    if outs != [("greeting", 1), ("length", 5)]:
        raise suite.Failure(f"names' reply registers: {outs}")


@suite.test
def doc_comments_and_continuations():
    outputs = generate_example()
    header = outputs[("include", "keel/proto/example.h")]
    if "/* Names in and out. */\nstatic inline long example_names(" not in header:
        raise suite.Failure("the comment above a method is not its stub's doc comment")
    if "uint64_t *echo)" not in header:
        raise suite.Failure("the results on the line after `)` were lost")


@suite.test
def real_protocols_generate():
    paths = sorted(glob.glob(os.path.join(ROOT, "proto", "*.proto")))
    names = set()
    for path in paths:
        with open(path) as f:
            proto = genproto.parse(os.path.relpath(path, ROOT), f.read())
        names.add(proto.name)
        genproto.generate(proto)
    if not {"pm", "vfs", "rs"} <= names:
        raise suite.Failure(f"proto/ describes {sorted(names)}")


def run_cli(files, *extra):
    """Run the tool on description texts {name: text} in a temporary
    directory; (process, files written)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, text in files.items():
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            paths.append(path)
        out_inc, out_src = os.path.join(tmp, "inc"), os.path.join(tmp, "src")
        proc = subprocess.run(
            [sys.executable, os.path.join(ROOT, "tools", "genproto.py"), *paths,
             "--include", out_inc, "--src", out_src, *extra],
            capture_output=True, text=True)
        written = [os.path.relpath(os.path.join(d, f), tmp)
                   for base in (out_inc, out_src) for d, _, fs in os.walk(base) for f in fs]
        return proc, written


@suite.test
def cli_writes_every_file_and_leaves_unchanged_ones():
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, os.path.join(ROOT, "tools", "genproto.py"),
                os.path.join(ROOT, EXAMPLE), "--include", tmp, "--src", tmp]
        subprocess.run(args, check=True)
        header = os.path.join(tmp, "keel", "proto", "example.h")
        os.utime(header, (1, 1))
        subprocess.run(args, check=True)
        if os.stat(header).st_mtime != 1:
            raise suite.Failure("an unchanged header was rewritten")
        if not os.path.exists(os.path.join(tmp, "example_server.c")):
            raise suite.Failure("no example_server.c")


GOOD = "protocol t\nmethod a = 1 ()\n"

# (description, line, words the message must contain)
REJECTED = [
    ("method a = 1 ()\n", 1, "must start with `protocol NAME`"),
    ("# nothing\n", 1, "no `protocol NAME`"),
    ("protocol t\n", 1, "has no methods"),
    ("protocol t\nprotocol u\nmethod a = 1 ()\n", 2, "a second `protocol`"),
    ("protocol T\nmethod a = 1 ()\n", 1, "lower-case"),
    ("protocol t x\nmethod a = 1 ()\n", 1, "expected `protocol NAME`"),
    ("protocol t\nfrobnicate\n", 2, "unknown statement `frobnicate`"),
    ("protocol t\nconst x = 1\n" + "method a = 1 ()\n", 2, "upper case"),
    ("protocol t\nconst X = 1\nconst X = 2\nmethod a = 1 ()\n", 3, "defined twice"),
    ("protocol t\nconst X = Y\nmethod a = 1 ()\n", 2, "unknown constant `Y`"),
    ("protocol t\nconst X = 010\nmethod a = 1 ()\n", 2, "octal"),
    ("protocol t\nconst X\nmethod a = 1 ()\n", 2, "expected `const NAME = VALUE`"),
    ("protocol t\nmethod a = 0 ()\n", 2, "outside 1..65535"),
    ("protocol t\nmethod a = 65536 ()\n", 2, "outside 1..65535"),
    ("protocol t\nmethod a = 1 ()\nmethod a = 2 ()\n", 3, "defined twice"),
    ("protocol t\nmethod a = 1 ()\nmethod b = 1 ()\n", 3, "already taken by a"),
    ("protocol t\nmethod A = 1 ()\n", 2, "lower case"),
    ("protocol t\nmethod int = 1 ()\n", 2, "reserved word"),
    ("protocol t\nmethod a = 1 () fast\n", 2, "unknown attribute `fast`"),
    ("protocol t\nmethod a = 1 () privileged privileged\n", 2, "given twice"),
    ("protocol t\nmethod a = 1\n", 2, "expected `method NAME"),
    ("protocol t\nmethod a = 1 (x i64)\n", 2, "expected `NAME: TYPE`"),
    ("protocol t\nmethod a = 1 (x: float)\n", 2, "unknown type `float`"),
    ("protocol t\nmethod a = 1 (x: i64, x: u64)\n", 2, "`x` named twice"),
    ("protocol t\nmethod a = 1 (x: i64) -> (x: u64)\n", 2, "`x` named twice"),
    ("protocol t\nmethod a = 1 (badge: i64)\n", 2, "reserved word"),
    ("protocol t\nmethod a = 1 (x: u64 -1..5)\n", 2, "does not fit a u64"),
    ("protocol t\nmethod a = 1 (x: i64 0..0x8000000000000000)\n", 2, "does not fit a i64"),
    ("protocol t\nmethod a = 1 (x: i64 5..1)\n", 2, "empty range"),
    ("protocol t\nmethod a = 1 (x: i64 5)\n", 2, "expected a range"),
    ("protocol t\nmethod a = 1 (x: u64 mask)\n", 2, "expected `u64 mask VALUE`"),
    ("protocol t\nmethod a = 1 (x: i64 mask 3)\n", 2, "expected a range"),
    ("protocol t\nmethod a = 1 (x: name 1..4)\n", 2, "takes no range"),
    ("protocol t\nmethod a = 1 (x: str -1..4)\n", 2, "cannot be negative"),
    ("protocol t\nmethod a = 1 (x: str 1..4097)\n", 2, "above 4096"),
    ("protocol t\nmethod a = 1 (x: in 0..0x40000001)\n", 2, "above 1073741824"),
    ("protocol t\nmethod a = 1 (x: in)\n", 2, "expected a range"),
    ("protocol t\nmethod a = 1 () -> (x: str)\n", 2, "must be i64, u64 or name"),
    ("protocol t\nmethod a = 1 () -> (x: u64 0..3)\n", 2, "must be i64, u64 or name"),
    ("protocol t\nmethod a = 1 ("
     + ", ".join(f"n{i}: name" for i in range(31)) + ")\n", 2, "request of 124 words above 120"),
    ("protocol t\nmethod a = 1 () -> ("
     + ", ".join(f"n{i}: name" for i in range(30)) + ")\n", 2, "reply of 121 words above 120"),
    # A statement's line is the line it starts on, also when it continues.
    ("protocol t\nmethod a = 1 (x: i64,\n    y: wat)\n", 2, "unknown type `wat`"),
]


@suite.test
def rejected_descriptions():
    for text, line, words in REJECTED:
        try:
            genproto.parse("t.proto", text)
        except genproto.ProtoError as e:
            message = str(e)
            if not message.startswith(f"t.proto:{line}: ") or words not in message:
                raise suite.Failure(f"{text!r}: message {message!r}, want line {line} and {words!r}")
            continue
        raise suite.Failure(f"accepted {text!r}")


@suite.test
def cli_rejection_writes_nothing():
    proc, written = run_cli({"good.proto": GOOD, "bad.proto": "protocol u\nmethod b = 1 (x: y)\n"})
    if proc.returncode == 0 or written:
        raise suite.Failure(f"exit {proc.returncode}, wrote {written}")
    if "bad.proto:2: " not in proc.stderr:
        raise suite.Failure(f"message without FILE:LINE: {proc.stderr!r}")


@suite.test
def cli_rejects_a_protocol_described_twice():
    proc, written = run_cli({"a.proto": GOOD, "b.proto": GOOD})
    if proc.returncode == 0 or written or "also described in" not in proc.stderr:
        raise suite.Failure(f"exit {proc.returncode}, wrote {written}, said {proc.stderr!r}")


@suite.test
def cli_accepts_a_good_description():
    proc, written = run_cli({"t.proto": GOOD})
    if proc.returncode != 0 or len(written) != 4:
        raise suite.Failure(f"exit {proc.returncode} ({proc.stderr!r}), wrote {written}")


def update_golden():
    outputs = generate_example()
    for key, golden in GOLDEN.items():
        with open(os.path.join(ROOT, DATA, golden), "w") as f:
            f.write(outputs[key])


def main(argv):
    os.chdir(ROOT)
    if "--update" in argv:
        update_golden()
        return 0
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
