/* A program that never blocks, for the shell tests (tests/os/shell/): it
 * says it started, then computes forever, so that Ctrl-C must stop a
 * running program, not one waiting in a read. */
#include <stdio.h>

int main(void)
{
    printf("spin: spinning\n");
    fflush(stdout);
    volatile unsigned long n = 0;
    for (;;) {
        n++;
    }
}
