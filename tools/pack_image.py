#!/usr/bin/env python3
"""Pack the kernel and one root-task ELF into a single boot image for `qemu -kernel`.

QEMU loads every PT_LOAD segment of the image at its physical address (p_paddr)
and enters e_entry with the MMU off. The image holds the kernel's segments
unchanged plus one more segment: the root task's flattened user image. Where
that image lies is written into the kernel's `.boot.handoff` record, which plays
the role of the registers x0..x3 that seL4's elfloader hands over (ABI §9.1).

Layout choices (the kernel's side of the contract is kernel/ and docs/testing.md):
  * user image = [lo, hi) of the root task's virtual addresses, lo = lowest
    segment address rounded down to 4 KiB, hi = highest end rounded up to 4 KiB;
    file bytes at their offset, zeros elsewhere (BSS included);
  * it is placed at the first 4 KiB boundary after the kernel's highest physical
    end, exactly like the elfloader places the user image after the kernel.

usage: pack_image.py --kernel kernel.elf --root root.elf -o image.elf [-v]
Exit status 0 on success, 2 with a message on any error.
"""

import argparse
import os
import struct
import sys

PAGE = 0x1000
EM_AARCH64 = 183
ET_EXEC = 2
PT_LOAD = 1
PF_R = 4
SHT_NOBITS = 8

HANDOFF_SECTION = ".boot.handoff"
HANDOFF_MAGIC = 0x544F4F424C45454B  # "KEELBOOT" read as a little-endian u64
HANDOFF_SIZE = 64
# magic, ui_p_start, ui_p_end, pv_offset (signed), ui_v_entry, reserved[3]
HANDOFF_FORMAT = "<QQQqQ3Q"

# The kernel maps the IPC buffer, BootInfo and extra BootInfo frames just above
# the user image (ABI §9.2); they must stay below the top of user space.
USER_TOP = 0x0000_7FFF_FFFF_F000
USER_IMAGE_LIMIT = USER_TOP - 3 * PAGE

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")  # ELF64 file header, 64 bytes
PHDR = struct.Struct("<IIQQQQQQ")  # ELF64 program header, 56 bytes
SHDR = struct.Struct("<IIQQQQIIQQ")  # ELF64 section header, 64 bytes


class PackError(Exception):
    """A problem with the inputs; the message says which file and why."""


def round_down(value, align):
    return value & ~(align - 1)


def round_up(value, align):
    return (value + align - 1) & ~(align - 1)


class Segment:
    """One program header and the file bytes it covers."""

    def __init__(self, fields, data):
        (self.type, self.flags, self.offset, self.vaddr, self.paddr,
         self.filesz, self.memsz, self.align) = fields
        self.data = data

    def header(self, offset):
        return PHDR.pack(self.type, self.flags, offset, self.vaddr, self.paddr,
                         self.filesz, self.memsz, self.align)


class Elf:
    """The parts of an ELF64 little-endian file the packer needs."""

    def __init__(self, data, what):
        self.data = data
        self.what = what
        if len(data) < EHDR.size or data[:4] != b"\x7fELF":
            raise PackError(f"{what}: not an ELF file")
        if data[4] != 2:
            raise PackError(f"{what}: not a 64-bit ELF (EI_CLASS={data[4]})")
        if data[5] != 1:
            raise PackError(f"{what}: not little endian (EI_DATA={data[5]})")
        (_, self.e_type, self.e_machine, _, self.e_entry, self.e_phoff,
         self.e_shoff, _, _, self.e_phentsize, self.e_phnum, self.e_shentsize,
         self.e_shnum, self.e_shstrndx) = EHDR.unpack_from(data)
        if self.e_machine != EM_AARCH64:
            raise PackError(f"{what}: not an AArch64 ELF (e_machine={self.e_machine})")
        self.segments = self._read_segments()

    def _table(self, offset, count, entsize, entry, name):
        """Bounds-checked list of the raw entries of a header table."""
        if count == 0:
            return []
        if entsize < entry.size or offset + count * entsize > len(self.data):
            raise PackError(f"{self.what}: {name} table is truncated or malformed")
        return [entry.unpack_from(self.data, offset + i * entsize) for i in range(count)]

    def _read_segments(self):
        segments = []
        for fields in self._table(self.e_phoff, self.e_phnum, self.e_phentsize, PHDR,
                                  "program header"):
            if fields[0] != PT_LOAD:
                continue
            seg = Segment(fields, b"")
            if seg.filesz > seg.memsz:
                raise PackError(f"{self.what}: segment at 0x{seg.vaddr:x} has "
                                "p_filesz > p_memsz")
            if seg.offset + seg.filesz > len(self.data):
                raise PackError(f"{self.what}: segment at 0x{seg.vaddr:x} lies "
                                "beyond the end of the file")
            seg.data = self.data[seg.offset:seg.offset + seg.filesz]
            segments.append(seg)
        if not segments:
            raise PackError(f"{self.what}: no PT_LOAD segment")
        return segments

    def section(self, wanted):
        """(file offset, size, type) of the section named `wanted`, or None."""
        sections = self._table(self.e_shoff, self.e_shnum, self.e_shentsize, SHDR,
                               "section header")
        if not sections or self.e_shstrndx >= len(sections):
            return None
        strtab = sections[self.e_shstrndx]
        str_off, str_size = strtab[4], strtab[5]
        if str_off + str_size > len(self.data):
            raise PackError(f"{self.what}: section name table is truncated")
        names = self.data[str_off:str_off + str_size]
        for name_off, sh_type, _, _, offset, size, _, _, _, _ in sections:
            end = names.find(b"\0", name_off)
            if name_off < len(names) and end >= 0 and \
                    names[name_off:end].decode("latin-1") == wanted:
                return offset, size, sh_type
        return None


def check_no_overlap(segments, key, what):
    """Reject segments whose [key, key + memsz) ranges intersect."""
    ranges = sorted((key(s), key(s) + s.memsz) for s in segments if s.memsz)
    for (start_a, end_a), (start_b, _) in zip(ranges, ranges[1:]):
        if start_b < end_a:
            raise PackError(f"{what}: segments [0x{start_a:x}, 0x{end_a:x}) and "
                            f"[0x{start_b:x}, ...) overlap")


def build_user_image(root):
    """Validate the root task and flatten it: returns (lo, blob, entry)."""
    if root.e_type != ET_EXEC:
        raise PackError(f"{root.what}: not an executable (e_type={root.e_type}, "
                        "want ET_EXEC; position-independent root tasks are not supported)")
    segments = [s for s in root.segments if s.memsz]
    if not segments:
        raise PackError(f"{root.what}: every PT_LOAD segment is empty")
    for seg in segments:
        if seg.vaddr + seg.memsz > 1 << 64:
            raise PackError(f"{root.what}: segment at 0x{seg.vaddr:x} wraps around")
    check_no_overlap(segments, lambda s: s.vaddr, root.what)
    lo = round_down(min(s.vaddr for s in segments), PAGE)
    hi = round_up(max(s.vaddr + s.memsz for s in segments), PAGE)
    if lo == 0:
        raise PackError(f"{root.what}: user image starts in page 0 (lowest address "
                        f"0x{min(s.vaddr for s in segments):x}); link it higher")
    if hi > USER_IMAGE_LIMIT:
        raise PackError(f"{root.what}: user image ends at 0x{hi:x}, above 0x{USER_IMAGE_LIMIT:x} "
                        "(the IPC buffer and BootInfo frames must fit below seL4_UserTop)")
    if not any(s.vaddr <= root.e_entry < s.vaddr + s.memsz for s in segments):
        raise PackError(f"{root.what}: entry point 0x{root.e_entry:x} is outside "
                        "every PT_LOAD segment")
    blob = bytearray(hi - lo)
    for seg in segments:
        start = seg.vaddr - lo
        blob[start:start + len(seg.data)] = seg.data
    return lo, bytes(blob), root.e_entry


def find_handoff(kernel):
    """(segment index, offset within its bytes) of the kernel's handoff record."""
    found = kernel.section(HANDOFF_SECTION)
    if found is None:
        raise PackError(f"{kernel.what}: no {HANDOFF_SECTION} section "
                        "(is this a Keel kernel with its section headers?)")
    offset, size, sh_type = found
    if sh_type == SHT_NOBITS or size < HANDOFF_SIZE:
        raise PackError(f"{kernel.what}: {HANDOFF_SECTION} must hold {HANDOFF_SIZE} "
                        f"initialised bytes (size {size}, type {sh_type})")
    for index, seg in enumerate(kernel.segments):
        if seg.offset <= offset and offset + HANDOFF_SIZE <= seg.offset + seg.filesz:
            where = offset - seg.offset
            magic = struct.unpack_from("<Q", seg.data, where)[0]
            if magic != HANDOFF_MAGIC:
                raise PackError(f"{kernel.what}: {HANDOFF_SECTION} has magic 0x{magic:016x}, "
                                f"want 0x{HANDOFF_MAGIC:016x} (\"KEELBOOT\")")
            return index, where
    raise PackError(f"{kernel.what}: {HANDOFF_SECTION} is not inside a loaded segment")


def check_kernel(kernel):
    check_no_overlap(kernel.segments, lambda s: s.paddr, kernel.what)
    if not any(s.paddr <= kernel.e_entry < s.paddr + s.memsz for s in kernel.segments):
        raise PackError(f"{kernel.what}: entry 0x{kernel.e_entry:x} is not a physical "
                        "address inside a PT_LOAD segment")


def pack(kernel_bytes, root_bytes, kernel_name="kernel", root_name="root"):
    """Return (image bytes, handoff values dict). Raises PackError."""
    kernel = Elf(kernel_bytes, kernel_name)
    check_kernel(kernel)
    root = Elf(root_bytes, root_name)
    lo, blob, entry = build_user_image(root)
    seg_index, where = find_handoff(kernel)

    kernel_end = max(s.paddr + s.memsz for s in kernel.segments)
    ui_p_start = round_up(kernel_end, PAGE)
    handoff = {
        "ui_p_start": ui_p_start,
        "ui_p_end": ui_p_start + len(blob),
        "pv_offset": ui_p_start - lo,
        "ui_v_entry": entry,
    }
    seg = kernel.segments[seg_index]
    patched = bytearray(seg.data)
    reserved = struct.unpack_from("<3Q", patched, where + 40)
    struct.pack_into(HANDOFF_FORMAT, patched, where, HANDOFF_MAGIC, handoff["ui_p_start"],
                     handoff["ui_p_end"], handoff["pv_offset"], handoff["ui_v_entry"],
                     *reserved)
    seg.data = bytes(patched)

    user = Segment((PT_LOAD, PF_R, 0, ui_p_start, ui_p_start, len(blob), len(blob), PAGE), blob)
    return write_elf(kernel.e_entry, kernel.segments + [user]), handoff


def write_elf(entry, segments):
    """An ELF64 AArch64 executable with only program headers and segment bytes."""
    offset = EHDR.size + PHDR.size * len(segments)
    headers, body = [], bytearray()
    for seg in segments:
        # Keep p_offset congruent to p_vaddr modulo the page size, as loaders expect.
        align = min(max(seg.align, 1), PAGE)
        pad = (seg.vaddr - (offset + len(body))) % align if seg.filesz else 0
        body += bytes(pad)
        headers.append(seg.header(offset + len(body) if seg.filesz else 0))
        body += seg.data
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    ehdr = EHDR.pack(ident, ET_EXEC, EM_AARCH64, 1, entry, EHDR.size, 0, 0, EHDR.size,
                     PHDR.size, len(segments), SHDR.size, 0, 0)
    return ehdr + b"".join(headers) + bytes(body)


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise PackError(f"{path}: {e.strerror}") from e


def main(argv=None):
    parser = argparse.ArgumentParser(description="Pack the Keel kernel and a root task "
                                     "into one boot image for qemu -kernel.")
    parser.add_argument("--kernel", required=True, help="kernel ELF")
    parser.add_argument("--root", required=True, help="root task ELF (seL4 ABI, AArch64)")
    parser.add_argument("-o", "--output", required=True, help="image to write")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the layout")
    args = parser.parse_args(argv)
    try:
        image, handoff = pack(read_file(args.kernel), read_file(args.root),
                              args.kernel, args.root)
        tmp = args.output + ".tmp"
        with open(tmp, "wb") as f:
            f.write(image)
        os.replace(tmp, args.output)
    except (PackError, OSError) as e:
        print(f"pack_image: {e}", file=sys.stderr)
        return 2
    if args.verbose:
        for key, value in handoff.items():
            print(f"{key:10} = {value:#x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
