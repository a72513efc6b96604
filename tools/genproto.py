#!/usr/bin/env python3
"""Generate the client stubs and server dispatch of a Keel server protocol from
its description, proto/<name>.proto (format: docs/os.md, "Protocol description
format").

For protocol P it writes
  <include>/keel/proto/P_defs.h    constants and method numbers
  <include>/keel/proto/P.h         client stubs
  <include>/keel/proto/P_server.h  handler prototypes, reply builders, dispatch
  <src>/P_server.c                 the dispatch: decode, check, call, reply
A file whose content did not change is left untouched, so that its
dependents are not rebuilt. A malformed description is an error
`FILE:LINE: message` and nothing is written.
"""

import argparse
import os
import re
import sys

MSG_MAX_WORDS = 120  # seL4_MsgMaxLength
NAME_WORDS = 4  # a `name` travels in 4 message registers: 31 bytes and a NUL
LABEL_MAX = 0xFFFF  # method numbers (the label field holds 52 bits; keep them small)
STR_MAX = 4096  # a `str` is copied to the server's stack: keep the copy small
WINDOW_MAX = 1 << 30  # no buffer in a data window is larger than 1 GiB
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1
U64_MAX = (1 << 64) - 1

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
NUMBER = re.compile(r"-?(0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|[0-9]+)$")
C_KEYWORDS = set(
    "auto break case char const continue default do double else enum extern float for goto "
    "if inline int long register restrict return short signed sizeof static struct switch "
    "typedef union unsigned void volatile while _Bool _Complex _Imaginary bool true false "
    "ctx badge req info reply result".split()
)
SCALARS = ("i64", "u64")
BUFFERS = ("in", "out", "inout")


class ProtoError(Exception):
    """A malformed description; the message starts with FILE:LINE."""


class Param:
    """A request argument. kind: 'i64', 'u64', 'name', 'str' or a buffer
    direction ('in', 'out', 'inout'). lo/hi: the value range of a scalar, the
    length range of a str or buffer; mask: the allowed bits of a u64 mask."""

    def __init__(self, name, kind, line, lo=None, hi=None, mask=None):
        self.name = name
        self.kind = kind
        self.line = line
        self.lo = lo
        self.hi = hi
        self.mask = mask
        self.mr = None  # first message register

    def words(self):
        if self.kind == "name":
            return NAME_WORDS
        if self.kind in SCALARS:
            return 1
        return 2  # (offset, length) in the data window

    def in_window(self):
        return self.kind == "str" or self.kind in BUFFERS


class Out:
    """A result beyond MR0: a scalar ('i64', 'u64') or a 'name'."""

    def __init__(self, name, kind, line):
        self.name = name
        self.kind = kind
        self.line = line
        self.mr = None

    def words(self):
        return NAME_WORDS if self.kind == "name" else 1


class Method:
    def __init__(self, name, number, line, doc):
        self.name = name
        self.number = number
        self.line = line
        self.doc = doc
        self.params = []
        self.outs = []
        self.privileged = False

    def request_words(self):
        return sum(p.words() for p in self.params)

    def reply_words(self):
        return 1 + sum(o.words() for o in self.outs)


class Protocol:
    def __init__(self, path):
        self.path = path
        self.name = None
        self.doc = []
        self.consts = []  # [(name, value, doc)]
        self.methods = []

    def upper(self):
        return self.name.upper()


# --- parsing ---------------------------------------------------------------


def statements(text):
    """Yield (line number, statement text, doc comment lines). A statement
    continues on the next line while a parenthesis is open, after a line
    that ends with ',' or '->', and onto a line that starts with '->'. The
    comment lines just above a statement are its doc."""
    doc, pending, start, pending_doc = [], None, 0, []

    def complete(stmt):
        depth = stmt.count("(") - stmt.count(")")
        return depth <= 0 and not stmt.endswith(",") and not stmt.endswith("->")

    for number, raw in enumerate(text.splitlines(), 1):
        code, _, comment = raw.partition("#")
        code = code.strip()
        if not code:
            if raw.strip().startswith("#"):
                doc.append(comment.strip())
            else:
                doc = []
            continue
        if pending is not None and (not complete(pending) or code.startswith("->")):
            pending += " " + code
            doc = []
            continue
        if pending is not None:
            yield start, pending, pending_doc
        pending, start, pending_doc, doc = code, number, doc, []
    if pending is not None:
        yield start, pending, pending_doc


class Parser:
    def __init__(self, path, text):
        self.proto = Protocol(path)
        self.text = text
        self.values = {}  # constant name -> value

    def error(self, line, message):
        raise ProtoError(f"{self.proto.path}:{line}: {message}")

    def parse(self):
        for line, stmt, doc in statements(self.text):
            word = stmt.split()[0]
            if self.proto.name is None and word != "protocol":
                self.error(line, "the description must start with `protocol NAME`")
            if word == "protocol":
                self.parse_protocol(line, stmt, doc)
            elif word == "const":
                self.parse_const(line, stmt, doc)
            elif word == "method":
                self.parse_method(line, stmt, doc)
            else:
                self.error(line, f"unknown statement `{word}`")
        if self.proto.name is None:
            self.error(1, "no `protocol NAME` statement")
        if not self.proto.methods:
            self.error(1, f"protocol {self.proto.name} has no methods")
        return self.proto

    def identifier(self, line, name, what):
        if not IDENT.match(name):
            self.error(line, f"{what} `{name}` is not a C identifier")
        if name in C_KEYWORDS:
            self.error(line, f"{what} `{name}` is a reserved word")
        return name

    def parse_protocol(self, line, stmt, doc):
        words = stmt.split()
        if self.proto.name is not None:
            self.error(line, "a second `protocol` statement")
        if len(words) != 2:
            self.error(line, "expected `protocol NAME`")
        name = self.identifier(line, words[1], "protocol name")
        if not re.match(r"[a-z][a-z0-9]*$", name):
            self.error(line, f"protocol name `{name}` must be lower-case letters and digits")
        self.proto.name = name
        self.proto.doc = doc

    def parse_const(self, line, stmt, doc):
        m = re.match(r"const\s+(\S+)\s*=\s*(\S+)$", stmt)
        if not m:
            self.error(line, "expected `const NAME = VALUE`")
        name = self.identifier(line, m.group(1), "constant")
        if not re.match(r"[A-Z][A-Z0-9_]*$", name):
            self.error(line, f"constant `{name}` must be upper case")
        if name in self.values:
            self.error(line, f"constant `{name}` defined twice")
        value = self.value(line, m.group(2))
        self.values[name] = value
        self.proto.consts.append((name, value, literal_style(m.group(2)), doc))

    def value(self, line, text):
        """A number, or a constant defined above, with an optional '-'."""
        if NUMBER.match(text):
            sign = -1 if text.startswith("-") else 1
            digits = text.lstrip("-")
            base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2], 10)
            if base == 10 and len(digits) > 1 and digits.startswith("0"):
                self.error(line, f"`{text}`: write octal as 0o...")
            return sign * int(digits, base)
        negative = text.startswith("-")
        name = text[1:] if negative else text
        if name not in self.values:
            self.error(line, f"unknown constant `{name}`")
        return -self.values[name] if negative else self.values[name]

    def parse_method(self, line, stmt, doc):
        m = re.match(
            r"method\s+(\S+)\s*=\s*(\S+)\s*\((.*?)\)\s*(?:->\s*\((.*?)\))?\s*(.*)$", stmt
        )
        if not m:
            self.error(line, "expected `method NAME = NUMBER (PARAMS) [-> (OUTS)] [privileged]`")
        name = self.identifier(line, m.group(1), "method")
        if not re.match(r"[a-z][a-z0-9_]*$", name):
            self.error(line, f"method name `{name}` must be lower case")
        number = self.value(line, m.group(2))
        if not 1 <= number <= LABEL_MAX:
            self.error(line, f"method {name}: number {number} outside 1..{LABEL_MAX}")
        for other in self.proto.methods:
            if other.name == name:
                self.error(line, f"method `{name}` defined twice (first at line {other.line})")
            if other.number == number:
                self.error(line, f"method {name}: number {number} already taken by {other.name}")
        method = Method(name, number, line, doc)
        for attr in m.group(5).split():
            if attr != "privileged":
                self.error(line, f"method {name}: unknown attribute `{attr}`")
            if method.privileged:
                self.error(line, f"method {name}: `privileged` given twice")
            method.privileged = True
        seen = set()
        for text in split_list(m.group(3)):
            param = self.parse_param(line, method, text)
            self.unique(line, method, param.name, seen)
            method.params.append(param)
        for text in split_list(m.group(4) or ""):
            out = self.parse_out(line, method, text)
            self.unique(line, method, out.name, seen)
            method.outs.append(out)
        self.layout(line, method)
        self.proto.methods.append(method)

    def unique(self, line, method, name, seen):
        if name in seen:
            self.error(line, f"method {method.name}: `{name}` named twice")
        seen.add(name)

    def name_and_type(self, line, method, text):
        m = re.match(r"(\S+)\s*:\s*(.+)$", text)
        if not m:
            self.error(line, f"method {method.name}: expected `NAME: TYPE`, got `{text}`")
        name = self.identifier(line, m.group(1), f"method {method.name}: argument")
        return name, m.group(2).split()

    def parse_param(self, line, method, text):
        name, words = self.name_and_type(line, method, text)
        kind, rest = words[0], words[1:]
        where = f"method {method.name}: {name}"
        if kind == "name":
            if rest:
                self.error(line, f"{where}: a `name` takes no range")
            return Param(name, kind, line)
        if kind in SCALARS:
            if not rest:
                lo, hi = (I64_MIN, I64_MAX) if kind == "i64" else (0, U64_MAX)
                return Param(name, kind, line, lo, hi)
            if kind == "u64" and rest[0] == "mask":
                if len(rest) != 2:
                    self.error(line, f"{where}: expected `u64 mask VALUE`")
                mask = self.value(line, rest[1])
                if not 0 <= mask <= U64_MAX:
                    self.error(line, f"{where}: mask {mask:#x} is not a u64")
                return Param(name, kind, line, 0, U64_MAX, mask)
            lo, hi = self.range(line, where, rest)
            low, high = (I64_MIN, I64_MAX) if kind == "i64" else (0, U64_MAX)
            if lo < low or hi > high:
                self.error(line, f"{where}: range {lo}..{hi} does not fit a {kind}")
            return Param(name, kind, line, lo, hi)
        if kind == "str" or kind in BUFFERS:
            lo, hi = self.range(line, where, rest)
            if lo < 0:
                self.error(line, f"{where}: a length cannot be negative")
            limit = STR_MAX if kind == "str" else WINDOW_MAX
            if hi > limit:
                self.error(line, f"{where}: maximum length {hi} above {limit}")
            return Param(name, kind, line, lo, hi)
        self.error(line, f"{where}: unknown type `{kind}`")

    def range(self, line, where, words):
        if len(words) != 1 or ".." not in words[0]:
            self.error(line, f"{where}: expected a range LOW..HIGH")
        lo_text, _, hi_text = words[0].partition("..")
        lo, hi = self.value(line, lo_text), self.value(line, hi_text)
        if lo > hi:
            self.error(line, f"{where}: empty range {lo}..{hi}")
        return lo, hi

    def parse_out(self, line, method, text):
        name, words = self.name_and_type(line, method, text)
        if len(words) != 1 or words[0] not in ("i64", "u64", "name"):
            self.error(line, f"method {method.name}: result {name} must be i64, u64 or name")
        return Out(name, words[0], line)

    def layout(self, line, method):
        mr = 0
        for p in method.params:
            p.mr = mr
            mr += p.words()
        if mr > MSG_MAX_WORDS:
            self.error(line, f"method {method.name}: request of {mr} words above {MSG_MAX_WORDS}")
        mr = 1
        for o in method.outs:
            o.mr = mr
            mr += o.words()
        if mr > MSG_MAX_WORDS:
            self.error(line, f"method {method.name}: reply of {mr} words above {MSG_MAX_WORDS}")


def literal_style(text):
    """How a constant was written, so that the header shows it the same way:
    'hex', 'octal' or 'decimal' (also for a constant's name)."""
    digits = text.lstrip("-")
    return {"0x": "hex", "0o": "octal"}.get(digits[:2], "decimal")


def c_constant(value, style):
    if style == "octal" and value >= 0:
        return f"0{value:o}"
    return c_int(value, hexadecimal=style == "hex")


def split_list(text):
    text = text.strip()
    return [t.strip() for t in text.split(",")] if text else []


def parse(path, text):
    return Parser(path, text).parse()


# --- C text ----------------------------------------------------------------


def c_int(value, hexadecimal=False):
    """A C constant of the value that compares as the value does with an
    int64_t or uint64_t."""
    if value == I64_MIN:
        return "INT64_MIN"
    if value > I64_MAX:
        return f"UINT64_C({value:#x})"
    text = f"{value:#x}" if hexadecimal and value >= 0 else str(value)
    return f"({text})" if value < 0 else text


def comment(lines, indent=""):
    lines = [line for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return []
    if len(lines) == 1:
        return [f"{indent}/* {lines[0]} */"]
    out = [f"{indent}/* {lines[0]}"]
    out += [f"{indent} * {line}".rstrip() for line in lines[1:]]
    out[-1] += " */"
    return out


def method_enum(proto, method):
    return f"{proto.upper()}_{method.name.upper()}"


def c_type(kind):
    return "int64_t" if kind == "i64" else "uint64_t"


def client_params(method):
    """The C parameters of a client stub after the endpoint."""
    out = []
    for p in method.params:
        if p.kind in SCALARS:
            out.append(f"{c_type(p.kind)} {p.name}")
        elif p.kind == "name":
            out.append(f"const char *{p.name}")
        else:
            out.append(f"uint64_t {p.name}_offset")
            out.append(f"uint64_t {p.name}_length")
    return out + result_pointers(method)


def result_pointers(method):
    """The C parameters through which a stub or a handler returns results."""
    return [f"char {o.name}[KEEL_PROTO_NAME_BYTES]" if o.kind == "name"
            else f"{c_type(o.kind)} *{o.name}" for o in method.outs]


def handler_params(method):
    """The C parameters of a handler after (ctx, badge)."""
    out = []
    for p in method.params:
        if p.kind in SCALARS:
            out.append(f"{c_type(p.kind)} {p.name}")
        elif p.kind in ("name", "str"):
            out.append(f"const char *{p.name}")
        else:
            const = "const " if p.kind == "in" else ""
            out.append(f"{const}void *{p.name}")
            out.append(f"size_t {p.name}_length")
    return out + result_pointers(method)


def reply_params(method):
    out = ["long result"]
    for o in method.outs:
        out.append(f"const char *{o.name}" if o.kind == "name" else f"{c_type(o.kind)} {o.name}")
    return out


def signature(ret, name, params, indent_static=""):
    """`ret name(params)` wrapped at 100 columns, continuation aligned."""
    head = f"{indent_static}{ret} {name}("
    text = head + ", ".join(params) + ")"
    if len(text) <= 100:
        return [text]
    lines, current = [], head
    for i, p in enumerate(params):
        piece = p + (", " if i + 1 < len(params) else ")")
        if len(current) + len(piece.rstrip()) > 100 and current.strip() != head.strip():
            lines.append(current.rstrip())
            current = " " * len(head) + piece
        else:
            current += piece
    lines.append(current.rstrip())
    return lines


HEADER_NOTE = "Generated by tools/genproto.py from {path}: do not edit."


def gen_defs(proto):
    up = proto.upper()
    lines = comment(
        [f"The {proto.name} protocol: constants and method numbers."]
        + proto.doc
        + ["", HEADER_NOTE.format(path=proto.path)]
    )
    lines += ["#pragma once", ""]
    for name, value, style, doc in proto.consts:
        lines += comment(doc)
        lines.append(f"#define {up}_{name} {c_constant(value, style)}")
    if proto.consts:
        lines.append("")
    lines.append(f"enum {proto.name}_method {{")
    for m in proto.methods:
        lines.append(f"    {method_enum(proto, m)} = {m.number},")
    lines.append("};")
    return "\n".join(lines) + "\n"


def gen_client(proto):
    lines = comment(
        [f"The {proto.name} protocol: client stubs. Each sends its arguments in",
         "message registers with seL4_Call on `ep` and returns MR0 of the reply:",
         ">= 0 success, < 0 a negated errno (-EIO: a malformed reply). Results",
         "are stored only on success; a NULL pointer skips one.",
         "", HEADER_NOTE.format(path=proto.path)]
    )
    lines += [
        "#pragma once",
        "",
        "#include <keel/os/proto.h>",
        f"#include <keel/proto/{proto.name}_defs.h>",
        "#include <keel/syscalls.h>",
        "#include <stdint.h>",
        "",
    ]
    for m in proto.methods:
        lines += gen_stub(proto, m)
    return "\n".join(lines).rstrip() + "\n"


def gen_stub(proto, method):
    lines = comment(method.doc)
    lines += signature("static inline long", f"{proto.name}_{method.name}",
                       ["seL4_CPtr ep"] + client_params(method))
    lines.append("{")
    for p in method.params:
        if p.kind in SCALARS:
            lines.append(f"    seL4_SetMR({p.mr}, (seL4_Word){p.name});")
        elif p.kind == "name":
            lines.append(f"    keel_proto_put_name({p.mr}, {p.name});")
        else:
            lines.append(f"    seL4_SetMR({p.mr}, {p.name}_offset);")
            lines.append(f"    seL4_SetMR({p.mr + 1}, {p.name}_length);")
    words = method.request_words()
    lines.append(f"    seL4_MessageInfo_t info = seL4_MessageInfo_new({method_enum(proto, method)}, "
                 f"0, 0, {words});")
    if not method.outs:
        lines += ["    return keel_proto_result(seL4_Call(ep, info), 1);", "}", ""]
        return lines
    lines.append(f"    long result = keel_proto_result(seL4_Call(ep, info), {method.reply_words()});")
    lines.append("    if (result >= 0) {")
    for o in method.outs:
        lines.append(f"        if ({o.name} != 0) {{")
        if o.kind == "name":
            lines.append(f"            keel_proto_get_name({o.mr}, {o.name});")
        else:
            lines.append(f"            *{o.name} = ({c_type(o.kind)})seL4_GetMR({o.mr});")
        lines.append("        }")
    lines.append("    }")
    lines += ["    return result;", "}", ""]
    return lines


def gen_server_header(proto):
    lines = comment(
        [f"The {proto.name} protocol, server side: the handlers a server defines, the",
         "reply builders for deferred replies, and the dispatch.",
         "", HEADER_NOTE.format(path=proto.path)]
    )
    lines += [
        "#pragma once",
        "",
        "#include <keel/os/proto.h>",
        f"#include <keel/proto/{proto.name}_defs.h>",
        "#include <stdbool.h>",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
    ]
    lines += comment([
        "Decode the request in the IPC buffer (label, length, every argument's range,",
        "data-window buffers against req->window_size), call the handler and build the",
        "reply in *reply. Returns false when the handler deferred the reply",
        "(KEEL_PROTO_DEFERRED): the server answers later with the method's _reply().",
    ])
    lines += signature("bool", f"proto_{proto.name}_dispatch",
                       ["const keel_proto_request_t *req", "seL4_MessageInfo_t info",
                        "seL4_MessageInfo_t *reply"])
    lines[-1] += ";"
    lines.append("")
    lines += comment([
        "Handlers: one per method, defined by the server. Every argument is in its",
        "declared range; a str or name is a NUL-terminated private copy; a buffer",
        "points into the caller's data window (shared: read it once). Results",
        "(pointers after the arguments) start zeroed. Return >= 0, a negated errno,",
        "or KEEL_PROTO_DEFERRED to reply later.",
    ])
    for m in proto.methods:
        lines.append("")
        lines += comment(m.doc)
        lines += signature("long", f"proto_{proto.name}_{m.name}",
                           ["void *ctx", "seL4_Word badge"] + handler_params(m))
        lines[-1] += ";"
    lines.append("")
    lines += comment(["Reply builders: the method's reply in the IPC buffer (results only",
                      "when result >= 0) and its message info."])
    for m in proto.methods:
        lines += gen_reply_builder(proto, m)
    return "\n".join(lines).rstrip() + "\n"


def gen_reply_builder(proto, method):
    lines = signature("static inline seL4_MessageInfo_t", f"proto_{proto.name}_{method.name}_reply",
                      reply_params(method))
    lines.append("{")
    if not method.outs:
        lines += ["    return keel_proto_reply(result, 1);", "}", ""]
        return lines
    lines.append("    if (result < 0) {")
    lines.append("        return keel_proto_reply(result, 1);")
    lines.append("    }")
    for o in method.outs:
        if o.kind == "name":
            lines.append(f"    keel_proto_put_name({o.mr}, {o.name});")
        else:
            lines.append(f"    seL4_SetMR({o.mr}, (seL4_Word){o.name});")
    lines += [f"    return keel_proto_reply(result, {method.reply_words()});", "}", ""]
    return lines


def gen_server_source(proto):
    lines = comment([f"The {proto.name} protocol's server dispatch.", "",
                     HEADER_NOTE.format(path=proto.path)])
    lines += [
        f"#include <keel/proto/{proto.name}_server.h>",
        "#include <errno.h>",
        "#include <string.h>",
        "",
    ]
    for m in proto.methods:
        lines += gen_decoder(proto, m)
    lines += signature("bool", f"proto_{proto.name}_dispatch",
                       ["const keel_proto_request_t *req", "seL4_MessageInfo_t info",
                        "seL4_MessageInfo_t *reply"])
    lines += ["{", "    switch (seL4_MessageInfo_get_label(info)) {"]
    for m in proto.methods:
        lines.append(f"    case {method_enum(proto, m)}:")
        lines.append(f"        return decode_{m.name}(req, info, reply);")
    lines += [
        "    default:",
        "        *reply = keel_proto_reply(-ENOSYS, 1);",
        "        return true;",
        "    }",
        "}",
    ]
    return "\n".join(lines).rstrip() + "\n"


def range_check(p, value):
    """C conditions that reject a scalar outside its declared range."""
    conds = []
    if p.mask is not None:
        if p.mask != U64_MAX:
            conds.append(f"({value} & ~(uint64_t){c_int(p.mask, True)}) != 0")
        return conds
    low, high = (I64_MIN, I64_MAX) if p.kind == "i64" else (0, U64_MAX)
    if p.lo > low:
        conds.append(f"{value} < {c_int(p.lo)}")
    if p.hi < high:
        conds.append(f"{value} > {c_int(p.hi)}")
    return conds


def gen_decoder(proto, method):
    lines = [
        f"static bool decode_{method.name}(const keel_proto_request_t *req, "
        "seL4_MessageInfo_t info,",
        f"{' ' * (len('static bool decode_') + len(method.name) + 1)}seL4_MessageInfo_t *reply)",
        "{",
    ]
    fail = "        *reply = keel_proto_reply(-EINVAL, 1);\n        return true;\n    }"
    lines.append(f"    if (!keel_proto_request_ok(info, {method.request_words()})) {{")
    lines += fail.split("\n")
    if method.privileged:
        lines.append("    if (!req->privileged) {")
        lines.append("        *reply = keel_proto_reply(-EPERM, 1);")
        lines.append("        return true;")
        lines.append("    }")
    args = []
    for p in method.params:
        if p.kind in SCALARS:
            lines.append(f"    {c_type(p.kind)} {p.name} = ({c_type(p.kind)})seL4_GetMR({p.mr});")
            conds = range_check(p, p.name)
            if conds:
                lines.append(f"    if ({' || '.join(conds)}) {{")
                lines += fail.split("\n")
            args.append(p.name)
        elif p.kind == "name":
            lines.append(f"    char {p.name}[KEEL_PROTO_NAME_BYTES];")
            lines.append(f"    if (!keel_proto_get_name({p.mr}, {p.name})) {{")
            lines += fail.split("\n")
            args.append(p.name)
        else:
            off, length = f"{p.name}_offset", f"{p.name}_length"
            lines.append(f"    uint64_t {off} = seL4_GetMR({p.mr});")
            lines.append(f"    uint64_t {length} = seL4_GetMR({p.mr + 1});")
            lines.append(f"    if (!keel_proto_window_ok(req, {off}, {length}, {p.lo}, {p.hi})) {{")
            lines += fail.split("\n")
            if p.kind == "str":
                lines.append(f"    char {p.name}[{p.hi} + 1];")
                lines.append(f"    if (!keel_proto_copy_str(req, {off}, {length}, {p.name})) {{")
                lines += fail.split("\n")
                args.append(p.name)
            else:
                args.append(f"keel_proto_window_at(req, {off})")
                args.append(length)
    for o in method.outs:
        if o.kind == "name":
            lines.append(f"    char {o.name}[KEEL_PROTO_NAME_BYTES];")
            lines.append(f"    memset({o.name}, 0, sizeof({o.name}));")
            args.append(o.name)
        else:
            lines.append(f"    {c_type(o.kind)} {o.name} = 0;")
            args.append(f"&{o.name}")
    call = f"    long result = proto_{proto.name}_{method.name}("
    call_args = ["req->ctx", "req->badge"] + args
    lines += wrap_call(call, call_args, ");")
    lines.append("    if (result == KEEL_PROTO_DEFERRED) {")
    lines.append("        return false;")
    lines.append("    }")
    reply_args = ["result"] + [o.name for o in method.outs]
    lines += wrap_call(f"    *reply = proto_{proto.name}_{method.name}_reply(", reply_args, ");")
    lines += ["    return true;", "}", ""]
    return lines


def wrap_call(head, args, tail):
    text = head + ", ".join(args) + tail
    if len(text) <= 100:
        return [text]
    lines, current = [], head
    for i, a in enumerate(args):
        piece = a + (", " if i + 1 < len(args) else tail)
        if len(current) + len(piece.rstrip()) > 100 and current != head:
            lines.append(current.rstrip())
            current = " " * len(head) + piece
        else:
            current += piece
    lines.append(current.rstrip())
    return lines


TABLE_KIND = {"i64": "PROTO_TABLE_I64", "u64": "PROTO_TABLE_U64", "name": "PROTO_TABLE_NAME",
              "str": "PROTO_TABLE_STR", "in": "PROTO_TABLE_BUFFER", "out": "PROTO_TABLE_BUFFER",
              "inout": "PROTO_TABLE_BUFFER"}


def gen_table(proto):
    """For the host tests only (tests/host/proto_table.h): the protocol as
    data, and handlers that report every call to proto_table_called()."""
    p = proto.name
    lines = comment([f"The {p} protocol as a table, with handlers that record their calls,",
                     "for tests/host/test_proto_dispatch.c.", "",
                     HEADER_NOTE.format(path=proto.path)])
    lines += [f"#include <keel/proto/{p}_server.h>", "#include <proto_table.h>", ""]
    for m in proto.methods:
        if m.params:
            lines.append(f"static const proto_table_param_t {m.name}_params[] = {{")
            for a in m.params:
                mask = c_int(a.mask, True) if a.mask is not None else "0"
                lines.append(f"    {{ {TABLE_KIND[a.kind]}, {a.mr}, {c_int(a.lo or 0)}, {c_int(a.hi or 0)}, "
                             f"{mask}, {'true' if a.mask is not None else 'false'} }},")
            lines += ["};", ""]
    lines.append(f"static const proto_table_method_t {p}_methods[] = {{")
    for m in proto.methods:
        params = f"{m.name}_params" if m.params else "NULL"
        outs = ", ".join("true" if o.kind == "name" else "false" for o in m.outs) or "false"
        lines.append(f"    {{ \"{m.name}\", {m.number}, {m.request_words()}, {m.reply_words()}, "
                     f"{'true' if m.privileged else 'false'}, {len(m.params)}, {params}, "
                     f"{len(m.outs)}, {{ {outs} }} }},")
    lines += ["};", ""]
    lines.append(f"const proto_table_t proto_table_{p} = {{ \"{p}\", proto_{p}_dispatch, "
                 f"{len(proto.methods)}, {p}_methods }};")
    lines.append("")
    for index, m in enumerate(proto.methods):
        lines += signature("long", f"proto_{p}_{m.name}", ["void *ctx", "seL4_Word badge"]
                           + handler_params(m))
        lines.append("{")
        args = []
        for a in m.params:
            if a.kind in SCALARS:
                args.append(f"{{ .value = (uint64_t){a.name} }}")
            elif a.kind in ("name", "str"):
                args.append(f"{{ .text = {a.name} }}")
            else:
                args.append(f"{{ .pointer = {a.name}, .length = {a.name}_length }}")
        if args:
            lines.append("    const proto_table_arg_t args[] = {")
            lines += [f"        {a}," for a in args]
            lines.append("    };")
        zeroed = [f"proto_table_name_zero({o.name})" if o.kind == "name" else f"*{o.name} == 0"
                  for o in m.outs]
        call_args = ["ctx", "badge", f"&{p}_methods[{index}]", "args" if args else "NULL",
                     " && ".join(zeroed) if zeroed else "true"]
        lines += wrap_call("    long result = proto_table_called(", call_args, ");")
        for i, o in enumerate(m.outs):
            if o.kind == "name":
                lines.append(f"    proto_table_out_name({i}, {o.name});")
            else:
                lines.append(f"    *{o.name} = ({c_type(o.kind)})proto_table_out_value({i});")
        lines += ["    return result;", "}", ""]
    return "\n".join(lines).rstrip() + "\n"


def generate(proto, tables=False):
    """{relative path: text} of every file for the protocol (and its test
    table if asked)."""
    files = {
        ("include", f"keel/proto/{proto.name}_defs.h"): gen_defs(proto),
        ("include", f"keel/proto/{proto.name}.h"): gen_client(proto),
        ("include", f"keel/proto/{proto.name}_server.h"): gen_server_header(proto),
        ("src", f"{proto.name}_server.c"): gen_server_source(proto),
    }
    if tables:
        files[("src", f"{proto.name}_table.c")] = gen_table(proto)
    return files


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("protos", nargs="+", help="proto/<name>.proto files")
    ap.add_argument("--include", required=True, help="directory for keel/proto/*.h")
    ap.add_argument("--src", required=True, help="directory for <name>_server.c")
    ap.add_argument("--tables", action="store_true",
                    help="also write <name>_table.c for the host tests")
    args = ap.parse_args(argv)
    outputs = {}
    names = {}
    try:
        for path in args.protos:
            with open(path) as f:
                proto = parse(path, f.read())
            if proto.name in names:
                raise ProtoError(f"{path}:1: protocol {proto.name} also described in "
                                 f"{names[proto.name]}")
            names[proto.name] = path
            outputs.update(generate(proto, args.tables))
    except (ProtoError, OSError) as e:
        print(f"genproto: {e}", file=sys.stderr)
        return 1
    for (where, rel), text in outputs.items():
        base = args.include if where == "include" else args.src
        write_if_changed(os.path.join(base, rel), text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
