#!/usr/bin/env python3
"""elfaddr.py ELF EXPRESSION: the address of a static variable's member in
a component's ELF, e.g. `timer.client[0].timeouts.count`, from its symbol
(llvm-nm) and its type's debug information (llvm-dwarfdump): what a test
needs to flip one chosen bit of a component's data by hand (`service flip`,
docs/reliability.md). Prints the address in hex and the member's size."""

import re
import subprocess
import sys

DIE = re.compile(r"^(0x[0-9a-f]+):( +)(DW_TAG_\w+)")
ATTRIBUTE = re.compile(r"^\s+(DW_AT_\w+)\s+\((.*)\)$")
STEP = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]")


def read_dies(elf):
    """Every DIE: offset -> (tag, attributes, child offsets). The nesting
    comes from the indentation llvm-dwarfdump gives each level."""
    text = subprocess.run(["llvm-dwarfdump", "--debug-info", elf], capture_output=True,
                          text=True, check=True).stdout
    dies, stack = {}, []  # stack: (indent, offset) of the open parents
    current = None
    for line in text.splitlines():
        m = DIE.match(line)
        if m:
            indent = len(m.group(2))
            offset = int(m.group(1), 16)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if stack:
                dies[stack[-1][1]][2].append(offset)
            dies[offset] = (m.group(3), {}, [])
            stack.append((indent, offset))
            current = offset
            continue
        a = ATTRIBUTE.match(line)
        if a and current is not None:
            dies[current][1][a.group(1)] = a.group(2)
    return dies


def type_of(die):
    """The offset of a DIE's DW_AT_type."""
    return int(die[1]["DW_AT_type"].split()[0], 16)


def number(value):
    return int(value.split()[0], 0)


def strip_typedefs(dies, offset):
    while dies[offset][0] in ("DW_TAG_typedef", "DW_TAG_volatile_type", "DW_TAG_const_type"):
        offset = type_of(dies[offset])
    return offset


def size_of(dies, offset):
    offset = strip_typedefs(dies, offset)
    tag, attrs, children = dies[offset]
    if tag == "DW_TAG_array_type":
        count = 1
        for c in children:
            count *= number(dies[c][1].get("DW_AT_count", "1"))
        return count * size_of(dies, type_of(dies[offset]))
    return number(attrs["DW_AT_byte_size"])


def member(dies, offset, name):
    """(offset within, type) of member `name` of the struct at `offset`."""
    for c in dies[strip_typedefs(dies, offset)][2]:
        tag, attrs, _ = dies[c]
        if tag == "DW_TAG_member" and attrs.get("DW_AT_name") == f'"{name}"':
            return number(attrs.get("DW_AT_data_member_location", "0")), type_of(dies[c])
    raise SystemExit(f"elfaddr: no member {name}")


def variable(dies, name):
    for tag, attrs, _ in dies.values():
        if tag == "DW_TAG_variable" and attrs.get("DW_AT_name") == f'"{name}"':
            return type_of((tag, attrs, None))
    raise SystemExit(f"elfaddr: no variable {name}")


def symbol(elf, name):
    out = subprocess.run(["llvm-nm", elf], capture_output=True, text=True, check=True).stdout
    found = [int(f[0], 16) for f in (line.split() for line in out.splitlines())
             if len(f) == 3 and f[2] == name]
    if len(found) != 1:
        raise SystemExit(f"elfaddr: {len(found)} symbols named {name}")
    return found[0]


def address(elf, expression):
    """(address, size) of `expression`: a variable, then .member and
    [index] steps."""
    head, _, rest = expression.partition(".")
    head, bracket, tail = head.partition("[")
    rest = (bracket + tail + ("." + rest if rest else "")) if bracket else rest
    dies = read_dies(elf)
    where, offset = symbol(elf, head), variable(dies, head)
    for m in STEP.finditer(rest):
        if m.group(1):
            within, offset = member(dies, offset, m.group(1))
            where += within
        else:
            array = strip_typedefs(dies, offset)
            offset = type_of(dies[array])
            where += int(m.group(2)) * size_of(dies, offset)
    return where, size_of(dies, offset)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    where, size = address(argv[0], argv[1])
    print(f"0x{where:x} {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
