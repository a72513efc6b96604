/* A test component that faults on purpose (tests/os/test.system), in the way
 * its argument names, to show that rs reports the fault and the rest of the
 * system runs on -- and that rs mapped every segment with the right rights:
 *
 *   wild    store to an unmapped address (0xdead0000)
 *   rodata  store to its read-only data
 *   text    store to its own code
 *   data    jump into its writable data (mapped execute-never)
 *   stack   recurse until the stack reaches its guard page
 *   spin    loop for ever without a fault: a hang (tests/os/heal.system)
 */
#include "../testcomp.h"
#include <keel/string.h>
#include <stdint.h>

static const uint32_t constant = 0x12345678;
static uint32_t code_in_data[4] = { 0xd65f03c0 }; /* ret */

/* 1 KiB of stack per level: far more levels than any stack here holds. */
static int depth(volatile char *above, unsigned levels)
{
    volatile char frame[1024];
    frame[0] = above != NULL ? above[0] : 1;
    return levels == 0 ? frame[0] : depth(frame, levels - 1) + frame[0];
}

static void store(volatile uint32_t *where)
{
    printf("crash: storing to 0x%lx\n", (unsigned long)(uintptr_t)where);
    *where = 1;
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "spin") == 0) {
        printf("crash: spinning\n");
        for (volatile unsigned long n = 0;; n++) {
        }
    }
    if (strcmp(mode, "wild") == 0) {
        store((volatile uint32_t *)0xdead0000ul);
    } else if (strcmp(mode, "rodata") == 0) {
        store((volatile uint32_t *)&constant);
    } else if (strcmp(mode, "text") == 0) {
        store((volatile uint32_t *)(uintptr_t)&main);
    } else if (strcmp(mode, "data") == 0) {
        printf("crash: jumping to 0x%lx\n", (unsigned long)(uintptr_t)code_in_data);
        ((void (*)(void))(uintptr_t)code_in_data)();
    } else if (strcmp(mode, "stack") == 0) {
        const keel_startinfo_t *si = keel_startinfo();
        printf("crash: recursing below 0x%lx\n", (unsigned long)(si->stack_top - si->stack_size));
        return depth(NULL, 1u << 20);
    }
    printf("crash: FAIL: mode '%s' did not fault\n", mode);
    return 1;
}
