#!/usr/bin/env python3
"""Check api/keel.api against the seL4 reference (docs/api.md).

For the default configuration and for every other configuration of the
options keel.api declares (CONFIG_HARDWARE_DEBUG_API on, printing off...),
computes seL4's invocation labels and system-call numbers from the
<condition> elements of the reference's interface XML (syscall.xml and the
three object-api XML files) and its fault labels and fault message layouts
from the bitfield files, and compares them with what genapi makes of
keel.api under the same configuration. Also compares every described
method's parameters with the XML and its message layout (registers, bits,
extra caps) with invocation-layout.txt, and every condition with the XML's
(the same truth table). Once, the words of bit fields (message info...)
against the 64-bit bitfield file, and the message constants, the IPC buffer
layout, the kernel's register context and the map from seL4_UserContext to
it against abi-aarch64.md (sections 2, 3.1, 8.1, 8.2). Prints each
difference.

Exit status: 0 identical, 1 any difference, 77 reference absent (skipped).
--self-test checks that deliberately broken copies of keel.api are caught.
"""

import argparse
import ast
import itertools
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genapi  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP = 77

LAYOUT = "invocation-layout.txt"
SYSCALL_XML = "sel4/libsel4/include/api/syscall.xml"
LEVEL_XML = [
    "sel4/libsel4/include/interfaces/object-api.xml",
    "sel4/libsel4/sel4_arch_include/aarch64/interfaces/object-api-sel4-arch.xml",
    "sel4/libsel4/arch_include/arm/interfaces/object-api-arch.xml",
]
FAULT_TAGS_BF = "sel4/libsel4/arch_include/arm/sel4/arch/shared_types.bf"
FAULT_BLOCKS_BF = "sel4/libsel4/sel4_arch_include/aarch64/sel4/sel4_arch/types.bf"
WORDS_BF = "sel4/libsel4/mode_include/64/sel4/shared_types.bf"  # message info, rights...
ABI_DOC = "abi-aarch64.md"
MAX_BOOLEAN_OPTIONS = 6  # beyond that, each option is flipped alone


# the reference: invocation-layout.txt (the message layout of every method)


class RefMethod:
    """One entry of invocation-layout.txt."""

    def __init__(self, c_name, label_name, label, condition):
        self.c_name = c_name
        self.label_name = label_name
        self.label = label  # None for "n/a"
        self.condition = condition  # our condition syntax, or None
        self.service = None
        self.caps = []  # (index, name, type)
        self.in_len = None
        self.inputs = []  # (name, type, first MR, last MR, hi, lo)
        self.outputs = []


ARG = re.compile(r"^(\w+):(\w+)=MR(\d+)(?:\.\.MR(\d+)|\[(\d+):(\d+)\])?$")


def parse_arg(text):
    """'name:type=MR3', 'name:type=MR0[15:8]' or 'name:type=MR2..MR37'."""
    m = ARG.match(text)
    if m is None:
        raise ValueError("unreadable argument %r" % text)
    name, ctype, first = m.group(1), m.group(2), int(m.group(3))
    last = int(m.group(4)) if m.group(4) else first
    if m.group(5) is not None:
        hi, lo = int(m.group(5)), int(m.group(6))
    else:
        hi, lo = 63, 0
    return (name, ctype, first, last, hi, lo)


def layout_condition(text):
    """'defined(CONFIG_X) && !defined(CONFIG_Y)' -> our syntax; '-' -> None."""
    text = text.strip()
    if text == "-":
        return None
    return re.sub(r"defined\((CONFIG_\w+)\)", r"\1", text)


def parse_layout(path):
    methods = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            if not raw.startswith(" "):
                fields = [x.strip() for x in line.split("|")]
                label = fields[2].split("=", 1)[1]
                methods.append(RefMethod(fields[0], fields[1].split("=", 1)[1],
                                         None if label == "n/a" else int(label),
                                         layout_condition(fields[3].split("=", 1)[1])))
                continue
            method = methods[-1]
            if line.startswith("service="):
                service, caps = line.split(";", 1)
                method.service = service.split("=", 1)[1].strip()
                for item in ast.literal_eval(caps.split("=", 1)[1].strip()):
                    index, name, ctype = item.split(":")
                    method.caps.append((int(index), name, ctype))
            elif line.startswith("in(len="):
                m = re.match(r"in\(len=(\d+)\):\s*(\[.*\])$", line)
                method.in_len = int(m.group(1))
                method.inputs = [parse_arg(a) for a in ast.literal_eval(m.group(2))]
            elif line.startswith("out:"):
                method.outputs = [parse_arg(a) for a in ast.literal_eval(line[4:].strip())]
            else:
                raise ValueError("%s: unreadable line %r" % (path, line))
    return methods




# the reference: conditions


def xml_condition(element, config):
    """Evaluate a <condition> child tree; no condition means true."""
    if element is None:
        return True
    children = list(element)
    if element.tag == "condition":
        return all(xml_condition(c, config) for c in children)
    if element.tag == "config":
        return element.get("var") in config
    if element.tag == "not":
        return not xml_condition(children[0], config)
    if element.tag == "and":
        return all(xml_condition(c, config) for c in children)
    if element.tag == "or":
        return any(xml_condition(c, config) for c in children)
    raise ValueError("unknown condition element <%s>" % element.tag)


def xml_condition_names(element):
    if element is None:
        return set()
    return {e.get("var") for e in element.iter("config")}


def assignments(names):
    """Every set of the options in `names` that may be on together."""
    names = sorted(names)
    for values in itertools.product((False, True), repeat=len(names)):
        yield {n for n, v in zip(names, values) if v}


def same_condition(ours, elements):
    """Does our condition text (None: always) hold exactly when one of the XML
    <condition>s does, for every choice of the options either side names?"""
    space = set().union(*(xml_condition_names(e) for e in elements))
    space |= genapi.condition_names(ours) if ours else set()
    for config in assignments(space):
        mine = ours is None or genapi.eval_condition(ours, config)
        if mine != any(xml_condition(e, config) for e in elements):
            return False
    return True


def possible(api, names, holds):
    """Can `holds(config)` be true in a configuration Keel builds (any choice of
    the declared options, every other option off)? `holds` reads only the
    options in `names`, so only those of them that are declared are varied:
    the others are off in every configuration anyway."""
    return any(holds(config) for config in assignments(set(api.declared) & set(names)))


def show_condition(element):
    if element is None:
        return "always"
    return ET.tostring(element, encoding="unicode").strip()


# the reference: interface XML


class XmlMethod:
    def __init__(self, interface, element):
        self.interface = interface
        self.label_name = element.get("id")
        self.name = element.get("name")
        self.condition = element.find("condition")
        self.params = [(p.get("dir"), p.get("name"), p.get("type"))
                       for p in element.findall("param")]
        self.label = None  # in the configuration being checked, if present


def parse_level_xml(path):
    root = ET.parse(path).getroot()
    methods = []
    for interface in root.findall("interface"):
        for element in interface.findall("method"):
            methods.append(XmlMethod(interface.get("name"), element))
    structs = {s.get("name"): [m.get("name") for m in s.findall("member")]
               for s in root.findall("struct")}
    return methods, structs


def number_labels(levels, config):
    """seL4's numbering under `config`: label 0 is InvalidInvocation, then every
    method whose condition holds takes the next label, level after level.
    Sets each present XmlMethod's label; returns each level's terminator."""
    label = 1
    ends = []
    for methods in levels:
        for method in methods:
            method.label = None
            if xml_condition(method.condition, config):
                method.label = label
                label += 1
        ends.append(label)
    return ends


def parse_syscall_xml(path):
    """[(name, number, condition element)] of the non-MCS list (ABI 1.2)."""
    root = ET.parse(path).getroot()
    calls = []
    for element in root.find("api-master").iter("syscall"):
        calls.append((element.get("name"), None))
    for block in root.find("debug").findall("config"):
        for element in block.findall("syscall"):
            calls.append((element.get("name"), block.find("condition")))
    return [(name, -(i + 1), cond) for i, (name, cond) in enumerate(calls)]


# the reference: bitfield files (fault labels and fault message layouts)


def bf_lines(path, config):
    """The lines of a .bf file that its #ifdef/#ifndef/#else/#endif keep under
    `config`, without comments."""
    kept = []
    stack = []  # per open #if: is its current branch taken?
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("--", 1)[0].strip()
            words = line.split()
            if words[:1] in (["#ifdef"], ["#ifndef"]):
                on = words[1] in config
                stack.append(on if words[0] == "#ifdef" else not on)
            elif words[:1] == ["#else"]:
                stack[-1] = not stack[-1]
            elif words[:1] == ["#endif"]:
                stack.pop()
            elif line and not line.startswith("#") and all(stack):
                kept.append(line)
    return kept


def fault_tags(reference, config):
    """{fault name: label} of the tagged union seL4_Fault under `config`."""
    tags = {}
    for line in bf_lines(os.path.join(reference, FAULT_TAGS_BF), config):
        words = line.split()
        if words[0] == "tag":
            tags[words[1]] = int(words[2])
    return tags


def fault_blocks(reference, config):
    """{block name: [field names]}: the message words of each fault."""
    blocks = {}
    current = None
    for line in bf_lines(os.path.join(reference, FAULT_BLOCKS_BF), config):
        words = line.replace("{", " { ").split()
        if words[0] == "block":
            current = blocks.setdefault(words[1], [])
        elif words[0] == "}":
            current = None
        elif words[0] == "field" and current is not None and words[1] != "seL4_FaultType":
            current.append(words[1])
    return blocks


# comparisons


def our_args(params):
    """Our parameters in the layout file's terms."""
    args = []
    for p in params:
        if p.is_struct():
            args.append((p.name, p.ctype, p.mr, p.mr + len(p.type.members) - 1, 63, 0))
        else:
            args.append((p.name, p.ctype, p.mr, p.mr, p.shift + p.bits - 1, p.shift))
    return args


def compare_method(ours, ref, out):
    """Everything of a method's layout but its label (a layout does not depend
    on the configuration)."""
    where = ref.label_name
    if ours.c_name() != ref.c_name:
        out.append("%s: C name %s, reference %s" % (where, ours.c_name(), ref.c_name))
    if ours.interface != ref.service:
        out.append("%s: service %s, reference %s" % (where, ours.interface, ref.service))
    caps = [(p.cap_index, p.name, p.ctype) for p in ours.inputs() if p.is_cap()]
    if caps != ref.caps:
        out.append("%s: extra caps %s, reference %s" % (where, caps, ref.caps))
    if ours.in_len != ref.in_len:
        out.append("%s: length %d, reference %d" % (where, ours.in_len, ref.in_len))
    for kind, mine, theirs in (
            ("input", our_args([p for p in ours.inputs() if not p.is_cap()]), ref.inputs),
            ("output", our_args(ours.outputs()), ref.outputs)):
        if mine != theirs:
            out.append("%s: %s layout %s, reference %s" % (where, kind, mine, theirs))


def compare_layout(api, layout, is_reference_config, out):
    """Every described method against its entry in invocation-layout.txt (the
    one of a configuration Keel can build; seL4's MCS variants of a method
    are other entries); the labels there are those of the reference
    configuration, compared only there."""
    seen = set()
    for ref in layout:
        ours = api.any_method(ref.label_name)
        names = genapi.condition_names(ref.condition) if ref.condition else set()
        if ours is None or not possible(
                api, names,
                lambda c: ref.condition is None or genapi.eval_condition(ref.condition, c)):
            continue  # `absent` methods: the XML check covers them
        seen.add(ref.label_name)
        compare_method(ours, ref, out)
        if is_reference_config and ours.label != ref.label:
            out.append("%s: label %s, reference %s" % (ref.label_name, ours.label, ref.label))
    for method in api.all_methods:
        if method.label_name not in seen:
            out.append("%s: not in the reference layout" % method.label_name)


def compare_level_order(api, level, xml_methods, end, out):
    """The present methods of a level, in order, with seL4's label numbers."""
    present = [m for m in xml_methods if m.label is not None]
    mine = [m for m in api.methods if m.level is level]
    for index in range(max(len(present), len(mine))):
        ref = present[index] if index < len(present) else None
        ours = mine[index] if index < len(mine) else None
        if ref is None or ours is None or ref.label_name != ours.label_name:
            out.append("%s: label %d is %s, XML has %s" % (
                level.enum_name, (ours or ref).label,
                ours.label_name if ours else "nothing", ref.label_name if ref else "nothing"))
            return
        if ours.label != ref.label:
            out.append("%s: label %d, XML %d" % (ours.label_name, ours.label, ref.label))
    if level.end != end:
        out.append("%s: %d, XML %d" % (level.terminator, level.end, end))


def compare_level_methods(api, level, xml_methods, out):
    """Each XML method is described, and nothing else is. A `method` is the
    XML entry of its id that a configuration Keel builds can have (seL4 lists
    an MCS variant of some methods as another entry): same interface, name,
    parameters, and the same condition over Keel's options. An `absent` is
    every entry of its id, none of which Keel can have, under the same
    condition."""
    described = [m for m in api.all_methods if m.level is level] + \
        [a for a in api.absent if a.level is level]
    for ours in described:
        entries = [m for m in xml_methods if m.label_name == ours.label_name]
        ours_method = isinstance(ours, genapi.Method)
        here = [m for m in entries
                if possible(api, xml_condition_names(m.condition),
                            lambda c, m=m: xml_condition(m.condition, c))]
        if not entries or (ours_method and len(here) != 1) or (not ours_method and here):
            out.append("%s: %d XML entries, %d possible in Keel's configurations" % (
                ours.label_name, len(entries), len(here)))
            continue
        refs = here if ours_method else entries
        conditions = [m.condition for m in refs]
        if not same_condition(ours.condition, conditions):
            out.append("%s: condition %s, XML %s" % (ours.label_name, ours.condition,
                                                     " or ".join(map(show_condition, conditions))))
        ref = refs[0]
        if (ours.interface, ours.name) != (ref.interface, ref.name):
            out.append("%s: %s_%s, XML %s_%s" % (ours.label_name, ours.interface, ours.name,
                                                 ref.interface, ref.name))
        if ours_method:
            params = [(p.direction, p.name, p.ctype) for p in ours.params]
            if params != ref.params:
                out.append("%s: parameters %s, XML %s" % (ours.label_name, params, ref.params))
    names = {m.label_name for m in described}
    for ref in xml_methods:
        if ref.label_name not in names:
            out.append("%s: in the XML, not described" % ref.label_name)


def compare_xml(api, reference, out):
    if len(api.levels) != len(LEVEL_XML):
        out.append("%d label levels, the reference has %d" % (len(api.levels), len(LEVEL_XML)))
        return
    parsed = [parse_level_xml(os.path.join(reference, path)) for path in LEVEL_XML]
    ends = number_labels([methods for methods, _ in parsed], api.enabled)
    for level, (methods, structs), end in zip(api.levels, parsed, ends):
        compare_level_order(api, level, methods, end, out)
        compare_level_methods(api, level, methods, out)
        for name, members in structs.items():
            info = api.types.get(name)
            if info is None or info.members != members:
                out.append("struct %s: members %s, XML %s" % (
                    name, info.members if info else None, members))


def compare_syscalls(api, reference, out):
    ref = parse_syscall_xml(os.path.join(reference, SYSCALL_XML))
    mine = list(api.syscalls)
    # Keel's own debug calls (named Keel...) follow seL4's last number.
    while len(mine) > len(ref) and mine[-1].name.startswith("Keel"):
        mine.pop()
    for index in range(max(len(ref), len(mine))):
        ours = mine[index] if index < len(mine) else None
        theirs = ref[index] if index < len(ref) else None
        if ours is None or theirs is None or (ours.name, ours.number) != theirs[:2]:
            out.append("syscall %d: %s, reference %s" % (
                -(index + 1), ours.name if ours else None, theirs[0] if theirs else None))
            continue
        if ours.present != xml_condition(theirs[2], api.enabled):
            out.append("syscall %s: present %s, reference %s" % (
                ours.name, ours.present, not ours.present))
        if not same_condition(ours.condition, [theirs[2]]):
            out.append("syscall %s: condition %s, reference %s" % (
                ours.name, ours.condition, show_condition(theirs[2])))


def compare_faults(api, reference, out):
    """Fault labels (seL4_FaultType) and the word of each named field of a
    fault message (seL4_<Fault>_Msg) under the configuration."""
    types = api.enum("seL4_FaultType")
    mine = {c.name: int(c.value, 0) for c in types.present_constants()} if types else {}
    theirs = {"seL4_Fault_" + n: v for n, v in fault_tags(reference, api.enabled).items()}
    if mine != theirs:
        out.append("fault labels %s, reference %s" % (sorted(mine.items(), key=lambda x: x[1]),
                                                     sorted(theirs.items(), key=lambda x: x[1])))
    blocks = fault_blocks(reference, api.enabled)
    described = {n for n in fault_blocks(reference, set(api.options)) if api.enum(n)} | \
        {e.name[len("seL4_"):-len("_Msg")] for e in api.enums
         if e.name.startswith("seL4_") and e.name.endswith("_Msg")}
    for fault in sorted(described):
        enum = api.enum("seL4_%s_Msg" % fault)
        fields = blocks.get(fault)
        if enum is None or not enum.present or fields is None:
            if (enum is not None and enum.present) != (fields is not None):
                out.append("seL4_%s_Msg: %s here, the reference's fault %s" % (
                    fault, "present" if enum is not None and enum.present else "absent",
                    "exists" if fields is not None else "does not"))
            continue
        compare_fault_words(fault, enum, fields, out)


def compare_fault_words(fault, enum, fields, out):
    prefix = "seL4_%s_" % fault
    for constant in enum.present_constants():
        field = constant.name[len(prefix):]
        value = int(constant.value, 0)
        if field == "Length" and value != len(fields):
            out.append("%s: %d, the reference's message has %d words"
                       % (constant.name, value, len(fields)))
        elif field in fields and fields.index(field) != value:
            out.append("%s: word %d, reference word %d"
                       % (constant.name, value, fields.index(field)))


# the reference: the bitfield file of one-word layouts, abi-aarch64.md


def bf_words(path):
    """{block name: [(field name or None for padding, bits)]}, adjacent paddings
    merged (two paddings are one unused range)."""
    blocks = {}
    current = None
    for line in bf_lines(path, set()):
        words = line.replace("{", " { ").replace("}", " } ").split()
        if words[0] == "base" and words[1] != "64":
            raise ValueError("%s: base %s, expected 64" % (path, words[1]))
        if words[0] == "block":
            current = blocks.setdefault(words[1], [])
        elif words[0] == "}":
            current = None
        elif words[0] in ("field", "padding") and current is not None:
            name = words[1] if words[0] == "field" else None
            bits = int(words[-1])
            if name is None and current and current[-1][0] is None:
                current[-1] = (None, current[-1][1] + bits)
            else:
                current.append((name, bits))
    return blocks


def doc_section(text, number):
    """The text of section `### <number> ...` of abi-aarch64.md, up to the next heading."""
    m = re.search(r"^###+ %s\b.*?$(.*?)(?=^#)" % re.escape(number), text, re.M | re.S)
    if m is None:
        raise ValueError("%s: no section %s" % (ABI_DOC, number))
    return m.group(1)


def doc_table(section):
    """The rows of the first table of a section whose first cell is a number:
    [[cells...]]."""
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) > 1 and re.match(r"\d+$", cells[1] or "x"):
            rows.append(cells)
        elif line.startswith("|") and re.match(r"\d+$", cells[0]):
            rows.append(cells)
    return rows


def doc_constants(text):
    """{name: value} of every "`seL4_X` = N" the document states."""
    found = {}
    for name, value in re.findall(r"`(seL4_\w+)` = (0x[0-9a-fA-F]+|\d+)\b", text):
        found.setdefault(name, int(value, 0))
    return found


def doc_ipc_buffer(text):
    """[(member, byte offset, bytes)] of ABI 3.1's table, and the buffer's size."""
    section = doc_section(text, "3.1")
    size = int(re.search(r"(\d+) bytes", text[text.index("### 3.1"):]).group(1))
    members = []
    for cells in doc_table(section):
        members.append((re.match(r"\w+", cells[0]).group(0), int(cells[1]), int(cells[2])))
    return members, size


def doc_context(text):
    """ABI 8.2: for each word of the saved context, the names it goes by
    ("ELR 32 (NextIP)": ELR and NextIP)."""
    section = doc_section(text, "8.2")
    count = int(re.search(r"(\d+) words", section).group(1))
    names = [set() for _ in range(count)]
    m = re.search(r"([a-z]+)(\d+)\.\.\1(\d+) at indices (\d+)\.\.(\d+)", section)
    first_register, first_index = int(m.group(2)), int(m.group(4))
    for k in range(int(m.group(5)) - first_index + 1):
        names[first_index + k].add("%s%d" % (m.group(1), first_register + k))
    for name, index, alias in re.findall(r"(\w+) (\d+)(?: \((\w+)\))?[,.]", section[m.end():]):
        names[int(index)].update(n for n in (name, alias) if n)
    return names


def doc_user_context(text):
    """ABI 8.1: [(member, register, group)] in seL4_UserContext order."""
    rows = []
    for cells in doc_table(doc_section(text, "8.1")):
        rows.append((cells[1], re.match(r"\w+", cells[2]).group(0), cells[3]))
    return rows


def compare_bitfields(api, reference, out):
    """Every block of the 64-bit bitfield file is described, field by field."""
    theirs = bf_words(os.path.join(reference, WORDS_BF))
    for bitfield in api.bitfields:
        mine = []
        for f in bitfield.fields:
            if f.name is None and mine and mine[-1][0] is None:
                mine[-1] = (None, mine[-1][1] + f.width)
            else:
                mine.append((f.name, f.width))
        if bitfield.name not in theirs:
            out.append("bitfield %s: not in the reference" % bitfield.name)
        elif mine != theirs[bitfield.name]:
            out.append("bitfield %s: %s, reference %s" % (bitfield.name, mine,
                                                           theirs[bitfield.name]))
    for name in sorted(set(theirs) - {b.name for b in api.bitfields}):
        out.append("bitfield %s: in the reference, not described" % name)


def compare_doc_constants(api, doc, out):
    """Every present constant and enum member whose value the document states."""
    stated = doc_constants(doc)
    ours = [c for c in api.constants if c.present]
    ours += [c for e in api.enums if e.present for c in e.present_constants()]
    for constant in ours:
        if constant.name in stated and int(constant.value, 0) != stated[constant.name]:
            out.append("%s: %s, %s says %d" % (constant.name, constant.value, ABI_DOC,
                                              stated[constant.name]))


def compare_ipc_buffer(api, doc, out):
    info = api.types.get("seL4_IPCBuffer")
    if info is None:
        out.append("seL4_IPCBuffer: not described")
        return
    members, size = doc_ipc_buffer(doc)
    mine = []
    for index, member in enumerate(info.members):
        end = info.offsets[info.members[index + 1]] if index + 1 < len(info.members) else info.words
        mine.append((member, info.offsets[member] * genapi.WORD_BYTES,
                     (end - info.offsets[member]) * genapi.WORD_BYTES))
    if mine != members:
        out.append("seL4_IPCBuffer: %s, %s 3.1: %s" % (mine, ABI_DOC, members))
    if info.words * genapi.WORD_BYTES != size:
        out.append("seL4_IPCBuffer: %d bytes, %s 3.1: %d" % (info.words * genapi.WORD_BYTES,
                                                              ABI_DOC, size))


def compare_context(api, doc, out):
    """The saved context's order (ABI 8.2) and the seL4_UserContext map (8.1)."""
    context = api.context
    if context is None:
        out.append("context: not described")
        return
    names = doc_context(doc)
    registers = [r.register for r in context.registers]
    if len(registers) != len(names) or any(r not in n for r, n in zip(registers, names)):
        out.append("context: %s, %s 8.2: %s" % (registers, ABI_DOC,
                                                  ["/".join(sorted(n)) for n in names]))
    info = api.types[context.user_struct]
    groups = {}
    for name, first, count in info.groups:
        for member in info.members[first:first + count]:
            groups[member] = name
    mine = [(m, r.register, groups.get(m)) for m, r in zip(info.members, context.user_order(info))]
    theirs = doc_user_context(doc)
    for index in range(max(len(mine), len(theirs))):
        ours = mine[index] if index < len(mine) else None
        ref = theirs[index] if index < len(theirs) else None
        if ours != ref:
            out.append("%s word %d: %s (member, register, group), %s 8.1: %s"
                       % (info.name, index, ours, ABI_DOC, ref))


def compare_words(api, reference, out):
    """What does not depend on the configuration: one-word layouts, message
    constants, the IPC buffer, the register context."""
    with open(os.path.join(reference, ABI_DOC), encoding="utf-8") as f:
        doc = f.read()
    compare_bitfields(api, reference, out)
    compare_doc_constants(api, doc, out)
    compare_ipc_buffer(api, doc, out)
    compare_context(api, doc, out)


def differences(api, reference, is_reference_config, check_words):
    out = []
    compare_layout(api, parse_layout(os.path.join(reference, LAYOUT)), is_reference_config, out)
    compare_xml(api, reference, out)
    compare_syscalls(api, reference, out)
    compare_faults(api, reference, out)
    if check_words:
        compare_words(api, reference, out)
    return out


def reference_present(reference):
    needed = [LAYOUT, SYSCALL_XML, FAULT_TAGS_BF, FAULT_BLOCKS_BF, WORDS_BF, ABI_DOC] + LEVEL_XML
    return all(os.path.isfile(os.path.join(reference, p)) for p in needed)


def configurations(api_path):
    """The configurations to check, as lists of -D words: the defaults first
    (the reference configuration of invocation-layout.txt), then every
    combination of the declared on/off options that a condition names (or,
    if there are many, each one flipped alone). Numeric options, and options
    no label depends on, keep their defaults."""
    api = genapi.load(api_path)
    with open(api_path) as f:
        conditions = " ".join(line.split(" when ", 1)[1] for line in f if " when " in line)
    used = set(re.findall(r"CONFIG_\w+", conditions))
    flags = sorted(n for n, v in api.declared.items()
                   if n in used and genapi.parse_number(v) in (0, 1))
    if len(flags) <= MAX_BOOLEAN_OPTIONS:
        choices = itertools.product((0, 1), repeat=len(flags))
        result = [["%s=%d" % (n, v) for n, v in zip(flags, values)] for values in choices]
    else:
        result = [["%s=%d" % (n, 1 - genapi.parse_number(api.declared[n]))] for n in flags]
    defaults = ["%s=%s" % (n, api.declared[n]) for n in flags]
    return [[]] + [c for c in result if c != defaults]


def check_all(api_path, reference, only=None):
    """Differences of every configuration, each prefixed with its -D words.
    Returns (differences, number of configurations, the default Api)."""
    found = []
    configs = [only] if only is not None else configurations(api_path)
    default = None
    for defines in configs:
        api = genapi.load(api_path, defines)
        if default is None:
            default = api
        where = " ".join("-D" + d for d in defines) or "defaults"
        found += ["[%s] %s" % (where, line)
                  for line in differences(api, reference, not defines, api is default)]
    return found, len(configs), default


# self-test: each mutation of a correct description must be caught

SET_BREAKPOINT = ("    method TCBSetBreakpoint SetBreakpoint when CONFIG_HARDWARE_DEBUG_API\n"
                  "        in bp_num seL4_Uint16\n        in vaddr seL4_Word\n"
                  "        in type seL4_Word\n        in size seL4_Word\n        in rw seL4_Word\n")

MUTATIONS = [
    ("a label moves (method deleted)", "    method TCBSuspend Suspend\n", ""),
    ("two methods swap", "    method IRQAckIRQ Ack\n    method IRQSetIRQHandler SetNotification\n"
     "        in notification seL4_CPtr\n",
     "    method IRQSetIRQHandler SetNotification\n        in notification seL4_CPtr\n"
     "    method IRQAckIRQ Ack\n"),
    ("a sub-word type widens", "type seL4_Uint8 8", "type seL4_Uint8 16"),
    ("two arguments swap", "        in src_index seL4_Word\n        in src_depth seL4_Uint8\n",
     "        in src_depth seL4_Uint8\n        in src_index seL4_Word\n"),
    ("a cap becomes a word", "        in root seL4_CNode\n", "        in root seL4_Word\n"),
    ("two caps swap", "        in vspace_root seL4_CPtr\n        in vspace_root_data seL4_Word\n"
     "        in buffer seL4_Word\n        in bufferFrame seL4_CPtr\n",
     "        in bufferFrame seL4_CPtr\n        in vspace_root_data seL4_Word\n"
     "        in buffer seL4_Word\n        in vspace_root seL4_CPtr\n"),
    ("two syscalls swap", "syscall api Send\nsyscall api NBSend\n",
     "syscall api NBSend\nsyscall api Send\n"),
    ("a debug syscall goes missing", "syscall debug DebugSnapshot ", "syscall debug DebugSnapshotX "),
    ("a syscall's condition changes", "syscall debug DebugDumpScheduler                    when "
     "CONFIG_PRINTING", "syscall debug DebugDumpScheduler                    when "
     "CONFIG_DEBUG_BUILD"),
    ("an absent method is forgotten",
     "    absent TCBSetAffinity SetAffinity when !CONFIG_KERNEL_MCS && CONFIG_ENABLE_SMP_SUPPORT\n",
     ""),
    ("a struct member moves", "members pc sp spsr", "members sp pc spsr"),
    ("an output changes type", "        out paddr seL4_Word\n", "        out paddr seL4_Uint32\n"),
    ("a method changes level", "level arch_invocation_label nArchInvocationLabels\n\n"
     "interface seL4_ARM_PageTable\n",
     "interface seL4_ARM_PageTable\n"),
    ("a conditional method loses its condition",
     "method TCBGetBreakpoint GetBreakpoint when CONFIG_HARDWARE_DEBUG_API\n",
     "method TCBGetBreakpoint GetBreakpoint\n"),
    ("a condition names another option",
     "method TCBUnsetBreakpoint UnsetBreakpoint when CONFIG_HARDWARE_DEBUG_API\n",
     "method TCBUnsetBreakpoint UnsetBreakpoint when CONFIG_DEBUG_BUILD\n"),
    ("a negated condition loses its !", "IssueSGISignal when !CONFIG_ENABLE_SMP_SUPPORT",
     "IssueSGISignal"),
    ("a conditional method is forgotten", SET_BREAKPOINT, ""),
    # Only the configurations with the option on can see this one.
    ("a conditional method moves past another", SET_BREAKPOINT, ""),
    ("a conditional method's argument widens", "        in bp_num seL4_Uint16\n"
     "        in vaddr seL4_Word\n", "        in bp_num seL4_Word\n        in vaddr seL4_Word\n"),
    ("a fault label moves", "seL4_Fault_DebugException 4 when", "seL4_Fault_DebugException 6 when"),
    ("a fault label loses its condition",
     "seL4_Fault_DebugException 4 when CONFIG_HARDWARE_DEBUG_API", "seL4_Fault_DebugException 4"),
    ("two fault message words swap", "seL4_DebugException_TriggerAddress 2\n"
     "    seL4_DebugException_BreakpointNumber 3\n", "seL4_DebugException_TriggerAddress 3\n"
     "    seL4_DebugException_BreakpointNumber 2\n"),
    ("a fault message changes length", "seL4_VMFault_Length 4", "seL4_VMFault_Length 5"),
    ("two message-info fields swap", "    field capsUnwrapped 3\n    field extraCaps "
     "seL4_MsgExtraCapBits\n", "    field extraCaps seL4_MsgExtraCapBits\n"
     "    field capsUnwrapped 3\n"),
    ("a message constant changes", "constant seL4_MsgMaxLength 120",
     "constant seL4_MsgMaxLength 119"),
    ("a word of bit fields is forgotten", "bitfield seL4_CNode_CapData\n"
     "    field guard seL4_GuardBits\n    field guardSize seL4_GuardSizeBits\n", ""),
    ("two IPC buffer members swap", "receiveCNode receiveIndex", "receiveIndex receiveCNode"),
    ("two context registers swap", "    register NEXT_IP NextIP          # ELR_EL1: where the "
     "thread resumes\n    register SPSR SPSR spsr\n", "    register SPSR SPSR spsr\n"
     "    register NEXT_IP NextIP\n"),
    ("a user-context member maps to another register", "    register X8 x8 x8\n"
     "    register X9 x9 x9\n", "    register X8 x8 x9\n    register X9 x9 x8\n"),
    ("a member changes group", " x29 x30\n    group integer\n    members x9 ",
     " x29 x30 x9\n    group integer\n    members "),
]


def mutate(text, name, old, new):
    """Apply one mutation; "moves past another" re-inserts the removed text
    after the next method."""
    if name == "a conditional method moves past another":
        rest = text.replace(old, "", 1)
        anchor = "    method TCBGetBreakpoint GetBreakpoint"
        at = rest.index("    method ", rest.index(anchor) + len(anchor))
        return rest[:at] + old + rest[at:]
    return text.replace(old, new, 1)


def self_test(api_path, reference):
    with open(api_path, encoding="utf-8") as f:
        text = f.read()
    baseline, _, _ = check_all(api_path, reference)
    if baseline:
        print("self-test: the unmodified description already differs:")
        for line in baseline:
            print("  " + line)
        return 1
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, old, new in MUTATIONS:
            if text.count(old) < 1:
                print("self-test: mutation %r does not apply" % name)
                missed += 1
                continue
            path = os.path.join(tmp, "mutated.api")
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutate(text, name, old, new))
            try:
                found, _, _ = check_all(path, reference)
            except genapi.ApiError as e:
                found = ["parse error: %s" % e]
            status = "caught" if found else "MISSED"
            print("self-test: %-44s %s (%d differences)" % (name, status, len(found)))
            missed += 0 if found else 1
    return 1 if missed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default=os.path.join(REPO, "api", "keel.api"))
    parser.add_argument("--reference", default=os.path.join(REPO, "..", "shared", "reference"))
    parser.add_argument("-D", dest="defines", action="append", default=None,
                        metavar="CONFIG_X[=V]", help="check only this configuration")
    parser.add_argument("--self-test", action="store_true",
                        help="check that mutated descriptions are caught")
    args = parser.parse_args()
    if not reference_present(args.reference):
        print("checkapi: reference not found at %s: skipped" % args.reference)
        return SKIP
    try:
        if args.self_test:
            return self_test(args.api, args.reference)
        found, count, api = check_all(args.api, args.reference, args.defines)
    except (genapi.ApiError, ValueError, OSError, ET.ParseError) as e:
        print("checkapi: %s" % e)
        return 1
    for line in found:
        print(line)
    if found:
        print("checkapi: %d differences" % len(found))
        return 1
    print("checkapi: %d configurations: %d methods and %d system calls match the reference"
          % (count, len(api.all_methods), len(api.syscalls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
