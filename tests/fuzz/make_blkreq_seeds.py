#!/usr/bin/env python3
"""Write the seed inputs of tests/fuzz/fuzz_blkreq.c into a directory.

An input (see fuzz_blkreq.c): the device's feature bits (1 byte: 1
SIZE_MAX, 2 SEG_MAX, 4 RO, 8 FLUSH), its capacity, seg_max and size_max,
the client's region in pages (2 bytes, big-endian) and its frames'
pattern (0 contiguous, 255 none adjacent, else some runs), then requests:
op, buffer place (512-byte units), cookie, first sector, length. Each value
is a table index (a byte below the table's size) or a byte past it and the
value itself, big-endian.

usage: make_blkreq_seeds.py DIRECTORY
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seedfiles import write_seeds  # noqa: E402

CAPACITIES = [0, 1, 7, 8, 255, 256, 2048, 1 << 20, (1 << 64) - 2, (1 << 64) - 1]
CONFIGS = [0, 1, 2, 3, 4, 8, 32, 33, 34, 126, 4095, 4096, 4097, 8192, 65536, 131072, (1 << 32) - 1]
LENGTHS = [0, 1, 511, 512, 1024, 3584, 4096, 4608, 8192, 65536, 126976, 131072, 131584, 135168,
           (1 << 32) - 512]
PLACES = [0, 1, 7, 8, 9, 15, 16, 2040, 2047, 2048, 8184, 8191, 8192, (1 << 24) - 1]
SECTORS = [0, 1, 255, 256, 2047, 2048, (1 << 20) - 1, 1 << 20, (1 << 64) - 2, (1 << 64) - 1]
READ, WRITE, FLUSH, INFO = 1, 2, 3, 4


def value(table, v, size):
    if v in table:
        return bytes([table.index(v)])
    return bytes([255]) + v.to_bytes(size, "big")


def device(bits, capacity, seg_max, size_max, pages, pattern):
    return (bytes([bits]) + value(CAPACITIES, capacity, 8) + value(CONFIGS, seg_max, 4) +
            value(CONFIGS, size_max, 4) + pages.to_bytes(2, "big") + bytes([pattern]))


def request(op, place, sector, length, cookie=1):
    return (bytes([op]) + value(PLACES, place, 3) + bytes([cookie]) + value(SECTORS, sector, 8) +
            value(LENGTHS, length, 4))


SEEDS = {
    # QEMU's disk as the tests run it: contiguous frames, reads and writes
    "qemu": device(2 | 8, 1 << 20, 126, 0, 1024, 0) +
    request(READ, 8, 0, 4096) + request(WRITE, 16, 2048, 131072) + request(FLUSH, 0, 0, 0) +
    request(INFO, 0, 0, 0),
    # a buffer that starts inside a page, over frames none adjacent
    "unaligned": device(2, 1 << 20, 34, 0, 64, 255) + request(READ, 9, 1, 126976) +
    request(WRITE, 15, 255, 4608),
    # at the region's and the disk's ends, and one past each
    "edges": device(0, 2048, 0, 0, 16, 3) + request(READ, 120, 2040, 4096) +
    request(READ, 121, 2040, 4096) + request(READ, 8, 2047, 512) + request(READ, 8, 2047, 1024),
    # a read-only disk whose segments are at most a page (size_max 4096):
    # the regression of the driver merging contiguous frames into one
    # segment larger than size_max, which this seed found
    "size-max": device(1 | 2 | 4, 256, 3, 4096, 32, 0) + request(WRITE, 8, 0, 8192) +
    request(READ, 8, 0, 8192) + request(READ, 9, 0, 8192),
    # an empty region and a buffer in the rings' page
    "no-region": device(0, 8, 0, 0, 0, 0) + request(READ, 0, 0, 512) + request(READ, 1, 0, 512),
}


def main():
    write_seeds(sys.argv[1], SEEDS)


if __name__ == "__main__":
    main()
