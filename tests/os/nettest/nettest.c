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
#include <keel/os/netclient.h>
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

static struct {
    keel_net_client_t c;
    uint8_t mac[6], gateway_mac[6];
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

static uint64_t place(unsigned slot)
{
    return PAGE + (uint64_t)slot * BUFFER;
}

static uint8_t *buffer(unsigned slot)
{
    return net.c.region + place(slot);
}

static bool frame_arrived;
static unsigned bad_answers;
static uint32_t last_status;

/* Completed slots: a received frame is kept in net.frame (the last one
 * wins: callers look after each) and its buffer posted again at once. */
static void take_done(void)
{
    for (unsigned i = 0; i < SLOTS; i++) {
        keel_net_slot_t *s = &net.c.slot[i];
        if (!s->done) {
            continue;
        }
        s->done = false;
        s->busy = false;
        last_status = s->status;
        if (s->status != KEEL_NET_OK) {
            bad_answers++;
        } else if (i < RX_BUFFERS) {
            net.frame_length = s->length <= KEEL_NET_FRAME_MAX ? s->length : 0;
            memcpy(net.frame, buffer(i), net.frame_length);
            frame_arrived = true;
            keel_net_put(&net.c, i, KEEL_NET_RX, place(i), BUFFER);
        }
    }
}

static void poll(void)
{
    keel_net_poll(&net.c);
    take_done();
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
        keel_net_wait(&net.c);
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
    keel_net_put(&net.c, RX_BUFFERS + tx, KEEL_NET_TX, place(RX_BUFFERS + tx), length);
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

static void check_info(void)
{
    for (unsigned i = 0; i < 6; i++) {
        net.mac[i] = (uint8_t)(net.c.mac >> (8 * i));
    }
    check(memcmp(net.mac, qemu_mac, 6) == 0 && net.c.mtu == KEEL_NET_MTU,
          "INFO: MAC 52:54:00:12:34:56, MTU 1500");
}

static void check_gateway(void)
{
    for (unsigned i = 0; i < RX_BUFFERS; i++) {
        keel_net_put(&net.c, i, KEEL_NET_RX, place(i), BUFFER);
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
    bad_answers = 0;
    keel_net_put(&net.c, SLOTS - 1, op, offset, length);
    return wait_until(one_bad_answer) && last_status == KEEL_NET_BAD_REQUEST;
}

static void check_bad_requests(void)
{
    uint64_t end = net.c.region_size, tx = place(SLOTS - 1);
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
    unsigned good = 0, before = net.c.restarts;
    for (unsigned round = 1; round <= RESTARTS; round++) {
        uint64_t kind = round % 2 ? RS_INJECT_CRASH : RS_INJECT_KILL;
        long r = rs_inject(rs, "eth", kind, 0, round, NULL, NULL, NULL, NULL, NULL);
        good += r == 0 && ping();
    }
    printf("nettest: %u of %u rounds answered, %u restarts seen\n", good, RESTARTS,
           net.c.restarts - before);
    check(good == RESTARTS && net.c.restarts - before == RESTARTS,
          "10 crashes and kills with receive buffers posted: the gateway still answers");
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    const keel_startcap_t *rs = keel_startinfo_find(keel_startinfo(), "rs");
    bool ok = keel_net_open(&net.c, "net", PAGE + SLOTS * BUFFER) == 0 && rs != NULL;
    check(ok, "open the channel 'net' (INFO answered)");
    if (!ok) {
        return 1;
    }
    check_info();
    check_gateway();
    check_bad_requests();
    check_restarts(rs->cptr);
    printf("nettest: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
