/* The invariants of the capability system (see invariants.h):
 *  - the cap list is well formed: each node's neighbours point back at it;
 *  - every descendant of an untyped lies inside the untyped's used part
 *    [base, base + free index), and the free index is within its size;
 *  - no two distinct objects overlap (quadratic, so only checked while the
 *    system holds at most INVARIANT_OVERLAP_LIMIT caps);
 *  - a CNode cap's whole-word bit agrees with its guard size and radix;
 *  - a thread waiting to receive has an empty caller slot (the IPC
 *    fastpath puts the reply cap there without looking);
 *  - each thread's master reply cap heads a list holding at most the reply
 *    cap of the reply it waits for, and a runnable thread has one;
 *  - the scheduler's state at a kernel entry (the IPC fastpath relies on
 *    it): nothing decided yet, the current thread in no ready queue and
 *    outranked by no ready thread of its domain, only runnable threads
 *    queued;
 *  - the port's per-thread state is consistent (arch_check_thread_invariants). */
#include <arch/arch.h>
#include <capability.h>
#include <cdt.h>
#include <invariants.h>
#include <panic.h>
#include <printk.h>
#include <thread.h>

#define INVARIANT_OVERLAP_LIMIT 4096

static void check_links(word_t *count)
{
    *count = 0;
    for (cte_t *node = &ks_cdt_head; mdb_next(node) != NULL; node = mdb_next(node)) {
        cte_t *next = mdb_next(node);
        if (mdb_prev(next) != node) {
            panic("invariant: cap list broken at slot %p", (void *)next);
        }
        if (cap_is_null(next->cap)) {
            panic("invariant: empty slot %p on the cap list", (void *)next);
        }
        if (cap_type(next->cap) == cap_cnode &&
            cap_cnode_whole_word(next->cap) !=
                (cap_cnode_guard_size(next->cap) + cap_cnode_radix(next->cap) == WORD_BITS)) {
            panic("invariant: CNode cap in slot %p has a wrong whole-word bit", (void *)next);
        }
        (*count)++;
    }
}

static void check_untyped(const cte_t *slot)
{
    cap_t untyped = slot->cap;
    word_t size = BIT(cap_untyped_size_bits(untyped));
    word_t used = cap_untyped_free_index(untyped);
    if (used > size) {
        panic("invariant: untyped %p free index 0x%lx beyond its size", (void *)slot, used);
    }
    paddr_t base = cap_paddr(untyped);
    for (const cte_t *d = mdb_next(slot); d != NULL && cdt_is_parent_of(slot, d); d = mdb_next(d)) {
        unsigned bits = cap_object_size_bits(d->cap);
        paddr_t start = cap_paddr(d->cap);
        if (bits == 0) {
            continue;
        }
        bool is_copy = cap_type(d->cap) == cap_untyped && start == base &&
                       cap_untyped_size_bits(d->cap) == cap_untyped_size_bits(untyped);
        if (!is_copy && (start < base || start + BIT(bits) > base + used)) {
            panic("invariant: object at 0x%lx (type %lu) outside the used part of untyped "
                  "[0x%lx, 0x%lx)",
                  start, cap_type(d->cap), base, base + used);
        }
    }
}

/* Two caps name distinct objects that share memory. Untypeds contain their
 * objects, and equal objects are fine. */
static bool objects_clash(cap_t a, cap_t b)
{
    unsigned a_bits = cap_object_size_bits(a);
    unsigned b_bits = cap_object_size_bits(b);
    if (a_bits == 0 || b_bits == 0 || cap_type(a) == cap_untyped || cap_type(b) == cap_untyped ||
        cap_type(a) == cap_zombie || cap_type(b) == cap_zombie) {
        return false;
    }
    if (cap_same_object_as(a, b)) {
        return false;
    }
    paddr_t a0 = cap_paddr(a), b0 = cap_paddr(b);
    return a0 < b0 + BIT(b_bits) && b0 < a0 + BIT(a_bits);
}

static void check_overlaps(void)
{
    for (cte_t *a = mdb_next(&ks_cdt_head); a != NULL; a = mdb_next(a)) {
        for (cte_t *b = mdb_next(a); b != NULL; b = mdb_next(b)) {
            if (objects_clash(a->cap, b->cap)) {
                panic("invariant: objects at 0x%lx and 0x%lx overlap", cap_paddr(a->cap),
                      cap_paddr(b->cap));
            }
        }
    }
}

/* A thread's master reply cap heads a list of its own (cdt.h): nothing
 * before it, and after it at most the one reply cap to the thread, which
 * exists only while the thread waits for that reply. */
static void check_reply_list(tcb_t *t)
{
    const cte_t *master = tcb_slot(t, TCB_REPLY);
    if (cap_is_null(master->cap)) {
        if (master->mdb.w[0] != 0 || master->mdb.w[1] != 0) {
            panic("invariant: thread %p has links in its empty reply slot", (void *)t);
        }
        return;
    }
    if (cap_type(master->cap) != cap_reply || !cap_reply_master(master->cap) ||
        cap_object(master->cap) != (void *)t || mdb_prev(master) != NULL ||
        (master->mdb.w[1] & ~MASK(CAP_ADDR_BITS)) != MDB_REPLY_MASTER_FLAGS) {
        panic("invariant: thread %p has a malformed master reply cap", (void *)t);
    }
    const cte_t *reply = mdb_next(master);
    if (reply != NULL && (cap_type(reply->cap) != cap_reply || cap_reply_master(reply->cap) ||
                          cap_object(reply->cap) != (void *)t || mdb_prev(reply) != master ||
                          reply->mdb.w[1] != 0 || t->state != thread_blocked_on_reply)) {
        panic("invariant: thread %p has a wrong reply cap after its master", (void *)t);
    }
}

/* DebugSnapshot runs these checks at the start of its system call, so the
 * current thread is the caller and the entry has decided nothing yet. */
static void check_scheduler(void)
{
    const tcb_t *cur = ks_cur_thread;
    if (ks_sched_action != SCHED_RESUME_CURRENT) {
        panic("invariant: a scheduling decision is pending at a kernel entry");
    }
    if (cur->in_ready_queue) {
        panic("invariant: the current thread %p is in a ready queue", (void *)cur);
    }
    if (cur->domain != SCHED_CUR_DOMAIN || sched_ready_above(cur->priority)) {
        panic("invariant: the current thread %p is outranked by a ready thread or runs "
              "outside its domain",
              (void *)cur);
    }
}

static void check_threads(void)
{
    check_scheduler();
    for (const tcb_t *t = ks_debug_thread_list; t != NULL; t = t->debug_next) {
        if (t->state == thread_blocked_on_receive &&
            !cap_is_null(tcb_slot((tcb_t *)t, TCB_CALLER)->cap)) {
            panic("invariant: thread %p waits to receive with a cap in its caller slot", (void *)t);
        }
        if (t->in_ready_queue && !thread_is_runnable(t)) {
            panic("invariant: thread %p is queued to run but not runnable", (void *)t);
        }
        if (thread_is_runnable(t) && cap_is_null(tcb_slot((tcb_t *)t, TCB_REPLY)->cap)) {
            panic("invariant: runnable thread %p has no master reply cap", (void *)t);
        }
        check_reply_list((tcb_t *)t);
        arch_check_thread_invariants((tcb_t *)t);
    }
}

void invariants_check(void)
{
    word_t count;
    check_links(&count);
    for (cte_t *node = mdb_next(&ks_cdt_head); node != NULL; node = mdb_next(node)) {
        if (cap_type(node->cap) == cap_untyped) {
            check_untyped(node);
        }
    }
    if (count <= INVARIANT_OVERLAP_LIMIT) {
        check_overlaps();
    }
    check_threads();
    kprintf("invariants hold (%lu caps%s)\n", count,
            count <= INVARIANT_OVERLAP_LIMIT ? "" : ", overlap check skipped");
}
