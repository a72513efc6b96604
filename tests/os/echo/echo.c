/* A test server (tests/os/test.system): serves "echo" -- a Call with MR0 = n
 * is answered with MR0 = the caller's badge and MR1 = n + 1 -- and answers
 * its channel "ring": each request in the request ring comes back in the
 * completion ring with op + 1, then the client is signalled. One Recv loop
 * serves both, told apart by KEEL_BADGE_NOTIFY. */
#include "../testcomp.h"
#include <keel/os/ring.h>

static void serve_ring(const keel_startcap_t *ring)
{
    keel_channel_t *chan = (keel_channel_t *)ring->vaddr;
    keel_ring_entry_t e;
    while (keel_ring_get(&chan->request, &e)) {
        e.op += 1;
        keel_ring_put(&chan->completion, e);
    }
    seL4_Signal(testcomp_cap("ring.notify", KEEL_CAP_NOTIFICATION)->cptr);
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    const keel_startcap_t *service = testcomp_cap("echo", KEEL_CAP_SERVICE);
    const keel_startcap_t *ring = testcomp_cap("ring", KEEL_CAP_REGION);
    printf("echo: serving\n");
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(service->cptr, &badge);
    for (;;) {
        if (badge & KEEL_BADGE_NOTIFY) {
            serve_ring(ring);
            info = seL4_Recv(service->cptr, &badge);
            continue;
        }
        seL4_Word n = seL4_MessageInfo_get_length(info) > 0 ? seL4_GetMR(0) : 0;
        seL4_SetMR(0, badge);
        seL4_SetMR(1, n + 1);
        info = seL4_ReplyRecv(service->cptr, seL4_MessageInfo_new(0, 0, 0, 2), &badge);
    }
}
