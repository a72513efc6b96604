#!/usr/bin/env python3
"""Check a Keel system description and pack it into a boot archive.

The description (system/keel.system; docs/os.md, "Description format") names
every component of the OS: its ELF, priority, memory quota, stack, devices,
interrupts, services, channels, memory grants and restart policy. This tool
checks it -- every error is reported as FILE:LINE: message, and on any error
nothing is written -- then compiles it into the binary form rs reads
(user/os/include/keel/os/sysdesc.h) and packs that, every component's ELF and
the other files it lists (the programs of /bin) into one boot archive
(keel/os/archive.h), which the build links into rs.

usage: mksystem.py DESCRIPTION --elf-dir DIR [--elf-dir DIR...] [--ram SIZE] -o ARCHIVE
Exit status 0 on success, 1 when the description has errors, 2 on bad usage.
"""

import argparse
import os
import re
import shlex
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pack_image import Elf, PackError  # noqa: E402

PAGE = 0x1000

# keel/os/startinfo.h, keel/os/archive.h, keel/os/sysdesc.h (tests/host/
# test_mksystem.py checks these against the headers).
KEEL_STARTINFO_VADDR = 0x7FF00000
KEEL_STARTINFO_SIZE = 0x4000
KEEL_STACK_TOP = 0x7FE00000
KEEL_REGIONS_VADDR = 0x40000000
KEEL_CNODE_BITS = 12
KEEL_SLOT_FIRST_FREE = 16
KEEL_NAME_MAX = 32
KEEL_STARTINFO_CAPS = 64
KEEL_STARTINFO_ARGS_MAX = 256
STARTINFO_HEADER_SIZE = 96 + 64 * KEEL_STARTINFO_CAPS + 24  # offsetof(strings)
KEEL_ARCHIVE_MAGIC = 0x314352414C45454B
KEEL_ARCHIVE_VERSION = 1
KEEL_ARCHIVE_NAME_MAX = 48
KEEL_SYSDESC_MAGIC = 0x315359534C45454B
KEEL_SYSDESC_VERSION = 1
KEEL_SYSDESC_FILE = "system"
KEEL_SYSDESC_MAX_COMPONENTS = 64
KEEL_SYSDESC_MAX_NOTIFY_BITS = 62
KEEL_SYSDESC_MAX_HEARTBEATS = 48
KEEL_SYSDESC_MAX_RS_CHANNELS = 8
KEEL_PRIORITY_MAX = 254
KEEL_SYSDESC_SERVER_RS = 0xFFFFFFFF
RS_SERVICE = "rs"  # the root task's own service (proto/rs.proto): `use rs`, never `serve rs`

GRANT_SERVE, GRANT_USE, GRANT_DEVICE, GRANT_IRQ = 1, 2, 3, 4
GRANT_UNTYPED, GRANT_ASID_POOL, GRANT_CHANNEL, GRANT_FILES, GRANT_DMA = 5, 6, 7, 8, 9
REGION_GRANTS = (GRANT_DEVICE, GRANT_CHANNEL, GRANT_FILES, GRANT_DMA)
KEEL_SYSDESC_MAX_DMA = 16 << 20
GRANT_CAN_GRANT = GRANT_EDGE = GRANT_END_B = GRANT_MINT = 1
GRANT_USE_MINT = GRANT_FRAMES = 2
RESTART = {"never": 0, "always": 1, "halt": 2}
HEARTBEAT_MIN_MS = 10  # rs's pings are not a load

ARCHIVE_HEADER = struct.Struct("<QIIQQ")
ARCHIVE_ENTRY = struct.Struct(f"<{KEEL_ARCHIVE_NAME_MAX}sQQ")
SYSDESC_HEADER = struct.Struct("<QII" + "I" * 10 + "Q")
SYSDESC_COMPONENT = struct.Struct(f"<{KEEL_NAME_MAX}s{KEEL_ARCHIVE_NAME_MAX}sQQ" + "I" * 12)
SYSDESC_GRANT = struct.Struct(f"<{KEEL_NAME_MAX}sIIIIQQQQII")
SYSDESC_SERVICE = struct.Struct(f"<{KEEL_NAME_MAX}sII")
SYSDESC_CHANNEL = struct.Struct("<IIII")

# What a component costs before its pages: the CNode (2^12 slots of 32
# bytes, retyped first at the start of the quota untyped), its VSpace, and
# its TCB (2 KiB, padded to a page by the 4 KiB objects that follow).
FIXED_COST = (1 << (KEEL_CNODE_BITS + 5)) + PAGE + PAGE
MIN_STACK = 2 * PAGE

NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
FILE_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
SIZE_RE = re.compile(r"^(0x[0-9a-fA-F]+|[0-9]+)([KMG]?)$")
SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
RESERVED_NAMES = {"notify"}
RESTART_LIMIT_MAX = 128  # rs.h RS_RESTARTS_KEPT
NOTIFY_SUFFIX = ".notify"  # a channel end's start-page entry for signalling the other end


class DescError(Exception):
    """One error at a line of the description."""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


def parse_size(text, line, what):
    m = SIZE_RE.match(text)
    if not m:
        raise DescError(line, f"{what}: '{text}' is not a size (a number, 0x..., K, M or G)")
    return int(m.group(1), 0) * SUFFIX[m.group(2)]


def parse_int(text, line, what, lo, hi):
    try:
        value = int(text, 0)
    except ValueError:
        raise DescError(line, f"{what}: '{text}' is not a number") from None
    if not lo <= value <= hi:
        raise DescError(line, f"{what}: {value} is out of range ({lo}..{hi})")
    return value


def check_name(text, line, what):
    if not NAME_RE.match(text) or len(text) >= KEEL_NAME_MAX:
        raise DescError(line, f"{what} '{text}': names are 1..{KEEL_NAME_MAX - 1} characters "
                        "of A-Z a-z 0-9 _ -")
    return text


def check_file_name(text, line):
    if not FILE_NAME_RE.match(text) or len(text) >= KEEL_ARCHIVE_NAME_MAX:
        raise DescError(line, f"archive file name '{text}': 1..{KEEL_ARCHIVE_NAME_MAX - 1} "
                        "characters of A-Z a-z 0-9 _ . - in /-separated parts")
    return text


def fmt_size(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n} bytes"


def options(words, line, allowed):
    """key=value words -> dict; bare words listed in allowed as True flags."""
    out = {}
    for word in words:
        key, eq, value = word.partition("=")
        if key not in allowed or (allowed[key] == "flag") == bool(eq):
            raise DescError(line, f"unexpected '{word}' (allowed: {', '.join(sorted(allowed))})")
        if key in out:
            raise DescError(line, f"'{key}' given twice")
        out[key] = True if allowed[key] == "flag" else value
    return out


class Grant:
    def __init__(self, line, kind, name):
        self.line, self.kind, self.name = line, kind, name
        self.flags = self.target = self.irq = self.badge = 0
        self.paddr = self.size = self.vaddr = 0
        self.service = self.prefix = None
        self.string = 0


class Component:
    def __init__(self, line, name, index):
        self.line, self.name, self.index = line, name, index
        self.elf = self.priority = self.quota = None
        self.stack = 4 * PAGE
        self.args, self.env = [], []
        self.grants = []
        self.restart = ("never", 0, 0, 0)
        self.seen = set()  # attributes given once
        self.elf_path = self.elf_pages = None


class Channel:
    def __init__(self, line, ends, pages):
        self.line, self.ends, self.pages = line, ends, pages
        self.frames = None  # the end (0 or 1) given the frame caps
        self.rs_name = 0  # rs's end: its name's offset in the string table


RS_END = "rs"  # a channel end naming rs itself: rs is that channel's client


def end_index(system, name):
    return KEEL_SYSDESC_SERVER_RS if name == RS_END else system.component(name).index


class System:
    def __init__(self, path):
        self.path = path
        self.components = []
        self.channels = []
        self.files = []  # (line, archive name, file)
        self.disk_files = []  # (line, path on the disk, file): tools/mkdisk.py's, not packed
        self.errors = []  # (line, message)

    def error(self, line, message):
        self.errors.append((line, message))

    def component(self, name):
        return next((c for c in self.components if c.name == name), None)


# --- parsing ------------------------------------------------------------------

def parse(path, text):
    """The description as a System; syntax errors are collected in .errors."""
    system = System(path)
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        try:
            words = shlex.split(raw, comments=True)
        except ValueError as e:
            system.error(number, f"malformed line: {e}")
            continue
        if not words:
            continue
        try:
            current = parse_line(system, current, number, words)
        except DescError as e:
            system.error(e.line, e.message)
    return system


def parse_line(system, current, line, words):
    keyword, args = words[0], words[1:]
    if keyword == "component":
        if len(args) != 1:
            raise DescError(line, "usage: component NAME")
        name = check_name(args[0], line, "component")
        if system.component(name):
            raise DescError(line, f"component '{name}' is described twice "
                            f"(first at line {system.component(name).line})")
        comp = Component(line, name, len(system.components))
        system.components.append(comp)
        return comp
    if keyword == "channel":
        parse_channel(system, line, args)
        return None
    if keyword == "file":
        if len(args) != 2:
            raise DescError(line, "usage: file ARCHIVE-NAME ELF")
        system.files.append((line, check_file_name(args[0], line), args[1]))
        return None
    if keyword == "disk":
        if len(args) != 2:
            raise DescError(line, "usage: disk PATH ELF")
        system.disk_files.append((line, check_file_name(args[0], line), args[1]))
        return None
    if keyword not in ATTRIBUTES:
        raise DescError(line, f"unknown keyword '{keyword}'")
    if current is None:
        raise DescError(line, f"'{keyword}' outside a component")
    ATTRIBUTES[keyword](current, line, args)
    return current


def once(comp, line, keyword):
    if keyword in comp.seen:
        raise DescError(line, f"'{keyword}' given twice for component '{comp.name}'")
    comp.seen.add(keyword)


def attr_elf(comp, line, args):
    if len(args) != 1:
        raise DescError(line, "usage: elf FILE")
    once(comp, line, "elf")
    comp.elf = args[0]


def attr_priority(comp, line, args):
    if len(args) != 1:
        raise DescError(line, "usage: priority N")
    once(comp, line, "priority")
    comp.priority = parse_int(args[0], line, "priority", 1, KEEL_PRIORITY_MAX)


def attr_quota(comp, line, args):
    if len(args) != 1:
        raise DescError(line, "usage: quota SIZE")
    once(comp, line, "quota")
    quota = parse_size(args[0], line, "quota")
    if quota & (quota - 1) or quota == 0:
        raise DescError(line, f"quota {fmt_size(quota)} is not a power of two "
                        "(it is one untyped object)")
    comp.quota = quota


def attr_stack(comp, line, args):
    if len(args) != 1:
        raise DescError(line, "usage: stack SIZE")
    once(comp, line, "stack")
    stack = parse_size(args[0], line, "stack")
    if stack % PAGE or stack < MIN_STACK:
        raise DescError(line, f"stack {fmt_size(stack)} must be a multiple of 4 KiB, "
                        f"at least {fmt_size(MIN_STACK)}")
    comp.stack = stack


def attr_arg(comp, line, args):
    comp.args.extend(args)


def attr_env(comp, line, args):
    for word in args:
        if "=" not in word or word.startswith("="):
            raise DescError(line, f"env '{word}': want NAME=VALUE")
    comp.env.extend(args)


def new_grant(comp, line, kind, name, what="grant"):
    grant = Grant(line, kind, check_name(name, line, what))
    comp.grants.append(grant)
    return grant


def attr_serve(comp, line, args):
    if not args:
        raise DescError(line, "usage: serve SERVICE [mint]")
    opts = options(args[1:], line, {"mint": "flag"})
    grant = new_grant(comp, line, GRANT_SERVE, args[0], "service")
    grant.service = grant.name
    if "mint" in opts:
        # The server gets its endpoint with every right, to mint badged
        # copies for clients it makes (pm: its programs).
        grant.flags |= GRANT_MINT


def attr_use(comp, line, args):
    if not args:
        raise DescError(line, "usage: use SERVICE [badge=N | mint] [as=NAME] [grant]")
    opts = options(args[1:], line, {"badge": "value", "as": "value", "grant": "flag",
                                    "mint": "flag"})
    service = check_name(args[0], line, "service")
    grant = new_grant(comp, line, GRANT_USE, opts.get("as", service))
    grant.service = service
    grant.badge = comp.index + 1
    if "mint" in opts:
        # An unbadged endpoint, to mint badged copies for clients the
        # component makes (pm gives its programs "vfs" badged with their pid).
        if "badge" in opts:
            raise DescError(line, "'mint' gives an unbadged endpoint: no badge with it")
        grant.badge = 0
        grant.flags |= GRANT_USE_MINT
    elif "badge" in opts:
        # Bit 63 marks notification badges (KEEL_BADGE_NOTIFY).
        grant.badge = parse_int(opts["badge"], line, "badge", 1, (1 << 63) - 1)
    if "grant" in opts:
        grant.flags |= GRANT_CAN_GRANT


def attr_device(comp, line, args):
    if len(args) != 3:
        raise DescError(line, "usage: device NAME ADDRESS SIZE")
    grant = new_grant(comp, line, GRANT_DEVICE, args[0])
    grant.paddr = parse_size(args[1], line, "device address")
    grant.size = parse_size(args[2], line, "device size")
    if grant.paddr % PAGE or grant.size % PAGE or grant.size == 0:
        raise DescError(line, f"device '{grant.name}': address and size must be whole pages")


def attr_dma(comp, line, args):
    if len(args) != 2:
        raise DescError(line, "usage: dma NAME SIZE")
    grant = new_grant(comp, line, GRANT_DMA, args[0])
    grant.size = parse_size(args[1], line, "dma size")
    if grant.size % PAGE or not 0 < grant.size <= KEEL_SYSDESC_MAX_DMA:
        raise DescError(line, f"dma '{grant.name}': whole pages, at most "
                        f"{fmt_size(KEEL_SYSDESC_MAX_DMA)}")


def attr_irq(comp, line, args):
    if len(args) not in (2, 3) or (len(args) == 3 and args[2] not in ("level", "edge")):
        raise DescError(line, "usage: irq NAME NUMBER [level|edge]")
    grant = new_grant(comp, line, GRANT_IRQ, args[0])
    grant.irq = parse_int(args[1], line, "irq", 0, 1019)
    if len(args) == 3 and args[2] == "edge":
        grant.flags |= GRANT_EDGE


def attr_untyped(comp, line, args):
    if len(args) != 2:
        raise DescError(line, "usage: untyped NAME SIZE")
    grant = new_grant(comp, line, GRANT_UNTYPED, args[0])
    grant.size = parse_size(args[1], line, "untyped size")
    if grant.size & (grant.size - 1) or grant.size < PAGE:
        raise DescError(line, f"untyped '{grant.name}': {fmt_size(grant.size)} is not a "
                        "power of two of at least 4 KiB")


def attr_asidpool(comp, line, args):
    if len(args) != 1:
        raise DescError(line, "usage: asidpool NAME")
    new_grant(comp, line, GRANT_ASID_POOL, args[0])


def attr_files(comp, line, args):
    if len(args) != 2:
        raise DescError(line, "usage: files NAME PREFIX")
    grant = new_grant(comp, line, GRANT_FILES, args[0])
    grant.prefix = args[1]


def attr_restart(comp, line, args):
    if not args or args[0] not in RESTART:
        raise DescError(line, "usage: restart always|never|halt [heartbeat=MS] [backoff=MS] [limit=N]")
    once(comp, line, "restart")
    opts = options(args[1:], line, {"heartbeat": "value", "backoff": "value", "limit": "value"})
    # limit: restarts within a minute, at most the RESTART_LIMIT_MAX
    # restart times rs keeps (rs.h RS_RESTARTS_KEPT); 0: no limit.
    maxima = {"heartbeat": (1 << 32) - 1, "backoff": (1 << 32) - 1, "limit": RESTART_LIMIT_MAX}
    values = [parse_int(opts.get(k, "0"), line, k, 0, maxima[k])
              for k in ("heartbeat", "backoff", "limit")]
    if 0 < values[0] < HEARTBEAT_MIN_MS:
        raise DescError(line, f"heartbeat={values[0]}: at least {HEARTBEAT_MIN_MS} ms")
    comp.restart = (args[0], *values)


ATTRIBUTES = {
    "elf": attr_elf, "priority": attr_priority, "quota": attr_quota, "stack": attr_stack,
    "arg": attr_arg, "env": attr_env, "serve": attr_serve, "use": attr_use,
    "device": attr_device, "dma": attr_dma, "irq": attr_irq, "untyped": attr_untyped,
    "asidpool": attr_asidpool, "files": attr_files, "restart": attr_restart,
}


def parse_channel(system, line, args):
    if len(args) < 2:
        raise DescError(line, "usage: channel A.NAME B.NAME [pages=N] [frames=A]")
    opts = options(args[2:], line, {"pages": "value", "frames": "value"})
    pages = parse_int(opts.get("pages", "1"), line, "pages", 1, 1024)
    ends = []
    for end in args[:2]:
        comp, dot, name = end.partition(".")
        if not dot:
            raise DescError(line, f"channel end '{end}': want COMPONENT.NAME")
        check_name(name, line, "channel")
        if len(name) + len(NOTIFY_SUFFIX) >= KEEL_NAME_MAX:
            raise DescError(line, f"channel name '{name}': at most "
                            f"{KEEL_NAME_MAX - 1 - len(NOTIFY_SUFFIX)} characters (the start page "
                            f"also names '{name}{NOTIFY_SUFFIX}')")
        ends.append((check_name(comp, line, "component"), name))
    if ends[1][0] == RS_END:
        raise DescError(line, "rs can be a channel's client only: the first end")
    chan = Channel(line, ends, pages)
    if "frames" in opts:
        # That end also gets the pages' frame caps, to map them into
        # processes it builds (pm: its programs' data windows).
        names = [comp for comp, _ in ends]
        if opts["frames"] not in names:
            raise DescError(line, f"frames={opts['frames']}: not an end of this channel")
        chan.frames = names.index(opts["frames"])
    system.channels.append(chan)


# --- checking -----------------------------------------------------------------

def check(system, elf_dirs, ram):
    """Resolve names and check the whole description; errors go to system.errors."""
    if len(system.components) > KEEL_SYSDESC_MAX_COMPONENTS:
        system.error(system.components[-1].line,
                     f"more than {KEEL_SYSDESC_MAX_COMPONENTS} components")
    attach_channels(system)
    for comp in system.components:
        for what in ("elf", "priority", "quota"):
            if getattr(comp, what) is None:
                system.error(comp.line, f"component '{comp.name}' has no {what}")
        if comp.elf is not None:
            comp.elf_path, comp.elf_pages = find_elf(system, comp.line, comp.elf, elf_dirs)
        check_grant_names(system, comp)
    for line, _, path in system.files:
        find_elf(system, line, path, elf_dirs)
    check_names_unique(system)
    check_rs_bits(system)
    resolve_services(system)
    check_claims(system, GRANT_IRQ, lambda g: (g.irq, g.irq + 1), "IRQ {}",
                 lambda lo, hi: f"{lo}")
    check_claims(system, GRANT_DEVICE, lambda g: (g.paddr, g.paddr + g.size),
                 "device pages {}", lambda lo, hi: f"[0x{lo:x}, 0x{hi:x})")
    for comp in system.components:
        check_files(system, comp)
        layout_component(system, comp)
    check_ram(system, ram)


def resolve_file(path, elf_dirs):
    """Where the file named `path` in the description is, or None."""
    candidates = [path] if os.path.isabs(path) else [os.path.join(d, path) for d in elf_dirs]
    return next((p for p in candidates if os.path.isfile(p)), None)


def find_elf(system, line, path, elf_dirs):
    """(path, pages the ELF's segments cover) or (None, None) after an error."""
    found = resolve_file(path, elf_dirs)
    if found is None:
        system.error(line, f"ELF '{path}' not found (looked in {', '.join(elf_dirs) or '.'})")
        return None, None
    try:
        with open(found, "rb") as f:
            elf = Elf(f.read(), found)
        return found, elf_pages(elf)
    except (OSError, PackError) as e:
        system.error(line, str(e))
        return None, None


def elf_pages(elf):
    """The page addresses an ELF's PT_LOAD segments cover; PackError if rs
    could not load it (the same rules as user/os/rs/elf.c)."""
    if elf.e_type != 2:
        raise PackError(f"{elf.what}: not an executable (e_type={elf.e_type})")
    pages = set()
    for seg in elf.segments:
        if seg.memsz == 0:
            continue
        if seg.flags & 2 and seg.flags & 1:
            raise PackError(f"{elf.what}: segment at 0x{seg.vaddr:x} is writable and executable")
        if seg.vaddr < PAGE or seg.vaddr + seg.memsz > KEEL_REGIONS_VADDR:
            raise PackError(f"{elf.what}: segment at 0x{seg.vaddr:x} lies outside "
                            f"[0x{PAGE:x}, 0x{KEEL_REGIONS_VADDR:x})")
        first, end = seg.vaddr // PAGE, (seg.vaddr + seg.memsz + PAGE - 1) // PAGE
        mine = set(range(first, end))
        if pages & mine:
            raise PackError(f"{elf.what}: segment at 0x{seg.vaddr:x} shares a page with another")
        pages |= mine
    if not any(s.vaddr <= elf.e_entry < s.vaddr + s.memsz and s.flags & 1
               for s in elf.segments):
        raise PackError(f"{elf.what}: entry point 0x{elf.e_entry:x} is not in an "
                        "executable segment")
    return sorted(p * PAGE for p in pages)


def attach_channels(system):
    """Each channel end becomes a grant of its component, after its own grants."""
    for index, chan in enumerate(system.channels):
        chan.index = index
        comps = []
        for comp_name, _ in chan.ends:
            comp = RS_END if comp_name == RS_END else system.component(comp_name)
            if comp is None:
                system.error(chan.line, f"channel end names component '{comp_name}', "
                             "which the description does not have")
            comps.append(comp)
        if None in comps:
            continue
        if comps[0] is comps[1]:
            system.error(chan.line, "a channel needs two different components")
            continue
        for end, (comp, (_, name)) in enumerate(zip(comps, chan.ends)):
            if comp == RS_END:
                continue  # rs's own end: rs maps it (user/os/rs/heartbeat.c)
            grant = Grant(chan.line, GRANT_CHANNEL, name)
            grant.target = index
            grant.flags = GRANT_END_B if end else 0
            if chan.frames == end:
                grant.flags |= GRANT_FRAMES
            grant.size = chan.pages * PAGE
            comp.grants.append(grant)


def check_grant_names(system, comp):
    seen = {}
    for grant in comp.grants:
        if grant.name in RESERVED_NAMES:
            system.error(grant.line, f"'{grant.name}' is reserved (the component's own "
                         "notification)")
        elif grant.name in seen:
            system.error(grant.line, f"component '{comp.name}' already has a grant named "
                         f"'{grant.name}' (line {seen[grant.name]})")
        else:
            seen[grant.name] = grant.line


def check_names_unique(system):
    seen = {}
    for line, name, _ in system.files:
        if name == KEEL_SYSDESC_FILE or name.startswith("elf/"):
            system.error(line, f"archive name '{name}' is reserved ('{KEEL_SYSDESC_FILE}' "
                         "and elf/... are mksystem's)")
        elif name in seen:
            system.error(line, f"archive file '{name}' is listed twice (line {seen[name]})")
        else:
            seen[name] = line


def check_rs_bits(system):
    """Heartbeats and rs's channels are bits of rs's notification."""
    for comp in system.components:
        if comp.name == RS_END:
            system.error(comp.line, f"component name '{RS_END}' is the root task's")
    beating = [c for c in system.components if c.restart[1]]
    if len(beating) > KEEL_SYSDESC_MAX_HEARTBEATS:
        system.error(beating[-1].line, f"more than {KEEL_SYSDESC_MAX_HEARTBEATS} components "
                     "with a heartbeat")
    mine = [c for c in system.channels if c.ends[0][0] == RS_END]
    if len(mine) > KEEL_SYSDESC_MAX_RS_CHANNELS:
        system.error(mine[-1].line, f"more than {KEEL_SYSDESC_MAX_RS_CHANNELS} channels of rs")
    names = [c.ends[0][1] for c in mine]
    for chan in mine:
        if names.count(chan.ends[0][1]) > 1:
            system.error(chan.line, f"rs has two channels named '{chan.ends[0][1]}'")


def resolve_services(system):
    system.services = []  # (name, server component)
    index = {}
    for comp in system.components:
        for grant in comp.grants:
            if grant.kind != GRANT_SERVE:
                continue
            if grant.service == RS_SERVICE:
                system.error(grant.line, f"service '{RS_SERVICE}' is the root task's own")
                continue
            if grant.service in index:
                other = system.services[index[grant.service]][1]
                system.error(grant.line, f"service '{grant.service}' is already served by "
                             f"'{other.name}'")
                continue
            index[grant.service] = len(system.services)
            system.services.append((grant.service, comp))
            grant.target = index[grant.service]
    badges = {}
    for comp in system.components:
        for grant in comp.grants:
            if grant.kind != GRANT_USE:
                continue
            if grant.service == RS_SERVICE and RS_SERVICE not in index:
                index[RS_SERVICE] = len(system.services)
                system.services.append((RS_SERVICE, None))
            if grant.service not in index:
                system.error(grant.line, f"'{comp.name}' uses service '{grant.service}', "
                             "which no component serves")
                continue
            grant.target = index[grant.service]
            key = (grant.service, grant.badge)
            if key in badges:
                system.error(grant.line, f"badge {grant.badge} of service '{grant.service}' "
                             f"is already given to '{badges[key]}'")
            badges[key] = comp.name


def check_claims(system, kind, span, what, show):
    """Reject two grants of `kind` (anywhere) whose spans intersect."""
    claims = []
    for comp in system.components:
        for grant in comp.grants:
            if grant.kind != kind:
                continue
            lo, hi = span(grant)
            for other_comp, other, olo, ohi in claims:
                if lo < ohi and olo < hi:
                    system.error(grant.line, f"{what.format(show(lo, hi))} of '{comp.name}' "
                                 f"already claimed by '{other_comp.name}' (line {other.line})")
                    break
            else:
                claims.append((comp, grant, lo, hi))


def archive_names(system):
    """Every file name of the archive, in archive order (as rs matches them)."""
    names = [KEEL_SYSDESC_FILE]
    for comp in system.components:
        if comp.elf is not None and elf_archive_name(comp.elf) not in names:
            names.append(elf_archive_name(comp.elf))
    return names + [name for _, name, _ in system.files]


def check_files(system, comp):
    names = archive_names(system)
    for grant in comp.grants:
        if grant.kind != GRANT_FILES:
            continue
        grant.files = [n for n in names if n.startswith(grant.prefix)]
        if not grant.files:
            system.error(grant.line, f"no archive file starts with '{grant.prefix}' "
                         "(list them with 'file NAME ELF')")


def files_region_size(system, grant):
    """The read-only archive rs builds for a files grant: index pages, then
    each file's pages, as in keel/os/archive.h."""
    index = ARCHIVE_HEADER.size + ARCHIVE_ENTRY.size * len(grant.files)
    size = (index + PAGE - 1) // PAGE * PAGE
    for name in grant.files:
        size += (file_size(system, name) + PAGE - 1) // PAGE * PAGE
    return size, (index + PAGE - 1) // PAGE


def file_size(system, name):
    """Bytes of archive file `name` (the description's size for "system")."""
    if name == KEEL_SYSDESC_FILE:
        return sysdesc_size(system)
    paths = [c.elf for c in system.components if c.elf and elf_archive_name(c.elf) == name]
    paths += [p for _, n, p in system.files if n == name]
    found = resolve_file(paths[0], system.elf_dirs)
    return os.path.getsize(found) if found else 0


def layout_component(system, comp):
    """Notification bits, region addresses, start-page use and the quota it needs."""
    bits = 0
    vaddr = KEEL_REGIONS_VADDR
    mapped = set()  # pages mapped from the quota's page tables
    quota_pages = 0  # frames taken from the quota besides the ELF's
    entries = 0
    frames = 0  # slots of frame caps (channel ends with frames=, dma grants)
    for grant in comp.grants:
        entries += 2 if grant.kind == GRANT_CHANNEL else 1
        if (grant.kind == GRANT_CHANNEL and grant.flags & GRANT_FRAMES) or grant.kind == GRANT_DMA:
            frames += grant.size // PAGE
        if grant.kind in (GRANT_IRQ, GRANT_CHANNEL):
            grant.badge = 1 << bits
            bits += 1
        if grant.kind in REGION_GRANTS:
            if grant.kind == GRANT_FILES:
                grant.size, index_pages = files_region_size(system, grant) \
                    if grant.files else (PAGE, 1)
                quota_pages += index_pages
            grant.vaddr = vaddr
            mapped |= set(range(vaddr, vaddr + grant.size, PAGE))
            vaddr += grant.size + PAGE  # an unmapped guard page after each region
    if comp.restart[1]:
        entries += 1  # "heartbeat": the cap that answers rs's ping
    if bits or comp.restart[1]:
        entries += 1  # "notify"
    where = comp.line
    if bits > KEEL_SYSDESC_MAX_NOTIFY_BITS:
        system.error(where, f"'{comp.name}' has {bits} channel ends and IRQs; a notification "
                     f"has {KEEL_SYSDESC_MAX_NOTIFY_BITS} bits")
    if entries > KEEL_STARTINFO_CAPS:
        system.error(where, f"'{comp.name}' has {entries} start-page entries, more than "
                     f"{KEEL_STARTINFO_CAPS}")
    if KEEL_SLOT_FIRST_FREE + entries + frames > 1 << KEEL_CNODE_BITS:
        system.error(where, f"'{comp.name}' gets {entries} caps and {frames} frame caps, more "
                     f"than its CNode of {1 << KEEL_CNODE_BITS} slots holds")
    if vaddr > KEEL_STACK_TOP - comp.stack - PAGE:
        system.error(where, f"the regions of '{comp.name}' reach its stack")
    strings = [comp.name] + comp.args + comp.env
    room = KEEL_STARTINFO_SIZE - STARTINFO_HEADER_SIZE
    if len(strings) > KEEL_STARTINFO_ARGS_MAX or sum(len(s.encode()) + 1 for s in strings) > room:
        system.error(where, f"the arguments and environment of '{comp.name}' do not fit its "
                     f"start page ({KEEL_STARTINFO_ARGS_MAX} strings, {room} bytes)")
    if comp.quota is None or comp.elf_pages is None:
        return
    stack_pages = range(KEEL_STACK_TOP - comp.stack, KEEL_STACK_TOP, PAGE)
    start_pages = range(KEEL_STARTINFO_VADDR, KEEL_STARTINFO_VADDR + KEEL_STARTINFO_SIZE + PAGE,
                        PAGE)
    own = set(comp.elf_pages) | set(stack_pages) | set(start_pages)
    tables = page_tables(own | mapped)
    need = FIXED_COST + (len(own) + quota_pages + tables) * PAGE
    if need > comp.quota:
        system.error(comp.line, f"quota {fmt_size(comp.quota)} of '{comp.name}' is below the "
                     f"{need} bytes it needs to start ({len(own) + quota_pages} pages, "
                     f"{tables} page tables, {fmt_size(FIXED_COST)} CNode, VSpace and TCB)")


def page_tables(pages):
    """Page tables (levels 1-3) a VSpace needs to map `pages`."""
    return sum(len({p >> shift for p in pages}) for shift in (39, 30, 21))


def check_ram(system, ram):
    total = 0
    for comp in system.components:
        total += comp.quota or 0
        for grant in comp.grants:
            if grant.kind in (GRANT_UNTYPED, GRANT_DMA):
                total += grant.size
            elif grant.kind == GRANT_ASID_POOL:
                total += PAGE
        if total > ram:
            system.error(comp.line, f"with '{comp.name}' the quotas, untyped and dma grants come to "
                         f"{fmt_size(total)}, above the RAM ({fmt_size(ram)})")
            return


# --- output -------------------------------------------------------------------

def cstr(text, size):
    data = text.encode()
    return data + bytes(size - len(data))


def elf_archive_name(path):
    return "elf/" + os.path.basename(path)


class Strings:
    def __init__(self):
        self.data = bytearray()

    def add(self, strings):
        offset = len(self.data)
        for s in strings:
            self.data += s.encode() + b"\0"
        return offset, len(self.data) - offset


def sysdesc_strings(system):
    """The string table: each component's argv and envp, then the files
    grants' prefixes (their offsets go into Grant.string)."""
    strings = Strings()
    args = [strings.add([c.name] + c.args + c.env) for c in system.components]
    for chan in system.channels:
        chan.rs_name = strings.add([chan.ends[0][1]])[0] if chan.ends[0][0] == RS_END else 0
    for comp in system.components:
        for g in comp.grants:
            if g.kind == GRANT_FILES:
                g.string, _ = strings.add([g.prefix])
    strings.data += bytes(-len(strings.data) % 8)
    return strings, args


def sysdesc_size(system):
    ngrants = sum(len(c.grants) for c in system.components)
    return (SYSDESC_HEADER.size + SYSDESC_COMPONENT.size * len(system.components) +
            SYSDESC_GRANT.size * ngrants + SYSDESC_SERVICE.size * len(system.services) +
            SYSDESC_CHANNEL.size * len(system.channels) + len(sysdesc_strings(system)[0].data))


def pack_sysdesc(system):
    strings, args = sysdesc_strings(system)
    comps, grants = [], []
    for comp, (args_offset, args_size) in zip(system.components, args):
        policy, heartbeat, backoff, limit = comp.restart
        comps.append(SYSDESC_COMPONENT.pack(
            cstr(comp.name, KEEL_NAME_MAX), cstr(elf_archive_name(comp.elf), KEEL_ARCHIVE_NAME_MAX),
            comp.quota, comp.stack, comp.priority, len(grants), len(comp.grants),
            1 + len(comp.args), len(comp.env), args_offset, args_size, RESTART[policy], heartbeat,
            backoff, limit, 0))
        for g in comp.grants:
            grants.append(SYSDESC_GRANT.pack(
                cstr(g.name, KEEL_NAME_MAX), g.kind, g.flags, g.target, g.irq, g.badge, g.paddr,
                g.size, g.vaddr, g.string, 0))
    services = [SYSDESC_SERVICE.pack(cstr(name, KEEL_NAME_MAX),
                                     KEEL_SYSDESC_SERVER_RS if comp is None else comp.index, 0)
                for name, comp in system.services]
    channels = [SYSDESC_CHANNEL.pack(end_index(system, c.ends[0][0]),
                                     end_index(system, c.ends[1][0]), c.pages, c.rs_name)
                for c in system.channels]
    tables = [b"".join(t) for t in (comps, grants, services, channels)]
    offsets, offset = [], SYSDESC_HEADER.size
    for table in tables:
        offsets.append(offset)
        offset += len(table)
    size = offset + len(strings.data)
    header = SYSDESC_HEADER.pack(
        KEEL_SYSDESC_MAGIC, KEEL_SYSDESC_VERSION, size,
        len(comps), offsets[0], len(grants), offsets[1], len(services), offsets[2],
        len(channels), offsets[3], offset, len(strings.data), 0)
    return header + b"".join(tables) + bytes(strings.data)


def pack_archive(files):
    """The archive of keel/os/archive.h holding (name, bytes) files in order."""
    index_end = ARCHIVE_HEADER.size + ARCHIVE_ENTRY.size * len(files)
    offset = (index_end + PAGE - 1) // PAGE * PAGE
    entries, body = [], bytearray()
    for name, data in files:
        entries.append(ARCHIVE_ENTRY.pack(cstr(name, KEEL_ARCHIVE_NAME_MAX), offset, len(data)))
        padded = data + bytes(-len(data) % PAGE)
        body += padded
        offset += len(padded)
    head = ARCHIVE_HEADER.pack(KEEL_ARCHIVE_MAGIC, KEEL_ARCHIVE_VERSION, len(files), offset, 0)
    head += b"".join(entries)
    return head + bytes(-len(head) % PAGE) + bytes(body)


def archive_files(system):
    files = [(KEEL_SYSDESC_FILE, pack_sysdesc(system))]
    seen = set()
    for comp in system.components:
        name = elf_archive_name(comp.elf)
        if name not in seen:
            seen.add(name)
            with open(comp.elf_path, "rb") as f:
                files.append((name, f.read()))
    for _, name, path in system.files:
        with open(resolve_file(path, system.elf_dirs), "rb") as f:
            files.append((name, f.read()))
    return files


def check_elf_names(system):
    """Two different ELF files may not land on one archive name."""
    seen = {}
    for comp in system.components:
        if comp.elf_path is None:
            continue
        name = elf_archive_name(comp.elf)
        path = os.path.realpath(comp.elf_path)
        if seen.setdefault(name, path) != path:
            system.error(comp.line, f"two different ELF files are both named '{name}'")


def build(path, elf_dirs, ram):
    """(archive bytes, None) or (None, list of 'FILE:LINE: message')."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    system = parse(path, text)
    system.elf_dirs = elf_dirs
    if not system.errors:
        check(system, elf_dirs, ram)
        check_elf_names(system)
    if not system.components and not system.errors:
        system.error(1, "the description has no component")
    if system.errors:
        return None, [f"{path}:{line}: {message}" for line, message in sorted(system.errors)]
    return pack_archive(archive_files(system)), None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("description")
    ap.add_argument("--elf-dir", action="append", default=[], help="where ELF files are")
    ap.add_argument("--ram", default="1G", help="RAM size quotas must fit in (default 1G)")
    ap.add_argument("-o", "--output", required=True, help="the boot archive to write")
    args = ap.parse_args(argv)
    try:
        ram = parse_size(args.ram, 0, "--ram")
    except DescError as e:
        print(f"mksystem: {e.message}", file=sys.stderr)
        return 2
    try:
        archive, errors = build(args.description, args.elf_dir, ram)
    except OSError as e:
        print(f"mksystem: {e}", file=sys.stderr)
        return 2
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(archive)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
