/* The process builder (build.h), shared by rs and pm. */
#include "build.h"
#include <keel/string.h>

#define PAGE ((seL4_Word)1 << seL4_PageBits)
#define DEPTH seL4_WordBits

static seL4_Error fail(kb_proc_t *p, const char *what, seL4_Error err)
{
    if (err != seL4_NoError) {
        p->failed = what;
    }
    return err;
}

seL4_Word kb_cnode_bits(const kb_proc_t *p)
{
    return p->cnode_bits != 0 ? p->cnode_bits : KEEL_CNODE_BITS;
}

seL4_Word kb_object_bytes(seL4_Word type, seL4_Word size_bits)
{
    switch (type) {
    case seL4_UntypedObject:
        return (seL4_Word)1 << size_bits;
    case seL4_TCBObject:
        return (seL4_Word)1 << seL4_TCBBits;
    case seL4_EndpointObject:
        return (seL4_Word)1 << seL4_EndpointBits;
    case seL4_NotificationObject:
        return (seL4_Word)1 << seL4_NotificationBits;
    case seL4_CapTableObject:
        return (seL4_Word)1 << (size_bits + seL4_SlotBits);
    default: /* frames, page tables, VSpaces: one page */
        return (seL4_Word)1 << seL4_PageBits;
    }
}

seL4_CPtr kb_take_slot(kb_proc_t *p)
{
    if (p->hole != 0) {
        seL4_CPtr slot = p->hole;
        p->hole = 0;
        return slot;
    }
    return p->used_slots < p->nslots ? p->first_slot + p->used_slots++ : 0;
}

static bool fits(const kb_proc_t *p, seL4_Word bytes, seL4_Word *at)
{
    *at = (p->used + bytes - 1) & ~(bytes - 1);
    return *at <= p->quota && bytes <= p->quota - *at;
}

seL4_CPtr kb_new_object(kb_proc_t *p, seL4_Word type, seL4_Word size_bits)
{
    seL4_Word bytes = kb_object_bytes(type, size_bits);
    seL4_Word at;
    if (!fits(p, bytes, &at) &&
        (p->host->more_memory == NULL || !p->host->more_memory(p) || !fits(p, bytes, &at))) {
        return 0;
    }
    seL4_CPtr slot = kb_take_slot(p);
    if (slot == 0 || seL4_Untyped_Retype(p->untyped, type, size_bits, p->host->cnode, 0, 0, slot,
                                         1) != seL4_NoError) {
        return 0;
    }
    p->used = at + bytes;
    p->pages += bytes == PAGE;
    return slot;
}

/* Give back the builder's slot `slot`, now empty: the last one taken, or
 * one below it, which the next kb_take_slot takes (one such hole is
 * kept: parking makes at most one at a time). */
static void give_back_slot(kb_proc_t *p, seL4_CPtr slot)
{
    if (p->used_slots > 0 && slot == p->first_slot + p->used_slots - 1) {
        p->used_slots--;
    } else if (p->hole == 0) {
        p->hole = slot;
    }
}

/* Move the cap in `slot` (the last slot taken) into the park CNode, a new
 * one first if it is full; a failure leaves the cap where it is. The
 * new CNode's own cap ends up in `slot`. */
static void park(kb_proc_t *p, seL4_CPtr slot)
{
    seL4_CPtr root = p->host->cnode;
    seL4_CPtr fresh = 0;
    if (!p->park) {
        return;
    }
    if (p->park_cnode == 0 || p->parked == (seL4_Word)1 << KB_PARK_BITS) {
        fresh = kb_new_object(p, seL4_CapTableObject, KB_PARK_BITS);
        if (fresh == 0) {
            return;
        }
    }
    seL4_CPtr into = fresh != 0 ? fresh : p->park_cnode;
    seL4_Word index = fresh != 0 ? 0 : p->parked;
    if (seL4_CNode_Move(into, index, KB_PARK_BITS, root, slot, DEPTH) != seL4_NoError) {
        return; /* a fresh CNode stays, empty, for the next page */
    }
    if (fresh != 0) {
        /* `slot` is free now, below `fresh`: the CNode's cap moves down */
        if (seL4_CNode_Move(root, slot, DEPTH, root, fresh, DEPTH) == seL4_NoError) {
            give_back_slot(p, fresh);
            fresh = slot;
        }
        p->park_cnode = fresh;
        p->parked = 1;
        return;
    }
    p->parked++;
    give_back_slot(p, slot);
}

seL4_Error kb_host_map(const kb_host_t *h, seL4_CPtr frame, seL4_Word vaddr)
{
    for (int level = 0; level < 4; level++) {
        seL4_Error err = seL4_ARM_Page_Map(frame, h->vspace, vaddr, seL4_ReadWrite, KB_ATTR_DATA);
        if (err != seL4_FailedLookup) {
            return err;
        }
        seL4_CPtr table = h->new_table();
        if (table == 0) {
            return seL4_NotEnoughMemory;
        }
        err = seL4_ARM_PageTable_Map(table, h->vspace, vaddr, seL4_ARM_Default_VMAttributes);
        if (err != seL4_NoError) {
            return err;
        }
    }
    return seL4_FailedLookup;
}

seL4_Error kb_fill_frame(const kb_host_t *h, seL4_CPtr frame, seL4_Word offset, const void *src,
                         seL4_Word len, bool code)
{
    if (offset > PAGE || len > PAGE - offset) {
        return seL4_RangeError;
    }
    seL4_Error err = kb_scratch_map(h, frame);
    if (err != seL4_NoError) {
        return err;
    }
    memcpy((char *)h->scratch + offset, src, len);
    return kb_scratch_unmap(frame, code);
}

seL4_Error kb_scratch_map(const kb_host_t *h, seL4_CPtr frame)
{
    return kb_host_map(h, frame, h->scratch);
}

seL4_Error kb_scratch_unmap(seL4_CPtr frame, bool code)
{
    /* Code: make what was written visible to instruction fetches before
     * anyone executes it. */
    seL4_Error err = code ? seL4_ARM_Page_Unify_Instruction(frame, 0, PAGE) : seL4_NoError;
    seL4_Error unmapped = seL4_ARM_Page_Unmap(frame);
    return err != seL4_NoError ? err : unmapped;
}

seL4_Error kb_map(kb_proc_t *p, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights,
                  seL4_Word attr)
{
    for (int level = 0; level < 4; level++) {
        seL4_Error err = seL4_ARM_Page_Map(frame, p->vspace, vaddr, rights, attr);
        if (err != seL4_FailedLookup) {
            return err;
        }
        seL4_CPtr table = kb_new_object(p, seL4_ARM_PageTableObject, 0);
        if (table == 0) {
            return seL4_NotEnoughMemory;
        }
        err = seL4_ARM_PageTable_Map(table, p->vspace, vaddr, seL4_ARM_Default_VMAttributes);
        if (err != seL4_NoError) {
            return err;
        }
        park(p, table);
    }
    return seL4_FailedLookup;
}

seL4_Error kb_map_new(kb_proc_t *p, seL4_Word vaddr, seL4_CapRights_t rights, seL4_Word attr,
                      seL4_Word offset, const void *src, seL4_Word len, seL4_CPtr *out)
{
    seL4_CPtr frame = kb_new_object(p, seL4_ARM_SmallPageObject, 0);
    if (frame == 0) {
        return seL4_NotEnoughMemory;
    }
    seL4_Error err = len != 0 ? kb_fill_frame(p->host, frame, offset, src, len,
                                              (attr & seL4_ARM_ExecuteNever) == 0)
                              : seL4_NoError;
    if (err == seL4_NoError) {
        err = kb_map(p, frame, vaddr, rights, attr);
    }
    if (out != NULL) {
        *out = frame;
    } else if (err == seL4_NoError) {
        park(p, frame);
    }
    return err;
}

seL4_Error kb_map_copy(kb_proc_t *p, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights,
                       seL4_Word attr)
{
    seL4_CPtr copy = kb_take_slot(p);
    if (copy == 0) {
        return seL4_NotEnoughMemory;
    }
    seL4_CPtr root = p->host->cnode;
    seL4_Error err = seL4_CNode_Copy(root, copy, DEPTH, root, frame, DEPTH, rights);
    return err == seL4_NoError ? kb_map(p, copy, vaddr, rights, attr) : err;
}

seL4_Error kb_make_objects(kb_proc_t *p)
{
    p->cnode = kb_new_object(p, seL4_CapTableObject, kb_cnode_bits(p));
    p->vspace = kb_new_object(p, seL4_ARM_VSpaceObject, 0);
    p->tcb = kb_new_object(p, seL4_TCBObject, 0);
    if (p->cnode == 0 || p->vspace == 0 || p->tcb == 0) {
        return fail(p, "its CNode, VSpace and TCB", seL4_NotEnoughMemory);
    }
    return fail(p, "an ASID for its VSpace",
                seL4_ARM_ASIDPool_Assign(p->host->asid_pool, p->vspace));
}

static seL4_Word min_word(seL4_Word a, seL4_Word b)
{
    return a < b ? a : b;
}

static seL4_Word max_word(seL4_Word a, seL4_Word b)
{
    return a > b ? a : b;
}

/* A fresh page of the process's own memory at `vaddr`, of `len` bytes of
 * `src` at `offset`; the host's own_page hook is told. */
static seL4_Error own_page(kb_proc_t *p, seL4_Word vaddr, uint32_t flags, seL4_Word offset,
                           const void *src, seL4_Word len)
{
    seL4_CapRights_t rights = (flags & KB_SEG_W) ? seL4_ReadWrite : seL4_CanRead;
    seL4_Word attr = (flags & KB_SEG_X) ? KB_ATTR_CODE : KB_ATTR_DATA;
    seL4_CPtr frame = 0;
    seL4_Error err = kb_map_new(p, vaddr, rights, attr, offset, src, len,
                                p->host->own_page != NULL ? &frame : NULL);
    if (err == seL4_NoError && p->host->own_page != NULL) {
        p->host->own_page(p, vaddr, frame, flags);
    }
    return err;
}

static seL4_Error load_segment(kb_proc_t *p, const kb_reader_t *file, const kb_segment_t *s)
{
    seL4_Word file_end = s->vaddr + s->filesz;
    for (seL4_Word va = s->vaddr & ~(PAGE - 1); va < s->vaddr + s->memsz; va += PAGE) {
        seL4_Word lo = max_word(va, s->vaddr);
        seL4_Word hi = min_word(va + PAGE, file_end);
        seL4_Word len = lo < hi ? hi - lo : 0;
        const void *src = NULL;
        if (len > 0 && (src = file->bytes(file->ctx, s->offset + (lo - s->vaddr), len)) == NULL) {
            return fail(p, "reading the file", seL4_FailedLookup);
        }
        seL4_Error err = own_page(p, va, s->flags, lo - va, src, len);
        if (err != seL4_NoError) {
            return fail(p, "an ELF segment page", err);
        }
    }
    return seL4_NoError;
}

static const void *bytes_in_memory(void *file, uint64_t offset, uint64_t len)
{
    (void)len; /* kb_elf_check saw every segment inside the file */
    return (const char *)file + offset;
}

kb_reader_t kb_memory_reader(const void *file)
{
    return (kb_reader_t){ .bytes = bytes_in_memory, .ctx = (void *)(uintptr_t)file };
}

seL4_Error kb_load_image(kb_proc_t *p, const char *file, seL4_Word stack)
{
    const kb_reader_t reader = kb_memory_reader(file);
    return kb_load_image_from(p, &reader, stack);
}

seL4_Error kb_load_image_from(kb_proc_t *p, const kb_reader_t *file, seL4_Word stack)
{
    for (uint32_t i = 0; i < p->elf.nsegments; i++) {
        seL4_Error err = load_segment(p, file, &p->elf.segment[i]);
        if (err != seL4_NoError) {
            return err;
        }
    }
    for (seL4_Word va = KEEL_STACK_TOP - stack; va < KEEL_STACK_TOP; va += PAGE) {
        seL4_Error err = own_page(p, va, KB_SEG_R | KB_SEG_W, 0, NULL, 0);
        if (err != seL4_NoError) {
            return fail(p, "its stack", err);
        }
    }
    return fail(
        p, "its IPC buffer",
        kb_map_new(p, KEEL_IPCBUF_VADDR, seL4_ReadWrite, KB_ATTR_DATA, 0, NULL, 0, &p->ipc_buffer));
}

/* A guard of the bits a cptr has above the CNode's, so that every cptr
 * is resolved at depth 64 (docs/os.md, "The CSpace"). */
static seL4_Word cnode_guard(const kb_proc_t *p)
{
    return seL4_CNode_CapData_new(0, seL4_WordBits - kb_cnode_bits(p)).words[0];
}

seL4_Error kb_fixed_caps(kb_proc_t *p, seL4_CPtr fault, seL4_Word fault_badge)
{
    seL4_CPtr root = p->host->cnode;
    seL4_Word bits = kb_cnode_bits(p);
    seL4_Error err =
        seL4_CNode_Copy(p->cnode, KEEL_SLOT_TCB, bits, root, p->tcb, DEPTH, seL4_AllRights);
    if (err == seL4_NoError) {
        err = seL4_CNode_Mint(p->cnode, KEEL_SLOT_CNODE, bits, root, p->cnode, DEPTH,
                              seL4_AllRights, cnode_guard(p));
    }
    if (err == seL4_NoError) {
        err = seL4_CNode_Copy(p->cnode, KEEL_SLOT_VSPACE, bits, root, p->vspace, DEPTH,
                              seL4_AllRights);
    }
    if (err == seL4_NoError) {
        /* Send and GrantReply: what the kernel needs to deliver a fault. */
        err = seL4_CNode_Mint(p->cnode, KEEL_SLOT_FAULT, bits, root, fault, DEPTH,
                              seL4_CapRights_new(1, 0, 0, 1), fault_badge);
    }
    return fail(p, "its fixed capabilities", err);
}

seL4_Error kb_map_start_page(kb_proc_t *p, const void *page, seL4_Word length)
{
    if (length > KEEL_STARTINFO_SIZE) {
        return fail(p, "its start page", seL4_RangeError);
    }
    for (seL4_Word at = 0; at < length; at += PAGE) {
        seL4_Word fill = min_word(length - at, PAGE);
        seL4_Error err = kb_map_new(p, KEEL_STARTINFO_VADDR + at, seL4_CanRead, KB_ATTR_DATA, 0,
                                    (const char *)page + at, fill, NULL);
        if (err != seL4_NoError) {
            return fail(p, "its start page", err);
        }
    }
    return seL4_NoError;
}

seL4_Error kb_make_thread(kb_proc_t *p, seL4_CPtr authority, seL4_Word mcp, seL4_Word priority,
                          seL4_CPtr notification, const char *name)
{
    seL4_Error err = seL4_TCB_Configure(p->tcb, KEEL_SLOT_FAULT, p->cnode, cnode_guard(p),
                                        p->vspace, 0, KEEL_IPCBUF_VADDR, p->ipc_buffer);
    if (err == seL4_NoError) {
        err = seL4_TCB_SetSchedParams(p->tcb, authority, mcp, priority);
    }
    if (err == seL4_NoError && notification != 0) {
        err = seL4_TCB_BindNotification(p->tcb, notification);
    }
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    regs.pc = p->elf.entry;
    regs.sp = KEEL_STACK_TOP;
    regs.x0 = KEEL_STARTINFO_VADDR;
    if (err == seL4_NoError) {
        err = seL4_TCB_WriteRegisters(p->tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    }
    if (err == seL4_NoError) {
        seL4_DebugNameThread(p->tcb, name);
    }
    return fail(p, "its thread", err);
}
