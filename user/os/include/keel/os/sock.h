/* The socket channel (docs/network.md "Sockets"): vfs, which owns every
 * descriptor, asks the net server for what a program does with a socket.
 * A keel/os/ring.h channel: vfs is the client, net the server.
 *
 * The region (KEEL_SOCK_REGION_SIZE bytes):
 *   page 0   the rings (keel_channel_t)
 *   page 1   keel_sock_shared_t: the readiness of every socket (net writes
 *            it) and the requests' records (one per slot)
 *   then     the slots' data buffers, KEEL_SOCK_DATA_SIZE bytes each
 *
 * vfs has KEEL_SOCK_SLOTS request slots. A request: vfs fills slot s's
 * record (and its data buffer for a SEND), then puts the entry
 * { cookie = s, op = KEEL_SOCK_* }. net answers each such request exactly
 * once, with a completion { cookie = s }, after writing the record's
 * results (result, and addr/port where the op has them; a RECV's bytes
 * into the data buffer). A request that must wait (RECV on an empty
 * socket, ACCEPT with no connection, SEND with a full buffer, CONNECT
 * until it is made) net keeps and answers later, unless the record's flags
 * say KEEL_SOCK_NONBLOCK: then -EAGAIN (-EINPROGRESS for a CONNECT) at
 * once. A slot is vfs's again when its completion has come.
 *
 * Two requests need no slot and get no answer: KEEL_SOCK_CLOSE with the
 * socket in the entry's offset (the socket's kept requests are answered
 * -EBADF), and KEEL_SOCK_CANCEL with a slot in the entry's offset (that
 * kept request is answered -EINTR now; vfs sends it when the process that
 * waits is gone). Their cookie is KEEL_SOCK_NO_ANSWER.
 *
 * Readiness: net keeps ready[id] true to what a RECV, ACCEPT or SEND on
 * socket id would do now (KEEL_SOCK_READABLE, _WRITABLE) and whether the
 * connection has ended (_HUP) or failed (_ERROR), and signals vfs after
 * changing any, so vfs answers poll without asking.
 *
 * Every field either side reads from the region the other side may have
 * written anything into: each is copied once, then checked.
 *
 * A restarted net server (docs/network.md "What survives which crash"):
 * its sockets are gone. It zeroes ready[], announces its epoch
 * (keel_channel_open) and takes no request until vfs has answered every
 * request in flight with an error, emptied both rings and written the
 * same epoch as client_epoch. */
#pragma once

#include <keel/os/ring.h>
#include <stdint.h>

#define KEEL_SOCK_PAGE 4096u
#define KEEL_SOCK_MAX 128  /* sockets net holds at once; ids 0..KEEL_SOCK_MAX-1 */
#define KEEL_SOCK_SLOTS 32 /* requests in flight */
#define KEEL_SOCK_DATA_SIZE 32768u
#define KEEL_SOCK_DATA (2 * KEEL_SOCK_PAGE)
#define KEEL_SOCK_REGION_SIZE (KEEL_SOCK_DATA + KEEL_SOCK_SLOTS * KEEL_SOCK_DATA_SIZE)
#define KEEL_SOCK_NO_ANSWER UINT64_MAX

enum keel_sock_op {
    KEEL_SOCK_SOCKET = 1,   /* arg: KEEL_SOCK_STREAM/DGRAM/ICMP. result: the id */
    KEEL_SOCK_BIND = 2,     /* addr, port (0: any) */
    KEEL_SOCK_LISTEN = 3,   /* arg: backlog */
    KEEL_SOCK_ACCEPT = 4,   /* result: the new socket's id; addr, port: the peer */
    KEEL_SOCK_CONNECT = 5,  /* addr, port; a datagram socket: its default peer */
    KEEL_SOCK_SEND = 6,     /* length bytes of the data buffer; KEEL_SOCK_TO: to addr, port */
    KEEL_SOCK_RECV = 7,     /* up to length bytes into the data buffer; addr, port: the source */
    KEEL_SOCK_SHUTDOWN = 8, /* arg: 0 receiving, 1 sending, 2 both */
    KEEL_SOCK_NAME = 9,     /* arg: 0 the socket's own address, 1 its peer's: addr, port */
    KEEL_SOCK_SETOPT = 10,  /* arg: KEEL_SOCK_OPT_*, value */
    KEEL_SOCK_GETOPT = 11,  /* arg: KEEL_SOCK_OPT_*. result: the value */
    KEEL_SOCK_INFO = 12,    /* keel_sock_info_t into the data buffer. result: its size */
    KEEL_SOCK_CLOSE = 13,   /* no slot: the entry's offset is the socket */
    KEEL_SOCK_CANCEL = 14,  /* no slot: the entry's offset is the slot */
};

/* SOCKET's arg. */
#define KEEL_SOCK_STREAM 1 /* TCP */
#define KEEL_SOCK_DGRAM 2  /* UDP */
#define KEEL_SOCK_ICMP 3   /* ICMP echo, as Linux's unprivileged ping sockets */

/* A record's flags. */
#define KEEL_SOCK_NONBLOCK 0x1u /* answer at once: never kept */
#define KEEL_SOCK_PEEK 0x2u     /* RECV: leave the bytes in the socket */
#define KEEL_SOCK_TO 0x4u       /* SEND: to addr, port (a datagram socket) */
#define KEEL_SOCK_FLAGS 0x7u

/* SETOPT/GETOPT's options. */
#define KEEL_SOCK_OPT_REUSEADDR 1 /* value 0 or 1 */
#define KEEL_SOCK_OPT_ERROR 2     /* GETOPT: the pending error (positive errno), then cleared */
#define KEEL_SOCK_OPT_NODELAY 3   /* TCP: value 0 or 1 */
#define KEEL_SOCK_OPT_TYPE 4      /* GETOPT: the SOCKET arg */

/* ready[] bits. */
#define KEEL_SOCK_READABLE 0x1u
#define KEEL_SOCK_WRITABLE 0x2u
#define KEEL_SOCK_HUP 0x4u
#define KEEL_SOCK_ERROR 0x8u

/* A request's record. Addresses and ports are numbers in host order
 * (10.0.2.15 is 0x0a00020f). */
typedef struct keel_sock_record {
    uint32_t sock;   /* the socket's id */
    uint32_t flags;  /* KEEL_SOCK_NONBLOCK, _PEEK, _TO */
    uint32_t length; /* SEND: bytes in the data buffer; RECV: room */
    uint32_t arg;
    int64_t value; /* SETOPT's value */
    uint32_t addr;
    uint32_t port;
    int64_t result; /* net's answer: >= 0, or a negated errno */
    uint64_t pad[3];
} keel_sock_record_t;
_Static_assert(sizeof(keel_sock_record_t) == 64, "records are 64 bytes");

typedef struct keel_sock_shared {
    volatile uint8_t ready[KEEL_SOCK_MAX];
    uint8_t pad[KEEL_SOCK_PAGE - KEEL_SOCK_MAX - KEEL_SOCK_SLOTS * sizeof(keel_sock_record_t)];
    keel_sock_record_t record[KEEL_SOCK_SLOTS];
} keel_sock_shared_t;
_Static_assert(sizeof(keel_sock_shared_t) == KEEL_SOCK_PAGE, "the shared page");

/* INFO's answer: the interface. */
typedef struct keel_sock_info {
    uint32_t addr, netmask, gateway;
    uint32_t mtu;
    uint8_t mac[6];
    uint8_t up;      /* the interface is up */
    uint8_t link_up; /* the driver answers */
    uint32_t driver_restarts;
    uint32_t sockets; /* in use */
    uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes, rx_dropped, tx_dropped;
} keel_sock_info_t;

static inline keel_sock_shared_t *keel_sock_shared(void *region)
{
    return (keel_sock_shared_t *)((unsigned char *)region + KEEL_SOCK_PAGE);
}

static inline unsigned char *keel_sock_data(void *region, unsigned slot)
{
    return (unsigned char *)region + KEEL_SOCK_DATA + (uint64_t)slot * KEEL_SOCK_DATA_SIZE;
}
