#!/usr/bin/env python3
"""Write the seed inputs of tests/fuzz/fuzz_decode.c into a directory.

Each seed is a short scenario in the fuzz target's input format (see next_op
in fuzz_decode.c) on its fixed CSpace: root slots are cptrs, slot 1 is the
root CNode's copy (so a root slot s is index s, depth 64 relative to cptr 1),
slot 2 a 64 KiB untyped with children, 4 a 4-slot CNode, 8 a 1 KiB untyped
without children, 9 a TCB, 13-15 empty. libFuzzer mutates from there.

usage: make_seeds.py DIRECTORY
"""
import os
import sys

# Index of each small value in fuzz_decode.c's value table.
TABLE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 30, 31, 47, 48,
         59, 60, 62, 63, 64, 65, 128, 255, 256, 257, 0xf, 0x3f, 0x40, 0x41, 0xff, 0x1000,
         0x7fffffffffff, (1 << 64) - 1, 1 << 32, 1 << 63]

RETYPE, REVOKE, DELETE, COPY, MINT, MOVE, MUTATE, ROTATE = 1, 17, 18, 20, 21, 22, 23, 24
ENDPOINT, NOTIFICATION, CNODE, UNTYPED, TCB = 2, 3, 4, 0, 1


def value(v):
    if v in TABLE:
        return bytes([TABLE.index(v)])
    return bytes([0xe0]) + v.to_bytes(8, "little")


def op(cptr, label, mrs, caps=()):
    caps = list(caps) + [0] * (3 - len(caps))
    out = bytes([cptr, label, len(mrs), len([c for c in caps if c])])
    out += bytes(caps)
    for m in mrs:
        out += value(m)
    return out


def retype(untyped, kind, size, offset, num=1, node=0, depth=0):
    return op(untyped, RETYPE, [kind, size, node, depth, offset, num], [1])


def root(label, slot):
    return op(1, label, [slot, 64])


SEEDS = {
    # A used, emptied untyped copied; copy and original both allocate.
    "untyped_copy": [
        retype(8, ENDPOINT, 0, 13),
        root(DELETE, 13),
        op(1, COPY, [13, 64, 8, 64, 0xf], [1]),
        retype(13, CNODE, 4, 14),
        retype(8, ENDPOINT, 0, 15),
    ],
    # The CNode in 4 gets the only cap of a new CNode, then is deleted: the
    # new CNode is parked; revoking its untyped destroys it.
    "parked_cnode": [
        retype(8, CNODE, 2, 13),
        retype(8, ENDPOINT, 0, 2, 2, 13, 64),
        op(4, MOVE, [1, 2, 13, 64], [1]),
        root(DELETE, 4),
        root(REVOKE, 8),
        retype(8, TCB, 0, 13),
        root(REVOKE, 2),
    ],
    # Badges: mint, copy the badged cap, revoke the original.
    "badges": [
        op(1, MINT, [13, 64, 5, 64, 0xf, 5], [1]),
        op(1, COPY, [14, 64, 13, 64, 0x3], [1]),
        op(1, MINT, [15, 64, 5, 64, 0xf, 5], [1]),
        root(REVOKE, 5),
        root(REVOKE, 2),
    ],
    # Guards: mutate the CNode cap in 4 to a guard, then rotate through it.
    "guards": [
        op(1, MUTATE, [13, 64, 4, 64, (3 << 6) | 2], [1]),
        op(13, ROTATE, [0xf, 4, 0, 1, 64, 0, 7, 64], [1, 1]),
        root(DELETE, 13),
    ],
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, ops in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(b"".join(ops))


if __name__ == "__main__":
    main()
