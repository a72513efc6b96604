/* Packing spawn requests (pack.h). */
#include "pack.h"

#include <errno.h>
#include <string.h>

long libos_pack_strings(char *out, size_t capacity, char *const list[])
{
    size_t used = 0;
    for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
        size_t n = strlen(list[i]) + 1;
        if (n > capacity - used) {
            return -1;
        }
        memcpy(out + used, list[i], n);
        used += n;
    }
    return (long)used;
}

static int slot_ok(int fd)
{
    return fd >= 0 && fd < LIBOS_FD_SLOTS;
}

/* A parent descriptor that was not open before an open for the child now
 * names the opened file: child slots that referred to it (they meant "the
 * parent has none") must stay closed. */
static void forget_parent_fd(libos_fdmap_t *out, int fd)
{
    for (size_t i = 0; i < LIBOS_FD_SLOTS; i++) {
        if (out->map[i] == fd) {
            out->map[i] = -1;
        }
    }
}

static int apply_action(const libos_spawn_action_t *a, libos_open_fn_t *open_fn, void *arg,
                        libos_fdmap_t *out)
{
    if (!slot_ok(a->fd)) {
        return EBADF;
    }
    switch (a->kind) {
    case LIBOS_SPAWN_CLOSE:
        out->map[a->fd] = -1;
        return 0;
    case LIBOS_SPAWN_DUP2:
        if (!slot_ok(a->newfd) || out->map[a->fd] < 0) {
            return EBADF;
        }
        out->map[a->newfd] = out->map[a->fd];
        return 0;
    case LIBOS_SPAWN_OPEN: {
        int fd = open_fn(arg, a->path, a->flags, a->mode);
        if (fd < 0) {
            return -fd;
        }
        out->opened[out->nopened++] = fd;
        forget_parent_fd(out, fd);
        out->map[a->fd] = fd;
        return 0;
    }
    }
    return EINVAL;
}

int libos_fdmap_build(const libos_spawn_action_t *actions, size_t count, libos_open_fn_t *open_fn,
                      void *arg, libos_fdmap_t *out)
{
    for (int i = 0; i < LIBOS_FD_SLOTS; i++) {
        out->map[i] = i;
    }
    out->length = 0;
    out->nopened = 0;
    for (size_t i = 0; i < count; i++) {
        if (actions[i].kind == LIBOS_SPAWN_OPEN && out->nopened == LIBOS_FD_SLOTS) {
            return EMFILE;
        }
        int error = apply_action(&actions[i], open_fn, arg, out);
        if (error != 0) {
            return error;
        }
    }
    size_t length = LIBOS_FD_SLOTS;
    while (length > 0 && out->map[length - 1] == (int32_t)(length - 1)) {
        length--;
    }
    out->length = length;
    return 0;
}

void libos_fdmap_encode(const libos_fdmap_t *map, unsigned char *out)
{
    memcpy(out, map->map, map->length * sizeof(map->map[0]));
}

static int not_here(int error)
{
    return error == ENOENT || error == EACCES || error == ENOTDIR;
}

int libos_path_search(const char *file, const char *path_list, char *scratch, size_t size,
                      libos_try_fn_t *try_fn, void *arg)
{
    size_t file_len = strlen(file);
    if (strchr(file, '/') != NULL) {
        if (file_len + 1 > size) {
            return ENAMETOOLONG;
        }
        memcpy(scratch, file, file_len + 1);
        return try_fn(arg, scratch);
    }
    int result = ENOENT;
    const char *dir = path_list;
    for (;;) {
        const char *end = strchr(dir, ':');
        size_t dir_len = end != NULL ? (size_t)(end - dir) : strlen(dir);
        const char *prefix = dir_len == 0 ? "." : dir;
        size_t prefix_len = dir_len == 0 ? 1 : dir_len;
        if (prefix_len + 1 + file_len + 1 > size) {
            return ENAMETOOLONG;
        }
        memcpy(scratch, prefix, prefix_len);
        scratch[prefix_len] = '/';
        memcpy(scratch + prefix_len + 1, file, file_len + 1);
        result = try_fn(arg, scratch);
        if (!not_here(result) || end == NULL) {
            return result;
        }
        dir = end + 1;
    }
}
