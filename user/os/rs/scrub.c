/* Scrubbing the components' code (rs.h; docs/reliability.md "Code
 * scrubbing"). A flipped bit in a component's code need not make it fault
 * or hang: the ext2 server, its check of group descriptors damaged, went
 * on answering the heartbeat and refusing every request, and the uart once
 * lost console output, until their next restarts. Such a component is
 * alive and useless, and nothing else would restart it.
 *
 * So rs compares, a few pages at a time, the code pages of every running
 * component with what the builder put there from the pristine ELF of the
 * boot archive; a page that differs is a failure of the component, like a
 * fault (RS_LAST_CODE). The pages are taken in turn, round-robin over the
 * components, at a rate in guest time -- SCRUB_PAGES_PER_S, whenever rs
 * looks (its clocks' wake-ups, its service's requests) -- so that the cost
 * does not grow with how often rs is woken, and no look takes more than
 * SCRUB_MAX_PAGES. */
#include "rs.h"

#include <keel/os/timer.h>
#include <keel/printf.h>
#include <keel/proto/rs_defs.h>
#include <keel/string.h>

#define PAGE ((seL4_Word)1 << seL4_PageBits)
/* The components of the systems built have at most 111 code pages in all
 * (97 in system/keel.system; docs/reliability.md "Code scrubbing"), so a
 * full pass takes a second or less. A page costs some 17 us of guest time:
 * 0.2% of the processor. */
#define SCRUB_PAGES_PER_S 128
/* At most this many pages at one look (0.25 s of the rate: the timer's
 * ticks come every 100 ms); a longer gap between looks (only the rtc's
 * seconds wake rs) is not made up for. */
#define SCRUB_MAX_PAGES 32

static struct {
    uint32_t comp;       /* the index of the component whose pages are next */
    seL4_Word page;      /* its next code page (0..) */
    uint64_t started_at; /* the start of it that page belongs to */
    uint64_t done_until; /* the counter value the pages scrubbed so far pay for */
    uint64_t ticks_per_page;
} cursor;

/* What the page at `vaddr` of c should hold, as the builder filled it: the
 * file bytes of every segment that overlap it, zero elsewhere (past a
 * segment's filesz, and between segments). Words to compare fast. */
static union {
    uint64_t word[PAGE / 8];
    uint8_t byte[PAGE];
} expected;

static void expect_page(const rs_component_t *c, seL4_Word vaddr)
{
    memset(expected.byte, 0, PAGE);
    for (uint32_t i = 0; i < c->proc.elf.nsegments; i++) {
        const kb_segment_t *s = &c->proc.elf.segment[i];
        seL4_Word lo = vaddr > s->vaddr ? vaddr : s->vaddr;
        seL4_Word file_end = s->vaddr + s->filesz;
        seL4_Word hi = vaddr + PAGE < file_end ? vaddr + PAGE : file_end;
        if (lo < hi) {
            memcpy(expected.byte + (lo - vaddr), rs_pristine(c) + s->offset + (lo - s->vaddr),
                   hi - lo);
        }
    }
}

/* Where a page differs from `expected`: its first differing byte, and the
 * instruction word that holds it, expected and found. */
typedef struct damage {
    seL4_Word offset; /* PAGE: it does not differ */
    uint32_t expected, found;
} damage_t;

/* The page at rs's scratch address: memory of no declared type, read as
 * words and as bytes. */
static seL4_Word first_difference(const volatile void *page)
{
    const volatile uint64_t *words = page;
    const volatile uint8_t *bytes = page;
    seL4_Word word = 0;
    while (word < PAGE / 8 && expected.word[word] == words[word]) {
        word++;
    }
    seL4_Word at = word * 8;
    while (at < PAGE && expected.byte[at] == bytes[at]) {
        at++;
    }
    return at;
}

/* Compare `frame` with `expected` through rs's scratch page: a read-only
 * copy of its cap, mapped there (the frame itself is mapped in the
 * component) and unmapped again -- nothing was written, so no cache
 * maintenance for instruction fetches. */
static seL4_Error compare_frame(seL4_CPtr frame, damage_t *d)
{
    seL4_CPtr copy = rs.spare_slot;
    seL4_Error err =
        seL4_CNode_Copy(RS_ROOT, copy, RS_DEPTH, RS_ROOT, frame, RS_DEPTH, seL4_CanRead);
    if (err != seL4_NoError) {
        return err;
    }
    err = kb_scratch_map(&rs_host, copy);
    if (err == seL4_NoError) {
        const volatile uint32_t *page = (const volatile uint32_t *)rs_host.scratch;
        d->offset = first_difference(page);
        if (d->offset < PAGE) {
            seL4_Word word = d->offset / 4;
            memcpy(&d->expected, expected.byte + word * 4, sizeof(d->expected));
            d->found = page[word];
        }
        err = kb_scratch_unmap(copy, false);
    }
    seL4_CNode_Delete(RS_ROOT, copy, RS_DEPTH);
    return err;
}

/* Compare code page n of c; damage is its failure (restart.c's policy). */
static void scrub_page(rs_component_t *c, seL4_Word n)
{
    seL4_Word vaddr = 0;
    seL4_CPtr frame = rs_code_page(c, n, &vaddr);
    damage_t d = { .offset = PAGE };
    if (frame == 0) {
        return;
    }
    expect_page(c, vaddr);
    /* A frame rs cannot map is no finding about the component. */
    if (compare_frame(frame, &d) != seL4_NoError || d.offset == PAGE) {
        return;
    }
    printf("rs: %s's code is damaged at 0x%lx (expected 0x%08x, found 0x%08x)\n", c->desc->name,
           (unsigned long)(vaddr + (d.offset & ~(seL4_Word)3)), d.expected, d.found);
    rs_failed(c, RS_LAST_CODE);
}

static void next_component(void)
{
    cursor.comp = (cursor.comp + 1) % rs.desc->ncomponents;
    cursor.page = 0;
    cursor.started_at = rs.comp[cursor.comp].started_at;
}

/* The component whose code page cursor.page is next, NULL if no running
 * component has code pages. One restarted since its last page was
 * compared starts again at its first. */
static rs_component_t *next_to_scrub(void)
{
    for (uint32_t tries = 0; tries <= rs.desc->ncomponents; tries++) {
        rs_component_t *c = &rs.comp[cursor.comp];
        if (c->state == RS_RUNNING) {
            if (c->started_at != cursor.started_at) {
                cursor.started_at = c->started_at;
                cursor.page = 0;
            }
            if (cursor.page < rs_code_pages(c)) {
                return c;
            }
        }
        next_component();
    }
    return NULL;
}

void rs_scrub(void)
{
    uint64_t now = keel_counter();
    if (cursor.ticks_per_page == 0) { /* the first look */
        cursor.ticks_per_page = keel_counter_frequency() / SCRUB_PAGES_PER_S;
        cursor.done_until = now;
    }
    uint64_t most = SCRUB_MAX_PAGES * cursor.ticks_per_page;
    if (now - cursor.done_until > most) {
        cursor.done_until = now - most;
    }
    for (; now - cursor.done_until >= cursor.ticks_per_page;
         cursor.done_until += cursor.ticks_per_page) {
        rs_component_t *c = next_to_scrub();
        if (c == NULL) {
            return;
        }
        scrub_page(c, cursor.page++);
    }
}
