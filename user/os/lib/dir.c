/* Directories: opendir, readdir, closedir over vfs's getdents, whose
 * records (keel/os/dirent.h) are checked as they are read. */
#include "convert.h"
#include "libos.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <keel/os/dirent.h>
#include <keel/proto/vfs.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Records are copied out of the window into the DIR, then decoded. */
#define DIR_BUFFER 2048

struct __keel_dir {
    int fd;
    size_t length; /* bytes of records in buffer */
    size_t next;   /* offset of the next record */
    struct dirent entry;
    unsigned char buffer[DIR_BUFFER] __attribute__((aligned(8)));
};

DIR *opendir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        return NULL;
    }
    DIR *dir = malloc(sizeof(*dir));
    if (dir == NULL) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    dir->fd = fd;
    dir->length = 0;
    dir->next = 0;
    return dir;
}

/* Fetch the next batch of records: 1, 0 at the end, -1 on error. */
static int refill(DIR *dir)
{
    seL4_CPtr vfs = libos_vfs();
    if (vfs == 0) {
        return -1;
    }
    const libos_env_t *env = libos();
    size_t chunk = env->window_size < DIR_BUFFER ? env->window_size : DIR_BUFFER;
    long r = vfs_getdents(vfs, dir->fd, 0, chunk);
    if (r > (long)chunk) {
        r = -EIO;
    }
    if (r <= 0) {
        return (int)libos_result(r);
    }
    memcpy(dir->buffer, env->window, (size_t)r);
    dir->length = (size_t)r;
    dir->next = 0;
    return 1;
}

/* errno is left alone at the end of the directory, as POSIX asks. */
struct dirent *readdir(DIR *dir)
{
    if (dir->next >= dir->length) {
        if (refill(dir) <= 0) {
            return NULL;
        }
    }
    keel_dirent_t head;
    size_t next = keel_dirent_next(dir->buffer, dir->length, dir->next, &head, dir->entry.d_name);
    if (next == 0) {
        dir->next = dir->length; /* drop the rest of a malformed batch */
        errno = EIO;
        return NULL;
    }
    dir->next = next;
    dir->entry.d_ino = (ino_t)head.ino;
    dir->entry.d_type = head.type;
    return &dir->entry;
}

int closedir(DIR *dir)
{
    int r = close(dir->fd);
    free(dir);
    return r;
}
