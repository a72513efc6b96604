/* lwIP's hooks into the net server (lwipopts.h LWIP_HOOK_FILENAME):
 * included by lwIP's sources, so only declarations. */
#pragma once

#include <lwip/arch.h>
#include <lwip/err.h>

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

/* Each TCP segment before it reaches its pcb (timewait.c): a SYN for a
 * connection in TIME-WAIT is held back to open a new one. */
err_t timewait_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len,
                        u8_t *opt2, struct pbuf *p);
