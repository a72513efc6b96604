/* A libFuzzer target over the net server's side of the socket channel
 * (user/os/net/serve.c, built for the host as it is; keel/os/sock.h): vfs
 * is trusted no more than any client, so whatever it puts in the request
 * ring and the records must be answered and must not make net touch
 * memory outside the slot's data buffer. lwIP stays out: this file stands
 * in for the socket table (sock.c's sock_execute and the rest serve.h
 * declares), deciding each operation's outcome -- an answer, an error, or
 * NET_KEEP (wait) -- from the input. The input plays vfs: requests in
 * slots (well formed, or with a hostile vfs's slots, cookies, operations,
 * flags and lengths), CLOSE and CANCEL entries, completions taken or left
 * to fill the ring, readiness changes, and serve_poll. Beyond ASan's and
 * UBSan's checks (the region is exactly KEEL_SOCK_REGION_SIZE bytes):
 * - a request reaches the socket table only checked: an operation it
 *   knows, known flags, a length within the data buffer, and its data
 *   pointer the slot's own buffer;
 * - every request entry that asks for an answer gets exactly one, and no
 *   other completion comes (counted once every slot is cancelled and both
 *   rings drained at the input's end); a well-formed vfs's completion
 *   names a slot it has in flight, and the record holds its result;
 * - ready[] is what the socket table says after every serve_poll.
 * Not covered: corrupt ring indices (keel/os/ring.h's checks) and lwIP.
 * Seeds: tests/fuzz/make_netreq_seeds.py. */
#include "../../user/os/net/serve.h"

#include <errno.h>
#include <keel/os/ring.h>
#include <keel/os/start.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STEPS_MAX 400

static void require(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_netreq: %s\n", what);
        abort();
    }
}

/* The input, taken a few bytes at a time; zeros once it is used up. */
static struct {
    const uint8_t *data;
    size_t size, at;
} in;

static uint64_t take(unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = v << 8 | (in.at < in.size ? in.data[in.at++] : 0);
    }
    return v;
}

/* --- the channel, as net's start page gives it ----------------------------- */

static unsigned char *region;
static keel_channel_t *rings;
static keel_sock_shared_t *shared;
static keel_startinfo_t startinfo;

const keel_startinfo_t *keel_startinfo(void)
{
    return &startinfo;
}

void seL4_Signal(seL4_CPtr dest)
{
    require(dest == 77, "net signals vfs's notification only");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    region = aligned_alloc(KEEL_SOCK_PAGE, KEEL_SOCK_REGION_SIZE); /* exactly: ASan */
    require(region != NULL, "memory");
    memset(region, 0, KEEL_SOCK_REGION_SIZE);
    startinfo.ncaps = 2;
    startinfo.caps[0] = (keel_startcap_t){ .name = "vfs",
                                           .kind = KEEL_CAP_REGION,
                                           .vaddr = (uint64_t)(uintptr_t)region,
                                           .size = KEEL_SOCK_REGION_SIZE };
    startinfo.caps[1] =
        (keel_startcap_t){ .name = "vfs.notify", .kind = KEEL_CAP_NOTIFICATION, .cptr = 77 };
    require(serve_open(), "serve_open finds the channel");
    rings = (keel_channel_t *)region;
    shared = keel_sock_shared(region);
    keel_channel_accept(rings); /* vfs has caught up */
    return 0;
}

/* --- the socket table's stand-in ------------------------------------------ */

static struct {
    bool open[KEEL_SOCK_MAX];
    uint8_t ready[KEEL_SOCK_MAX];
    bool draining; /* the input's end: what may wait waits, until cancelled */
} table;

bool sock_is_open(uint32_t id)
{
    return id < KEEL_SOCK_MAX && table.open[id];
}

void sock_close(uint32_t id)
{
    require(sock_is_open(id), "serve closes only open sockets");
    table.open[id] = false;
    table.ready[id] = 0;
}

uint8_t sock_ready(uint32_t id)
{
    return sock_is_open(id) ? table.ready[id] : 0;
}

uint64_t sock_open_ids(unsigned word)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < 64 && word * 64 + i < KEEL_SOCK_MAX; i++) {
        bits |= (uint64_t)table.open[word * 64 + i] << i;
    }
    return bits;
}

/* The request's data pointer is its slot's buffer: which slot. */
static unsigned slot_of(const net_request_t *r)
{
    for (unsigned s = 0; s < KEEL_SOCK_SLOTS; s++) {
        if (r->data == keel_sock_data(region, s)) {
            return s;
        }
    }
    require(false, "the data pointer is a slot's buffer");
    return 0;
}

static int64_t create(void)
{
    for (uint32_t id = 0; id < KEEL_SOCK_MAX; id++) {
        if (!table.open[id]) {
            table.open[id] = true;
            table.ready[id] = (uint8_t)(take(1) & 0xf);
            return id;
        }
    }
    return -ENFILE;
}

/* An operation on an open socket that may wait. */
static bool may_wait(uint32_t op)
{
    return op == KEEL_SOCK_ACCEPT || op == KEEL_SOCK_CONNECT || op == KEEL_SOCK_SEND ||
           op == KEEL_SOCK_RECV;
}

static volatile unsigned sink;

static int64_t transfer(net_request_t *r, uint8_t choice)
{
    uint32_t n = r->length < choice * 128u ? r->length : choice * 128u;
    if (r->op == KEEL_SOCK_RECV) {
        memset(r->data, 0xa5, n);
        r->out_addr = 0x0a000202;
        r->out_port = 7;
    } else {
        for (uint32_t i = 0; i < r->length; i++) {
            sink += r->data[i]; /* all it was asked to send */
        }
    }
    return n;
}

int64_t sock_execute(net_request_t *r, bool again)
{
    (void)again;
    (void)slot_of(r);
    require(r->op >= KEEL_SOCK_SOCKET && r->op <= KEEL_SOCK_INFO, "an operation it knows");
    require((r->flags & ~KEEL_SOCK_FLAGS) == 0, "known flags");
    require(r->length <= KEEL_SOCK_DATA_SIZE, "a length within the data buffer");
    if (r->op == KEEL_SOCK_SOCKET) {
        return create();
    }
    if (r->op == KEEL_SOCK_INFO) {
        memset(r->data, 0, sizeof(keel_sock_info_t));
        return sizeof(keel_sock_info_t);
    }
    if (!sock_is_open(r->sock)) {
        return -EBADF;
    }
    uint8_t choice = (uint8_t)take(1);
    if (may_wait(r->op) && (choice < 64 || table.draining)) {
        return NET_KEEP;
    }
    table.ready[r->sock] = (uint8_t)(choice & 0xf);
    if (r->op == KEEL_SOCK_SEND || r->op == KEEL_SOCK_RECV) {
        return transfer(r, choice);
    }
    if (r->op == KEEL_SOCK_ACCEPT || r->op == KEEL_SOCK_NAME) {
        r->out_addr = 0x7f000001;
        r->out_port = choice;
        return r->op == KEEL_SOCK_ACCEPT ? create() : 0;
    }
    return choice < 128 ? 0 : -(int64_t)(choice % 64 + 1);
}

/* --- vfs's side ----------------------------------------------------------- */

static struct {
    bool hostile;
    bool in_flight[KEEL_SOCK_SLOTS];
    uint64_t asked, answered; /* entries that ask for an answer; completions */
} vfs;

static const uint32_t lengths[] = {
    0,         1, 64, 4096, KEEL_SOCK_DATA_SIZE - 1, KEEL_SOCK_DATA_SIZE, KEEL_SOCK_DATA_SIZE + 1,
    UINT32_MAX
};

static bool put(keel_ring_entry_t e)
{
    if (!keel_ring_put(&rings->request, e)) {
        return false;
    }
    vfs.asked +=
        e.op != KEEL_SOCK_CLOSE && e.op != KEEL_SOCK_CANCEL && e.cookie != KEEL_SOCK_NO_ANSWER;
    return true;
}

static uint32_t some_socket(void)
{
    uint8_t b = (uint8_t)take(1);
    return b < 240 ? b % KEEL_SOCK_MAX : (uint32_t)take(4);
}

static void fill_record(unsigned slot, uint32_t op)
{
    keel_sock_record_t *rec = &shared->record[slot];
    uint8_t b = (uint8_t)take(1);
    rec->sock = some_socket();
    rec->flags = vfs.hostile && b >= 128 ? (uint32_t)take(4) : b & KEEL_SOCK_FLAGS;
    b = (uint8_t)take(1);
    rec->length = b < 64 ? lengths[b % 8] : vfs.hostile && b >= 250 ? (uint32_t)take(4) : b * 100u;
    rec->arg = op == KEEL_SOCK_SOCKET ? (uint32_t)take(1) % 4 : (uint32_t)take(1);
    rec->value = (int64_t)take(1) - 1;
    rec->addr = (uint32_t)take(4);
    rec->port = (uint32_t)take(1) < 200 ? (uint32_t)take(2) : (uint32_t)take(4);
}

static void send_request(void)
{
    uint8_t b = (uint8_t)take(1);
    unsigned slot = b % KEEL_SOCK_SLOTS;
    uint32_t op = (uint32_t)take(1) % (KEEL_SOCK_INFO + 1);
    uint64_t cookie = slot;
    if (vfs.hostile && b >= 224) {
        op = (uint32_t)take(4);
        cookie = b >= 240 ? KEEL_SOCK_NO_ANSWER : take(8);
    } else if (!vfs.hostile) {
        for (unsigned i = 0; vfs.in_flight[slot] && i < KEEL_SOCK_SLOTS; i++) {
            slot = (slot + 1) % KEEL_SOCK_SLOTS; /* a free slot, as vfs takes one */
        }
        if (vfs.in_flight[slot] || op == 0) {
            return;
        }
        cookie = slot;
    }
    if (cookie < KEEL_SOCK_SLOTS) {
        fill_record((unsigned)cookie, op);
    }
    if (put((keel_ring_entry_t){ .cookie = cookie, .op = op }) && cookie < KEEL_SOCK_SLOTS) {
        vfs.in_flight[cookie] = true;
    }
}

static void send_close_or_cancel(uint32_t op)
{
    uint8_t b = (uint8_t)take(1);
    uint64_t what = op == KEEL_SOCK_CLOSE ? some_socket() : b % KEEL_SOCK_SLOTS;
    if (vfs.hostile && b >= 240) {
        what = take(8);
    }
    put((keel_ring_entry_t){ .cookie = KEEL_SOCK_NO_ANSWER, .offset = what, .op = op });
}

static void take_completions(unsigned max)
{
    keel_ring_entry_t e;
    for (unsigned i = 0; i < max && keel_ring_get(&rings->completion, &e); i++) {
        vfs.answered++;
        int64_t result = (int64_t)e.offset;
        require(result != NET_KEEP, "no answer is NET_KEEP");
        if (e.cookie >= KEEL_SOCK_SLOTS) {
            require(vfs.hostile, "a slot's cookie from a well-formed vfs");
            continue;
        }
        if (!vfs.hostile) {
            require(vfs.in_flight[e.cookie], "an answer for a slot in flight");
            require(shared->record[e.cookie].result == result, "the record holds the result");
        }
        vfs.in_flight[e.cookie] = false;
    }
}

static void poll(void)
{
    serve_poll();
    for (unsigned id = 0; id < KEEL_SOCK_MAX; id++) {
        require(shared->ready[id] == sock_ready(id), "ready[] as the socket table says");
    }
}

/* Polls and completions taken until a round brings none and nothing is
 * left in the request ring (a bounded number of rounds). */
static void drain(void)
{
    for (unsigned round = 0; round < 64; round++) {
        uint64_t before = vfs.answered;
        poll(), take_completions(KEEL_RING_SLOTS);
        if (vfs.answered == before && keel_ring_empty(&rings->request)) {
            return;
        }
    }
}

/* Every slot cancelled and every socket closed, both rings drained: then
 * every entry that asked has had its one answer. */
static void finish(void)
{
    table.draining = true;
    for (uint64_t slot = 0; slot < KEEL_SOCK_SLOTS;) {
        if (put((keel_ring_entry_t){ KEEL_SOCK_NO_ANSWER, slot, 0, KEEL_SOCK_CANCEL })) {
            slot++;
        } else {
            poll(), take_completions(KEEL_RING_SLOTS);
        }
    }
    drain(); /* every request taken: no socket is made after this */
    for (uint32_t id = 0; id < KEEL_SOCK_MAX;) {
        if (!table.open[id] ||
            put((keel_ring_entry_t){ KEEL_SOCK_NO_ANSWER, id, 0, KEEL_SOCK_CLOSE })) {
            id++;
        } else {
            poll(), take_completions(KEEL_RING_SLOTS);
        }
    }
    drain();
    require(keel_ring_empty(&rings->request), "every request taken");
    require(vfs.answered == vfs.asked, "one answer for each request that asks");
    for (unsigned id = 0; id < KEEL_SOCK_MAX; id++) {
        require(!table.open[id] && shared->ready[id] == 0, "every socket closed");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in.data = data, in.size = size, in.at = 0;
    memset(&vfs, 0, sizeof(vfs));
    table.draining = false;
    vfs.hostile = take(1) & 1;
    for (unsigned step = 0; step < STEPS_MAX && in.at < in.size; step++) {
        uint8_t what = (uint8_t)take(1) % 8;
        if (what <= 2) {
            send_request();
        } else if (what == 3) {
            send_close_or_cancel(take(1) & 1 ? KEEL_SOCK_CLOSE : KEEL_SOCK_CANCEL);
        } else if (what == 4) {
            take_completions((unsigned)take(1) % 80);
        } else if (what == 5) {
            uint32_t id = some_socket();
            if (sock_is_open(id)) {
                table.ready[id] = (uint8_t)(take(1) & 0xf); /* lwIP's events */
            }
        } else {
            poll();
        }
    }
    finish();
    return 0;
}
