/* rs as a service (proto/rs.proto, docs/os.md "rs as a service"): the
 * `service` program's queries (list, show, restart, inject, flip) and `free`'s
 * (meminfo), answered on rs's own endpoint next to the faults. A component
 * reaches it only through the grant `use rs` of the system description: rs
 * mints that endpoint cap with RS_CLIENT_BADGE in its badge, which no fault
 * badge (a component index + 1) has, so rs_serve() tells a request from a
 * fault by the badge alone. The generated dispatch has checked every
 * argument before a handler runs. */
#include "rs.h"
#include <errno.h>
#include <keel/os/timer.h>
#include <keel/proto/rs_server.h>
#include <keel/string.h>

bool rs_is_client(seL4_Word badge)
{
    return (badge & RS_CLIENT_BADGE) != 0;
}

seL4_Word rs_use_badge(const keel_sysdesc_grant_t *g)
{
    bool ours = rs_services(rs.desc)[g->target].server == KEEL_SYSDESC_SERVER_RS;
    return ours ? g->badge | RS_CLIENT_BADGE : g->badge;
}

static uint64_t state_of(const rs_component_t *c)
{
    switch (c->state) {
    case RS_RUNNING:
        return RS_STATE_RUNNING;
    case RS_FAULTED:
        return RS_STATE_FAULTED;
    case RS_EXITED:
        return RS_STATE_EXITED;
    case RS_FAILED:
        return RS_STATE_FAILED;
    case RS_WAITING:
        return RS_STATE_WAITING;
    default: /* unbuilt, or built and never started */
        return RS_STATE_STOPPED;
    }
}

static void copy_name(char out[KEEL_PROTO_NAME_BYTES], const char *name)
{
    _Static_assert(KEEL_NAME_MAX <= KEEL_PROTO_NAME_BYTES, "a name fits a protocol name");
    size_t len = 0;
    while (len < KEEL_NAME_MAX - 1 && name[len] != '\0') {
        len++;
    }
    memcpy(out, name, len);
    out[len] = '\0';
}

long proto_rs_list(void *ctx, seL4_Word badge, uint64_t index, char name[KEEL_PROTO_NAME_BYTES],
                   uint64_t *state, uint64_t *priority, uint64_t *quota, uint64_t *faults,
                   uint64_t *restarts, uint64_t *uptime, uint64_t *last)
{
    (void)ctx;
    (void)badge;
    uint32_t count = rs.desc->ncomponents;
    if (index >= count) {
        return count;
    }
    const rs_component_t *c = &rs.comp[index];
    copy_name(name, c->desc->name);
    *state = state_of(c);
    *priority = c->desc->priority;
    *quota = c->desc->quota;
    *faults = c->faults;
    *restarts = c->restarts;
    *uptime = c->state == RS_RUNNING
                  ? (keel_counter() - c->started_at) * 1000 / keel_counter_frequency()
                  : 0;
    *last = c->last;
    return count;
}

static rs_component_t *find_component(const char *name)
{
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        if (strcmp(rs.comp[i].desc->name, name) == 0) {
            return &rs.comp[i];
        }
    }
    return NULL;
}

long proto_rs_show(void *ctx, seL4_Word badge, const char *component, uint64_t index,
                   char grant[KEEL_PROTO_NAME_BYTES], uint64_t *kind, uint64_t *cptr,
                   uint64_t *vaddr, uint64_t *size, uint64_t *flags, uint64_t *ep_badge)
{
    (void)ctx;
    (void)badge;
    const rs_component_t *c = find_component(component);
    if (c == NULL) {
        return -ENOENT;
    }
    if (index >= c->ncaps) {
        return c->ncaps;
    }
    const keel_startcap_t *e = &c->caps[index];
    copy_name(grant, e->name);
    *kind = e->kind;
    *cptr = e->cptr;
    *vaddr = e->vaddr;
    *size = e->size;
    *flags = e->flags;
    *ep_badge = e->badge;
    return c->ncaps;
}

/* Only a component whose description says `restart always` is restarted
 * or injected into: rs, pm and vfs, the core, say `never`. */
static rs_component_t *restartable(const char *name, long *error)
{
    rs_component_t *c = find_component(name);
    *error = c == NULL ? -ENOENT : c->desc->restart != KEEL_RESTART_ALWAYS ? -EPERM : 0;
    return *error == 0 ? c : NULL;
}

long proto_rs_restart(void *ctx, seL4_Word badge, const char *component)
{
    (void)ctx;
    (void)badge;
    long error;
    rs_component_t *c = restartable(component, &error);
    if (c == NULL) {
        return error;
    }
    return rs_restart(c, RS_LAST_RESTART) ? 0 : -EIO;
}

long proto_rs_inject(void *ctx, seL4_Word badge, const char *component, uint64_t kind,
                     uint64_t delay_us, uint64_t seed, uint64_t *target, uint64_t *address,
                     uint64_t *bit, uint64_t *pc, uint64_t *in_syscall)
{
    (void)ctx;
    (void)badge;
    long error;
    rs_component_t *c = restartable(component, &error);
    if (c == NULL) {
        return error;
    }
    if (delay_us != 0) {
        return rs_inject_later(c, kind, delay_us, seed);
    }
    rs_injected_t done;
    long r = rs_inject(c, kind, seed, &done);
    *target = done.target;
    *address = done.address;
    *bit = done.bit;
    *pc = done.pc;
    *in_syscall = done.in_syscall;
    return r;
}

long proto_rs_flip(void *ctx, seL4_Word badge, const char *component, uint64_t address,
                   uint64_t bit)
{
    (void)ctx;
    (void)badge;
    long error;
    rs_component_t *c = restartable(component, &error);
    return c == NULL ? error : rs_flip_at(c, address, (unsigned)bit);
}

long proto_rs_meminfo(void *ctx, seL4_Word badge, uint64_t *total, uint64_t *free, uint64_t *slots,
                      uint64_t *free_slots)
{
    (void)ctx;
    (void)badge;
    rs_mem_t m = rs_mem_usage();
    *total = m.total;
    *free = m.free;
    *slots = m.slots;
    *free_slots = m.free_slots;
    return 0;
}

bool rs_answer(seL4_Word badge, seL4_MessageInfo_t info, seL4_MessageInfo_t *reply)
{
    keel_proto_request_t req = { .ctx = NULL, .badge = badge };
    return proto_rs_dispatch(&req, info, reply);
}
