/* The start page: what a component or program finds at KEEL_STARTINFO_VADDR
 * (x0 at entry) -- its name, its arguments and environment, and every
 * capability and memory region it was given, by name (docs/os.md). Written
 * by whoever builds the process (rs for components, pm for programs);
 * read-only to the process. */
#pragma once

#include <stdint.h>

#define KEEL_STARTINFO_MAGIC 0x4f4c45454b53ull /* "KEELSO" */
#define KEEL_STARTINFO_VERSION 1

/* Fixed places in every process's VSpace (the ELF is linked below
 * KEEL_REGIONS_VADDR; programs at 0x400000). */
#define KEEL_STARTINFO_VADDR 0x7ff00000ul /* up to KEEL_STARTINFO_SIZE bytes, read-only */
#define KEEL_STARTINFO_SIZE 0x4000ul      /* at most 4 pages (those up to the end of the strings) */
#define KEEL_IPCBUF_VADDR 0x7ff04000ul    /* one page, the IPC buffer */
#define KEEL_STACK_TOP 0x7fe00000ul       /* the stack grows down; guard page below */
#define KEEL_REGIONS_VADDR 0x40000000ul   /* shared regions, device frames, data window */

/* The CSpace: one CNode of 2^KEEL_CNODE_BITS slots, guard 64 - bits, so a
 * slot number is a cptr at depth 64. */
#define KEEL_CNODE_BITS 12
enum keel_slot {
    KEEL_SLOT_NULL = 0,
    KEEL_SLOT_TCB = 1,    /* its own TCB */
    KEEL_SLOT_CNODE = 2,  /* its own CNode */
    KEEL_SLOT_VSPACE = 3, /* its own VSpace */
    KEEL_SLOT_FAULT = 4,  /* its fault endpoint, badged by its builder */
    KEEL_SLOT_FIRST_FREE = 16,
};

enum keel_cap_kind {
    KEEL_CAP_ENDPOINT = 1,     /* a client's cap to a service (Send, GrantReply) */
    KEEL_CAP_SERVICE = 2,      /* a server's own endpoint (Receive) */
    KEEL_CAP_NOTIFICATION = 3, /* a notification it may signal ("to") or wait on ("from") */
    KEEL_CAP_IRQ = 4,          /* an IRQ handler (Ack) */
    KEEL_CAP_UNTYPED = 5,      /* memory to build objects from (pm) */
    KEEL_CAP_REGION = 6,       /* mapped memory: channel, data window, device (vaddr, size) */
    KEEL_CAP_ASID_POOL = 7,    /* to give new VSpaces an ASID (pm) */
    KEEL_CAP_OTHER = 8,
};

#define KEEL_NAME_MAX 32
#define KEEL_STARTINFO_CAPS 64
#define KEEL_STARTINFO_ARGS_MAX 256 /* argc + envc */

typedef struct keel_startcap {
    char name[KEEL_NAME_MAX]; /* NUL-terminated: "vfs", "uart.ring", "irq", ... */
    uint32_t kind;            /* enum keel_cap_kind */
    uint32_t flags;           /* kind-specific (region: KEEL_REGION_*) */
    uint64_t cptr;            /* slot in its CNode (0 if the entry is only a region) */
    uint64_t vaddr;           /* regions: where it is mapped */
    union {
        uint64_t size;  /* regions: bytes; untyped: 2^size_bits bytes */
        uint64_t badge; /* notifications and IRQs: the bits this source raises in the
                           process's own notification ("notify"); endpoints: the
                           badge its server sees */
    };
} keel_startcap_t;

/* An endpoint entry: unbadged, to mint badged copies for clients the
 * process makes ("use NAME mint"); its badge field holds the bits every
 * minted badge must carry (rs's clients: RS_CLIENT_BADGE). */
#define KEEL_ENDPOINT_MINT 1u

#define KEEL_REGION_WRITABLE 1u
#define KEEL_REGION_DEVICE 2u
/* A dma grant's pages: the entry's cptr is the first of its frame caps, one
 * per page in consecutive slots, which seL4_ARM_Page_GetAddress asks for
 * the physical address a device needs. */
#define KEEL_REGION_DMA 4u
/* A notification entry: the process's own notification, bound to its TCB
 * (named "notify"); without the flag, a cap to signal another's. */
#define KEEL_NOTIFY_OWN 1u

/* Set in every badge that signals a process's own notification, never in a
 * client's endpoint badge: after a Recv on its endpoint, a badge with this
 * bit is the notification word (the sources' bits), not a message. */
#define KEEL_BADGE_NOTIFY (1ull << 63)

/* rs's heartbeat ping (docs/reliability.md): the bit of a process's own
 * notification that rs raises to ask "are you alive?"; the process answers
 * by signalling its "heartbeat" entry (user/os/drivers/grant.h does). No
 * grant's bit is ever this one. */
#define KEEL_BADGE_HEARTBEAT (1ull << 62)

/* The label of the message a process sends on its fault endpoint when it
 * ends without pm (keel/os/start.h keel_os_exit): above every seL4 fault
 * label. */
#define KEEL_EXIT_LABEL 0x45584954ul /* "EXIT" */

/* The slots entry e takes from its cptr on: one for a cap; for a region,
 * none, or one frame cap per page if it was given its frames (cptr set:
 * KEEL_GRANT_FRAMES in the description). */
static inline uint64_t keel_startcap_slots(const keel_startcap_t *e)
{
    if (e->cptr == 0) {
        return 0;
    }
    return e->kind == KEEL_CAP_REGION ? e->size / 4096 : 1;
}

typedef struct keel_startinfo {
    uint64_t magic;   /* KEEL_STARTINFO_MAGIC */
    uint64_t version; /* KEEL_STARTINFO_VERSION */
    char name[KEEL_NAME_MAX];
    uint64_t pid;        /* programs: the pid pm gave it; components: 0 */
    uint64_t stack_top;  /* initial sp */
    uint64_t stack_size; /* bytes mapped below stack_top */
    uint64_t heap_start; /* sbrk starts here (page aligned, after the ELF) */
    uint64_t ncaps;
    keel_startcap_t caps[KEEL_STARTINFO_CAPS];
    /* argv and envp: argc strings then envc strings, each NUL-terminated, at
     * strings[0..strings_len) of this page. */
    uint64_t argc;
    uint64_t envc;
    uint64_t strings_len;
    char strings[];
} keel_startinfo_t;

_Static_assert(sizeof(keel_startcap_t) == 64, "keel_startcap_t is 64 bytes");
_Static_assert(sizeof(keel_startinfo_t) < KEEL_STARTINFO_SIZE,
               "the start page has room for strings");

/* The capability named `name`, or NULL. */
static inline const keel_startcap_t *keel_startinfo_find(const keel_startinfo_t *si,
                                                         const char *name)
{
    for (uint64_t i = 0; i < si->ncaps && i < KEEL_STARTINFO_CAPS; i++) {
        const char *a = si->caps[i].name;
        const char *b = name;
        while (*a != '\0' && *a == *b) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0') {
            return &si->caps[i];
        }
    }
    return 0;
}
