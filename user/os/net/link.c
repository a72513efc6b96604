/* The net server's link: the network channel to the eth driver, through
 * libos's client side (keel/os/netclient.h), and the lwIP interface over
 * it. The region after the rings' page holds 64 buffers of 2 KiB (never
 * across a page): 32 stay posted for receiving, 32 carry frames out. A
 * restarted driver gets again what the old one had not completed. */
#include "net.h"

#include <errno.h>
#include <keel/os/netclient.h>
#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/pbuf.h>
#include <netif/ethernet.h>
#include <string.h>

#define PAGE 4096u
#define BUFFER 2048u
#define RX_BUFFERS 32
#define SLOTS KEEL_NET_SLOTS /* RX_BUFFERS receive, the rest transmit */

static struct {
    keel_net_client_t c;
    struct netif netif;
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
    if (length >= KEEL_NET_FRAME_MIN && length <= KEEL_NET_FRAME_MAX && netif_is_up(&link.netif)) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_POOL);
        if (p != NULL) {
            pbuf_take(p, link.c.region + place(slot), (u16_t)length);
            if (link.netif.input(p, &link.netif) != ERR_OK) {
                pbuf_free(p);
            }
        }
    }
    post_rx(slot);
}

/* The frames that arrived, into lwIP: from the loop only, never from
 * inside lwIP (its output polls too), since lwIP is not reentrant. */
void link_poll(void)
{
    keel_net_poll(&link.c);
    for (unsigned i = 0; i < RX_BUFFERS; i++) {
        if (link.c.slot[i].done) {
            deliver(i);
        }
    }
}

void link_wait(void)
{
    keel_net_wait(&link.c);
}

/* lwIP's output: the frame into a free TX buffer. None free: dropped (TCP
 * sends it again). */
static err_t output(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    if (p->tot_len < KEEL_NET_FRAME_MIN || p->tot_len > KEEL_NET_FRAME_MAX) {
        return ERR_IF;
    }
    keel_net_poll(&link.c); /* TX buffers back; frames in wait for the loop */
    for (unsigned i = RX_BUFFERS; i < SLOTS; i++) {
        keel_net_slot_t *s = &link.c.slot[i];
        if (!s->busy || s->done) {
            pbuf_copy_partial(p, link.c.region + place(i), p->tot_len, 0);
            keel_net_put(&link.c, i, KEEL_NET_TX, place(i), p->tot_len);
            return ERR_OK;
        }
    }
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

/* The channel, the driver's MAC address, the interface with QEMU's user
 * network's static setup: 10.0.2.15/24, gateway 10.0.2.2. */
int link_open(void)
{
    int r = keel_net_open(&link.c, "eth", PAGE + SLOTS * BUFFER);
    if (r < 0) {
        return r;
    }
    for (unsigned i = 0; i < RX_BUFFERS; i++) {
        post_rx(i);
    }
    lwip_init();
    ip4_addr_t address, mask, gateway;
    IP4_ADDR(&address, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gateway, 10, 0, 2, 2);
    if (netif_add(&link.netif, &address, &mask, &gateway, NULL, interface_init, ethernet_input) ==
        NULL) {
        return -EIO;
    }
    netif_set_default(&link.netif);
    netif_set_link_up(&link.netif);
    netif_set_up(&link.netif);
    return 0;
}
