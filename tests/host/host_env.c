/* The host "machine" for the capability code and its invariant checker: see
 * host_env.h. */
#define _DEFAULT_SOURCE 1 /* mmap's MAP_ANONYMOUS and MAP_NORESERVE */

#include "host_env.h"

#include "host_arch.h"
#include "kernel_stubs.h"

#include <api/syscall.h>
#include <capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <thread.h>

#define IPC_FRAME_BITS 12
#define IPC_BUFFER_WORDS 128 /* 1024 bytes */

static void *aligned_block(size_t bits)
{
    void *p = aligned_alloc((size_t)1 << bits, (size_t)1 << bits);
    if (p == NULL) {
        fprintf(stderr, "host_env: out of memory (2^%zu bytes)\n", bits);
        abort();
    }
    memset(p, 0, (size_t)1 << bits);
    return p;
}

void host_env_create(host_env_t *env, unsigned root_radix, unsigned memory_bits,
                     unsigned device_bits)
{
    memset(env, 0, sizeof(*env));
    env->root_radix = root_radix;
    env->root = aligned_block(root_radix + CTE_SIZE_BITS);
    env->thread = aligned_block(TCB_SIZE_BITS);
    env->ipc_frame = aligned_block(IPC_FRAME_BITS);
    env->memory = aligned_block(memory_bits);
    env->memory_size = (size_t)1 << memory_bits;
    /* Device memory: addresses that exist for the kernel's bookkeeping but
     * may never be touched (ABI 4.3: device untyped memory is not cleared and
     * only frames and untypeds live there). Reserve twice the size with no
     * access rights and use the aligned half. */
    if (device_bits > 0) {
        size_t size = (size_t)1 << device_bits;
        void *p =
            mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            perror("host_env: mmap");
            abort();
        }
        env->device_base = ((paddr_t)(uintptr_t)p + size - 1) & ~(paddr_t)(size - 1);
        env->device_size = size;
    }
}

void host_env_add_untyped(host_env_t *env, unsigned slot, size_t offset, unsigned size_bits,
                          bool device)
{
    host_untyped_t *u = &env->untyped[env->untyped_count++];
    u->base = (device ? env->device_base : ptr_to_paddr(env->memory)) + offset;
    u->size_bits = size_bits;
    u->device = device;
    u->slot = slot;
}

void host_env_destroy(host_env_t *env)
{
    free(env->root);
    free(env->thread);
    free(env->ipc_frame);
    free(env->memory);
    /* The device range stays reserved (address space only). */
}

void host_env_reset(host_env_t *env, unsigned guard_size, word_t guard, unsigned copy_guard_size)
{
    memset(env->root, 0, sizeof(cte_t) << env->root_radix);
    memset(env->thread, 0, sizeof(tcb_t));
    memset(env->ipc_frame, 0, (size_t)1 << IPC_FRAME_BITS);
    ks_cdt_head = (cte_t){ 0 };
    tcb_t *t = env->thread;
    strcpy(t->name, "rootserver");
    t->state = thread_running;
    ks_cur_thread = t;

    env->root_cap = cap_cnode_new(ptr_to_paddr(env->root), env->root_radix, guard_size,
                                  guard & MASK(guard_size));
    cdt_insert_root(env->root_cap, tcb_slot(t, TCB_CSPACE_ROOT));
    cdt_insert_root(host_arch_frame_cap(ptr_to_paddr(env->ipc_frame), VM_READ_WRITE, false),
                    tcb_slot(t, TCB_IPC_BUFFER));
    for (unsigned i = 0; i < env->untyped_count; i++) {
        const host_untyped_t *u = &env->untyped[i];
        cap_t c = cap_untyped_new(u->base, u->size_bits, u->device);
        c = cap_with_untyped_free_index(c, BIT(u->size_bits));
        cdt_insert_root(c, &env->root[u->slot]);
    }
    cap_t copy = cap_cnode_with_guard(env->root_cap, copy_guard_size, 0);
    cdt_insert_derived(copy, tcb_slot(t, TCB_CSPACE_ROOT), &env->root[1]);
}

void host_env_set_buffer(host_env_t *env, enum host_buffer_mode mode, word_t offset)
{
    static const enum vm_rights rights[] = {
        [HOST_BUFFER_READ_WRITE] = VM_READ_WRITE,
        [HOST_BUFFER_READ_ONLY] = VM_READ_ONLY,
        [HOST_BUFFER_KERNEL_ONLY] = VM_KERNEL_ONLY,
        [HOST_BUFFER_DEVICE] = VM_READ_WRITE,
    };
    /* The slot's links stay: only the cap's rights and device flag change. */
    tcb_slot(env->thread, TCB_IPC_BUFFER)->cap =
        host_arch_frame_cap(ptr_to_paddr(env->ipc_frame), rights[mode], mode == HOST_BUFFER_DEVICE);
    env->thread->ipc_buffer = offset;
}

word_t *host_env_buffer(host_env_t *env)
{
    return env->ipc_frame + (env->thread->ipc_buffer & MASK(IPC_FRAME_BITS)) / sizeof(word_t);
}

void host_env_call(host_env_t *env, const host_call_t *call, host_reply_t *reply, unsigned max_runs)
{
    tcb_t *t = env->thread;
    word_t *buffer = host_env_buffer(env);
    memset(reply, 0, sizeof(*reply));
    t->context.r[ARCH_REG_CAP] = call->cptr;
    t->context.r[ARCH_REG_MSG_INFO] =
        keel_seL4_MessageInfo_new(call->label, 0, call->extra_count, call->length);
    for (unsigned i = 0; i < seL4_FastMessageRegisters; i++) {
        t->context.r[ARCH_REG_MR0 + i] = call->mr[i];
    }
    for (unsigned i = seL4_FastMessageRegisters; i < seL4_MsgMaxLength; i++) {
        buffer[KEEL_seL4_IPCBuffer_msg + i] = call->mr[i];
    }
    for (unsigned i = 0; i < seL4_MsgMaxExtraCaps; i++) {
        buffer[KEEL_seL4_IPCBuffer_caps_or_badges + i] = call->extra[i];
    }
    t->state = thread_running;
    stub_clear_fault();

    jmp_buf jump;
    stub_panic_jump = &jump;
    if (setjmp(jump) != 0) {
        stub_panic_jump = NULL;
        reply->panicked = true;
        snprintf(reply->panic_message, sizeof(reply->panic_message), "%s", stub_panic_message);
        return;
    }
    do {
        t->state = thread_running;
        handle_invocation(t, true, true);
        reply->runs++;
    } while (t->state == thread_restart && !stub_fault.raised && reply->runs < max_runs);
    stub_panic_jump = NULL;

    reply->state = t->state;
    if (stub_fault.raised) {
        reply->fault = true;
        reply->fault_cptr = stub_fault.cptr;
        reply->fault_lookup = stub_fault.lookup;
        reply->fault_in_receive_phase = stub_fault.in_receive_phase;
        return;
    }
    reply->badge = t->context.r[ARCH_REG_BADGE];
    reply->label = keel_seL4_MessageInfo_get_label(t->context.r[ARCH_REG_MSG_INFO]);
    reply->length = keel_seL4_MessageInfo_get_length(t->context.r[ARCH_REG_MSG_INFO]);
    for (unsigned i = 0; i < seL4_FastMessageRegisters; i++) {
        reply->mr[i] = t->context.r[ARCH_REG_MR0 + i];
    }
    for (unsigned i = seL4_FastMessageRegisters; i < 8; i++) {
        reply->mr[i] = buffer[KEEL_seL4_IPCBuffer_msg + i];
    }
}

/* --- invariants ---------------------------------------------------------- */

typedef struct check {
    const host_env_t *env;
    char *msg;
    size_t msg_size;
    bool ok;
    const cte_t **nodes; /* the cap list in order */
    size_t count;
} check_t;

static bool fail(check_t *c, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool fail(check_t *c, const char *format, ...)
{
    if (c->ok) {
        va_list args;
        va_start(args, format);
        vsnprintf(c->msg, c->msg_size, format, args);
        va_end(args);
        c->ok = false;
    }
    return false;
}

/* Can `p` be a slot? Slots live in the root CNode, the fake thread and
 * normal untyped memory (CNodes and TCBs never live in device memory). */
static bool plausible_slot(const host_env_t *env, const cte_t *p)
{
    uintptr_t a = (uintptr_t)p;
    uintptr_t root = (uintptr_t)env->root;
    uintptr_t thread = (uintptr_t)env->thread;
    uintptr_t memory = (uintptr_t)env->memory;
    return (a >= root && a + sizeof(cte_t) <= root + (sizeof(cte_t) << env->root_radix)) ||
           (a >= thread && a + sizeof(cte_t) <= thread + sizeof(tcb_t)) ||
           (a >= memory && a + sizeof(cte_t) <= memory + env->memory_size);
}

static int compare_pointers(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (const cte_t *const *)a;
    uintptr_t y = (uintptr_t) * (const cte_t *const *)b;
    return x < y ? -1 : x > y;
}

/* The list, walked from the head with a bound on its length. */
static bool check_links(check_t *c)
{
    size_t capacity = 1024;
    c->nodes = malloc(capacity * sizeof(*c->nodes));
    c->count = 0;
    const cte_t *node = &ks_cdt_head;
    if (mdb_prev(node) != NULL) {
        return fail(c, "the list head has a prev link");
    }
    size_t limit =
        (c->env->memory_size >> CTE_SIZE_BITS) + ((size_t)1 << c->env->root_radix) + TCB_SLOT_COUNT;
    for (const cte_t *next = mdb_next(node); next != NULL; node = next, next = mdb_next(node)) {
        if (!plausible_slot(c->env, next)) {
            return fail(c, "list link from %p to %p, which is no slot", (const void *)node,
                        (const void *)next);
        }
        if (mdb_prev(next) != node) {
            return fail(c, "list broken: next of %p is %p, whose prev is %p", (const void *)node,
                        (const void *)next, (const void *)mdb_prev(next));
        }
        if (cap_is_null(next->cap)) {
            return fail(c, "empty slot %p on the cap list", (const void *)next);
        }
        if (c->count == limit) {
            return fail(c, "the cap list has more nodes than there are slots (a cycle?)");
        }
        if (c->count == capacity) {
            capacity *= 2;
            c->nodes = realloc(c->nodes, capacity * sizeof(*c->nodes));
        }
        c->nodes[c->count++] = next;
    }
    return true;
}

typedef struct const_cte_set {
    const cte_t **sorted;
    size_t count;
} const_cte_set_t;

static bool on_list(const const_cte_set_t *set, const cte_t *slot)
{
    size_t lo = 0, hi = set->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->sorted[mid] == slot) {
            return true;
        }
        if ((uintptr_t)set->sorted[mid] < (uintptr_t)slot) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* Every cap in a slot array that some cap on the list names (and in the root
 * CNode and the thread) is on the list; zombies count no more slots than
 * their object has. */
static bool check_slot_arrays(check_t *c)
{
    const_cte_set_t set = { malloc((c->count + 1) * sizeof(cte_t *)), c->count };
    memcpy(set.sorted, c->nodes, c->count * sizeof(cte_t *));
    qsort(set.sorted, set.count, sizeof(cte_t *), compare_pointers);
    bool ok = true;
    for (size_t i = 0; ok && i <= c->count; i++) {
        const cte_t *slots;
        word_t n;
        if (i == c->count) {
            slots = c->env->root;
            n = BIT(c->env->root_radix);
        } else {
            cap_t cap = c->nodes[i]->cap;
            switch (cap_type(cap)) {
            case cap_cnode:
                slots = cap_object(cap);
                n = BIT(cap_cnode_radix(cap));
                break;
            case cap_tcb:
                slots = tcb_from_cap(cap)->slots;
                n = TCB_SLOT_COUNT;
                break;
            case cap_zombie:
                if (cap_zombie_is_tcb(cap)) {
                    slots = tcb_from_cap(cap)->slots;
                    n = TCB_SLOT_COUNT;
                } else {
                    slots = cap_object(cap);
                    n = BIT(cap_zombie_radix(cap));
                }
                if (cap_zombie_count(cap) > n) {
                    ok = fail(c, "zombie in slot %p counts %lu slots, its object has %lu",
                              (const void *)c->nodes[i], (unsigned long)cap_zombie_count(cap),
                              (unsigned long)n);
                }
                break;
            default:
                continue;
            }
            if (!plausible_slot(c->env, slots) || !plausible_slot(c->env, slots + n - 1)) {
                ok = fail(c, "cap in slot %p names slots at %p outside kernel memory",
                          (const void *)c->nodes[i], (const void *)slots);
                break;
            }
        }
        for (word_t k = 0; ok && k < n; k++) {
            if (!cap_is_null(slots[k].cap) && !on_list(&set, &slots[k])) {
                ok = fail(c,
                          "slot %p (index %lu of %p) holds a cap (type %lu) that is not on "
                          "the cap list",
                          (const void *)&slots[k], (unsigned long)k, (const void *)slots,
                          (unsigned long)cap_type(slots[k].cap));
            }
        }
    }
    for (word_t k = 0; ok && k < TCB_SLOT_COUNT; k++) {
        const cte_t *s = &c->env->thread->slots[k];
        if (!cap_is_null(s->cap) && !on_list(&set, s)) {
            ok = fail(c, "thread slot %lu holds a cap that is not on the cap list",
                      (unsigned long)k);
        }
    }
    free(set.sorted);
    return ok;
}

/* Descendants of each untyped: inside it, and inside its used part unless
 * they are a copy of the untyped itself. */
static bool check_untypeds(check_t *c)
{
    for (size_t i = 0; i < c->count; i++) {
        const cte_t *u = c->nodes[i];
        if (cap_type(u->cap) != cap_untyped) {
            continue;
        }
        word_t size_bits = cap_untyped_size_bits(u->cap);
        paddr_t base = cap_paddr(u->cap);
        word_t used = cap_untyped_free_index(u->cap);
        if (used > BIT(size_bits)) {
            return fail(c, "untyped in slot %p: free index 0x%lx beyond its size 2^%lu",
                        (const void *)u, (unsigned long)used, (unsigned long)size_bits);
        }
        for (size_t j = i + 1; j < c->count && cdt_is_parent_of(u, c->nodes[j]); j++) {
            cap_t d = c->nodes[j]->cap;
            unsigned bits = cap_object_size_bits(d);
            if (bits == 0) {
                continue;
            }
            paddr_t start = cap_paddr(d);
            bool is_copy = cap_type(d) == cap_untyped && start == base &&
                           cap_untyped_size_bits(d) == size_bits;
            if (start < base || start + BIT(bits) > base + BIT(size_bits)) {
                return fail(c,
                            "descendant (type %lu) at 0x%lx size 2^%u of untyped in slot %p "
                            "is not inside it [0x%lx, +2^%lu)",
                            (unsigned long)cap_type(d), (unsigned long)start, bits, (const void *)u,
                            (unsigned long)base, (unsigned long)size_bits);
            }
            if (!is_copy && start + BIT(bits) > base + used) {
                return fail(c,
                            "descendant (type %lu) at 0x%lx size 2^%u of untyped in slot %p "
                            "lies above its free index (used part [0x%lx, 0x%lx))",
                            (unsigned long)cap_type(d), (unsigned long)start, bits, (const void *)u,
                            (unsigned long)base, (unsigned long)(base + used));
            }
        }
    }
    return true;
}

typedef struct object_region {
    paddr_t start;
    unsigned bits;
    unsigned kind; /* cap type, with zombies counted as the object they destroy */
    const cte_t *slot;
} object_region_t;

static int compare_regions(const void *a, const void *b)
{
    const object_region_t *x = a, *y = b;
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    if (x->bits != y->bits) {
        return x->bits < y->bits ? -1 : 1;
    }
    return (x->kind > y->kind) - (x->kind < y->kind);
}

/* No two distinct objects share memory: sort the objects (untypeds
 * excluded: they contain objects) and compare each with the furthest
 * reaching one before it. Caps to the same object (same start, size and
 * kind) are one region. */
static bool check_overlaps(check_t *c)
{
    object_region_t *r = malloc((c->count + 1) * sizeof(*r));
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++) {
        cap_t cap = c->nodes[i]->cap;
        unsigned bits = cap_object_size_bits(cap);
        unsigned kind = (unsigned)cap_type(cap);
        if (bits == 0 || kind == cap_untyped) {
            continue;
        }
        if (kind == cap_zombie) {
            kind = cap_zombie_is_tcb(cap) ? cap_tcb : cap_cnode;
        }
        r[n++] = (object_region_t){ cap_paddr(cap), bits, kind, c->nodes[i] };
    }
    qsort(r, n, sizeof(*r), compare_regions);
    bool ok = true;
    size_t far = 0; /* index of the region reaching furthest so far */
    for (size_t i = 1; ok && i < n; i++) {
        const object_region_t *a = &r[far], *b = &r[i];
        bool same = a->start == b->start && a->bits == b->bits && a->kind == b->kind;
        if (!same && b->start < a->start + BIT(a->bits)) {
            ok = fail(c,
                      "objects overlap: type %u at 0x%lx size 2^%u (slot %p) and type %u at "
                      "0x%lx size 2^%u (slot %p)",
                      a->kind, (unsigned long)a->start, a->bits, (const void *)a->slot, b->kind,
                      (unsigned long)b->start, b->bits, (const void *)b->slot);
        }
        if (b->start + BIT(b->bits) > a->start + BIT(a->bits)) {
            far = i;
        }
    }
    free(r);
    return ok;
}

bool host_env_check_invariants(const host_env_t *env, char *msg, size_t msg_size)
{
    check_t c = { env, msg, msg_size, true, NULL, 0 };
    if (check_links(&c)) {
        (void)(check_slot_arrays(&c) && check_untypeds(&c) && check_overlaps(&c));
    }
    free(c.nodes);
    return c.ok;
}
