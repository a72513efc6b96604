#!/usr/bin/env python3
"""Check that drvtest_data_start is the first address of the ELF's writable
PT_LOAD segment (the driver spawner shares everything below it read-only)."""
import struct
import sys

PT_LOAD, PF_W, SHT_SYMTAB = 1, 2, 2


def main(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit(f"{path}: not a 64-bit ELF")
    e_phoff, e_shoff = struct.unpack_from("<QQ", data, 0x20)
    e_phentsize, e_phnum, e_shentsize, e_shnum = struct.unpack_from("<HHHH", data, 0x36)
    writable = []
    for i in range(e_phnum):
        p_type, p_flags, _, p_vaddr = struct.unpack_from("<IIQQ", data, e_phoff + i * e_phentsize)
        if p_type == PT_LOAD and p_flags & PF_W:
            writable.append(p_vaddr)
    symbol = None
    for i in range(e_shnum):
        off = e_shoff + i * e_shentsize
        sh_type = struct.unpack_from("<I", data, off + 4)[0]
        if sh_type != SHT_SYMTAB:
            continue
        sh_offset, sh_size, sh_link, _, _, sh_entsize = struct.unpack_from("<QQIIQQ", data, off + 0x18)
        str_off = struct.unpack_from("<Q", data, e_shoff + sh_link * e_shentsize + 0x18)[0]
        for j in range(sh_size // sh_entsize):
            st_name, _, _, _, st_value, _ = struct.unpack_from("<IBBHQQ", data, sh_offset + j * sh_entsize)
            end = data.index(b"\0", str_off + st_name)
            if data[str_off + st_name:end] == b"drvtest_data_start":
                symbol = st_value
    if len(writable) != 1 or symbol is None or writable[0] != symbol:
        sys.exit(f"{path}: drvtest_data_start {symbol and hex(symbol)} is not the start of the "
                 f"writable segment {[hex(v) for v in writable]}; keep layout.c first")
    print(f"drvtest layout: writable segment starts at drvtest_data_start ({symbol:#x})")


if __name__ == "__main__":
    main(sys.argv[1])
