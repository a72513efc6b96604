/* The virtio-net driver (docs/network.md "The driver"): the modern
 * virtio-mmio transport, a receive and a transmit virtqueue, interrupt-
 * driven. Its one client sends and receives Ethernet frames through a
 * network channel (keel/os/net.h); the device moves each frame straight
 * between the wire and a buffer of the client's data region, whose frames
 * the driver holds for their physical addresses. The virtio-net header
 * each frame carries on the device's side lives in the driver's own
 * memory: a chain is the header, then the client's buffer. No offloads
 * are negotiated (no checksum, segmentation or merged buffers), only the
 * MAC address. Grants: "regs" (the transport's page), "vq" (its
 * interrupt), "queue" (dma: the two virtqueues and the headers),
 * "notify", and the client's channel given with frames=eth. */
#include "../grant.h"
#include "../virtio/virtq.h"

#include <keel/os/net.h>

#define VIRTIO_ID_NET 1
#define NET_F_MAC 5         /* a feature bit (VIRTIO 1.1, 5.1.3) */
#define CONFIG_MAC 0x00     /* 6 bytes */
#define NET_HEADER_SIZE 12u /* struct virtio_net_hdr with num_buffers (VERSION_1) */

#define RX_QUEUE 0
#define TX_QUEUE 1
#define PAGE 4096u
#define QUEUE_SIZE 64 /* as many as a channel ring has slots */
#define REGION_PAGES_MAX 1024
#define QUEUE_PAGES 7 /* three for each virtqueue, one for the headers */

typedef struct net_header {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
} net_header_t;

_Static_assert(sizeof(net_header_t) == NET_HEADER_SIZE, "the virtio-net header");
_Static_assert(2 * QUEUE_SIZE * 16 <= PAGE, "the headers of both queues fit one page");

/* What is with the device, by queue and the head of its chain. */
typedef struct pending {
    uint64_t cookie;
    bool busy;
} pending_t;

typedef struct queue {
    virtq_t q;
    volatile net_header_t *headers; /* headers[head], 16 bytes apart */
    uint64_t headers_paddr;
    uint64_t headers_unpaddr; /* ~headers_paddr: a flipped bit in either shows */
    pending_t pending[VIRTQ_MAX];
} queue_t;

static struct {
    virtio_mmio_t dev;
    queue_t rx, tx;
    uint64_t features;
    uint64_t mac; /* the first byte in the lowest 8 bits */
    driver_client_t client;
    bool have_client;
    uint64_t paddr[REGION_PAGES_MAX];   /* of each page of the client's region */
    uint64_t unpaddr[REGION_PAGES_MAX]; /* ~paddr[i] */
    uint32_t pages;
    uint32_t in_flight; /* requests taken (with the device or waiting), each owed a completion */
    /* RX requests taken while the receive queue was full, oldest first */
    keel_ring_entry_t rx_waiting[KEEL_RING_SLOTS];
    unsigned rx_waiting_head, rx_waiting_count;
} eth;

static void stop(const char *why)
{
    printf("eth: %s; stopping\n", why);
    keel_exit_hook(1);
}

/* --- the device ------------------------------------------------------- */

static const char *setup_queue(queue_t *qu, uint32_t index, uint8_t *va, const uint64_t *paddr,
                               unsigned first, uint64_t headers_offset)
{
    qu->headers = (volatile net_header_t *)(va + 6 * PAGE + headers_offset);
    qu->headers_paddr = paddr[6] + headers_offset;
    driver_paddrs_shadow(&qu->headers_paddr, &qu->headers_unpaddr, 1);
    return virtq_setup(&qu->q, eth.dev, index, QUEUE_SIZE,
                       (virtq_page_t){ va + first * PAGE, paddr[first] },
                       (virtq_page_t){ va + (first + 1) * PAGE, paddr[first + 1] },
                       (virtq_page_t){ va + (first + 2) * PAGE, paddr[first + 2] });
}

static void init_device(const keel_startcap_t *regs, const keel_startcap_t *queue)
{
    uint64_t paddr[QUEUE_PAGES];
    if (queue->size < QUEUE_PAGES * PAGE || !driver_region_paddrs(queue, paddr, QUEUE_PAGES)) {
        stop("the dma grant 'queue' needs 7 pages with their frames");
    }
    eth.dev = (virtio_mmio_t){ (volatile uint32_t *)regs->vaddr };
    const char *error =
        virtio_mmio_negotiate(eth.dev, VIRTIO_ID_NET, 1ull << NET_F_MAC, &eth.features);
    uint8_t *va = (uint8_t *)queue->vaddr;
    if (error == NULL) {
        error = setup_queue(&eth.rx, RX_QUEUE, va, paddr, 0, 0);
    }
    if (error == NULL) {
        error = setup_queue(&eth.tx, TX_QUEUE, va, paddr, 3, QUEUE_SIZE * 16);
    }
    if (error != NULL) {
        stop(error);
    }
    if (!(eth.features & (1ull << NET_F_MAC))) {
        stop("the device has no MAC address");
    }
    uint32_t low = virtio_config32(eth.dev, CONFIG_MAC), high = virtio_config32(eth.dev, 4);
    eth.mac = low | (uint64_t)(high & 0xffff) << 32;
    virtio_write(eth.dev, VIRTIO_MMIO_STATUS,
                 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                     VIRTIO_STATUS_DRIVER_OK);
}

/* --- requests --------------------------------------------------------- */

static bool answer(uint64_t cookie, uint32_t status, uint32_t length, uint64_t offset)
{
    keel_ring_entry_t done = { .cookie = cookie, .offset = offset, .length = length, .op = status };
    return keel_ring_put(&eth.client.chan->completion, done);
}

/* A TX's frame or an RX's buffer: inside one page of the data region
 * (past the rings' page), of a length its op allows (an RX buffer's room
 * at least a whole frame, of which the device gets KEEL_NET_FRAME_MAX). */
static bool valid(const keel_ring_entry_t *e)
{
    uint32_t op = keel_net_op(e);
    uint64_t buffer = keel_net_buffer(e), region = (uint64_t)eth.pages * PAGE;
    uint32_t span = op == KEEL_NET_RX ? KEEL_NET_FRAME_MAX : e->length;
    bool length_ok = op == KEEL_NET_TX
                         ? e->length >= KEEL_NET_FRAME_MIN && e->length <= KEEL_NET_FRAME_MAX
                     : op == KEEL_NET_RX ? e->length >= KEEL_NET_FRAME_MAX
                                         : false;
    return length_ok && buffer >= PAGE && buffer < region && buffer % PAGE + span <= PAGE;
}

/* Are the physical addresses the driver gives the device -- the client's
 * pages and the queue's headers -- still those it found at its start?
 * Nothing confines the device's DMA (docs/reliability.md "Not yet"): a
 * flipped bit in one of them would have the device read or write the
 * wrong memory, which no restart undoes, so the driver stops before it
 * uses one and rs restarts it with the addresses found afresh. */
static bool addresses_intact(const queue_t *qu)
{
    return driver_paddrs_intact(&qu->headers_paddr, &qu->headers_unpaddr, 1) &&
           driver_paddrs_intact(eth.paddr, eth.unpaddr, eth.pages);
}

/* Give the device a checked TX or RX: the header in the driver's page,
 * then the client's buffer. False if the queue is full. */
static bool submit(const keel_ring_entry_t *e)
{
    bool rx = keel_net_op(e) == KEEL_NET_RX;
    queue_t *qu = rx ? &eth.rx : &eth.tx;
    int head = virtq_alloc(&qu->q, 2);
    if (head < 0) {
        return false;
    }
    uint64_t buffer = keel_net_buffer(e);
    uint32_t length = rx ? KEEL_NET_FRAME_MAX : e->length;
    if (!addresses_intact(qu)) {
        stop("its record of physical addresses is damaged");
    }
    volatile net_header_t *h =
        (volatile net_header_t *)((volatile uint8_t *)qu->headers + 16 * head);
    *h = (net_header_t){ 0 };
    uint16_t d = (uint16_t)head;
    virtq_fill(&qu->q, d, qu->headers_paddr + 16 * (uint64_t)head, NET_HEADER_SIZE, rx, false);
    d = virtq_next(&qu->q, d);
    virtq_fill(&qu->q, d, eth.paddr[buffer / PAGE] + buffer % PAGE, length, rx, true);
    qu->pending[head] = (pending_t){ e->cookie, true };
    eth.in_flight++;
    virtq_submit(&qu->q, (uint16_t)head);
    return true;
}

/* Room in the completion ring for everything the client is owed and one
 * more. */
static bool room_for_one_more(void)
{
    const keel_ring_t *done = &eth.client.chan->completion;
    return !keel_ring_corrupt(done) && done->head - done->tail + eth.in_flight < KEEL_RING_SLOTS;
}

/* An RX that found the receive queue full waits in the driver rather than
 * in the ring, so that the TX requests behind it go on: a restarted client
 * posts its buffers again while the old instance's are still with the
 * device (their frames go to cookies it no longer knows), and only frames
 * sent out bring the replies that use those up. False: no room either. */
static bool wait_rx(const keel_ring_entry_t *e)
{
    if (keel_net_op(e) != KEEL_NET_RX || eth.rx_waiting_count == KEEL_RING_SLOTS) {
        return false;
    }
    eth.rx_waiting[(eth.rx_waiting_head + eth.rx_waiting_count) % KEEL_RING_SLOTS] = *e;
    eth.rx_waiting_count++;
    eth.in_flight++;
    return true;
}

/* The waiting RX requests into the receive queue while it has room. */
static void submit_waiting_rx(void)
{
    while (eth.rx_waiting_count > 0) {
        eth.in_flight--; /* submit counts it again */
        if (!submit(&eth.rx_waiting[eth.rx_waiting_head])) {
            eth.in_flight++;
            return;
        }
        eth.rx_waiting_head = (eth.rx_waiting_head + 1) % KEEL_RING_SLOTS;
        eth.rx_waiting_count--;
    }
}

/* A TX to the device; an RX too unless earlier ones wait (it waits
 * behind them). False: neither the queue nor the waiting list has room. */
static bool submit_in_order(const keel_ring_entry_t *e)
{
    bool rx = keel_net_op(e) == KEEL_NET_RX;
    if (!(rx && eth.rx_waiting_count > 0) && submit(e)) {
        return true;
    }
    return wait_rx(e);
}

/* Take the client's requests while the queues and the completion ring
 * have room; true if it was answered anything. */
static bool take_requests(void)
{
    keel_ring_entry_t e;
    bool answered = false;
    while (room_for_one_more() && keel_ring_peek(&eth.client.chan->request, &e)) {
        if (keel_net_op(&e) == KEEL_NET_INFO) {
            answered |= answer(e.cookie, KEEL_NET_OK, KEEL_NET_MTU, eth.mac);
        } else if (!valid(&e)) {
            answered |= answer(e.cookie, KEEL_NET_BAD_REQUEST, 0, 0);
        } else if (!submit_in_order(&e)) {
            break; /* that queue is full: later */
        }
        keel_ring_advance(&eth.client.chan->request);
    }
    return answered;
}

/* The device finished chains of one queue: answer the client. */
static bool take_used(queue_t *qu, bool rx)
{
    uint16_t head;
    uint32_t written;
    bool answered = false;
    while (virtq_take_used(&qu->q, &head, &written)) {
        pending_t *p = &qu->pending[head];
        if (!p->busy) {
            continue;
        }
        p->busy = false;
        eth.in_flight--;
        uint32_t frame = written > NET_HEADER_SIZE ? written - NET_HEADER_SIZE : 0;
        answered |= answer(p->cookie, KEEL_NET_OK, rx ? frame : 0, 0);
    }
    return answered;
}

static void serve(bool interrupt)
{
    bool signal = false;
    if (interrupt && !virtio_mmio_interrupt_ack(eth.dev)) {
        stop("the device needs a reset"); /* rs restarts the driver, which resets it */
    }
    if (!eth.have_client) {
        return;
    }
    signal |= take_used(&eth.rx, true);
    submit_waiting_rx();
    signal |= take_used(&eth.tx, false);
    if (driver_client_ready(&eth.client)) {
        signal |= take_requests();
    }
    if (signal && keel_ring_wake_due(&eth.client.chan->completion)) {
        seL4_Signal(eth.client.signal);
    }
}

/* The channel end with its frames is the client (one: the network
 * server). */
static void find_client(void)
{
    driver_client_t found[2];
    unsigned n = driver_clients(found, 2);
    const keel_startinfo_t *si = keel_startinfo();
    for (unsigned i = 0; i < n && !eth.have_client; i++) {
        const keel_startcap_t *region = keel_startinfo_find(si, found[i].name);
        if (!driver_region_paddrs(region, eth.paddr, REGION_PAGES_MAX)) {
            printf("eth: channel %s has no frames (frames=eth) or is too big; not served\n",
                   found[i].name);
            continue;
        }
        eth.client = found[i];
        eth.pages = (uint32_t)(region->size / PAGE);
        driver_paddrs_shadow(eth.paddr, eth.unpaddr, eth.pages);
        eth.have_client = true;
    }
}

/* A machine without a network card (QEMU started with no -netdev): its
 * transport answers device ID 0. The driver then waits, answering only
 * rs's heartbeat, rather than fail and be restarted for nothing; its
 * client never sees the channel open, and the net server serves only
 * 127.0.0.1. */
__attribute__((noreturn)) static void idle_without_card(seL4_CPtr own)
{
    printf("eth: no network card on virtio-mmio transport 8; idle\n");
    for (;;) {
        driver_wait(own);
    }
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    driver_virtio_t g = driver_virtio_grants();
    virtio_mmio_t transport = { (volatile uint32_t *)g.regs->vaddr };
    if (virtio_read(transport, VIRTIO_MMIO_MAGIC) == VIRTIO_MMIO_MAGIC_VALUE &&
        virtio_read(transport, VIRTIO_MMIO_DEVICE_ID) == 0) {
        idle_without_card(g.own);
    }
    init_device(g.regs, g.queue);
    find_client();
    seL4_IRQHandler_Ack(g.irq->cptr);
    printf("eth: virtio-net, MAC %02x:%02x:%02x:%02x:%02x:%02x; client: %s\n",
           (unsigned)(eth.mac & 0xff), (unsigned)(eth.mac >> 8 & 0xff),
           (unsigned)(eth.mac >> 16 & 0xff), (unsigned)(eth.mac >> 24 & 0xff),
           (unsigned)(eth.mac >> 32 & 0xff), (unsigned)(eth.mac >> 40 & 0xff),
           eth.have_client ? eth.client.name : "none");
    driver_serve_forever(g.own, g.irq, serve);
}
