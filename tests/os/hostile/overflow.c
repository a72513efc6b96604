/* /bin/overflow: recurses until its stack runs into the unmapped guard
 * page below it (tests/os/hostile, os.quota). It first prints the guard
 * page's address from its start page (`overflow: guard page at 0x...`);
 * pm then reports a segmentation fault inside that page, ends it with
 * SIGSEGV, and the shell says so. It never returns normally. */
#include <keel/os/startinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096

/* Each call keeps a frame of its own: a buffer the compiler must keep
 * (volatile) and work after the call, so it cannot become a loop. */
static unsigned long dive(unsigned long depth, unsigned long limit)
{
    volatile unsigned char frame[512];
    frame[0] = (unsigned char)depth;
    if (depth == limit) {
        return frame[0];
    }
    return dive(depth + 1, limit) + frame[0];
}

int main(int argc, char **argv)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    uintptr_t guard = si->stack_top - si->stack_size - PAGE;
    /* the limit is never reached: it only keeps the recursion finite to the compiler */
    unsigned long limit = argc > 1 ? strtoul(argv[1], NULL, 10) : ~0ul;
    printf("overflow: guard page at 0x%lx\n", (unsigned long)guard);
    fflush(stdout);
    printf("overflow: returned %lu\n", dive(0, limit));
    return 1;
}
