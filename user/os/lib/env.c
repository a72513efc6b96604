/* What the start page gives libos: the endpoints of pm and vfs,
 * the data window, a heap; the early console; the generic counter. */
#include "libos.h"

#include <errno.h>
#include <keel/gen/config.h>
#include <keel/os/startinfo.h>
#include <keel/os/timer.h>
#include <keel/proto/vfs_defs.h>
#include <keel/syscalls.h>
#include <string.h>

libos_env_t libos_env;

static seL4_CPtr find_endpoint(const keel_startinfo_t *si, const char *name)
{
    const keel_startcap_t *cap = keel_startinfo_find(si, name);
    return cap != NULL && cap->kind == KEEL_CAP_ENDPOINT ? cap->cptr : 0;
}

static const keel_startcap_t *find_region(const keel_startinfo_t *si, const char *name)
{
    const keel_startcap_t *cap = keel_startinfo_find(si, name);
    return cap != NULL && cap->kind == KEEL_CAP_REGION ? cap : NULL;
}

void libos_env_load(void)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    libos_env_t env = { .ready = true };
    if (si->magic == KEEL_STARTINFO_MAGIC && si->version == KEEL_STARTINFO_VERSION) {
        env.pm = find_endpoint(si, "pm");
        env.vfs = find_endpoint(si, "vfs");
        const keel_startcap_t *data = find_region(si, "data");
        if (data != NULL && (data->flags & KEEL_REGION_WRITABLE) != 0) {
            env.window = (unsigned char *)data->vaddr;
            env.window_size = data->size;
        }
        const keel_startcap_t *heap = find_region(si, "heap");
        if (heap != NULL && (heap->flags & KEEL_REGION_WRITABLE) != 0) {
            env.heap_local = true;
            env.heap_start = heap->vaddr;
            env.heap_end = heap->vaddr + heap->size;
        } else {
            env.heap_start = si->heap_start;
            env.heap_end = si->heap_start;
        }
    }
    libos_env = env;
}

seL4_CPtr libos_pm(void)
{
    seL4_CPtr ep = libos()->pm;
    if (ep == 0) {
        errno = ENOSYS;
    }
    return ep;
}

seL4_CPtr libos_vfs(void)
{
    seL4_CPtr ep = libos()->vfs;
    if (ep == 0) {
        errno = ENOSYS;
    }
    return ep;
}

seL4_CPtr libos_vfs_fd(int fd)
{
    if (fd < 0 || fd > VFS_FD_MAX) {
        errno = EBADF; /* no process has it: the server would say EINVAL */
        return 0;
    }
    return libos_vfs();
}

long libos_put_path(size_t offset, const char *path)
{
    const libos_env_t *env = libos();
    size_t length = strlen(path);
    if (length == 0) {
        errno = ENOENT;
        return -1;
    }
    if (length > VFS_PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (env->window == NULL || offset > env->window_size || length > env->window_size - offset) {
        errno = ENOBUFS;
        return -1;
    }
    memcpy(env->window + offset, path, length);
    return (long)length;
}

void libos_console_write(const void *buf, size_t count)
{
#if CONFIG_PRINTING
    const char *bytes = buf;
    for (size_t i = 0; i < count; i++) {
        seL4_DebugPutChar(bytes[i]);
    }
#else
    (void)buf;
    (void)count;
#endif
}

uint64_t libos_counter(void)
{
    return keel_counter();
}

uint64_t libos_counter_frequency(void)
{
    return keel_counter_frequency();
}
