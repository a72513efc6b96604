#!/usr/bin/env python3
"""The one QEMU command line for running a Keel boot image non-interactively.

Used by the test runner (and meant for any other tool that boots images, such as
a benchmark runner). Run as a script it prints the command, shell-quoted:
    qemu_cmd.py IMAGE [--cpu CPU] [--append TEXT]
"""

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import threading

QEMU = "qemu-system-aarch64"
DEFAULT_CPU = "cortex-a76"
DEFAULT_MACHINE = "virt,gic-version=3"


# The disk: a raw image on virtio-mmio transport 0 (0x0a000000, INTID 48:
# the blk driver's grants in the system descriptions), modern interface.
DISK_TRANSPORT = "virtio-mmio-bus.0"


def disk_args(path):
    """QEMU options attaching the raw image `path` as Keel's disk."""
    return ["-global", "virtio-mmio.force-legacy=false",
            "-drive", f"file={path},if=none,format=raw,id=disk0",
            "-device", f"virtio-blk-device,drive=disk0,bus={DISK_TRANSPORT}"]


# The network: QEMU's user network on virtio-mmio transport 8 (0x0a001000,
# INTID 56: the eth driver's grants), whose page transports 0-7 (the disk's
# page) do not share. restrict=on: the guest reaches nothing beyond QEMU
# (its gateway 10.0.2.2 is QEMU itself); `forwards` are hostfwd rules,
# each bound to the host's loopback address ("tcp::PORT-:80" becomes
# "tcp:127.0.0.1:PORT-:80").
NET_TRANSPORT = "virtio-mmio-bus.8"


def net_args(forwards=()):
    """QEMU options giving Keel its network card."""
    user = "user,id=net0,restrict=on"
    for rule in forwards:
        proto, _, rest = rule.partition("::")
        user += f",hostfwd={proto}:127.0.0.1:{rest}"
    return ["-global", "virtio-mmio.force-legacy=false",
            "-netdev", user, "-device", f"virtio-net-device,netdev=net0,bus={NET_TRANSPORT}"]


def disk_copy(source, dest):
    """A copy of the disk image `source` at `dest` that keeps its holes (an
    image is mostly zeroes), so that every test can have its own."""
    chunk = 1 << 20
    with open(source, "rb") as src, open(dest, "wb") as dst:
        while True:
            data = src.read(chunk)
            if not data:
                break
            if data.count(0) == len(data):
                dst.seek(len(data), os.SEEK_CUR)
            else:
                dst.write(data)
        dst.truncate()


def qemu_command(image, cpu=DEFAULT_CPU, append=None, extra=(), machine=DEFAULT_MACHINE):
    """argv for booting `image`: serial console on stdin/stdout, no monitor, no
    display, no default network card (its option ROM comes from a package we do
    not need), semihosting on so the kernel can end QEMU with an exit status.
    `machine` may add board options, e.g. virtualization=on to enter at EL2."""
    argv = [QEMU, "-machine", machine, "-cpu", cpu, "-m", "1G",
            "-display", "none", "-nic", "none", "-serial", "stdio", "-monitor", "none",
            "-semihosting-config", "enable=on,target=native", "-kernel", image]
    if append:
        argv += ["-append", append]
    return argv + list(extra)


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _lines(proc, log):
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        log.write(line + "\n")
        log.flush()
        yield line


@contextlib.contextmanager
def console(argv, timeout, log, grace=0):
    """Run QEMU (`argv`) in a session of its own and yield its console
    lines, each also written to `log`. QEMU is killed when the block ends,
    or after `timeout` seconds (the lines then end); with `grace`, it is
    first given that many seconds to stop by itself."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    timer = threading.Timer(timeout, _kill, args=(proc,))
    timer.start()
    try:
        yield _lines(proc, log)
    finally:
        timer.cancel()
        if grace:
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        _kill(proc)
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image")
    parser.add_argument("--cpu", default=DEFAULT_CPU)
    parser.add_argument("--append")
    args = parser.parse_args()
    print(shlex.join(qemu_command(args.image, args.cpu, args.append)))


if __name__ == "__main__":
    main()
