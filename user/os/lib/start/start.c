/* The C half of a component's or program's start-up (keel/os/start.h):
 * TLS, the IPC buffer, argv and envp from the start page, main, and the exit
 * hook. Kept small: libos builds the C library's start and exit on the two
 * hooks. */
#include <keel/ipcbuf.h>
#include <keel/os/start.h>
#include <keel/printf.h>
#include <keel/syscalls.h>
#include <keel/tls.h>
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stddef.h>

static const keel_startinfo_t *startinfo;

/* argv (argc pointers and NULL), then envp (envc pointers and NULL). */
static char *vectors[KEEL_STARTINFO_ARGS_MAX + 2];

const keel_startinfo_t *keel_startinfo(void)
{
    return startinfo;
}

__attribute__((weak)) void keel_init_hook(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    (void)envp;
}

__attribute__((weak, noreturn)) void keel_exit_hook(int status)
{
    printf("%s: exited with status %d\n", startinfo->name, status);
    keel_os_exit(status);
}

static bool name_terminated(const keel_startinfo_t *si)
{
    for (size_t i = 0; i < KEEL_NAME_MAX; i++) {
        if (si->name[i] == '\0') {
            return true;
        }
    }
    return false;
}

/* Point vectors[] at the start page's strings; false if they are malformed
 * (too many, or running past the start page). */
static bool split_strings(const keel_startinfo_t *si)
{
    if (si->argc > KEEL_STARTINFO_ARGS_MAX || si->envc > KEEL_STARTINFO_ARGS_MAX - si->argc) {
        return false;
    }
    size_t room = KEEL_STARTINFO_SIZE - offsetof(keel_startinfo_t, strings);
    size_t len = si->strings_len < room ? si->strings_len : room;
    size_t at = 0;
    size_t slot = 0;
    for (uint64_t i = 0; i < si->argc + si->envc; i++) {
        if (i == si->argc) {
            vectors[slot++] = NULL; /* the end of argv */
        }
        vectors[slot++] = (char *)&si->strings[at];
        while (at < len && si->strings[at] != '\0') {
            at++;
        }
        if (at++ >= len) {
            return false;
        }
    }
    if (si->envc == 0) {
        vectors[slot++] = NULL;
    }
    vectors[slot] = NULL;
    return true;
}

/* Runs with TLS in place; separate (and not inlined) so that no access to a
 * thread-local variable can be scheduled before TPIDR_EL0 is set. */
static __attribute__((noinline, noreturn)) void start_main(const keel_startinfo_t *si)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)KEEL_IPCBUF_VADDR);
    if (si->magic != KEEL_STARTINFO_MAGIC || si->version != KEEL_STARTINFO_VERSION ||
        !name_terminated(si) || !split_strings(si)) {
        puts("start: the start page is malformed");
        keel_os_exit(1);
    }
    int argc = (int)si->argc;
    keel_init_hook(argc, vectors, &vectors[argc + 1]);
    keel_exit_hook(main(argc, vectors, &vectors[argc + 1]));
}

void keel_os_start(const keel_startinfo_t *si, void *tls_area, unsigned long tls_size)
{
    keel_set_tls_base(keel_tls_init(tls_area, tls_size));
    startinfo = si;
    start_main(si);
}
