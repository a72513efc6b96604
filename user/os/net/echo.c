/* TCP echo on port 7 (RFC 862): what a client sends comes back. The tests
 * reach it from the host through QEMU's hostfwd (docs/network.md). Data
 * that does not fit the send buffer is refused for now: lwIP keeps it and
 * offers it again (the window closes meanwhile). */
#include "net.h"

#include <errno.h>
#include <lwip/tcp.h>

#define ECHO_PORT 7

static err_t echo_received(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    if (p == NULL || err != ERR_OK) {
        if (p != NULL) {
            pbuf_free(p);
        }
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        return tcp_close(pcb) == ERR_OK ? ERR_OK : (tcp_abort(pcb), ERR_ABRT);
    }
    if (tcp_sndbuf(pcb) < p->tot_len || tcp_sndqueuelen(pcb) + 8 > TCP_SND_QUEUELEN) {
        return ERR_MEM; /* offered again later */
    }
    for (struct pbuf *q = p; q != NULL; q = q->next) {
        if (tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY) != ERR_OK) {
            return ERR_MEM;
        }
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    tcp_output(pcb);
    return ERR_OK;
}

static err_t echo_accepted(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || pcb == NULL) {
        return ERR_VAL;
    }
    tcp_recv(pcb, echo_received);
    return ERR_OK;
}

int echo_start(void)
{
    struct tcp_pcb *pcb = tcp_new();
    if (pcb == NULL || tcp_bind(pcb, IP_ADDR_ANY, ECHO_PORT) != ERR_OK) {
        return -EADDRINUSE;
    }
    struct tcp_pcb *listening = tcp_listen(pcb);
    if (listening == NULL) {
        return -ENOMEM;
    }
    tcp_accept(listening, echo_accepted);
    return 0;
}
