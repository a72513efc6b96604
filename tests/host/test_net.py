#!/usr/bin/env python3
"""The net server from the host (docs/network.md "Tests"): boots the image
osnetsrv (the eth driver and the net server, lwIP) on QEMU's user network
with restrict=on and one hostfwd rule, 127.0.0.1:PORT to the guest's TCP
port 7, the net server's echo service; then, over the host's loopback
only, in loops that end by themselves:

  echo_messages      1,000 messages of 1 to 1,400 bytes, each read back
                     whole before the next goes
  echo_stream        4 MiB sent while it comes back, the same bytes
  echo_parallel      20 connections at once, 50 messages each
  echo_after_reset   a connection the host resets mid-transfer, then a
                     new one served

The console goes to BUILD/test-logs/net.host.log.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402
from qemu_cmd import net_args, qemu_command  # noqa: E402

READY = "net: lwIP"
ECHO_PORT = 7


class Options:
    build = "build"


options = Options()


def free_port():
    """A TCP port of the loopback address nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    """Keel booted with its network; stopped when the tests end."""

    def __init__(self):
        image = os.path.join(options.build, "os", "images", "osnetsrv.elf")
        if not os.path.exists(image):
            raise suite.Failure(f"{image} is missing (make os-images)")
        self.port = free_port()
        argv = qemu_command(image, extra=net_args([f"tcp::{self.port}-:{ECHO_PORT}"]))
        os.makedirs(os.path.join(options.build, "test-logs"), exist_ok=True)
        self.log = open(os.path.join(options.build, "test-logs", "net.host.log"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.lines = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            raise suite.Failure(f"no `{READY}` line in 60 s: {self.lines[-5:]}")

    def _read(self):
        for raw in self.proc.stdout:
            self.log.write(raw)
            self.log.flush()
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            if line.startswith(READY):
                self.ready.set()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=20)

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.log.close()


_guest = None


def guest():
    global _guest
    if _guest is None:
        _guest = Guest()
    return _guest


def message(i, j=0):
    length = 1 + (i * 37 + j * 11) % 1400
    return bytes((i + j + k) % 256 for k in range(length))


def exchange(sock, count, j=0):
    for i in range(count):
        m = message(i, j)
        sock.sendall(m)
        got = suite.receive_exactly(sock, len(m))
        if got != m:
            raise suite.Failure(f"message {i} ({len(m)} bytes) came back different")


@suite.test
def echo_messages():
    with guest().connect() as s:
        exchange(s, 1000)


@suite.test
def echo_stream():
    data = bytes((k * 7 + k // 4096) % 256 for k in range(4 << 20))
    got = bytearray()
    with guest().connect() as s:
        reader = threading.Thread(target=lambda: got.extend(suite.receive_exactly(s, len(data))))
        reader.start()
        s.sendall(data)
        reader.join(120)
    if bytes(got) != data:
        raise suite.Failure(f"4 MiB sent, {len(got)} bytes back, "
                            f"{'the same' if bytes(got) == data[:len(got)] else 'different'}")


@suite.test
def echo_parallel():
    errors = []

    def one(j):
        try:
            with guest().connect() as s:
                exchange(s, 50, j)
        except Exception as e:  # reported below, by connection
            errors.append(f"connection {j}: {e}")

    threads = [threading.Thread(target=one, args=(j,)) for j in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise suite.Failure(f"{len(errors)} of 20 failed; {errors[0]}")


@suite.test
def echo_after_reset():
    s = guest().connect()
    s.sendall(bytes(100000))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()  # linger 0: a reset, with data in flight both ways
    time.sleep(0.5)
    with guest().connect() as s2:
        exchange(s2, 20)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    args, rest = parser.parse_known_args(argv)
    options.build = args.build
    try:
        return suite.main(rest)
    finally:
        if _guest is not None:
            _guest.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
