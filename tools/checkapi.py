#!/usr/bin/env python3
"""Check api/keel.api against the seL4 reference (docs/api.md).

Compares every invocation label, every argument's message register and bits,
every extra-cap position, the parameter order and types, and the system-call
numbers with the reference's invocation-layout.txt and its interface XML
(syscall.xml and the three object-api XML files). Prints each difference.

Exit status: 0 identical, 1 any difference, 77 reference absent (skipped).
--self-test checks that deliberately broken copies of keel.api are caught.
"""

import argparse
import ast
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


# the reference


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


class XmlMethod:
    def __init__(self, interface, element, config):
        self.interface = interface
        self.label_name = element.get("id")
        self.name = element.get("name")
        self.present = xml_condition(element.find("condition"), config)
        self.params = [(p.get("dir"), p.get("name"), p.get("type"))
                       for p in element.findall("param")]


def parse_level_xml(path, config):
    root = ET.parse(path).getroot()
    methods = []
    for interface in root.findall("interface"):
        for element in interface.findall("method"):
            methods.append(XmlMethod(interface.get("name"), element, config))
    structs = {s.get("name"): [m.get("name") for m in s.findall("member")]
               for s in root.findall("struct")}
    return methods, structs


def parse_syscall_xml(path, config):
    """[(name, number, present)] of the non-MCS list, numbered as ABI 1.2 says."""
    root = ET.parse(path).getroot()
    calls = []
    for element in root.find("api-master").iter("syscall"):
        calls.append((element.get("name"), True))
    for block in root.find("debug").findall("config"):
        present = xml_condition(block.find("condition"), config)
        for element in block.findall("syscall"):
            calls.append((element.get("name"), present))
    return [(name, -(i + 1), present) for i, (name, present) in enumerate(calls)]


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
    where = ref.label_name
    if ours.label != ref.label:
        out.append("%s: label %s, reference %s" % (where, ours.label, ref.label))
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


def compare_layout(api, layout, out):
    seen = set()
    for ref in layout:
        present = ref.condition is None or genapi.eval_condition(ref.condition, api.config)
        ours = api.method_by_label_name(ref.label_name)
        if not present:
            if ours is not None and ours.c_name() == ref.c_name and ref.label is None:
                out.append("%s: present here, absent in this configuration" % ref.label_name)
            continue
        if ref.label is None:
            out.append("%s: reference has no label for a present method" % ref.label_name)
            continue
        if ours is None:
            out.append("%s: missing (reference label %d)" % (ref.label_name, ref.label))
            continue
        seen.add(ref.label_name)
        compare_method(ours, ref, out)
    for method in api.methods:
        if method.label_name not in seen:
            out.append("%s: not in the reference layout" % method.label_name)


def compare_xml_level(api, level, xml_methods, out):
    present = [m for m in xml_methods if m.present]
    mine = [m for m in api.methods if m.level is level]
    for index in range(max(len(present), len(mine))):
        ref = present[index] if index < len(present) else None
        ours = mine[index] if index < len(mine) else None
        if ref is None or ours is None or ref.label_name != ours.label_name:
            out.append("%s: position %d is %s, XML has %s" % (
                level.enum_name, index, ours.label_name if ours else "nothing",
                ref.label_name if ref else "nothing"))
            return
        if (ours.interface, ours.name) != (ref.interface, ref.name):
            out.append("%s: %s_%s, XML %s_%s" % (ours.label_name, ours.interface, ours.name,
                                                 ref.interface, ref.name))
        params = [(p.direction, p.name, p.ctype) for p in ours.params]
        if params != ref.params:
            out.append("%s: parameters %s, XML %s" % (ours.label_name, params, ref.params))
    listed = {a.label_name for a in api.absent if a.level is level}
    for ref in xml_methods:
        if not ref.present and ref.label_name not in listed and \
                api.method_by_label_name(ref.label_name) is None:
            out.append("%s: absent in this configuration but not listed absent" % ref.label_name)
    names = {m.label_name for m in xml_methods}
    for absent in api.absent:
        if absent.level is level and absent.label_name not in names:
            out.append("%s: listed absent, unknown to the XML" % absent.label_name)


def compare_xml(api, reference, out):
    if len(api.levels) != len(LEVEL_XML):
        out.append("%d label levels, the reference has %d" % (len(api.levels), len(LEVEL_XML)))
        return
    for level, path in zip(api.levels, LEVEL_XML):
        methods, structs = parse_level_xml(os.path.join(reference, path), api.config)
        compare_xml_level(api, level, methods, out)
        for name, members in structs.items():
            info = api.types.get(name)
            if info is None or info.members != members:
                out.append("struct %s: members %s, XML %s" % (
                    name, info.members if info else None, members))


def compare_syscalls(api, reference, out):
    ref = parse_syscall_xml(os.path.join(reference, SYSCALL_XML), api.config)
    mine = [(s.name, s.number, s.present) for s in api.syscalls]
    # Keel's own debug calls (named Keel...) follow seL4's last number.
    while len(mine) > len(ref) and mine[-1][0].startswith("Keel"):
        mine.pop()
    for index in range(max(len(ref), len(mine))):
        a = mine[index] if index < len(mine) else None
        b = ref[index] if index < len(ref) else None
        if a != b:
            out.append("syscall %d: %s, reference %s" % (-(index + 1), a, b))


def differences(api, reference):
    out = []
    compare_layout(api, parse_layout(os.path.join(reference, LAYOUT)), out)
    compare_xml(api, reference, out)
    compare_syscalls(api, reference, out)
    return out


def reference_present(reference):
    needed = [LAYOUT, SYSCALL_XML] + LEVEL_XML
    return all(os.path.isfile(os.path.join(reference, p)) for p in needed)


# self-test: each mutation of a correct description must be caught

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
    ("an absent method is forgotten",
     "    absent TCBSetAffinity SetAffinity when !CONFIG_KERNEL_MCS && CONFIG_ENABLE_SMP_SUPPORT\n",
     ""),
    ("a struct member moves", "members pc sp spsr", "members sp pc spsr"),
    ("an output changes type", "        out paddr seL4_Word\n", "        out paddr seL4_Uint32\n"),
    ("a method changes level", "level arch_invocation_label nArchInvocationLabels\n\n"
     "interface seL4_ARM_PageTable\n",
     "interface seL4_ARM_PageTable\n"),
]


def self_test(api_path, reference):
    with open(api_path, encoding="utf-8") as f:
        text = f.read()
    baseline = differences(genapi.load(api_path), reference)
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
                f.write(text.replace(old, new, 1))
            try:
                found = differences(genapi.load(path), reference)
            except genapi.ApiError as e:
                found = ["parse error: %s" % e]
            status = "caught" if found else "MISSED"
            print("self-test: %-36s %s (%d differences)" % (name, status, len(found)))
            missed += 0 if found else 1
    return 1 if missed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default=os.path.join(REPO, "api", "keel.api"))
    parser.add_argument("--reference", default=os.path.join(REPO, "..", "shared", "reference"))
    parser.add_argument("--self-test", action="store_true",
                        help="check that mutated descriptions are caught")
    args = parser.parse_args()
    if not reference_present(args.reference):
        print("checkapi: reference not found at %s: skipped" % args.reference)
        return SKIP
    try:
        if args.self_test:
            return self_test(args.api, args.reference)
        api = genapi.load(args.api)
        found = differences(api, args.reference)
    except (genapi.ApiError, ValueError, OSError, ET.ParseError) as e:
        print("checkapi: %s" % e)
        return 1
    for line in found:
        print(line)
    if found:
        print("checkapi: %d differences" % len(found))
        return 1
    print("checkapi: %d methods and %d system calls match the reference"
          % (len(api.methods), len(api.syscalls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
