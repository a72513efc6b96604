#!/usr/bin/env python3
"""Tests of tools/mksystem.py and of rs's checks of what it writes.

mksystem: every error it must report (FILE:LINE: message, nothing written),
the archive layout and the binary description it packs, its constants
against the C headers. rs's checks (user/os/rs/check.h, built for the host
under ASan as BUILD/host/rscheck): they accept what mksystem writes, reject
corrupted archives with a clear message, and survive thousands of random
corruptions. Speaks the result-line protocol; `test=NAME` runs one test.

usage: test_mksystem.py [BUILD] [test=NAME]
"""

import os
import re
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "host"))
import mksystem  # noqa: E402
from test_pack_image import make_elf, make_root, seg  # noqa: E402
import suite  # noqa: E402

PAGE = 0x1000
BUILD = "build"


# --- running mksystem ---------------------------------------------------------

ELVES = {"a.elf": make_root(), "b.elf": make_root()}


def component(name, elf="a.elf", priority=100, quota="256K", extra=""):
    lines = [f"component {name}", f"    elf {elf}", f"    priority {priority}",
             f"    quota {quota}"]
    return "\n".join(lines) + "\n" + "".join(f"    {x}\n" for x in extra.splitlines() if x)


def run(description, ram="1G", elves=None):
    """(archive bytes or None, errors, description path) for a description text."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (ELVES if elves is None else elves).items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        path = os.path.join(tmp, "test.system")
        with open(path, "w") as f:
            f.write(description)
        archive, errors = mksystem.build(path, [tmp], mksystem.parse_size(ram, 0, "ram"))
        return archive, errors or [], path


def expect_error(description, line, fragment, **kwargs):
    archive, errors, path = run(description, **kwargs)
    if archive is not None:
        raise suite.Failure(f"accepted; want an error at line {line} with {fragment!r}")
    want = f"{path}:{line}: "
    if not any(e.startswith(want) and fragment in e for e in errors):
        raise suite.Failure(f"want '{want}...{fragment}...', got {errors}")


def ok(description, **kwargs):
    archive, errors, _ = run(description, **kwargs)
    if archive is None:
        raise suite.Failure(f"rejected: {errors}")
    return archive


# --- reading an archive -------------------------------------------------------

def read_archive(data):
    magic, version, nfiles, size, _ = mksystem.ARCHIVE_HEADER.unpack_from(data)
    suite.expect_eq((magic, version, size), (mksystem.KEEL_ARCHIVE_MAGIC, 1, len(data)), "archive header")
    files = {}
    for i in range(nfiles):
        name, offset, length = mksystem.ARCHIVE_ENTRY.unpack_from(
            data, mksystem.ARCHIVE_HEADER.size + i * mksystem.ARCHIVE_ENTRY.size)
        files[name.rstrip(b"\0").decode()] = (offset, length)
    return files


def records(data, header_field, count_field, fmt):
    return [fmt.unpack_from(data, header_field + i * fmt.size) for i in range(count_field)]


def read_sysdesc(archive):
    files = read_archive(archive)
    offset, length = files["system"]
    d = archive[offset:offset + length]
    (magic, version, size, ncomp, comps, ngrants, grants, nserv, servs, nchan, chans,
     strings, strings_size, _) = mksystem.SYSDESC_HEADER.unpack_from(d)
    suite.expect_eq((magic, version, size), (mksystem.KEEL_SYSDESC_MAGIC, 1, length), "sysdesc header")
    return {
        "components": records(d, comps, ncomp, mksystem.SYSDESC_COMPONENT),
        "grants": records(d, grants, ngrants, mksystem.SYSDESC_GRANT),
        "services": records(d, servs, nserv, mksystem.SYSDESC_SERVICE),
        "channels": records(d, chans, nchan, mksystem.SYSDESC_CHANNEL),
        "strings": d[strings:strings + strings_size],
        "offset": offset,
        "grants_at": grants,
        "components_at": comps,
    }


def cstr(raw):
    return raw.rstrip(b"\0").decode()


# --- the layout of a valid description ----------------------------------------

FULL = (component("srv", extra="""
serve svc
irq tick 30 edge
device uart 0x9000000 4K
""") + component("cli", elf="b.elf", priority=50, quota="512K", extra="""
stack 32K
arg x "y z"
env A=1
use svc badge=7
use svc as=svc2
untyped mem 64K
asidpool pool
files progs bin/
restart always heartbeat=100 backoff=20 limit=3
""") + """
channel cli.ring srv.ring pages=2
file bin/one a.elf
file bin/two b.elf
""")


@suite.test
def layout_archive_files():
    archive = ok(FULL)
    files = read_archive(archive)
    suite.expect_eq(list(files), ["system", "elf/a.elf", "elf/b.elf", "bin/one", "bin/two"], "names")
    previous_end = mksystem.ARCHIVE_HEADER.size + 5 * mksystem.ARCHIVE_ENTRY.size
    for name, (offset, length) in files.items():
        if offset % PAGE or offset < previous_end:
            raise suite.Failure(f"{name} at 0x{offset:x}: not page-aligned after the previous file")
        previous_end = offset + length
        padding = archive[offset + length:(offset + length + PAGE - 1) // PAGE * PAGE]
        if padding.strip(b"\0"):
            raise suite.Failure(f"{name}: padding is not zero")
    for name, elf in (("elf/a.elf", "a.elf"), ("bin/two", "b.elf")):
        offset, length = files[name]
        suite.expect_eq(archive[offset:offset + length], ELVES[elf], f"{name} contents")
    suite.expect_eq(len(archive) % PAGE, 0, "archive size in pages")


@suite.test
def disk_files_are_not_packed():
    archive = ok(A + "disk bin/one a.elf\ndisk etc/two b.elf\n")
    suite.expect_eq(list(read_archive(archive)), ["system", "elf/a.elf"], "names")


@suite.test
def error_disk_usage():
    expect_error(A + "disk bin/one\n", 5, "usage: disk PATH ELF")
    expect_error(A + "disk /bin/one a.elf\n", 5, "archive file name '/bin/one'")


@suite.test
def layout_components():
    d = read_sysdesc(ok(FULL))
    srv, cli = d["components"]
    (name, elf, quota, stack, prio, first, ngrants, argc, envc, args, args_size,
     restart, heartbeat, backoff, limit, _) = srv
    suite.expect_eq((cstr(name), cstr(elf), quota, stack, prio), ("srv", "elf/a.elf", 256 << 10,
                                                           16 << 10, 100), "srv fields")
    suite.expect_eq((first, ngrants, argc, envc, restart), (0, 4, 1, 0, 0), "srv counts")
    suite.expect_eq(d["strings"][args:args + args_size], b"srv\0", "srv argv")
    (name, elf, quota, stack, prio, first, ngrants, argc, envc, args, args_size,
     restart, heartbeat, backoff, limit, _) = cli
    suite.expect_eq((cstr(name), cstr(elf), quota, stack, prio), ("cli", "elf/b.elf", 512 << 10,
                                                           32 << 10, 50), "cli fields")
    suite.expect_eq((first, ngrants, argc, envc), (4, 6, 3, 1), "cli counts")
    suite.expect_eq(d["strings"][args:args + args_size], b"cli\0x\0y z\0A=1\0", "cli argv and envp")
    suite.expect_eq((restart, heartbeat, backoff, limit), (1, 100, 20, 3), "cli restart policy")


@suite.test
def layout_grants():
    d = read_sysdesc(ok(FULL))
    got = [(cstr(g[0]),) + g[1:9] for g in d["grants"]]
    base = mksystem.KEEL_REGIONS_VADDR
    files_size = PAGE + 2 * ((len(ELVES["a.elf"]) + PAGE - 1) // PAGE * PAGE)
    want = [
        # name, kind, flags, target, irq, badge, paddr, size, vaddr
        ("svc", 1, 0, 0, 0, 0, 0, 0, 0),
        ("tick", 4, 1, 0, 30, 1, 0, 0, 0),
        ("uart", 3, 0, 0, 0, 0, 0x9000000, PAGE, base),
        ("ring", 7, 1, 0, 0, 2, 0, 2 * PAGE, base + 2 * PAGE),
        ("svc", 2, 0, 0, 0, 7, 0, 0, 0),
        ("svc2", 2, 0, 0, 0, 2, 0, 0, 0),  # default badge: component index + 1
        ("mem", 5, 0, 0, 0, 0, 0, 64 << 10, 0),
        ("pool", 6, 0, 0, 0, 0, 0, 0, 0),
        ("progs", 8, 0, 0, 0, 0, 0, files_size, base),
        ("ring", 7, 0, 0, 0, 1, 0, 2 * PAGE, base + files_size + PAGE),
    ]
    for i, (g, w) in enumerate(zip(got, want)):
        suite.expect_eq(g, w, f"grant {i}")
    suite.expect_eq(len(got), len(want), "number of grants")
    files_grant = d["grants"][8]
    suite.expect_eq(d["strings"][files_grant[9]:].split(b"\0")[0], b"bin/", "files prefix")


@suite.test
def layout_services_and_channels():
    d = read_sysdesc(ok(FULL))
    suite.expect_eq([(cstr(s[0]), s[1]) for s in d["services"]], [("svc", 0)], "services")
    suite.expect_eq([c[:3] for c in d["channels"]], [(1, 0, 2)], "channels")


@suite.test
def constants_match_headers():
    headers = ""
    for h in ("startinfo.h", "archive.h", "sysdesc.h"):
        with open(os.path.join(ROOT, "user/os/include/keel/os", h)) as f:
            headers += f.read()
    defines = {m.group(1): m.group(2) for m in
               re.finditer(r"^#define (KEEL_\w+) (\S+)", headers, re.M)}
    for name in ("KEEL_STARTINFO_VADDR", "KEEL_STARTINFO_SIZE", "KEEL_STACK_TOP",
                 "KEEL_REGIONS_VADDR", "KEEL_CNODE_BITS", "KEEL_NAME_MAX", "KEEL_STARTINFO_CAPS",
                 "KEEL_STARTINFO_ARGS_MAX", "KEEL_ARCHIVE_MAGIC", "KEEL_ARCHIVE_VERSION",
                 "KEEL_ARCHIVE_NAME_MAX", "KEEL_SYSDESC_MAGIC", "KEEL_SYSDESC_VERSION",
                 "KEEL_SYSDESC_MAX_COMPONENTS", "KEEL_SYSDESC_MAX_NOTIFY_BITS",
                 "KEEL_PRIORITY_MAX", "KEEL_SYSDESC_SERVER_RS"):
        value = int(re.sub(r"u?l*$", "", defines[name], flags=re.I), 0)
        suite.expect_eq(getattr(mksystem, name), value, name)
    suite.expect_eq(defines["KEEL_SYSDESC_FILE"], '"system"', "KEEL_SYSDESC_FILE")
    sizes = {m.group(1): int(m.group(2)) for m in
             re.finditer(r"sizeof\((\w+)\) == (\d+)", headers)}
    for ctype, fmt in (("keel_archive_header_t", mksystem.ARCHIVE_HEADER),
                       ("keel_archive_entry_t", mksystem.ARCHIVE_ENTRY),
                       ("keel_sysdesc_t", mksystem.SYSDESC_HEADER),
                       ("keel_sysdesc_component_t", mksystem.SYSDESC_COMPONENT),
                       ("keel_sysdesc_grant_t", mksystem.SYSDESC_GRANT),
                       ("keel_sysdesc_service_t", mksystem.SYSDESC_SERVICE),
                       ("keel_sysdesc_channel_t", mksystem.SYSDESC_CHANNEL)):
        suite.expect_eq(fmt.size, sizes[ctype], f"size of {ctype}")


# --- errors ---------------------------------------------------------------------

A = component("a")
B = component("b", elf="b.elf")


@suite.test
def error_malformed_quoting():
    expect_error(A + '    arg "unterminated\n', 5, "malformed line")


@suite.test
def error_unknown_keyword():
    expect_error(A + "    colour blue\n", 5, "unknown keyword 'colour'")


@suite.test
def error_attribute_outside_component():
    expect_error("priority 3\n" + A, 1, "'priority' outside a component")


@suite.test
def error_not_a_number():
    expect_error(component("a", priority="high"), 3, "'high' is not a number")


@suite.test
def error_priority_out_of_range():
    expect_error(component("a", priority=255), 3, "out of range (1..254)")


@suite.test
def rs_service_is_the_root_tasks():
    archive = ok(component("a", extra="use rs\n") + component("b", extra="use svc\n") +
                 component("c", extra="serve svc\n"))
    d = read_sysdesc(archive)
    suite.expect_eq([(cstr(s[0]), s[1]) for s in d["services"]],
              [("svc", 2), ("rs", mksystem.KEEL_SYSDESC_SERVER_RS)], "services")
    suite.expect_eq((d["grants"][0][1], d["grants"][0][3]), (2, 1), "use rs: kind use, service 1")
    suite.expect_eq(rscheck(archive).split(":")[0], "ok", "rscheck")
    expect_error(A + "    serve rs\n", 5, "service 'rs' is the root task's own")


@suite.test
def error_quota_not_power_of_two():
    expect_error(component("a", quota="300K"), 4, "not a power of two")


@suite.test
def error_quota_too_small():
    expect_error(component("a", quota="128K"), 1, "is below the")


@suite.test
def error_stack_not_pages():
    expect_error(A + "    stack 10000\n", 5, "multiple of 4 KiB")


@suite.test
def error_duplicate_component():
    expect_error(A + A, 5, "described twice (first at line 1)")


@suite.test
def error_duplicate_grant_name():
    expect_error(A + "    untyped m 4K\n    asidpool m\n", 6, "already has a grant named 'm'")


@suite.test
def error_reserved_grant_name():
    expect_error(A + "    asidpool notify\n", 5, "'notify' is reserved")


@suite.test
def error_missing_field():
    expect_error("component a\n    elf a.elf\n    priority 3\n", 1, "has no quota")


@suite.test
def error_attribute_twice():
    expect_error(A + "    priority 4\n", 5, "'priority' given twice")


@suite.test
def error_missing_elf():
    expect_error(component("a", elf="nothere.elf"), 1, "ELF 'nothere.elf' not found")


@suite.test
def error_not_an_elf():
    elves = dict(ELVES, **{"junk.elf": b"#!/bin/sh\n"})
    expect_error(component("a", elf="junk.elf"), 1, "not an ELF file", elves=elves)


@suite.test
def error_elf_writable_and_executable():
    elves = dict(ELVES, **{"wx.elf": make_root([seg(0x40_0000, b"\0" * 16, flags=7)])})
    expect_error(component("a", elf="wx.elf"), 1, "writable and executable", elves=elves)


@suite.test
def error_elf_outside_component_area():
    high = make_root([seg(0x4000_0000, b"\0" * 16)], entry=0x4000_0000)
    expect_error(component("a", elf="high.elf"), 1, "lies outside",
                 elves=dict(ELVES, **{"high.elf": high}))


@suite.test
def error_elf_entry_not_executable():
    elf = make_root([seg(0x40_0000, b"\0" * 16), seg(0x40_1000, b"\0" * 16, flags=6)],
                    entry=0x40_1000)
    expect_error(component("a", elf="e.elf"), 1, "not in an executable segment",
                 elves=dict(ELVES, **{"e.elf": elf}))


@suite.test
def error_channel_to_unknown_component():
    expect_error(A + "channel a.x nobody.y\n", 5, "names component 'nobody'")


@suite.test
def error_channel_to_itself():
    expect_error(A + "channel a.x a.y\n", 5, "two different components")


@suite.test
def error_channel_name_too_long():
    expect_error(A + B + "channel a.%s b.y\n" % ("n" * 25), 9, "at most 24 characters")


@suite.test
def error_channel_malformed_end():
    expect_error(A + B + "channel a b.y\n", 9, "want COMPONENT.NAME")


@suite.test
def channel_frames_and_use_mint():
    text = (component("a", extra="serve svc") + component("b", extra="use svc mint") +
            "channel a.x b.y pages=3 frames=b\n")
    d = read_sysdesc(ok(text))
    flags = {(cstr(g[0]), g[1]): (g[2], g[5]) for g in d["grants"]}
    suite.expect_eq(flags[("svc", mksystem.GRANT_USE)], (mksystem.GRANT_USE_MINT, 0),
                    "use mint: flags, badge 0")
    suite.expect_eq(flags[("y", mksystem.GRANT_CHANNEL)][0],
                    mksystem.GRANT_END_B | mksystem.GRANT_FRAMES, "frames end: flags")
    suite.expect_eq(flags[("x", mksystem.GRANT_CHANNEL)][0], 0, "other end: flags")
    suite.expect_eq(rscheck(ok(text)).split(":")[0], "ok", "rscheck")


@suite.test
def rs_channel_end_and_heartbeat():
    text = (component("drv", extra="restart always heartbeat=100 backoff=10 limit=5") +
            "channel rs.clock drv.rs\n")
    d = read_sysdesc(ok(text))
    end0, end1, pages, rs_name = d["channels"][0]
    suite.expect_eq((end0, end1, pages), (mksystem.KEEL_SYSDESC_SERVER_RS, 0, 1), "rs's end")
    suite.expect_eq(d["strings"][rs_name:rs_name + 6], b"clock\0", "rs's end's name")
    names = [cstr(g[0]) for g in d["grants"]]
    suite.expect_eq(names, ["rs"], "only the driver's end is a grant")
    suite.expect_eq(rscheck(ok(text)).split(":")[0], "ok", "rscheck")


@suite.test
def error_rs_channel_server_end():
    expect_error(A + "channel a.x rs.y\n", 5, "rs can be a channel's client only")


@suite.test
def error_rs_channel_names_repeated():
    expect_error(A + "channel rs.x a.y\nchannel rs.x a.z\n", 6, "rs has two channels named 'x'")


@suite.test
def error_component_named_rs():
    expect_error(component("rs"), 1, "component name 'rs' is the root task's")


@suite.test
def error_heartbeat_too_often():
    expect_error(A + "    restart always heartbeat=5\n", 5, "heartbeat=5: at least 10 ms")


@suite.test
def error_use_mint_with_badge():
    expect_error(A + B + "    use svc mint badge=3\n", 9, "no badge with it")


@suite.test
def error_frames_not_an_end():
    expect_error(A + B + "channel a.x b.y frames=c\n", 9, "not an end of this channel")


@suite.test
def error_frames_overflow_cnode():
    expect_error(A + B + "channel a.x b.y pages=1024 frames=a\n" +
                 "channel a.p b.q pages=1024 frames=a\n" +
                 "channel a.r b.s pages=1024 frames=a\n" +
                 "channel a.t b.u pages=1024 frames=a\n", 1, "more than its CNode")


@suite.test
def error_use_of_service_nobody_serves():
    expect_error(A + "    use ghost\n", 5, "uses service 'ghost', which no component serves")


@suite.test
def error_service_served_twice():
    expect_error(A + "    serve s\n" + B + "    serve s\n", 10, "already served by 'a'")


@suite.test
def error_badge_repeated():
    expect_error(A + "    serve s\n    use s badge=3\n" + B + "    use s badge=3\n", 11,
                 "badge 3 of service 's' is already given to 'a'")


@suite.test
def error_badge_reserved_bit():
    expect_error(A + "    serve s\n    use s badge=0x8000000000000000\n", 6, "out of range")


@suite.test
def error_device_claimed_twice():
    expect_error(A + "    device d 0x9000000 8K\n" + B + "    device e 0x9001000 4K\n", 10,
                 "device pages [0x9001000, 0x9002000) of 'b' already claimed by 'a' (line 5)")


@suite.test
def dma_region_and_frames():
    d = read_sysdesc(ok(A + "    dma queue 8K\n    device regs 0x9000000 4K\n"))
    got = [(cstr(g[0]),) + g[1:9] for g in d["grants"]]
    base = mksystem.KEEL_REGIONS_VADDR
    suite.expect_eq(got, [("queue", 9, 0, 0, 0, 0, 0, 2 * PAGE, base),
                          ("regs", 3, 0, 0, 0, 0, 0x9000000, PAGE, base + 3 * PAGE)], "grants")
    suite.expect_eq(rscheck(ok(A + "    dma queue 8K\n")), "ok: 2 files", "rscheck")


@suite.test
def error_dma_size():
    expect_error(A + "    dma q 100\n", 5, "whole pages")
    expect_error(A + "    dma q 32M\n", 5, "at most 16 MiB")
    expect_error(A + "    dma q\n", 5, "usage: dma NAME SIZE")


@suite.test
def error_dma_above_ram():
    expect_error(component("a", quota="512K") + "    dma q 1M\n", 1, "above the RAM (1 MiB)",
                 ram="1M")


@suite.test
def error_device_not_whole_pages():
    expect_error(A + "    device d 0x9000010 4K\n", 5, "whole pages")


@suite.test
def error_irq_claimed_twice():
    expect_error(A + "    irq t 33\n" + B + "    irq u 33 edge\n", 10,
                 "IRQ 33 of 'b' already claimed by 'a' (line 5)")


@suite.test
def error_irq_bad_trigger():
    expect_error(A + "    irq t 33 rising\n", 5, "usage: irq NAME NUMBER [level|edge]")


@suite.test
def error_quotas_above_ram():
    text = component("a", quota="512K") + component("b", elf="b.elf", quota="512K") + \
        "    untyped m 64K\n"
    expect_error(text, 5, "above the RAM (1 MiB)", ram="1M")


@suite.test
def error_too_many_notification_bits():
    irqs = "".join(f"    irq i{n} {100 + n}\n" for n in range(63))
    expect_error(component("a", quota="1M") + irqs, 1, "a notification has 62 bits")


@suite.test
def error_too_many_start_page_entries():
    pools = "".join(f"    asidpool p{n}\n" for n in range(65))
    expect_error(A + pools, 1, "65 start-page entries, more than 64")


@suite.test
def error_arguments_too_big():
    expect_error(A + "    arg " + "x" * 13000 + "\n", 1, "do not fit its start page")


@suite.test
def error_files_match_nothing():
    expect_error(A + "    files f bin/\n", 5, "no archive file starts with 'bin/'")


@suite.test
def error_archive_name_reserved():
    expect_error(A + "file system a.elf\n", 5, "archive name 'system' is reserved")


@suite.test
def error_archive_name_repeated():
    expect_error(A + "file bin/x a.elf\nfile bin/x b.elf\n", 6, "listed twice (line 5)")


@suite.test
def error_restart_policy():
    expect_error(A + "    restart sometimes\n", 5, "usage: restart always|never")
    expect_error(A + "    restart always limit=-1\n", 5, "out of range")


@suite.test
def error_empty_description():
    expect_error("# nothing\n", 1, "no component")


@suite.test
def error_every_error_reported():
    _, errors, path = run(A + "    colour blue\n    priority x\n")
    suite.expect_eq([e.split(": ")[0] for e in errors], [f"{path}:5", f"{path}:6"], "error lines")


# --- the command line ---------------------------------------------------------

def run_cli(description, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in ELVES.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        path = os.path.join(tmp, "d.system")
        with open(path, "w") as f:
            f.write(description)
        out = os.path.join(tmp, "out.archive")
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools/mksystem.py"), path,
                               "--elf-dir", tmp, "-o", out, *extra],
                              capture_output=True, text=True)
        written = open(out, "rb").read() if os.path.exists(out) else None
        return proc, written, path


@suite.test
def cli_success_writes_archive_silently():
    proc, written, _ = run_cli(FULL)
    suite.expect_eq((proc.returncode, proc.stdout, proc.stderr), (0, "", ""), "status and output")
    if written is None or not written.startswith(struct.pack("<Q", mksystem.KEEL_ARCHIVE_MAGIC)):
        raise suite.Failure("no archive written")


@suite.test
def cli_error_exits_1_without_output():
    proc, written, path = run_cli(A + "    use ghost\n")
    suite.expect_eq((proc.returncode, written), (1, None), "status and output file")
    if not proc.stderr.startswith(f"{path}:5: "):
        raise suite.Failure(f"stderr: {proc.stderr!r}")


@suite.test
def cli_ram_option():
    proc, written, _ = run_cli(A, "--ram", "128K")
    suite.expect_eq((proc.returncode, written), (1, None), "status and output file")
    if "above the RAM (128 KiB)" not in proc.stderr:
        raise suite.Failure(f"stderr: {proc.stderr!r}")


# --- rs's checks (BUILD/host/rscheck) -----------------------------------------

def rscheck(data, *args):
    tool = os.path.join(BUILD, "host", "rscheck")
    if not os.path.exists(tool):
        raise suite.Failure(f"{tool} is missing (make {tool})")
    with tempfile.NamedTemporaryFile(suffix=".archive") as f:
        f.write(data)
        f.flush()
        proc = subprocess.run([tool, *args, f.name], capture_output=True, text=True)
    if proc.returncode not in (0, 1) or proc.stderr:
        raise suite.Failure(f"rscheck crashed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout.strip()


def patched(archive, offset, fmt, value):
    data = bytearray(archive)
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


def expect_rejected(data, fragment):
    out = rscheck(data)
    if not out.startswith("rejected: ") or fragment not in out:
        raise suite.Failure(f"want a rejection with {fragment!r}, got {out!r}")


@suite.test
def rscheck_accepts_what_mksystem_writes():
    suite.expect_eq(rscheck(ok(FULL)), "ok: 5 files", "rscheck")


@suite.test
def rscheck_rejects_corrupt_archive():
    archive = ok(FULL)
    expect_rejected(archive[:20], "archive: shorter than its header")
    expect_rejected(patched(archive, 0, "<Q", 0), "archive: bad magic")
    expect_rejected(archive[:-PAGE], "archive: its size field disagrees")
    files = read_archive(archive)
    entry = mksystem.ARCHIVE_HEADER.size + 1 * mksystem.ARCHIVE_ENTRY.size  # elf/a.elf
    expect_rejected(patched(archive, entry + 48, "<Q", files["elf/a.elf"][0] + 8),
                    "misaligned, out of bounds or out of order")
    expect_rejected(patched(archive, entry, "<8s", b"system\0\0"), "repeated")


@suite.test
def rscheck_rejects_corrupt_description():
    archive = ok(FULL)
    d = read_sysdesc(archive)
    comp = d["offset"] + d["components_at"]
    grant = d["offset"] + d["grants_at"]
    grant_size = mksystem.SYSDESC_GRANT.size
    cases = [
        (comp + 96, "<I", 0, "priority"),                       # srv's priority
        (comp + 80, "<Q", 300 << 10, "quota"),                   # not a power of two
        (comp + 104, "<I", 1000, "grants lie outside"),          # srv's ngrants
        (comp + 108, "<I", 9, "arguments"),                      # argc
        (grant + 40, "<I", 5, "serves a service that is not its own"),  # serve target
        (grant + 4 * grant_size + 48, "<Q", 1 << 63, "bad service or badge"),
        (grant + 2 * grant_size + 72, "<Q", 0x3000_0000, "region"),  # device vaddr too low
        (grant + 3 * grant_size + 48, "<Q", 1, "notification bit is repeated"),
        (grant + 8 * grant_size + 64, "<Q", PAGE, "files do not match"),
        (grant + 3 * grant_size + 40, "<I", 7, "bad channel"),
    ]
    for offset, fmt, value, fragment in cases:
        expect_rejected(patched(archive, offset, fmt, value), fragment)


@suite.test
def rscheck_rejects_corrupt_elf():
    archive = ok(FULL)
    offset, _ = read_archive(archive)["elf/a.elf"]
    expect_rejected(patched(archive, offset + 18, "<H", 62), "not a little-endian AArch64")
    expect_rejected(patched(archive, offset + 64 + 4, "<I", 7), "writable and executable")
    expect_rejected(patched(archive, offset + 24, "<Q", 0x40_1100), "entry point")
    expect_rejected(patched(archive, offset + 64 + 8, "<Q", 1 << 20), "beyond the end")


@suite.test
def rscheck_survives_corruption():
    out = rscheck(ok(FULL), "--fuzz", "3000", "1")
    if not out.startswith("fuzz: 3000 corrupted archives"):
        raise suite.Failure(out)


@suite.test
def rscheck_os_archive():
    """The archive of the OS image (make builds it before the tests)."""
    path = os.path.join(BUILD, "os", "system", "os.archive")
    if not os.path.exists(path):
        raise suite.Failure(f"{path} is missing")
    with open(path, "rb") as f:
        data = f.read()
    if not rscheck(data).startswith("ok: "):
        raise suite.Failure("rejected")
    out = rscheck(data, "--fuzz", "3000", "2")
    if not out.startswith("fuzz: 3000 corrupted archives"):
        raise suite.Failure(out)


def main(argv):
    global BUILD
    BUILD = suite.positional(argv, BUILD)
    return suite.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
