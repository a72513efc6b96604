/* Answering rs's heartbeat (docs/reliability.md "Hangs"). */
#pragma once

#include <keel/os/startinfo.h>
#include <sel4/sel4.h>

/* rs's heartbeat ping (KEEL_BADGE_HEARTBEAT, docs/reliability.md "Hangs")
 * in a notification word `bits` is answered here, by signalling the "heartbeat"
 * entry of the process's start page `si`; returns the other bits. A
 * process whose loop passes every notification word through it is alive
 * while it comes back to its wait: the drivers' driver_wait does, and pm's
 * and vfs's loops. */
static inline seL4_Word keel_heartbeat_answer(const keel_startinfo_t *si, seL4_Word bits)
{
    if ((bits & KEEL_BADGE_HEARTBEAT) == 0) {
        return bits;
    }
    const keel_startcap_t *heartbeat = keel_startinfo_find(si, "heartbeat");
    if (heartbeat != NULL) {
        seL4_Signal(heartbeat->cptr);
    }
    return bits & ~KEEL_BADGE_HEARTBEAT;
}
