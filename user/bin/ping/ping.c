/* ping [-c COUNT] [-i INTERVAL_MS] [-s SIZE] [-W TIMEOUT_MS] HOST: send
 * COUNT (4) ICMP echo requests with SIZE (56) bytes of data to HOST (a
 * numeric IPv4 address, or localhost), one every INTERVAL_MS (1000) ms,
 * and wait up to TIMEOUT_MS (1000) ms for each one's reply; a line for
 * each reply, then a summary.
 *
 * Through a "ping socket" (SOCK_DGRAM, IPPROTO_ICMP, as Linux's
 * unprivileged ones): what is sent and received is the ICMP message
 * alone, without the IP header, and the system picks the identifier (so
 * replies are told apart by their sequence number).
 *
 * Exit 0 if a reply came, 1 if none did or the socket failed, 2 on a
 * usage error.
 * Calls: socket sendto recvfrom poll close, clock_gettime nanosleep,
 * getpid. */
#include "../common/netutil.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define USAGE "ping [-c COUNT] [-i INTERVAL_MS] [-s SIZE] [-W TIMEOUT_MS] HOST"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_HEADER 8       /* type, code, checksum, identifier, sequence */
#define SIZE_MAX_DATA 65499 /* the largest IPv4 datagram's room, less the headers */

typedef struct ping {
    long count, interval_ms, size, timeout_ms;
    struct in_addr host;
    int sock;
    unsigned char *request, *reply; /* ICMP_HEADER + size bytes each */
    long sent, received;
    int64_t rtt_min_us, rtt_max_us, rtt_sum_us;
} ping_t;

static int usage(const char *why)
{
    fprintf(stderr, "ping: %s\nusage: %s\n", why, USAGE);
    return NETUTIL_USAGE;
}

static int parse_options(int argc, char **argv, ping_t *p)
{
    int option;
    while ((option = getopt(argc, argv, "c:i:s:W:")) != -1) {
        bool ok = false;
        switch (option) {
        case 'c':
            ok = netutil_number(optarg, 1, 1000000, &p->count);
            break;
        case 'i':
            ok = netutil_number(optarg, 1, 3600000, &p->interval_ms);
            break;
        case 's':
            ok = netutil_number(optarg, 0, SIZE_MAX_DATA, &p->size);
            break;
        case 'W':
            ok = netutil_number(optarg, 1, 3600000, &p->timeout_ms);
            break;
        default:
            return usage("unknown option");
        }
        if (!ok) {
            char why[64];
            snprintf(why, sizeof(why), "-%c %s: out of range", option, optarg);
            return usage(why);
        }
    }
    if (argc - optind != 1) {
        return usage("one HOST expected");
    }
    if (!netutil_address(argv[optind], &p->host)) {
        return usage("HOST: not an IPv4 address (no names but localhost)");
    }
    return 0;
}

static void put16(unsigned char *at, unsigned value)
{
    at[0] = (unsigned char)(value >> 8);
    at[1] = (unsigned char)value;
}

static unsigned get16(const unsigned char *at)
{
    return (unsigned)at[0] << 8 | at[1];
}

/* The Internet checksum (RFC 1071) of bytes[0..length). */
static unsigned checksum(const unsigned char *bytes, size_t length)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < length; i += 2) {
        sum += get16(bytes + i);
    }
    if (length % 2 != 0) {
        sum += (uint32_t)bytes[length - 1] << 8;
    }
    while (sum > 0xffff) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

/* The data's byte i: a pattern that shows a reply carrying other bytes. */
static unsigned char pattern(long i)
{
    return (unsigned char)(i * 7 + 3);
}

static void make_request(ping_t *p, unsigned seq)
{
    unsigned char *m = p->request;
    m[0] = ICMP_ECHO_REQUEST;
    m[1] = 0;
    put16(m + 2, 0);
    put16(m + 4, (unsigned)getpid() & 0xffff); /* the system may put its own */
    put16(m + 6, seq);
    for (long i = 0; i < p->size; i++) {
        m[ICMP_HEADER + i] = pattern(i);
    }
    put16(m + 2, checksum(m, ICMP_HEADER + (size_t)p->size));
}

/* Whether reply[0..length) from `from` is the echo reply to seq. The
 * identifier is not compared: the system has put its own in the request
 * and gives this socket only the replies that carry it. */
static bool is_reply(const ping_t *p, size_t length, struct in_addr from, unsigned seq)
{
    const unsigned char *m = p->reply;
    return from.s_addr == p->host.s_addr && length == ICMP_HEADER + (size_t)p->size &&
           m[0] == ICMP_ECHO_REPLY && m[1] == 0 && get16(m + 6) == seq &&
           memcmp(m + ICMP_HEADER, p->request + ICMP_HEADER, (size_t)p->size) == 0;
}

static void count_reply(ping_t *p, size_t length, unsigned seq, int64_t rtt_us)
{
    char host[INET_ADDRSTRLEN];
    printf("%zu bytes from %s: icmp_seq=%u time=%lld.%03lld ms\n", length,
           netutil_address_text(p->host, host), seq, (long long)(rtt_us / 1000),
           (long long)(rtt_us % 1000));
    if (p->received == 0 || rtt_us < p->rtt_min_us) {
        p->rtt_min_us = rtt_us;
    }
    if (p->received == 0 || rtt_us > p->rtt_max_us) {
        p->rtt_max_us = rtt_us;
    }
    p->rtt_sum_us += rtt_us;
    p->received++;
}

/* Wait until deadline_us for the reply to seq (sent at sent_us): others
 * (late, duplicated, not ours) are dropped. False if it did not come. */
static bool await_reply(ping_t *p, unsigned seq, int64_t sent_us, int64_t deadline_us)
{
    for (;;) {
        int64_t now_us = netutil_now_us();
        if (now_us >= deadline_us) {
            return false;
        }
        struct pollfd fd = { .fd = p->sock, .events = POLLIN };
        int ready = poll(&fd, 1, (int)((deadline_us - now_us + 999) / 1000));
        if (ready <= 0) {
            if (ready < 0 && errno != EINTR) {
                netutil_fail("ping", "poll");
                return false;
            }
            continue;
        }
        struct sockaddr_in from;
        socklen_t from_length = sizeof(from);
        memset(&from, 0, sizeof(from));
        ssize_t n = recvfrom(p->sock, p->reply, ICMP_HEADER + (size_t)p->size + 1, 0,
                             (struct sockaddr *)&from, &from_length);
        int64_t rtt_us = netutil_now_us() - sent_us;
        if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            netutil_fail("ping", "recvfrom"); /* an ICMP error for our request */
            return false;
        }
        if (n >= 0 && is_reply(p, (size_t)n, from.sin_addr, seq)) {
            count_reply(p, (size_t)n, seq, rtt_us);
            return true;
        }
    }
}

static void sleep_until(int64_t when_us)
{
    int64_t left_us = when_us - netutil_now_us();
    if (left_us > 0) {
        struct timespec t = { .tv_sec = (time_t)(left_us / 1000000),
                              .tv_nsec = (long)(left_us % 1000000) * 1000 };
        nanosleep(&t, NULL); /* cut short: the next request goes a little early */
    }
}

/* False if it could not be sent (said). */
static bool send_request(ping_t *p, unsigned seq)
{
    make_request(p, seq);
    struct sockaddr_in to = netutil_sockaddr(p->host, 0);
    size_t length = ICMP_HEADER + (size_t)p->size;
    ssize_t n = sendto(p->sock, p->request, length, 0, (const struct sockaddr *)&to, sizeof(to));
    if (n < 0) {
        netutil_fail("ping", "sendto");
        return false;
    }
    p->sent++;
    return true;
}

static void summary(const ping_t *p)
{
    char host[INET_ADDRSTRLEN];
    long lost = p->sent - p->received;
    printf("--- %s ping statistics ---\n", netutil_address_text(p->host, host));
    printf("%ld packets transmitted, %ld received, %ld%% packet loss\n", p->sent, p->received,
           p->sent > 0 ? lost * 100 / p->sent : 100);
    if (p->received > 0) {
        int64_t avg_us = p->rtt_sum_us / p->received;
        printf("rtt min/avg/max = %lld.%03lld/%lld.%03lld/%lld.%03lld ms\n",
               (long long)(p->rtt_min_us / 1000), (long long)(p->rtt_min_us % 1000),
               (long long)(avg_us / 1000), (long long)(avg_us % 1000),
               (long long)(p->rtt_max_us / 1000), (long long)(p->rtt_max_us % 1000));
    }
}

int main(int argc, char **argv)
{
    ping_t p = { .count = 4, .interval_ms = 1000, .size = 56, .timeout_ms = 1000 };
    int status = parse_options(argc, argv, &p);
    if (status != 0) {
        return status;
    }
    p.request = malloc(ICMP_HEADER + (size_t)p.size);
    p.reply = malloc(ICMP_HEADER + (size_t)p.size + 1); /* a longer reply shows */
    if (p.request == NULL || p.reply == NULL) {
        return netutil_fail("ping", "memory");
    }
    p.sock = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (p.sock < 0) {
        return netutil_fail("ping", "socket");
    }
    /* Each reply when it comes, even into a pipe (a buffer of size 0
     * would make picolibc write a byte at a time). */
    static char line_buffer[BUFSIZ];
    setvbuf(stdout, line_buffer, _IOLBF, sizeof(line_buffer));
    char host[INET_ADDRSTRLEN];
    netutil_address_text(p.host, host);
    printf("PING %s (%s) %ld(%ld) bytes of data.\n", host, host, p.size, p.size + 28);
    for (long i = 0; i < p.count; i++) {
        unsigned seq = (unsigned)(i + 1) & 0xffff;
        int64_t sent_us = netutil_now_us();
        if (send_request(&p, seq)) {
            await_reply(&p, seq, sent_us, sent_us + p.timeout_ms * 1000);
        }
        if (i + 1 < p.count) {
            sleep_until(sent_us + p.interval_ms * 1000);
        }
    }
    summary(&p);
    close(p.sock);
    free(p.request);
    free(p.reply);
    return p.received > 0 ? 0 : 1;
}
