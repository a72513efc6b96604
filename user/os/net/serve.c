/* The socket channel "vfs" (keel/os/sock.h), net's side: requests taken
 * from the ring, each record's fields copied once out of the shared page
 * and checked (vfs may have written anything there), executed at once or
 * kept until they can be answered (at most one per slot), the answers
 * written to the records and put in the completion ring, and ready[] kept
 * true.
 *
 * Answers wait in a queue of net's own while the completion ring is full
 * (a vfs that does not take its completions), and net takes a request
 * only while that queue has room for every answer it may owe, so a hostile
 * vfs can stall its own answers but not net. */
#include "serve.h"

#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/start.h>
#include <string.h>

#define ANSWERS 128

typedef struct answer {
    uint64_t cookie;
    int64_t result;
} answer_t;

static struct {
    keel_channel_t *rings; /* NULL: no channel */
    seL4_CPtr signal;
    unsigned char *region;
    keel_sock_shared_t *shared;
    uint32_t epoch; /* this instance's */
    struct {
        bool kept;
        net_request_t request;
    } slot[KEEL_SOCK_SLOTS];
    uint8_t order[KEEL_SOCK_SLOTS]; /* the kept slots, oldest first */
    unsigned nkept;
    answer_t answer[ANSWERS]; /* a ring: answers not yet in the completion ring */
    unsigned answer_head, nanswers;
    uint8_t ready[KEEL_SOCK_MAX];           /* what net last wrote to ready[] */
    uint64_t published[KEEL_SOCK_MAX / 64]; /* the ids whose ready[] is not 0 */
    bool signal_due;
} serve;

/* A restarted net's sockets are gone: ready[] zeroed, then the epoch
 * announced; requests wait until vfs has caught up (serve_poll). */
bool serve_open(void)
{
    const keel_startinfo_t *si = keel_startinfo();
    const keel_startcap_t *region = keel_startinfo_find(si, "vfs");
    keel_channel_end_t end = keel_channel_end(si, "vfs");
    if (end.rings == NULL || region->size < KEEL_SOCK_REGION_SIZE) {
        return false;
    }
    serve.rings = end.rings;
    serve.signal = end.signal;
    serve.region = (unsigned char *)end.rings;
    serve.shared = keel_sock_shared(serve.region);
    for (unsigned i = 0; i < KEEL_SOCK_MAX; i++) {
        serve.shared->ready[i] = 0;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE); /* ready[] zero before the epoch */
    serve.epoch = keel_channel_open(serve.rings);
    seL4_Signal(serve.signal);
    return true;
}

/* --- answers ------------------------------------------------------------ */

static void queue_answer(uint64_t cookie, int64_t result)
{
    if (serve.nanswers < ANSWERS) { /* always: requests are taken only with room */
        serve.answer[(serve.answer_head + serve.nanswers) % ANSWERS] = (answer_t){ cookie, result };
        serve.nanswers++;
    }
}

static bool has_address(uint32_t op)
{
    return op == KEEL_SOCK_ACCEPT || op == KEEL_SOCK_RECV || op == KEEL_SOCK_NAME;
}

/* The record's results, then the completion (the entry's offset carries
 * the result too). */
static void answer(unsigned slot, const net_request_t *r, int64_t result)
{
    volatile keel_sock_record_t *record = &serve.shared->record[slot];
    record->result = result;
    if (result >= 0 && has_address(r->op)) {
        record->addr = r->out_addr;
        record->port = r->out_port;
    }
    queue_answer(slot, result);
}

/* Into the completion ring while it has room (its put orders the records'
 * writes before the entries). */
static void flush(void)
{
    while (serve.nanswers > 0) {
        const answer_t *a = &serve.answer[serve.answer_head];
        keel_ring_entry_t e = { .cookie = a->cookie, .offset = (uint64_t)a->result };
        if (!keel_ring_put(&serve.rings->completion, e)) {
            return;
        }
        serve.answer_head = (serve.answer_head + 1) % ANSWERS;
        serve.nanswers--;
        serve.signal_due = true;
    }
}

/* --- kept requests ------------------------------------------------------ */

static void keep(unsigned slot, const net_request_t *r)
{
    serve.slot[slot].kept = true;
    serve.slot[slot].request = *r;
    serve.order[serve.nkept++] = (uint8_t)slot;
}

/* The kept request at order[i] leaves with its answer. */
static void release(unsigned i, int64_t result)
{
    unsigned slot = serve.order[i];
    serve.slot[slot].kept = false;
    memmove(&serve.order[i], &serve.order[i + 1], serve.nkept - i - 1);
    serve.nkept--;
    answer(slot, &serve.slot[slot].request, result);
}

/* Every kept request tried again, oldest first. */
static void retry_kept(void)
{
    for (unsigned i = 0; i < serve.nkept;) {
        net_request_t *r = &serve.slot[serve.order[i]].request;
        int64_t result = sock_execute(r, true);
        if (result == NET_KEEP) {
            i++;
        } else {
            release(i, result);
        }
    }
}

static void close_socket(uint64_t id)
{
    if (id >= KEEL_SOCK_MAX || !sock_is_open((uint32_t)id)) {
        return;
    }
    for (unsigned i = 0; i < serve.nkept;) {
        if (serve.slot[serve.order[i]].request.sock == id) {
            release(i, -EBADF);
        } else {
            i++;
        }
    }
    sock_close((uint32_t)id);
}

static void cancel(uint64_t slot)
{
    for (unsigned i = 0; i < serve.nkept; i++) {
        if (serve.order[i] == slot) {
            release(i, -EINTR);
            return;
        }
    }
}

/* --- new requests ------------------------------------------------------- */

/* The record's fields, each read once. */
static net_request_t read_record(unsigned slot, uint32_t op)
{
    const volatile keel_sock_record_t *record = &serve.shared->record[slot];
    net_request_t r = {
        .op = op,
        .sock = record->sock,
        .flags = record->flags,
        .length = record->length,
        .arg = record->arg,
        .value = record->value,
        .addr = record->addr,
        .port = record->port,
        .data = keel_sock_data(serve.region, slot),
    };
    return r;
}

static int64_t check(const net_request_t *r)
{
    if (r->op < KEEL_SOCK_SOCKET || r->op > KEEL_SOCK_INFO || (r->flags & ~KEEL_SOCK_FLAGS) != 0 ||
        r->length > KEEL_SOCK_DATA_SIZE) {
        return -EINVAL;
    }
    return 0;
}

static void take(const keel_ring_entry_t *e)
{
    if (e->op == KEEL_SOCK_CLOSE) {
        close_socket(e->offset);
        return;
    }
    if (e->op == KEEL_SOCK_CANCEL) {
        cancel(e->offset);
        return;
    }
    if (e->cookie >= KEEL_SOCK_SLOTS) { /* no record: told in the entry alone */
        if (e->cookie != KEEL_SOCK_NO_ANSWER) {
            queue_answer(e->cookie, -EINVAL);
        }
        return;
    }
    unsigned slot = (unsigned)e->cookie;
    net_request_t r = read_record(slot, e->op);
    if (serve.slot[slot].kept) { /* the kept request stays */
        answer(slot, &r, -EINVAL);
        return;
    }
    int64_t result = check(&r);
    if (result == 0) {
        result = sock_execute(&r, false);
    }
    if (result == NET_KEEP && (r.flags & KEEL_SOCK_NONBLOCK)) {
        result = r.op == KEEL_SOCK_CONNECT ? -EINPROGRESS : -EAGAIN;
    }
    if (result == NET_KEEP) {
        keep(slot, &r);
    } else {
        answer(slot, &r, result);
    }
}

static void publish_ready(void)
{
    for (unsigned w = 0; w < KEEL_SOCK_MAX / 64; w++) {
        /* the open ids, and those closed since their bits were published */
        for (uint64_t todo = sock_open_ids(w) | serve.published[w]; todo != 0; todo &= todo - 1) {
            uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(todo);
            uint8_t bits = sock_ready(id);
            if (bits != serve.ready[id]) {
                serve.ready[id] = bits;
                serve.shared->ready[id] = bits;
                serve.signal_due = true;
            }
            uint64_t bit = (uint64_t)1 << (id % 64);
            serve.published[w] = bits != 0 ? serve.published[w] | bit : serve.published[w] & ~bit;
        }
    }
}

/* After every batch of lwIP's events: the kept requests tried again, the
 * new ones taken (at most a ring's worth a round), ready[] brought up to
 * date, the answers out, vfs signalled. True: more requests are waiting. */
bool serve_poll(void)
{
    if (serve.rings == NULL || !keel_channel_ready(serve.rings, serve.epoch)) {
        return false;
    }
    retry_kept();
    unsigned taken = 0;
    keel_ring_entry_t e;
    while (taken < KEEL_RING_SLOTS && serve.nanswers + serve.nkept < ANSWERS &&
           keel_ring_get(&serve.rings->request, &e)) {
        take(&e);
        taken++;
    }
    if (taken > 0) {
        retry_kept();
    }
    publish_ready();
    flush();
    if (serve.signal_due) {
        __atomic_thread_fence(__ATOMIC_RELEASE); /* ready[] before the signal */
        seL4_Signal(serve.signal);
        serve.signal_due = false;
    }
    return taken == KEEL_RING_SLOTS && !keel_ring_empty(&serve.rings->request);
}
