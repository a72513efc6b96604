/* The start-up every component and program links (user/os/lib/start/,
 * docs/os.md "The start of a component or program"): crt0 is entered with
 * x0 = the start page and sp = the stack top; it puts the TLS area at the
 * top of the stack, sets the IPC buffer, and calls
 * main(argc, argv, envp) with the start page's arguments. When main returns,
 * keel_exit_hook(status) ends the process. */
#pragma once

#include <keel/os/startinfo.h>
#include <sel4/sel4.h>

/* Every component and program defines it. */
int main(int argc, char **argv, char **envp);

/* The start page this process was started with. */
const keel_startinfo_t *keel_startinfo(void);

/* Called once before main with main's arguments, TLS and the IPC buffer in
 * place. The default does nothing; libos defines its own (environ, then
 * picolibc's initialisers). */
void keel_init_hook(int argc, char **argv, char **envp);

/* Called with main's return value. The default prints "NAME: exited with
 * status N" on the debug console and ends with keel_os_exit; libos defines
 * its own (picolibc's exit: atexit handlers, stdio flush, then pm's exit,
 * or keel_os_exit without pm). */
void keel_exit_hook(int status) __attribute__((noreturn));

/* The end of a process that has no pm to tell (a component): it says so to
 * its builder on its fault endpoint -- a message with label
 * KEEL_EXIT_LABEL and the status in MR0, which no fault has (rs reports it,
 * and restarts the component if its description says so) -- then suspends
 * itself for good. Inline: the start-up and libos both end this way, and
 * a program may link either without the other. */
static inline __attribute__((noreturn)) void keel_os_exit(int status)
{
    seL4_SetMR(0, (seL4_Word)status);
    seL4_Send(KEEL_SLOT_FAULT, seL4_MessageInfo_new(KEEL_EXIT_LABEL, 0, 0, 1));
    for (;;) {
        seL4_TCB_Suspend(KEEL_SLOT_TCB);
    }
}

/* The C entry point, from crt0: the start page and the TLS area crt0 carved
 * from the top of the stack. Not for use elsewhere. */
void keel_os_start(const keel_startinfo_t *si, void *tls_area, unsigned long tls_size)
    __attribute__((noreturn));
