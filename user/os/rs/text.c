/* What rs reads of a component's text and registers (rs.h): for fault
 * injection (inject.c), where a hang jumps to, and where the component
 * stands -- at a system call, or just past an access to its device. The
 * text is read from the component's pristine ELF in the boot archive. */
#include "rs.h"

#include <keel/os/archive.h>
#include <keel/string.h>
#include <stddef.h>

#define BRANCH_TO_SELF 0x14000000u /* `b .` (crt0.S puts one in every component) */
#define SVC 0xd4000001u            /* `svc #0`: the instruction of every system call */

/* c's pristine ELF in the boot archive: what rs built it from (a flip may
 * have changed the copy it runs, hardly ever the words looked at). */
const char *rs_pristine(const rs_component_t *c)
{
    const keel_archive_entry_t *file = keel_archive_find(rs.archive, c->desc->elf);
    return (const char *)rs.archive + file->offset;
}

/* The instruction at `vaddr` of c's text; false if none is there. */
static bool text_word(const rs_component_t *c, seL4_Word vaddr, uint32_t *word)
{
    for (uint32_t i = 0; i < c->proc.elf.nsegments; i++) {
        const kb_segment_t *s = &c->proc.elf.segment[i];
        if ((s->flags & KB_SEG_X) && vaddr % 4 == 0 && vaddr >= s->vaddr &&
            vaddr - s->vaddr + 4 <= s->filesz) {
            memcpy(word, rs_pristine(c) + s->offset + (vaddr - s->vaddr), sizeof(*word));
            return true;
        }
    }
    return false;
}

/* The address of the first branch to itself in c's text, 0 if it has
 * none. */
seL4_Word rs_branch_to_self(const rs_component_t *c)
{
    for (uint32_t i = 0; i < c->proc.elf.nsegments; i++) {
        const kb_segment_t *s = &c->proc.elf.segment[i];
        seL4_Word first = (4 - (s->vaddr & 3)) & 3; /* instructions are word-aligned */
        for (seL4_Word at = first; (s->flags & KB_SEG_X) && at + 4 <= s->filesz; at += 4) {
            uint32_t word;
            memcpy(&word, rs_pristine(c) + s->offset + at, sizeof(word));
            if (word == BRANCH_TO_SELF) {
                return s->vaddr + at;
            }
        }
    }
    return 0;
}

static bool is_word(const rs_component_t *c, seL4_Word vaddr, uint32_t expected)
{
    uint32_t word;
    return text_word(c, vaddr, &word) && word == expected;
}

/* Did c stand at a system call, stopped at `pc`? A thread blocked in the
 * kernel shows the svc itself (restarted if its wait is cancelled); one
 * whose call is done and has not run since, the next instruction. */
bool rs_at_svc(const rs_component_t *c, seL4_Word pc)
{
    return is_word(c, pc, SVC) || (pc >= 4 && is_word(c, pc - 4, SVC));
}

/* Register xn (n < 31) of a seL4_UserContext, whose order is not x0..x30. */
static seL4_Word general_register(const seL4_UserContext *regs, unsigned n)
{
#define AT(r) offsetof(seL4_UserContext, r) / sizeof(seL4_Word)
    static const uint8_t word[31] = {
        AT(x0),  AT(x1),  AT(x2),  AT(x3),  AT(x4),  AT(x5),  AT(x6),  AT(x7),
        AT(x8),  AT(x9),  AT(x10), AT(x11), AT(x12), AT(x13), AT(x14), AT(x15),
        AT(x16), AT(x17), AT(x18), AT(x19), AT(x20), AT(x21), AT(x22), AT(x23),
        AT(x24), AT(x25), AT(x26), AT(x27), AT(x28), AT(x29), AT(x30),
    };
#undef AT
    return ((const seL4_Word *)regs)[word[n]];
}

/* The address a load or store "register, unsigned offset" (LDR/STR of any
 * size, not SIMD) accesses: its base register's value plus its scaled
 * offset; false for any other instruction. */
static bool load_store_address(uint32_t insn, const seL4_UserContext *regs, seL4_Word *address)
{
    if ((insn & 0x3f000000u) != 0x39000000u) { /* bits 29-24: 111001 */
        return false;
    }
    unsigned size = insn >> 30, base = (insn >> 5) & 31;
    seL4_Word offset = (seL4_Word)((insn >> 10) & 0xfff) << size;
    *address = (base == 31 ? regs->sp : general_register(regs, base)) + offset;
    return true;
}

/* Did c just access its device's registers (the instruction before `pc`
 * loads or stores within one of its device regions)? A driver that counts
 * what it does with a device that counts nothing (the uart: a byte sent,
 * a byte taken) records each access in the next instruction
 * (docs/reliability.md "The console's one window"); no failure of its own
 * can fall between the two, but a stop by rs could. */
bool rs_after_device_access(const rs_component_t *c, const seL4_UserContext *regs)
{
    uint32_t insn;
    seL4_Word address;
    if (regs->pc < 4 || !text_word(c, regs->pc - 4, &insn) ||
        !load_store_address(insn, regs, &address)) {
        return false;
    }
    for (uint32_t i = 0; i < c->ncaps; i++) {
        const keel_startcap_t *e = &c->caps[i];
        if (e->kind == KEEL_CAP_REGION && (e->flags & KEEL_REGION_DEVICE) && address >= e->vaddr &&
            address - e->vaddr < e->size) {
            return true;
        }
    }
    return false;
}
