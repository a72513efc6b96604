/* Names: chdir, getcwd, mkdir, rmdir, unlink, rename -- vfs calls with the
 * paths in the data window. vfs resolves relative paths against the
 * process's directory, which it keeps. */
#include "convert.h"
#include "libos.h"

#include <errno.h>
#include <keel/proto/vfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The vfs endpoint and the path at the window's start, or 0 (errno set). */
static seL4_CPtr vfs_with_path(const char *path, uint64_t *length)
{
    seL4_CPtr vfs = libos_vfs();
    if (vfs == 0) {
        return 0;
    }
    long n = libos_put_path(0, path);
    if (n < 0) {
        return 0;
    }
    *length = (uint64_t)n;
    return vfs;
}

int chdir(const char *path)
{
    uint64_t length;
    seL4_CPtr vfs = vfs_with_path(path, &length);
    return vfs != 0 ? (int)libos_result(vfs_chdir(vfs, 0, length)) : -1;
}

int mkdir(const char *path, mode_t mode)
{
    uint64_t length;
    seL4_CPtr vfs = vfs_with_path(path, &length);
    return vfs != 0 ? (int)libos_result(vfs_mkdir(vfs, 0, length, mode & 07777)) : -1;
}

int rmdir(const char *path)
{
    uint64_t length;
    seL4_CPtr vfs = vfs_with_path(path, &length);
    return vfs != 0 ? (int)libos_result(vfs_rmdir(vfs, 0, length)) : -1;
}

int unlink(const char *path)
{
    uint64_t length;
    seL4_CPtr vfs = vfs_with_path(path, &length);
    return vfs != 0 ? (int)libos_result(vfs_unlink(vfs, 0, length)) : -1;
}

/* Both names in the window: `from` at 0, `to` right after it. */
int rename(const char *from, const char *to)
{
    uint64_t from_length;
    seL4_CPtr vfs = vfs_with_path(from, &from_length);
    if (vfs == 0) {
        return -1;
    }
    long to_length = libos_put_path(from_length, to);
    if (to_length < 0) {
        return -1;
    }
    return (int)libos_result(vfs_rename(vfs, 0, from_length, from_length, (uint64_t)to_length));
}

/* As glibc, a NULL buf asks for a buffer from malloc (of `size` bytes, or
 * as long as needed when size is 0). */
char *getcwd(char *buf, size_t size)
{
    seL4_CPtr vfs = libos_vfs();
    if (vfs == 0) {
        return NULL;
    }
    if (buf != NULL && size == 0) {
        errno = EINVAL;
        return NULL;
    }
    const libos_env_t *env = libos();
    size_t want = buf == NULL && size == 0 ? VFS_PATH_MAX + 1 : size;
    size_t chunk = want < env->window_size ? want : env->window_size;
    if (chunk == 0) {
        errno = ENOBUFS;
        return NULL;
    }
    long r = vfs_getcwd(vfs, 0, chunk);
    if (r == 0 || r > (long)chunk || (r > 0 && env->window[r - 1] != '\0')) {
        r = -EIO;
    }
    if (r < 0) {
        libos_result(r);
        return NULL;
    }
    char *out = buf != NULL ? buf : malloc(size != 0 ? size : (size_t)r);
    if (out == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(out, env->window, (size_t)r);
    out[r - 1] = '\0';
    return out;
}
