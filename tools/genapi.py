#!/usr/bin/env python3
"""Generate Keel's ABI headers from api/keel.api (format: docs/api.md).

Writes <out>/abi.h (numbers, word layouts and message layouts shared by the
kernel and libkeel), <out>/invocations.h (libkeel's user-level invocation
stubs), <out>/config.h (the effective configuration) and <out>/context.h (the
kernel's saved register context, for C and assembly). The build's -DCONFIG_X[=V] definitions (-D)
apply on top of the description's defaults. The parser, the configuration and
the layout computation are also used by tools/checkapi.py.
"""

import argparse
import os
import re
import sys

WORD_BITS = 64
WORD_BYTES = 8
CONFIG_NAME = re.compile(r"CONFIG_\w+$")


class ApiError(Exception):
    """A malformed description or configuration; the message says where."""


class TypeInfo:
    """How one argument type packs: a scalar of `bits`, or a struct of words.

    A struct member may be an array (`name[count]`, the count a number or a
    constant's name): `counts` holds the count text of those, `offsets` (filled
    when the description is resolved) the word offset of every member, and
    `groups` the named groups of members, [(group, first member, members)]."""

    def __init__(self, name, kind, bits=0, wrapped=False, members=None):
        self.name = name
        self.kind = kind  # 'scalar', 'struct' or 'cap'
        self.bits = bits
        self.wrapped = wrapped  # a one-word struct accessed through .words[0]
        self.members = members if members is not None else []
        self.counts = {}  # member -> count text, for array members
        self.offsets = {}  # member -> word offset
        self.words = len(self.members)
        self.groups = []

    def size_bits(self):
        return self.words * WORD_BITS if self.kind == "struct" else self.bits


class Field:
    """A field of a bit-field word (`name` None: padding). `shift` is filled
    when the description is resolved."""

    def __init__(self, name, width_text, line):
        self.name = name
        self.width_text = width_text  # a number or a constant's name
        self.line = line
        self.width = None
        self.shift = None

    def mask(self):
        return (1 << self.width) - 1


class Bitfield:
    """A word of bit fields (ABI 2.1-2.3), fields from the most significant bit down."""

    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.fields = []

    def named_fields(self):
        return [f for f in self.fields if f.name is not None]


class ContextRegister:
    """One word of the kernel's saved register context: its kernel name (CTX_<name>),
    the register as the ABI names it, and the user-context member mapped to it."""

    def __init__(self, name, register, member, line):
        self.name = name
        self.register = register
        self.member = member  # None: no seL4_UserContext word reads or writes it
        self.line = line


class Context:
    """The saved register context, word by word, and the struct (seL4_UserContext)
    whose members TCB_ReadRegisters/WriteRegisters/CopyRegisters map onto it."""

    def __init__(self, user_struct, line):
        self.user_struct = user_struct
        self.line = line
        self.registers = []

    def index(self, name):
        return [r.name for r in self.registers].index(name)

    def user_order(self, info):
        """For each member of the user struct, in order, the register it maps to."""
        by_member = {r.member: r for r in self.registers if r.member is not None}
        return [by_member[m] for m in info.members]


class Param:
    """One parameter. Layout fields are filled by compute_layout()."""

    def __init__(self, direction, name, ctype, limit, line):
        self.direction = direction  # 'in' or 'out'
        self.name = name
        self.ctype = ctype
        self.limit = limit  # name of the parameter that bounds a struct, or None
        self.line = line
        self.type = None  # TypeInfo, resolved after parsing
        self.cap_index = None
        self.mr = None  # first message register
        self.shift = 0
        self.bits = 0

    def is_cap(self):
        return self.type.kind == "cap"

    def is_struct(self):
        return self.type.kind == "struct"


class Method:
    """A described method; `present` (its condition holds) decides whether it
    takes a label in this configuration."""

    def __init__(self, label_name, name, interface, level, condition, line):
        self.label_name = label_name
        self.name = name
        self.interface = interface
        self.level = level
        self.condition = condition  # None: every configuration
        self.line = line
        self.params = []
        self.present = True
        self.label = None
        self.in_len = 0  # words of the input stream
        self.out_len = 0
        self.ncaps = 0

    def c_name(self):
        return "%s_%s" % (self.interface, self.name)

    def inputs(self):
        return [p for p in self.params if p.direction == "in"]

    def outputs(self):
        return [p for p in self.params if p.direction == "out"]


class Absent:
    """A method of a configuration Keel does not implement (no parameters)."""

    def __init__(self, label_name, name, interface, level, condition, line):
        self.label_name = label_name
        self.name = name
        self.interface = interface
        self.level = level
        self.condition = condition
        self.line = line


class Level:
    def __init__(self, enum_name, terminator, zero_name):
        self.enum_name = enum_name
        self.terminator = terminator
        self.zero_name = zero_name  # name of label 0 (first level only)
        self.first = None
        self.end = None


class Syscall:
    def __init__(self, group, name, condition, number):
        self.group = group
        self.name = name
        self.condition = condition
        self.number = number
        self.present = True


class Constant:
    """An enum member or a `constant`: emitted only when `present`."""

    def __init__(self, name, value, condition):
        self.name = name
        self.value = value  # as written (hex stays hex)
        self.condition = condition
        self.present = True


class Enum:
    def __init__(self, name, condition):
        self.name = name
        self.condition = condition
        self.constants = []
        self.present = True

    def present_constants(self):
        return [c for c in self.constants if c.present]


class Option:
    """A configuration option: its value as written and where it came from
    ('config' default, 'define' from the build, 'unsupported': named in a
    condition but not declared, so always 0)."""

    def __init__(self, name, value, origin):
        self.name = name
        self.value = value
        self.origin = origin

    def enabled(self):
        try:
            return int(self.value, 0) != 0
        except ValueError:  # a kernel option outside the ABI, e.g. a name
            return False


def first_named(items, name, attribute="name"):
    """The first item whose `attribute` is `name`, or None."""
    return next((i for i in items if getattr(i, attribute) == name), None)


class Api:
    def __init__(self, path):
        self.path = path
        self.options = {}  # name -> Option: the effective configuration
        self.declared = {}  # name -> default value text (`config` lines)
        self.enabled = set()  # names of the options that are on
        self.types = {}
        self.syscalls = []
        self.levels = []
        self.all_methods = []  # every `method`, present or not
        self.methods = []  # the present ones, in label order
        self.absent = []
        self.enums = []
        self.constants = []  # `constant` statements
        self.bitfields = []
        self.context = None

    def present_syscalls(self):
        return [s for s in self.syscalls if s.present]

    def method_by_label_name(self, label_name):
        """The present method with this label name, or None."""
        return first_named(self.methods, label_name, "label_name")

    def any_method(self, label_name):
        """The described method with this label name, present or not."""
        return first_named(self.all_methods, label_name, "label_name")

    def enum(self, name):
        return first_named(self.enums, name)

    def constant(self, name):
        return first_named(self.constants, name)

    def bitfield(self, name):
        return first_named(self.bitfields, name)

    def fast_message_registers(self):
        """MR0..MR<n-1> travel in registers (x2..x5): the stubs' register words."""
        return parse_number(self.constant("seL4_FastMessageRegisters").value)

    def conditions(self):
        """Every condition of the description."""
        items = self.syscalls + self.all_methods + self.absent + self.enums + self.constants
        items += [c for e in self.enums for c in e.constants]
        return [i.condition for i in items if i.condition is not None]


CONDITION_TOKEN = re.compile(r"CONFIG_\w+|&&|\|\||!|\(|\)|\S")


def condition_names(text):
    return {t for t in CONDITION_TOKEN.findall(text) if t.startswith("CONFIG_")}


def eval_condition(text, config):
    """Evaluate a condition over CONFIG_ names; names not in `config` (a set of
    the options that are on) are false."""
    tokens = CONDITION_TOKEN.findall(text)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take(expected=None):
        token = peek()
        if token is None or (expected is not None and token != expected):
            raise ValueError("bad condition %r" % text)
        pos[0] += 1
        return token

    def primary():
        token = take()
        if token == "!":
            return not primary()
        if token == "(":
            value = disjunction()
            take(")")
            return value
        if token.startswith("CONFIG_"):
            return token in config
        raise ValueError("bad condition %r" % text)

    def conjunction():
        value = primary()
        while peek() == "&&":
            take()
            value = primary() and value
        return value

    def disjunction():
        value = conjunction()
        while peek() == "||":
            take()
            value = conjunction() or value
        return value

    result = disjunction()
    if peek() is not None:
        raise ValueError("bad condition %r" % text)
    return result


def parse_number(text):
    return int(text, 0)


def split_condition(args):
    """(words, condition): `... when <cond>` at the end of a statement."""
    if "when" in args:
        at = args.index("when")
        return args[:at], " ".join(args[at + 1:])
    return args, None


class Parser:
    """Reads the statements of a .api file into an Api (see the file's header).
    Conditions are only checked for syntax here; configure() evaluates them."""

    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.api = Api(path)
        self.line = 0
        self.level = None
        self.interface = None
        self.method = None
        self.struct = None
        self.group = None  # the group of the struct's next members
        self.bitfield = None
        self.context = None
        self.enum = None

    def error(self, message):
        raise ApiError("%s:%d: %s" % (self.path, self.line, message))

    def parse(self):
        for number, raw in enumerate(self.text.splitlines(), 1):
            self.line = number
            words = raw.split("#", 1)[0].split()
            if words:
                self.statement(words)
        if self.enum is not None:
            self.error("enum %s lacks 'end'" % self.enum.name)
        self.resolve_types()
        self.resolve_layouts()
        return self.api

    def statement(self, words):
        keyword, args = words[0], words[1:]
        if self.enum is not None:
            self.enum_line(keyword, args)
            return
        handler = {
            "config": self.on_config,
            "type": self.on_type,
            "struct": self.on_struct,
            "members": self.on_members,
            "group": self.on_group,
            "bitfield": self.on_bitfield,
            "field": self.on_field,
            "padding": self.on_field,
            "context": self.on_context,
            "register": self.on_register,
            "captype": self.on_captype,
            "syscall": self.on_syscall,
            "level": self.on_level,
            "interface": self.on_interface,
            "method": self.on_method,
            "absent": self.on_absent,
            "in": self.on_param,
            "out": self.on_param,
            "enum": self.on_enum,
            "constant": self.on_constant,
        }.get(keyword)
        if handler is None:
            self.error("unknown statement %r" % keyword)
        if keyword not in ("members", "group"):
            self.struct = None
        if keyword not in ("field", "padding"):
            self.bitfield = None
        if keyword != "register":
            self.context = None
        if keyword not in ("in", "out"):
            self.method = None
        handler(keyword, args)

    def on_config(self, _, args):
        for word in args:
            name, _, value = word.partition("=")
            value = value or "1"
            if not CONFIG_NAME.match(name):
                self.error("bad option %r" % word)
            try:
                parse_number(value)
            except ValueError:
                self.error("option %s: the value %r is not a number" % (name, value))
            if name in self.api.declared:
                self.error("option %s declared twice" % name)
            self.api.declared[name] = value

    def add_type(self, info):
        if info.name in self.api.types:
            self.error("type %s declared twice" % info.name)
        self.api.types[info.name] = info

    def on_type(self, _, args):
        if len(args) not in (2, 3) or (len(args) == 3 and args[2] != "word"):
            self.error("usage: type <ctype> <bits> [word]")
        bits = parse_number(args[1])
        if bits not in (1, 8, 16, 32, 64):
            self.error("unsupported width %d" % bits)
        self.add_type(TypeInfo(args[0], "scalar", bits, wrapped=len(args) == 3))

    def on_struct(self, _, args):
        if len(args) != 1:
            self.error("usage: struct <ctype>")
        info = TypeInfo(args[0], "struct")
        self.add_type(info)
        self.struct = info
        self.group = None

    def on_members(self, _, args):
        if self.struct is None:
            self.error("'members' outside a struct")
        if self.struct.groups and self.group is None:
            self.error("members of a struct with groups must follow a 'group'")
        for word in args:
            m = re.match(r"(\w+)(?:\[(\w+)\])?$", word)
            if m is None:
                self.error("bad member %r" % word)
            if m.group(1) in self.struct.members:
                self.error("member %s declared twice" % m.group(1))
            self.struct.members.append(m.group(1))
            if m.group(2) is not None:
                self.struct.counts[m.group(1)] = m.group(2)
            if self.group is not None:
                self.group[2] += 1

    def on_group(self, _, args):
        if self.struct is None:
            self.error("'group' outside a struct")
        if len(args) != 1:
            self.error("usage: group <name>")
        if self.struct.members and not self.struct.groups:
            self.error("a struct's first group comes before its first members")
        if any(g[0] == args[0] for g in self.struct.groups):
            self.error("group %s declared twice" % args[0])
        self.group = [args[0], len(self.struct.members), 0]
        self.struct.groups.append(self.group)

    def on_bitfield(self, _, args):
        if len(args) != 1:
            self.error("usage: bitfield <name>")
        if self.api.bitfield(args[0]) is not None:
            self.error("bitfield %s declared twice" % args[0])
        self.bitfield = Bitfield(args[0], self.line)
        self.api.bitfields.append(self.bitfield)

    def on_field(self, keyword, args):
        if self.bitfield is None:
            self.error("'%s' outside a bitfield" % keyword)
        if keyword == "padding":
            if len(args) != 1:
                self.error("usage: padding <bits>")
            self.bitfield.fields.append(Field(None, args[0], self.line))
            return
        if len(args) != 2:
            self.error("usage: field <name> <bits>")
        if any(f.name == args[0] for f in self.bitfield.fields):
            self.error("field %s declared twice" % args[0])
        self.bitfield.fields.append(Field(args[0], args[1], self.line))

    def on_context(self, _, args):
        if len(args) != 1:
            self.error("usage: context <user context struct>")
        if self.api.context is not None:
            self.error("a second context")
        self.context = Context(args[0], self.line)
        self.api.context = self.context

    def on_register(self, _, args):
        if self.context is None:
            self.error("'register' outside the context")
        if len(args) not in (2, 3):
            self.error("usage: register <NAME> <ABI register name> [<user context member>]")
        for other in self.context.registers:
            if other.name == args[0] or other.register == args[1]:
                self.error("register %s declared twice" % args[0])
            if len(args) == 3 and other.member == args[2]:
                self.error("member %s mapped twice" % args[2])
        member = args[2] if len(args) == 3 else None
        self.context.registers.append(ContextRegister(args[0], args[1], member, self.line))

    def on_captype(self, _, args):
        for name in args:
            self.add_type(TypeInfo(name, "cap"))

    def checked_condition(self, text, usage):
        """The condition text of a `when` clause, checked for syntax."""
        if text is None:
            return None
        if not text:
            self.error(usage)
        try:
            eval_condition(text, set())
        except ValueError as e:
            self.error(str(e))
        return text

    def on_syscall(self, _, args):
        usage = "usage: syscall <api|debug> <Name> [when <condition>]"
        words, condition = split_condition(args)
        if len(words) != 2 or words[0] not in ("api", "debug"):
            self.error(usage)
        if words[0] == "api" and any(s.group == "debug" for s in self.api.syscalls):
            self.error("api system calls must come before debug ones")
        condition = self.checked_condition(condition, usage)
        self.api.syscalls.append(
            Syscall(words[0], words[1], condition, -(len(self.api.syscalls) + 1)))

    def on_level(self, _, args):
        if len(args) not in (2, 3):
            self.error("usage: level <enum name> <terminator> [<label 0 name>]")
        if len(args) == 3 and self.api.levels:
            self.error("only the first level has a label 0")
        self.level = Level(args[0], args[1], args[2] if len(args) == 3 else None)
        self.api.levels.append(self.level)
        self.interface = None

    def on_interface(self, _, args):
        if len(args) != 1:
            self.error("usage: interface <ctype>")
        if self.level is None:
            self.error("interface before any level")
        self.interface = args[0]

    def check_method_context(self, label_name):
        if self.interface is None:
            self.error("method outside an interface")
        names = [m.label_name for m in self.api.all_methods] + \
            [a.label_name for a in self.api.absent]
        if label_name in names:
            self.error("label %s declared twice" % label_name)

    def on_method(self, _, args):
        usage = "usage: method <LabelName> <CName> [when <condition>]"
        words, condition = split_condition(args)
        if len(words) != 2:
            self.error(usage)
        self.check_method_context(words[0])
        condition = self.checked_condition(condition, usage)
        self.method = Method(words[0], words[1], self.interface, self.level, condition, self.line)
        self.api.all_methods.append(self.method)

    def on_absent(self, _, args):
        usage = "usage: absent <LabelName> <CName> when <condition>"
        words, condition = split_condition(args)
        if len(words) != 2 or condition is None:
            self.error(usage)
        self.check_method_context(words[0])
        condition = self.checked_condition(condition, usage)
        self.api.absent.append(
            Absent(words[0], words[1], self.interface, self.level, condition, self.line))

    def on_param(self, direction, args):
        if self.method is None:
            self.error("'%s' outside a method" % direction)
        limit = None
        if len(args) == 4 and args[2] == "limit":
            limit = args[3]
        elif len(args) != 2:
            self.error("usage: %s <name> <type> [limit <param>]" % direction)
        if any(p.name == args[0] for p in self.method.params):
            self.error("parameter %s declared twice" % args[0])
        self.method.params.append(Param(direction, args[0], args[1], limit, self.line))

    def on_enum(self, _, args):
        usage = "usage: enum <typedef name> [when <condition>]"
        words, condition = split_condition(args)
        if len(words) != 1:
            self.error(usage)
        self.enum = Enum(words[0], self.checked_condition(condition, usage))
        self.api.enums.append(self.enum)

    def constant(self, words, condition, usage):
        if len(words) != 2:
            self.error(usage)
        try:
            parse_number(words[1])
        except ValueError:
            self.error("bad value %r" % words[1])
        return Constant(words[0], words[1], self.checked_condition(condition, usage))

    def enum_line(self, keyword, args):
        if keyword == "end" and not args:
            self.enum = None
            return
        words, condition = split_condition([keyword] + args)
        usage = "usage inside enum: <Name> <value> [when <condition>]"
        self.enum.constants.append(self.constant(words, condition, usage))

    def on_constant(self, _, args):
        words, condition = split_condition(args)
        usage = "usage: constant <Name> <value> [when <condition>]"
        self.api.constants.append(self.constant(words, condition, usage))

    def resolve_types(self):
        for method in self.api.all_methods:
            names = [p.name for p in method.params]
            for param in method.params:
                self.line = param.line
                param.type = self.api.types.get(param.ctype)
                if param.type is None:
                    self.error("unknown type %s" % param.ctype)
                if param.is_struct() and param.type.counts:
                    self.error("struct %s has arrays: not an argument type" % param.ctype)
                if param.is_cap() and param.direction != "in":
                    self.error("capability %s cannot be an output" % param.name)
                if param.limit is not None:
                    if not param.is_struct():
                        self.error("'limit' applies to struct parameters only")
                    if param.limit not in names:
                        self.error("limit %s is not a parameter" % param.limit)


    def count(self, text, what):
        """A width or count: a number, or the name of an unconditional constant."""
        try:
            return parse_number(text)
        except ValueError:
            pass
        constant = self.api.constant(text)
        if constant is None or constant.condition is not None:
            self.error("%s %r is neither a number nor an unconditional constant" % (what, text))
        return parse_number(constant.value)

    def resolve_layouts(self):
        """Word offsets of struct members, bit positions of bit fields, and the
        context's map from the user context struct."""
        for info in self.api.types.values():
            if info.kind == "struct":
                self.resolve_struct(info)
        for bitfield in self.api.bitfields:
            self.resolve_bitfield(bitfield)
        if self.api.context is not None:
            self.resolve_context(self.api.context)

    def resolve_struct(self, info):
        for name, _, count in info.groups:
            if count == 0:
                self.error("struct %s: group %s has no members" % (info.name, name))
        offset = 0
        for member in info.members:
            info.offsets[member] = offset
            count = 1
            if member in info.counts:
                count = self.count(info.counts[member], "count of %s" % member)
                if count < 1:
                    self.error("%s.%s: an array of %d words" % (info.name, member, count))
            offset += count
        info.words = offset

    def resolve_bitfield(self, bitfield):
        self.line = bitfield.line
        position = WORD_BITS
        for field in bitfield.fields:
            self.line = field.line
            field.width = self.count(field.width_text, "width")
            if not 1 <= field.width < WORD_BITS:
                self.error("a field of %d bits" % field.width)
            position -= field.width
            field.shift = position
        if position != 0:
            self.line = bitfield.line
            self.error("bitfield %s: its fields cover %d bits, not %d"
                       % (bitfield.name, WORD_BITS - position, WORD_BITS))

    def resolve_context(self, context):
        self.line = context.line
        info = self.api.types.get(context.user_struct)
        if info is None or info.kind != "struct" or info.counts:
            self.error("context: %s is not a struct of words" % context.user_struct)
        mapped = [r.member for r in context.registers if r.member is not None]
        for register in context.registers:
            self.line = register.line
            if register.member is not None and register.member not in info.members:
                self.error("%s is not a member of %s" % (register.member, info.name))
        missing = [m for m in info.members if m not in mapped]
        if missing:
            self.line = context.line
            self.error("context: no register for %s" % ", ".join(missing))


def parse_define(text):
    """'CONFIG_X' or 'CONFIG_X=V' (a -D word of the build) -> (name, value)."""
    name, eq, value = text.partition("=")
    if not CONFIG_NAME.match(name):
        raise ApiError("-D%s: not a CONFIG_ option" % text)
    return name, (value if eq else "1")


def configure(api, defines=()):
    """Fix the effective configuration: the `config` defaults, then the build's
    definitions. An option named in a condition must be declared (Keel
    implements it) to be set; other CONFIG_ words of the build are kernel
    options outside the ABI, passed through to config.h. Then every
    condition is evaluated."""
    used = set()
    for text in api.conditions():
        used |= condition_names(text)
    for name, value in api.declared.items():
        api.options[name] = Option(name, value, "config")
    for name in sorted(used - set(api.declared)):
        api.options[name] = Option(name, "0", "unsupported")
    for text in defines:
        name, value = parse_define(text)
        known = name in api.declared
        if name in used and not known:
            raise ApiError("-D%s: Keel does not implement %s (no `config` line declares it)"
                           % (text, name))
        if known:
            try:
                parse_number(value)
            except ValueError:
                raise ApiError("-D%s: %s takes a number" % (text, name))
        api.options[name] = Option(name, value, "define")
    api.enabled = {o.name for o in api.options.values() if o.enabled()}
    evaluate(api)


def holds(api, condition):
    return condition is None or eval_condition(condition, api.enabled)


def evaluate(api):
    for call in api.syscalls:
        call.present = holds(api, call.condition)
    for method in api.all_methods:
        method.present = holds(api, method.condition)
    api.methods = [m for m in api.all_methods if m.present]
    for absent in api.absent:
        if holds(api, absent.condition):
            raise ApiError("%s:%d: %s is marked absent but its condition holds (%s)"
                           % (api.path, absent.line, absent.label_name, absent.condition))
    for enum in api.enums:
        enum.present = holds(api, enum.condition)
        for constant in enum.constants:
            constant.present = holds(api, constant.condition)
    for constant in api.constants:
        constant.present = holds(api, constant.condition)


def pack(params):
    """Lay out scalar and struct parameters in the bit stream (ABI 5.3 rule 3).

    Each parameter starts at the next multiple of min(size, 64) bits. Returns
    the number of words used."""
    position = 0
    for param in params:
        size = param.type.size_bits()
        align = min(size, WORD_BITS)
        position = (position + align - 1) // align * align
        param.mr = position // WORD_BITS
        param.shift = position % WORD_BITS
        param.bits = size
        position += size
    return (position + WORD_BITS - 1) // WORD_BITS


def compute_layout(api):
    """Assign label numbers to the present methods; extra-cap indices and
    message registers to every method (a layout does not depend on the
    configuration)."""
    label = 0
    for level in api.levels:
        level.first = label
        if level.zero_name is not None:
            label += 1
        for method in api.methods:
            if method.level is level:
                method.label = label
                label += 1
        level.end = label
    for method in api.all_methods:
        caps = [p for p in method.inputs() if p.is_cap()]
        for index, param in enumerate(caps):
            param.cap_index = index
        method.ncaps = len(caps)
        method.in_len = pack([p for p in method.inputs() if not p.is_cap()])
        method.out_len = pack(method.outputs())


def load(path, defines=()):
    """Parse the description and apply the configuration (-D words)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    api = Parser(path, text).parse()
    configure(api, defines)
    compute_layout(api)
    return api


# abi.h


def emit_enum(out, name, constants, typedef=True):
    out.append("%senum %s {" % ("typedef " if typedef else "", name))
    for constant, value in constants:
        out.append("    %s = %s," % (constant, value))
    out.append("}%s;" % (" " + name if typedef else ""))
    out.append("")


def emit_syscalls(api, out):
    out.append("/* System-call numbers, passed in x7 (ABI 1.2). Absent calls keep their")
    out.append(" * number; the kernel treats them as unknown system calls. */")
    present = [(s.name, s) for s in api.present_syscalls()]
    emit_enum(out, "seL4_Syscall_ID", [("seL4_Sys" + n, s.number) for n, s in present])
    for call in api.syscalls:
        if not call.present:
            out.append("/* %d %s: absent (%s) */" % (call.number, call.name, call.condition))
    api_calls = [s for s in api.syscalls if s.group == "api"]
    out.append("")
    out.append("/* x7 in [-KEEL_NUM_API_SYSCALLS, -1] selects an API call. */")
    out.append("#define KEEL_NUM_API_SYSCALLS %d" % len(api_calls))
    out.append("")


def emit_labels(api, out):
    out.append("/* Invocation labels (ABI 5.1, 5.2): three levels, numbered on; a method")
    out.append(" * whose condition is false in this configuration takes no label. */")
    for level in api.levels:
        constants = []
        if level.zero_name is not None:
            constants.append((level.zero_name, level.first))
        constants += [(m.label_name, m.label) for m in api.methods if m.level is level]
        constants.append((level.terminator, level.end))
        emit_enum(out, level.enum_name, constants, typedef=False)
        absent = [m for m in api.all_methods if m.level is level and not m.present]
        if absent:
            out.append("/* Absent here (no label): %s */" % ", ".join(
                "%s (%s)" % (m.label_name, m.condition) for m in absent))
            out.append("")
    names = []
    for level in api.levels:
        if level.zero_name is not None:
            names.append(level.zero_name)
        names += [m.label_name for m in api.methods if m.level is level]
    out.append("/* Initializer of a table of label names, indexed by label. */")
    out.append("#define KEEL_INVOCATION_LABEL_NAMES { \\")
    for name in names:
        out.append('    "%s", \\' % name)
    out.append("}")
    out.append("")


def emit_constants(api, out):
    present = [c for c in api.constants if c.present]
    if present:
        for constant in present:
            value = constant.value
            if value.startswith("-"):
                value = "(%s)" % value
            out.append("#define %s %s" % (constant.name, value))
        out.append("")


def emit_struct_indices(api, out):
    out.append("/* Word index of each member of the structures passed in messages and of")
    out.append(" * the IPC buffer (an array member: its first word), their size in words, and")
    out.append(" * the first word and size of each group of members. */")
    for info in api.types.values():
        if info.kind != "struct":
            continue
        for member in info.members:
            out.append("#define KEEL_%s_%s %d" % (info.name, member, info.offsets[member]))
        out.append("#define KEEL_WORDS_%s %d" % (info.name, info.words))
        for name, first, count in info.groups:
            members = info.members[first:first + count]
            end = info.offsets[members[-1]] + 1
            out.append("#define KEEL_%s_%s_FIRST %d" % (info.name, name, info.offsets[members[0]]))
            out.append("#define KEEL_%s_%s_WORDS %d"
                       % (info.name, name, end - info.offsets[members[0]]))
        out.append("")


def hex_ull(value):
    return "0x%xull" % value


def shifted(expression, operator, shift):
    return "(%s %s %d)" % (expression, operator, shift) if shift else expression


def parameter_list(prefix, parameters):
    """`prefix(a, b, ...)`, one parameter a line when it is long."""
    line = "%s(%s)" % (prefix, ", ".join(parameters))
    if len(line) <= 100:
        return [line]
    indent = " " * (len(prefix) + 1)
    return ["%s(%s," % (prefix, parameters[0])] + \
        ["%s%s," % (indent, p) for p in parameters[1:-1]] + ["%s%s)" % (indent, parameters[-1])]


def emit_bitfield_words(bitfield, out):
    """Constants and functions on the raw word (the kernel's view)."""
    name = bitfield.name
    fields = bitfield.named_fields()
    for field in fields:
        out.append("#define KEEL_%s_%s_SHIFT %d" % (name, field.name, field.shift))
        out.append("#define KEEL_%s_%s_BITS %d" % (name, field.name, field.width))
    out.append("")
    out.extend(parameter_list("static inline uint64_t keel_%s_new" % name,
                              ["uint64_t %s" % f.name for f in fields]))
    out.append("{")
    terms = [shifted("(%s & %s)" % (f.name, hex_ull(f.mask())), "<<", f.shift) for f in fields]
    out.append("    return %s;" % " |\n           ".join(terms))
    out.append("}")
    out.append("")
    for f in fields:
        out.append("static inline uint64_t keel_%s_get_%s(uint64_t word)" % (name, f.name))
        out.append("{")
        out.append("    return %s & %s;" % (shifted("word", ">>", f.shift), hex_ull(f.mask())))
        out.append("}")
        out.append("")
        out.append("static inline uint64_t keel_%s_set_%s(uint64_t word, uint64_t value)"
                   % (name, f.name))
        out.append("{")
        out.append("    return (word & ~%s) | %s;" % (
            shifted(hex_ull(f.mask()), "<<", f.shift),
            shifted("(value & %s)" % hex_ull(f.mask()), "<<", f.shift)))
        out.append("}")
        out.append("")


def emit_bitfield_type(bitfield, out):
    """libsel4's type and functions (user level): <name>_t, _new, _get_, _set_,
    _ptr_get_, _ptr_set_, each over the word function of the same name."""
    name = bitfield.name
    fields = bitfield.named_fields()
    out.append("typedef struct %s {" % name)
    out.append("    uint64_t words[1];")
    out.append("} %s_t;" % name)
    out.append("")
    out.extend(parameter_list("static inline %s_t %s_new" % (name, name),
                              ["uint64_t %s" % f.name for f in fields]))
    out.append("{")
    out.append("    %s_t value = {{keel_%s_new(%s)}};" % (
        name, name, ", ".join(f.name for f in fields)))
    out.append("    return value;")
    out.append("}")
    out.append("")
    for f in fields:
        get = "keel_%s_get_%s" % (name, f.name)
        put = "keel_%s_set_%s" % (name, f.name)
        out.extend([
            "static inline uint64_t %s_get_%s(%s_t value)" % (name, f.name, name),
            "{", "    return %s(value.words[0]);" % get, "}", "",
            "static inline %s_t %s_set_%s(%s_t value, uint64_t %s)"
            % (name, name, f.name, name, f.name),
            "{", "    value.words[0] = %s(value.words[0], %s);" % (put, f.name),
            "    return value;", "}", "",
            "static inline uint64_t %s_ptr_get_%s(const %s_t *pointer)" % (name, f.name, name),
            "{", "    return %s(pointer->words[0]);" % get, "}", "",
            "static inline void %s_ptr_set_%s(%s_t *pointer, uint64_t %s)"
            % (name, f.name, name, f.name),
            "{", "    pointer->words[0] = %s(pointer->words[0], %s);" % (put, f.name), "}", "",
        ])


def emit_bitfields(api, out):
    out.append("/* Words of bit fields (ABI 2.1-2.3). For a field <f> of the word <W>:")
    out.append(" * KEEL_<W>_<f>_SHIFT and _BITS place it; keel_<W>_new, keel_<W>_get_<f>")
    out.append(" * and keel_<W>_set_<f> work on the raw word (the kernel's view);")
    out.append(" * <W>_t and <W>_new, _get_<f>, _set_<f>, _ptr_get_<f>, _ptr_set_<f>")
    out.append(" * are libsel4's interface to it. */")
    out.append("")
    for bitfield in api.bitfields:
        out.append("/* %s: %s. */" % (bitfield.name, ", ".join(
            "%s [%d:%d]" % (f.name or "padding", f.shift + f.width - 1, f.shift)
            for f in bitfield.fields)))
        emit_bitfield_words(bitfield, out)
        emit_bitfield_type(bitfield, out)


def emit_param_macros(out, prefix, label_name, param):
    name = "%s_%s" % (label_name, param.name)
    out.append("#define KEEL_%sMR_%s %d" % (prefix, name, param.mr))
    if param.is_struct():
        out.append("#define KEEL_%sWORDS_%s %d" % (prefix, name, len(param.type.members)))
    else:
        out.append("#define KEEL_%sSHIFT_%s %d" % (prefix, name, param.shift))
        out.append("#define KEEL_%sBITS_%s %d" % (prefix, name, param.bits))


def emit_method_layouts(api, out):
    out.append("/* Message layout of every method (ABI 5.3): for an argument <a> of the")
    out.append(" * method with label <L>, KEEL_MR_<L>_<a> is its message register and")
    out.append(" * KEEL_SHIFT_/KEEL_BITS_ its bits there (struct arguments: KEEL_WORDS_,")
    out.append(" * one word per member); KEEL_CAP_<L>_<a> is the extra-cap index of a")
    out.append(" * capability argument. KEEL_LEN_<L> is the message length the stubs send,")
    out.append(" * KEEL_NCAPS_<L> the number of extra caps. KEEL_OUT_* describe the reply. */")
    for method in api.methods:
        out.append("")
        out.append("/* %d %s: %s */" % (method.label, method.label_name, method.c_name()))
        out.append("#define KEEL_LEN_%s %d" % (method.label_name, method.in_len))
        out.append("#define KEEL_NCAPS_%s %d" % (method.label_name, method.ncaps))
        for param in method.inputs():
            if param.is_cap():
                out.append("#define KEEL_CAP_%s_%s %d"
                           % (method.label_name, param.name, param.cap_index))
            else:
                emit_param_macros(out, "", method.label_name, param)
        if method.outputs():
            out.append("#define KEEL_OUT_LEN_%s %d" % (method.label_name, method.out_len))
            for param in method.outputs():
                emit_param_macros(out, "OUT_", method.label_name, param)
    out.append("")


def generate_abi(api, source):
    out = [
        "/* Keel ABI numbers and message layouts, shared by the kernel and libkeel.",
        " * Generated by tools/genapi.py from %s: do not edit. */" % source,
        "#pragma once",
        "",
        "#include <stdint.h>",
        "",
    ]
    emit_syscalls(api, out)
    emit_labels(api, out)
    emit_constants(api, out)
    emit_bitfields(api, out)
    for enum in api.enums:
        if enum.present:
            emit_enum(out, enum.name, [(c.name, c.value) for c in enum.present_constants()])
    emit_struct_indices(api, out)
    emit_method_layouts(api, out)
    return "\n".join(out).rstrip() + "\n"


# invocations.h


def word_expression(param, member=None):
    """The C expression of one input value, converted to a word and placed."""
    if member is not None:
        return "%s->%s" % (param.name, member)
    if param.type.wrapped:
        value = "%s.words[0]" % param.name
    else:
        value = "(seL4_Word)%s" % param.name
    if param.bits < WORD_BITS:
        value = "(%s & 0x%xull)" % (value, (1 << param.bits) - 1)
        if param.shift:
            value = "(%s << %d)" % (value, param.shift)
    return value


def input_words(method):
    """For each input word: a list of (expression, guard) pieces to OR together.

    A guard is a C condition under which the piece is sent (struct members past
    a 'limit'), or None."""
    words = [[] for _ in range(method.in_len)]
    for param in method.inputs():
        if param.is_cap():
            continue
        if param.is_struct():
            for index, member in enumerate(param.type.members):
                guard = "%s > %d" % (param.limit, index) if param.limit else None
                words[param.mr + index].append((word_expression(param, member), guard))
        else:
            words[param.mr].append((word_expression(param), None))
    return words


def signature(method):
    args = ["%s _service" % method.interface]
    for param in method.params:
        if param.is_struct():
            args.append("%s *%s" % (param.ctype, param.name))
        elif param.direction == "in":
            args.append("%s %s" % (param.ctype, param.name))
    return ", ".join(args)


def result_type(method):
    scalars = [p for p in method.outputs() if not p.is_struct()]
    return ("%s_t" % method.c_name()) if scalars else "seL4_Error"


def emit_result_struct(method, out):
    scalars = [p for p in method.outputs() if not p.is_struct()]
    if not scalars:
        return
    out.append("typedef struct %s {" % method.c_name())
    out.append("    int error;")
    for param in scalars:
        out.append("    %s %s;" % (param.ctype, param.name))
    out.append("} %s_t;" % method.c_name())
    out.append("")


def emit_inputs(method, body, fast):
    """`fast`: the number of message registers that travel in registers."""
    registers = ["0"] * fast
    for index, pieces in enumerate(input_words(method)):
        if index < fast:
            # Registers are free to load: guards only matter for buffer words.
            registers[index] = " | ".join(e for e, _ in pieces) if pieces else "0"
            continue
        for expression, guard in pieces:
            if guard is None:
                body.append("    seL4_SetMR(%d, %s);" % (index, expression))
            else:
                body.append("    if (%s) {" % guard)
                body.append("        seL4_SetMR(%d, %s);" % (index, expression))
                body.append("    }")
    for param in method.inputs():
        if param.is_cap():
            body.append("    seL4_SetCap(%d, %s);" % (param.cap_index, param.name))
    declarations = ["    seL4_Word _mr%d = %s;" % (i, registers[i]) for i in range(fast)]
    return declarations + body


def reply_word(index, fast):
    return "_mr%d" % index if index < fast else "seL4_GetMR(%d)" % index


def output_value(param, word):
    if param.bits < WORD_BITS:
        word = "((%s >> %d) & 0x%xull)" % (word, param.shift, (1 << param.bits) - 1)
    if param.type.wrapped:
        return "(%s){{%s}}" % (param.ctype, word)
    return "(%s)%s" % (param.ctype, word)


def emit_outputs(method, body, fast):
    """Open `if (success) {` and unpack the reply there (rule 6). Returns False,
    emitting nothing, for methods without outputs."""
    lines = []
    for param in method.outputs():
        if param.is_struct():
            for index, member in enumerate(param.type.members):
                word = reply_word(param.mr + index, fast)
                assign = "%s->%s = %s;" % (param.name, member, word)
                if param.limit:
                    lines.append("        if (%s > %d) {" % (param.limit, index))
                    lines.append("            " + assign)
                    lines.append("        }")
                else:
                    lines.append("        " + assign)
        else:
            lines.append("        _out.%s = %s;"
                         % (param.name, output_value(param, reply_word(param.mr, fast))))
    if not lines:
        return False
    body.append("    if (_result == seL4_NoError) {")
    body.extend(lines)
    return True


def emit_stub(method, out, fast):
    """`fast`: the number of message registers passed in registers
    (seL4_FastMessageRegisters, the pointers of seL4_CallWithMRs)."""
    emit_result_struct(method, out)
    rtype = result_type(method)
    out.append("static inline %s %s(%s)" % (rtype, method.c_name(), signature(method)))
    out.append("{")
    body = emit_inputs(method, [], fast)
    body.append("    seL4_MessageInfo_t _tag = seL4_MessageInfo_new(%s, 0, %d, %d);"
                % (method.label_name, method.ncaps, method.in_len))
    body.append("    seL4_MessageInfo_t _reply = seL4_CallWithMRs(_service, _tag, %s);"
                % ", ".join("&_mr%d" % i for i in range(fast)))
    body.append("    seL4_Error _result = (seL4_Error)seL4_MessageInfo_get_label(_reply);")
    if rtype != "seL4_Error":
        body.append("    %s _out = {0};" % rtype)
        body.append("    _out.error = (int)_result;")
    if emit_outputs(method, body, fast):
        body.append("    } else {")
    else:
        body.append("    if (_result != seL4_NoError) {")
    for i in range(fast):
        body.append("        seL4_SetMR(%d, _mr%d);" % (i, i))
    body.append("    }")
    body.append("    return %s;" % ("_result" if rtype == "seL4_Error" else "_out"))
    out.extend(body)
    out.append("}")
    out.append("")


# config.h


def generate_config(api, source):
    """Every option the description names, with its effective value, and the
    build's other CONFIG_ definitions as given."""
    out = [
        "/* The configuration this build's kernel, libkeel and programs share: every",
        " * option is defined, 0 when off (test with #if, not #ifdef).",
        " * Generated by tools/genapi.py from %s: do not edit. */" % source,
        "#pragma once",
        "",
    ]
    groups = [
        ("Options Keel implements (`config` defaults and the build's -D).",
         lambda o: o.name in api.declared),
        ("Options of seL4 Keel does not implement: always off.",
         lambda o: o.origin == "unsupported"),
        ("Kernel options set by the build (-D) outside the interface; the kernel's\n"
         " * config.h gives the defaults of the others.",
         lambda o: o.origin == "define" and o.name not in api.declared),
    ]
    for title, wanted in groups:
        chosen = sorted((o for o in api.options.values() if wanted(o)), key=lambda o: o.name)
        if chosen:
            out.append("/* %s */" % title)
            out.extend("#define %s %s" % (o.name, o.value) for o in chosen)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def generate_invocations(api, source):
    out = [
        "/* libkeel's invocation stubs: one static inline function per method, packing",
        " * its arguments as ABI 5.3 says. On error, MR0..MR3 of the reply are copied",
        " * to the IPC buffer so seL4_GetMR() returns the error details.",
        " * Generated by tools/genapi.py from %s: do not edit. */" % source,
        "#pragma once",
        "",
        "#include <keel/gen/abi.h>",
        "#include <keel/ipcbuf.h>",
        "#include <keel/syscalls.h>",
        "#include <keel/types.h>",
        "",
    ]
    for method in api.methods:
        emit_stub(method, out, api.fast_message_registers())
    return "\n".join(out).rstrip() + "\n"


# context.h


def generate_context(api, source):
    """The kernel's saved register context: byte offsets (usable from assembly),
    then, for C, the index enum and the map from the user context struct."""
    context = api.context
    out = [
        "/* The register context the kernel saves for each thread, in the order its",
        " * entry code stores it: CTX_<name>_OFFSET (bytes; also for assembly),",
        " * enum context_register (word indices) and KEEL_USER_CONTEXT_ORDER.",
        " * Generated by tools/genapi.py from %s: do not edit. */" % source,
        "#pragma once",
        "",
    ]
    if context is None:
        return "\n".join(out) + "\n"
    for index, register in enumerate(context.registers):
        note = " /* %s */" % register.register if register.register != register.name.lower() else ""
        out.append("#define CTX_%s_OFFSET %d%s" % (register.name, index * WORD_BYTES, note))
    out.append("#define CTX_BYTES %d" % (len(context.registers) * WORD_BYTES))
    out.append("")
    out.append("#ifndef __ASSEMBLER__")
    out.append("")
    out.append("enum context_register {")
    for index, register in enumerate(context.registers):
        out.append("    CTX_%s = %d," % (register.name, index))
    out.append("    CTX_WORDS = %d," % len(context.registers))
    out.append("};")
    out.append("")
    info = api.types[context.user_struct]
    out.append("/* Initializer of a table indexed by the words of %s" % info.name)
    out.append(" * (TCB_ReadRegisters order): the context word each one reads and writes. */")
    out.append("#define KEEL_USER_CONTEXT_ORDER { \\")
    for member, register in zip(info.members, context.user_order(info)):
        note = " /* %s */" % member if member != register.name.lower() else ""
        out.append("    CTX_%s,%s \\" % (register.name, note))
    out.append("}")
    out.append("")
    out.append("#endif")
    return "\n".join(out) + "\n"


def write_if_changed(path, text):
    """Leave an identical file alone (and its mtime) so dependents are not rebuilt."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="api/keel.api", help="interface description")
    parser.add_argument("--out", required=True,
                        help="directory for abi.h, invocations.h, config.h and context.h")
    parser.add_argument("-D", dest="defines", action="append", default=[],
                        metavar="CONFIG_X[=V]", help="a configuration option of the build")
    args = parser.parse_args()
    try:
        api = load(args.api, args.defines)
    except (ApiError, OSError) as e:
        print("genapi: %s" % e, file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    source = os.path.normpath(args.api)
    write_if_changed(os.path.join(args.out, "abi.h"), generate_abi(api, source))
    write_if_changed(os.path.join(args.out, "invocations.h"), generate_invocations(api, source))
    write_if_changed(os.path.join(args.out, "config.h"), generate_config(api, source))
    write_if_changed(os.path.join(args.out, "context.h"), generate_context(api, source))
    return 0


if __name__ == "__main__":
    sys.exit(main())
