/* A new connection over one in TIME-WAIT (docs/network.md "TIME-WAIT").
 *
 * A server that closes first keeps each connection in TIME-WAIT for
 * 2 MSL (lwIP: 2 minutes). QEMU's user network gives the connection it
 * makes to the guest for a host client that client's own port, and Linux
 * hands a loopback client the same port again within seconds, so a SYN
 * can come for a pair of addresses and ports still in TIME-WAIT. lwIP
 * answers it as RFC 1337 says (an ACK of the old connection, and the
 * peer's RST is ignored), and the host's client waits out the 2 minutes.
 * Linux in its place lets the RST end the TIME-WAIT, and accepts at once a
 * SYN above the old sequence numbers (RFC 6191).
 *
 * Here a SYN (and nothing else: no ACK, RST or FIN) that finds a
 * connection in TIME-WAIT ends it and opens the new one: lwIP's hook
 * keeps the segment, whole again, and the loop (timewait_replay) aborts
 * the TIME-WAIT pcb -- which the hook itself may not -- and feeds the
 * segment in again, to the listener now. A SYN needs no sequence test
 * here: TIME-WAIT means both sides closed the old connection, and a peer
 * sends a new SYN only for a new one (an old duplicate SYN, which the
 * user network never delivers, would meet the peer's RST). */
#include "net.h"

#include <lwip/ip.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/prot/tcp.h>
#include <net_hooks.h>

#define HELD_MAX 8 /* SYNs held between two turns of the loop; more wait for their retry */

typedef struct held {
    struct pbuf *p; /* the IP packet, as it arrived */
    struct netif *in;
    ip_addr_t local, remote;
    u16_t local_port, remote_port;
} held_t;

static held_t held[HELD_MAX];
static unsigned nheld;

/* The fields tcp_input turned to host order, back as they came. */
static void network_order(struct tcp_hdr *hdr)
{
    hdr->src = lwip_htons(hdr->src);
    hdr->dest = lwip_htons(hdr->dest);
    hdr->seqno = lwip_htonl(hdr->seqno);
    hdr->ackno = lwip_htonl(hdr->ackno);
    hdr->wnd = lwip_htons(hdr->wnd);
}

err_t timewait_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len,
                        u8_t *opt2, struct pbuf *p)
{
    (void)opt1len;
    u8_t kind = TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);
    if (pcb->state != TIME_WAIT || kind != TCP_SYN || opt2 != NULL || nheld == HELD_MAX) {
        return ERR_OK;
    }
    u16_t headers = (u16_t)(ip_current_header_tot_len() + TCP_HLEN + optlen);
    if (pbuf_add_header(p, headers) != 0) {
        return ERR_OK; /* never: the headers are in front of it */
    }
    network_order(hdr);
    pbuf_ref(p); /* tcp_input frees its own reference */
    held[nheld++] = (held_t){ p,
                              ip_current_input_netif(),
                              pcb->local_ip,
                              pcb->remote_ip,
                              pcb->local_port,
                              pcb->remote_port };
    return ERR_ABRT;
}

static struct tcp_pcb *in_timewait(const held_t *h)
{
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->local_port == h->local_port && pcb->remote_port == h->remote_port &&
            ip_addr_cmp(&pcb->local_ip, &h->local) && ip_addr_cmp(&pcb->remote_ip, &h->remote)) {
            return pcb;
        }
    }
    return NULL;
}

void timewait_replay(void)
{
    unsigned n = nheld;
    nheld = 0; /* a replayed SYN finds no TIME-WAIT: it is not held again */
    for (unsigned i = 0; i < n; i++) {
        struct tcp_pcb *old = in_timewait(&held[i]);
        if (old != NULL) {
            tcp_abort(old); /* TIME-WAIT: freed, nothing sent */
        }
        ip_input(held[i].p, held[i].in);
    }
}
