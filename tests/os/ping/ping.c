/* A test client (tests/os/test.system): Calls the "echo" service it was
 * granted with a badge, then sends a request through channel "ring" and
 * waits on its own notification for the completion. */
#include "../testcomp.h"
#include <keel/os/ring.h>

static int call_echo(void)
{
    const keel_startcap_t *echo = testcomp_cap("echo", KEEL_CAP_ENDPOINT);
    seL4_SetMR(0, 41);
    seL4_MessageInfo_t info = seL4_Call(echo->cptr, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Word label = seL4_MessageInfo_get_label(info);
    printf("ping: echo answered label %lu, badge %lu, value %lu\n", label, seL4_GetMR(0),
           seL4_GetMR(1));
    return label == 0 && seL4_GetMR(1) == 42 ? 0 : 1;
}

static int use_ring(void)
{
    const keel_startcap_t *ring = testcomp_cap("ring", KEEL_CAP_REGION);
    const keel_startcap_t *peer = testcomp_cap("ring.notify", KEEL_CAP_NOTIFICATION);
    const keel_startcap_t *own = testcomp_cap("notify", KEEL_CAP_NOTIFICATION);
    keel_channel_t *chan = (keel_channel_t *)ring->vaddr;
    keel_ring_put(&chan->request, (keel_ring_entry_t){ .cookie = 0xc0ffee, .op = 5 });
    seL4_Signal(peer->cptr);
    seL4_Word word;
    seL4_Wait(own->cptr, &word);
    keel_ring_entry_t done = { 0 };
    bool got = keel_ring_get(&chan->completion, &done);
    printf("ping: ring signalled (bit %s), completion %s: cookie 0x%lx, op %u\n",
           word == (KEEL_BADGE_NOTIFY | peer->badge) ? "ok" : "WRONG", got ? "ok" : "MISSING",
           (unsigned long)done.cookie, done.op);
    return got && done.op == 6 ? 0 : 1;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    return call_echo() + use_ring();
}
