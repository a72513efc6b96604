/* The net server's link: the network channel to the eth driver, through
 * libos's client side (keel/os/netclient.h), and the lwIP interface over
 * it. The region after the rings' page holds 64 buffers of 2 KiB (never
 * across a page): 32 stay posted for receiving, 32 carry frames out. A
 * restarted driver gets again what the old one had not completed. */
#include "net.h"

#include <errno.h>
#include <keel/os/netclient.h>
#include <keel/os/start.h>
#include <keel/proto/rs.h>
#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/pbuf.h>
#include <netif/ethernet.h>
#include <stdio.h>
#include <string.h>

#define PAGE 4096u
#define BUFFER 2048u
#define RX_BUFFERS 32
#define SLOTS KEEL_NET_SLOTS /* RX_BUFFERS receive, the rest transmit */

static struct {
    keel_channel_end_t end; /* "eth", until attached */
    bool attached;          /* the driver answered: c and netif are set up */
    seL4_CPtr rs;           /* rs's endpoint, to restart the driver; 0: none */
    const char *driver;     /* the driver's name (--driver) */
    keel_net_client_t c;
    struct netif netif;
    uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes, rx_dropped, tx_dropped; /* for INFO */
} link;

static uint64_t place(unsigned slot)
{
    return PAGE + (uint64_t)slot * BUFFER;
}

static void post_rx(unsigned slot)
{
    keel_net_put(&link.c, slot, KEEL_NET_RX, place(slot), BUFFER);
}

/* A frame that arrived in an RX buffer: into lwIP, and the buffer posted
 * again. */
static void deliver(unsigned slot)
{
    const keel_net_slot_t *s = &link.c.slot[slot];
    uint32_t length = s->status == KEEL_NET_OK ? s->length : 0;
    bool taken = false;
    if (length >= KEEL_NET_FRAME_MIN && length <= KEEL_NET_FRAME_MAX && netif_is_up(&link.netif)) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_POOL);
        if (p != NULL) {
            pbuf_take(p, link.c.region + place(slot), (u16_t)length);
            link.rx_frames++;
            link.rx_bytes += length;
            taken = true;
            if (link.netif.input(p, &link.netif) != ERR_OK) {
                pbuf_free(p);
            }
        }
    }
    link.rx_dropped += !taken && s->status == KEEL_NET_OK;
    post_rx(slot);
}

static void attach(void);

/* The frames that arrived, into lwIP: from the loop only, never from
 * inside lwIP (its output polls too), since lwIP is not reentrant. */
void link_poll(void)
{
    if (!link.attached) {
        uint32_t epoch = link.end.rings->driver_epoch;
        if (epoch == 0 || epoch == KEEL_CHANNEL_DOWN) {
            return; /* no driver yet */
        }
        attach();
        if (!link.attached) {
            return;
        }
    }
    keel_net_poll(&link.c);
    for (unsigned i = 0; i < RX_BUFFERS; i++) {
        if (link.c.slot[i].done) {
            deliver(i);
        }
    }
}

/* lwIP's output: the frame into a free TX buffer. None free: dropped (TCP
 * sends it again). */
static err_t output(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    if (p->tot_len < KEEL_NET_FRAME_MIN || p->tot_len > KEEL_NET_FRAME_MAX) {
        link.tx_dropped++;
        return ERR_IF;
    }
    keel_net_poll(&link.c); /* TX buffers back; frames in wait for the loop */
    for (unsigned i = RX_BUFFERS; i < SLOTS; i++) {
        keel_net_slot_t *s = &link.c.slot[i];
        if (!s->busy || s->done) {
            pbuf_copy_partial(p, link.c.region + place(i), p->tot_len, 0);
            keel_net_put(&link.c, i, KEEL_NET_TX, place(i), p->tot_len);
            link.tx_frames++;
            link.tx_bytes += p->tot_len;
            return ERR_OK;
        }
    }
    link.tx_dropped++;
    return ERR_MEM;
}

static err_t interface_init(struct netif *netif)
{
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = (u16_t)link.c.mtu;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    for (unsigned i = 0; i < ETH_HWADDR_LEN; i++) {
        netif->hwaddr[i] = (u8_t)(link.c.mac >> (8 * i));
    }
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = output;
    return ERR_OK;
}

struct netif *link_netif(void)
{
    return &link.netif;
}

static uint32_t host_order(const ip4_addr_t *a)
{
    return lwip_ntohl(ip4_addr_get_u32(a));
}

void link_info(keel_sock_info_t *info)
{
    const struct netif *n = &link.netif;
    info->addr = host_order(netif_ip4_addr(n));
    info->netmask = host_order(netif_ip4_netmask(n));
    info->gateway = host_order(netif_ip4_gw(n));
    info->mtu = n->mtu;
    memcpy(info->mac, n->hwaddr, sizeof(info->mac));
    info->up = netif_is_up(n);
    info->link_up = link.attached && !keel_channel_down(link.c.end.rings);
    info->driver_restarts = link.c.restarts;
    info->rx_frames = link.rx_frames;
    info->tx_frames = link.tx_frames;
    info->rx_bytes = link.rx_bytes;
    info->tx_bytes = link.tx_bytes;
    info->rx_dropped = link.rx_dropped;
    info->tx_dropped = link.tx_dropped;
}

/* The channel, the driver's MAC address, the interface with QEMU's user
 * network's static setup: 10.0.2.15/24, gateway 10.0.2.2. Only once the
 * driver has opened the channel: keel_net_open waits for its answer, and
 * a driver without a card never opens it (then only 127.0.0.1 works). */
/* A restarted net: the old instance's receive buffers are still posted
 * in the driver, which would fill them (frames lost) and owe their
 * completions besides ours (its completion ring then has no room left for
 * a TX). The driver cannot take back buffers it gave the device without
 * resetting it, and a reset is what its own start does: so net has rs
 * restart it, and the old buffers go with the old instance. */
static void drop_stale_buffers(void)
{
    if (link.rs == 0 || link.driver == NULL) {
        printf("net: restarted without rs: the old receive buffers stay in the driver\n");
        return;
    }
    long r = rs_restart(link.rs, link.driver);
    printf("net: restarted: %s restarted to drop the old receive buffers (%ld)\n", link.driver, r);
}

static void attach(void)
{
    if (link.end.rings->client_epoch != 0) { /* an earlier net caught up with eth */
        drop_stale_buffers();
    }
    if (keel_net_open(&link.c, "eth", PAGE + SLOTS * BUFFER) < 0) {
        return;
    }
    for (unsigned i = 0; i < RX_BUFFERS; i++) {
        post_rx(i);
    }
    ip4_addr_t address, mask, gateway;
    IP4_ADDR(&address, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gateway, 10, 0, 2, 2);
    if (netif_add(&link.netif, &address, &mask, &gateway, NULL, interface_init, ethernet_input) ==
        NULL) {
        return;
    }
    netif_set_default(&link.netif);
    netif_set_link_up(&link.netif);
    netif_set_up(&link.netif);
    link.attached = true;
    const u8_t *mac = link.netif.hwaddr;
    printf("net: eth attached, 10.0.2.15/24 via 10.0.2.2, MAC %02x:%02x:%02x:%02x:%02x:%02x\n",
           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* The channel "eth" (the interface comes with the driver: link_poll);
 * `driver` the name rs knows the driver by, if net has rs's endpoint. */
int link_open(const char *driver)
{
    const keel_startinfo_t *si = keel_startinfo();
    const keel_startcap_t *rs = keel_startinfo_find(si, "rs");
    link.rs = rs != NULL && rs->kind == KEEL_CAP_ENDPOINT ? rs->cptr : 0;
    link.driver = driver;
    const keel_startcap_t *region = keel_startinfo_find(si, "eth");
    link.end = keel_channel_end(si, "eth");
    if (link.end.rings == NULL || region->size < PAGE + SLOTS * BUFFER) {
        return -ENODEV;
    }
    return 0;
}
