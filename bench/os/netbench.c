/* netbench: TCP throughput both ways and request latency, in instructions
 * executed inside the guest, one source for Keel and Linux
 * (docs/benchmarks.md, "Network benchmarks").
 *
 * It listens on TCP port NB_PORT, prints `NETBENCH READY`, and serves the
 * connections the host opens (tools/runnetbench.py), one at a time. Each
 * begins with a header of NB_HEADER bytes from the host, ASCII, padded
 * with NULs: `OP COUNT WARMUP`.
 *
 *   rx COUNT WARMUP  the host sends WARMUP then COUNT bytes of the stream
 *                    pattern and shuts its side; netbench reads them in
 *                    calls of NB_CHUNK bytes until end of file, then
 *                    answers "ok". Measured: from the first read of the
 *                    COUNT bytes to the end of file.
 *   tx COUNT WARMUP  netbench writes WARMUP then COUNT bytes of the stream
 *                    in calls of NB_CHUNK bytes and shuts its side; the
 *                    host reads them all, checks every byte and answers
 *                    "ok". Measured: from the first write of the COUNT
 *                    bytes to the host's answer (so every byte has left).
 *   rr COUNT WARMUP  WARMUP then COUNT requests: the host sends NB_REQUEST
 *                    bytes (the request's number in the first 8, little
 *                    endian), netbench reads exactly that many and writes
 *                    them back; the host waits for them before the next.
 *                    Measured: from the first read of the COUNT requests
 *                    to the last answer written.
 *   end              report and stop: for each kind the samples
 *                    (`NETBENCH SAMPLE <kind> units=... instructions=...
 *                    counter=... frames_in=... frames_out=...`: the card's
 *                    frames over the whole connection), then
 *                    `NETBENCH RESULT|INSTRUCTIONS <kind> median=...
 *                    min=... max=... n=... per=...` (the figures are
 *                    instructions per `per` units: per MiB of a stream,
 *                    per request), then `NETBENCH DONE`, or
 *                    `NETBENCH FAILED` if a connection failed (each
 *                    failure prints `NETBENCH ERROR` when it happens).
 *
 * Nothing is printed between `READY` and `end`, so no console output is
 * in flight while a connection is measured.
 *
 * The two counters are those of osbench (bench/os/benchsys.h): RESULT is
 * the generic timer's count (it also runs while the machine idles, waiting
 * for the host), INSTRUCTIONS the PMU's, the instructions executed by
 * everything on the CPU (kernel, drivers, servers, netbench) and not the
 * idle time, where the kernel offers it.
 *
 * The stream pattern: 4 KiB blocks, numbered from 0 at the first byte
 * after the header (the warm-up included), each an 8-byte little-endian
 * header NB_MAGIC | block, then 4,088 bytes body_byte(8) ...
 * body_byte(4095). Inside the measurement netbench checks each block's
 * header as the data arrives; after it, every byte of the last chunk.
 *
 * As Linux's /init netbench first brings the network up: the initramfs's
 * modules (virtio-mmio, virtio-net...), then lo and eth0 with QEMU's
 * static setup, 10.0.2.15/24 (SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS),
 * which Keel's net server has by itself, with /proc mounted for the frame
 * counts (/proc/net/dev) and TCP's counters (/proc/net/snmp, printed at
 * the end); and it powers the machine off at the end. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "benchsys.h"

#ifdef __linux__
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <time.h>
#else
#include <keel/netinfo.h>
#endif

#define NB_PORT 5001
#define NB_HEADER 32
#define NB_CHUNK 65536u /* bytes per read or write call */
#define NB_BLOCK 4096u
#define NB_BLOCKS_PER_CHUNK (NB_CHUNK / NB_BLOCK)
#define NB_MAGIC 0x4e42000000000000ull /* "NB" in the top bytes */
#define NB_REQUEST 64u
#define NB_MAX_SAMPLES 32
#define NB_MAX_CONNECTIONS 256 /* the loop's bound: `end` comes long before */
#define NB_MIB 1048576u

/* One connection's measurement, and the card's frames in and out over
 * the whole connection (its set-up and end included). */
typedef struct {
    uint64_t units, instructions, ticks;
    uint64_t frames_in, frames_out;
} sample_t;

typedef struct {
    const char *name;
    uint64_t per; /* the figures are per this many units */
    unsigned count;
    sample_t samples[NB_MAX_SAMPLES];
} kind_t;

enum { KIND_RX, KIND_TX, KIND_RR, KINDS };

static kind_t kinds[KINDS] = {
    { "rx", NB_MIB, 0, { { 0 } } },
    { "tx", NB_MIB, 0, { { 0 } } },
    { "rr", 1, 0, { { 0 } } },
};

static unsigned char chunk[NB_CHUNK] __attribute__((aligned(16)));

static unsigned char body_byte(unsigned i)
{
    return (unsigned char)(1u + (i * 7u) % 251u);
}

static uint64_t block_header(uint64_t block)
{
    return NB_MAGIC | block;
}

static void put_u64(unsigned char *at, uint64_t value)
{
    for (unsigned i = 0; i < 8; i++) {
        at[i] = (unsigned char)(value >> (8 * i));
    }
}

static uint64_t get_u64(const unsigned char *at)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < 8; i++) {
        value |= (uint64_t)at[i] << (8 * i);
    }
    return value;
}

/* The chunk's bodies, once; headers() numbers its blocks. */
static void fill_bodies(void)
{
    for (unsigned b = 0; b < NB_BLOCKS_PER_CHUNK; b++) {
        for (unsigned i = 8; i < NB_BLOCK; i++) {
            chunk[b * NB_BLOCK + i] = body_byte(i);
        }
    }
}

static void set_headers(uint64_t first_block)
{
    for (unsigned b = 0; b < NB_BLOCKS_PER_CHUNK; b++) {
        put_u64(chunk + b * NB_BLOCK, block_header(first_block + b));
    }
}

static int headers_are(uint64_t first_block)
{
    for (unsigned b = 0; b < NB_BLOCKS_PER_CHUNK; b++) {
        if (get_u64(chunk + b * NB_BLOCK) != block_header(first_block + b)) {
            return 0;
        }
    }
    return 1;
}

static int bodies_are(void)
{
    for (unsigned b = 0; b < NB_BLOCKS_PER_CHUNK; b++) {
        for (unsigned i = 8; i < NB_BLOCK; i++) {
            if (chunk[b * NB_BLOCK + i] != body_byte(i)) {
                return 0;
            }
        }
    }
    return 1;
}

/* Exactly `length` bytes: 0, 1 at end of file before them, -1 on an
 * error. */
static int read_exactly(int fd, unsigned char *into, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t n = read(fd, into + done, length - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            return 1;
        }
        done += (size_t)n;
    }
    return 0;
}

static int write_all(int fd, const unsigned char *from, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, from + done, length - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

static void measured(sample_t *sample, uint64_t units, uint64_t insn_start, uint64_t insn_end,
                     uint64_t ticks)
{
    sample->units = units;
    sample->instructions = insn_span(insn_start, insn_end);
    sample->ticks = ticks;
}

static int error_line(const char *kind, const char *what)
{
    printf("NETBENCH ERROR %s: %s\n", kind, what);
    return -1;
}

/* --- rx: the host's stream read until end of file. */
static int serve_rx(int fd, uint64_t count, uint64_t warmup, sample_t *sample)
{
    uint64_t block = 0;
    for (uint64_t done = 0; done < warmup; done += NB_CHUNK, block += NB_BLOCKS_PER_CHUNK) {
        if (read_exactly(fd, chunk, NB_CHUNK) != 0 || !headers_are(block)) {
            return error_line("rx", "the warm-up's bytes are short or wrong");
        }
    }
    uint64_t insn_start = insn_now();
    uint64_t start = counter();
    for (uint64_t done = 0; done < count; done += NB_CHUNK, block += NB_BLOCKS_PER_CHUNK) {
        int got = read_exactly(fd, chunk, NB_CHUNK);
        if (got != 0) {
            return error_line("rx", got > 0 ? "end of file before the count" : strerror(errno));
        }
        if (!headers_are(block)) {
            return error_line("rx", "a block with the wrong header");
        }
    }
    unsigned char extra;
    ssize_t last = read(fd, &extra, 1);
    uint64_t end = counter();
    uint64_t insn_end = insn_now();
    if (last != 0) {
        return error_line("rx", last > 0 ? "more bytes than the count" : strerror(errno));
    }
    if (count > 0 && !bodies_are()) {
        return error_line("rx", "the last chunk's bytes are wrong");
    }
    measured(sample, count, insn_start, insn_end, end - start);
    return write_all(fd, (const unsigned char *)"ok", 2) == 0
               ? 0
               : error_line("rx", "the answer was not taken");
}

/* --- tx: the stream written, the host's answer awaited. */
static int serve_tx(int fd, uint64_t count, uint64_t warmup, sample_t *sample)
{
    uint64_t block = 0;
    for (uint64_t done = 0; done < warmup; done += NB_CHUNK, block += NB_BLOCKS_PER_CHUNK) {
        set_headers(block);
        if (write_all(fd, chunk, NB_CHUNK) != 0) {
            return error_line("tx", strerror(errno));
        }
    }
    uint64_t insn_start = insn_now();
    uint64_t start = counter();
    for (uint64_t done = 0; done < count; done += NB_CHUNK, block += NB_BLOCKS_PER_CHUNK) {
        set_headers(block);
        if (write_all(fd, chunk, NB_CHUNK) != 0) {
            return error_line("tx", strerror(errno));
        }
    }
    if (shutdown(fd, SHUT_WR) != 0) {
        return error_line("tx", strerror(errno));
    }
    unsigned char answer[2];
    int got = read_exactly(fd, answer, sizeof(answer));
    uint64_t end = counter();
    uint64_t insn_end = insn_now();
    if (got != 0 || memcmp(answer, "ok", 2) != 0) {
        return error_line("tx", "the host did not answer ok (it checks every byte)");
    }
    measured(sample, count, insn_start, insn_end, end - start);
    return 0;
}

/* --- rr: requests answered one at a time. */
static int serve_rr(int fd, uint64_t count, uint64_t warmup, sample_t *sample)
{
    unsigned char request[NB_REQUEST];
    uint64_t insn_start = 0, start = 0;
    for (uint64_t i = 0; i < warmup + count; i++) {
        if (i == warmup) {
            insn_start = insn_now();
            start = counter();
        }
        if (read_exactly(fd, request, sizeof(request)) != 0) {
            return error_line("rr", "a request is short");
        }
        if (get_u64(request) != i) {
            return error_line("rr", "a request out of order");
        }
        if (write_all(fd, request, sizeof(request)) != 0) {
            return error_line("rr", strerror(errno));
        }
    }
    uint64_t end = counter();
    uint64_t insn_end = insn_now();
    measured(sample, count, insn_start, insn_end, end - start);
    return 0;
}

/* --- the card's frames in and out so far (outside the measurements):
 * Keel's net server says them (keel_netinfo, as ifconfig), Linux's
 * /proc/net/dev. 0 if unknown. */
#ifdef __linux__
static void frames(uint64_t *in, uint64_t *out)
{
    *in = *out = 0;
    FILE *dev = fopen("/proc/net/dev", "r");
    if (dev == NULL) {
        return;
    }
    char line[256];
    unsigned long long rx_packets, tx_packets, skip;
    while (fgets(line, sizeof(line), dev) != NULL) {
        /* eth0: bytes packets errs drop fifo frame compressed multicast,
         * then the same eight of transmit */
        if (sscanf(line, " eth0: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &skip,
                   &rx_packets, &skip, &skip, &skip, &skip, &skip, &skip, &skip,
                   &tx_packets) == 10) {
            *in = rx_packets;
            *out = tx_packets;
        }
    }
    fclose(dev);
}

/* Linux's TCP counters (/proc/net/snmp's two Tcp: lines: names, values),
 * retransmissions among them, printed at the end. */
static void tcp_counters(void)
{
    FILE *snmp = fopen("/proc/net/snmp", "r");
    if (snmp == NULL) {
        return;
    }
    char line[512];
    while (fgets(line, sizeof(line), snmp) != NULL) {
        if (strncmp(line, "Tcp:", 4) == 0) {
            printf("NETBENCH INFO %s", line);
        }
    }
    fclose(snmp);
}
#else
static void tcp_counters(void)
{
}

static void frames(uint64_t *in, uint64_t *out)
{
    keel_sock_info_t info;
    *in = *out = 0;
    if (keel_netinfo(&info) == 0) {
        *in = info.rx_frames;
        *out = info.tx_frames;
    }
}
#endif

static sample_t *last_sample; /* the connection's, for its frame counts */

static int serve_kind(int fd, unsigned k, uint64_t count, uint64_t warmup)
{
    kind_t *kind = &kinds[k];
    sample_t sample;
    memset(&sample, 0, sizeof(sample));
    int result = k == KIND_RX   ? serve_rx(fd, count, warmup, &sample)
                 : k == KIND_TX ? serve_tx(fd, count, warmup, &sample)
                                : serve_rr(fd, count, warmup, &sample);
    if (result == 0 && count > 0 && kind->count < NB_MAX_SAMPLES) {
        last_sample = &kind->samples[kind->count++];
        *last_sample = sample;
    }
    return result;
}

/* One connection: 1 after `end`, 0 served, -1 failed. */
static int serve(int fd)
{
    char header[NB_HEADER + 1];
    if (read_exactly(fd, (unsigned char *)header, NB_HEADER) != 0) {
        return error_line("connection", "no header");
    }
    header[NB_HEADER] = '\0';
    char op[8];
    unsigned long long count = 0, warmup = 0;
    int fields = sscanf(header, "%7s %llu %llu", op, &count, &warmup);
    if (fields == 1 && strcmp(op, "end") == 0) {
        return 1;
    }
    if (fields != 3) {
        return error_line("connection", "a malformed header");
    }
    int stream = strcmp(op, "rx") == 0 || strcmp(op, "tx") == 0;
    if (stream && (count % NB_CHUNK != 0 || warmup % NB_CHUNK != 0)) {
        return error_line(op, "sizes must be whole chunks of 64 KiB");
    }
    for (unsigned k = 0; k < KINDS; k++) {
        if (strcmp(op, kinds[k].name) == 0) {
            return serve_kind(fd, k, count, warmup);
        }
    }
    return error_line(op, "an unknown operation");
}

/* --- reporting */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* `total` over `units`, as a figure per `per` units, rounded. */
static uint64_t scaled(uint64_t total, uint64_t units, uint64_t per)
{
    return units == 0 ? 0 : (total * per + units / 2) / units;
}

static void report_line(const char *what, const kind_t *kind, uint64_t *figures)
{
    unsigned n = kind->count;
    qsort(figures, n, sizeof(figures[0]), compare_u64);
    printf("NETBENCH %s %s median=%llu min=%llu max=%llu n=%u per=%llu\n", what, kind->name,
           (unsigned long long)figures[(n - 1) / 2], (unsigned long long)figures[0],
           (unsigned long long)figures[n - 1], n, (unsigned long long)kind->per);
}

static void report(uint64_t hz)
{
    for (unsigned k = 0; k < KINDS; k++) {
        const kind_t *kind = &kinds[k];
        uint64_t by_counter[NB_MAX_SAMPLES], by_pmu[NB_MAX_SAMPLES];
        for (unsigned i = 0; i < kind->count; i++) {
            const sample_t *sample = &kind->samples[i];
            /* ticks -> nanoseconds = instructions under -icount shift=0 */
            uint64_t counted = per_operation(sample->ticks, 1, hz);
            printf("NETBENCH SAMPLE %s units=%llu instructions=%llu counter=%llu frames_in=%llu "
                   "frames_out=%llu\n",
                   kind->name, (unsigned long long)sample->units,
                   (unsigned long long)sample->instructions, (unsigned long long)counted,
                   (unsigned long long)sample->frames_in, (unsigned long long)sample->frames_out);
            by_counter[i] = scaled(counted, sample->units, kind->per);
            by_pmu[i] = scaled(sample->instructions, sample->units, kind->per);
        }
        if (kind->count == 0) {
            printf("NETBENCH NA %s\n", kind->name);
            continue;
        }
        report_line("RESULT", kind, by_counter);
        if (insn_available()) {
            report_line("INSTRUCTIONS", kind, by_pmu);
        }
    }
}

/* --- Linux's network, as /init */

#ifdef __linux__
static int interface_call(int fd, unsigned long request, struct ifreq *ifr, const char *what)
{
    if (ioctl(fd, request, ifr) != 0) {
        bench_fail(what, errno);
        return -1;
    }
    return 0;
}

static void set_address(struct ifreq *ifr, const char *address)
{
    struct sockaddr_in *in = (struct sockaddr_in *)&ifr->ifr_addr;
    memset(in, 0, sizeof(*in));
    in->sin_family = AF_INET;
    inet_pton(AF_INET, address, &in->sin_addr);
}

static int interface_up(int fd, const char *name, const char *address, const char *netmask)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (address != NULL) {
        set_address(&ifr, address);
        if (interface_call(fd, SIOCSIFADDR, &ifr, "SIOCSIFADDR") != 0) {
            return -1;
        }
        set_address(&ifr, netmask);
        if (interface_call(fd, SIOCSIFNETMASK, &ifr, "SIOCSIFNETMASK") != 0) {
            return -1;
        }
    }
    if (interface_call(fd, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS") != 0) {
        return -1;
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    return interface_call(fd, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS");
}

/* eth0 appears when virtio-net has probed the card: up to 5 s. */
static int wait_for_interface(const char *name)
{
    const struct timespec pause = { 0, 10000000 };
    for (int i = 0; i < 500; i++) {
        if (if_nametoindex(name) != 0) {
            return 0;
        }
        nanosleep(&pause, NULL);
    }
    bench_fail(name, ENODEV);
    return -1;
}

static int network_up(void)
{
    if (getpid() != 1) {
        return 0; /* another program on a running system: its network */
    }
    if (mount("proc", "/proc", "proc", 0, NULL) != 0) {
        bench_fail("mount proc on /proc", errno); /* only the frame counts need it */
    }
    if (load_modules() != 0 || wait_for_interface("eth0") != 0) {
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        bench_fail("socket", errno);
        return -1;
    }
    int result = interface_up(fd, "lo", NULL, NULL) == 0 &&
                         interface_up(fd, "eth0", "10.0.2.15", "255.255.255.0") == 0
                     ? 0
                     : -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "eth0");
    if (result == 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0) {
        printf("NETBENCH INFO eth0 10.0.2.15/24 mtu %d\n", ifr.ifr_mtu);
    }
    close(fd);
    return result;
}
#else
static int network_up(void)
{
    return 0; /* Keel's net server configures itself */
}
#endif

static int listen_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        bench_fail("socket", errno);
        return -1;
    }
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
        bench_fail("setsockopt SO_REUSEADDR", errno);
        close(fd);
        return -1;
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(NB_PORT);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, 4) != 0) {
        bench_fail("bind and listen", errno);
        close(fd);
        return -1;
    }
    return fd;
}

static int run(void)
{
    uint64_t hz = counter_frequency();
    insn_open();
    fill_bodies();
    if (network_up() != 0) {
        return 1;
    }
    int listener = listen_socket();
    if (listener < 0) {
        return 1;
    }
    printf("NETBENCH READY port %d counter %llu Hz%s\n", NB_PORT, (unsigned long long)hz,
           insn_available() ? ", PMU" : "");
    fflush(stdout);
    int failed = 0, ended = 0;
    for (int i = 0; i < NB_MAX_CONNECTIONS && !ended; i++) {
        uint64_t in_before, out_before, in_after, out_after;
        frames(&in_before, &out_before);
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            bench_fail("accept", errno);
            failed = 1;
            break;
        }
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
            bench_fail("setsockopt TCP_NODELAY", errno);
            failed = 1;
        }
        last_sample = NULL;
        int served = serve(fd);
        close(fd);
        frames(&in_after, &out_after);
        if (last_sample != NULL) {
            last_sample->frames_in = in_after - in_before;
            last_sample->frames_out = out_after - out_before;
        }
        if (served < 0) {
            failed = 1;
            fflush(stdout);
        }
        ended = served == 1;
    }
    close(listener);
    if (!ended) {
        failed = 1;
    }
    report(hz);
    tcp_counters();
    printf(failed ? "NETBENCH FAILED\n" : "NETBENCH DONE\n");
    fflush(stdout);
    return failed;
}

int main(void)
{
    bench_tag = "NETBENCH";
    int status = run();
    power_off_if_init();
    return status;
}
