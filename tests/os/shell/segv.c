/* A program that crashes on purpose, for the shell tests (tests/os/shell/):
 * `segv [ADDRESS]` stores to ADDRESS (hex; default 0xdead0000), where
 * nothing is mapped. pm ends it with SIGSEGV; the shell reports it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    uintptr_t address = argc > 1 ? (uintptr_t)strtoul(argv[1], NULL, 16) : 0xdead0000u;
    printf("segv: storing to 0x%lx\n", (unsigned long)address);
    fflush(stdout);
    *(volatile int *)address = 1;
    printf("segv: the store did not fault\n");
    return 1;
}
