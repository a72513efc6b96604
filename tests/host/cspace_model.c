/* The reference model of the CSpace, the derivation tree and Untyped_Retype:
 * see cspace_model.h. Every rule cites the ABI section (or manual passage) it
 * comes from; the numbers are the ABI's. Written for clarity, not speed. */
#include "cspace_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ABI 6.1 */
enum {
    E_NONE = 0,
    E_INVALID_ARGUMENT = 1,
    E_INVALID_CAPABILITY = 2,
    E_ILLEGAL_OPERATION = 3,
    E_RANGE = 4,
    E_ALIGNMENT = 5,
    E_FAILED_LOOKUP = 6,
    E_TRUNCATED = 7,
    E_DELETE_FIRST = 8,
    E_REVOKE_FIRST = 9,
    E_NOT_ENOUGH_MEMORY = 10,
};

/* ABI 6.2 / 2.6 */
enum { LF_INVALID_ROOT = 1, LF_MISSING = 2, LF_DEPTH = 3, LF_GUARD = 4 };

/* ABI 5.2 */
enum {
    L_UNTYPED_RETYPE = 1,
    L_TCB_FIRST = 2,
    L_TCB_LAST = 16,
    L_CNODE_REVOKE = 17,
    L_CNODE_DELETE = 18,
    L_CNODE_CANCEL_BADGED_SENDS = 19,
    L_CNODE_COPY = 20,
    L_CNODE_MINT = 21,
    L_CNODE_MOVE = 22,
    L_CNODE_MUTATE = 23,
    L_CNODE_ROTATE = 24,
    L_CNODE_SAVE_CALLER = 25,
    L_VSPACE_FIRST = 33,
    L_VSPACE_LAST = 36,
    L_PAGE_TABLE_MAP = 38,
    L_PAGE_TABLE_UNMAP = 39,
    L_PAGE_FIRST = 40,
    L_PAGE_GET_ADDRESS = 46,
};

/* ABI 4.1 */
enum {
    T_UNTYPED = 0,
    T_TCB = 1,
    T_ENDPOINT = 2,
    T_NOTIFICATION = 3,
    T_CNODE = 4,
    T_HUGE_PAGE = 5,
    T_VSPACE = 6,
    T_SMALL_PAGE = 7,
    T_LARGE_PAGE = 8,
    T_PAGE_TABLE = 9,
    T_COUNT = 10,
};

#define MAX_UNTYPED_BITS 47 /* ABI 4.2 */
#define MIN_UNTYPED_BITS 4
#define FAN_OUT_LIMIT 256 /* ABI 4.3 step 9 */
#define SLOT_BITS 5       /* ABI 4.2 */

static uint64_t low_bits(unsigned n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* --- the error or reply of one invocation -------------------------------- */

typedef struct result {
    uint64_t error;
    unsigned nwords;
    uint64_t words[6];
} result_t;

static result_t ok(void)
{
    return (result_t){ 0 };
}

static result_t err(uint64_t code)
{
    return (result_t){ .error = code };
}

static result_t err1(uint64_t code, uint64_t w0)
{
    return (result_t){ .error = code, .nwords = 1, .words = { w0 } };
}

static result_t err_range(uint64_t min, uint64_t max)
{
    return (result_t){ .error = E_RANGE, .nwords = 2, .words = { min, max } };
}

/* A lookup failure description (ABI 6.2). */
typedef struct lookup_failure {
    unsigned n; /* 0: none */
    uint64_t w[4];
} lookup_failure_t;

static result_t err_lookup(bool source, lookup_failure_t f)
{
    result_t r = { .error = E_FAILED_LOOKUP, .nwords = 1 + f.n, .words = { source } };
    memcpy(&r.words[1], f.w, f.n * sizeof(uint64_t));
    return r;
}

static lookup_failure_t lf_missing(uint64_t bits_left)
{
    return (lookup_failure_t){ 2, { LF_MISSING, bits_left } };
}

/* --- slots and the tree -------------------------------------------------- */

static void touch(m_slot_t *s)
{
    s->version++;
}

static void set_slot(m_slot_t *s, m_node_t *n)
{
    s->node = n;
    if (n != NULL) {
        n->slot = s;
    }
    touch(s);
}

static void unlink_sibling(m_node_t *n)
{
    if (n->prev != NULL) {
        n->prev->next = n->next;
    } else {
        n->parent->first_child = n->next;
    }
    if (n->next != NULL) {
        n->next->prev = n->prev;
    }
    n->prev = n->next = NULL;
}

static void insert_first_child(m_node_t *parent, m_node_t *n)
{
    n->parent = parent;
    n->prev = NULL;
    n->next = parent->first_child;
    if (n->next != NULL) {
        n->next->prev = n;
    }
    parent->first_child = n;
}

static void insert_after(m_node_t *sibling, m_node_t *n)
{
    n->parent = sibling->parent;
    n->prev = sibling;
    n->next = sibling->next;
    if (n->next != NULL) {
        n->next->prev = n;
    }
    sibling->next = n;
}

static m_node_t *new_node(model_t *m, m_cap_t cap, bool original)
{
    m_node_t *n = calloc(1, sizeof(*n));
    n->cap = cap;
    n->original = original;
    if (cap.object != NULL) {
        cap.object->refs++;
    }
    m->node_count++;
    return n;
}

static void remove_container(model_t *m, m_container_t *c);

/* Take the cap out of its slot and out of the tree; its children take its
 * place under its parent (manual: deleting a cap does not delete what was
 * derived from it; only Revoke does). */
static void remove_node(model_t *m, m_node_t *n)
{
    m_node_t *parent = n->parent;
    m_node_t *after = n;
    for (m_node_t *c = n->first_child; c != NULL;) {
        m_node_t *next = c->next;
        c->prev = c->next = NULL;
        insert_after(after, c);
        after = c;
        c = next;
    }
    if (n->first_child != NULL) {
        m->events.reparented++;
    }
    n->first_child = NULL;
    (void)parent;
    unlink_sibling(n);
    set_slot(n->slot, NULL);
    m_container_t *object = n->cap.object;
    if (object != NULL && --object->refs == 0) {
        remove_container(m, object);
    }
    m->node_count--;
    /* Freed at the end of the call: a Revoke may still compare its target
     * with what is left in a slot. */
    n->next = m->dead_nodes;
    m->dead_nodes = n;
}

bool model_is_ancestor(const m_node_t *a, const m_node_t *d)
{
    for (const m_node_t *p = d->parent; p != NULL; p = p->parent) {
        if (p == a) {
            return true;
        }
    }
    return false;
}

unsigned model_descendant_count(const m_node_t *n)
{
    unsigned count = 0;
    for (const m_node_t *c = n->first_child; c != NULL; c = c->next) {
        count += 1 + model_descendant_count(c);
    }
    return count;
}

/* --- containers ---------------------------------------------------------- */

void model_init(model_t *m)
{
    memset(m, 0, sizeof(*m));
}

m_container_t *model_add_container(model_t *m, bool is_tcb, uint64_t addr, unsigned nslots)
{
    m_container_t *c = calloc(1, sizeof(*c));
    c->is_tcb = is_tcb;
    c->addr = addr;
    c->nslots = nslots;
    c->slots = calloc(nslots, sizeof(m_slot_t));
    for (unsigned i = 0; i < nslots; i++) {
        c->slots[i].owner = c;
        c->slots[i].index = i;
    }
    if (m->container_count == m->container_capacity) {
        m->container_capacity = m->container_capacity ? 2 * m->container_capacity : 64;
        m->containers = realloc(m->containers, m->container_capacity * sizeof(*m->containers));
    }
    c->registry_index = m->container_count;
    m->containers[m->container_count++] = c;
    return c;
}

/* The object is gone: its last cap (or zombie) was removed, so all its slots
 * are empty. */
static void remove_container(model_t *m, m_container_t *c)
{
    for (unsigned i = 0; i < c->nslots; i++) {
        if (c->slots[i].node != NULL) {
            fprintf(stderr, "model: object at 0x%llx destroyed with slot %u full\n",
                    (unsigned long long)c->addr, i);
            abort();
        }
    }
    m_container_t *last = m->containers[--m->container_count];
    m->containers[c->registry_index] = last;
    last->registry_index = c->registry_index;
    m->events.destroyed++;
    c->next_dead = m->dead_containers;
    m->dead_containers = c;
}

/* What the call destroyed, freed once nothing can look at it. */
static void free_the_dead(model_t *m)
{
    while (m->dead_nodes != NULL) {
        m_node_t *n = m->dead_nodes;
        m->dead_nodes = n->next;
        free(n);
    }
    while (m->dead_containers != NULL) {
        m_container_t *c = m->dead_containers;
        m->dead_containers = c->next_dead;
        free(c->slots);
        free(c);
    }
}

static void free_subtree(m_node_t *n)
{
    for (m_node_t *c = n->first_child; c != NULL;) {
        m_node_t *next = c->next;
        free_subtree(c);
        free(c);
        c = next;
    }
}

void model_free(model_t *m)
{
    free_the_dead(m);
    free_subtree(&m->sentinel);
    for (unsigned i = 0; i < m->container_count; i++) {
        free(m->containers[i]->slots);
        free(m->containers[i]);
    }
    free(m->containers);
    memset(m, 0, sizeof(*m));
}

m_node_t *model_insert_root(model_t *m, m_slot_t *slot, m_cap_t cap)
{
    m_node_t *n = new_node(m, cap, true);
    insert_first_child(&m->sentinel, n);
    set_slot(slot, n);
    return n;
}

/* --- capability properties (ABI 2.2-2.4, 5.6) ----------------------------- */

static bool is_container_cap(const m_cap_t *c)
{
    return c->type == M_CNODE || c->type == M_TCB;
}

/* ABI 2.2: masking by a seL4_CapRights word. */
static void mask_rights(m_cap_t *c, uint64_t rights)
{
    bool write = rights & 1, read = rights & 2;
    switch (c->type) {
    case M_ENDPOINT:
        c->rights &= rights & 0xf;
        break;
    case M_NOTIFICATION:
        c->rights &= rights & 0x3;
        break;
    case M_FRAME:
        if (c->rights == M_VM_READ_WRITE) {
            c->rights = read && write ? M_VM_READ_WRITE : read ? M_VM_READ_ONLY : M_VM_KERNEL_ONLY;
        } else if (c->rights == M_VM_READ_ONLY) {
            c->rights = read ? M_VM_READ_ONLY : M_VM_KERNEL_ONLY;
        }
        break;
    default:
        break;
    }
}

/* ABI 2.3 and 2.4: apply badge or guard data; false where the result is the
 * null cap. `preserve` for Mutate and Rotate. */
static bool update_data(m_cap_t *c, bool preserve, uint64_t data)
{
    switch (c->type) {
    case M_ENDPOINT:
    case M_NOTIFICATION:
        if (preserve || c->badge != 0) {
            return false;
        }
        c->badge = data;
        return true;
    case M_CNODE: {
        unsigned guard_size = (unsigned)(data & 0x3f);
        if (guard_size + c->bits > 64) {
            return false;
        }
        c->guard_size = guard_size;
        c->guard = (data >> 6) & low_bits(guard_size);
        return true;
    }
    default:
        return true;
    }
}

/* ABI 5.6: the derived cap, or an error (RevokeFirst, IllegalOperation for
 * unmapped tables and ASID-less VSpaces, IllegalOperation for types that
 * derive to the null cap). */
static result_t derive(const m_node_t *source, m_cap_t *c)
{
    switch (c->type) {
    case M_UNTYPED:
        return source->first_child != NULL ? err(E_REVOKE_FIRST) : ok();
    case M_PAGE_TABLE: /* caps made by Retype are unmapped */
    case M_VSPACE:     /* and have no ASID */
    case M_ZOMBIE:     /* derives to the null cap */
        return err(E_ILLEGAL_OPERATION);
    default:
        return ok(); /* frames: mapping removed (ours are never mapped) */
    }
}

/* Manual, "Capability Derivation Tree": the caps made by Retype are
 * originals; copies of an original are its children; copies of a non-original
 * are its siblings; a badged endpoint/notification cap minted from an
 * unbadged one is a new original; untyped copies are always children. */
static bool derived_is_original(const m_cap_t *source, const m_cap_t *derived)
{
    switch (derived->type) {
    case M_ENDPOINT:
    case M_NOTIFICATION:
        return derived->badge != source->badge;
    case M_UNTYPED:
        return true;
    default:
        return false;
    }
}

static m_node_t *insert_derived(model_t *m, m_node_t *source, m_slot_t *dest, m_cap_t cap)
{
    m_node_t *n = new_node(m, cap, derived_is_original(&source->cap, &cap));
    if (cap.type == M_UNTYPED) {
        /* An untyped and its copy name the same memory; only the copy (a
         * child, manual "Capability Derivation Tree") may allocate from it
         * from now on, or the two would hand out the same bytes twice. The
         * source counts as fully used until the copy is gone and it is
         * reset (ABI 4.3 step 12). The ABI text does not spell this out;
         * seL4 behaves so, and without it objects overlap. */
        source->cap.free_index = 1ull << source->cap.bits;
    }
    if (source->original) {
        insert_first_child(source, n);
    } else {
        insert_after(source, n);
    }
    set_slot(dest, n);
    return n;
}

m_node_t *model_insert_copy(model_t *m, m_slot_t *source, m_slot_t *dest, m_cap_t cap)
{
    return insert_derived(m, source->node, dest, cap);
}

/* --- lookups (ABI 1.7) ----------------------------------------------------- */

typedef struct resolved {
    lookup_failure_t failure;
    m_slot_t *slot;
    uint64_t remaining;
} resolved_t;

#define MAX_PATH 64

typedef struct path {
    m_slot_t *slots[MAX_PATH];
    uint64_t versions[MAX_PATH];
    unsigned n;
} path_t;

static void path_add(path_t *p, m_slot_t *s)
{
    if (p != NULL && p->n < MAX_PATH) {
        p->slots[p->n] = s;
        p->versions[p->n] = s->version;
        p->n++;
    }
}

/* ABI 1.7 steps 1-2: resolve n bits of cptr from the CNode cap `root`.
 * Slots whose CNode caps the walk goes through are added to `path`. */
static resolved_t resolve(const m_cap_t *root, uint64_t cptr, uint64_t n, path_t *path)
{
    resolved_t r = { .remaining = n };
    if (root->type != M_CNODE) {
        r.failure = (lookup_failure_t){ 1, { LF_INVALID_ROOT } };
        return r;
    }
    const m_cap_t *cnode = root;
    for (;;) {
        uint64_t g = cnode->guard_size, radix = cnode->bits, level = g + radix;
        if (g > n || (g > 0 && ((cptr >> (n - g)) & low_bits((unsigned)g)) != cnode->guard)) {
            r.failure = (lookup_failure_t){ 4, { LF_GUARD, n, cnode->guard, g } };
            return r;
        }
        if (level > n) {
            r.failure = (lookup_failure_t){ 3, { LF_DEPTH, n, level } };
            return r;
        }
        uint64_t index = (cptr >> (n - level)) & low_bits((unsigned)radix);
        m_slot_t *slot = &cnode->object->slots[index];
        if (n == level) {
            r.slot = slot;
            r.remaining = 0;
            return r;
        }
        n -= level;
        if (slot->node == NULL || slot->node->cap.type != M_CNODE) {
            r.slot = slot;
            r.remaining = n;
            return r;
        }
        path_add(path, slot);
        cnode = &slot->node->cap;
    }
}

m_slot_t *model_resolve_slot(const m_cap_t *root, uint64_t cptr, unsigned n_bits,
                             uint64_t *bits_remaining)
{
    resolved_t r = resolve(root, cptr, n_bits, NULL);
    if (bits_remaining != NULL) {
        *bits_remaining = r.remaining;
    }
    return r.failure.n ? NULL : r.slot;
}

/* ABI 1.7 step 4: a CNode-style (index, depth) lookup. */
static result_t lookup_slot(const m_cap_t *root, uint64_t index, uint64_t depth, bool source,
                            m_slot_t **slot, path_t *path)
{
    if (root->type != M_CNODE) {
        return err_lookup(source, (lookup_failure_t){ 1, { LF_INVALID_ROOT } });
    }
    if (depth < 1 || depth > 64) {
        return err_range(1, 64);
    }
    resolved_t r = resolve(root, index, depth, path);
    if (r.failure.n != 0) {
        return err_lookup(source, r.failure);
    }
    if (r.remaining != 0) {
        return err_lookup(source, (lookup_failure_t){ 3, { LF_DEPTH, r.remaining, 0 } });
    }
    *slot = r.slot;
    return ok();
}

static const m_cap_t null_cap = { .type = M_NULL };

static const m_cap_t *slot_cap(const m_slot_t *s)
{
    return s != NULL && s->node != NULL ? &s->node->cap : &null_cap;
}

/* --- deletion (manual, "Deletion and Revocation") --------------------------
 *
 * Deleting a cap that is not the last cap to a CNode or TCB just removes it.
 * Deleting the last one destroys the object, which first deletes every cap in
 * its slots. To bound the recursion the manual describes: "if the last
 * capability to a CNode is found within the container, the found CNode is not
 * destroyed. Instead, the found CNode is made unreachable by moving the
 * capability pointing to the found CNode into the found cnode itself, by
 * swapping the capability with the first capability in the found cnode, and
 * then trying to delete the swapped capability instead." The same holds for
 * TCBs (their slots are the TCB's cap slots).
 *
 * The cap of an object being destroyed becomes a zombie that counts the slots
 * still to empty; slots are emptied from the last one down (seL4's order; the
 * manual does not fix it, Keel follows it). A zombie parked in its own
 * object's first slot stays there until something deletes it as a target
 * (Revoke of a covering untyped reaches it: manual, same section). */

static void delete_cap(model_t *m, m_slot_t *slot, bool exposed);

static void swap_slots(m_slot_t *a, m_slot_t *b)
{
    m_node_t *x = a->node, *y = b->node;
    set_slot(a, y);
    set_slot(b, x);
}

/* `exposed`: the slot is the target of an invocation (Delete, or a
 * descendant that Revoke deletes) and must end empty. Not exposed: a slot of
 * an object being destroyed, where a zombie may be parked instead. */
static void delete_cap(model_t *m, m_slot_t *slot, bool exposed)
{
    for (;;) {
        m_node_t *n = slot->node;
        if (n == NULL) {
            return;
        }
        m_cap_t *c = &n->cap;
        if (c->type == M_ZOMBIE) {
            m_slot_t *first = &c->object->slots[0];
            if (c->zombie_count == 0 || (c->zombie_count == 1 && slot == first)) {
                remove_node(m, n); /* nothing left to empty */
                return;
            }
            if (!exposed) {
                if (slot == first) {
                    return; /* parked in its own object: unreachable from now on */
                }
                swap_slots(slot, first); /* park it; delete what was in the first slot */
                m->events.parked++;
                continue;
            }
            m_slot_t *last = &c->object->slots[c->zombie_count - 1];
            uint64_t count = c->zombie_count;
            delete_cap(m, last, false);
            /* Count the slot as done if the zombie is still here and the
             * slot is empty (the nested delete may have parked the zombie, or
             * a zombie, in it). */
            if (slot->node == n && n->cap.zombie_count == count && last->node == NULL) {
                n->cap.zombie_count = count - 1;
                touch(slot);
            }
            continue;
        }
        if (is_container_cap(c) && c->object->refs == 1) {
            /* The last cap: the object is destroyed through a zombie. */
            c->zombie_tcb = c->type == M_TCB;
            c->zombie_count = c->object->nslots;
            c->type = M_ZOMBIE;
            touch(slot);
            m->events.zombies++;
            continue;
        }
        remove_node(m, n);
        return;
    }
}

/* ABI 5.4.3 Revoke: delete every descendant, first descendant first, while
 * the target cap is still in its slot (manual: a revoke that destroys its own
 * target's storage stops part way). */
static void revoke_cap(model_t *m, m_slot_t *slot)
{
    m_node_t *target = slot->node;
    if (target == NULL) {
        return;
    }
    while (slot->node == target && target->first_child != NULL) {
        delete_cap(m, target->first_child->slot, true);
    }
    if (slot->node != target) {
        m->events.partial_revokes++;
    }
}

/* --- Untyped_Retype (ABI 4.3) --------------------------------------------- */

typedef struct ctx {
    model_t *m;
    uint64_t label;
    uint64_t length;
    const uint64_t *mr;
    m_slot_t *invoked;
    m_slot_t *extra[3];
    unsigned extra_count;
    path_t *path;
    m_slot_t *revoke_target; /* Revoke's target, which must stay for a restart */
} ctx_t;

/* Object size as a power of two (ABI 4.1), for size_bits < 64. */
static uint64_t object_bits(uint64_t type, uint64_t size_bits)
{
    switch (type) {
    case T_UNTYPED:
        return size_bits;
    case T_TCB:
        return 11;
    case T_ENDPOINT:
        return 4;
    case T_NOTIFICATION:
        return 5;
    case T_CNODE:
        return size_bits + SLOT_BITS;
    case T_HUGE_PAGE:
        return 30;
    case T_LARGE_PAGE:
        return 21;
    default: /* VSpace, small page, page table */
        return 12;
    }
}

/* The new object's original cap (ABI 4.3 "Initial state"). */
static m_cap_t new_object(model_t *m, uint64_t type, uint64_t addr, uint64_t size_bits, bool device)
{
    m_cap_t c = { .addr = addr };
    switch (type) {
    case T_UNTYPED:
        c.type = M_UNTYPED;
        c.bits = (unsigned)size_bits;
        c.device = device;
        c.free_index = 0;
        break;
    case T_TCB:
        c.type = M_TCB;
        c.object = model_add_container(m, true, addr, M_TCB_SLOTS);
        break;
    case T_ENDPOINT:
        c.type = M_ENDPOINT;
        c.rights = 0xf;
        break;
    case T_NOTIFICATION:
        c.type = M_NOTIFICATION;
        c.rights = 0x3;
        break;
    case T_CNODE:
        c.type = M_CNODE;
        c.bits = (unsigned)size_bits;
        c.object = model_add_container(m, false, addr, 1u << size_bits);
        break;
    case T_HUGE_PAGE:
    case T_SMALL_PAGE:
    case T_LARGE_PAGE:
        c.type = M_FRAME;
        c.bits = (unsigned)object_bits(type, 0);
        c.rights = M_VM_READ_WRITE;
        c.device = device;
        break;
    case T_VSPACE:
        c.type = M_VSPACE;
        break;
    default:
        c.type = M_PAGE_TABLE;
        break;
    }
    return c;
}

static result_t untyped_retype(ctx_t *x)
{
    /* 2 */
    if (x->length < 6 || x->extra_count < 1) {
        return err(E_TRUNCATED);
    }
    uint64_t type = x->mr[0], size_bits = x->mr[1], node_index = x->mr[2], node_depth = x->mr[3],
             node_offset = x->mr[4], num = x->mr[5];
    /* 3 */
    if (type >= T_COUNT) {
        return err1(E_INVALID_ARGUMENT, 0);
    }
    /* 4 */
    if (size_bits >= 64 || object_bits(type, size_bits) > MAX_UNTYPED_BITS) {
        return err_range(0, MAX_UNTYPED_BITS);
    }
    uint64_t bits = object_bits(type, size_bits);
    /* 5 */
    if ((type == T_CNODE && size_bits == 0) ||
        (type == T_UNTYPED && size_bits < MIN_UNTYPED_BITS)) {
        return err1(E_INVALID_ARGUMENT, 1);
    }
    /* 6 */
    const m_cap_t *root = slot_cap(x->extra[0]);
    const m_cap_t *dest = root;
    if (node_depth != 0) {
        m_slot_t *slot;
        result_t r = lookup_slot(root, node_index, node_depth, false, &slot, NULL);
        if (r.error) {
            return r;
        }
        dest = slot_cap(slot);
    }
    /* 7 */
    if (dest->type != M_CNODE) {
        return err_lookup(false, lf_missing(node_depth));
    }
    /* 8-10 */
    uint64_t slots = 1ull << dest->bits;
    if (node_offset > slots - 1) {
        return err_range(0, slots - 1);
    }
    if (num < 1 || num > FAN_OUT_LIMIT) {
        return err_range(1, FAN_OUT_LIMIT);
    }
    if (num > slots - node_offset) {
        return err_range(1, slots - node_offset);
    }
    /* 11 */
    m_container_t *cnode = dest->object;
    for (uint64_t i = node_offset; i < node_offset + num; i++) {
        if (cnode->slots[i].node != NULL) {
            return err(E_DELETE_FIRST);
        }
    }
    /* 12 */
    m_node_t *u = x->invoked->node;
    bool reset = u->first_child == NULL;
    uint64_t free_index = reset ? 0 : u->cap.free_index;
    uint64_t available = (1ull << u->cap.bits) - free_index;
    if ((available >> bits) < num) {
        return err1(E_NOT_ENOUGH_MEMORY, available);
    }
    /* 13 */
    if (u->cap.device && type != T_UNTYPED && type != T_HUGE_PAGE && type != T_SMALL_PAGE &&
        type != T_LARGE_PAGE) {
        return err1(E_INVALID_ARGUMENT, 1);
    }
    /* 14 */
    uint64_t start = (free_index + low_bits((unsigned)bits)) & ~low_bits((unsigned)bits);
    for (uint64_t i = 0; i < num; i++) {
        m_cap_t c =
            new_object(x->m, type, u->cap.addr + start + (i << bits), size_bits, u->cap.device);
        m_node_t *n = new_node(x->m, c, true);
        insert_first_child(u, n);
        set_slot(&cnode->slots[node_offset + i], n);
    }
    u->cap.free_index = start + (num << bits);
    return ok();
}

/* --- CNode methods (ABI 5.4.3) --------------------------------------------- */

static void move_cap(m_slot_t *from, m_slot_t *to, const m_cap_t *cap)
{
    m_node_t *n = from->node;
    n->cap = *cap;
    set_slot(from, NULL);
    set_slot(to, n);
}

/* Copy, Mint, Move, Mutate. */
static result_t copy_family(ctx_t *x, m_slot_t *dest)
{
    if (x->length < 4 || x->extra_count < 1) {
        return err(E_TRUNCATED);
    }
    if (dest->node != NULL) {
        return err(E_DELETE_FIRST);
    }
    m_slot_t *src;
    result_t r = lookup_slot(slot_cap(x->extra[0]), x->mr[2], x->mr[3], true, &src, NULL);
    if (r.error) {
        return r;
    }
    if (src->node == NULL) {
        return err_lookup(true, lf_missing(x->mr[3]));
    }
    m_cap_t cap = src->node->cap;
    if (x->label == L_CNODE_MOVE) {
        move_cap(src, dest, &cap);
        return ok();
    }
    uint64_t needed = x->label == L_CNODE_MINT ? 6 : 5;
    if (x->length < needed) {
        return err(E_TRUNCATED);
    }
    if (x->label == L_CNODE_MUTATE) {
        if (!update_data(&cap, true, x->mr[4])) {
            return err(E_ILLEGAL_OPERATION);
        }
        move_cap(src, dest, &cap);
        return ok();
    }
    mask_rights(&cap, x->mr[4]);
    if (x->label == L_CNODE_MINT && !update_data(&cap, false, x->mr[5])) {
        return err(E_ILLEGAL_OPERATION);
    }
    r = derive(src->node, &cap);
    if (r.error) {
        return r;
    }
    insert_derived(x->m, src->node, dest, cap);
    return ok();
}

static result_t rotate(ctx_t *x, m_slot_t *dest)
{
    if (x->length < 8 || x->extra_count < 2) {
        return err(E_TRUNCATED);
    }
    uint64_t dest_data = x->mr[2], pivot_index = x->mr[3], pivot_depth = x->mr[4],
             pivot_data = x->mr[5], src_index = x->mr[6], src_depth = x->mr[7];
    m_slot_t *src, *pivot;
    result_t r = lookup_slot(slot_cap(x->extra[1]), src_index, src_depth, true, &src, NULL);
    if (r.error) {
        return r;
    }
    r = lookup_slot(slot_cap(x->extra[0]), pivot_index, pivot_depth, true, &pivot, NULL);
    if (r.error) {
        return r;
    }
    if (pivot == src || pivot == dest) {
        return err(E_ILLEGAL_OPERATION);
    }
    if (src != dest && dest->node != NULL) {
        return err(E_DELETE_FIRST);
    }
    if (src->node == NULL) {
        return err_lookup(true, lf_missing(src_depth));
    }
    if (pivot->node == NULL) {
        return err_lookup(false, lf_missing(pivot_depth));
    }
    m_cap_t to_dest = pivot->node->cap, to_pivot = src->node->cap;
    if (!update_data(&to_dest, true, dest_data) || !update_data(&to_pivot, true, pivot_data)) {
        return err(E_ILLEGAL_OPERATION);
    }
    if (src == dest) {
        pivot->node->cap = to_dest;
        src->node->cap = to_pivot;
        swap_slots(src, pivot);
    } else {
        move_cap(pivot, dest, &to_dest);
        move_cap(src, pivot, &to_pivot);
    }
    return ok();
}

static result_t cnode_method(ctx_t *x)
{
    if (x->label < L_CNODE_REVOKE || x->label > L_CNODE_SAVE_CALLER) {
        return err(E_ILLEGAL_OPERATION);
    }
    if (x->length < 2) {
        return err(E_TRUNCATED);
    }
    m_slot_t *dest;
    result_t r = lookup_slot(slot_cap(x->invoked), x->mr[0], x->mr[1], false, &dest, x->path);
    if (r.error) {
        return r;
    }
    switch (x->label) {
    case L_CNODE_REVOKE:
        x->revoke_target = dest;
        path_add(x->path, dest);
        revoke_cap(x->m, dest);
        return ok();
    case L_CNODE_DELETE:
        delete_cap(x->m, dest, true);
        return ok();
    case L_CNODE_CANCEL_BADGED_SENDS: {
        const m_cap_t *c = slot_cap(dest);
        if (c->type != M_ENDPOINT || c->rights != 0xf) {
            return err(E_ILLEGAL_OPERATION);
        }
        return ok(); /* nobody is ever blocked sending here */
    }
    case L_CNODE_ROTATE:
        return rotate(x, dest);
    case L_CNODE_SAVE_CALLER:
        /* The thread has no reply cap: nothing moves. */
        return dest->node != NULL ? err(E_DELETE_FIRST) : ok();
    default:
        return copy_family(x, dest);
    }
}

/* --- the invocation path (ABI 1.4, 2.1, 3.2, 5.4, 6) ------------------------ */

/* ABI 3.2: the buffer is absent without a frame cap, with a device frame, and
 * (for the kernel's writes) unless the frame is ReadWrite; kernel-only frames
 * give no access at all. */
static bool has_buffer(const model_t *m, bool writing)
{
    const m_cap_t *f = slot_cap(&m->thread->slots[M_TCB_IPC_BUFFER]);
    if (f->type != M_FRAME || f->device || f->rights == M_VM_KERNEL_ONLY) {
        return false;
    }
    return !writing || f->rights == M_VM_READ_WRITE;
}

/* Reply for an invoked cap of a type the model knows. */
static result_t dispatch(ctx_t *x, bool *unmodelled, uint64_t *reply_words, unsigned *reply_n)
{
    const m_cap_t *c = slot_cap(x->invoked);
    switch (c->type) {
    case M_NULL:
        return err1(E_INVALID_CAPABILITY, 0);
    case M_UNTYPED:
        return x->label == L_UNTYPED_RETYPE ? untyped_retype(x) : err(E_ILLEGAL_OPERATION);
    case M_CNODE:
        return cnode_method(x);
    case M_FRAME:
        if (x->label == L_PAGE_GET_ADDRESS) {
            reply_words[0] = c->addr;
            *reply_n = 1;
            return ok();
        }
        if (x->label >= L_PAGE_FIRST && x->label < L_PAGE_GET_ADDRESS) {
            break;
        }
        return err(E_ILLEGAL_OPERATION);
    case M_TCB:
        if (x->label >= L_TCB_FIRST && x->label <= L_TCB_LAST) {
            break;
        }
        return err(E_ILLEGAL_OPERATION);
    case M_PAGE_TABLE:
        if (x->label == L_PAGE_TABLE_MAP || x->label == L_PAGE_TABLE_UNMAP) {
            break;
        }
        return err(E_ILLEGAL_OPERATION);
    case M_VSPACE:
        if (x->label >= L_VSPACE_FIRST && x->label <= L_VSPACE_LAST) {
            break;
        }
        return err(E_ILLEGAL_OPERATION);
    default:
        break;
    }
    *unmodelled = true;
    return ok();
}

static bool path_intact(const path_t *p)
{
    for (unsigned i = 0; i < p->n; i++) {
        if (p->slots[i]->version != p->versions[i]) {
            return false;
        }
    }
    return true;
}

static void set_fault(m_reply_t *r, uint64_t cptr, lookup_failure_t f)
{
    r->outcome = M_CAP_FAULT;
    r->fault_cptr = cptr;
    r->fault_words = f.n;
    memcpy(r->fault_lookup, f.w, f.n * sizeof(uint64_t));
}

static m_reply_t call_model(model_t *m, const m_call_t *call);

m_reply_t model_call(model_t *m, const m_call_t *call)
{
    m_reply_t r = call_model(m, call);
    free_the_dead(m);
    return r;
}

static m_reply_t call_model(model_t *m, const m_call_t *call)
{
    m_reply_t reply = { .outcome = M_REPLY, .restartable = true };
    const m_cap_t *cspace = slot_cap(&m->thread->slots[M_TCB_CSPACE]);
    /* ABI 2.1 and 3.2: length clamped to 120, and to 4 without a buffer;
     * extra caps only with a buffer. */
    uint64_t length = call->length & low_bits(seL4_MsgLengthBits);
    if (length > seL4_MsgMaxLength) {
        length = seL4_MsgMaxLength;
    }
    bool buffer = has_buffer(m, false);
    if (!buffer && length > 4) {
        length = 4;
    }
    path_t path = { .n = 0 };
    /* ABI 1.7 step 3: x0 is a CPtr lookup; failure is a cap fault. */
    resolved_t invoked = resolve(cspace, call->cptr, 64, &path);
    if (invoked.failure.n) {
        set_fault(&reply, call->cptr, invoked.failure);
        return reply;
    }
    path_add(&path, invoked.slot);
    ctx_t x = {
        .m = m,
        .label = call->label,
        .length = length,
        .mr = call->mr,
        .invoked = invoked.slot,
        .path = &path,
    };
    unsigned requested = buffer ? (unsigned)(call->extra_count & 3) : 0;
    for (unsigned i = 0; i < requested; i++) {
        resolved_t e = resolve(cspace, call->extra[i], 64, NULL);
        if (e.failure.n) {
            set_fault(&reply, call->extra[i], e.failure);
            return reply;
        }
        x.extra[x.extra_count++] = e.slot;
    }
    bool unmodelled = false;
    uint64_t words[8];
    unsigned nwords = 0;
    result_t r = dispatch(&x, &unmodelled, words, &nwords);
    if (unmodelled) {
        reply.outcome = M_UNMODELLED;
        return reply;
    }
    reply.restartable = path_intact(&path);
    if (r.error) {
        reply.label = r.error;
        memcpy(words, r.words, sizeof(r.words));
        nwords = r.nwords;
    }
    /* ABI 6.1: MRs from 4 on need a writable buffer; the length counts the
     * MRs delivered. */
    bool writable = has_buffer(m, true);
    for (unsigned i = 0; i < nwords && (i < 4 || writable); i++) {
        reply.mr[i] = words[i];
        reply.length = i + 1;
    }
    return reply;
}
