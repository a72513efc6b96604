/* The C half of root-task start-up, entered from crt0.S on the initial stack
 * with .bss cleared: thread-local storage, BootInfo, IPC buffer, main(). */
#include "internal.h"
#include <keel/gen/invocations.h>
#include <keel/printf.h>
#include <keel/runtime.h>
#include <keel/syscalls.h>
#include <keel/tls.h>

#define INITIAL_TLS_SIZE 4096

static unsigned char initial_tls[INITIAL_TLS_SIZE] __attribute__((aligned(16)));

/* Stop the system, or, in a build without DebugHalt, this thread. */
static __attribute__((noreturn)) void halt(void)
{
    for (;;) {
#if CONFIG_DEBUG_BUILD
        seL4_DebugHalt();
#else
        seL4_TCB_Suspend(seL4_CapInitThreadTCB);
#endif
    }
}

/* Runs with TLS in place; separate (and not inlined) so that no access to a
 * thread-local variable can be scheduled before TPIDR_EL0 is set. */
static __attribute__((noinline, noreturn)) void start_main(seL4_BootInfo *bi)
{
    keel_bootinfo_pointer = bi;
    seL4_SetIPCBuffer(bi->ipcBuffer);
    int status = main();
    printf("root task exited with status %d\n", status);
    halt();
}

void keel_start(seL4_BootInfo *bi)
{
    uintptr_t tp = keel_tls_init(initial_tls, sizeof(initial_tls));
    if (tp == 0) {
        puts("libkeel: the TLS block does not fit the initial thread's area");
        halt();
    }
    keel_set_tls_base(tp);
    start_main(bi);
}
