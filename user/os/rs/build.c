/* Building one component from its description and ELF (rs.h; docs/os.md,
 * "How rs builds a component"). Everything the component owns comes from
 * its quota untyped into its range of rs's slots: its CNode, VSpace, TCB,
 * the frames of its ELF, stack, IPC buffer and start page, and every page
 * table. What it shares (endpoints, notifications, channel pages, device
 * frames, IRQ handlers) rs made beforehand (objects.c); the component gets
 * copies of those caps, and mappings of those frames. */
#include "rs.h"
#include <keel/os/ring.h>
#include <keel/printf.h>
#include <keel/string.h>
#include <stddef.h>

#define PAGE ((seL4_Word)1 << seL4_PageBits)
#define NOTIFY_SUFFIX ".notify"

/* The start page, and the index pages of a files grant, are composed here. */
static unsigned char compose[KEEL_STARTINFO_SIZE] __attribute__((aligned(16)));

static bool failed(const rs_component_t *c, const char *what, seL4_Word err)
{
    printf("rs: cannot build %s: %s: %s\n", c->desc->name, what, rs_error_name(err));
    return false;
}

static bool failed_step(const rs_component_t *c, seL4_Error err)
{
    return err == seL4_NoError || failed(c, c->proc.failed, err);
}

static seL4_Word min_word(seL4_Word a, seL4_Word b)
{
    return a < b ? a : b;
}

/* A files grant: a read-only archive of the files whose names start with
 * the prefix -- index pages written here, then the files' own pages of
 * rs's image. */
static seL4_Error map_files(rs_component_t *c, const keel_sysdesc_grant_t *g)
{
    const char *prefix = rs_string(rs.desc, g->string);
    rs_files_layout_t layout = rs_files_layout(rs.archive, prefix);
    if (layout.index_pages * PAGE > sizeof(compose)) {
        return seL4_RangeError;
    }
    memset(compose, 0, sizeof(compose));
    keel_archive_header_t *h = (keel_archive_header_t *)compose;
    keel_archive_entry_t *out = (keel_archive_entry_t *)(h + 1);
    *h = (keel_archive_header_t){ KEEL_ARCHIVE_MAGIC, KEEL_ARCHIVE_VERSION, layout.nfiles,
                                  layout.size, 0 };
    const keel_archive_header_t *ah = rs.archive;
    const keel_archive_entry_t *in = keel_archive_entries(rs.archive);
    seL4_Word offset = layout.index_pages * PAGE;
    for (uint32_t i = 0; i < ah->nfiles; i++) {
        if (!rs_has_prefix(in[i].name, prefix)) {
            continue;
        }
        *out = in[i];
        out->offset = offset;
        for (seL4_Word p = 0; p * PAGE < in[i].size; p++) {
            seL4_CPtr frame = rs_image_frame((const char *)rs.archive + in[i].offset + p * PAGE);
            seL4_Error err = frame != 0 ? kb_map_copy(&c->proc, frame, g->vaddr + offset + p * PAGE,
                                                      seL4_CanRead, KB_ATTR_DATA)
                                        : seL4_InvalidCapability;
            if (err != seL4_NoError) {
                return err;
            }
        }
        offset += (in[i].size + PAGE - 1) & ~(PAGE - 1);
        out++;
    }
    for (seL4_Word p = 0; p < layout.index_pages; p++) {
        seL4_Error err = kb_map_new(&c->proc, g->vaddr + p * PAGE, seL4_CanRead, KB_ATTR_DATA, 0,
                                    compose + p * PAGE, PAGE, NULL);
        if (err != seL4_NoError) {
            return err;
        }
    }
    return seL4_NoError;
}

static seL4_Error map_region(rs_component_t *c, uint32_t i)
{
    const keel_sysdesc_grant_t *g = rs_grant(c, i);
    uint32_t grant = c->desc->first_grant + i;
    seL4_Error err = seL4_NoError;
    for (seL4_Word p = 0; err == seL4_NoError && p < g->size / PAGE; p++) {
        if (g->kind == KEEL_GRANT_DEVICE) {
            err = kb_map_copy(&c->proc, rs.object[grant] + p, g->vaddr + p * PAGE, seL4_ReadWrite,
                              KB_ATTR_DEVICE);
        } else if (g->kind == KEEL_GRANT_CHANNEL) {
            err = kb_map_copy(&c->proc, rs.channel[g->target] + p, g->vaddr + p * PAGE,
                              seL4_ReadWrite, KB_ATTR_DATA);
        } else if (g->kind == KEEL_GRANT_DMA) {
            err = kb_map_copy(&c->proc, rs.object[grant] + p, g->vaddr + p * PAGE, seL4_ReadWrite,
                              KB_ATTR_DATA);
        }
    }
    return g->kind == KEEL_GRANT_FILES ? map_files(c, g) : err;
}

static bool map_regions(rs_component_t *c)
{
    for (uint32_t i = 0; i < c->desc->ngrants; i++) {
        seL4_Error err = map_region(c, i);
        if (err != seL4_NoError) {
            return failed(c, rs_grant(c, i)->name, err);
        }
    }
    return true;
}

/* --- the CSpace and the table of what it was given ---------------------- */

static keel_startcap_t *add_entry(rs_component_t *c, const char *name, uint32_t kind,
                                  uint32_t flags)
{
    keel_startcap_t *e = &c->caps[c->ncaps++];
    memset(e, 0, sizeof(*e));
    memcpy(e->name, name, min_word(strlen(name), KEEL_NAME_MAX - 1));
    e->kind = kind;
    e->flags = flags;
    return e;
}

/* The next slot of the component's CNode, given to entry e. */
static seL4_Word next_cslot(rs_component_t *c, keel_startcap_t *e)
{
    seL4_Word next = KEEL_SLOT_FIRST_FREE;
    for (uint32_t i = 0; i + 1 < c->ncaps; i++) {
        seL4_Word end = c->caps[i].cptr + keel_startcap_slots(&c->caps[i]);
        if (end > next) {
            next = end;
        }
    }
    e->cptr = next;
    return next;
}

static seL4_Error copy_in(rs_component_t *c, keel_startcap_t *e, seL4_CPtr src,
                          seL4_CapRights_t rights)
{
    return seL4_CNode_Copy(c->proc.cnode, next_cslot(c, e), KEEL_CNODE_BITS, RS_ROOT, src, RS_DEPTH,
                           rights);
}

static seL4_Error mint_in(rs_component_t *c, keel_startcap_t *e, seL4_CPtr src,
                          seL4_CapRights_t rights, seL4_Word badge)
{
    return seL4_CNode_Mint(c->proc.cnode, next_cslot(c, e), KEEL_CNODE_BITS, RS_ROOT, src, RS_DEPTH,
                           rights, badge);
}

/* What signals the other end of channel `g`: its notification and the
 * badge that raises the channel's bit there (false if there is none). The
 * other end may be rs itself (heartbeat.c): rs's notification, the bit of
 * rs's channel. */
static bool other_end(const keel_sysdesc_grant_t *g, seL4_CPtr *notification, seL4_Word *badge)
{
    const keel_sysdesc_channel_t *ch = &rs_channels(rs.desc)[g->target];
    uint32_t comp = ch->end[(g->flags & KEEL_GRANT_END_B) ? 0 : 1];
    if (comp == KEEL_SYSDESC_SERVER_RS) {
        *notification = rs.notification;
        *badge = KEEL_BADGE_NOTIFY | rs_channel_bit(g->target);
        return rs.notification != 0;
    }
    const rs_component_t *peer = &rs.comp[comp];
    for (uint32_t i = 0; i < peer->desc->ngrants; i++) {
        const keel_sysdesc_grant_t *pg = rs_grant(peer, i);
        if (pg->kind == KEEL_GRANT_CHANNEL && pg->target == g->target &&
            (pg->flags & KEEL_GRANT_END_B) != (g->flags & KEEL_GRANT_END_B)) {
            *notification = peer->notification;
            *badge = KEEL_BADGE_NOTIFY | pg->badge;
            return peer->notification != 0;
        }
    }
    return false;
}

/* A channel end with KEEL_GRANT_FRAMES, a dma grant: a copy of each page's
 * frame cap (rs's from `frames` on), in consecutive slots from the region
 * entry's. */
static seL4_Error copy_frames(rs_component_t *c, keel_startcap_t *region,
                              const keel_sysdesc_grant_t *g, seL4_CPtr frames)
{
    seL4_Word first = next_cslot(c, region);
    for (seL4_Word p = 0; p < g->size / PAGE; p++) {
        seL4_Error err = seL4_CNode_Copy(c->proc.cnode, first + p, KEEL_CNODE_BITS, RS_ROOT,
                                         frames + p, RS_DEPTH, seL4_AllRights);
        if (err != seL4_NoError) {
            return err;
        }
    }
    return seL4_NoError;
}

/* The region entry and "NAME.notify": a cap to signal the other end, whose
 * badge field says which bit of this component's notification the other
 * end raises. */
static seL4_Error grant_channel(rs_component_t *c, const keel_sysdesc_grant_t *g)
{
    keel_startcap_t *region = add_entry(c, g->name, KEEL_CAP_REGION, KEEL_REGION_WRITABLE);
    region->vaddr = g->vaddr;
    region->size = g->size;
    if (g->flags & KEEL_GRANT_FRAMES) {
        seL4_Error err = copy_frames(c, region, g, rs.channel[g->target]);
        if (err != seL4_NoError) {
            return err;
        }
    }
    char name[KEEL_NAME_MAX];
    size_t len = strlen(g->name);
    if (len + sizeof(NOTIFY_SUFFIX) > sizeof(name)) {
        return seL4_RangeError;
    }
    memcpy(name, g->name, len);
    memcpy(name + len, NOTIFY_SUFFIX, sizeof(NOTIFY_SUFFIX));
    seL4_CPtr peer;
    seL4_Word badge;
    if (!other_end(g, &peer, &badge)) {
        return seL4_FailedLookup;
    }
    keel_startcap_t *e = add_entry(c, name, KEEL_CAP_NOTIFICATION, 0);
    e->badge = g->badge;
    return mint_in(c, e, peer, seL4_CanWrite, badge);
}

static seL4_Error grant_one(rs_component_t *c, uint32_t i)
{
    const keel_sysdesc_grant_t *g = rs_grant(c, i);
    seL4_CPtr object = rs.object[c->desc->first_grant + i];
    keel_startcap_t *e;
    switch (g->kind) {
    case KEEL_GRANT_SERVE:
        e = add_entry(c, g->name, KEEL_CAP_SERVICE, 0);
        return copy_in(c, e, rs.service[g->target],
                       (g->flags & KEEL_GRANT_MINT) ? seL4_AllRights : seL4_CanRead);
    case KEEL_GRANT_USE:
        e = add_entry(c, g->name, KEEL_CAP_ENDPOINT,
                      (g->flags & KEEL_GRANT_USE_MINT) ? KEEL_ENDPOINT_MINT : 0);
        e->badge = rs_use_badge(g);
        return mint_in(c, e, rs.service[g->target],
                       seL4_CapRights_new(1, (g->flags & KEEL_GRANT_CAN_GRANT) != 0, 0, 1),
                       (g->flags & KEEL_GRANT_USE_MINT) ? 0 : e->badge);
    case KEEL_GRANT_IRQ:
        e = add_entry(c, g->name, KEEL_CAP_IRQ, 0);
        e->badge = g->badge;
        return copy_in(c, e, object, seL4_AllRights);
    case KEEL_GRANT_UNTYPED:
        e = add_entry(c, g->name, KEEL_CAP_UNTYPED, 0);
        e->size = g->size;
        return copy_in(c, e, object, seL4_AllRights);
    case KEEL_GRANT_ASID_POOL:
        e = add_entry(c, g->name, KEEL_CAP_ASID_POOL, 0);
        return copy_in(c, e, object, seL4_AllRights);
    case KEEL_GRANT_CHANNEL:
        return grant_channel(c, g);
    case KEEL_GRANT_DMA:
        e = add_entry(c, g->name, KEEL_CAP_REGION, KEEL_REGION_WRITABLE | KEEL_REGION_DMA);
        e->vaddr = g->vaddr;
        e->size = g->size;
        return copy_frames(c, e, g, object);
    default: /* device and files: a region, no cap */
        e = add_entry(c, g->name, KEEL_CAP_REGION,
                      g->kind == KEEL_GRANT_DEVICE ? KEEL_REGION_WRITABLE | KEEL_REGION_DEVICE : 0);
        e->vaddr = g->vaddr;
        e->size = g->size;
        return seL4_NoError;
    }
}

/* The fixed slots, then every grant in the order of the description. */
static bool fill_cspace(rs_component_t *c)
{
    seL4_Error err = kb_fixed_caps(&c->proc, rs.endpoint, c->index + 1);
    if (err != seL4_NoError) {
        return failed(c, c->proc.failed, err);
    }
    c->ncaps = 0;
    if (c->notification != 0) {
        keel_startcap_t *e = add_entry(c, "notify", KEEL_CAP_NOTIFICATION, KEEL_NOTIFY_OWN);
        err = copy_in(c, e, c->notification, seL4_CanRead);
        if (err != seL4_NoError) {
            return failed(c, "its notification", err);
        }
    }
    if (c->ping != 0) { /* its answer to rs's heartbeat pings raises its bit of rs's */
        keel_startcap_t *e = add_entry(c, "heartbeat", KEEL_CAP_NOTIFICATION, 0);
        err = mint_in(c, e, rs.notification, seL4_CanWrite, KEEL_BADGE_NOTIFY | c->beat_bit);
        if (err != seL4_NoError) {
            return failed(c, "its heartbeat", err);
        }
    }
    for (uint32_t i = 0; i < c->desc->ngrants; i++) {
        err = grant_one(c, i);
        if (err != seL4_NoError) {
            return failed(c, rs_grant(c, i)->name, err);
        }
    }
    return true;
}

/* --- the start page and the thread -------------------------------------- */

static bool map_start_page(rs_component_t *c)
{
    memset(compose, 0, sizeof(compose));
    keel_startinfo_t *si = (keel_startinfo_t *)compose;
    si->magic = KEEL_STARTINFO_MAGIC;
    si->version = KEEL_STARTINFO_VERSION;
    memcpy(si->name, c->desc->name, sizeof(si->name));
    si->stack_top = KEEL_STACK_TOP;
    si->stack_size = c->desc->stack;
    si->heap_start = c->proc.elf.end;
    si->ncaps = c->ncaps;
    memcpy(si->caps, c->caps, sizeof(si->caps));
    si->argc = c->desc->argc;
    si->envc = c->desc->envc;
    si->strings_len = c->desc->args_size;
    memcpy(si->strings, rs_string(rs.desc, c->desc->args), c->desc->args_size);
    return failed_step(c, kb_map_start_page(&c->proc, compose, sizeof(*si) + si->strings_len));
}

static bool make_thread(rs_component_t *c)
{
    return failed_step(c, kb_make_thread(&c->proc, seL4_CapInitThreadTCB, c->desc->priority,
                                         c->desc->priority, c->notification, c->desc->name));
}

static bool grants_made(const rs_component_t *c)
{
    for (uint32_t i = 0; i < c->desc->ngrants; i++) {
        if (rs.object[c->desc->first_grant + i] == ~(seL4_CPtr)0) {
            return false;
        }
    }
    return c->proc.untyped != 0;
}

/* --- a component down for good --------------------------------------- */

/* Channel `g` of c: its page says KEEL_CHANNEL_DOWN where a driver's epoch
 * goes, and the other end is signalled with the bit c's signals raise. */
static void channel_down(const rs_component_t *c, const keel_sysdesc_grant_t *g, seL4_CPtr slot)
{
    uint32_t down = KEEL_CHANNEL_DOWN;
    seL4_CPtr peer;
    seL4_Word badge;
    if (kb_fill_frame(&rs_host, rs.channel[g->target], offsetof(keel_channel_t, driver_epoch),
                      &down, sizeof(down), false) != seL4_NoError ||
        !other_end(g, &peer, &badge)) {
        printf("rs: cannot tell %s's peer on %s that it is down\n", c->desc->name, g->name);
        return;
    }
    if (seL4_CNode_Mint(RS_ROOT, slot, RS_DEPTH, RS_ROOT, peer, RS_DEPTH, seL4_CanWrite, badge) ==
        seL4_NoError) {
        seL4_Signal(slot);
        seL4_CNode_Delete(RS_ROOT, slot, RS_DEPTH);
    }
}

void rs_channels_down(const rs_component_t *c)
{
    seL4_CPtr slot = rs.spare_slot;
    for (uint32_t i = 0; i < c->desc->ngrants; i++) {
        const keel_sysdesc_grant_t *g = rs_grant(c, i);
        if (g->kind == KEEL_GRANT_CHANNEL) {
            channel_down(c, g, slot);
        }
    }
}

bool rs_build(rs_component_t *c)
{
    if (!grants_made(c)) {
        return false; /* reported when the memory was not there */
    }
    const keel_archive_entry_t *file = keel_archive_find(rs.archive, c->desc->elf);
    const char *data = (const char *)rs.archive + file->offset;
    const char *error = kb_elf_check(data, file->size, &c->proc.elf);
    if (error != NULL) {
        printf("rs: cannot build %s: its ELF %s: %s\n", c->desc->name, c->desc->elf, error);
        return false;
    }
    c->proc.host = &rs_host;
    if (!failed_step(c, kb_make_objects(&c->proc)) ||
        !failed_step(c, kb_load_image(&c->proc, data, c->desc->stack)) || !map_regions(c) ||
        !fill_cspace(c) || !map_start_page(c) || !make_thread(c)) {
        return false;
    }
    c->state = RS_BUILT;
    return true;
}
