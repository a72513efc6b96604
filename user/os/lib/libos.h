/* libos's internal interface: what the start page gave the process (the
 * endpoints of pm and vfs, the data window, a local heap) and the helpers
 * every POSIX call uses. docs/os.md "libos" describes the layer. */
#pragma once

#include <keel/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct libos_env {
    bool ready;
    seL4_CPtr pm;          /* endpoint "pm", 0 if the start page has none */
    seL4_CPtr vfs;         /* endpoint "vfs", 0 if none: the early console */
    unsigned char *window; /* region "data": the data window, NULL if none */
    size_t window_size;
    uintptr_t heap_start; /* region "heap" (a component's own heap) or, with */
    uintptr_t heap_end;   /* none, the start page's heap_start and pm's sbrk */
    bool heap_local;
} libos_env_t;

extern libos_env_t libos_env;

/* Read the start page once (every call goes through here). */
void libos_env_load(void);

static inline const libos_env_t *libos(void)
{
    if (!libos_env.ready) {
        libos_env_load();
    }
    return &libos_env;
}

/* For calls that need a server: its endpoint, or 0 with errno = ENOSYS. */
seL4_CPtr libos_pm(void);
seL4_CPtr libos_vfs(void);
/* vfs for a call on descriptor fd; 0 and EBADF for one out of every
 * process's range. */
seL4_CPtr libos_vfs_fd(int fd);

/* Copy a path into the data window at `offset`: its length (without NUL),
 * or -1 with errno set (ENOENT empty, ENAMETOOLONG, ENOBUFS: no window). */
long libos_put_path(size_t offset, const char *path);

/* The early console: bytes to seL4_DebugPutChar (when the kernel prints). */
void libos_console_write(const void *buf, size_t count);

/* The counter and its frequency (CNTPCT_EL0, CNTFRQ_EL0; exported to EL0). */
uint64_t libos_counter(void);
uint64_t libos_counter_frequency(void);

/* Keel's own calls that programs may use (user/bin/sh declares them weak):
 * the shell's job control (io.c) and crash report (proc.c). */
int keel_set_foreground(pid_t pgid);
int keel_fault_info(pid_t pid, uintptr_t *address);
