/* The process builder (docs/os.md, "The process builder"): what rs needs to
 * build a component and pm to build a program -- objects carved from the
 * process's own untyped into the builder's slots, a VSpace with the ELF's
 * segments at their rights, a stack under a guard page, the IPC buffer, the
 * start page, the fixed slots of its CSpace and its thread. Freestanding
 * (libkeel only), as rs is. */
#pragma once

#include "elf.h"
#include <keel/os/startinfo.h>
#include <sel4/sel4.h>
#include <stdbool.h>

#define KB_ATTR_CODE seL4_ARM_PageCacheable
#define KB_ATTR_DATA (seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever)
#define KB_ATTR_DEVICE seL4_ARM_ExecuteNever /* not cacheable: Device-nGnRnE */

struct kb_proc;

/* The builder itself: its CNode (a cptr is a slot at depth 64), and a
 * page of its own VSpace through which it fills new frames. */
typedef struct kb_host {
    seL4_CPtr cnode;
    seL4_CPtr vspace;
    seL4_Word scratch; /* vaddr of the scratch page, nothing else mapped there */
    /* A page table for the builder's own VSpace, 0 if it has no memory. */
    seL4_CPtr (*new_table)(void);
    seL4_CPtr asid_pool;
    /* Optional (NULL: none): told of each page of a process's own memory
     * kb_load_image maps -- ELF segment pages (flags KB_SEG_*) and stack
     * pages (KB_SEG_R | KB_SEG_W) -- in the order it makes them, with the
     * builder slot of its frame. rs keeps them for fault injection. */
    void (*own_page)(struct kb_proc *p, seL4_Word vaddr, seL4_CPtr frame, uint32_t flags);
    /* Optional (NULL: none): called when an object does not fit what is
     * left of p->untyped; the host may give p another untyped (its
     * untyped, quota and used set afresh) and return true. pm grows a
     * program's memory so (docs/os.md "pm"). */
    bool (*more_memory)(struct kb_proc *p);
} kb_host_t;

/* Where a process keeps the caps of the frames and page tables the
 * builder mapped for it and will not invoke again, if it `parks` them:
 * CNodes of 2^KB_PARK_BITS slots from its own memory, each in a builder
 * slot, filled in turn. Parking frees the builder's slots, so that a
 * process's pages are not bounded by its range of them. */
#define KB_PARK_BITS 10

/* One process being built: where its objects come from (its untyped and
 * a range of the builder's slots) and its main objects. */
typedef struct kb_proc {
    const kb_host_t *host;
    seL4_CPtr untyped;
    seL4_Word quota;      /* bytes */
    seL4_Word used;       /* bytes of the quota taken, as the kernel aligns objects */
    seL4_CPtr first_slot; /* the builder's slots [first_slot, first_slot + nslots) */
    seL4_Word nslots;
    seL4_Word used_slots;
    seL4_CPtr cnode, vspace, tcb, ipc_buffer; /* builder slots */
    seL4_Word cnode_bits; /* its CNode has 2^cnode_bits slots; 0: KEEL_CNODE_BITS */
    seL4_Word pages;      /* frames and page tables from its quota */
    bool park;            /* park the caps of mapped pages and tables (above) */
    seL4_CPtr park_cnode; /* the CNode being filled, 0: none yet */
    seL4_Word parked;     /* slots of it used */
    seL4_CPtr hole;       /* a slot given back below the last one taken, 0: none */
    kb_elf_t elf;
    const char *failed; /* what the last failed step was building */
} kb_proc_t;

/* The size of the process's CNode in bits (p->cnode_bits or the default). */
seL4_Word kb_cnode_bits(const kb_proc_t *p);

/* Bytes an object of `type` takes in an untyped (as the kernel aligns it). */
seL4_Word kb_object_bytes(seL4_Word type, seL4_Word size_bits);

/* The next free slot of the process's range, 0 if none. */
seL4_CPtr kb_take_slot(kb_proc_t *p);
/* A new object from the process's quota, 0 if the quota or the slots ran out. */
seL4_CPtr kb_new_object(kb_proc_t *p, seL4_Word type, seL4_Word size_bits);

/* Copy len bytes to `offset` in a frame mapped nowhere else yet; for
 * `code`, make them visible to instruction fetches too. */
seL4_Error kb_fill_frame(const kb_host_t *h, seL4_CPtr frame, seL4_Word offset, const void *src,
                         seL4_Word len, bool code);
/* kb_fill_frame in two halves, for a builder that reads as well: `frame`
 * (mapped nowhere else in the builder) read-write at h->scratch, then
 * unmapped again -- for `code` after making what was written there
 * visible to instruction fetches. */
seL4_Error kb_scratch_map(const kb_host_t *h, seL4_CPtr frame);
seL4_Error kb_scratch_unmap(seL4_CPtr frame, bool code);

/* Map `frame` read-write at `vaddr` in the builder's own VSpace, page
 * tables from h->new_table. */
seL4_Error kb_host_map(const kb_host_t *h, seL4_CPtr frame, seL4_Word vaddr);
/* Map `frame` at `vaddr` in the process's VSpace, page tables from its
 * quota (parked if p->park). */
seL4_Error kb_map(kb_proc_t *p, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights,
                  seL4_Word attr);
/* A fresh frame holding `len` bytes of `src` at `offset` (the rest zero),
 * mapped at `vaddr`; its slot in *out if out is not NULL, else parked if
 * p->park. */
seL4_Error kb_map_new(kb_proc_t *p, seL4_Word vaddr, seL4_CapRights_t rights, seL4_Word attr,
                      seL4_Word offset, const void *src, seL4_Word len, seL4_CPtr *out);
/* A copy of the builder's frame cap `frame`, mapped at `vaddr`. */
seL4_Error kb_map_copy(kb_proc_t *p, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights,
                       seL4_Word attr);

/* The steps of a build, in this order; each returns seL4_NoError or the
 * error, with p->failed naming what it was making. */
/* Its CNode (first: the largest, at the start of the quota), VSpace with an
 * ASID from the host's pool, TCB. */
seL4_Error kb_make_objects(kb_proc_t *p);
/* The ELF's segments (p->elf, checked, of `file`), a stack of `stack`
 * bytes below KEEL_STACK_TOP with its guard page unmapped, the IPC buffer. */
seL4_Error kb_load_image(kb_proc_t *p, const char *file, seL4_Word stack);

/* A file the builder reads in parts: bytes(ctx, offset, len) is where
 * [offset, offset + len) of it is now (len at most a page; valid until
 * the next call), or NULL if it cannot be read. */
typedef struct kb_reader {
    const void *(*bytes)(void *ctx, uint64_t offset, uint64_t len);
    void *ctx;
} kb_reader_t;

/* A reader of a file that is all in memory at `file`. */
kb_reader_t kb_memory_reader(const void *file);

/* kb_load_image for a file read through `file`, in the order of its
 * segments and of their pages; a failed read fails with "reading the
 * file" (seL4_FailedLookup). */
seL4_Error kb_load_image_from(kb_proc_t *p, const kb_reader_t *file, seL4_Word stack);
/* Slots TCB, CNode, VSpace and the fault endpoint: `fault` minted with
 * `fault_badge` (Send and GrantReply). */
seL4_Error kb_fixed_caps(kb_proc_t *p, seL4_CPtr fault, seL4_Word fault_badge);
/* The start page, composed by the caller: the pages that hold its first
 * `length` bytes (at most KEEL_STARTINFO_SIZE), from KEEL_STARTINFO_VADDR. */
seL4_Error kb_map_start_page(kb_proc_t *p, const void *page, seL4_Word length);
/* Its thread: CSpace, VSpace, IPC buffer, priority and the highest
 * priority it may give threads of its own (mcp), with the authority of TCB
 * `authority`; `notification` bound if not 0, registers for the
 * start. It is left suspended. */
seL4_Error kb_make_thread(kb_proc_t *p, seL4_CPtr authority, seL4_Word mcp, seL4_Word priority,
                          seL4_CPtr notification, const char *name);
