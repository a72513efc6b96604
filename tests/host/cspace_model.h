/* A reference model of the seL4 CSpace, capability derivation tree and
 * Untyped_Retype, written from the ABI document (abi-aarch64.md §1.6-1.7,
 * §2.2-2.4, §3.2, §4.1-4.3, §5.4.1, §5.4.3, §5.6, §6) and the manual's
 * "Capability Spaces" chapter, sharing no code with the kernel.
 *
 * State: containers of slots (CNodes, TCBs), each slot empty or holding a
 * capability; every capability is a node of an explicit tree (a parent
 * pointer and an ordered list of children); untyped caps carry their free
 * index. The model answers one Call at a time with the reply or the cap
 * fault the ABI prescribes, and changes its state as the ABI says.
 *
 * The model does not know how the kernel lays anything out: addresses are
 * the ones the ABI's placement rule gives (§4.3 step 14), and the test maps
 * model slots to kernel slots. */
#pragma once

#include <keel/gen/abi.h>
#include <stdbool.h>
#include <stdint.h>

enum m_type {
    M_NULL,
    M_UNTYPED,
    M_TCB,
    M_ENDPOINT,
    M_NOTIFICATION,
    M_CNODE,
    M_FRAME,
    M_PAGE_TABLE,
    M_VSPACE,
    M_ZOMBIE, /* what is left of the last cap to a CNode or TCB being destroyed */
};

/* Frame access rights (ABI 2.2: ReadWrite, ReadOnly, kernel only). */
enum m_vm_rights { M_VM_KERNEL_ONLY, M_VM_READ_ONLY, M_VM_READ_WRITE };

typedef struct m_container m_container_t;
typedef struct m_node m_node_t;

typedef struct m_cap {
    enum m_type type;
    uint64_t addr;         /* the object (for a zombie: the object being destroyed) */
    unsigned bits;         /* untyped: size bits; CNode and CNode zombie: radix; frame: size bits */
    bool device;           /* untyped, frame */
    uint64_t badge;        /* endpoint, notification */
    unsigned rights;       /* endpoint: W R G GR bits; notification: W R bits; frame: m_vm_rights */
    unsigned guard_size;   /* CNode */
    uint64_t guard;        /* CNode, already masked to guard_size bits */
    uint64_t free_index;   /* untyped: bytes from its base in use */
    bool zombie_tcb;       /* zombie: of a TCB, else of a CNode */
    uint64_t zombie_count; /* zombie: slots of the object still to empty */
    m_container_t *object; /* CNode, TCB, zombie: the object's slots */
} m_cap_t;

typedef struct m_slot {
    m_node_t *node; /* NULL: empty */
    m_container_t *owner;
    unsigned index;
    uint64_t version; /* bumped on every change */
} m_slot_t;

struct m_container {
    bool is_tcb;
    uint64_t addr;
    unsigned nslots;
    unsigned refs; /* caps (and zombies) naming this object */
    m_slot_t *slots;
    unsigned registry_index;
    m_container_t *next_dead;
};

struct m_node {
    m_cap_t cap;
    bool original;    /* manual: an "original" cap, which may have children */
    m_node_t *parent; /* the tree's sentinel for roots */
    m_node_t *first_child;
    m_node_t *prev, *next; /* siblings, in order */
    m_slot_t *slot;
};

typedef struct model {
    m_node_t sentinel;          /* its children are the roots of the derivation tree */
    m_container_t **containers; /* live objects with slots */
    unsigned container_count, container_capacity;
    unsigned node_count;
    m_container_t *thread; /* the calling thread's TCB (slot 0: CSpace root, 4: IPC buffer) */
    /* Counts of what happened, for judging how much the tests exercise. */
    struct {
        unsigned long zombies, parked, destroyed, partial_revokes, reparented;
    } events;
    m_node_t *dead_nodes; /* destroyed during the current call */
    m_container_t *dead_containers;
} model_t;

/* TCB slots as the ABI uses them. */
#define M_TCB_SLOTS 5
#define M_TCB_CSPACE 0
#define M_TCB_IPC_BUFFER 4

void model_init(model_t *m);
void model_free(model_t *m);
m_container_t *model_add_container(model_t *m, bool is_tcb, uint64_t addr, unsigned nslots);
/* Setup: a new root of the tree in an empty slot; a derived copy. */
m_node_t *model_insert_root(model_t *m, m_slot_t *slot, m_cap_t cap);
m_node_t *model_insert_copy(model_t *m, m_slot_t *source, m_slot_t *dest, m_cap_t cap);

/* A Call as the thread makes it: x0, the tag fields, MRs, caps_or_badges. */
typedef struct m_call {
    uint64_t cptr;
    uint64_t label, length, extra_count;
    uint64_t mr[seL4_MsgMaxLength];
    uint64_t extra[seL4_MsgMaxExtraCaps];
} m_call_t;

typedef enum m_outcome {
    M_REPLY,      /* the kernel replies (success or error): label, length, mr */
    M_CAP_FAULT,  /* a lookup of x0 or an extra cap failed: fault_cptr, fault_lookup */
    M_UNMODELLED, /* outside the model (IPC, TCB, VM methods): not to be run */
} m_outcome_t;

typedef struct m_reply {
    m_outcome_t outcome;
    uint64_t label; /* 0 or the seL4_Error */
    unsigned length;
    uint64_t mr[8];
    uint64_t fault_cptr;
    uint64_t fault_lookup[4]; /* lookup failure description, ABI 6.2 */
    unsigned fault_words;
    /* Whether the Call may be preempted and restarted with the same result:
     * false when the operation changes a slot its own lookups went through
     * (the restarted call would resolve differently). */
    bool restartable;
} m_reply_t;

m_reply_t model_call(model_t *m, const m_call_t *call);

/* CPtr resolution (ABI 1.7) for test generators: the slot reached (or NULL
 * on a lookup failure) resolving n_bits of cptr from the CNode cap `root`. */
m_slot_t *model_resolve_slot(const m_cap_t *root, uint64_t cptr, unsigned n_bits,
                             uint64_t *bits_remaining);

/* Is `a` an ancestor of `d` in the tree? */
bool model_is_ancestor(const m_node_t *a, const m_node_t *d);
/* Number of descendants of n. */
unsigned model_descendant_count(const m_node_t *n);
