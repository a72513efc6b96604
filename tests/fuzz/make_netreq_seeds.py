#!/usr/bin/env python3
"""Write the seed inputs of tests/fuzz/fuzz_netreq.c into a directory.

An input (see fuzz_netreq.c): a byte whose bit 0 makes vfs hostile, then
steps, each a byte (mod 8): 0-2 a request, 3 a CLOSE or CANCEL, 4 take
completions, 5 a socket's readiness changes, 6-7 serve_poll. A request is
its slot byte, its op byte, then the record: flags, socket, length (a
byte below 64 picks a table entry), arg, value, addr (4 bytes), a port
selector and the port. The socket table's stand-in takes its decisions
(wait or answer, readiness) from the bytes that follow when net calls
it, so the seeds only start libFuzzer in the right places.

usage: make_netreq_seeds.py DIRECTORY
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seedfiles import write_seeds  # noqa: E402

SOCKET, BIND, LISTEN, ACCEPT, CONNECT, SEND, RECV = 1, 2, 3, 4, 5, 6, 7
SHUTDOWN, NAME, SETOPT, GETOPT, INFO = 8, 9, 10, 11, 12
POLL, TAKE = bytes([6]), bytes([4])


def request(slot, op, sock=0, flags=0, length=200, arg=1, addr=0x0a00020f, port=80):
    return (bytes([0, slot, op, flags, sock, length, arg, 1]) + addr.to_bytes(4, "big") +
            bytes([0]) + port.to_bytes(2, "big"))


def close(sock):
    return bytes([3, 1, sock])


def cancel(slot):
    return bytes([3, 0, slot])


SEEDS = {
    # a TCP client: socket, connect (waits), send, recv, close
    "stream": bytes([0]) + request(0, SOCKET, arg=1) + POLL + bytes([3]) + TAKE + bytes([8]) +
    request(1, CONNECT) + POLL + bytes([200]) + request(2, SEND, length=10) + POLL + bytes([255]) +
    request(3, RECV, length=3) + POLL + bytes([10]) + TAKE + bytes([8]) + close(0) + POLL,
    # a listener with a kept ACCEPT, then cancelled
    "listen": bytes([0]) + request(0, SOCKET, arg=1) + POLL + bytes([1]) + request(1, BIND) +
    POLL + bytes([128]) + request(2, LISTEN, arg=5) + POLL + bytes([128]) +
    request(3, ACCEPT) + POLL + bytes([0]) + cancel(3) + POLL + TAKE + bytes([16]),
    # INFO and options, lengths at the data buffer's end
    "info": bytes([0]) + request(4, INFO, length=5) + request(5, SOCKET, arg=2) + POLL +
    request(6, SETOPT, arg=1) + request(7, GETOPT, arg=2) + request(8, SEND, length=6, flags=4) +
    POLL + TAKE + bytes([20]),
    # a hostile vfs: a busy slot asked again, unknown ops and flags, cookies past the slots
    "hostile": bytes([1]) + request(0, SOCKET, arg=1) + POLL + bytes([2]) +
    request(1, RECV, length=7) + POLL + bytes([0]) + request(1, RECV, length=255) +
    bytes([0, 230]) + (99).to_bytes(4, "big") + (1000).to_bytes(8, "big") +
    bytes([0, 245]) + (7).to_bytes(4, "big") + request(2, SEND, flags=255, length=251) +
    bytes([255, 255, 255, 255]) + POLL + close(0) + POLL,
    # completions left in the ring until it fills
    "full": bytes([0]) + b"".join(request(s, INFO) for s in range(32)) + POLL * 3 +
    b"".join(request(s % 32, GETOPT) for s in range(40)) + POLL * 4 + TAKE + bytes([79]),
}


def main():
    write_seeds(sys.argv[1], SEEDS)


if __name__ == "__main__":
    main()
