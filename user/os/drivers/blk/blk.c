/* The virtio-blk driver (docs/storage.md "The virtio-blk driver"): the
 * modern virtio-mmio transport, one virtqueue, interrupt-driven
 * completion. Its clients read and write the disk through block channels
 * (keel/os/blk.h); the device moves the data straight to and from each
 * client's data region, whose frames the driver holds for their physical
 * addresses. Grants: "regs" (the transport's page), "vq" (its interrupt),
 * "queue" (dma: the virtqueue and the request headers), "notify", and a
 * channel per client given with frames=blk. */
#include "../grant.h"
#include "../virtio/virtq.h"
#include "request.h"

#include <keel/os/blk.h>

#define VIRTIO_ID_BLOCK 2
#define CONFIG_CAPACITY 0x00 /* le64: 512-byte sectors */
#define CONFIG_SIZE_MAX 0x08 /* le32: the largest segment */
#define CONFIG_SEG_MAX 0x0c  /* le32: segments in a request */

#define REQ_IN 0 /* virtio_blk_req types */
#define REQ_OUT 1
#define REQ_FLUSH 4
#define STATUS_OK 0
#define STATUS_UNSUPP 2

#define QUEUE_SIZE 128
#define CLIENTS_MAX 4

/* The device-readable header and device-written status of the request
 * whose chain starts at descriptor i: headers[i] in the fourth page. */
typedef struct request_header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
    uint8_t status;
    uint8_t pad[15];
} request_header_t;

_Static_assert(sizeof(request_header_t) * QUEUE_SIZE <= PAGE, "the headers fill one page");

typedef struct client {
    driver_client_t c;
    uint64_t paddr[REGION_PAGES_MAX];   /* of each page of its channel region */
    uint64_t unpaddr[REGION_PAGES_MAX]; /* ~paddr[i]: a flipped bit in either shows */
    uint32_t pages;
    uint32_t in_flight; /* requests with the device, each owed a completion */
    bool barrier;       /* a flush is with the device: nothing after it goes yet */
} client_t;

/* What is with the device, by the head of its chain. */
typedef struct pending {
    uint64_t cookie;
    uint32_t length;
    uint8_t client;
} pending_t;

static struct {
    virtio_mmio_t dev;
    virtq_t q;
    volatile request_header_t *headers;
    uint64_t headers_paddr;
    uint64_t headers_unpaddr; /* ~headers_paddr */
    uint64_t features;
    blk_limits_t limits;
    client_t client[CLIENTS_MAX];
    unsigned nclients;
    pending_t pending[VIRTQ_MAX];
} blk;

static void stop(const char *why)
{
    printf("blk: %s; stopping\n", why);
    keel_exit_hook(1);
}

/* --- the device ------------------------------------------------------- */

static void init_device(const keel_startcap_t *regs, const keel_startcap_t *queue)
{
    uint64_t paddr[4];
    if (queue->size < 4 * PAGE || !driver_region_paddrs(queue, paddr, 4)) {
        stop("the dma grant 'queue' needs 4 pages with their frames");
    }
    blk.dev = (virtio_mmio_t){ (volatile uint32_t *)regs->vaddr };
    uint64_t wanted =
        1ull << BLK_F_SIZE_MAX | 1ull << BLK_F_SEG_MAX | 1ull << BLK_F_RO | 1ull << BLK_F_FLUSH;
    const char *error = virtio_mmio_negotiate(blk.dev, VIRTIO_ID_BLOCK, wanted, &blk.features);
    uint8_t *va = (uint8_t *)queue->vaddr;
    if (error == NULL) {
        error = virtq_setup(&blk.q, blk.dev, 0, QUEUE_SIZE, (virtq_page_t){ va, paddr[0] },
                            (virtq_page_t){ va + PAGE, paddr[1] },
                            (virtq_page_t){ va + 2 * PAGE, paddr[2] });
    }
    if (error != NULL) {
        stop(error);
    }
    blk.headers = (volatile request_header_t *)(va + 3 * PAGE);
    blk.headers_paddr = paddr[3];
    driver_paddrs_shadow(&blk.headers_paddr, &blk.headers_unpaddr, 1);
    uint64_t capacity = virtio_config64(blk.dev, CONFIG_CAPACITY);
    bool has_seg_max = blk.features & (1ull << BLK_F_SEG_MAX);
    bool has_size_max = blk.features & (1ull << BLK_F_SIZE_MAX);
    uint32_t seg_max = has_seg_max ? virtio_config32(blk.dev, CONFIG_SEG_MAX) : 0;
    uint32_t size_max = has_size_max ? virtio_config32(blk.dev, CONFIG_SIZE_MAX) : 0;
    error = blk_limits(blk.features, capacity, seg_max, size_max, &blk.limits);
    if (error != NULL) {
        stop(error);
    }
    virtio_write(blk.dev, VIRTIO_MMIO_STATUS,
                 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                     VIRTIO_STATUS_DRIVER_OK);
}

/* --- requests --------------------------------------------------------- */

static bool answer(client_t *cl, uint64_t cookie, uint32_t status, uint32_t length, uint64_t offset)
{
    keel_ring_entry_t done = { .cookie = cookie, .offset = offset, .length = length, .op = status };
    return keel_ring_put(&cl->c.chan->completion, done);
}

/* Are the physical addresses the driver gives the device -- the client's
 * pages and the request headers' -- still those it found at its start?
 * Nothing confines the device's DMA (docs/reliability.md "Not yet"): a
 * flipped bit in one of them would have the device read or write the wrong
 * memory, which no restart undoes, so the driver stops before it uses
 * one and rs restarts it with the addresses found afresh. */
static bool addresses_intact(const client_t *cl)
{
    return driver_paddrs_intact(&blk.headers_paddr, &blk.headers_unpaddr, 1) &&
           driver_paddrs_intact(cl->paddr, cl->unpaddr, cl->pages);
}

/* Give the device a checked read, write or flush; false if the queue has
 * not enough free descriptors (the request stays in the ring). */
static bool submit(client_t *cl, const keel_ring_entry_t *e)
{
    if (!addresses_intact(cl)) {
        stop("its record of physical addresses is damaged");
    }
    uint64_t addr[SEGMENTS_MAX];
    uint32_t len[SEGMENTS_MAX];
    uint32_t op = keel_blk_op(e);
    unsigned n = op == KEEL_BLK_FLUSH ? 0
                                      : blk_segments(&blk.limits, cl->paddr, keel_blk_buffer(e),
                                                     e->length, addr, len);
    int head = virtq_alloc(&blk.q, n + 2);
    if (head < 0) {
        return false;
    }
    volatile request_header_t *h = &blk.headers[head];
    h->type = op == KEEL_BLK_READ ? REQ_IN : op == KEEL_BLK_WRITE ? REQ_OUT : REQ_FLUSH;
    h->reserved = 0;
    h->sector = op == KEEL_BLK_FLUSH ? 0 : e->offset;
    h->status = 0xff;
    uint64_t header_paddr = blk.headers_paddr + (uint64_t)head * sizeof(request_header_t);
    uint16_t d = (uint16_t)head;
    virtq_fill(&blk.q, d, header_paddr, 16, false, false);
    for (unsigned i = 0; i < n; i++) {
        d = virtq_next(&blk.q, d);
        virtq_fill(&blk.q, d, addr[i], len[i], op == KEEL_BLK_READ, false);
    }
    d = virtq_next(&blk.q, d);
    virtq_fill(&blk.q, d, header_paddr + offsetof(request_header_t, status), 1, true, true);
    blk.pending[head] =
        (pending_t){ e->cookie, op == KEEL_BLK_FLUSH ? 0 : e->length, (uint8_t)(cl - blk.client) };
    cl->in_flight++;
    virtq_submit(&blk.q, (uint16_t)head);
    return true;
}

/* Room in the client's completion ring for everything it is owed and one
 * more. */
static bool room_for_one_more(const client_t *cl)
{
    const keel_ring_t *done = &cl->c.chan->completion;
    return !keel_ring_corrupt(done) && done->head - done->tail + cl->in_flight < KEEL_RING_SLOTS;
}

/* Take the client's requests while the device and the completion ring
 * have room; true if it was answered anything. */
static bool take_requests(client_t *cl)
{
    keel_ring_entry_t e;
    bool answered = false;
    while (!cl->barrier && room_for_one_more(cl) && keel_ring_peek(&cl->c.chan->request, &e)) {
        uint32_t op = keel_blk_op(&e);
        if ((op == KEEL_BLK_FLUSH || op == KEEL_BLK_INFO) && cl->in_flight > 0) {
            break; /* a barrier: after everything before it is done (keel/os/blk.h) */
        }
        uint32_t status = blk_check(&blk.limits, cl->pages, &e);
        if (status != KEEL_BLK_OK) {
            answered |= answer(cl, e.cookie, status, 0, 0);
        } else if (keel_blk_op(&e) == KEEL_BLK_INFO) {
            answered |= answer(cl, e.cookie, KEEL_BLK_OK, blk.limits.largest, blk.limits.capacity);
        } else if (keel_blk_op(&e) == KEEL_BLK_FLUSH && !(blk.features & (1ull << BLK_F_FLUSH))) {
            answered |= answer(cl, e.cookie, KEEL_BLK_OK, 0, 0); /* no write cache to flush */
        } else if (!submit(cl, &e)) {
            break; /* the queue is full: later */
        } else {
            cl->barrier = op == KEEL_BLK_FLUSH;
        }
        keel_ring_advance(&cl->c.chan->request);
    }
    return answered;
}

/* The device finished chains: answer their clients. Bits of the clients
 * answered in *signal. */
static void take_completions(uint32_t *signal)
{
    uint16_t head;
    uint32_t written;
    while (virtq_take_used(&blk.q, &head, &written)) {
        pending_t *p = &blk.pending[head];
        client_t *cl = &blk.client[p->client];
        uint8_t s = blk.headers[head].status;
        uint32_t status = s == STATUS_OK       ? KEEL_BLK_OK
                          : s == STATUS_UNSUPP ? KEEL_BLK_BAD_REQUEST
                                               : KEEL_BLK_IOERR;
        cl->in_flight--;
        cl->barrier = cl->barrier && cl->in_flight > 0;
        answer(cl, p->cookie, status, status == KEEL_BLK_OK ? p->length : 0, 0);
        *signal |= 1u << p->client;
    }
}

static void serve(bool interrupt)
{
    uint32_t signal = 0;
    if (interrupt && !virtio_mmio_interrupt_ack(blk.dev)) {
        stop("the device needs a reset"); /* rs restarts the driver, which resets it */
    }
    take_completions(&signal);
    for (unsigned i = 0; i < blk.nclients; i++) {
        client_t *cl = &blk.client[i];
        if (driver_client_ready(&cl->c) && take_requests(cl)) {
            signal |= 1u << i;
        }
    }
    for (unsigned i = 0; i < blk.nclients; i++) {
        if ((signal & (1u << i)) && keel_ring_wake_due(&blk.client[i].c.chan->completion)) {
            seL4_Signal(blk.client[i].c.signal); /* once its batch is done, if it asked */
        }
    }
}

/* Every channel end with its frames becomes a client. */
static void find_clients(void)
{
    driver_client_t found[CLIENTS_MAX];
    unsigned n = driver_clients(found, CLIENTS_MAX);
    const keel_startinfo_t *si = keel_startinfo();
    for (unsigned i = 0; i < n; i++) {
        client_t *cl = &blk.client[blk.nclients];
        const keel_startcap_t *region = keel_startinfo_find(si, found[i].name);
        if (!driver_region_paddrs(region, cl->paddr, REGION_PAGES_MAX)) {
            printf("blk: channel %s has no frames (frames=blk) or is too big; not served\n",
                   found[i].name);
            continue;
        }
        cl->c = found[i];
        cl->pages = (uint32_t)(region->size / PAGE);
        driver_paddrs_shadow(cl->paddr, cl->unpaddr, cl->pages);
        blk.nclients++;
    }
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    driver_virtio_t g = driver_virtio_grants();
    init_device(g.regs, g.queue);
    find_clients();
    seL4_IRQHandler_Ack(g.irq->cptr);
    printf("blk: virtio-blk, %llu sectors%s, requests up to %u KiB; clients:",
           (unsigned long long)blk.limits.capacity, blk.limits.read_only ? " read-only" : "",
           blk.limits.largest / 1024);
    for (unsigned i = 0; i < blk.nclients; i++) {
        printf(" %s", blk.client[i].c.name);
    }
    printf("%s\n", blk.nclients == 0 ? " none" : "");
    driver_serve_forever(g.own, g.irq, serve);
}
