/* A program that never blocks, for the shell tests (tests/os/shell/): it
 * says it started, then computes forever, so that Ctrl-C must stop a
 * running program, not one waiting in a read.
 *
 * It yields once first: the shell makes a new job's group the terminal's
 * foreground only after posix_spawn returns, and a spin that ran before
 * that and printed would let a Ctrl-C typed at once go to the shell's own
 * group (a race of the shell's job control: CAVEATS.md). Yielding hands
 * the processor to a shell that is still ready, at the same priority,
 * before spin says it runs. */
#include <sel4/sel4.h>
#include <stdio.h>

int main(void)
{
    seL4_Yield();
    printf("spin: spinning\n");
    fflush(stdout);
    volatile unsigned long n = 0;
    for (;;) {
        n++;
    }
}
