#!/usr/bin/env python3
"""Tests of tools/osprofile.py without QEMU: its ELF reader on files built
here (code words, function symbols, assembly labels, the local functions of
one source file), and its attribution of a QEMU `-d in_asm,exec,nochain`
log written here: kernel blocks by symbol, user blocks by the ELF whose
bytes match (two programs at one address), shared code by the program
that ran last, the benchmark phase by osbench.c's functions. Speaks the
result-line protocol; `test=NAME` runs one test."""

import io
import os
import struct
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import osprofile  # noqa: E402
import suite  # noqa: E402

from suite import expect_eq  # noqa: E402

STT_NOTYPE, STT_FUNC, STT_FILE = 0, 2, 4
LOCAL, GLOBAL = 0, 1
KERNEL_VA = 0xFFFF000040206000


def make_elf(vaddr, words, symbols):
    """An ELF64 file with one loadable segment of `words` at `vaddr` and a
    symbol table; symbols: (name, value, size, type, bind)."""
    code = b"".join(struct.pack("<I", w) for w in words)
    strtab, names = b"\0", []
    for name, *_ in symbols:
        names.append(len(strtab))
        strtab += name.encode() + b"\0"
    symtab = bytes(24) + b"".join(
        struct.pack("<IBBHQQ", at, (bind << 4) | kind, 0, 0 if kind == STT_FILE else 1,
                    value, size)
        for at, (_, value, size, kind, bind) in zip(names, symbols))
    code_at = 0x1000
    symtab_at = code_at + len(code)
    strtab_at = symtab_at + len(symtab)
    shoff = strtab_at + len(strtab)
    shoff += (-shoff) % 8
    header = bytearray(64)
    header[:16] = b"\x7fELF\x02\x01\x01" + bytes(9)
    struct.pack_into("<HHIQQQIHHHHHH", header, 16, 2, 183, 1, vaddr, 64, shoff, 0, 64, 56, 1,
                     64, 4, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, code_at, vaddr, vaddr, len(code), len(code), 0x1000)
    sections = [bytes(64),
                struct.pack("<IIQQQQIIQQ", 0, 1, 6, vaddr, code_at, len(code), 0, 0, 4, 0),
                struct.pack("<IIQQQQIIQQ", 0, 2, 0, 0, symtab_at, len(symtab), 3, 1, 8, 24),
                struct.pack("<IIQQQQIIQQ", 0, 3, 0, 0, strtab_at, len(strtab), 0, 0, 1, 0)]
    blob = bytearray(header + phdr)
    blob += bytes(code_at - len(blob)) + code + symtab + strtab
    blob += bytes(shoff - len(blob))
    return bytes(blob + b"".join(sections))


def load(name, vaddr, words, symbols):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name + ".elf")
        with open(path, "wb") as f:
            f.write(make_elf(vaddr, words, symbols))
        return osprofile.Elf(name, path)


def kernel():
    return load("kernel", KERNEL_VA, [0xD503201F] * 8, [
        ("el0_sync", KERNEL_VA, 0, STT_NOTYPE, LOCAL),
        ("$x", KERNEL_VA + 4, 0, STT_NOTYPE, LOCAL),  # a mapping symbol: ignored
        ("fastpath_call", KERNEL_VA + 8, 16, STT_FUNC, GLOBAL)])


def osbench():
    """getpid_batch and main of osbench.c at 0x400000; a libc getpid after."""
    return load("osbench", 0x400000, [0x11111111] * 4 + [0x22222222] * 4 + [0x33333333] * 4, [
        ("osbench.c", 0, 0, STT_FILE, LOCAL),
        ("getpid_batch", 0x400000, 16, STT_FUNC, LOCAL),
        ("echo_main", 0x400010, 8, STT_FUNC, LOCAL),
        ("libc.c", 0, 0, STT_FILE, LOCAL),
        ("helper", 0x400018, 8, STT_FUNC, LOCAL),
        ("main", 0x400020, 8, STT_FUNC, GLOBAL),
        ("getpid", 0x400028, 8, STT_FUNC, GLOBAL)])


def pm():
    """Other code at osbench's addresses, and two words equal to osbench's."""
    return load("pm", 0x400000, [0x44444444] * 10 + [0x33333333] * 2, [
        ("main", 0x400000, 40, STT_FUNC, GLOBAL),
        ("memcpy", 0x400028, 8, STT_FUNC, GLOBAL)])


def block(pc, words):
    return "IN: \n" + "".join(f"0x{pc + 4 * i:08x}:  {w:08x}      nop\n"
                              for i, w in enumerate(words)) + "\n"


def trace(pointer, pc):
    return f"Trace 0: {pointer} [0000000000004000/{pc:016x}/00000121/ff020200] \n"


@suite.test
def elf_words_and_functions():
    k = kernel()
    expect_eq(k.word(KERNEL_VA + 28), 0xD503201F, "last word")
    expect_eq(k.word(KERNEL_VA + 30), None, "word past the segment")
    expect_eq(k.function(KERNEL_VA + 4), "el0_sync", "a label runs to the next symbol")
    expect_eq(k.function(KERNEL_VA + 20), "fastpath_call", "inside a function")
    expect_eq(k.function(KERNEL_VA + 24), "?", "past a sized function")
    expect_eq(k.function(KERNEL_VA - 4), "?", "before every symbol")
    o = osbench()
    expect_eq(o.file_functions.get("osbench.c"), {"getpid_batch", "echo_main"},
              "local functions of osbench.c")


@suite.test
def attribution_and_phases():
    profile = osprofile.Profile(kernel(), [osbench(), pm()])
    log = (block(KERNEL_VA + 8, [0xD503201F] * 3) + trace("0x1", KERNEL_VA + 8) +   # boot
           block(0x400000, [0x11111111] * 2) + trace("0x2", 0x400000) +            # osbench
           block(0x400028, [0x33333333] * 2) + trace("0x3", 0x400028) +            # shared
           block(0x400000, [0x44444444] * 4) + trace("0x4", 0x400000) +            # pm
           trace("0x3", 0x400028) +                                                # shared
           trace("0x1", KERNEL_VA + 8) +
           trace("0x9", 0x500000))                                                 # unknown
    osprofile.read_log(io.StringIO(log), profile)
    expect_eq(profile.counts.get("boot"), {("kernel", "fastpath_call"): 3}, "boot")
    expect_eq(profile.counts.get("getpid_batch"), {
        ("osbench", "getpid_batch"): 2,
        ("osbench", "getpid"): 2,  # shared code after osbench ran: osbench's
        ("pm", "main"): 4,
        ("pm", "memcpy"): 2,       # the same block after pm ran: pm's
        ("kernel", "fastpath_call"): 3,
        ("?", "?"): 1,             # a block whose translation was not seen
    }, "phase getpid_batch")


@suite.test
def shared_code_before_anyone_ran_is_a_guess():
    profile = osprofile.Profile(kernel(), [osbench(), pm()])
    log = block(0x400028, [0x33333333] * 2) + trace("0x3", 0x400028)
    osprofile.read_log(io.StringIO(log), profile)
    expect_eq(profile.counts, {"boot": {("osbench?", "getpid"): 2}}, "counts")
    expect_eq(profile.last_user, None, "a guess names nobody as running")


@suite.test
def description_names_the_elves():
    with tempfile.TemporaryDirectory() as d:
        for name in ("pm.elf", "osbench.elf", "exit.elf"):
            open(os.path.join(d, name), "wb").close()
        system = os.path.join(d, "x.system")
        with open(system, "w", encoding="utf-8") as f:
            f.write("# comment elf nothing.elf\ncomponent pm\n    elf       pm.elf\n"
                    "    arg       /bin/osbench\nfile bin/osbench osbench.elf\n"
                    "disk bin/osbench-exit exit.elf\n")
        expect_eq(osprofile.elves_of_system(system, [d]),
                  {"pm": os.path.join(d, "pm.elf"), "osbench": os.path.join(d, "osbench.elf"),
                   "exit": os.path.join(d, "exit.elf")},
                  "ELFs")


def main(argv):
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
