/* rs, the root task of the Keel OS (rs.h): check the boot archive and the
 * system description in it, make what the components share, build every
 * component, start them all, and serve faults. A component rs cannot build
 * is reported and left out; the others run. */
#include "rs.h"
#include <keel/os/timer.h>
#include <keel/printf.h>
#include <keel/runtime.h>
#include <keel/string.h>

rs_system_t rs;

/* The boot archive, linked into rs's image (archive.S). */
extern const char keel_archive_start[], keel_archive_end[];

static __attribute__((noreturn)) void give_up(const char *why, const char *detail)
{
    printf("rs: %s: %s; the system cannot start\n", why, detail);
    for (;;) {
        seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    }
}

/* The archive and the description in it, checked before anything is read. */
static void load_description(void)
{
    uint64_t size = (uint64_t)(keel_archive_end - keel_archive_start);
    int error = keel_archive_check(keel_archive_start, size);
    if (error != KEEL_ARCHIVE_OK) {
        give_up("the boot archive is corrupt", keel_archive_strerror(error));
    }
    const keel_archive_entry_t *file = keel_archive_find(keel_archive_start, KEEL_SYSDESC_FILE);
    if (file == NULL) {
        give_up("the boot archive is corrupt", "it holds no system description");
    }
    const keel_sysdesc_t *desc = (const keel_sysdesc_t *)(keel_archive_start + file->offset);
    const char *why = rs_sysdesc_check(desc, file->size, keel_archive_start);
    if (why != NULL) {
        give_up("the system description is corrupt", why);
    }
    rs.archive = keel_archive_start;
    rs.desc = desc;
    for (uint32_t i = 0; i < desc->ncomponents; i++) {
        rs.comp[i].desc = &rs_components(desc)[i];
        rs.comp[i].index = i;
    }
}

/* Boot argument rs.show=NAME (or rs.show=all): print what rs granted to
 * that component, as `service show NAME` will. */
static bool shown(const rs_component_t *c)
{
    size_t len;
    const char *value = keel_bootarg("rs.show", &len);
    size_t name_len = strlen(c->desc->name);
    return value != NULL && ((len == 3 && strncmp(value, "all", 3) == 0) ||
                             (len == name_len && strncmp(value, c->desc->name, len) == 0));
}

static void start_all(void)
{
    uint32_t started = 0;
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_component_t *c = &rs.comp[i];
        if (c->state != RS_BUILT) {
            continue;
        }
        if (shown(c)) {
            rs_show(c);
        }
        seL4_Error err = seL4_TCB_Resume(c->proc.tcb);
        if (err != seL4_NoError) {
            printf("rs: cannot start %s: %s\n", c->desc->name, rs_error_name(err));
            continue;
        }
        c->state = RS_RUNNING;
        c->started_at = keel_counter();
        started++;
    }
    printf("rs: %u of %u components started\n", started, rs.desc->ncomponents);
}

int main(void)
{
    printf("rs: Keel OS root task\n");
    load_description();
    rs_mem_init();
    if (!rs_make_shared_objects() || !rs_heartbeat_init() || !rs_inject_init()) {
        give_up("the shared objects", "see above");
    }
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_component_t *c = &rs.comp[i];
        if (rs_build(c)) {
            printf("rs: built %s (priority %u, %lu of %lu KiB)\n", c->desc->name, c->desc->priority,
                   (unsigned long)(c->proc.used >> 10), (unsigned long)(c->desc->quota >> 10));
        }
    }
    start_all();
    rs_heartbeat_start();
    rs_serve();
}
