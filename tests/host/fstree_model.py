"""The host's copy of fstree's plan (tests/os/fs/plan.c), content
(tests/os/fs/fstree.c) and sums, for tests/host/test_disk.py: from a seed,
the tree `fstree make SEED ROOT BIG` leaves -- every path, its type, and a
file's size and bytes -- computed without Keel. A change to fstree must be
made here too: the same steps, and the same draws in the same order.
"""

import os
import stat
import struct
import zlib

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15

KIB = 1024
MIB = 1024 * 1024
WRITE_MAX = 80 << 10  # FSTREE_WRITE_MAX: the chunks only matter to Keel
WRITE_SMALL = 5000
BIG_DEFAULT = 4194304 + 49152 + 8192 + 777  # fstree.c BIG_DEFAULT

UNIT = 512
UNIT_HEADER = 16
TABLE_WORDS = 1088
TABLE_PLACES = 1024
TABLE_SALT = 0x7AB1E5EED0C0FFEE
HEADER_TAG = 0x5EED

SIZES = (0, 1, 511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097, 12287, 12288, 12289,
         49151, 49152, 49153, 274431, 274432, 274433, 1048576)
SPARSE_FILES = (  # plan.c sparse_files: (name, ((offset, length), ...))
    ("hole-start", ((MIB + 7, 100),)),
    ("hole-double", ((0, 10), (4 * MIB + 48 * KIB + 3 * 4096 + 5, 5000))),
    ("far", ((64 * MIB + 300 * KIB + 3, 1),)),
    ("filled", ((12388, 50), (0, 12388))),
    ("hole-in-block", ((0, 1000), (3000, 1000))),
)
RANDOM_FILES = 6
SIZED_FILES = len(SIZES) + RANDOM_FILES
DEEP_LEVELS = 30
MANY = 2000
MANY_NEW = 300
DRAIN = 500
FAR_STREAM = 0xFA7  # fstree far
FAR_LENGTH = 1000

GONE, DIR, FILE, SYMLINK = "gone", "d", "f", "l"


def splitmix64(state):
    """(new state, output) of common/include/splitmix64.h's splitmix64_next."""
    state = (state + GAMMA) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


class Content:
    """The bytes of fstree's streams (fstree_content) for one seed."""

    def __init__(self, seed):
        state, words = seed ^ TABLE_SALT, []
        for _ in range(TABLE_WORDS):
            state, word = splitmix64(state)
            words.append(word)
        self.table = struct.pack(f"<{TABLE_WORDS}Q", *words)

    def unit(self, stream, unit):
        place = (unit * 0x9E37 + stream * 0x85EB) % TABLE_PLACES
        body = self.table[place * 8:place * 8 + UNIT - UNIT_HEADER]
        return struct.pack("<QQ", (stream << 32) | HEADER_TAG, unit) + body

    def bytes(self, stream, off, length):
        if length <= 0:
            return b""
        first, last = off // UNIT, (off + length - 1) // UNIT
        data = b"".join(self.unit(stream, u) for u in range(first, last + 1))
        at = off - first * UNIT
        return data[at:at + length]


class Node:
    def __init__(self, index, parent, name, kind):
        self.index = index
        self.parent = parent
        self.name = name
        self.kind = kind
        self.generation = 0
        self.size = 0
        self.extents = []  # (start, end, stream), later ones over earlier ones
        self.inode = self  # the node whose bytes it has: another for a hard link
        self.target = None  # a symbolic link's

    def stream(self):
        return (self.index << 8) | (self.generation & 0xFF)


class Plan:
    """fstree_plan with fs.live false: the model only."""

    def __init__(self, root, seed, big):
        self.seed = seed & MASK64
        self.rng = self.seed
        self.nodes = []
        self.top = self.node(None, root, DIR)
        self.sizes = self.mkdir(self.top, "sizes")
        self.sparse = self.mkdir(self.top, "sparse")
        self.many = self.mkdir(self.top, "many")
        self.deep = self.mkdir(self.top, "deep")
        self.mod = self.mkdir(self.top, "mod")
        self.make_sizes(big)
        self.make_sparse()
        self.make_deep()
        self.make_many()
        self.rewrite(big)
        self.remove_and_rename()
        self.reuse()
        self.truncates()
        self.links()
        self.open_unlinked()
        self.drain()

    # --- the steps' model (plan.c's do_*) ---

    def draw(self, n):
        self.rng, value = splitmix64(self.rng)
        return value % n

    def node(self, parent, name, kind):
        n = Node(len(self.nodes), parent, name, kind)
        self.nodes.append(n)
        return n

    def mkdir(self, parent, name):
        return self.node(parent, name, DIR)

    def write(self, n, off, length):
        if length > 0:
            n.extents.append((off, off + length, n.stream()))
            n.size = max(n.size, off + length)

    def create(self, parent, name, length):
        n = self.node(parent, name, FILE)
        self.write(n, 0, length)
        return n

    def truncate(self, n):
        """O_TRUNC: empty, and a new stream from now on."""
        n.generation += 1
        n.size, n.extents = 0, []

    def cut(self, n, size):
        """ftruncate: bytes past size gone (zeros if it grows again)."""
        n.extents = [(min(start, min(end, size)), min(end, size), stream)
                     for start, end, stream in n.extents]
        n.size = size

    def remove(self, n):
        n.kind = GONE

    def rename(self, n, parent, name):
        for there in self.nodes:
            if there.kind != GONE and there.parent is parent and there.name == name and there is not n:
                there.kind = GONE
        n.parent, n.name = parent, name

    # --- the plan ---

    def make_sizes(self, big):
        self.file = []
        for i, size in enumerate(SIZES):
            self.file.append(self.create(self.sizes, f"s{i:02d}-{size}", size))
        for k in range(RANDOM_FILES):
            size = self.draw(300000)
            self.file.append(self.create(self.sizes, f"r{k}-{size}", size))
        self.big = self.create(self.sizes, f"big-{big}", big)

    def make_sparse(self):
        for name, spans in SPARSE_FILES:
            n = self.node(self.sparse, name, FILE)
            for off, length in spans:
                self.write(n, off, length)
        n = self.node(self.sparse, "scattered", FILE)
        for _ in range(6):
            off = self.draw(8 * MIB)
            length = 1 + self.draw(20000)
            self.write(n, off, length)
        n = self.node(self.sparse, "seek-no-write", FILE)
        self.write(n, 0, 100)
        n = self.node(self.sparse, "trunc-double", FILE)
        self.write(n, 4 * MIB + 100 * KIB, 10)
        self.truncate(n)
        self.write(n, 0, 10)

    def make_deep(self):
        parent = self.deep
        self.chain = [None]
        for level in range(1, DEEP_LEVELS + 1):
            name = "d15-" + "L" * 200 if level == 15 else f"d{level:02d}"
            parent = self.mkdir(parent, name)
            self.chain.append(parent)
            if level % 5 == 0:
                self.create(parent, f"f{level:02d}", self.draw(6000))
        self.create(parent, "bottom", 20000)

    def make_many(self):
        self.entry = []
        for i in range(MANY):
            name = f"n{i:04d}-" + "".join(chr(97 + (i + j) % 26) for j in range((i * 37) % 64))
            if i % 100 == 50:
                self.entry.append(self.mkdir(self.many, name))
            else:
                size = self.draw(3000) if i % 10 == 0 else 0
                self.entry.append(self.create(self.many, name, size))

    def rewrite(self, big):
        for _ in range(8):
            n = self.file[self.draw(SIZED_FILES)]
            n.generation += 1
            off = self.draw(n.size + 1)
            length = 1 + self.draw(20000)
            self.write(n, off, length)
        for _ in range(4):
            n = self.file[self.draw(SIZED_FILES)]
            n.generation += 1
            length = 1 + self.draw(10000)
            self.write(n, n.size, length)
        for _ in range(3):
            n = self.file[self.draw(SIZED_FILES)]
            self.truncate(n)
            length = self.draw(70000) if self.draw(3) != 0 else 0
            self.write(n, 0, length)
        if big > 0:
            n = self.big
            n.generation += 1
            off = self.draw(big + 1)
            length = 1 + self.draw(20000)
            self.write(n, off, length)
        self.truncate(self.file[20])
        self.write(self.file[20], 0, 3000)

    def remove_and_rename(self):
        for n in self.entry:
            if n.kind == FILE and self.draw(100) < 35:
                self.remove(n)
        self.remove(self.file[3])
        self.remove(self.file[22])
        for k in range(40):
            i = self.draw(MANY)
            if self.entry[i].kind == FILE:
                self.rename(self.entry[i], self.many, f"m{i:04d}-{k}")
        for _ in range(5):
            a = self.draw(MANY)
            b = self.draw(MANY)
            na, nb = self.entry[a], self.entry[b]
            if a != b and na.kind == FILE and nb.kind == FILE:
                self.rename(na, self.many, nb.name)
        self.rename(self.file[5], self.chain[20], "moved-s05")
        self.rename(self.file[7], self.mod, "s07")
        for n in self.entry[7:]:
            if n.kind == FILE:
                self.rename(n, self.mod, "from-many")
                break
        self.rename(self.chain[11], self.top, "moved11")
        self.rename(self.entry[150], self.many, "renamed-dir")
        for i in range(50, MANY, 100):
            if (i // 100) % 2 == 0:
                self.remove(self.entry[i])
        self.remove(self.mkdir(self.mod, "empty"))
        self.remove(self.mkdir(self.mkdir(self.mod, "keep"), "gone"))
        ra = self.mkdir(self.mod, "ra")
        self.create(ra, "inside", 100)
        self.mkdir(self.mod, "rb")
        self.rename(ra, self.mod, "rb")
        self.rename(self.file[9], self.sizes, self.file[9].name)

    def truncates(self):
        n = self.file[19]
        self.cut(n, 5000 + self.draw(10000))
        self.cut(n, 100000)
        self.write(n, 90000, 1000)
        self.cut(self.file[18], 12289)
        self.cut(self.file[2], 4 * MIB + 48 * KIB + 1)

    def link(self, n, parent, name):
        link = self.node(parent, name, FILE)
        link.inode = n.inode

    def symlink(self, parent, name, target):
        n = self.node(parent, name, SYMLINK)
        n.target = target
        return n

    def links(self):
        self.link(self.file[10], self.mod, "hard-s10")
        self.link(self.file[11], self.chain[30], "hard-s11")
        self.remove(self.file[11])
        self.symlink(self.mod, "sym-fast", "../sizes/s02-511")
        self.symlink(self.mod, "sym-slow", "./" * 40 + "../sizes/s04-513")
        self.symlink(self.mod, "sym-dir", "../deep")
        self.symlink(self.mod, "sym-dangling", "/nowhere/at/all")
        self.remove(self.symlink(self.mod, "sym-removed", "../sizes/s06-1024"))
        self.rename(self.symlink(self.mod, "sym-to-rename", "../sizes/s08-4095"), self.mod,
                    "sym-renamed")

    def open_unlinked(self):
        n = self.node(self.mod, "orphan", FILE)
        self.write(n, 0, 10000)
        self.remove(n)
        self.write(n, 10000, 5000)
        n = self.node(self.mod, "orphan-at-exit", FILE)
        self.write(n, 0, 70000)
        self.remove(n)

    def drain(self):
        d = self.mkdir(self.top, "drain")
        for i in range(DRAIN):
            self.create(d, f"{i:03d}-" + chr(97 + i % 26) * ((i * 13) % 120), 0)
        for n in self.nodes:
            if n.parent is d:
                n.kind = GONE
        self.remove(d)

    def reuse(self):
        for k in range(3):
            self.create(self.mod, f"reuse{k}", self.draw(200000))
        for i in range(MANY_NEW):
            self.create(self.many, f"new{i:04d}", self.draw(2000) if i % 3 == 0 else 0)

    # --- the result ---

    def path(self, n):
        """n's path relative to the root ('' for the root)."""
        parts = []
        while n.parent is not None:
            parts.append(n.name)
            n = n.parent
        return "/".join(reversed(parts))

    def tree(self):
        """{relative path: node} of everything the plan left but the root."""
        return {self.path(n): n for n in self.nodes if n.kind != GONE and n.parent is not None}


def file_bytes(content, node):
    """The bytes a file of the model holds (its inode's)."""
    node = node.inode
    data = bytearray(node.size)
    for start, end, stream in node.extents:
        data[start:end] = content.bytes(stream, start, end - start)
    return bytes(data)


# --- sums (fstree.c sums_walk) --------------------------------------------------

def quote(path):
    """A path as fstree sums prints it: bytes outside '!'..'~', and '%', as %XX."""
    out = []
    for b in path.encode("utf-8", "surrogateescape") if isinstance(path, str) else path:
        out.append(f"%{b:02X}" if b <= 0x20 or b > 0x7E or b == 0x25 else chr(b))
    return "".join(out)


def crc_of_file(path):
    crc, size = 0, 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return size, crc
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)


def sums_of_dir(root, resolve):
    """The lines `fstree sums` prints for a directory of the host. Symbolic
    links are followed as Keel would: resolve(link path, target) gives the
    host path a link's target means (an absolute one is Keel's); links
    within links are followed by the host (the staging holds none that
    lead out of it)."""
    lines = []

    def walk(d, prefix):
        for name in sorted(os.listdir(os.fsencode(d))):
            full = os.path.join(os.fsencode(d), name)
            path = prefix + name
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(full)
                there = resolve(full, target)
                line = f"l {quote(path)} {quote(target)}"
                if not os.path.exists(there):
                    lines.append(f"{line} ENOENT")
                elif os.path.isdir(there):
                    lines.append(f"{line} dir")
                else:
                    size, crc = crc_of_file(there)
                    lines.append(f"{line} {size} {crc:08x}")
            elif stat.S_ISDIR(st.st_mode):
                lines.append(f"d {quote(path)}")
                walk(full, path + b"/")
            else:
                size, crc = crc_of_file(full)
                lines.append(f"f {quote(path)} {size} {crc:08x}")
    walk(root, b"")
    return lines
