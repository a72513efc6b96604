/* The virtio-net driver's test client (tests/os/net.system, image osnet),
 * a component on the early console, on QEMU's user network (restrict=on:
 * nothing beyond QEMU; the gateway 10.0.2.2 is QEMU itself). Through the
 * network channel (keel/os/net.h) it checks: the MAC address and MTU;
 * an ARP request for the gateway answered; echo requests to the gateway
 * answered with the same identifier, sequence and payload; every kind of
 * bad request refused with the driver still serving; and crashes and
 * kills of the driver with receive buffers posted: the buffers posted
 * again, the gateway still answering.
 *
 * Every check prints `nettest: WHAT: ok` or `... FAILED`; tests/tests.list
 * (os.eth) matches them. */
#include <keel/os/channel.h>
#include <keel/os/heartbeat.h>
#include <keel/os/net.h>
#include <keel/os/start.h>
#include <keel/os/startinfo.h>
#include <keel/os/timer.h>
#include <keel/proto/rs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PAGE 4096u
#define BUFFER 2048u /* two buffers a page: none spans a page */
#define RX_BUFFERS 16
#define TX_BUFFERS 8
#define SLOTS (RX_BUFFERS + TX_BUFFERS)
#define WAIT_SECONDS 5
#define PINGS 20
#define RESTARTS 10

static const uint8_t our_ip[4] = { 10, 0, 2, 15 }, gateway_ip[4] = { 10, 0, 2, 2 };
static const uint8_t qemu_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* A request the driver has not completed: queued again after a restart. */
typedef struct slot {
    keel_ring_entry_t request;
    bool busy;
} slot_t;

static struct {
    keel_channel_end_t end;
    uint8_t *region;
    seL4_CPtr own;
    uint32_t epoch;
    uint64_t generation;    /* high bits of the cookies */
    slot_t slot[SLOTS + 1]; /* 0..RX_BUFFERS-1 receive, then transmit, then INFO */
    uint8_t mac[6], gateway_mac[6];
    unsigned restarts;
    /* the last frame received */
    uint8_t frame[KEEL_NET_FRAME_MAX];
    uint32_t frame_length;
} net;

static int checks, failures;

static void check(bool ok, const char *what)
{
    printf("nettest: %s: %s\n", what, ok ? "ok" : "FAILED");
    checks++;
    failures += !ok;
}

static uint8_t *buffer(unsigned slot)
{
    return net.region + PAGE + (uint64_t)slot * BUFFER;
}

static void put(unsigned slot, uint32_t op, uint32_t length)
{
    net.slot[slot].request =
        keel_net_request(++net.generation << 8 | slot, op, PAGE + (uint64_t)slot * BUFFER, length);
    net.slot[slot].busy = true;
    keel_ring_put(&net.end.rings->request, net.slot[slot].request);
    seL4_Signal(net.end.signal);
}

/* A new driver instance: take what the old one answered, queue again what
 * it did not (docs/os.md "Driver channels"). */
static void take_completions(void);

static void catch_up(void)
{
    take_completions();
    keel_channel_drop_requests(net.end.rings);
    for (unsigned i = 0; i <= SLOTS; i++) {
        if (net.slot[i].busy) {
            keel_ring_put(&net.end.rings->request, net.slot[i].request);
        }
    }
    net.restarts += net.epoch != 0;
    net.epoch = keel_channel_accept(net.end.rings);
    seL4_Signal(net.end.signal);
}

static unsigned tx_done, bad_answers;
static uint32_t last_status;

/* A received frame is kept in net.frame (the last one wins: callers look
 * after each) and its buffer posted again at once. */
static bool info_answered;
static uint64_t info_mac;
static uint32_t info_mtu;

#define INFO_SLOT SLOTS

static void complete(const keel_ring_entry_t *e)
{
    unsigned slot = (unsigned)(e->cookie & 0xff);
    if (slot > SLOTS || !net.slot[slot].busy || net.slot[slot].request.cookie != e->cookie) {
        return; /* an earlier instance's */
    }
    net.slot[slot].busy = false;
    if (slot == INFO_SLOT) {
        info_answered = e->op == KEEL_NET_OK;
        info_mac = e->offset;
        info_mtu = e->length;
        return;
    }
    last_status = e->op;
    if (e->op != KEEL_NET_OK) {
        bad_answers++;
    } else if (slot < RX_BUFFERS) {
        net.frame_length = e->length <= KEEL_NET_FRAME_MAX ? e->length : 0;
        memcpy(net.frame, buffer(slot), net.frame_length);
        put(slot, KEEL_NET_RX, BUFFER);
        return;
    } else {
        tx_done++;
    }
}

static bool frame_arrived;

static void take_completions(void)
{
    keel_ring_entry_t e;
    while (keel_ring_get(&net.end.rings->completion, &e)) {
        bool rx = (e.cookie & 0xff) < RX_BUFFERS && e.op == KEEL_NET_OK;
        complete(&e);
        frame_arrived |= rx;
    }
}

static void poll(void)
{
    if (keel_channel_restarted(net.end.rings, net.epoch)) {
        catch_up();
    } else {
        take_completions();
    }
}

/* Wait until done() (asked once after each look at the rings: it may
 * consume what it looks at) or WAIT_SECONDS; rs's heartbeat pings wake
 * the wait. */
static bool wait_until(bool (*done)(void))
{
    uint64_t end = keel_counter() + WAIT_SECONDS * keel_counter_frequency();
    poll();
    bool got;
    while (!(got = done()) && keel_counter() < end) {
        seL4_Word bits;
        seL4_Wait(net.own, &bits);
        keel_heartbeat_answer(keel_startinfo(), bits);
        poll();
    }
    return got;
}

/* --- frames ----------------------------------------------------------- */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += be16(p + i);
    }
    if (n % 2) {
        sum += (uint32_t)p[n - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static void ethernet(uint8_t *f, const uint8_t *to, uint16_t type)
{
    memcpy(f, to, 6);
    memcpy(f + 6, net.mac, 6);
    put16(f + 12, type);
}

static void send_frame(unsigned tx, uint32_t length)
{
    put(RX_BUFFERS + tx, KEEL_NET_TX, length);
}

static void send_arp_request(void)
{
    static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t *f = buffer(RX_BUFFERS);
    memset(f, 0, 60);
    ethernet(f, broadcast, 0x0806);
    put16(f + 14, 1);      /* Ethernet */
    put16(f + 16, 0x0800); /* IPv4 */
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, 1); /* request */
    memcpy(f + 22, net.mac, 6);
    memcpy(f + 28, our_ip, 4);
    memcpy(f + 38, gateway_ip, 4);
    send_frame(0, 60);
}

static bool arp_reply_came(void)
{
    const uint8_t *f = net.frame;
    if (!frame_arrived || net.frame_length < 42 || be16(f + 12) != 0x0806 || be16(f + 20) != 2 ||
        memcmp(f + 28, gateway_ip, 4) != 0 || memcmp(f + 32, net.mac, 6) != 0) {
        frame_arrived = false;
        return false;
    }
    memcpy(net.gateway_mac, f + 22, 6);
    return true;
}

#define ECHO_PAYLOAD 56u
#define ECHO_ID 0x4b65

static uint16_t echo_sequence;

static void send_echo_request(uint16_t sequence)
{
    uint8_t *f = buffer(RX_BUFFERS + 1 + sequence % (TX_BUFFERS - 1));
    uint8_t *ip = f + 14, *icmp = ip + 20;
    uint16_t ip_length = 20 + 8 + ECHO_PAYLOAD;
    ethernet(f, net.gateway_mac, 0x0800);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, ip_length);
    put16(ip + 4, sequence);
    ip[8] = 64;
    ip[9] = 1; /* ICMP */
    memcpy(ip + 12, our_ip, 4);
    memcpy(ip + 16, gateway_ip, 4);
    put16(ip + 10, checksum(ip, 20));
    memset(icmp, 0, 8);
    icmp[0] = 8; /* echo request */
    put16(icmp + 4, ECHO_ID);
    put16(icmp + 6, sequence);
    for (unsigned i = 0; i < ECHO_PAYLOAD; i++) {
        icmp[8 + i] = (uint8_t)(sequence * 7 + i);
    }
    put16(icmp + 2, checksum(icmp, 8 + ECHO_PAYLOAD));
    send_frame(1 + sequence % (TX_BUFFERS - 1), 14u + ip_length);
}

/* The echo reply for echo_sequence, payload and all. */
static bool echo_reply_came(void)
{
    const uint8_t *f = net.frame, *ip = f + 14, *icmp = ip + 20;
    bool ok = frame_arrived && net.frame_length >= 14 + 20 + 8 + ECHO_PAYLOAD &&
              be16(f + 12) == 0x0800 && ip[9] == 1 && memcmp(ip + 12, gateway_ip, 4) == 0 &&
              icmp[0] == 0 && be16(icmp + 4) == ECHO_ID && be16(icmp + 6) == echo_sequence;
    for (unsigned i = 0; ok && i < ECHO_PAYLOAD; i++) {
        ok = icmp[8 + i] == (uint8_t)(echo_sequence * 7 + i);
    }
    frame_arrived = false;
    return ok;
}

static bool ping(void)
{
    echo_sequence++;
    frame_arrived = false;
    send_echo_request(echo_sequence);
    return wait_until(echo_reply_came);
}

/* --- checks ----------------------------------------------------------- */

static bool info_came(void)
{
    return info_answered;
}

static void check_info(void)
{
    put(INFO_SLOT, KEEL_NET_INFO, 0);
    bool ok = wait_until(info_came);
    for (unsigned i = 0; i < 6; i++) {
        net.mac[i] = (uint8_t)(info_mac >> (8 * i));
    }
    check(ok && memcmp(net.mac, qemu_mac, 6) == 0 && info_mtu == KEEL_NET_MTU,
          "INFO: MAC 52:54:00:12:34:56, MTU 1500");
}

static void check_gateway(void)
{
    for (unsigned i = 0; i < RX_BUFFERS; i++) {
        put(i, KEEL_NET_RX, BUFFER);
    }
    frame_arrived = false;
    send_arp_request();
    check(wait_until(arp_reply_came), "ARP: the gateway 10.0.2.2 answers");
    unsigned answered = 0;
    for (unsigned i = 0; i < PINGS; i++) {
        answered += ping();
    }
    printf("nettest: %u of %u echo requests answered\n", answered, PINGS);
    check(answered == PINGS, "ICMP: every echo request to the gateway answered, payload and all");
}

static bool one_bad_answer(void)
{
    return bad_answers > 0;
}

/* A request the driver must refuse: KEEL_NET_BAD_REQUEST, and the slot is
 * free again. */
static bool refused(uint32_t op, uint64_t offset, uint32_t length)
{
    unsigned slot = RX_BUFFERS + TX_BUFFERS - 1;
    bad_answers = 0;
    net.slot[slot].request = keel_net_request(++net.generation << 8 | slot, op, offset, length);
    net.slot[slot].busy = true;
    keel_ring_put(&net.end.rings->request, net.slot[slot].request);
    seL4_Signal(net.end.signal);
    return wait_until(one_bad_answer) && last_status == KEEL_NET_BAD_REQUEST;
}

static void check_bad_requests(void)
{
    uint64_t end = keel_startinfo_find(keel_startinfo(), "net")->size;
    uint64_t tx = PAGE + (uint64_t)(RX_BUFFERS + TX_BUFFERS - 1) * BUFFER;
    check(refused(99, tx, 60), "operation 99: refused");
    check(refused(KEEL_NET_TX, tx, 0), "a frame of 0 bytes: refused");
    check(refused(KEEL_NET_TX, tx, 13), "a frame shorter than its header: refused");
    check(refused(KEEL_NET_TX, tx, KEEL_NET_FRAME_MAX + 1), "a frame over 1514 bytes: refused");
    check(refused(KEEL_NET_TX, 0, 60), "a buffer over the rings: refused");
    check(refused(KEEL_NET_TX, PAGE + PAGE - 64, 200), "a buffer across two pages: refused");
    check(refused(KEEL_NET_TX, end, 60), "a buffer past the region: refused");
    check(refused(KEEL_NET_RX, tx, 1000), "a receive buffer too small for a frame: refused");
    check(ping(), "an echo request after them: answered");
}

static void check_restarts(seL4_CPtr rs)
{
    unsigned good = 0, before = net.restarts;
    for (unsigned round = 1; round <= RESTARTS; round++) {
        uint64_t kind = round % 2 ? RS_INJECT_CRASH : RS_INJECT_KILL;
        long r = rs_inject(rs, "eth", kind, 0, round, NULL, NULL, NULL, NULL, NULL);
        good += r == 0 && ping();
    }
    printf("nettest: %u of %u rounds answered, %u restarts seen\n", good, RESTARTS,
           net.restarts - before);
    check(good == RESTARTS && net.restarts - before == RESTARTS,
          "10 crashes and kills with receive buffers posted: the gateway still answers");
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    const keel_startinfo_t *si = keel_startinfo();
    const keel_startcap_t *rs = keel_startinfo_find(si, "rs");
    const keel_startcap_t *own = keel_startinfo_find(si, "notify");
    net.end = keel_channel_end(si, "net");
    net.region = (uint8_t *)net.end.rings;
    const keel_startcap_t *region = keel_startinfo_find(si, "net");
    bool ok =
        net.end.rings != NULL && rs != NULL && own != NULL && region->size >= PAGE + SLOTS * BUFFER;
    check(ok, "open the channel 'net'");
    if (!ok) {
        return 1;
    }
    net.own = own->cptr;
    net.epoch = net.end.rings->client_epoch;
    net.generation = keel_counter();
    check_info();
    check_gateway();
    check_bad_requests();
    check_restarts(rs->cptr);
    printf("nettest: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
