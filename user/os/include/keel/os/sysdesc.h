/* The binary system description: what tools/mksystem.py compiles
 * system/keel.system into (file "system" of the boot archive) and rs reads
 * (docs/os.md, "Description format" has the text form and the meaning of
 * every field). Little-endian, every table 8-byte aligned at the offset the
 * header gives:
 *
 *   header | components[] | grants[] | services[] | channels[] | strings
 *
 * A component's grants are grants[first_grant .. first_grant + ngrants), in
 * the order of the description, which is the order of its start page's caps
 * and of its CNode slots. rs checks every index, offset and name before
 * using it (user/os/rs/sysdesc.c). */
#pragma once

#include <keel/os/archive.h>
#include <keel/os/startinfo.h>
#include <stdint.h>

#define KEEL_SYSDESC_MAGIC 0x315359534c45454bull /* "KEELSYS1" */
#define KEEL_SYSDESC_VERSION 1
#define KEEL_SYSDESC_FILE "system" /* its name in the boot archive */

/* Limits both mksystem and rs enforce. */
#define KEEL_SYSDESC_MAX_COMPONENTS 64
#define KEEL_SYSDESC_MAX_NOTIFY_BITS 62 /* channel ends + IRQs of one component */
/* Components with a heartbeat, and channels whose client is rs: each is a
 * bit of rs's own notification (user/os/rs/heartbeat.c). */
#define KEEL_SYSDESC_MAX_HEARTBEATS 48
#define KEEL_SYSDESC_MAX_RS_CHANNELS 8
#define KEEL_PRIORITY_MAX 254 /* rs runs at 255, above every component */

typedef struct keel_sysdesc {
    uint64_t magic; /* KEEL_SYSDESC_MAGIC */
    uint32_t version;
    uint32_t size; /* bytes of the whole description */
    uint32_t ncomponents;
    uint32_t components; /* offset of keel_sysdesc_component_t[ncomponents] */
    uint32_t ngrants;
    uint32_t grants; /* offset of keel_sysdesc_grant_t[ngrants] */
    uint32_t nservices;
    uint32_t services; /* offset of keel_sysdesc_service_t[nservices] */
    uint32_t nchannels;
    uint32_t channels; /* offset of keel_sysdesc_channel_t[nchannels] */
    uint32_t strings;  /* offset of the string table */
    uint32_t strings_size;
    uint64_t reserved;
} keel_sysdesc_t;

enum keel_restart {
    KEEL_RESTART_NEVER = 0,
    KEEL_RESTART_ALWAYS = 1,
    KEEL_RESTART_HALT = 2, /* the unrecoverable core: its failure stops the system */
};

typedef struct keel_sysdesc_component {
    char name[KEEL_NAME_MAX];
    char elf[KEEL_ARCHIVE_NAME_MAX]; /* the archive file holding its ELF */
    uint64_t quota;                  /* bytes, a power of two: its one untyped */
    uint64_t stack;                  /* bytes, a multiple of 4 KiB */
    uint32_t priority;               /* 1 .. KEEL_PRIORITY_MAX */
    uint32_t first_grant;
    uint32_t ngrants;
    uint32_t argc; /* argv[0] is the name; then the description's args */
    uint32_t envc;
    uint32_t args;      /* offset in the string table: argc then envc strings, each NUL-ended */
    uint32_t args_size; /* bytes */
    /* Restart policy (docs/reliability.md). */
    uint32_t restart;      /* enum keel_restart */
    uint32_t heartbeat_ms; /* rs pings it this often; 0: never */
    uint32_t backoff_ms;   /* the first delay of a run of failures; 0: none */
    uint32_t restart_limit;
    uint32_t reserved;
} keel_sysdesc_component_t;

enum keel_grant_kind {
    KEEL_GRANT_SERVE = 1,     /* target: service; its endpoint, to receive on; KEEL_GRANT_MINT */
    KEEL_GRANT_USE = 2,       /* target: service; badge; flags KEEL_GRANT_CAN_GRANT, _USE_MINT */
    KEEL_GRANT_DEVICE = 3,    /* paddr, size: device pages mapped uncached at vaddr */
    KEEL_GRANT_IRQ = 4,       /* irq, flags KEEL_GRANT_EDGE; badge: its notification bit */
    KEEL_GRANT_UNTYPED = 5,   /* size: bytes, a power of two */
    KEEL_GRANT_ASID_POOL = 6, /* a new ASID pool */
    KEEL_GRANT_CHANNEL = 7,   /* target: channel; flags: which end, _FRAMES; badge: its bit */
    KEEL_GRANT_FILES = 8,     /* archive files named string*: a read-only archive at vaddr */
    KEEL_GRANT_DMA = 9,       /* size: fresh pages mapped at vaddr, their frame caps too */
};

/* The grants that are regions of the component's VSpace (at vaddr, size
 * bytes). */
static inline int keel_sysdesc_is_region(uint32_t kind)
{
    return kind == KEEL_GRANT_DEVICE || kind == KEEL_GRANT_CHANNEL || kind == KEEL_GRANT_FILES ||
           kind == KEEL_GRANT_DMA;
}

/* Memory a device reads and writes on its own (a virtqueue): at most this
 * much per grant. */
#define KEEL_SYSDESC_MAX_DMA (16ull << 20)

#define KEEL_GRANT_CAN_GRANT 1u /* use: the endpoint cap also has the Grant right */
#define KEEL_GRANT_MINT 1u      /* serve: every right, to mint badged copies for clients */
#define KEEL_GRANT_EDGE 1u      /* irq: edge-triggered (default level) */
#define KEEL_GRANT_END_B 1u     /* channel: this is the channel's second end */
#define KEEL_GRANT_USE_MINT 2u  /* use: unbadged (badge 0), to mint clients' badged copies */
/* channel: this end also gets the frame caps of the pages, in consecutive
 * slots from its region entry's cptr (to map them into processes it builds) */
#define KEEL_GRANT_FRAMES 2u

typedef struct keel_sysdesc_grant {
    char name[KEEL_NAME_MAX]; /* the name in the component's start page */
    uint32_t kind;            /* enum keel_grant_kind */
    uint32_t flags;
    uint32_t target; /* service or channel index */
    uint32_t irq;
    uint64_t badge;
    uint64_t paddr;
    uint64_t size;     /* device, untyped: bytes; channel, files: bytes mapped */
    uint64_t vaddr;    /* device, channel, files: where the region is mapped */
    uint32_t string;   /* files: offset of the name prefix in the string table */
    uint32_t reserved; /* 0 */
} keel_sysdesc_grant_t;

/* The server of service "rs": the root task itself (proto/rs.proto), whose
 * clients hold `use rs`; no component may serve it. */
#define KEEL_SYSDESC_SERVER_RS 0xffffffffu

typedef struct keel_sysdesc_service {
    char name[KEEL_NAME_MAX];
    uint32_t server; /* component index, or KEEL_SYSDESC_SERVER_RS */
    uint32_t reserved;
} keel_sysdesc_service_t;

/* A channel whose first end is KEEL_SYSDESC_SERVER_RS has rs itself as
 * its client (rs's clocks: the heartbeat); rs_name is then the offset in
 * the string table of that end's name, as "timer" in `channel rs.timer
 * timer.rs`. */
typedef struct keel_sysdesc_channel {
    uint32_t end[2]; /* component indices: the first end (the client), the second */
    uint32_t pages;  /* of the shared region */
    uint32_t rs_name;
} keel_sysdesc_channel_t;

_Static_assert(sizeof(keel_sysdesc_t) == 64, "sysdesc header layout");
_Static_assert(sizeof(keel_sysdesc_component_t) == 144, "sysdesc component layout");
_Static_assert(sizeof(keel_sysdesc_grant_t) == 88, "sysdesc grant layout");
_Static_assert(sizeof(keel_sysdesc_service_t) == 40, "sysdesc service layout");
_Static_assert(sizeof(keel_sysdesc_channel_t) == 16, "sysdesc channel layout");
