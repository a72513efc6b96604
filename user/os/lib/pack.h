/* What libos packs into a data window for pm's spawn (proto/pm.proto): the
 * strings of argv and envp, the child's descriptor map built from
 * posix_spawn's file actions, and the search of PATH for posix_spawnp.
 * Plain logic, tested on the host (tests/host/test_libos.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Descriptors a process may have: vfs's FD_MAX + 1. */
#define LIBOS_FD_SLOTS 64

/* Copy the NULL-terminated list's strings, each with its NUL, back to back
 * into out[0..capacity). Returns the bytes used, or -1 if they do not fit. */
long libos_pack_strings(char *out, size_t capacity, char *const list[]);

enum libos_spawn_action_kind {
    LIBOS_SPAWN_CLOSE, /* close fd in the child */
    LIBOS_SPAWN_DUP2,  /* the child's newfd becomes its fd */
    LIBOS_SPAWN_OPEN,  /* the child's fd becomes path opened with flags, mode */
};

typedef struct libos_spawn_action {
    enum libos_spawn_action_kind kind;
    int fd;
    int newfd;
    const char *path;
    int flags;
    mode_t mode;
} libos_spawn_action_t;

/* Opens a path in the parent for a LIBOS_SPAWN_OPEN: its descriptor, or a
 * negated errno. */
typedef int libos_open_fn_t(void *arg, const char *path, int flags, mode_t mode);

/* The result of libos_fdmap_build(). */
typedef struct libos_fdmap {
    int32_t map[LIBOS_FD_SLOTS]; /* child fd i <- parent fd map[i], or -1 */
    size_t length;               /* entries that matter: i >= length keep fd i */
    int opened[LIBOS_FD_SLOTS];  /* parent descriptors opened for the child */
    size_t nopened;              /* to be closed once the spawn is done */
} libos_fdmap_t;

/* Apply the file actions in order to a child that starts with the parent's
 * descriptors. Returns 0, or EBADF for a descriptor outside
 * 0..LIBOS_FD_SLOTS-1 or a dup2 from one the child no longer has, or the
 * errno of a failed open (the descriptors opened so far are in
 * out->opened either way). */
int libos_fdmap_build(const libos_spawn_action_t *actions, size_t count, libos_open_fn_t *open_fn,
                      void *arg, libos_fdmap_t *out);

/* Serialise the map's entries as the wire's int32s (little-endian, as the
 * machine is): 4 * map->length bytes at out. */
void libos_fdmap_encode(const libos_fdmap_t *map, unsigned char *out);

/* Tries to spawn one candidate path: 0 or an errno. */
typedef int libos_try_fn_t(void *arg, const char *path);

/* posix_spawnp's search: a file with a '/' is tried as it is; otherwise
 * each directory of `path_list` (':'-separated, an empty entry is the
 * current directory) in order, until a try gives anything but ENOENT (or
 * EACCES/ENOTDIR, which also mean "not here"). Returns that result, or the
 * last "not here" (ENOENT if none was tried). ENAMETOOLONG if a candidate
 * does not fit `scratch` (size bytes). */
int libos_path_search(const char *file, const char *path_list, char *scratch, size_t size,
                      libos_try_fn_t *try_fn, void *arg);
