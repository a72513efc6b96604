/* The CSpace, derivation-tree and Untyped code of the kernel, compiled for
 * the host and driven by seeded random Call sequences against the reference
 * model (cspace_model.c). After every operation the kernel and the model must
 * agree on the reply (error code and words, or the cap fault), on every slot
 * of every live CNode and TCB, on the derivation tree (order of the cap list
 * and every cap's descendants), on which caps are originals and on untyped
 * free indices; and the host invariant checker (host_env.c) must pass.
 * Long operations (Delete, Revoke, reset of an untyped during Retype) are
 * preempted at random and restarted until they finish, as ABI 1.6 says.
 *
 * Runs: RUNS sequences of OPS operations, each from a fresh boot state with a
 * seed derived from harness_seed(); `seed=N` changes them all. Environment:
 * CSPACE_MODEL_RUNS, CSPACE_MODEL_OPS override the sizes;
 * CSPACE_MODEL_TRACE=R prints every operation of run R;
 * CSPACE_MODEL_REPORT=N reports up to N failed runs (default 3);
 * CSPACE_MODEL_NO_UNTYPED_COPY=1 never copies untypeds (see below). */
#include "harness.h"

#include "cspace_model.h"
#include "host_arch.h"
#include "host_env.h"
#include "kernel_stubs.h"

#include <capability.h>
#include <invariants.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT_RADIX 6
#define MEMORY_BITS 19
#define DEVICE_BITS 31
#define DEFAULT_RUNS 200
#define DEFAULT_OPS 500
#define MAX_RUNS_PER_CALL 1000000u
#define KERNEL_CHECK_EVERY 64
#define MAX_REPORTED_RUNS 3

/* Labels and object types (ABI 5.2, 4.1). */
enum {
    UNTYPED_RETYPE = 1,
    CNODE_REVOKE = 17,
    CNODE_DELETE,
    CNODE_CANCEL_BADGED_SENDS,
    CNODE_COPY,
    CNODE_MINT,
    CNODE_MOVE,
    CNODE_MUTATE,
    CNODE_ROTATE,
    CNODE_SAVE_CALLER,
    PAGE_GET_ADDRESS = 46,
};
enum {
    OBJ_UNTYPED,
    OBJ_TCB,
    OBJ_ENDPOINT,
    OBJ_NOTIFICATION,
    OBJ_CNODE,
    OBJ_HUGE_PAGE,
    OBJ_VSPACE,
    OBJ_SMALL_PAGE,
    OBJ_LARGE_PAGE,
    OBJ_PAGE_TABLE,
};

static host_env_t env;
static bool env_created;
/* CSPACE_MODEL_NO_UNTYPED_COPY=1: never Copy or Mint an untyped cap (to look
 * past a known disagreement about copied untypeds). */
static bool no_untyped_copies;

typedef struct stats {
    unsigned long ops, replies_ok, faults, skipped, preempted_calls, restarts;
    unsigned long errors[16];
    unsigned long by_label[64];
    unsigned max_caps;
    unsigned long zombies, parked, destroyed, partial_revokes, reparented;
} stats_t;

typedef struct world {
    model_t model;
    m_container_t *root_cnode;
    harness_rng_t rng;
    harness_rng_t preempt_rng;
    unsigned run, op;
    bool trace;
    char op_text[1024];
    char failure[2048];
    stats_t *stats;
} world_t;

/* --- small helpers -------------------------------------------------------- */

static uint64_t rnd(world_t *w, uint64_t bound)
{
    return harness_rng_below(&w->rng, bound);
}

static bool chance(world_t *w, unsigned percent)
{
    return rnd(w, 100) < percent;
}

static uint64_t rnd64(world_t *w)
{
    return harness_rng_next(&w->rng);
}

static uint64_t shl(uint64_t v, unsigned s)
{
    return s >= 64 ? 0 : v << s;
}

static uint64_t low_mask(unsigned n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static void failf(world_t *w, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void failf(world_t *w, const char *format, ...)
{
    if (w->failure[0] != '\0') {
        return;
    }
    va_list args;
    va_start(args, format);
    vsnprintf(w->failure, sizeof(w->failure), format, args);
    va_end(args);
}

/* --- the world: kernel and model from the same boot state --------------------- */

static m_cap_t model_cnode_cap(m_container_t *c, unsigned radix, unsigned guard_size,
                               uint64_t guard)
{
    return (m_cap_t){ .type = M_CNODE,
                      .addr = c->addr,
                      .bits = radix,
                      .guard_size = guard_size,
                      .guard = guard,
                      .object = c };
}

/* `exact`: the root CNode's guard makes cptrs plain slot numbers (as for a
 * root task); else chosen at random. */
static void world_reset(world_t *w, uint64_t seed, bool exact)
{
    w->rng.state = seed;
    w->preempt_rng.state = seed ^ 0x5bd1e995u;
    /* The root CNode's guard: exact (cptrs are slot numbers, as for a root
     * task), or shorter, so that 64-bit lookups continue into CNodes. */
    unsigned k = exact ? 0 : (unsigned)rnd(w, 100);
    unsigned guard_size = k < 90 ? 64 - ROOT_RADIX : k < 95 ? 64 - 2 * ROOT_RADIX : 0;
    uint64_t guard = 0;
    /* The copy in root slot 1 takes whatever bits a 64-bit lookup has left. */
    unsigned copy_guard_size = 64 - ROOT_RADIX - guard_size > ROOT_RADIX
                                   ? 64 - 2 * ROOT_RADIX - guard_size
                               : guard_size == 64 - ROOT_RADIX ? guard_size
                                                               : 0;

    if (!env_created) {
        host_env_create(&env, ROOT_RADIX, MEMORY_BITS, DEVICE_BITS);
        host_env_add_untyped(&env, 2, 0, 18, false);               /* 256 KiB */
        host_env_add_untyped(&env, 3, (size_t)1 << 18, 12, false); /* 4 KiB */
        host_env_add_untyped(&env, 4, 0, DEVICE_BITS, true);       /* 2 GiB of device memory */
        host_env_add_untyped(&env, 5, (size_t)3 << 17, 14, false); /* 16 KiB */
        env_created = true;
    }
    host_env_reset(&env, guard_size, guard, copy_guard_size);
    host_env_set_buffer(&env, HOST_BUFFER_READ_WRITE, 0);

    model_t *m = &w->model;
    model_init(m);
    m->thread = model_add_container(m, true, ptr_to_paddr(env.thread), M_TCB_SLOTS);
    w->root_cnode = model_add_container(m, false, ptr_to_paddr(env.root), 1u << ROOT_RADIX);
    /* Same order as host_env_reset: CSpace root, IPC frame, untypeds, copy. */
    model_insert_root(m, &m->thread->slots[M_TCB_CSPACE],
                      model_cnode_cap(w->root_cnode, ROOT_RADIX, guard_size, guard));
    model_insert_root(m, &m->thread->slots[M_TCB_IPC_BUFFER],
                      (m_cap_t){ .type = M_FRAME,
                                 .addr = ptr_to_paddr(env.ipc_frame),
                                 .bits = 12,
                                 .rights = M_VM_READ_WRITE });
    for (unsigned i = 0; i < env.untyped_count; i++) {
        const host_untyped_t *u = &env.untyped[i];
        model_insert_root(m, &w->root_cnode->slots[u->slot],
                          (m_cap_t){ .type = M_UNTYPED,
                                     .addr = u->base,
                                     .bits = u->size_bits,
                                     .device = u->device,
                                     .free_index = 1ull << u->size_bits });
    }
    model_insert_copy(m, &m->thread->slots[M_TCB_CSPACE], &w->root_cnode->slots[1],
                      model_cnode_cap(w->root_cnode, ROOT_RADIX, copy_guard_size, 0));
    w->failure[0] = '\0';
}

static const m_cap_t *thread_root(world_t *w)
{
    m_slot_t *s = &w->model.thread->slots[M_TCB_CSPACE];
    static const m_cap_t none = { .type = M_NULL };
    return s->node ? &s->node->cap : &none;
}

/* --- comparing kernel and model --------------------------------------------- */

static cte_t *kernel_slot(const m_slot_t *s)
{
    const m_container_t *c = s->owner;
    if (c->is_tcb) {
        return &((tcb_t *)paddr_to_ptr(c->addr))->slots[s->index];
    }
    return (cte_t *)paddr_to_ptr(c->addr) + s->index;
}

static const char *type_name(enum m_type t)
{
    static const char *const names[] = { "null",  "untyped", "tcb",     "endpoint", "notification",
                                         "cnode", "frame",   "pagetbl", "vspace",   "zombie" };
    return names[t];
}

static word_t kernel_type(enum m_type t)
{
    static const word_t types[] = {
        [M_NULL] = cap_null,         [M_UNTYPED] = cap_untyped,           [M_TCB] = cap_tcb,
        [M_ENDPOINT] = cap_endpoint, [M_NOTIFICATION] = cap_notification, [M_CNODE] = cap_cnode,
        [M_ZOMBIE] = cap_zombie,
    };
    return t == M_FRAME || t == M_PAGE_TABLE || t == M_VSPACE ? host_arch_cap_type(t) : types[t];
}

static void describe_kernel_cap(cap_t k, char *out, size_t n)
{
    snprintf(out, n, "type %lu addr 0x%lx w0 0x%016lx w1 0x%016lx", (unsigned long)cap_type(k),
             (unsigned long)cap_paddr(k), (unsigned long)k.w[0], (unsigned long)k.w[1]);
}

static void describe_model_cap(const m_cap_t *c, char *out, size_t n)
{
    switch (c->type) {
    case M_NULL:
        snprintf(out, n, "null");
        break;
    case M_UNTYPED:
        snprintf(out, n, "untyped 0x%lx 2^%u%s free 0x%lx", (unsigned long)c->addr, c->bits,
                 c->device ? " device" : "", (unsigned long)c->free_index);
        break;
    case M_ENDPOINT:
    case M_NOTIFICATION:
        snprintf(out, n, "%s 0x%lx rights 0x%x badge 0x%lx", type_name(c->type),
                 (unsigned long)c->addr, c->rights, (unsigned long)c->badge);
        break;
    case M_CNODE:
        snprintf(out, n, "cnode 0x%lx radix %u guard %lu/%u", (unsigned long)c->addr, c->bits,
                 (unsigned long)c->guard, c->guard_size);
        break;
    case M_FRAME:
        snprintf(out, n, "frame 0x%lx 2^%u rights %u%s", (unsigned long)c->addr, c->bits, c->rights,
                 c->device ? " device" : "");
        break;
    case M_ZOMBIE:
        snprintf(out, n, "zombie of %s 0x%lx (radix %u) count %lu", c->zombie_tcb ? "tcb" : "cnode",
                 (unsigned long)c->addr, c->bits, (unsigned long)c->zombie_count);
        break;
    default:
        snprintf(out, n, "%s 0x%lx", type_name(c->type), (unsigned long)c->addr);
        break;
    }
}

/* Does the kernel cap say what the model cap says? */
static bool cap_matches(const m_cap_t *c, cap_t k)
{
    if (cap_type(k) != kernel_type(c->type)) {
        return false;
    }
    if (c->type == M_NULL) {
        return true;
    }
    if (cap_paddr(k) != c->addr) {
        return false;
    }
    switch (c->type) {
    case M_UNTYPED:
        return cap_untyped_size_bits(k) == c->bits && cap_untyped_is_device(k) == c->device &&
               cap_untyped_free_index(k) == c->free_index;
    case M_ENDPOINT:
    case M_NOTIFICATION:
        return cap_rights(k) == c->rights && cap_badge(k) == c->badge;
    case M_CNODE:
        return cap_cnode_radix(k) == c->bits && cap_cnode_guard_size(k) == c->guard_size &&
               (cap_cnode_guard(k) & low_mask(c->guard_size)) == c->guard;
    case M_FRAME:
    case M_PAGE_TABLE:
    case M_VSPACE:
        return host_arch_cap_matches(c, k);
    case M_ZOMBIE:
        return cap_zombie_is_tcb(k) == c->zombie_tcb &&
               (c->zombie_tcb || cap_zombie_radix(k) == c->bits) &&
               cap_zombie_count(k) == c->zombie_count;
    default:
        return true;
    }
}

typedef struct slot_pair {
    const cte_t *kernel;
    m_node_t *node;
} slot_pair_t;

static int compare_pairs(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const slot_pair_t *)a)->kernel;
    uintptr_t y = (uintptr_t)((const slot_pair_t *)b)->kernel;
    return x < y ? -1 : x > y;
}

static m_node_t *find_node(const slot_pair_t *pairs, size_t n, const cte_t *k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pairs[mid].kernel == k) {
            return pairs[mid].node;
        }
        if ((uintptr_t)pairs[mid].kernel < (uintptr_t)k) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

static void preorder(m_node_t *n, m_node_t **out, size_t *count, size_t max)
{
    for (m_node_t *c = n->first_child; c != NULL; c = c->next) {
        if (*count < max) {
            out[(*count)++] = c;
        }
        preorder(c, out, count, max);
    }
}

static void slot_name(const m_slot_t *s, char *out, size_t n)
{
    snprintf(out, n, "%s 0x%lx[%u]", s->owner->is_tcb ? "tcb" : "cnode",
             (unsigned long)s->owner->addr, s->index);
}

/* Every slot of every live container; then the cap list against the tree. */
static bool compare_state(world_t *w)
{
    model_t *m = &w->model;
    size_t npairs = 0, capacity = m->node_count + 1;
    slot_pair_t *pairs = malloc(capacity * sizeof(*pairs));
    bool ok = true;
    char a[160], b[160], where[64];
    for (unsigned i = 0; ok && i < m->container_count; i++) {
        m_container_t *c = m->containers[i];
        for (unsigned k = 0; ok && k < c->nslots; k++) {
            m_slot_t *s = &c->slots[k];
            cte_t *ks = kernel_slot(s);
            static const m_cap_t none = { .type = M_NULL };
            const m_cap_t *mc = s->node ? &s->node->cap : &none;
            if (!cap_matches(mc, ks->cap)) {
                describe_model_cap(mc, a, sizeof(a));
                describe_kernel_cap(ks->cap, b, sizeof(b));
                slot_name(s, where, sizeof(where));
                failf(w, "slot %s: model has %s; kernel has %s", where, a, b);
                ok = false;
            }
            if (s->node != NULL) {
                if (npairs == capacity) {
                    failf(w, "model: more caps in slots than nodes");
                    ok = false;
                    break;
                }
                pairs[npairs++] = (slot_pair_t){ ks, s->node };
            }
        }
    }
    if (ok && npairs != m->node_count) {
        failf(w, "model: %zu caps in live slots but %u nodes", npairs, m->node_count);
        ok = false;
    }
    if (!ok) {
        free(pairs);
        return false;
    }
    qsort(pairs, npairs, sizeof(*pairs), compare_pairs);

    /* The kernel's list, mapped to model nodes. */
    const cte_t **list = malloc((npairs + 1) * sizeof(*list));
    size_t n = 0;
    for (const cte_t *k = mdb_next(&ks_cdt_head); k != NULL; k = mdb_next(k)) {
        if (n == npairs || find_node(pairs, npairs, k) == NULL) {
            describe_kernel_cap(k->cap, b, sizeof(b));
            failf(w, "cap list: slot %p (%s) is not a cap of the model", (const void *)k, b);
            ok = false;
            break;
        }
        list[n++] = k;
    }
    if (ok && n != npairs) {
        failf(w, "cap list has %zu caps, the model %zu", n, npairs);
        ok = false;
    }
    m_node_t **order = malloc((npairs + 1) * sizeof(*order));
    size_t norder = 0;
    if (ok) {
        preorder(&m->sentinel, order, &norder, npairs);
        for (size_t i = 0; ok && i < n; i++) {
            m_node_t *node = find_node(pairs, npairs, list[i]);
            if (node != order[i]) {
                slot_name(order[i]->slot, where, sizeof(where));
                describe_model_cap(&order[i]->cap, a, sizeof(a));
                describe_kernel_cap(list[i]->cap, b, sizeof(b));
                failf(w,
                      "cap list order differs at position %zu: model (pre-order) has %s "
                      "(%s), kernel has %s (slot %p)",
                      i, a, where, b, (const void *)list[i]);
                ok = false;
            }
        }
    }
    /* With the same order, equal descendant counts mean the same tree. */
    for (size_t i = 0; ok && i < n; i++) {
        m_node_t *node = order[i];
        size_t run = 0;
        while (i + 1 + run < n && cdt_is_parent_of(list[i], list[i + 1 + run])) {
            run++;
        }
        unsigned expected = model_descendant_count(node);
        if (run != expected) {
            slot_name(node->slot, where, sizeof(where));
            describe_model_cap(&node->cap, a, sizeof(a));
            failf(w,
                  "derivation: cap %s in %s has %u descendants in the model, %zu in the "
                  "kernel",
                  a, where, expected, run);
            ok = false;
        }
        if (ok && mdb_revocable(list[i]) != node->original) {
            slot_name(node->slot, where, sizeof(where));
            describe_model_cap(&node->cap, a, sizeof(a));
            failf(w, "cap %s in %s: model says %s, kernel says %s", a, where,
                  node->original ? "original" : "not original",
                  mdb_revocable(list[i]) ? "revocable" : "not revocable");
            ok = false;
        }
    }
    if (npairs > w->stats->max_caps) {
        w->stats->max_caps = (unsigned)npairs;
    }
    free(order);
    free(list);
    free(pairs);
    return ok;
}

/* --- one operation -------------------------------------------------------------- */

typedef struct op {
    m_call_t call;
    enum host_buffer_mode buffer;
    word_t buffer_offset;
} op_t;

static const char *label_name(uint64_t label)
{
    static const char *const names[] = {
        [1] = "Untyped_Retype",   [17] = "CNode_Revoke",
        [18] = "CNode_Delete",    [19] = "CNode_CancelBadgedSends",
        [20] = "CNode_Copy",      [21] = "CNode_Mint",
        [22] = "CNode_Move",      [23] = "CNode_Mutate",
        [24] = "CNode_Rotate",    [25] = "CNode_SaveCaller",
        [46] = "Page_GetAddress",
    };
    return label < sizeof(names) / sizeof(names[0]) && names[label] ? names[label] : "label";
}

static void describe_op(const op_t *o, char *out, size_t n)
{
    const m_call_t *c = &o->call;
    int at = snprintf(out, n, "%s(%lu) x0=0x%lx length=%lu extraCaps=%lu buffer=%d+%lu MR0..7=[",
                      label_name(c->label), (unsigned long)c->label, (unsigned long)c->cptr,
                      (unsigned long)c->length, (unsigned long)c->extra_count, (int)o->buffer,
                      (unsigned long)o->buffer_offset);
    for (unsigned i = 0; i < 8 && at > 0 && (size_t)at < n; i++) {
        at += snprintf(out + at, n - (size_t)at, "%s0x%lx", i ? " " : "", (unsigned long)c->mr[i]);
    }
    if (at > 0 && (size_t)at < n) {
        snprintf(out + at, n - (size_t)at, "] caps=[0x%lx 0x%lx 0x%lx]", (unsigned long)c->extra[0],
                 (unsigned long)c->extra[1], (unsigned long)c->extra[2]);
    }
}

static void kernel_lookup_words(const lookup_fault_t *f, uint64_t out[4], unsigned *n)
{
    out[0] = f->type;
    switch (f->type) {
    case 2:
        out[1] = f->bits_left;
        *n = 2;
        break;
    case 3:
        out[1] = f->bits_left;
        out[2] = f->bits_found;
        *n = 3;
        break;
    case 4:
        out[1] = f->bits_left;
        out[2] = f->guard_found;
        out[3] = f->bits_found;
        *n = 4;
        break;
    default:
        *n = 1;
        break;
    }
}

static void describe_reply(const m_reply_t *r, char *out, size_t n)
{
    if (r->outcome == M_CAP_FAULT) {
        int at = snprintf(out, n, "cap fault on cptr 0x%lx, lookup failure [",
                          (unsigned long)r->fault_cptr);
        for (unsigned i = 0; i < r->fault_words && at > 0 && (size_t)at < n; i++) {
            at += snprintf(out + at, n - (size_t)at, "%s%lu", i ? " " : "",
                           (unsigned long)r->fault_lookup[i]);
        }
        if (at > 0 && (size_t)at < n) {
            snprintf(out + at, n - (size_t)at, "]");
        }
        return;
    }
    int at = snprintf(out, n, "reply label %lu length %u [", (unsigned long)r->label, r->length);
    for (unsigned i = 0; i < r->length && i < 8 && at > 0 && (size_t)at < n; i++) {
        at += snprintf(out + at, n - (size_t)at, "%s0x%lx", i ? " " : "", (unsigned long)r->mr[i]);
    }
    if (at > 0 && (size_t)at < n) {
        snprintf(out + at, n - (size_t)at, "]");
    }
}

/* The kernel's answer, in the model's terms. */
static m_reply_t from_kernel(const host_reply_t *h)
{
    m_reply_t r = { .outcome = M_REPLY };
    if (h->fault) {
        r.outcome = M_CAP_FAULT;
        r.fault_cptr = h->fault_cptr;
        kernel_lookup_words(&h->fault_lookup, r.fault_lookup, &r.fault_words);
        return r;
    }
    r.label = h->label;
    r.length = (unsigned)h->length;
    for (unsigned i = 0; i < 8; i++) {
        r.mr[i] = i < h->length ? h->mr[i] : 0;
    }
    return r;
}

static bool replies_equal(const m_reply_t *a, const m_reply_t *b)
{
    if (a->outcome != b->outcome) {
        return false;
    }
    if (a->outcome == M_CAP_FAULT) {
        return a->fault_cptr == b->fault_cptr && a->fault_words == b->fault_words &&
               memcmp(a->fault_lookup, b->fault_lookup, a->fault_words * sizeof(uint64_t)) == 0;
    }
    if (a->label != b->label || a->length != b->length) {
        return false;
    }
    for (unsigned i = 0; i < a->length && i < 8; i++) {
        if (a->mr[i] != b->mr[i]) {
            return false;
        }
    }
    return true;
}

/* The model's IPC-buffer frame cap follows the kernel's (ABI 3.2). */
static void set_buffer(world_t *w, enum host_buffer_mode mode, word_t offset)
{
    host_env_set_buffer(&env, mode, offset);
    m_cap_t *f = &w->model.thread->slots[M_TCB_IPC_BUFFER].node->cap;
    static const unsigned rights[] = {
        [HOST_BUFFER_READ_WRITE] = M_VM_READ_WRITE,
        [HOST_BUFFER_READ_ONLY] = M_VM_READ_ONLY,
        [HOST_BUFFER_KERNEL_ONLY] = M_VM_KERNEL_ONLY,
        [HOST_BUFFER_DEVICE] = M_VM_READ_WRITE,
    };
    f->rights = rights[mode];
    f->device = mode == HOST_BUFFER_DEVICE;
}

/* Run one operation on both sides and compare everything. Returns false on a
 * disagreement (w->failure says what), or if the model does not cover it
 * (*skipped set). */
static unsigned preempt_percent = 50;

/* arch_irq_is_pending(), for the stubs: at random, from the world's own generator
 * (so preemption does not disturb the operation generator's sequence). */
static bool interrupt_pending(void *ctx)
{
    world_t *w = ctx;
    return harness_rng_below(&w->preempt_rng, 100) < preempt_percent;
}

static bool run_op(world_t *w, op_t *o, bool *skipped)
{
    *skipped = false;
    set_buffer(w, o->buffer, o->buffer_offset);
    describe_op(o, w->op_text, sizeof(w->op_text));
    m_reply_t expected = model_call(&w->model, &o->call);
    if (expected.outcome == M_UNMODELLED) {
        *skipped = true;
        return true;
    }
    if (w->trace) {
        char e[256];
        describe_reply(&expected, e, sizeof(e));
        printf("# run %u op %u: %s\n#   -> %s%s\n", w->run, w->op, w->op_text, e,
               expected.restartable ? "" : " (not preemptible)");
    }
    host_call_t call;
    call.cptr = o->call.cptr;
    call.label = o->call.label;
    call.length = o->call.length;
    call.extra_count = o->call.extra_count;
    memcpy(call.mr, o->call.mr, sizeof(call.mr));
    memcpy(call.extra, o->call.extra, sizeof(call.extra));
    stub_set_preemption(expected.restartable ? interrupt_pending : NULL, w);
    stub_take_preemptions();
    host_reply_t kr;
    host_env_call(&env, &call, &kr, MAX_RUNS_PER_CALL);
    stub_set_preemption(NULL, 0);
    unsigned preemptions = stub_take_preemptions();
    w->stats->ops++;
    if (preemptions > 0) {
        w->stats->preempted_calls++;
        w->stats->restarts += kr.runs - 1;
    }
    if (kr.panicked) {
        failf(w, "kernel panic: %s", kr.panic_message);
        return false;
    }
    if (!kr.fault && kr.state == thread_restart) {
        failf(w, "still preempted after %u runs", kr.runs);
        return false;
    }
    m_reply_t got = from_kernel(&kr);
    if (!replies_equal(&expected, &got)) {
        char e[256], g[256];
        describe_reply(&expected, e, sizeof(e));
        describe_reply(&got, g, sizeof(g));
        failf(w, "reply differs: model %s; kernel %s", e, g);
        return false;
    }
    if (!kr.fault && kr.badge != 0) {
        failf(w, "kernel reply with badge 0x%lx (ABI 5.5: 0)", (unsigned long)kr.badge);
        return false;
    }
    if (kr.fault && kr.fault_in_receive_phase) {
        failf(w, "cap fault of a Call marked as in the receive phase");
        return false;
    }
    if (expected.outcome == M_CAP_FAULT) {
        w->stats->faults++;
    } else if (expected.label == 0) {
        w->stats->replies_ok++;
        w->stats->by_label[o->call.label < 64 ? o->call.label : 0]++;
    } else {
        w->stats->errors[expected.label < 16 ? expected.label : 0]++;
    }
    char msg[512];
    if (!host_env_check_invariants(&env, msg, sizeof(msg))) {
        failf(w, "invariant broken: %s", msg);
        return false;
    }
    return compare_state(w);
}

/* --- the generator ----------------------------------------------------------------- */

typedef enum want {
    WANT_ANY,
    WANT_EMPTY,
    WANT_FULL,
    WANT_CNODE,
    WANT_UNTYPED,
    WANT_FRAME,
    WANT_TCB,
    WANT_PAGE_TABLE,
    WANT_VSPACE,
} want_t;

static bool wanted(const m_slot_t *s, want_t want)
{
    if (s == NULL) {
        return false;
    }
    enum m_type t = s->node ? s->node->cap.type : M_NULL;
    switch (want) {
    case WANT_ANY:
        return true;
    case WANT_EMPTY:
        return t == M_NULL;
    case WANT_FULL:
        return t != M_NULL;
    case WANT_CNODE:
        return t == M_CNODE;
    case WANT_UNTYPED:
        return t == M_UNTYPED;
    case WANT_FRAME:
        return t == M_FRAME;
    case WANT_TCB:
        return t == M_TCB;
    case WANT_PAGE_TABLE:
        return t == M_PAGE_TABLE;
    case WANT_VSPACE:
        return t == M_VSPACE;
    }
    return false;
}

/* A slot index of the container, biased towards the wanted kind. */
static unsigned pick_index(world_t *w, const m_container_t *c, want_t want)
{
    if (want != WANT_ANY && chance(w, 75)) {
        unsigned start = (unsigned)rnd(w, c->nslots);
        for (unsigned i = 0; i < c->nslots; i++) {
            unsigned k = (start + i) % c->nslots;
            if (wanted(&c->slots[k], want) ||
                (c->slots[k].node && c->slots[k].node->cap.type == M_CNODE && chance(w, 30))) {
                return k;
            }
        }
    }
    return (unsigned)rnd(w, c->nslots);
}

/* A 64-bit CPtr (ABI 1.7 step 3) from the thread's CSpace root, built by a
 * walk down CNodes, aiming at a slot of the wanted kind. */
static uint64_t gen_cptr(world_t *w, want_t want)
{
    uint64_t best = rnd64(w);
    bool best_resolves = false;
    for (unsigned attempt = 0; attempt < 12; attempt++) {
        const m_cap_t *cap = thread_root(w);
        uint64_t value = 0;
        unsigned bits = 0;
        while (cap->type == M_CNODE) {
            unsigned g = cap->guard_size, r = cap->bits;
            if (bits + g + r > 64) {
                break;
            }
            uint64_t guard = chance(w, 97) ? cap->guard : rnd64(w) & low_mask(g);
            unsigned index = pick_index(w, cap->object, want);
            value = shl(value, g + r) | shl(guard, r) | index;
            bits += g + r;
            const m_slot_t *s = &cap->object->slots[index];
            if (bits == 64 || s->node == NULL || s->node->cap.type != M_CNODE) {
                break;
            }
            cap = &s->node->cap;
        }
        uint64_t cptr = shl(value, 64 - bits) | (rnd64(w) & low_mask(64 - bits));
        if (bits == 0) {
            cptr = rnd64(w);
        }
        m_slot_t *s = model_resolve_slot(thread_root(w), cptr, 64, NULL);
        if (wanted(s, want)) {
            best = cptr;
            break;
        }
        if (!best_resolves) {
            best = cptr;
            best_resolves = s != NULL;
        }
    }
    if (chance(w, 2)) {
        best ^= 1ull << rnd(w, 64);
    }
    return best;
}

/* The cap a CPtr names (for the generator's choices), or NULL. */
static const m_cap_t *cap_at(world_t *w, uint64_t cptr)
{
    m_slot_t *s = model_resolve_slot(thread_root(w), cptr, 64, NULL);
    return s && s->node ? &s->node->cap : NULL;
}

/* The root CNode's copy in slot 1 is how most CNode methods reach the root
 * CNode; deleting or moving it away leaves little to do, so the generator
 * mostly spares it. */
static bool spare(world_t *w, const m_cap_t *root, uint64_t index, uint64_t depth)
{
    if (root == NULL || root->type != M_CNODE || depth < 1 || depth > 64) {
        return false;
    }
    uint64_t left;
    m_slot_t *s = model_resolve_slot(root, index, (unsigned)depth, &left);
    return s == &w->root_cnode->slots[1] && left == 0 && s->node != NULL && chance(w, 97);
}

/* A CNode-style (index, depth) address relative to `root` (ABI 1.7 step 4)
 * aiming at a slot of the wanted kind, sometimes spoiled. */
static void gen_address(world_t *w, const m_cap_t *root, want_t want, uint64_t *index_out,
                        uint64_t *depth_out)
{
    uint64_t index = rnd64(w), depth = 1 + rnd(w, 64);
    for (unsigned attempt = 0; root != NULL && root->type == M_CNODE && attempt < 12; attempt++) {
        const m_cap_t *cap = root;
        uint64_t value = 0;
        unsigned bits = 0;
        const m_slot_t *s = NULL;
        for (;;) {
            unsigned g = cap->guard_size, r = cap->bits;
            if (bits + g + r > 64) {
                s = NULL;
                break;
            }
            uint64_t guard = chance(w, 97) ? cap->guard : rnd64(w) & low_mask(g);
            unsigned i = pick_index(w, cap->object, want);
            value = shl(value, g + r) | shl(guard, r) | i;
            bits += g + r;
            s = &cap->object->slots[i];
            if (bits < 64 && s->node != NULL && s->node->cap.type == M_CNODE &&
                !(wanted(s, want) && chance(w, 60)) && chance(w, 45)) {
                cap = &s->node->cap;
                continue;
            }
            break;
        }
        if (bits == 0) {
            continue;
        }
        index = value | shl(chance(w, 50) ? rnd64(w) : 0, bits);
        depth = bits;
        if (s != NULL && wanted(s, want)) {
            break;
        }
    }
    unsigned spoil = (unsigned)rnd(w, 100);
    if (spoil < 4) {
        depth = depth + rnd(w, 5) - 2;
    } else if (spoil < 6) {
        static const uint64_t depths[] = { 0, 65, 66, 128, ~0ull, 1ull << 32 };
        depth = depths[rnd(w, 6)];
    } else if (spoil < 8) {
        index = rnd64(w);
    } else if (spoil < 10 && depth > 0 && depth <= 64) {
        index ^= 1ull << rnd(w, depth);
    }
    *index_out = index;
    *depth_out = depth;
}

static uint64_t gen_badge(world_t *w)
{
    unsigned k = (unsigned)rnd(w, 100);
    return k < 15 ? 0 : k < 75 ? 1 + rnd(w, 5) : rnd64(w);
}

/* Guard data for a CNode cap (ABI 2.3), mostly small enough to keep the
 * CNode usable. */
static uint64_t gen_guard_data(world_t *w)
{
    unsigned k = (unsigned)rnd(w, 100);
    unsigned size = k < 40 ? 0 : k < 85 ? (unsigned)rnd(w, 5) : (unsigned)rnd(w, 64);
    uint64_t guard = chance(w, 60) ? 0 : rnd64(w);
    return (shl(guard, 6) & ~0x3full) | size;
}

static uint64_t gen_data_for(world_t *w, const m_cap_t *c)
{
    if (c != NULL && c->type == M_CNODE) {
        return gen_guard_data(w);
    }
    if (c != NULL && (c->type == M_ENDPOINT || c->type == M_NOTIFICATION)) {
        return gen_badge(w);
    }
    return chance(w, 50) ? gen_badge(w) : gen_guard_data(w);
}

static uint64_t gen_rights(world_t *w)
{
    unsigned k = (unsigned)rnd(w, 100);
    return k < 40 ? 0xf : k < 90 ? rnd(w, 16) : rnd64(w);
}

/* A "message shape" mistake now and then: short or long length, missing or
 * extra caps. */
static void shape(world_t *w, op_t *o, uint64_t length, uint64_t caps)
{
    o->call.length = length;
    o->call.extra_count = caps;
    if (chance(w, 6)) {
        o->call.length = chance(w, 80) ? rnd(w, length + 2) : rnd(w, 128);
    }
    if (chance(w, 5)) {
        o->call.extra_count = rnd(w, 4);
    }
    unsigned k = (unsigned)rnd(w, 100);
    o->buffer = k < 92   ? HOST_BUFFER_READ_WRITE
                : k < 96 ? HOST_BUFFER_READ_ONLY
                : k < 98 ? HOST_BUFFER_KERNEL_ONLY
                         : HOST_BUFFER_DEVICE;
    o->buffer_offset = 1024 * rnd(w, 4);
}

static const m_cap_t *resolve_dest_cnode(const m_cap_t *root, uint64_t index, uint64_t depth)
{
    if (root == NULL) {
        return NULL;
    }
    if (depth == 0) {
        return root->type == M_CNODE ? root : NULL;
    }
    if (root->type != M_CNODE || depth > 64) {
        return NULL;
    }
    uint64_t left;
    m_slot_t *s = model_resolve_slot(root, index, (unsigned)depth, &left);
    return s && left == 0 && s->node && s->node->cap.type == M_CNODE ? &s->node->cap : NULL;
}

static void gen_retype(world_t *w, op_t *o)
{
    m_call_t *c = &o->call;
    c->label = UNTYPED_RETYPE;
    c->cptr = gen_cptr(w, WANT_UNTYPED);
    static const uint64_t types[] = {
        OBJ_ENDPOINT,     OBJ_ENDPOINT,   OBJ_ENDPOINT,   OBJ_ENDPOINT, OBJ_NOTIFICATION,
        OBJ_NOTIFICATION, OBJ_CNODE,      OBJ_CNODE,      OBJ_CNODE,    OBJ_CNODE,
        OBJ_UNTYPED,      OBJ_UNTYPED,    OBJ_UNTYPED,    OBJ_TCB,      OBJ_TCB,
        OBJ_SMALL_PAGE,   OBJ_SMALL_PAGE, OBJ_PAGE_TABLE, OBJ_VSPACE,   OBJ_LARGE_PAGE,
    };
    uint64_t type = types[rnd(w, sizeof(types) / sizeof(types[0]))];
    if (chance(w, 3)) {
        static const uint64_t bad[] = { 10, 11, 0xfffe, 0xffff, ~0ull };
        type = chance(w, 20) ? OBJ_HUGE_PAGE : bad[rnd(w, 5)];
    }
    if (type >= OBJ_HUGE_PAGE && type <= OBJ_PAGE_TABLE && !host_arch_has_objects) {
        type = OBJ_ENDPOINT; /* the stub port has none of the ABI's VM objects */
    }
    uint64_t size = 0;
    unsigned k = (unsigned)rnd(w, 100);
    if (type == OBJ_CNODE) {
        size = k < 90 ? 1 + rnd(w, 5) : k < 93 ? 0 : k < 96 ? 6 + rnd(w, 3) : 40 + rnd(w, 30);
    } else if (type == OBJ_UNTYPED) {
        size = k < 85   ? 4 + rnd(w, 11)
               : k < 90 ? rnd(w, 4)
               : k < 95 ? 15 + rnd(w, 6)
                        : 44 + rnd(w, 24);
    } else {
        size = k < 90 ? rnd(w, 8) : k < 95 ? 60 + rnd(w, 8) : rnd64(w);
    }
    c->mr[0] = type;
    c->mr[1] = size;
    c->extra[0] = gen_cptr(w, WANT_CNODE);
    const m_cap_t *root = cap_at(w, c->extra[0]);
    if (chance(w, 50)) {
        c->mr[2] = rnd64(w);
        c->mr[3] = 0;
    } else {
        gen_address(w, root, WANT_CNODE, &c->mr[2], &c->mr[3]);
    }
    const m_cap_t *dest = resolve_dest_cnode(root, c->mr[2], c->mr[3]);
    uint64_t offset = rnd(w, 64), num = 1;
    if (dest != NULL) {
        const m_container_t *cn = dest->object;
        offset = pick_index(w, cn, WANT_EMPTY);
        uint64_t run = 0;
        while (offset + run < cn->nslots && cn->slots[offset + run].node == NULL) {
            run++;
        }
        unsigned j = (unsigned)rnd(w, 100);
        num = j < 55          ? 1
              : j < 80        ? 1 + rnd(w, run > 0 ? run : 1)
              : j < 85        ? run
              : j < 92        ? 2 + rnd(w, 3)
              : j < 96        ? 0
              : chance(w, 50) ? 257
                              : rnd64(w);
        if (chance(w, 4)) {
            offset = chance(w, 50) ? cn->nslots : rnd64(w);
        }
    }
    c->mr[4] = offset;
    c->mr[5] = num;
    shape(w, o, 6, 1);
}

static void gen_copy_family(world_t *w, op_t *o, uint64_t label)
{
    m_call_t *c = &o->call;
    c->label = label;
    c->cptr = gen_cptr(w, WANT_CNODE);
    const m_cap_t *cnode = cap_at(w, c->cptr);
    gen_address(w, cnode, chance(w, 88) ? WANT_EMPTY : WANT_ANY, &c->mr[0], &c->mr[1]);
    if (chance(w, 30)) {
        c->extra[0] = c->cptr;
    } else {
        c->extra[0] = gen_cptr(w, WANT_CNODE);
    }
    const m_cap_t *src_root = cap_at(w, c->extra[0]);
    want_t want = chance(w, 92) ? WANT_FULL : WANT_ANY;
    if (label == CNODE_COPY || label == CNODE_MINT) {
        /* Copying untypeds, frames and CNodes is where the rules are. */
        unsigned k = (unsigned)rnd(w, 100);
        want = k < 15 ? WANT_UNTYPED : k < 25 ? WANT_CNODE : want;
    }
    uint64_t left;
    m_slot_t *src = NULL;
    for (unsigned tries = 0; tries < 8; tries++) {
        gen_address(w, src_root, want, &c->mr[2], &c->mr[3]);
        if ((label == CNODE_MOVE || label == CNODE_MUTATE) &&
            spare(w, src_root, c->mr[2], c->mr[3])) {
            continue;
        }
        src = src_root && src_root->type == M_CNODE && c->mr[3] >= 1 && c->mr[3] <= 64
                  ? model_resolve_slot(src_root, c->mr[2], (unsigned)c->mr[3], &left)
                  : NULL;
        if (!no_untyped_copies || (label != CNODE_COPY && label != CNODE_MINT) || src == NULL ||
            src->node == NULL || src->node->cap.type != M_UNTYPED) {
            break;
        }
        want = WANT_FULL;
        if (tries == 7) {
            c->mr[3] = 0; /* give up: a RangeError */
        }
    }
    const m_cap_t *src_cap = src && src->node ? &src->node->cap : NULL;
    switch (label) {
    case CNODE_COPY:
        c->mr[4] = gen_rights(w);
        shape(w, o, 5, 1);
        break;
    case CNODE_MINT:
        c->mr[4] = gen_rights(w);
        c->mr[5] = gen_data_for(w, src_cap);
        shape(w, o, 6, 1);
        break;
    case CNODE_MUTATE:
        c->mr[4] = gen_data_for(w, src_cap);
        shape(w, o, 5, 1);
        break;
    default:
        shape(w, o, 4, 1);
        break;
    }
}

static void gen_rotate(world_t *w, op_t *o)
{
    m_call_t *c = &o->call;
    c->label = CNODE_ROTATE;
    c->cptr = gen_cptr(w, WANT_CNODE);
    const m_cap_t *cnode = cap_at(w, c->cptr);
    c->extra[0] = chance(w, 40) ? c->cptr : gen_cptr(w, WANT_CNODE); /* pivot root */
    c->extra[1] = chance(w, 40) ? c->cptr : gen_cptr(w, WANT_CNODE); /* source root */
    const m_cap_t *pivot_root = cap_at(w, c->extra[0]);
    const m_cap_t *src_root = cap_at(w, c->extra[1]);
    for (unsigned tries = 0; tries < 4; tries++) {
        gen_address(w, src_root, chance(w, 90) ? WANT_FULL : WANT_ANY, &c->mr[6], &c->mr[7]);
        if (!spare(w, src_root, c->mr[6], c->mr[7])) {
            break;
        }
    }
    unsigned k = (unsigned)rnd(w, 100);
    if (k < 25 && c->extra[1] == c->cptr) {
        c->mr[0] = c->mr[6]; /* dest = source: a swap */
        c->mr[1] = c->mr[7];
    } else {
        gen_address(w, cnode, chance(w, 85) ? WANT_EMPTY : WANT_ANY, &c->mr[0], &c->mr[1]);
    }
    if (chance(w, 5) && c->extra[0] == c->extra[1]) {
        c->mr[3] = c->mr[6]; /* pivot = source */
        c->mr[4] = c->mr[7];
    } else {
        for (unsigned tries = 0; tries < 4; tries++) {
            gen_address(w, pivot_root, chance(w, 90) ? WANT_FULL : WANT_ANY, &c->mr[3], &c->mr[4]);
            if (!spare(w, pivot_root, c->mr[3], c->mr[4])) {
                break;
            }
        }
    }
    uint64_t left;
    m_slot_t *pivot = pivot_root && pivot_root->type == M_CNODE && c->mr[4] >= 1 && c->mr[4] <= 64
                          ? model_resolve_slot(pivot_root, c->mr[3], (unsigned)c->mr[4], &left)
                          : NULL;
    m_slot_t *src = src_root && src_root->type == M_CNODE && c->mr[7] >= 1 && c->mr[7] <= 64
                        ? model_resolve_slot(src_root, c->mr[6], (unsigned)c->mr[7], &left)
                        : NULL;
    c->mr[2] = gen_data_for(w, pivot && pivot->node ? &pivot->node->cap : NULL);
    c->mr[5] = gen_data_for(w, src && src->node ? &src->node->cap : NULL);
    if (chance(w, 30)) {
        c->mr[2] = 0;
        c->mr[5] = 0;
    }
    shape(w, o, 8, 2);
}

static void gen_target_op(world_t *w, op_t *o, uint64_t label, want_t want)
{
    m_call_t *c = &o->call;
    c->label = label;
    c->cptr = gen_cptr(w, WANT_CNODE);
    const m_cap_t *cnode = cap_at(w, c->cptr);
    for (unsigned tries = 0; tries < 4; tries++) {
        gen_address(w, cnode, want, &c->mr[0], &c->mr[1]);
        if (label != CNODE_DELETE || !spare(w, cnode, c->mr[0], c->mr[1])) {
            break;
        }
    }
    shape(w, o, 2, 0);
}

static void gen_other(world_t *w, op_t *o)
{
    m_call_t *c = &o->call;
    unsigned k = (unsigned)rnd(w, 100);
    if (k < 20) {
        c->cptr = gen_cptr(w, WANT_FRAME);
        c->label = chance(w, 70) ? PAGE_GET_ADDRESS : rnd(w, 40);
    } else if (k < 35) {
        c->cptr = gen_cptr(w, WANT_UNTYPED);
        c->label = chance(w, 50) ? 0 : 2 + rnd(w, 60);
    } else if (k < 50) {
        c->cptr = gen_cptr(w, WANT_CNODE);
        c->label = chance(w, 50) ? rnd(w, 17) : 26 + rnd(w, 40);
    } else if (k < 60) {
        c->cptr = gen_cptr(w, WANT_TCB);
        c->label = chance(w, 50) ? 1 : 17 + rnd(w, 40);
    } else if (k < 70) {
        c->cptr = gen_cptr(w, WANT_PAGE_TABLE);
        c->label = rnd(w, 38);
    } else if (k < 80) {
        c->cptr = gen_cptr(w, WANT_VSPACE);
        c->label = chance(w, 50) ? rnd(w, 33) : 37 + rnd(w, 20);
    } else if (k < 90) {
        c->cptr = gen_cptr(w, WANT_EMPTY);
        c->label = rnd(w, 60);
    } else {
        c->cptr = chance(w, 50) ? rnd64(w) : rnd(w, 128);
        c->label = chance(w, 90) ? rnd(w, 60) : rnd64(w) & low_mask(52);
    }
    for (unsigned i = 0; i < 3; i++) {
        c->extra[i] = gen_cptr(w, WANT_ANY);
    }
    shape(w, o, rnd(w, 9), rnd(w, 4));
}

static void gen_op(world_t *w, op_t *o)
{
    memset(o, 0, sizeof(*o));
    /* Whatever the kernel may not read: junk. */
    for (unsigned i = 0; i < 120; i++) {
        o->call.mr[i] = rnd64(w);
    }
    for (unsigned i = 0; i < 3; i++) {
        o->call.extra[i] = rnd64(w);
    }
    unsigned k = (unsigned)rnd(w, 100);
    if (k < 24) {
        gen_retype(w, o);
    } else if (k < 36) {
        gen_copy_family(w, o, CNODE_COPY);
    } else if (k < 48) {
        gen_copy_family(w, o, CNODE_MINT);
    } else if (k < 55) {
        gen_copy_family(w, o, CNODE_MOVE);
    } else if (k < 62) {
        gen_copy_family(w, o, CNODE_MUTATE);
    } else if (k < 69) {
        gen_rotate(w, o);
    } else if (k < 81) {
        gen_target_op(w, o, CNODE_DELETE, chance(w, 90) ? WANT_FULL : WANT_ANY);
    } else if (k < 88) {
        gen_target_op(w, o, CNODE_REVOKE, chance(w, 90) ? WANT_FULL : WANT_ANY);
    } else if (k < 90) {
        gen_target_op(w, o, CNODE_CANCEL_BADGED_SENDS, WANT_FULL);
    } else if (k < 91) {
        gen_target_op(w, o, CNODE_SAVE_CALLER, WANT_ANY);
    } else {
        gen_other(w, o);
    }
}

/* --- the random test ------------------------------------------------------------ */

static unsigned env_number(const char *name, unsigned fallback)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? (unsigned)strtoul(v, NULL, 0) : fallback;
}

static uint64_t run_seed(uint64_t base, unsigned run)
{
    harness_rng_t r = { base ^ (0x9e3779b97f4a7c15ull * (run + 1)) };
    return harness_rng_next(&r);
}

/* One sequence; false (with w->failure) at the first disagreement. */
static bool run_sequence(world_t *w, uint64_t seed, unsigned ops)
{
    world_reset(w, seed, false);
    char msg[512];
    if (!host_env_check_invariants(&env, msg, sizeof(msg))) {
        failf(w, "invariant broken at boot: %s", msg);
        return false;
    }
    if (!compare_state(w)) {
        return false;
    }
    for (w->op = 0; w->op < ops; w->op++) {
        op_t o;
        bool skipped = true;
        for (unsigned tries = 0; skipped && tries < 20; tries++) {
            gen_op(w, &o);
            if (!run_op(w, &o, &skipped)) {
                return false;
            }
            if (skipped) {
                w->stats->skipped++;
            }
        }
        if ((w->op + 1) % KERNEL_CHECK_EVERY == 0 || w->op + 1 == ops) {
            /* The kernel's own checker (DebugSnapshot's) must agree. */
            jmp_buf jump;
            stub_panic_jump = &jump;
            if (setjmp(jump) != 0) {
                stub_panic_jump = NULL;
                failf(w, "kernel invariants_check() panicked: %s", stub_panic_message);
                return false;
            }
            invariants_check();
            stub_panic_jump = NULL;
        }
    }
    return true;
}

TEST(random_operations_agree_with_the_model)
{
    uint64_t base = harness_seed();
    unsigned runs = env_number("CSPACE_MODEL_RUNS", DEFAULT_RUNS);
    unsigned ops = env_number("CSPACE_MODEL_OPS", DEFAULT_OPS);
    const char *trace = getenv("CSPACE_MODEL_TRACE");
    no_untyped_copies = env_number("CSPACE_MODEL_NO_UNTYPED_COPY", 0) != 0;
    int trace_run = trace != NULL && *trace != '\0' ? atoi(trace) : -1;
    stats_t stats = { 0 };
    static world_t w;
    unsigned failed = 0;
    for (unsigned run = 0; run < runs; run++) {
        w.stats = &stats;
        w.run = run;
        w.trace = (int)run == trace_run;
        uint64_t seed = run_seed(base, run);
        if (!run_sequence(&w, seed, ops)) {
            failed++;
            if (failed <= env_number("CSPACE_MODEL_REPORT", MAX_REPORTED_RUNS)) {
                harness_check(false, __FILE__, __LINE__,
                              "run %u (seed=%lu, CSPACE_MODEL_TRACE=%u), op %u: %s\n#     "
                              "operation: %s",
                              run, (unsigned long)base, run, w.op, w.failure, w.op_text);
            }
        }
        stats.zombies += w.model.events.zombies;
        stats.parked += w.model.events.parked;
        stats.destroyed += w.model.events.destroyed;
        stats.partial_revokes += w.model.events.partial_revokes;
        stats.reparented += w.model.events.reparented;
        model_free(&w.model);
    }
    harness_note("%u runs x %u operations: %lu calls run (%lu skipped as outside the model), "
                 "%lu succeeded, %lu cap faults, %lu preempted (%lu restarts), most caps %u, "
                 "%u runs failed",
                 runs, ops, stats.ops, stats.skipped, stats.replies_ok, stats.faults,
                 stats.preempted_calls, stats.restarts, stats.max_caps, failed);
    harness_note("model events: %lu CNodes/TCBs destroyed, %lu zombies, %lu parked in their "
                 "own first slot, %lu revokes that destroyed their target, %lu deletions of caps "
                 "with children",
                 stats.destroyed, stats.zombies, stats.parked, stats.partial_revokes,
                 stats.reparented);
    harness_note("errors: InvArg %lu InvCap %lu IllegalOp %lu Range %lu FailedLookup %lu "
                 "Truncated %lu DeleteFirst %lu RevokeFirst %lu NotEnoughMemory %lu",
                 stats.errors[1], stats.errors[2], stats.errors[3], stats.errors[4],
                 stats.errors[6], stats.errors[7], stats.errors[8], stats.errors[9],
                 stats.errors[10]);
    harness_note("successes: Retype %lu Revoke %lu Delete %lu Copy %lu Mint %lu Move %lu "
                 "Mutate %lu Rotate %lu GetAddress %lu",
                 stats.by_label[1], stats.by_label[17], stats.by_label[18], stats.by_label[20],
                 stats.by_label[21], stats.by_label[22], stats.by_label[23], stats.by_label[24],
                 stats.by_label[46]);
}

/* --- directed sequences -------------------------------------------------------- *
 *
 * Fixed scenarios on the boot state with an exact root guard: a cptr is a root
 * slot number and root slot 1 holds a CNode cap to the root CNode, so a root
 * slot s is (index s, depth 64) relative to cptr 1. Root slots 2, 3, 4, 5 hold
 * the untypeds (2^18, 2^12, device 2^31, 2^14). Each step runs on both sides
 * with every comparison and the invariant checker, as in the random test. */

#define ROOT_COPY 1
#define U_BIG 2
#define U_SMALL 5

typedef struct step {
    uint64_t cptr, label, length, extra_count;
    uint64_t mr[8];
    uint64_t extra[3];
} step_t;

static step_t retype(uint64_t untyped, uint64_t type, uint64_t size, uint64_t offset, uint64_t num)
{
    return (
        step_t){ untyped, UNTYPED_RETYPE, 6, 1, { type, size, 0, 0, offset, num }, { ROOT_COPY } };
}

/* Retype into the CNode whose cap is in root slot `cnode`. */
static step_t retype_into(uint64_t untyped, uint64_t type, uint64_t size, uint64_t cnode,
                          uint64_t offset, uint64_t num)
{
    return (step_t){ untyped,      UNTYPED_RETYPE, 6, 1, { type, size, cnode, 64, offset, num },
                     { ROOT_COPY } };
}

static step_t root_op(uint64_t label, uint64_t slot)
{
    return (step_t){ ROOT_COPY, label, 2, 0, { slot, 64 }, { 0 } };
}

static step_t copy(uint64_t dest, uint64_t src)
{
    return (step_t){ ROOT_COPY, CNODE_COPY, 5, 1, { dest, 64, src, 64, 0xf }, { ROOT_COPY } };
}

/* Move root slot `src` into slot `index` of the radix-`radix` CNode whose cap
 * is in root slot `cnode`. */
static step_t move_into(uint64_t cnode, uint64_t index, uint64_t radix, uint64_t src)
{
    return (step_t){ cnode, CNODE_MOVE, 4, 1, { index, radix, src, 64 }, { ROOT_COPY } };
}

static bool run_steps(world_t *w, const step_t *steps, size_t n)
{
    stats_t stats = { 0 };
    w->stats = &stats;
    world_reset(w, harness_seed(), true);
    w->trace = getenv("CSPACE_MODEL_TRACE_STEPS") != NULL;
    bool ok = compare_state(w);
    for (w->op = 0; ok && w->op < n; w->op++) {
        op_t o = { .buffer = HOST_BUFFER_READ_WRITE };
        const step_t *s = &steps[w->op];
        o.call.cptr = s->cptr;
        o.call.label = s->label;
        o.call.length = s->length;
        o.call.extra_count = s->extra_count;
        memcpy(o.call.mr, s->mr, sizeof(s->mr));
        memcpy(o.call.extra, s->extra, sizeof(s->extra));
        bool skipped;
        if (!run_op(w, &o, &skipped) || skipped) {
            ok = false;
            break;
        }
    }
    if (!ok) {
        harness_check(false, __FILE__, __LINE__, "step %u: %s\n#     operation: %s", w->op,
                      w->failure, w->op_text);
    }
    if (stats.preempted_calls > 0) {
        harness_note("%lu calls preempted, %lu restarts", stats.preempted_calls, stats.restarts);
    }
    model_free(&w->model);
    return ok;
}

#define RUN_STEPS(...)                                                                             \
    do {                                                                                           \
        static world_t w_;                                                                         \
        const step_t steps_[] = { __VA_ARGS__ };                                                   \
        run_steps(&w_, steps_, sizeof(steps_) / sizeof(steps_[0]));                                \
    } while (0)

/* The same steps on the kernel alone, with the invariant checker after each:
 * independent of the model. */
static void run_steps_kernel_only(const step_t *steps, size_t n)
{
    static world_t w;
    stats_t stats = { 0 };
    w.stats = &stats;
    world_reset(&w, harness_seed(), true);
    for (size_t i = 0; i < n; i++) {
        host_call_t call = { .cptr = steps[i].cptr,
                             .label = steps[i].label,
                             .length = steps[i].length,
                             .extra_count = steps[i].extra_count };
        memcpy(call.mr, steps[i].mr, sizeof(steps[i].mr));
        memcpy(call.extra, steps[i].extra, sizeof(steps[i].extra));
        host_reply_t reply;
        host_env_call(&env, &call, &reply, MAX_RUNS_PER_CALL);
        char msg[512];
        if (!HARNESS_CHECK_(!reply.panicked, "step %zu: kernel panic: %s", i,
                            reply.panic_message) ||
            !HARNESS_CHECK_(host_env_check_invariants(&env, msg, sizeof(msg)),
                            "step %zu (reply label %lu): invariant broken: %s", i,
                            (unsigned long)reply.label, msg)) {
            break;
        }
    }
    model_free(&w.model);
}

/* A copy of an untyped and the original must not both hand out the same
 * memory. Here the original has been used (free index 16) and emptied, then
 * copied; the copy is reset and allocates from 0. Retyping from the original
 * must then fail (seL4: the original counts as full while the copy exists),
 * or the two objects below overlap. */
#define UNTYPED_COPY_STEPS                                                                         \
    retype(U_SMALL, OBJ_ENDPOINT, 0, 10, 1),    /* free index 16 */                                \
        root_op(CNODE_DELETE, 10),              /* no children, free index 16 */                   \
        copy(11, U_SMALL),                      /* the copy: a child */                            \
        retype(11, OBJ_CNODE, 4, 12, 1),        /* the copy resets: a CNode at 0..511 */           \
        retype(U_SMALL, OBJ_ENDPOINT, 0, 13, 1) /* from the original: at 16? */

TEST(untyped_copy_and_original_do_not_share_memory)
{
    RUN_STEPS(UNTYPED_COPY_STEPS);
}

TEST(untyped_copy_and_original_do_not_share_memory_invariants_only)
{
    const step_t steps[] = { UNTYPED_COPY_STEPS };
    run_steps_kernel_only(steps, sizeof(steps) / sizeof(steps[0]));
}

/* The last cap to a CNode B inside a CNode A that is deleted: B is parked as a
 * zombie in its own first slot, unreachable, its other caps kept; Revoke of
 * the untyped cleans it up (manual, "Deletion and Revocation"); afterwards the
 * untyped has no children and is reset. */
TEST(deleting_a_cnode_parks_the_cnodes_it_holds_and_revoke_finds_them)
{
    RUN_STEPS(retype(U_SMALL, OBJ_CNODE, 2, 10, 2),            /* A in 10, B in 11 */
              retype_into(U_SMALL, OBJ_ENDPOINT, 0, 11, 2, 2), /* B[2], B[3]: endpoints */
              move_into(10, 1, 2, 11),                         /* B's only cap into A[1] */
              retype_into(U_SMALL, OBJ_CNODE, 1, 10, 3, 1),    /* C in A[3] */
              root_op(CNODE_DELETE, 10),                       /* A: B and C parked */
              retype(U_SMALL, OBJ_NOTIFICATION, 0, 12, 1),     /* after them */
              root_op(CNODE_REVOKE, U_SMALL),                  /* everything goes */
              retype(U_SMALL, OBJ_TCB, 0, 13, 1));             /* reset: the TCB at 0 */
}

/* A CNode holding the last cap to itself, reached only by Revoke of its
 * untyped, and a TCB whose last cap is inside a deleted CNode. */
TEST(self_containing_cnode_and_orphaned_tcb_are_destroyed_by_revoke)
{
    RUN_STEPS(retype(U_SMALL, OBJ_CNODE, 3, 10, 1),            /* A in 10 */
              retype(U_SMALL, OBJ_TCB, 0, 11, 1),              /* T in 11 */
              move_into(10, 5, 3, 11),                         /* T's cap into A[5] */
              retype_into(U_SMALL, OBJ_ENDPOINT, 0, 10, 2, 3), /* A[2..4] */
              move_into(10, 6, 3, 10),                         /* A's own cap into A[6] */
              retype(U_SMALL, OBJ_ENDPOINT, 0, 12, 1), root_op(CNODE_REVOKE, U_SMALL),
              retype(U_SMALL, OBJ_CNODE, 4, 13, 1));
}

/* Revoke and reset of a big untyped, preempted at every chance: the calls
 * restart until they finish, with the result of an uninterrupted run. */
TEST(preempted_revoke_and_reset_finish_with_the_same_result)
{
    unsigned saved = preempt_percent;
    preempt_percent = 100;
    RUN_STEPS(retype(U_BIG, OBJ_CNODE, 8, 20, 1),              /* 256 slots, resets U_BIG */
              retype_into(U_BIG, OBJ_ENDPOINT, 0, 20, 0, 256), /* 256 endpoints */
              retype_into(U_BIG, OBJ_CNODE, 2, 20, 0, 1),      /* DeleteFirst */
              root_op(CNODE_REVOKE, U_BIG),                    /* 257 deletions */
              retype(U_BIG, OBJ_UNTYPED, 17, 21, 1),           /* reset of the used part */
              retype_into(21, OBJ_TCB, 0, 20, 0, 1),           /* 20 was revoked: FailedLookup */
              retype(21, OBJ_CNODE, 8, 22, 1), retype_into(21, OBJ_TCB, 0, 22, 0, 48),
              root_op(CNODE_DELETE, 22), /* 48 TCBs through a zombie */
              root_op(CNODE_REVOKE, U_BIG));
    preempt_percent = saved;
}

/* Revoke of an untyped whose cap lives in a CNode made from that untyped: the
 * revoke deletes the CNode, with it the untyped's own cap, and stops there
 * (manual: "the authority to perform the revoke is removed during the
 * operation and the operation stops part way through"). */
TEST(revoke_that_destroys_its_own_target_stops)
{
    RUN_STEPS(retype(U_SMALL, OBJ_UNTYPED, 12, 10, 1), /* UC in 10 */
              retype(10, OBJ_ENDPOINT, 0, 12, 3),      /* children of UC, revoked last */
              retype(10, OBJ_CNODE, 2, 11, 1),         /* A from UC, in 11: revoked first */
              move_into(11, 0, 2, 10),                 /* UC's cap into A[0] */
              (step_t){ 11, CNODE_REVOKE, 2, 0, { 0, 2 }, { 0 } }, /* revoke A[0] */
              retype(U_SMALL, OBJ_ENDPOINT, 0, 10, 1));            /* the endpoints remain */
}
