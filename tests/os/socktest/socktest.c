/* The net server's socket service, tested at the protocol's level
 * (tests/os/sock.system, image ossock): socktest stands in for vfs on the
 * socket channel "sock" (keel/os/sock.h) and checks TCP over 10.0.2.15 and
 * 127.0.0.1 (listen, connect, accept, data both ways and 1 MiB each way
 * at once, requests kept and answered, readiness, shutdown and the end of
 * a stream, NONBLOCK, CANCEL, CLOSE), UDP to itself, ICMP echo to the
 * gateway, a refused connection, INFO, the 128 sockets' limit, hostile
 * requests, and a kill of net through rs with the restart handshake.
 *
 * Every check prints `socktest: WHAT: ok` or `... FAILED`; tests/tests.list
 * (os.sock) matches them and the final count. */
#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/heartbeat.h>
#include <keel/os/sock.h>
#include <keel/os/start.h>
#include <keel/os/startinfo.h>
#include <keel/os/timer.h>
#include <keel/proto/rs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SLOTS KEEL_SOCK_SLOTS
#define SYNC_SLOTS 16 /* calls answered before the next: slots 0..15 */
#define WAIT_MS 5000
#define TIMED_OUT INT64_MIN

#define OUR_IP 0x0a00020fu     /* 10.0.2.15 */
#define GATEWAY_IP 0x0a000202u /* 10.0.2.2 */
#define LOOPBACK_IP 0x7f000001u

typedef struct req {
    uint32_t sock, flags, length, arg;
    int64_t value;
    uint32_t addr, port;
} req_t;

static struct {
    keel_channel_t *rings;
    seL4_CPtr signal, own;
    unsigned char *region;
    keel_sock_shared_t *shared;
    uint32_t epoch;
    bool busy[SLOTS], done[SLOTS];
    int64_t result[SLOTS];
    uint32_t addr[SLOTS], port[SLOTS];
    unsigned strays; /* completions for no slot in flight */
    uint64_t stray_cookie;
    int64_t stray_result;
} sk;

static int checks, failures;

static void check(bool ok, const char *what)
{
    printf("socktest: %s: %s\n", what, ok ? "ok" : "FAILED");
    checks++;
    failures += !ok;
}

/* --- the channel, as vfs uses it ---------------------------------------- */

static unsigned char *data(unsigned slot)
{
    return keel_sock_data(sk.region, slot);
}

static void take_completions(void)
{
    keel_ring_entry_t e;
    while (keel_ring_get(&sk.rings->completion, &e)) {
        if (e.cookie < SLOTS && sk.busy[e.cookie] && !sk.done[e.cookie]) {
            const keel_sock_record_t *r = &sk.shared->record[e.cookie];
            sk.done[e.cookie] = true;
            sk.result[e.cookie] = r->result;
            sk.addr[e.cookie] = r->addr;
            sk.port[e.cookie] = r->port;
        } else {
            sk.strays++;
            sk.stray_cookie = e.cookie;
            sk.stray_result = (int64_t)e.offset;
        }
    }
}

static void put_entry(keel_ring_entry_t e)
{
    keel_ring_put(&sk.rings->request, e);
    seL4_Signal(sk.signal);
}

static void put(unsigned slot, uint32_t op, req_t q)
{
    keel_sock_record_t *r = &sk.shared->record[slot];
    r->sock = q.sock;
    r->flags = q.flags;
    r->length = q.length;
    r->arg = q.arg;
    r->value = q.value;
    r->addr = q.addr;
    r->port = q.port;
    r->result = 0;
    sk.busy[slot] = true;
    sk.done[slot] = false;
    put_entry((keel_ring_entry_t){ .cookie = slot, .op = op });
}

/* One wait on the notification (net's signals, rs's heartbeat pings every
 * 100 ms, which bound every wait). */
static void wait_signal(void)
{
    seL4_Word bits;
    seL4_Wait(sk.own, &bits);
    keel_heartbeat_answer(keel_startinfo(), bits);
}

static uint64_t deadline_ms(unsigned ms)
{
    return keel_counter() + (uint64_t)ms * keel_counter_frequency() / 1000;
}

static bool wait_done(unsigned slot, unsigned ms)
{
    uint64_t end = deadline_ms(ms);
    take_completions();
    while (!sk.done[slot] && keel_counter() < end) {
        wait_signal();
        take_completions();
    }
    return sk.done[slot];
}

/* The slot's answer (the slot is vfs's again), or TIMED_OUT (it stays
 * busy: net still owes it). */
static int64_t finish(unsigned slot)
{
    if (!wait_done(slot, WAIT_MS)) {
        return TIMED_OUT;
    }
    sk.busy[slot] = false;
    return sk.result[slot];
}

static unsigned last_slot;

static int64_t call(uint32_t op, req_t q)
{
    unsigned slot = 0;
    while (slot < SYNC_SLOTS - 1 && sk.busy[slot]) {
        slot++;
    }
    last_slot = slot;
    put(slot, op, q);
    return finish(slot);
}

static void pause_ms(unsigned ms)
{
    uint64_t end = deadline_ms(ms);
    while (keel_counter() < end) {
        wait_signal();
        take_completions();
    }
}

static bool wait_ready(uint32_t id, uint8_t bits, unsigned ms)
{
    uint64_t end = deadline_ms(ms);
    while ((sk.shared->ready[id] & bits) != bits && keel_counter() < end) {
        wait_signal();
        take_completions();
    }
    return (sk.shared->ready[id] & bits) == bits;
}

/* Net's first epoch (or a restarted net's): what it did not answer is
 * dropped, the rings emptied, the epoch accepted. */
static void catch_up(void)
{
    take_completions();
    for (unsigned i = 0; i < SLOTS; i++) {
        sk.busy[i] = false;
    }
    keel_channel_drop_requests(sk.rings);
    sk.epoch = keel_channel_accept(sk.rings);
    seL4_Signal(sk.signal);
}

static bool wait_epoch(unsigned ms)
{
    uint64_t end = deadline_ms(ms);
    while (!keel_channel_restarted(sk.rings, sk.epoch) && keel_counter() < end) {
        wait_signal();
    }
    return keel_channel_restarted(sk.rings, sk.epoch);
}

static bool open_channel(void)
{
    const keel_startinfo_t *si = keel_startinfo();
    const keel_startcap_t *own = keel_startinfo_find(si, "notify");
    const keel_startcap_t *region = keel_startinfo_find(si, "sock");
    keel_channel_end_t end = keel_channel_end(si, "sock");
    if (end.rings == NULL || own == NULL || region->size < KEEL_SOCK_REGION_SIZE) {
        return false;
    }
    sk.rings = end.rings;
    sk.signal = end.signal;
    sk.own = own->cptr;
    sk.region = (unsigned char *)end.rings;
    sk.shared = keel_sock_shared(sk.region);
    sk.epoch = 0;
    if (!wait_epoch(10000)) {
        return false;
    }
    catch_up();
    return true;
}

/* --- helpers --------------------------------------------------------- */

static int64_t sock_new(uint32_t type)
{
    return call(KEEL_SOCK_SOCKET, (req_t){ .arg = type });
}

static void sock_close(int64_t id)
{
    if (id >= 0) {
        put_entry((keel_ring_entry_t){
            .cookie = KEEL_SOCK_NO_ANSWER, .op = KEEL_SOCK_CLOSE, .offset = (uint64_t)id });
    }
}

static int64_t listener(uint32_t addr, uint32_t port)
{
    int64_t l = sock_new(KEEL_SOCK_STREAM);
    if (l < 0 ||
        call(KEEL_SOCK_BIND, (req_t){ .sock = (uint32_t)l, .addr = addr, .port = port }) != 0 ||
        call(KEEL_SOCK_LISTEN, (req_t){ .sock = (uint32_t)l, .arg = 8 }) != 0) {
        sock_close(l);
        return -1;
    }
    return l;
}

static int64_t connect_to(uint32_t addr, uint32_t port, uint32_t flags, int64_t *result)
{
    int64_t c = sock_new(KEEL_SOCK_STREAM);
    if (c < 0) {
        return -1;
    }
    *result = call(KEEL_SOCK_CONNECT,
                   (req_t){ .sock = (uint32_t)c, .flags = flags, .addr = addr, .port = port });
    return c;
}

static int64_t send_bytes(int64_t id, const void *bytes, uint32_t n, uint32_t flags)
{
    unsigned slot = 0;
    while (slot < SYNC_SLOTS - 1 && sk.busy[slot]) {
        slot++;
    }
    memcpy(data(slot), bytes, n);
    put(slot, KEEL_SOCK_SEND, (req_t){ .sock = (uint32_t)id, .flags = flags, .length = n });
    return finish(slot);
}

/* A RECV into `out` (up to n bytes). */
static int64_t recv_bytes(int64_t id, void *out, uint32_t n, uint32_t flags)
{
    int64_t r = call(KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)id, .flags = flags, .length = n });
    if (r > 0 && r <= n) {
        memcpy(out, data(last_slot), (size_t)r);
    }
    return r;
}

static bool name_of(int64_t id, uint32_t which, uint32_t *addr, uint32_t *port)
{
    if (call(KEEL_SOCK_NAME, (req_t){ .sock = (uint32_t)id, .arg = which }) != 0) {
        return false;
    }
    *addr = sk.addr[last_slot];
    *port = sk.port[last_slot];
    return true;
}

/* --- checks: TCP ------------------------------------------------------ */

typedef struct pair {
    int64_t listener, client, server;
} pair_t;

/* A listener on addr:port, a client connected to it (blocking: the
 * CONNECT kept until made) and the server's end from ACCEPT. */
static bool make_pair(pair_t *p, uint32_t addr, uint32_t port, const char *what)
{
    char line[160];
    p->client = p->server = -1;
    p->listener = listener(addr, port);
    snprintf(line, sizeof(line), "%s: SOCKET, BIND, LISTEN on port %u", what, (unsigned)port);
    check(p->listener >= 0, line);
    if (p->listener < 0) {
        return false;
    }
    int64_t r;
    p->client = connect_to(addr, port, 0, &r);
    snprintf(line, sizeof(line), "%s: CONNECT (blocking) answered 0", what);
    check(p->client >= 0 && r == 0, line);
    p->server = call(KEEL_SOCK_ACCEPT, (req_t){ .sock = (uint32_t)p->listener });
    uint32_t peer_addr = sk.addr[last_slot], peer_port = sk.port[last_slot], caddr = 0, cport = 0;
    bool named = name_of(p->client, 0, &caddr, &cport);
    snprintf(line, sizeof(line), "%s: ACCEPT: a new id, the peer's address and port", what);
    check(p->server >= 0 && named && peer_addr == addr && peer_port == cport && caddr == addr,
          line);
    return p->server >= 0 && r == 0;
}

static void close_pair(pair_t *p)
{
    sock_close(p->client);
    sock_close(p->server);
    sock_close(p->listener);
}

static bool exchange(const pair_t *p)
{
    char in[16] = { 0 };
    bool ok = send_bytes(p->client, "hello", 5, 0) == 5 && recv_bytes(p->server, in, 16, 0) == 5 &&
              memcmp(in, "hello", 5) == 0;
    memset(in, 0, sizeof(in));
    ok = ok && send_bytes(p->server, "world!", 6, 0) == 6 &&
         recv_bytes(p->client, in, 16, 0) == 6 && memcmp(in, "world!", 6) == 0;
    return ok;
}

static void check_readiness_and_waits(const pair_t *p)
{
    uint8_t before = sk.shared->ready[p->server];
    check(!(before & KEEL_SOCK_READABLE) && (before & KEEL_SOCK_WRITABLE) &&
              wait_ready((uint32_t)p->client, KEEL_SOCK_WRITABLE, 1000),
          "readiness: a quiet connection WRITABLE, not READABLE");
    check(call(KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)p->server,
                                        .flags = KEEL_SOCK_NONBLOCK,
                                        .length = 100 }) == -EAGAIN,
          "NONBLOCK RECV with nothing there: -EAGAIN");

    /* a blocking RECV: kept until data comes */
    unsigned slot = 20;
    put(slot, KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)p->server, .length = 100 });
    bool waited = !wait_done(slot, 300);
    int64_t sent = send_bytes(p->client, "kept", 4, 0);
    int64_t r = finish(slot);
    check(waited && sent == 4 && r == 4 && memcmp(data(slot), "kept", 4) == 0,
          "a blocking RECV kept until data came, then answered with it");

    send_bytes(p->client, "more", 4, 0);
    check(wait_ready((uint32_t)p->server, KEEL_SOCK_READABLE, 2000),
          "readiness: READABLE after data arrived");
    char peek[8] = { 0 }, got[8] = { 0 };
    check(recv_bytes(p->server, peek, 8, KEEL_SOCK_PEEK) == 4 &&
              recv_bytes(p->server, got, 8, 0) == 4 && memcmp(peek, "more", 4) == 0 &&
              memcmp(got, "more", 4) == 0 && !(sk.shared->ready[p->server] & KEEL_SOCK_READABLE),
          "RECV with PEEK leaves the bytes, then RECV takes them; READABLE cleared");

    /* CANCEL of a kept RECV */
    put(21, KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)p->server, .length = 100 });
    bool kept = !wait_done(21, 200);
    put_entry(
        (keel_ring_entry_t){ .cookie = KEEL_SOCK_NO_ANSWER, .op = KEEL_SOCK_CANCEL, .offset = 21 });
    check(kept && finish(21) == -EINTR, "CANCEL of a kept RECV: answered -EINTR");
}

/* NONBLOCK SENDs until -EAGAIN, twice 200 ms apart (acknowledgements in
 * flight may free some room): what they queued. */
static uint64_t fill(const pair_t *p, int64_t *last)
{
    static unsigned char junk[KEEL_SOCK_DATA_SIZE];
    memset(junk, 0x5a, sizeof(junk));
    uint64_t queued = 0;
    for (int round = 0; round < 2; round++) {
        int64_t r = 0;
        for (int i = 0; i < 200 && r >= 0; i++) {
            r = send_bytes(p->client, junk, sizeof(junk), KEEL_SOCK_NONBLOCK);
            queued += r > 0 ? (uint64_t)r : 0;
        }
        *last = r;
        pause_ms(200);
    }
    return queued;
}

/* RECVs on the server's end until `bytes` came (or a failure). */
static uint64_t drain(const pair_t *p, uint64_t bytes)
{
    uint64_t drained = 0;
    uint64_t end = deadline_ms(10000);
    while (drained < bytes && keel_counter() < end) {
        int64_t n = call(KEEL_SOCK_RECV,
                         (req_t){ .sock = (uint32_t)p->server, .length = KEEL_SOCK_DATA_SIZE });
        if (n <= 0) {
            break;
        }
        drained += (uint64_t)n;
    }
    return drained;
}

/* A full send buffer: NONBLOCK SENDs end in -EAGAIN, a blocking one is
 * kept until the peer reads. */
static void check_send_kept(const pair_t *p)
{
    int64_t last;
    uint64_t queued = fill(p, &last);
    printf("socktest: %llu bytes queued before -EAGAIN\n", (unsigned long long)queued);
    check(last == -EAGAIN && !(sk.shared->ready[p->client] & KEEL_SOCK_WRITABLE),
          "NONBLOCK SEND on a full connection: -EAGAIN, not WRITABLE");
    memset(data(22), 0x5a, 1000);
    put(22, KEEL_SOCK_SEND, (req_t){ .sock = (uint32_t)p->client, .length = 1000 });
    bool kept = !wait_done(22, 300);
    uint64_t drained = drain(p, queued);
    int64_t sent = finish(22);
    drained += drain(p, queued + (sent > 0 ? (uint64_t)sent : 0) - drained);
    check(kept && sent == 1000 && drained == queued + 1000,
          "a blocking SEND on a full connection kept until the peer read, every byte through");
}

/* 1 MiB each way at once, every byte checked; each side keeps one SEND and
 * one RECV in flight, as blocking requests net keeps until they can go. */
#define BULK (1024u * 1024)

typedef struct flow {
    int64_t sock;
    unsigned slot;
    bool sending;
    uint8_t seed;
    uint32_t done;
    bool failed;
    unsigned requests, short_sends;
} flow_t;

static uint8_t pattern(uint8_t seed, uint32_t i)
{
    return (uint8_t)(seed ^ (i * 31u) ^ (i >> 9));
}

static void flow_put(flow_t *f)
{
    uint32_t n = BULK - f->done < KEEL_SOCK_DATA_SIZE ? BULK - f->done : KEEL_SOCK_DATA_SIZE;
    if (f->sending) {
        for (uint32_t i = 0; i < n; i++) {
            data(f->slot)[i] = pattern(f->seed, f->done + i);
        }
    }
    put(f->slot, f->sending ? KEEL_SOCK_SEND : KEEL_SOCK_RECV,
        (req_t){ .sock = (uint32_t)f->sock, .length = n });
    f->requests++;
}

/* The flow's answer taken; true if it moved. */
static bool flow_step(flow_t *f)
{
    if (f->failed || f->done == BULK || !sk.done[f->slot]) {
        return false;
    }
    sk.busy[f->slot] = false;
    int64_t r = sk.result[f->slot];
    uint32_t asked = sk.shared->record[f->slot].length;
    if (r <= 0 || (uint64_t)r > asked) {
        printf("socktest: bulk %s: answer %lld after %u bytes\n", f->sending ? "SEND" : "RECV",
               (long long)r, f->done);
        f->failed = true;
        return true;
    }
    if (!f->sending) {
        for (uint32_t i = 0; i < (uint32_t)r; i++) {
            if (data(f->slot)[i] != pattern(f->seed, f->done + i)) {
                printf("socktest: bulk: byte %u wrong\n", f->done + i);
                f->failed = true;
                return true;
            }
        }
    }
    f->short_sends += f->sending && (uint32_t)r < asked;
    f->done += (uint32_t)r;
    if (f->done < BULK) {
        flow_put(f);
    }
    return true;
}

static void check_bulk(const pair_t *p, const char *what)
{
    flow_t f[4] = {
        { .sock = p->client, .slot = 24, .sending = true, .seed = 0x11 },
        { .sock = p->server, .slot = 25, .sending = false, .seed = 0x11 },
        { .sock = p->server, .slot = 26, .sending = true, .seed = 0x77 },
        { .sock = p->client, .slot = 27, .sending = false, .seed = 0x77 },
    };
    for (int i = 0; i < 4; i++) {
        flow_put(&f[i]);
    }
    uint64_t start = keel_counter(), end = deadline_ms(60000);
    bool finished = false;
    while (!finished && keel_counter() < end) {
        take_completions();
        bool moved = false;
        for (int i = 0; i < 4; i++) {
            moved |= flow_step(&f[i]);
        }
        finished = true;
        for (int i = 0; i < 4; i++) {
            finished &= f[i].failed || f[i].done == BULK;
        }
        if (!moved && !finished) {
            wait_signal();
        }
    }
    uint64_t ms = (keel_counter() - start) * 1000 / keel_counter_frequency();
    bool ok = true;
    for (int i = 0; i < 4; i++) {
        ok &= !f[i].failed && f[i].done == BULK;
        if (sk.busy[f[i].slot] && !wait_done(f[i].slot, 100)) {
            ok = false;
        }
        sk.busy[f[i].slot] = false;
    }
    printf("socktest: %s: 2 x 1 MiB in %llu ms, %u + %u SENDs (%u + %u short), %u + %u RECVs\n",
           what, (unsigned long long)ms, f[0].requests, f[2].requests, f[0].short_sends,
           f[2].short_sends, f[1].requests, f[3].requests);
    char line[120];
    snprintf(line, sizeof(line), "%s: 1 MiB each way at once, every byte right", what);
    check(ok, line);
}

/* The client shuts its sending side: the server's end reads what was left,
 * then 0 and HUP; the server closes: the client's end HUP and 0. */
static void check_end_of_stream(pair_t *p)
{
    send_bytes(p->client, "bye", 3, 0);
    int64_t shut = call(KEEL_SOCK_SHUTDOWN, (req_t){ .sock = (uint32_t)p->client, .arg = 1 });
    bool hup = wait_ready((uint32_t)p->server, KEEL_SOCK_READABLE | KEEL_SOCK_HUP, 2000);
    char in[8] = { 0 };
    int64_t r1 = recv_bytes(p->server, in, 8, 0), r2 = recv_bytes(p->server, in + 3, 5, 0);
    check(shut == 0 && hup && r1 == 3 && memcmp(in, "bye", 3) == 0 && r2 == 0,
          "SHUTDOWN of sending: the peer gets the rest, HUP, then RECV 0");
    check(send_bytes(p->client, "x", 1, 0) == -EPIPE, "SEND after SHUTDOWN of sending: -EPIPE");
    check(send_bytes(p->server, "back", 4, 0) == 4 && recv_bytes(p->client, in, 8, 0) == 4,
          "the other way still carries data");
    sock_close(p->server);
    p->server = -1;
    check(wait_ready((uint32_t)p->client, KEEL_SOCK_HUP | KEEL_SOCK_READABLE, 2000) &&
              recv_bytes(p->client, in, 8, 0) == 0,
          "the peer closed: HUP, RECV 0 at the end");
}

static void check_close_answers_kept(pair_t *p)
{
    int64_t r;
    int64_t c = connect_to(OUR_IP, 5000, 0, &r);
    int64_t a = call(KEEL_SOCK_ACCEPT, (req_t){ .sock = (uint32_t)p->listener });
    put(28, KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)a, .length = 10 });
    bool kept = r == 0 && a >= 0 && !wait_done(28, 200);
    sock_close(a);
    check(kept && finish(28) == -EBADF, "CLOSE of a connection: its kept RECV answered -EBADF");
    sock_close(c);

    put(23, KEEL_SOCK_ACCEPT, (req_t){ .sock = (uint32_t)p->listener });
    kept = !wait_done(23, 200);
    sock_close(p->listener);
    check(kept && finish(23) == -EBADF, "CLOSE of a listener: its kept ACCEPT answered -EBADF");
    check(call(KEEL_SOCK_LISTEN, (req_t){ .sock = (uint32_t)p->listener, .arg = 1 }) == -EBADF,
          "a request on the closed id: -EBADF");
    p->listener = -1;
}

static void check_nonblocking_connect(uint32_t addr, uint32_t port)
{
    int64_t l = listener(addr, port), r;
    int64_t c = connect_to(addr, port, KEEL_SOCK_NONBLOCK, &r);
    bool writable = wait_ready((uint32_t)c, KEEL_SOCK_WRITABLE, 2000);
    int64_t e = call(KEEL_SOCK_GETOPT, (req_t){ .sock = (uint32_t)c, .arg = KEEL_SOCK_OPT_ERROR });
    int64_t again =
        call(KEEL_SOCK_CONNECT, (req_t){ .sock = (uint32_t)c, .addr = addr, .port = port });
    check(l >= 0 && r == -EINPROGRESS && writable && e == 0 && again == -EISCONN,
          "NONBLOCK CONNECT: -EINPROGRESS, then WRITABLE, OPT_ERROR 0, EISCONN");
    sock_close(c);
    sock_close(l);
}

static void check_refused(void)
{
    int64_t r;
    int64_t c = connect_to(OUR_IP, 5999, 0, &r);
    check(r == -ECONNREFUSED, "CONNECT to a closed port: -ECONNREFUSED");
    sock_close(c);
    c = connect_to(OUR_IP, 5999, KEEL_SOCK_NONBLOCK, &r);
    bool error = wait_ready((uint32_t)c, KEEL_SOCK_ERROR, 2000);
    int64_t e = call(KEEL_SOCK_GETOPT, (req_t){ .sock = (uint32_t)c, .arg = KEEL_SOCK_OPT_ERROR });
    check(r == -EINPROGRESS && error && e == ECONNREFUSED &&
              !(sk.shared->ready[c] & KEEL_SOCK_ERROR),
          "NONBLOCK CONNECT to a closed port: ERROR, OPT_ERROR ECONNREFUSED (then cleared)");
    sock_close(c);
}

static void check_tcp(void)
{
    pair_t p;
    if (make_pair(&p, OUR_IP, 5000, "TCP 10.0.2.15")) {
        check(exchange(&p), "TCP 10.0.2.15: SEND and RECV both ways");
        check_readiness_and_waits(&p);
        check_send_kept(&p);
        check_bulk(&p, "TCP 10.0.2.15");
        check_end_of_stream(&p);
        check_close_answers_kept(&p);
    }
    close_pair(&p);
    if (make_pair(&p, LOOPBACK_IP, 5001, "TCP 127.0.0.1")) {
        check(exchange(&p), "TCP 127.0.0.1: SEND and RECV both ways");
        check_bulk(&p, "TCP 127.0.0.1");
    }
    close_pair(&p);
    check_nonblocking_connect(OUR_IP, 5002);
    check_refused();
    int64_t a = listener(0, 5003), b = sock_new(KEEL_SOCK_STREAM);
    check(a >= 0 &&
              call(KEEL_SOCK_BIND, (req_t){ .sock = (uint32_t)b, .port = 5003 }) == -EADDRINUSE,
          "BIND to a port in use: -EADDRINUSE");
    sock_close(a);
    sock_close(b);
}

/* --- checks: UDP, ICMP, INFO, limits --------------------------------- */

static void check_udp(void)
{
    int64_t u1 = sock_new(KEEL_SOCK_DGRAM), u2 = sock_new(KEEL_SOCK_DGRAM);
    bool bound = call(KEEL_SOCK_BIND, (req_t){ .sock = (uint32_t)u1, .port = 6000 }) == 0 &&
                 call(KEEL_SOCK_BIND, (req_t){ .sock = (uint32_t)u2, .port = 6001 }) == 0;
    int64_t s = send_bytes(u2, "datagram", 8, 0);
    check(s == -EDESTADDRREQ, "UDP SEND with no address, not connected: -EDESTADDRREQ");
    memcpy(data(0), "datagram", 8);
    put(0, KEEL_SOCK_SEND,
        (req_t){ .sock = (uint32_t)u2,
                 .flags = KEEL_SOCK_TO,
                 .length = 8,
                 .addr = OUR_IP,
                 .port = 6000 });
    s = finish(0);
    char in[16] = { 0 };
    int64_t peek = recv_bytes(u1, in, 4, KEEL_SOCK_PEEK);
    int64_t r = recv_bytes(u1, in, 16, 0);
    uint32_t from = sk.addr[last_slot], port = sk.port[last_slot];
    check(bound && s == 8 && peek == 4 && r == 8 && memcmp(in, "datagram", 8) == 0 &&
              from == OUR_IP && port == 6001,
          "UDP to itself: one datagram (PEEK cut, then whole) with its source 10.0.2.15:6001");
    check(call(KEEL_SOCK_CONNECT, (req_t){ .sock = (uint32_t)u1, .addr = OUR_IP, .port = 6001 }) ==
                  0 &&
              send_bytes(u1, "reply", 5, 0) == 5 && recv_bytes(u2, in, 16, 0) == 5 &&
              memcmp(in, "reply", 5) == 0,
          "UDP CONNECT: SEND to the default peer");
    check(call(KEEL_SOCK_RECV,
               (req_t){ .sock = (uint32_t)u1, .flags = KEEL_SOCK_NONBLOCK, .length = 16 }) ==
                  -EAGAIN &&
              call(KEEL_SOCK_LISTEN, (req_t){ .sock = (uint32_t)u1, .arg = 1 }) == -EOPNOTSUPP,
          "UDP: NONBLOCK RECV -EAGAIN, LISTEN -EOPNOTSUPP");
    int64_t t = call(KEEL_SOCK_GETOPT, (req_t){ .sock = (uint32_t)u1, .arg = KEEL_SOCK_OPT_TYPE });
    check(t == KEEL_SOCK_DGRAM, "GETOPT TYPE of a UDP socket: DGRAM");
    sock_close(u1);
    sock_close(u2);
}

/* An echo request (header and 56 bytes) to addr, and its reply's ICMP
 * message within ms (else the RECV is cancelled). */
static bool ping_within(int64_t icmp, uint32_t addr, uint16_t sequence, unsigned ms)
{
    unsigned char m[64];
    memset(m, 0, sizeof(m));
    m[0] = 8;
    m[6] = (unsigned char)(sequence >> 8);
    m[7] = (unsigned char)sequence;
    for (unsigned i = 8; i < sizeof(m); i++) {
        m[i] = (unsigned char)(i + sequence);
    }
    memcpy(data(0), m, sizeof(m));
    put(0, KEEL_SOCK_SEND,
        (req_t){
            .sock = (uint32_t)icmp, .flags = KEEL_SOCK_TO, .length = sizeof(m), .addr = addr });
    if (finish(0) != (int64_t)sizeof(m)) {
        return false;
    }
    unsigned slot = 19;
    put(slot, KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)icmp, .length = 128 });
    if (!wait_done(slot, ms)) {
        put_entry((keel_ring_entry_t){
            .cookie = KEEL_SOCK_NO_ANSWER, .op = KEEL_SOCK_CANCEL, .offset = slot });
    }
    int64_t r = finish(slot);
    const unsigned char *in = data(slot);
    return r == (int64_t)sizeof(m) && sk.addr[slot] == addr && in[0] == 0 &&
           memcmp(in + 6, m + 6, sizeof(m) - 6) == 0;
}

static bool ping(int64_t icmp, uint32_t addr, uint16_t sequence)
{
    return ping_within(icmp, addr, sequence, WAIT_MS);
}

static void check_icmp(void)
{
    int64_t icmp = sock_new(KEEL_SOCK_ICMP);
    unsigned answered = 0;
    for (uint16_t i = 1; i <= 5; i++) {
        answered += ping(icmp, GATEWAY_IP, i);
    }
    check(icmp >= 0 && answered == 5,
          "ICMP echo to the gateway 10.0.2.2: 5 replies, payload and all");
    check(ping(icmp, OUR_IP, 9) && ping(icmp, LOOPBACK_IP, 10),
          "ICMP echo to 10.0.2.15 and 127.0.0.1: replies");
    unsigned char bad[8] = { 13 };
    check(send_bytes(icmp, bad, 8, KEEL_SOCK_TO) == -EINVAL, "ICMP: not an echo request: -EINVAL");
    sock_close(icmp);
}

static void check_info(void)
{
    int64_t r = call(KEEL_SOCK_INFO, (req_t){ 0 });
    keel_sock_info_t info;
    memcpy(&info, data(last_slot), sizeof(info));
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    check(r == sizeof(info) && info.addr == OUR_IP && info.netmask == 0xffffff00u &&
              info.gateway == GATEWAY_IP && info.mtu == 1500 && memcmp(info.mac, mac, 6) == 0 &&
              info.up && info.link_up,
          "INFO: 10.0.2.15/24 via 10.0.2.2, MTU 1500, MAC 52:54:00:12:34:56, up");
}

static void check_limit(void)
{
    static int64_t ids[KEEL_SOCK_MAX + 1];
    unsigned n = 0;
    int64_t r = 0;
    static const uint32_t types[3] = { KEEL_SOCK_STREAM, KEEL_SOCK_DGRAM, KEEL_SOCK_ICMP };
    while (n <= KEEL_SOCK_MAX && (r = sock_new(types[n % 3])) >= 0) {
        ids[n++] = r;
    }
    printf("socktest: %u sockets open, then %lld\n", n, (long long)r);
    check(n == KEEL_SOCK_MAX && r == -ENFILE, "128 sockets, the next SOCKET -ENFILE");
    for (unsigned i = 0; i < n; i++) {
        sock_close(ids[i]);
    }
    int64_t again = sock_new(KEEL_SOCK_STREAM);
    check(again >= 0, "after closing them, SOCKET works again");
    sock_close(again);
}

/* --- hostile requests ------------------------------------------------- */

static bool still_serving(void)
{
    int64_t s = sock_new(KEEL_SOCK_DGRAM);
    sock_close(s);
    return s >= 0;
}

static void hostile(const char *what, uint32_t op, req_t q, int64_t expected)
{
    int64_t r = call(op, q);
    char line[160];
    snprintf(line, sizeof(line), "hostile: %s: %lld, net still serving", what, (long long)expected);
    check(r == expected && still_serving(), line);
}

static void check_hostile(void)
{
    int64_t s = sock_new(KEEL_SOCK_STREAM), closed = sock_new(KEEL_SOCK_STREAM);
    sock_close(closed);
    hostile("operation 99", 99, (req_t){ .sock = (uint32_t)s }, -EINVAL);
    hostile("operation 0", 0, (req_t){ .sock = (uint32_t)s }, -EINVAL);
    hostile("socket id 4000", KEEL_SOCK_RECV, (req_t){ .sock = 4000, .length = 10 }, -EBADF);
    hostile("a socket id not open", KEEL_SOCK_RECV,
            (req_t){ .sock = (uint32_t)closed, .length = 10 }, -EBADF);
    hostile("length past the data buffer", KEEL_SOCK_SEND,
            (req_t){ .sock = (uint32_t)s, .length = KEEL_SOCK_DATA_SIZE + 1 }, -EINVAL);
    hostile("flags 0x80", KEEL_SOCK_RECV,
            (req_t){ .sock = (uint32_t)s, .flags = 0x80, .length = 1 }, -EINVAL);
    hostile("SOCKET of kind 9", KEEL_SOCK_SOCKET, (req_t){ .arg = 9 }, -EPROTONOSUPPORT);
    hostile("SHUTDOWN how 7", KEEL_SOCK_SHUTDOWN, (req_t){ .sock = (uint32_t)s, .arg = 7 },
            -EINVAL);
    hostile("SETOPT REUSEADDR 5", KEEL_SOCK_SETOPT,
            (req_t){ .sock = (uint32_t)s, .arg = KEEL_SOCK_OPT_REUSEADDR, .value = 5 }, -EINVAL);
    hostile("BIND port 70000", KEEL_SOCK_BIND, (req_t){ .sock = (uint32_t)s, .port = 70000 },
            -EINVAL);
    hostile("BIND to a foreign address", KEEL_SOCK_BIND,
            (req_t){ .sock = (uint32_t)s, .addr = GATEWAY_IP }, -EADDRNOTAVAIL);

    /* a slot out of range: no record to answer in (net says -EINVAL in the
     * entry's offset) */
    unsigned strays = sk.strays;
    put_entry((keel_ring_entry_t){ .cookie = 40, .op = KEEL_SOCK_SOCKET });
    check(still_serving() && sk.strays == strays + 1 && sk.stray_cookie == 40 &&
              sk.stray_result == -EINVAL,
          "hostile: slot 40: -EINVAL in the entry, net still serving");

    /* a slot already kept: the new request refused, the kept one stays */
    int64_t u = sock_new(KEEL_SOCK_DGRAM);
    put(29, KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)u, .length = 10 });
    bool kept = !wait_done(29, 200);
    sk.shared->record[29].arg = KEEL_SOCK_OPT_TYPE;
    sk.shared->record[29].sock = (uint32_t)u;
    sk.done[29] = false;
    put_entry((keel_ring_entry_t){ .cookie = 29, .op = KEEL_SOCK_GETOPT });
    bool refused = wait_done(29, 2000) && sk.result[29] == -EINVAL;
    sk.done[29] = false;
    put_entry(
        (keel_ring_entry_t){ .cookie = KEEL_SOCK_NO_ANSWER, .op = KEEL_SOCK_CANCEL, .offset = 29 });
    check(kept && refused && finish(29) == -EINTR && still_serving(),
          "hostile: a request on a slot already kept: -EINVAL, the kept one still there "
          "(cancelled: -EINTR)");

    /* CLOSE and CANCEL of nothing: no answer, no harm */
    put_entry((keel_ring_entry_t){
        .cookie = KEEL_SOCK_NO_ANSWER, .op = KEEL_SOCK_CLOSE, .offset = 9999 });
    put_entry(
        (keel_ring_entry_t){ .cookie = KEEL_SOCK_NO_ANSWER, .op = KEEL_SOCK_CANCEL, .offset = 77 });
    put_entry((keel_ring_entry_t){ .cookie = KEEL_SOCK_NO_ANSWER, .op = KEEL_SOCK_RECV });
    check(still_serving() && sk.strays == strays + 1,
          "hostile: CLOSE 9999, CANCEL 77, an unanswerable RECV: ignored");

    /* a corrupt request ring: nothing taken from it, and net goes on once
     * it is whole again */
    uint32_t head = sk.rings->request.head;
    sk.rings->request.head = head + 1000;
    seL4_Signal(sk.signal);
    pause_ms(300);
    sk.rings->request.head = head;
    check(still_serving(), "hostile: a corrupt request ring: net neither hangs nor crashes");
    sock_close(s);
    sock_close(u);
}

/* --- net killed and restarted ---------------------------------------- */

static void check_restart(seL4_CPtr rs)
{
    pair_t p;
    if (!make_pair(&p, OUR_IP, 5010, "before the kill")) {
        close_pair(&p);
        return;
    }
    put(30, KEEL_SOCK_RECV, (req_t){ .sock = (uint32_t)p.server, .length = 10 });
    uint32_t old = sk.epoch;
    long r = rs_inject(rs, "net", RS_INJECT_KILL, 0, 1, NULL, NULL, NULL, NULL, NULL);
    bool seen = r == 0 && wait_epoch(10000);
    bool zero = true;
    for (unsigned i = 0; i < KEEL_SOCK_MAX; i++) {
        zero &= sk.shared->ready[i] == 0;
    }
    printf("socktest: net killed (rs: %ld), epoch %u -> %u\n", r, old, sk.rings->driver_epoch);
    check(seen, "net killed through rs: a new epoch announced");
    check(seen && zero, "the new net zeroed ready[]");
    /* net takes nothing before the handshake: a request now waits */
    put(31, KEEL_SOCK_SOCKET, (req_t){ .arg = KEEL_SOCK_DGRAM });
    bool waited = !wait_done(31, 300);
    catch_up(); /* in-flight requests (the kept RECV, this SOCKET) failed by "vfs" */
    check(waited, "the new net takes no request before vfs accepts its epoch");
    check(call(KEEL_SOCK_RECV,
               (req_t){ .sock = (uint32_t)p.server, .flags = KEEL_SOCK_NONBLOCK, .length = 10 }) ==
                  -EBADF &&
              call(KEEL_SOCK_SEND, (req_t){ .sock = (uint32_t)p.client, .length = 1 }) == -EBADF,
          "after the restart the old sockets are gone: -EBADF");
    pair_t q;
    bool ok = make_pair(&q, OUR_IP, 5010, "after the restart") && exchange(&q);
    check(ok, "after the restart new sockets work (TCP on the same port)");
    close_pair(&q);
    /* The old net's receive buffers are still posted in eth under cookies
     * the new one does not know (keel/os/netclient.h): their frames are
     * lost, up to 32 of them; ARP and ping try again meanwhile. */
    int64_t icmp = sock_new(KEEL_SOCK_ICMP);
    unsigned tries = 0;
    bool answered = false;
    while (!answered && tries < 20) {
        answered = ping_within(icmp, GATEWAY_IP, (uint16_t)(77 + tries), 1000);
        tries++;
    }
    printf("socktest: the gateway answered after the restart at ping %u\n", tries);
    if (call(KEEL_SOCK_INFO, (req_t){ 0 }) > 0) {
        keel_sock_info_t info;
        memcpy(&info, data(last_slot), sizeof(info));
        printf("socktest: net's link: %llu frames in, %llu out, %llu + %llu dropped, %u driver "
               "restarts\n",
               (unsigned long long)info.rx_frames, (unsigned long long)info.tx_frames,
               (unsigned long long)info.rx_dropped, (unsigned long long)info.tx_dropped,
               info.driver_restarts);
    }
    check(answered, "after the restart the gateway answers");
    sock_close(icmp);
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    const keel_startcap_t *rs = keel_startinfo_find(keel_startinfo(), "rs");
    bool ok = open_channel();
    check(ok, "open the channel 'sock', net's epoch accepted");
    if (!ok) {
        printf("socktest: %d checks, %d failed\n", checks, failures);
        return 1;
    }
    check_info();
    check_tcp();
    check_udp();
    check_icmp();
    check_limit();
    check_hostile();
    if (rs != NULL) {
        check_restart(rs->cptr);
    }
    printf("socktest: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
