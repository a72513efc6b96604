#!/usr/bin/env python3
"""Tests of tools/pack_image.py on small ELF files built in memory: the image
layout, the patched handoff record, and every input the packer must reject.
Speaks the result-line protocol (TEST PASS/FAIL <name>, TEST DONE); `test=NAME`
runs one test."""

import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pack_image  # noqa: E402
import suite  # noqa: E402

PAGE = 0x1000
MAGIC = 0x544F4F424C45454B


# Its own: values print in hex (fmt).
def expect_eq(actual, expected, what):
    if actual != expected:
        raise suite.Failure(f"{what}: got {fmt(actual)}, want {fmt(expected)}")


def fmt(value):
    return hex(value) if isinstance(value, int) else repr(value)


# --- building ELF files -------------------------------------------------------

def seg(vaddr, data=b"", memsz=None, paddr=None, flags=5, align=PAGE, ptype=1):
    return {"vaddr": vaddr, "paddr": vaddr if paddr is None else paddr, "data": data,
            "memsz": len(data) if memsz is None else memsz, "flags": flags,
            "align": align, "type": ptype}


def make_elf(segments, entry, sections=(), cls=2, endian=1, machine=183, etype=2):
    """An ELF64 file. sections: (name, segment index, offset in segment, size, type)."""
    offset = 64 + 56 * len(segments)
    body, offsets = bytearray(), []
    for s in segments:
        pad = (s["vaddr"] - (offset + len(body))) % PAGE
        body += bytes(pad)
        offsets.append(offset + len(body))
        body += s["data"]
    names = b"\0.shstrtab\0" + b"".join(n.encode() + b"\0" for n, *_ in sections)
    strtab_off = offset + len(body)
    body += names
    shoff = offset + len(body)
    shdrs = [bytes(64)]
    pos = 11
    for name, index, where, size, sh_type in sections:
        shdrs.append(struct.pack("<IIQQQQIIQQ", pos, sh_type, 2,
                                 segments[index]["vaddr"] + where, offsets[index] + where,
                                 size, 0, 0, 8, 0))
        pos += len(name) + 1
    shdrs.append(struct.pack("<IIQQQQIIQQ", 1, 3, 0, 0, strtab_off, len(names), 0, 0, 1, 0))
    ident = b"\x7fELF" + bytes([cls, endian, 1]) + bytes(9)
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", ident, etype, machine, 1, entry, 64, shoff, 0,
                       64, 56, len(segments), 64, len(shdrs), len(shdrs) - 1)
    phdrs = b"".join(struct.pack("<IIQQQQQQ", s["type"], s["flags"], off, s["vaddr"],
                                 s["paddr"], len(s["data"]), s["memsz"], s["align"])
                     for s, off in zip(segments, offsets))
    return ehdr + phdrs + bytes(body) + b"".join(shdrs)


KERNEL_VBASE = 0xFFFF_FF80_0000_0000
HANDOFF_AT = 0x40  # offset of the handoff record inside the kernel's second segment
RESERVED = (0x1111, 0x2222, 0x3333)


def handoff_bytes(magic=MAGIC):
    return struct.pack("<QQQqQ3Q", magic, 0, 0, 0, 0, *RESERVED)


def make_kernel(magic=MAGIC, with_section=True, data_memsz=0x2F80):
    """A kernel shaped like Keel's: .boot at physical = virtual, then a high segment."""
    boot = seg(0x4008_0000, b"\x1f\x20\x03\xd5" * 64)  # nops
    data = bytearray(b"\xAA" * 0x200)
    data[HANDOFF_AT:HANDOFF_AT + 64] = handoff_bytes(magic)
    high = seg(KERNEL_VBASE + 0x4008_1000, bytes(data), memsz=data_memsz,
               paddr=0x4008_1000, flags=6)
    sections = [(".boot.handoff", 1, HANDOFF_AT, 64, 1)] if with_section else []
    sections.append((".text", 0, 0, 0x100, 1))
    return make_elf([boot, high], 0x4008_0000, sections)


TEXT = bytes(range(256)) + b"\xC0\x03\x5F\xD6"
DATA = b"DATA" * 4


def make_root(segments=None, entry=0x40_0010, **kwargs):
    if segments is None:
        segments = [seg(0x40_0000, TEXT), seg(0x40_1100, DATA, memsz=0x2000, flags=6)]
    return make_elf(segments, entry, **kwargs)


# --- reading the packer's output -----------------------------------------------

def read_image(image):
    ident = image[:16]
    (_, etype, machine, _, entry, phoff, shoff, _, _, phentsize, phnum, _, shnum,
     _) = struct.unpack_from("<16sHHIQQQIHHHHHH", image)
    expect_eq(ident[:7], b"\x7fELF\x02\x01\x01", "ELF ident")
    expect_eq((etype, machine), (2, 183), "type and machine")
    expect_eq((shoff, shnum), (0, 0), "section headers")
    segments = []
    for i in range(phnum):
        ptype, flags, off, vaddr, paddr, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", image, phoff + i * phentsize)
        if off + filesz > len(image):
            raise suite.Failure(f"segment {i} lies beyond the end of the image")
        segments.append({"type": ptype, "flags": flags, "vaddr": vaddr, "paddr": paddr,
                         "memsz": memsz, "align": align, "data": image[off:off + filesz]})
    return entry, segments


def pack(kernel, root):
    return pack_image.pack(kernel, root)


def expect_reject(kernel, root, fragment):
    try:
        pack(kernel, root)
    except pack_image.PackError as e:
        if fragment not in str(e):
            raise suite.Failure(f"rejected with {str(e)!r}, expected a message about {fragment!r}")
        return
    raise suite.Failure(f"accepted; expected a rejection about {fragment!r}")


# --- layout --------------------------------------------------------------------

@suite.test
def layout_kernel_segments_copied_unchanged():
    kernel = make_kernel()
    entry, segments = read_image(pack(kernel, make_root())[0])
    expect_eq(entry, 0x4008_0000, "e_entry")
    expect_eq(len(segments), 3, "segment count")
    originals = pack_image.Elf(kernel, "k").segments
    for i, orig in enumerate(originals):
        got = segments[i]
        for key in ("type", "flags", "vaddr", "paddr", "memsz", "align"):
            expect_eq(got[key], getattr(orig, key), f"kernel segment {i} {key}")
        data = bytearray(got["data"])
        if i == 1:  # the handoff record is the only change
            data[HANDOFF_AT:HANDOFF_AT + 64] = orig.data[HANDOFF_AT:HANDOFF_AT + 64]
        expect_eq(bytes(data), orig.data, f"kernel segment {i} bytes")


@suite.test
def layout_user_image_after_kernel():
    _, segments = read_image(pack(make_kernel(), make_root())[0])
    user = segments[2]
    # kernel ends at 0x4008_1000 + 0x2F80: the next 4 KiB boundary is 0x4008_4000
    expect_eq(user["paddr"], 0x4008_4000, "user image p_paddr")
    expect_eq(user["vaddr"], 0x4008_4000, "user image p_vaddr")
    expect_eq(user["memsz"], 0x4000, "user image size ([0x400000, 0x404000))")
    expect_eq(len(user["data"]), 0x4000, "user image p_filesz")
    expect_eq(user["type"], 1, "user image p_type")
    expect_eq(user["flags"], 4, "user image flags (R)")


@suite.test
def layout_user_image_is_flat_with_zeros():
    _, segments = read_image(pack(make_kernel(), make_root())[0])
    blob = segments[2]["data"]
    expect_eq(blob[:len(TEXT)], TEXT, "text at offset 0")
    expect_eq(blob[0x1100:0x1100 + len(DATA)], DATA, "data at offset 0x1100")
    holes = blob[len(TEXT):0x1100] + blob[0x1100 + len(DATA):]
    expect_eq(holes.count(0), len(holes), "zero bytes between and after segments (BSS)")


@suite.test
def layout_kernel_end_already_aligned():
    _, segments = read_image(pack(make_kernel(data_memsz=0x3000), make_root())[0])
    expect_eq(segments[2]["paddr"], 0x4008_4000, "user image p_paddr")


@suite.test
def layout_unaligned_lowest_segment():
    root = make_root([seg(0x40_0800, TEXT)], entry=0x40_0800)
    image, handoff = pack(make_kernel(), root)
    blob = read_image(image)[1][2]["data"]
    expect_eq(len(blob), PAGE, "image covers one page")
    expect_eq(blob[0x800:0x800 + len(TEXT)], TEXT, "text at its page offset")
    expect_eq(handoff["pv_offset"], 0x4008_4000 - 0x40_0000, "pv_offset")


@suite.test
def layout_segments_sharing_a_page():
    root = make_root([seg(0x40_0000, TEXT), seg(0x40_0200, DATA, flags=6)])
    blob = read_image(pack(make_kernel(), root)[0])[1][2]["data"]
    expect_eq(blob[0x200:0x200 + len(DATA)], DATA, "second segment in the same page")


@suite.test
def layout_highest_allowed_end():
    top = pack_image.USER_IMAGE_LIMIT
    root = make_root([seg(top - PAGE, TEXT)], entry=top - PAGE)
    _, handoff = pack(make_kernel(), root)
    expect_eq(handoff["ui_p_end"] - handoff["ui_p_start"], PAGE, "one-page image")


# --- the handoff record -----------------------------------------------------------

def handoff_of(image):
    kernel_data = read_image(image)[1][1]["data"]
    return struct.unpack_from("<QQQqQ3Q", kernel_data, HANDOFF_AT)


@suite.test
def handoff_fields_patched():
    image, _ = pack(make_kernel(), make_root())
    magic, start, end, pv, entry, *reserved = handoff_of(image)
    expect_eq(magic, MAGIC, "magic")
    expect_eq(start, 0x4008_4000, "ui_p_start")
    expect_eq(end, 0x4008_8000, "ui_p_end")
    expect_eq(pv, 0x4008_4000 - 0x40_0000, "pv_offset")
    expect_eq(entry, 0x40_0010, "ui_v_entry")
    expect_eq(tuple(reserved), RESERVED, "reserved words untouched")


@suite.test
def handoff_negative_pv_offset():
    # A root task linked above the kernel's physical address: pv_offset < 0.
    root = make_root([seg(0x7000_0000_0000, TEXT)], entry=0x7000_0000_0000)
    image, _ = pack(make_kernel(), root)
    pv = handoff_of(image)[3]
    expect_eq(pv, 0x4008_4000 - 0x7000_0000_0000, "signed pv_offset")


@suite.test
def handoff_matches_returned_values():
    image, handoff = pack(make_kernel(), make_root())
    fields = handoff_of(image)
    expect_eq(fields[1:5], (handoff["ui_p_start"], handoff["ui_p_end"], handoff["pv_offset"],
                            handoff["ui_v_entry"]), "record vs -v values")


# --- rejections ---------------------------------------------------------------------

@suite.test
def reject_kernel_without_handoff_section():
    expect_reject(make_kernel(with_section=False), make_root(), ".boot.handoff")


@suite.test
def reject_kernel_with_bad_magic():
    expect_reject(make_kernel(magic=0x1234), make_root(), "magic")


@suite.test
def reject_root_overlapping_segments():
    root = make_root([seg(0x40_0000, TEXT, memsz=0x2000), seg(0x40_1000, DATA, flags=6)])
    expect_reject(make_kernel(), root, "overlap")


@suite.test
def reject_root_above_user_limit():
    top = pack_image.USER_IMAGE_LIMIT
    root = make_root([seg(top - PAGE, TEXT + bytes(PAGE))], entry=top - PAGE)
    expect_reject(make_kernel(), root, "above")


@suite.test
def reject_root_in_page_zero():
    expect_reject(make_kernel(), make_root([seg(0x800, TEXT)], entry=0x800), "page 0")


@suite.test
def reject_root_without_load_segments():
    root = make_root([seg(0x40_0000, TEXT, ptype=4)])  # PT_NOTE only
    expect_reject(make_kernel(), root, "no PT_LOAD")


@suite.test
def reject_root_entry_outside_segments():
    expect_reject(make_kernel(), make_root(entry=0x50_0000), "entry point")


@suite.test
def reject_root_elf32():
    expect_reject(make_kernel(), make_root(cls=1), "64-bit")


@suite.test
def reject_root_big_endian():
    expect_reject(make_kernel(), make_root(endian=2), "little endian")


@suite.test
def reject_root_wrong_machine():
    expect_reject(make_kernel(), make_root(machine=62), "AArch64")


@suite.test
def reject_root_not_executable():
    expect_reject(make_kernel(), make_root(etype=3), "ET_EXEC")


@suite.test
def reject_root_not_elf():
    expect_reject(make_kernel(), b"#!/bin/sh\necho hello\n" * 4, "not an ELF")


@suite.test
def reject_root_truncated():
    expect_reject(make_kernel(), make_root()[:200], "beyond the end")


@suite.test
def reject_root_filesz_above_memsz():
    root = make_root([seg(0x40_0000, TEXT, memsz=16)])
    expect_reject(make_kernel(), root, "p_filesz > p_memsz")


# --- command line ---------------------------------------------------------------------

def run_cli(kernel, root, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, n) for n in ("kernel.elf", "root.elf", "image.elf")]
        for path, data in zip(paths, (kernel, root)):
            with open(path, "wb") as f:
                f.write(data)
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "pack_image.py"),
                               "--kernel", paths[0], "--root", paths[1], "-o", paths[2],
                               *extra], capture_output=True, text=True)
        image = None
        if os.path.exists(paths[2]):
            with open(paths[2], "rb") as f:
                image = f.read()
        return proc, image


@suite.test
def cli_success_is_silent():
    kernel, root = make_kernel(), make_root()
    proc, image = run_cli(kernel, root)
    expect_eq(proc.returncode, 0, "exit status")
    expect_eq(proc.stdout + proc.stderr, "", "output")
    expect_eq(image, pack(kernel, root)[0], "written image")


@suite.test
def cli_verbose_prints_layout():
    proc, _ = run_cli(make_kernel(), make_root(), "-v")
    expect_eq(proc.returncode, 0, "exit status")
    if "ui_p_start" not in proc.stdout:
        raise suite.Failure(f"-v output lacks the layout: {proc.stdout!r}")


@suite.test
def cli_rejection_exits_2_without_output_file():
    proc, image = run_cli(make_kernel(), make_root(entry=0x50_0000))
    expect_eq(proc.returncode, 2, "exit status")
    expect_eq(image, None, "output file")
    if "entry point" not in proc.stderr:
        raise suite.Failure(f"unclear message: {proc.stderr!r}")


def main(argv):
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
