/* What serve.c (the socket channel) needs of the rest of net, apart from
 * lwIP, so the host builds serve.c as it is (make fuzz:
 * tests/fuzz/fuzz_netreq.c stands in for the socket table). */
#pragma once

#include <keel/os/sock.h>
#include <stdbool.h>
#include <stdint.h>

/* serve.c: the socket channel "vfs". */
bool serve_open(void); /* false: no such channel (then only echo is served) */
bool serve_poll(void); /* true: requests were left for the next round */

/* A request as net holds it: the record's fields copied once out of the
 * shared page and checked, and what the answer carries besides its
 * result. */
typedef struct net_request {
    uint32_t op, sock, flags, length, arg;
    int64_t value;
    uint32_t addr, port;
    unsigned char *data;         /* the slot's data buffer */
    uint32_t out_addr, out_port; /* ACCEPT, RECV, NAME: written to the record */
} net_request_t;

/* An operation's result that is no answer yet: the request waits. */
#define NET_KEEP INT64_MIN

/* sock.c: the socket table and the operations every kind shares. */
int64_t sock_execute(net_request_t *r, bool again); /* again: a kept request tried again */
bool sock_is_open(uint32_t id);
void sock_close(uint32_t id);
uint8_t sock_ready(uint32_t id); /* KEEL_SOCK_READABLE ... for ready[] */
/* Word `word` of the set of ids in use (bit id % 64 of word id / 64). */
uint64_t sock_open_ids(unsigned word);
