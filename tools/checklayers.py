#!/usr/bin/env python3
"""Check the kernel's layering rules on #include lines (docs/design.md).

The architecture-independent kernel -- kernel/core, kernel/object,
kernel/api and the generic headers under kernel/include -- reaches the
architecture and the board through one header, <arch/arch.h>:

  - no file of it includes another arch header (<arch/...> other than
    <arch/arch.h>) or any board header (<plat/...>);
  - api/ is the top layer: no file of kernel/core or kernel/object and no
    generic header outside kernel/include/api/ includes an api header
    (<api/...>).

Each violation is printed as FILE:LINE: message; the exit status is 1 if
there is any. --root DIR checks another tree; --self-test builds small
trees that break each rule (and one that keeps them) and checks that
exactly the broken ones are rejected.
"""

import argparse
import os
import re
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The layers, by path prefix; every file under them is checked.
CORE_DIRS = ["kernel/core", "kernel/object"]
API_DIRS = ["kernel/api", "kernel/include/api"]
GENERIC_HEADERS = "kernel/include"
SOURCE_SUFFIXES = (".c", ".h")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
ARCH_INTERFACE = "arch/arch.h"


def layer_of(path):
    """'api' or 'core' for a file the rules cover, else None."""
    for d in API_DIRS:
        if path.startswith(d + "/"):
            return "api"
    if any(path.startswith(d + "/") for d in CORE_DIRS) or path.startswith(GENERIC_HEADERS + "/"):
        return "core"
    return None


def normalise(name):
    """The include path with ./ and x/../ taken out."""
    return os.path.normpath(name).replace(os.sep, "/")


def violation(layer, name):
    """Why including `name` breaks the rules of `layer`, or None."""
    name = normalise(name)
    if name.startswith("plat/"):
        return "includes <%s>: board headers are reached through <%s> only" % (name, ARCH_INTERFACE)
    if name.startswith("arch/") and name != ARCH_INTERFACE:
        return "includes <%s>: the architecture is reached through <%s> only" % (name, ARCH_INTERFACE)
    if layer == "core" and name.startswith("api/"):
        return "includes <%s>: api/ is the top layer, nothing below it includes its headers" % name
    return None


def check_file(root, path, layer):
    problems = []
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m is None:
                continue
            why = violation(layer, m.group(2))
            if why is not None:
                problems.append("%s:%d: %s" % (path, number, why))
    return problems


def covered_files(root):
    for top in ["kernel/core", "kernel/object", "kernel/api", "kernel/include"]:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if name.endswith(SOURCE_SUFFIXES):
                    yield os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")


def check_tree(root):
    problems = []
    count = 0
    for path in sorted(covered_files(root)):
        layer = layer_of(path)
        if layer is None:
            continue
        count += 1
        problems += check_file(root, path, layer)
    return problems, count


# self-test: small trees, each breaking one rule (or none)

GOOD_TREE = {
    "kernel/core/a.c": "#include <arch/arch.h>\n#include <cap.h>\n",
    "kernel/object/b.c": "#include <arch/arch.h>\n#include <object/tcb.h>\n",
    "kernel/api/c.c": "#include <api/syscall.h>\n#include <arch/arch.h>\n",
    "kernel/include/cap.h": "#pragma once\n#include <types.h>\n",
    "kernel/include/api/syscall.h": "#pragma once\n#include <invocation.h>\n",
    # The architecture's own code may include what it likes.
    "kernel/arch/x/vspace.c": "#include <arch/vspace.h>\n#include <plat/irq.h>\n",
}

# name: (file, text, the line that must be reported)
BAD_TREES = {
    "core includes an arch header": ("kernel/core/a.c", "#include <arch/vspace.h>\n", 1),
    "object includes a board header": ("kernel/object/b.c", "\n#include <plat/irq.h>\n", 2),
    "api includes a board header": ("kernel/api/c.c", '#include "plat/uart.h"\n', 1),
    "generic header includes an arch header": ("kernel/include/cap.h",
                                               "#pragma once\n#include <arch/machine.h>\n", 2),
    "core includes an api header": ("kernel/core/a.c", "#include <api/syscall.h>\n", 1),
    "generic header includes an api header": ("kernel/include/cdt.h",
                                              "#pragma once\n  #  include <api/fastpath.h>\n", 2),
    "arch path in disguise": ("kernel/core/a.c", "#include <arch/../arch/context.h>\n", 1),
    "nested core directory": ("kernel/object/sub/d.c", "#include <arch/fpu.h>\n", 1),
}


def write_tree(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)


def self_test():
    failures = 0
    with tempfile.TemporaryDirectory() as root:
        write_tree(root, GOOD_TREE)
        problems, _ = check_tree(root)
        status = "ok" if not problems else "FAIL (%s)" % "; ".join(problems)
        failures += bool(problems)
        print("self-test: %-42s %s" % ("a tree that keeps the rules", status))
    for name, (path, text, line) in sorted(BAD_TREES.items()):
        with tempfile.TemporaryDirectory() as root:
            write_tree(root, dict(GOOD_TREE, **{path: text}))
            problems, _ = check_tree(root)
            wanted = "%s:%d:" % (path, line)
            caught = len(problems) == 1 and problems[0].startswith(wanted)
            failures += not caught
            print("self-test: %-42s %s" % (name, "caught" if caught else
                                            "NOT CAUGHT (%s)" % ("; ".join(problems) or "nothing")))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=REPO, help="the tree to check (default: this one)")
    parser.add_argument("--self-test", action="store_true",
                        help="check that trees breaking each rule are rejected")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    problems, count = check_tree(args.root)
    for p in problems:
        print(p)
    if problems:
        print("layers: %d violation(s) in %d files" % (len(problems), count))
        return 1
    print("layers: %d files keep the layering rules" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
