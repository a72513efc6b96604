#!/usr/bin/env python3
"""httpd and nc (user/bin, docs/network.md) from the host, over the
loopback address 127.0.0.1 only, in loops that end by themselves:

  fetch_large      curl fetches a 10 MiB file: the same sha256
  parallel         50 curl requests at once, each with the right bytes
  head             HEAD: the Content-Length, and no body
  index_and_types  "/" is index.html; Content-Type by extension; a
                   directory without its '/' is redirected (301)
  log              a line for each request: peer, method, target, status,
                   bytes of the body
  missing          a missing file: 404
  same_port        requests one after another from one client port: httpd
                   closed each first, so the next one's SYN finds the last
                   in TIME-WAIT; each is served at once (on Keel: net's
                   timewait.c), not after the TIME-WAIT's 2 minutes
  escape           `..` above the root (plain and %-escaped): 403 or
                   404, never the file outside; `..` inside it works
  malformed        malformed request lines and headers: 400, and httpd
                   serves the next request
  limits           405 (with Allow:), 414 for long targets, 400 for a
                   head longer than httpd's buffer, 505
  disconnect       clients that vanish mid-transfer of the 10 MiB file
                   (a close, a reset) or mid-request: the next request
                   is served, and the whole file still arrives
  listener_lost    (Keel) httpd's listening socket gone under it (the
                   net server restarted): httpd says it reopened it, and
                   serves again
  eth_faults_download  (Keel) 100 faults into the eth driver during a
                   100 MiB download: the download is whole and right
  eth_fault_campaign  (Keel; only with --stress N, make stress) N faults
                   into eth under downloads of 100 MiB one after another
  net_crash        (Keel) the net server crashes mid-download and
                   mid-echo: the echo connection is reset, the download
                   fails (curl's stall timeout: nothing more comes),
                   httpd reopens, the next is served
  nc_echo          1,000 messages through `nc -l` run as an echo
  nc_exec_echo     `nc -l -k -e cat`, two connections one after the other
  nc_client        `nc HOST PORT`: stdin to the peer, the end of stdin a
                   shutdown, the peer's bytes to stdout, exit 0
  nc_udp           `nc -u -l`: a datagram each way

Two modes:

  --host-binaries DIR  httpd and nc built for the host (BUILD/host/bin,
                       tests/host/bin.mk, under ASan/UBSan) run on free
                       ports of 127.0.0.1, with a scratch document root:
                       for development. A sanitizer report fails the run.
  (default)            Keel booted with its network: the OS image, its
                       httpd (started by /etc/rc) and an `nc -l -k -e cat`
                       echo typed into its shell (class Guest); then also
                       eth_faults_download and net_crash, and not the
                       tests that need nc's stdin and stdout on the host.

Speaks the result-line protocol (suite.py; `test=NAME` runs one), then
ends with `N passed, N failed`; exit status 1 if a test failed.

usage: test_httpd.py [--build BUILD] [--host-binaries DIR | --stress N] [test=NAME]
"""

import argparse
import functools
import hashlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from qemu_cmd import disk_args, disk_copy, net_args, qemu_command  # noqa: E402

HOST = "127.0.0.1"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
LARGE = 10 << 20
HUGE = 100 << 20  # the download the eth driver's faults happen under
SECRET = b"the secret outside the root\n"


class Options:
    build = "build"
    host_binaries = None
    stress = 0  # --stress N: only eth_fault_campaign, with N injections


options = Options()
results = {"passed": 0, "failed": 0}


def test(fn):
    """suite.test, counting the outcomes for the closing line."""
    @functools.wraps(fn)
    def counted():
        try:
            fn()
        except BaseException:
            results["failed"] += 1
            raise
        results["passed"] += 1
    return suite.test(counted)


def site_files():
    """The document root's files, name -> bytes (the same for the guest's
    disk: /srv/www)."""
    rng = random.Random(16)
    return {
        "index.html": b"<html><body><h1>Keel</h1></body></html>\n",
        "hello.txt": b"hello from httpd\n",
        "style.css": b"body { color: black; }\n",
        "app.js": b"console.log('keel');\n",
        "image.png": b"\x89PNG\r\n\x1a\n" + bytes(100),
        "photo.jpg": b"\xff\xd8\xff" + bytes(100),
        "data.bin": bytes(range(256)),
        "medium.bin": rng.randbytes(256 << 10),
        "large.bin": rng.randbytes(LARGE),
        "sub/index.html": b"<html><body>sub</body></html>\n",
        "sub/page.txt": b"a page in sub\n",
    }


_site = None


def site():
    global _site
    if _site is None:
        _site = site_files()
    return _site


_huge = None


def huge():
    """The guest's /srv/www/huge.bin (100 MiB), for eth_faults_download."""
    global _huge
    if _huge is None:
        _huge = random.Random(100).randbytes(HUGE)
    return _huge


def free_port():
    """A TCP port of the loopback address nobody listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_listening(port, seconds=10):
    """Until something accepts connections on port (a test connection,
    closed at once)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection((HOST, port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise suite.Failure(f"nothing listens on {HOST}:{port} after {seconds} s")
            time.sleep(0.05)


class Output:
    """A process's output, read as it comes, kept as lines."""

    def __init__(self, stream, ready=None):
        self.lines = []
        self.ready_mark = ready
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for raw in stream:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            if self.ready_mark and line.startswith(self.ready_mark):
                self.ready.set()

    def text(self):
        return "\n".join(self.lines)


def sanitizer_report(text):
    return next((m for m in SANITIZER_MARKS if m in text), None)


class HostServer:
    """httpd (and nc, per test) built for the host, on free ports of
    127.0.0.1, serving a scratch copy of site_files()."""

    peer = HOST  # the clients' address in httpd's log

    def __init__(self, bindir):
        self.bindir = os.path.abspath(bindir)
        for prog in ("httpd", "nc"):
            if not os.access(self.program(prog), os.X_OK):
                raise suite.Failure(f"{self.program(prog)} is missing (make host binaries)")
        self.scratch = tempfile.mkdtemp(prefix="test_httpd.")
        self.root = os.path.join(self.scratch, "www")
        for name, data in site().items():
            path = os.path.join(self.root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        with open(os.path.join(self.scratch, "secret.txt"), "wb") as f:
            f.write(SECRET)
        self.http_port = free_port()
        self.proc = subprocess.Popen(
            [self.program("httpd"), "-a", HOST, "-p", str(self.http_port), "-r", self.root],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=self.env())
        self.out = Output(self.proc.stdout, ready="httpd: serving")
        if not self.out.ready.wait(10):
            self.stop()
            raise suite.Failure(f"httpd did not start: {self.out.lines[-5:]}")

    def program(self, name):
        return os.path.join(self.bindir, name)

    @staticmethod
    def env():
        return {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=1"}

    def check_alive(self):
        if self.proc.poll() is not None:
            raise suite.Failure(f"httpd ended, status {self.proc.returncode}: "
                                f"{self.out.lines[-5:]}")
        mark = sanitizer_report(self.out.text())
        if mark:
            raise suite.Failure(f"httpd: {mark}:\n{self.out.text()[-2000:]}")

    def nc(self, args, **popen):
        """Start the host's nc with args."""
        return subprocess.Popen([self.program("nc")] + args, env=self.env(), **popen)

    def echo(self):
        """`nc -l` on a free port, its output piped back into its input:
        an echo for one connection. Returns (process, port)."""
        port = free_port()
        back_r, back_w = os.pipe()
        proc = self.nc(["-l", "-s", HOST, str(port)], stdin=back_r, stdout=back_w,
                       stderr=subprocess.PIPE)
        os.close(back_r)
        os.close(back_w)
        return proc, port

    def wait_echo(self, proc, port):
        """Until nc listens on port: connecting would take its one
        connection, so look for it in the host's table of TCP sockets
        (/proc/net/tcp: local address 0100007F:PORT in hex, state 0A)."""
        deadline = time.monotonic() + 10
        want = f"0100007F:{port:04X}"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise suite.Failure(f"nc ended early, status {proc.returncode}")
            with open("/proc/net/tcp") as f:
                if any(line.split()[1:4:2] == [want, "0A"] for line in list(f)[1:]):
                    return
            time.sleep(0.05)
        raise suite.Failure(f"nc does not listen on {HOST}:{port} after 10 s")

    def log_lines(self):
        return [line for line in self.out.lines if line.startswith("httpd: ")]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.out.thread.join(timeout=5)
        shutil.rmtree(self.scratch, ignore_errors=True)
        return sanitizer_report(self.out.text())


def boot_files(build, image_name, copy_name):
    """(the OS image IMAGE_NAME.elf, a fresh copy of the tests' disk named
    copy_name, the logs' directory) under build, both files there."""
    image = os.path.join(build, "os", "images", f"{image_name}.elf")
    disk = os.path.join(build, "disks", "os.img")
    for path in (image, disk):
        if not os.path.exists(path):
            raise suite.Failure(f"{path} is missing (make os-images, the tests' disk)")
    logs = os.path.join(build, "test-logs")
    os.makedirs(logs, exist_ok=True)
    copy = os.path.join(logs, copy_name)
    disk_copy(disk, copy)
    return image, copy, logs


class Console:
    """Keel's serial console: every line it prints, kept (and logged), and
    commands typed into its shell."""

    def __init__(self, proc, log):
        self.proc, self.log = proc, log
        self.lines = []
        self.unfinished = False  # the last of lines has no newline yet
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        """Lines as they come; the last one, unfinished (a prompt has no
        newline), is kept and matched too."""
        partial = b""
        while chunk := os.read(self.proc.stdout.fileno(), 4096):
            self.log.write(chunk)
            self.log.flush()
            *done, partial = (partial + chunk).split(b"\n")
            with self.changed:
                if self.lines and self.unfinished:
                    self.lines.pop()
                self.lines += [line.decode(errors="replace").rstrip("\r") for line in done]
                self.unfinished = partial != b""
                if self.unfinished:
                    self.lines.append(partial.decode(errors="replace").rstrip("\r"))
                self.changed.notify_all()

    def wait_for(self, pattern, seconds, since=0):
        """The index of the first line from `since` on matching pattern."""
        deadline = time.monotonic() + seconds
        with self.changed:
            while True:
                for i in range(since, len(self.lines)):
                    if re.search(pattern, self.lines[i]):
                        return i
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise suite.Failure(f"no console line /{pattern}/ in {seconds} s: "
                                        f"{self.lines[-5:]}")
                self.changed.wait(left)

    def type(self, command):
        self.proc.stdin.write(command.encode() + b"\r")
        self.proc.stdin.flush()

    def halt(self, log_name):
        """sync and halt at the shell; QEMU must then end with status 0."""
        self.run("sync", 60)
        self.type("halt")
        try:
            status = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise suite.Failure(f"QEMU did not end after halt (console: {log_name})")
        if status != 0:
            raise suite.Failure(f"QEMU exit status {status} after halt (console: {log_name})")

    def run(self, command, seconds=30):
        """Type command and return the lines it printed, bracketed by
        markers the shell echoes (after the prompt, if the command was
        typed before the shell printed it)."""
        with self.changed:
            start = len(self.lines)
        self.type(f"echo @@begin; {command}; echo @@end")
        first = self.wait_for(r"(?:^|\$ )@@begin$", seconds, start)
        last = self.wait_for(r"(?:^|\$ )@@end$", seconds, first + 1)
        # The next prompt before the next command: typed earlier, the
        # terminal's echo of it would interleave with the prompt, and a
        # marker could then end a line that is neither's.
        self.wait_for(r"\$ ", seconds, last + 1)
        return self.lines[first + 1:last]


class EchoStandIn:
    """The guest's `nc -l -k -e cat`, as much of a process as the tests use:
    it serves every connection and never ends."""

    stderr = None

    def wait(self, timeout=None):
        return 0

    def poll(self):
        return None

    def kill(self):
        pass


class Guest:
    """Keel booted with its network: the OS image (system/keel.system) on
    a copy of the tests' disk with site_files() written into /srv/www (and
    the secret beside it) by the host's debugfs, QEMU's user network
    (restrict=on) forwarding two free ports of 127.0.0.1 to the guest's 80
    -- the httpd /etc/rc started at boot, logging to /var/log/httpd.log --
    and 7007, where the test starts `nc -l -k -p 7007 -e cat &` from the
    shell. The console goes to BUILD/test-logs/httpd.guest.log."""

    peer = "10.0.2.2"  # QEMU's user network connects to the guest
    ECHO_PORT = 7007

    def __init__(self):
        image, self.disk, logs = boot_files(options.build, "os", "httpd.guest.img")
        self.put_site()
        self.http_port, self.echo_port = free_port(), free_port()
        forwards = [f"tcp::{self.http_port}-:80", f"tcp::{self.echo_port}-:{self.ECHO_PORT}"]
        argv = qemu_command(image, extra=disk_args(self.disk) + net_args(forwards))
        self.log = open(os.path.join(logs, "httpd.guest.log"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.console = Console(self.proc, self.log)
        try:
            self.start_echo()
        except BaseException:
            self.kill()
            raise

    def start_echo(self):
        """After the prompt, the echo in the background; httpd's start in
        its log."""
        self.console.wait_for(r"/ \$ $", 120)
        self.console.type(f"nc -l -k -p {self.ECHO_PORT} -e cat &")
        self.console.wait_for(r"^\[\d+\]$", 20)
        deadline = time.monotonic() + 30
        while not any(line.startswith("httpd: serving") for line in self.log_lines()):
            if time.monotonic() > deadline:
                raise suite.Failure(f"httpd did not start: {self.log_lines()[-5:]}")
            time.sleep(0.5)

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(timeout=10)

    def put_site(self):
        """site_files() into /srv/www of the disk copy, the secret into /srv."""
        scratch = tempfile.mkdtemp(prefix="test_httpd.")
        commands = ["rm /srv/www/index.html", "mkdir /srv/www/sub"]
        files = list(site().items()) + [("huge.bin", huge()), ("../secret.txt", SECRET)]
        for name, data in files:
            local = os.path.join(scratch, name.replace("/", "_").replace("..", "up"))
            with open(local, "wb") as f:
                f.write(data)
            commands.append(f"write {local} /srv/www/{name}".replace("/srv/www/../", "/srv/"))
        script = os.path.join(scratch, "commands")
        with open(script, "w") as f:
            f.write("\n".join(commands) + "\n")
        proc = subprocess.run(["debugfs", "-w", "-f", script, self.disk], capture_output=True,
                              text=True, timeout=120)
        shutil.rmtree(scratch, ignore_errors=True)
        if proc.returncode != 0 or "rror" in proc.stderr:
            raise suite.Failure(f"debugfs: {proc.stderr.strip()[-500:]}")

    def log_lines(self):
        """httpd's log, read through the shell."""
        return [line for line in self.console.run("cat /var/log/httpd.log")
                if line.startswith("httpd: ")]

    def check_alive(self):
        if self.proc.poll() is not None:
            raise suite.Failure(f"QEMU ended, status {self.proc.returncode}")
        bad = [line for line in self.console.lines if "KERNEL PANIC" in line or
               "segmentation fault" in line or "stays down" in line]
        if bad:
            raise suite.Failure(f"on the console: {bad[:3]}")
        # only the count: a background job's message (nc's "listening
        # socket lost") may land among the command's lines
        counts = [line for line in self.console.run("ps | grep -c httpd") if line.isdigit()]
        if counts != ["1"]:
            raise suite.Failure(f"httpd is not running (ps | grep -c httpd: {counts})")

    def echo(self):
        return EchoStandIn(), self.echo_port

    def wait_echo(self, proc, port):
        """Until an exchange through the forwarded port works (QEMU accepts
        a connection before the guest's nc has one)."""
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=5) as s:
                    exchange(s, 1)
                return
            except (OSError, suite.Failure):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def kill_listener(self):
        """A restarted net server: every socket, httpd's listener too, gone."""
        self.console.run("service restart net")

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.console.type("halt")
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        self.log.close()
        check = subprocess.run(["e2fsck", "-fn", self.disk], capture_output=True, text=True)
        os.unlink(self.disk)
        return None if check.returncode == 0 else f"e2fsck: {check.stdout[-500:]}"


# Tests that need nc run by the test with its stdin and stdout captured:
# the host's build only. Faults into Keel's driver and server, and a
# listening socket gone under httpd (what a restarted net server does; on
# Linux only root could, with `ss -K`): Keel only.
HOST_ONLY = ("nc_exec_echo", "nc_client", "nc_udp")
GUEST_ONLY = ("listener_lost", "eth_faults_download", "net_crash")


_server = None
_server_error = None


def server():
    """The server under test, started by the first test that asks; one that
    failed to start fails every test without starting again."""
    global _server, _server_error
    if _server_error is not None:
        raise suite.Failure(f"the server did not start: {_server_error}")
    if _server is None:
        try:
            _server = HostServer(options.host_binaries) if options.host_binaries else Guest()
        except Exception as e:
            _server_error = e
            raise
    return _server


def url(path):
    return f"http://{HOST}:{server().http_port}{path}"


def curl(args, timeout=120):
    """(status code, body bytes, stderr) of curl fetching args."""
    proc = subprocess.run(["curl", "-sS", "--max-time", str(timeout - 10), "-w",
                           "\n%{http_code}"] + args, capture_output=True, timeout=timeout)
    body, _, code = proc.stdout.rpartition(b"\n")
    if proc.returncode != 0:
        raise suite.Failure(f"curl {args}: status {proc.returncode}: "
                            f"{proc.stderr.decode(errors='replace').strip()}")
    return int(code), body


def raw_request(data, timeout=20, source_port=0):
    """Send data on a new connection (from source_port, if not 0) and read
    until httpd closes it: (status code or None, headers dict, body bytes)."""
    with socket.socket() as s:
        s.settimeout(timeout)
        if source_port:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((HOST, source_port))
        s.connect((HOST, server().http_port))
        s.sendall(data)
        reply = bytearray()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    return parse_response(bytes(reply))


def parse_response(reply):
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        raise suite.Failure(f"no complete head in {reply[:200]!r}")
    lines = head.decode(errors="replace").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3}) ", lines[0] + " ")
    if not m:
        raise suite.Failure(f"not a status line: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(m.group(1)), headers, body


def expect_status(data, status, what):
    got, headers, body = raw_request(data)
    suite.expect_eq(got, status, what)
    if "content-length" in headers and not data.startswith(b"HEAD "):
        suite.expect_eq(int(headers["content-length"]), len(body), f"{what}: Content-Length")
    return headers, body


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def expect_served_after(what):
    """httpd alive and answering a small request correctly after `what`."""
    server().check_alive()
    code, body = curl([url("/hello.txt")])
    if code != 200 or body != site()["hello.txt"]:
        raise suite.Failure(f"after {what}: /hello.txt gave {code}, {body[:40]!r}")


@test
def fetch_large():
    code, body = curl([url("/large.bin")])
    suite.expect_eq(code, 200, "status of /large.bin")
    suite.expect_eq(len(body), LARGE, "bytes of /large.bin")
    suite.expect_eq(sha256(body), sha256(site()["large.bin"]), "sha256 of /large.bin")


@test
def parallel():
    want = site()["medium.bin"]
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for i in range(50):
            out = os.path.join(tmp, f"{i}.bin")
            procs.append((out, subprocess.Popen(
                ["curl", "-sS", "--max-time", "60", "-o", out, "-w", "%{http_code}",
                 url("/medium.bin")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        failures = []
        for i, (out, proc) in enumerate(procs):
            stdout, stderr = proc.communicate(timeout=90)
            code = stdout.decode().strip()
            with open(out, "rb") if os.path.exists(out) else open(os.devnull, "rb") as f:
                got = f.read()
            if proc.returncode != 0 or code != "200" or got != want:
                failures.append(f"request {i}: curl status {proc.returncode}, HTTP {code}, "
                                f"{len(got)} bytes, {stderr.decode(errors='replace').strip()}")
    if failures:
        raise suite.Failure(f"{len(failures)} of 50 failed; {failures[0]}")
    server().check_alive()


@test
def head():
    proc = subprocess.run(["curl", "-sS", "--max-time", "20", "-I", url("/medium.bin")],
                          capture_output=True, timeout=30)
    status, headers, _ = parse_response(proc.stdout)
    suite.expect_eq(status, 200, "HEAD status (curl -I)")
    suite.expect_eq(headers.get("content-length"), str(len(site()["medium.bin"])),
                    "HEAD Content-Length (curl -I)")
    status, headers, body = raw_request(b"HEAD /hello.txt HTTP/1.0\r\n\r\n")
    suite.expect_eq(status, 200, "HEAD status")
    suite.expect_eq(headers.get("content-length"), str(len(site()["hello.txt"])),
                    "HEAD Content-Length")
    suite.expect_eq(body, b"", "HEAD body")
    _, body = expect_status(b"HEAD /nothing HTTP/1.1\r\nHost: x\r\n\r\n", 404, "HEAD of a missing file")
    suite.expect_eq(body, b"", "HEAD 404 body")


@test
def index_and_types():
    for path, name in (("/", "index.html"), ("/sub/", "sub/index.html"),
                       ("/sub/page.txt", "sub/page.txt")):
        code, body = curl([url(path)])
        suite.expect_eq((code, body), (200, site()[name]), f"GET {path}")
    types = {"index.html": "text/html", "hello.txt": "text/plain", "style.css": "text/css",
             "app.js": "text/javascript", "image.png": "image/png", "photo.jpg": "image/jpeg",
             "data.bin": "application/octet-stream"}
    for name, ctype in types.items():
        headers, body = expect_status(f"GET /{name} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 200,
                                      f"GET /{name}")
        suite.expect_eq(headers.get("content-type"), ctype, f"Content-Type of {name}")
        suite.expect_eq(body, site()[name], f"body of {name}")
    headers, _ = expect_status(b"GET /sub HTTP/1.0\r\n\r\n", 301, "GET /sub")
    suite.expect_eq(headers.get("location"), "/sub/", "Location of /sub")


@test
def log():
    curl([url("/sub/page.txt?log=1")])
    curl(["-I", url("/nothing")])
    peer = server().peer
    want = [f"httpd: {peer} GET /sub/page.txt?log=1 200 {len(site()['sub/page.txt'])}",
            f"httpd: {peer} HEAD /nothing 404 0"]
    deadline = time.monotonic() + 5
    while not all(w in server().log_lines() for w in want):
        if time.monotonic() > deadline:
            raise suite.Failure(f"no lines {want} in httpd's log: {server().log_lines()[-5:]}")
        time.sleep(0.05)


@test
def missing():
    code, _ = curl([url("/no/such/file.html")])
    suite.expect_eq(code, 404, "status of a missing file")
    code, _ = curl([url("/hello.txt/more")])
    suite.expect_eq(code, 404, "status of a path through a file")


# Between two requests of same_port: the last connection's close done on
# both sides (the server's end in TIME-WAIT), as when a client's port
# comes round again. A SYN that comes sooner, while QEMU's user network
# still holds the old connection, is its own matter.
CLOSE_SECONDS = 2


@test
def same_port():
    port = free_port()
    for i in range(3):
        time.sleep(CLOSE_SECONDS if i else 0)
        try:
            code, _, body = raw_request(b"GET /hello.txt HTTP/1.0\r\n\r\n", source_port=port)
        except (socket.timeout, OSError, suite.Failure) as e:
            raise suite.Failure(f"request {i + 1} from port {port}: {e}") from e
        suite.expect_eq((code, body), (200, site()["hello.txt"]),
                        f"request {i + 1} from port {port}")


@test
def escape():
    for target in ("/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                   "/..%2fsecret.txt", "/sub/%2E%2E/%2e%2e/secret.txt", "/./../secret.txt",
                   "/../www/../secret.txt", "/.."):
        status, _, body = raw_request(f"GET {target} HTTP/1.0\r\n\r\n".encode())
        if status not in (403, 404):
            raise suite.Failure(f"GET {target}: status {status}, want 403 or 404")
        if SECRET.strip() in body:
            raise suite.Failure(f"GET {target}: the file outside the root was served")
    code, body = curl(["--path-as-is", url("/../secret.txt")])
    suite.expect_eq(code, 403, "curl --path-as-is /../secret.txt")
    _, body = expect_status(b"GET /sub/../hello.txt HTTP/1.0\r\n\r\n", 200, "/sub/../hello.txt")
    suite.expect_eq(body, site()["hello.txt"], "body of /sub/../hello.txt")
    _, body = expect_status(b"GET /sub/./%70age.txt?x=1 HTTP/1.0\r\n\r\n", 200,
                            "/sub/./%70age.txt?x=1")
    suite.expect_eq(body, site()["sub/page.txt"], "body of /sub/./%70age.txt")


@test
def malformed():
    for request in (b"GARBAGE\r\n\r\n",
                    b"GET /hello.txt\r\n\r\n",
                    b"GET  /hello.txt HTTP/1.1\r\n\r\n",
                    b"GET /hello.txt HTTP/1.1 extra\r\n\r\n",
                    b"GET hello.txt HTTP/1.1\r\n\r\n",
                    b"GET /hello.txt FTP/1.0\r\n\r\n",
                    b"GET /hello.txt HTTP/1.1\r\nno colon here\r\n\r\n",
                    b"GET /hello.txt HTTP/1.1\r\n : empty name\r\n\r\n",
                    b"GET /he\x01llo.txt HTTP/1.1\r\n\r\n",
                    b"GET /%zz HTTP/1.1\r\n\r\n",
                    b"GET /a%00b HTTP/1.1\r\n\r\n",
                    b"\x00\xff\xfe\r\n\r\n",
                    b"\r\n\r\n"):
        expect_status(request, 400, f"status of {request[:40]!r}")
    expect_served_after("malformed requests")


@test
def limits():
    headers, _ = expect_status(b"POST /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n", 405, "POST")
    suite.expect_eq(headers.get("allow"), "GET, HEAD", "Allow of a 405")
    expect_status(b"DELETE / HTTP/1.0\r\n\r\n", 405, "DELETE")
    expect_status(b"GET /hello.txt HTTP/2.0\r\n\r\n", 505, "HTTP/2.0")
    expect_status(b"GET /" + b"a" * 2000 + b" HTTP/1.0\r\n\r\n", 414, "a 2,000-byte target")
    expect_status(b"GET /" + b"a" * 10000 + b" HTTP/1.0\r\n\r\n", 414, "a 10,000-byte target")
    expect_status(b"GET / HTTP/1.0\r\n" + b"X-Long: " + b"x" * 10000 + b"\r\n\r\n", 400,
                  "a 10,000-byte header")
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(1000))
    expect_status(b"GET / HTTP/1.0\r\n" + many + b"\r\n", 400, "1,000 headers")
    expect_served_after("over-long requests")


@test
def disconnect():
    for how in ("close", "reset"):
        s = socket.create_connection((HOST, server().http_port), timeout=20)
        s.sendall(b"GET /large.bin HTTP/1.0\r\n\r\n")
        got = 0
        while got < 200000:
            chunk = s.recv(65536)
            if not chunk:
                raise suite.Failure(f"large.bin ended after {got} bytes")
            got += len(chunk)
        if how == "reset":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        expect_served_after(f"a client that left mid-transfer ({how})")
    for partial in (b"", b"GET /hello", b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n"):
        with socket.create_connection((HOST, server().http_port), timeout=20) as s:
            s.sendall(partial)
        expect_served_after(f"a client that left after {partial!r}")
    fetch_large.__wrapped__()  # and the whole file still arrives


@test
def listener_lost():
    server().kill_listener()
    deadline = time.monotonic() + 10
    while not any(line.startswith("httpd: listening socket lost (") and
                  line.endswith("): reopened") for line in server().log_lines()):
        if time.monotonic() > deadline:
            raise suite.Failure(f"no `reopened` line in 10 s: {server().log_lines()[-3:]}")
        time.sleep(0.05)
    expect_served_after("its listening socket was lost")


def download(path, rate, into, stall=None):
    """curl fetching path into the file `into`, limited to `rate` bytes a
    second (so that it lasts), retrying nothing: the process. With
    `stall`, curl gives up once nothing came for that many seconds."""
    argv = ["curl", "-sS", "--fail", "--limit-rate", str(rate), "-o", into, url(path)]
    if stall is not None:
        argv[1:1] = ["--speed-limit", "1", "--speed-time", str(stall)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def finish_download(proc, target, what, timeout=300):
    """curl's exit 0 and the file's sha256 that of huge.bin."""
    expect_exit(proc, 0, what, timeout=timeout)
    suite.expect_eq(file_sha256(target), sha256(huge()), f"{what}: the 100 MiB file's sha256")


def inject_during_downloads(count):
    """`count` faults into the eth driver -- crash, hang, kill in turn, as
    the shell types them, at least 0.65 s apart (rs keeps a driver down
    after 100 restarts within a minute) -- while curl downloads the 100
    MiB file again and again (at most 1 MB/s, retrying nothing), each
    download whole and right: TCP sent again what each restart dropped.
    The number of downloads; eth's restarts at least `count`."""
    target = tempfile.mktemp(prefix="test_httpd.huge.")
    kinds = ("crash", "hang", "kill")
    downloads = 0
    proc = download("/huge.bin", 1000000, target)
    try:
        time.sleep(1)
        for i in range(count):
            if proc.poll() is not None:
                downloads += 1
                finish_download(proc, target, f"download {downloads} (after {i} injections)")
                proc = download("/huge.bin", 1000000, target)
            started = time.monotonic()
            out = server().console.run(f"service inject eth {kinds[i % 3]} && echo injected")
            if "injected" not in out:
                raise suite.Failure(f"injection {i + 1}: {out}")
            time.sleep(max(0.0, 0.65 - (time.monotonic() - started)))
        downloads += 1
        finish_download(proc, target, f"download {downloads}, under the last injections")
        restarts = [line for line in server().console.run("service list | grep eth")
                    if line.startswith("eth ")]
        if not restarts or int(restarts[0].split()[5]) < count:
            raise suite.Failure(f"eth's restarts: {restarts}")
    finally:
        if proc.poll() is None:
            proc.kill()
        if os.path.exists(target):
            os.unlink(target)
    return downloads


@test
def eth_faults_download():
    """100 faults into eth during one 100 MiB download (at 1 MB/s it
    outlasts them): the file whole and right, then httpd serves."""
    downloads = inject_during_downloads(100)
    suite.expect_eq(downloads, 1, "downloads (one outlasts 100 injections)")
    expect_served_after("100 faults in the eth driver")


@test
def eth_fault_campaign():
    """make stress: options.stress faults into eth under downloads of
    100 MiB one after another, every one right."""
    downloads = inject_during_downloads(options.stress)
    print(f"eth: {options.stress} injections, {downloads} downloads of 100 MiB, "
          f"every byte right", flush=True)
    expect_served_after(f"{options.stress} faults in the eth driver")


@test
def net_crash():
    """A crash of the net server mid-download and mid-conversation: the
    new instance knows none of the old connections. The echo connection,
    whose host side sends next, is reset (lwIP answers a segment of a
    connection it does not know with RST). The download, whose host side
    only receives, hears nothing more: curl ends it by its own stall
    timeout (20 s without a byte). httpd opens a new listening socket and
    the next request is served."""
    target = tempfile.mktemp(prefix="test_httpd.large.")
    proc = download("/large.bin", 500000, target, stall=20)
    server().wait_echo(None, server().echo_port)
    conversation = socket.create_connection((HOST, server().echo_port), timeout=20)
    try:
        exchange(conversation, 10)
        time.sleep(1)
        before = len(server().log_lines())
        server().console.run("service inject net crash")
        expect_reset(conversation)
        try:
            status = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            raise suite.Failure("curl still running 120 s after net crashed")
        if status == 0:
            raise suite.Failure("curl's download survived a crash of the net server")
        deadline = time.monotonic() + 30
        while not any("): reopened" in line for line in server().log_lines()[before:]):
            if time.monotonic() > deadline:
                raise suite.Failure(f"httpd did not reopen: {server().log_lines()[-3:]}")
            time.sleep(0.5)
    finally:
        conversation.close()
        if proc.poll() is None:
            proc.kill()
        if os.path.exists(target):
            os.unlink(target)
    expect_served_after("a crash of the net server")


def expect_reset(sock, seconds=60):
    """A message sent on `sock` every second until the connection fails
    (reset, or ended by the peer): within `seconds`."""
    deadline = time.monotonic() + seconds
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            sock.sendall(message(0))
            if sock.recv(4096) == b"":
                return
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return
    raise suite.Failure(f"the echo connection still open {seconds} s after net crashed")


def message(i):
    length = 1 + (i * 37) % 1400
    return bytes((i + k) % 256 for k in range(length))


def exchange(sock, count):
    for i in range(count):
        m = message(i)
        sock.sendall(m)
        if suite.receive_exactly(sock, len(m)) != m:
            raise suite.Failure(f"message {i} ({len(m)} bytes) came back different")


def expect_exit(proc, status, what, timeout=10):
    try:
        got = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise suite.Failure(f"{what}: still running after {timeout} s")
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    mark = sanitizer_report(err)
    if mark:
        raise suite.Failure(f"{what}: {mark}:\n{err[-2000:]}")
    suite.expect_eq(got, status, f"{what}: exit status (stderr {err.strip()!r})")


@test
def nc_echo():
    proc, port = server().echo()
    try:
        server().wait_echo(proc, port)
        with socket.create_connection((HOST, port), timeout=20) as s:
            exchange(s, 1000)
    except BaseException:
        proc.kill()
        raise
    expect_exit(proc, 0, "nc -l after its peer closed")


@test
def nc_exec_echo():
    port = free_port()
    proc = server().nc(["-l", "-k", "-s", HOST, "-e", "cat", str(port)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    try:
        wait_listening(port)  # that connection is served too, and ends at once
        for _ in range(2):
            with socket.create_connection((HOST, port), timeout=20) as s:
                exchange(s, 200)
                s.shutdown(socket.SHUT_WR)
                suite.expect_eq(s.recv(1), b"", "the end of an echo's connection")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    err = proc.stderr.read().decode(errors="replace")
    if sanitizer_report(err) or err:
        raise suite.Failure(f"nc -l -k -e cat: stderr {err[-2000:]!r}")


@test
def nc_client():
    """A peer that reads until our shutdown, answers, then closes."""
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen(1)
        listener.settimeout(20)
        port = listener.getsockname()[1]
        sent = bytes(random.Random(7).randbytes(300000))
        proc = server().nc([HOST, str(port)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        writer = threading.Thread(target=lambda: (proc.stdin.write(sent), proc.stdin.close()))
        writer.start()
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(20)
            got = bytearray()
            while chunk := conn.recv(65536):
                got += chunk  # until nc's shutdown at the end of its stdin
            conn.sendall(b"answer:" + sha256(bytes(got)).encode())
        writer.join(20)
        out = proc.stdout.read()
        expect_exit(proc, 0, "nc HOST PORT")
    suite.expect_eq(bytes(got) == sent, True, "what nc sent is its stdin")
    suite.expect_eq(out, b"answer:" + sha256(sent).encode(), "nc's stdout")
    proc = server().nc([HOST, str(free_port())], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    expect_exit(proc, 1, "nc to a port nobody listens on")


@test
def nc_udp():
    port = free_port()
    proc = server().nc(["-u", "-l", "-w", "1", "-s", HOST, str(port)], stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(b"pong\n")
    proc.stdin.close()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        answer = None
        deadline = time.monotonic() + 10
        while answer is None and time.monotonic() < deadline:
            s.sendto(b"ping\n", (HOST, port))  # again until nc is there
            try:
                answer = s.recv(100)
            except (socket.timeout, ConnectionRefusedError):
                pass
    suite.expect_eq(answer, b"pong\n", "the datagram from nc -u -l")
    out = proc.stdout.read()
    expect_exit(proc, 0, "nc -u -l -w 1")
    if not out.startswith(b"ping\n") or out.replace(b"ping\n", b"") != b"":
        raise suite.Failure(f"nc -u -l's stdout: {out[:100]!r}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--host-binaries", metavar="DIR",
                        help="run the host builds of httpd and nc from DIR")
    parser.add_argument("--stress", metavar="N", type=int, default=0,
                        help="make stress: only N faults into eth under downloads")
    args, rest = parser.parse_known_args(argv)
    options.build, options.host_binaries = args.build, args.host_binaries
    options.stress = args.stress
    tests = suite._TESTS.get("__main__", [])
    if options.stress > 0:
        tests = [fn for fn in tests if fn.__name__ == "eth_fault_campaign"]
    else:
        skip = (GUEST_ONLY if options.host_binaries else HOST_ONLY) + ("eth_fault_campaign",)
        tests = [fn for fn in tests if fn.__name__ not in skip]
    suite._TESTS["__main__"] = tests
    status = 1
    try:
        status = suite.main(rest)
    finally:
        if _server is not None:
            mark = _server.stop()
            if mark:
                print(f"TEST FAIL httpd_stop: {mark}", flush=True)
                results["failed"] += 1
                status = 1
        print(f"{results['passed']} passed, {results['failed']} failed", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
