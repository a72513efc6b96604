/* Checking the binary system description (check.h, keel/os/sysdesc.h).
 * mksystem wrote it, but rs reads it as untrusted input: after
 * rs_sysdesc_check() every offset and count lies inside the description,
 * every index names an existing entry, every name and string is
 * terminated, and every size and address is one rs can build. */
#include "check.h"
#include <stdarg.h>
#ifdef KEEL_HOST_TEST
#include <stdio.h>
#else
#include <keel/printf.h>
#endif

#define MAX_GRANTS (KEEL_SYSDESC_MAX_COMPONENTS * KEEL_STARTINFO_CAPS)
#define MAX_UNTYPED_BITS 40
#define MAX_STACK (1ull << 30)
#define MAX_CHANNEL_PAGES 1024
#define MAX_IRQ 1019
#define NAME_OK(s) keel_archive_name_ok((s), sizeof(s))

static char message[192];

static const char *fail(const char *format, ...) __attribute__((format(printf, 1, 2)));

static const char *fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    return message;
}

static bool power_of_two(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* One notification bit below KEEL_BADGE_NOTIFY. */
static bool one_bit(uint64_t badge)
{
    return power_of_two(badge) && badge < KEEL_BADGE_NOTIFY;
}

bool rs_has_prefix(const char *name, const char *prefix)
{
    while (*prefix != '\0' && *name == *prefix) {
        name++;
        prefix++;
    }
    return *prefix == '\0';
}

rs_files_layout_t rs_files_layout(const void *archive, const char *prefix)
{
    const keel_archive_header_t *h = archive;
    const keel_archive_entry_t *e = keel_archive_entries(archive);
    rs_files_layout_t layout = { 0 };
    uint64_t file_pages = 0;
    for (uint32_t i = 0; i < h->nfiles; i++) {
        if (rs_has_prefix(e[i].name, prefix)) {
            layout.nfiles++;
            file_pages += (e[i].size + RS_PAGE - 1) / RS_PAGE;
        }
    }
    uint64_t index = sizeof(keel_archive_header_t) + layout.nfiles * sizeof(keel_archive_entry_t);
    layout.index_pages = (index + RS_PAGE - 1) / RS_PAGE;
    layout.size = (layout.index_pages + file_pages) * RS_PAGE;
    return layout;
}

/* A table of `count` records of `record` bytes at `offset`: inside the
 * description and aligned. */
static bool table_ok(const keel_sysdesc_t *d, uint32_t offset, uint32_t count, uint64_t record)
{
    return offset % 8 == 0 && offset >= sizeof(*d) && offset <= d->size &&
           count <= (d->size - offset) / record;
}

static const char *check_header(const keel_sysdesc_t *d, uint64_t size)
{
    if (size < sizeof(*d)) {
        return "shorter than its header";
    }
    if (d->magic != KEEL_SYSDESC_MAGIC || d->version != KEEL_SYSDESC_VERSION) {
        return "bad magic or version";
    }
    if (d->size > size || d->size < sizeof(*d)) {
        return "its size field disagrees with the archive entry";
    }
    if (d->ncomponents == 0 || d->ncomponents > KEEL_SYSDESC_MAX_COMPONENTS ||
        d->ngrants > MAX_GRANTS || d->nservices > MAX_GRANTS || d->nchannels > MAX_GRANTS) {
        return fail("bad counts: %u components, %u grants, %u services, %u channels",
                    d->ncomponents, d->ngrants, d->nservices, d->nchannels);
    }
    if (!table_ok(d, d->components, d->ncomponents, sizeof(keel_sysdesc_component_t)) ||
        !table_ok(d, d->grants, d->ngrants, sizeof(keel_sysdesc_grant_t)) ||
        !table_ok(d, d->services, d->nservices, sizeof(keel_sysdesc_service_t)) ||
        !table_ok(d, d->channels, d->nchannels, sizeof(keel_sysdesc_channel_t)) ||
        !table_ok(d, d->strings, d->strings_size, 1)) {
        return "a table lies outside the description or is misaligned";
    }
    return NULL;
}

/* The argv/envp block: exactly argc + envc strings, fitting a start page. */
static bool args_ok(const keel_sysdesc_t *d, const keel_sysdesc_component_t *c)
{
    uint64_t room = KEEL_STARTINFO_SIZE - sizeof(keel_startinfo_t);
    if (c->argc == 0 || c->argc > KEEL_STARTINFO_ARGS_MAX ||
        c->envc > KEEL_STARTINFO_ARGS_MAX - c->argc || c->args > d->strings_size ||
        c->args_size > d->strings_size - c->args || c->args_size > room || c->args_size == 0) {
        return false;
    }
    const char *s = rs_string(d, c->args);
    uint64_t strings = 0;
    for (uint32_t i = 0; i < c->args_size; i++) {
        strings += s[i] == '\0';
    }
    return s[c->args_size - 1] == '\0' && strings == (uint64_t)c->argc + c->envc;
}

static const char *check_component_fields(const keel_sysdesc_t *d, const void *archive,
                                          const keel_sysdesc_component_t *c)
{
    if (!NAME_OK(c->elf) || keel_archive_find(archive, c->elf) == NULL) {
        return "its ELF is not in the archive";
    }
    if (!power_of_two(c->quota) || c->quota < RS_PAGE || c->quota > (1ull << MAX_UNTYPED_BITS)) {
        return "its quota is not a power of two of 4 KiB .. 2^40 bytes";
    }
    if (c->stack % RS_PAGE != 0 || c->stack < 2 * RS_PAGE || c->stack > MAX_STACK) {
        return "its stack size is not a multiple of 4 KiB of 8 KiB .. 1 GiB";
    }
    if (c->priority < 1 || c->priority > KEEL_PRIORITY_MAX) {
        return "its priority is not in 1..254";
    }
    if (c->first_grant > d->ngrants || c->ngrants > d->ngrants - c->first_grant) {
        return "its grants lie outside the grant table";
    }
    if (!args_ok(d, c)) {
        return "its arguments are malformed or do not fit its start page";
    }
    if (c->restart > KEEL_RESTART_HALT) {
        return "its restart policy is unknown";
    }
    return NULL;
}

/* A region grant: page-aligned, between KEEL_REGIONS_VADDR and the stack's
 * guard page, overlapping none of the component's earlier regions. */
static bool region_ok(const keel_sysdesc_component_t *c, const keel_sysdesc_grant_t *g,
                      const keel_sysdesc_grant_t *earlier, uint32_t nearlier)
{
    uint64_t limit = KEEL_STACK_TOP - c->stack - RS_PAGE;
    if (g->vaddr % RS_PAGE != 0 || g->size % RS_PAGE != 0 || g->size == 0 ||
        g->vaddr < KEEL_REGIONS_VADDR || g->vaddr > limit || g->size > limit - g->vaddr) {
        return false;
    }
    for (uint32_t i = 0; i < nearlier; i++) {
        const keel_sysdesc_grant_t *o = &earlier[i];
        if (keel_sysdesc_is_region(o->kind) && g->vaddr < o->vaddr + o->size &&
            o->vaddr < g->vaddr + g->size) {
            return false;
        }
    }
    return true;
}

static const char *check_files(const keel_sysdesc_t *d, const void *archive,
                               const keel_sysdesc_grant_t *g)
{
    if (g->string >= d->strings_size ||
        !keel_archive_name_ok(rs_string(d, g->string), d->strings_size - g->string)) {
        return "its file prefix is not a string of the description";
    }
    rs_files_layout_t layout = rs_files_layout(archive, rs_string(d, g->string));
    if (layout.nfiles == 0 || layout.size != g->size) {
        return "its files do not match the archive";
    }
    return NULL;
}

static const char *check_kind(const keel_sysdesc_t *d, const void *archive, uint32_t comp,
                              const keel_sysdesc_grant_t *g)
{
    switch (g->kind) {
    case KEEL_GRANT_SERVE:
        return g->target < d->nservices && rs_services(d)[g->target].server == comp
                   ? NULL
                   : "it serves a service that is not its own";
    case KEEL_GRANT_USE:
        return g->target < d->nservices &&
                       (g->badge == 0) == ((g->flags & KEEL_GRANT_USE_MINT) != 0) &&
                       (g->badge & KEEL_BADGE_NOTIFY) == 0
                   ? NULL
                   : "bad service or badge";
    case KEEL_GRANT_DEVICE:
        return g->paddr % RS_PAGE == 0 && g->paddr + g->size > g->paddr ? NULL
                                                                        : "bad device address";
    case KEEL_GRANT_IRQ:
        return g->irq <= MAX_IRQ && one_bit(g->badge) ? NULL : "bad IRQ number or badge";
    case KEEL_GRANT_UNTYPED:
        return power_of_two(g->size) && g->size >= RS_PAGE && g->size <= (1ull << MAX_UNTYPED_BITS)
                   ? NULL
                   : "bad untyped size";
    case KEEL_GRANT_ASID_POOL:
        return NULL;
    case KEEL_GRANT_CHANNEL:
        return g->target < d->nchannels &&
                       rs_channels(d)[g->target].end[g->flags & KEEL_GRANT_END_B] == comp &&
                       g->size == rs_channels(d)[g->target].pages * RS_PAGE && one_bit(g->badge)
                   ? NULL
                   : "bad channel, end, size or badge";
    case KEEL_GRANT_FILES:
        return check_files(d, archive, g);
    case KEEL_GRANT_DMA:
        return g->size <= KEEL_SYSDESC_MAX_DMA ? NULL : "bad dma size";
    default:
        return "unknown kind";
    }
}

/* The grants of component `comp`: each one, their names, notification bits
 * and start-page entries. */
static const char *check_grants(const keel_sysdesc_t *d, const void *archive, uint32_t comp)
{
    const keel_sysdesc_component_t *c = &rs_components(d)[comp];
    const keel_sysdesc_grant_t *g = &rs_grants(d)[c->first_grant];
    uint64_t bits = 0;
    uint32_t entries = 0;
    uint64_t frames = 0;
    for (uint32_t i = 0; i < c->ngrants; i++) {
        const char *error = NAME_OK(g[i].name) ? check_kind(d, archive, comp, &g[i]) : "bad name";
        if (error == NULL && keel_sysdesc_is_region(g[i].kind) && !region_ok(c, &g[i], g, i)) {
            error = "its region overlaps another, the stack, or lies outside the region area";
        }
        for (uint32_t j = 0; error == NULL && j < i; j++) {
            error = keel_archive_same_name(g[i].name, g[j].name) ? "its name is repeated" : NULL;
        }
        if (error == NULL && (g[i].kind == KEEL_GRANT_IRQ || g[i].kind == KEEL_GRANT_CHANNEL)) {
            error = (bits & g[i].badge) != 0 ? "its notification bit is repeated" : NULL;
            bits |= g[i].badge;
        }
        if (error != NULL) {
            return fail("component %u (%s): grant %u (%.31s): %s", comp, c->name, i, g[i].name,
                        error);
        }
        entries += g[i].kind == KEEL_GRANT_CHANNEL ? 2 : 1;
        if ((g[i].kind == KEEL_GRANT_CHANNEL && (g[i].flags & KEEL_GRANT_FRAMES)) ||
            g[i].kind == KEEL_GRANT_DMA) {
            frames += g[i].size / RS_PAGE;
        }
    }
    if (entries + (bits != 0) > KEEL_STARTINFO_CAPS) {
        return fail("component %u (%s): more than %u start-page entries", comp, c->name,
                    KEEL_STARTINFO_CAPS);
    }
    if (KEEL_SLOT_FIRST_FREE + entries + 1 + frames > (1ull << KEEL_CNODE_BITS)) {
        return fail("component %u (%s): its caps do not fit its CNode", comp, c->name);
    }
    return NULL;
}

static const char *check_components(const keel_sysdesc_t *d, const void *archive)
{
    const keel_sysdesc_component_t *c = rs_components(d);
    uint32_t beating = 0;
    for (uint32_t i = 0; i < d->ncomponents; i++) {
        if (!NAME_OK(c[i].name)) {
            return fail("component %u: its name is not a string", i);
        }
        if (c[i].heartbeat_ms != 0 && ++beating > KEEL_SYSDESC_MAX_HEARTBEATS) {
            return fail("more than %u components with a heartbeat", KEEL_SYSDESC_MAX_HEARTBEATS);
        }
        for (uint32_t j = 0; j < i; j++) {
            if (keel_archive_same_name(c[i].name, c[j].name)) {
                return fail("component %u (%s): its name is repeated", i, c[i].name);
            }
        }
        const char *error = check_component_fields(d, archive, &c[i]);
        if (error != NULL) {
            return fail("component %u (%s): %s", i, c[i].name, error);
        }
        error = check_grants(d, archive, i);
        if (error != NULL) {
            return error;
        }
    }
    return NULL;
}

static const char *check_services_and_channels(const keel_sysdesc_t *d)
{
    for (uint32_t i = 0; i < d->nservices; i++) {
        const keel_sysdesc_service_t *s = &rs_services(d)[i];
        bool rs_own = s->server == KEEL_SYSDESC_SERVER_RS;
        if (!NAME_OK(s->name) || (s->server >= d->ncomponents && !rs_own)) {
            return fail("service %u: bad name or server", i);
        }
    }
    uint32_t rs_ends = 0;
    for (uint32_t i = 0; i < d->nchannels; i++) {
        const keel_sysdesc_channel_t *ch = &rs_channels(d)[i];
        bool rs_client = ch->end[0] == KEEL_SYSDESC_SERVER_RS;
        if ((ch->end[0] >= d->ncomponents && !rs_client) || ch->end[1] >= d->ncomponents ||
            ch->end[0] == ch->end[1] || ch->pages == 0 || ch->pages > MAX_CHANNEL_PAGES) {
            return fail("channel %u: bad ends or size", i);
        }
        if (rs_client &&
            (++rs_ends > KEEL_SYSDESC_MAX_RS_CHANNELS || ch->rs_name >= d->strings_size ||
             !keel_archive_name_ok(rs_string(d, ch->rs_name), d->strings_size - ch->rs_name))) {
            return fail("channel %u: rs's end: too many, or its name is not a string", i);
        }
    }
    return NULL;
}

const char *rs_sysdesc_check(const keel_sysdesc_t *desc, uint64_t size, const void *archive)
{
    const char *error = check_header(desc, size);
    if (error == NULL) {
        /* Services and channels first: grants index them. */
        error = check_services_and_channels(desc);
    }
    if (error == NULL) {
        error = check_components(desc, archive);
    }
    return error;
}
