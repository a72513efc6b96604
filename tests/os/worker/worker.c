/* A component with work in the middle of which rs's fault injection can
 * hang it (tests/os/test.system, restart always): while its page "work"
 * says run, it counts as fast as it can; otherwise it waits for rsclient's
 * signal. It shares rsclient's priority, so each time rsclient yields the
 * processor it runs -- and a hung worker spins there instead of counting
 * (rsclient's check_hang). */
#include "../testcomp.h"
#include "work.h"

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    work_page_t *work = (work_page_t *)testcomp_cap("work", KEEL_CAP_REGION)->vaddr;
    seL4_CPtr own = testcomp_cap("notify", KEEL_CAP_NOTIFICATION)->cptr;
    for (;;) {
        while (work->run) {
            work->count++;
        }
        seL4_Wait(own, NULL);
    }
}
