#!/usr/bin/env python3
"""The pattern disk of the block driver's test (tests/os/disk.mk): SECTORS
sectors of 512 bytes whose 64-bit little-endian word k of sector s is
0x5eed000000000000 | s << 16 | k."""
import struct
import sys


def main():
    path, sectors = sys.argv[1], int(sys.argv[2])
    with open(path + ".tmp", "wb") as f:
        for s in range(sectors):
            f.write(struct.pack("<64Q", *(0x5eed000000000000 | s << 16 | k for k in range(64))))
    import os
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
