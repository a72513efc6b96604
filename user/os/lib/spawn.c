/* posix_spawn and posix_spawnp, their file actions and attributes: one pm
 * spawn call with path, argv, envp and the child's descriptor map packed
 * into the data window (pack.h). Supported attributes: POSIX_SPAWN_SETPGROUP
 * (and the flags that ask for what a Keel child gets anyway: default
 * signals, an empty mask). */
#include "convert.h"
#include "libos.h"
#include "pack.h"

#include <errno.h>
#include <fcntl.h>
#include <keel/proto/pm.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct __posix_spawn_file_actions {
    size_t count;
    size_t capacity;
    libos_spawn_action_t *actions; /* paths are private copies */
};

struct __posix_spawnattr {
    short flags;
    pid_t pgroup;
};

#define SPAWN_FLAGS_KNOWN (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
    *fa = calloc(1, sizeof(**fa));
    return *fa != NULL ? 0 : ENOMEM;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
    for (size_t i = 0; i < (*fa)->count; i++) {
        free((void *)(*fa)->actions[i].path);
    }
    free((*fa)->actions);
    free(*fa);
    *fa = NULL;
    return 0;
}

static int add_action(posix_spawn_file_actions_t *fa, libos_spawn_action_t action)
{
    if (action.fd < 0 || action.fd >= LIBOS_FD_SLOTS ||
        (action.kind == LIBOS_SPAWN_DUP2 && (action.newfd < 0 || action.newfd >= LIBOS_FD_SLOTS))) {
        return EBADF;
    }
    struct __posix_spawn_file_actions *list = *fa;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 4 : 2 * list->capacity;
        libos_spawn_action_t *grown = realloc(list->actions, capacity * sizeof(*grown));
        if (grown == NULL) {
            return ENOMEM;
        }
        list->actions = grown;
        list->capacity = capacity;
    }
    list->actions[list->count++] = action;
    return 0;
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
    return add_action(fa, (libos_spawn_action_t){ .kind = LIBOS_SPAWN_CLOSE, .fd = fd });
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
    /* POSIX's dup2(fd, newfd) makes the child's newfd a copy of its fd. */
    return add_action(fa,
                      (libos_spawn_action_t){ .kind = LIBOS_SPAWN_DUP2, .fd = fd, .newfd = newfd });
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path,
                                     int flags, mode_t mode)
{
    char *copy = strdup(path);
    if (copy == NULL) {
        return ENOMEM;
    }
    int error = add_action(
        fa, (libos_spawn_action_t){
                .kind = LIBOS_SPAWN_OPEN, .fd = fd, .path = copy, .flags = flags, .mode = mode });
    if (error != 0) {
        free(copy);
    }
    return error;
}

int posix_spawnattr_init(posix_spawnattr_t *attr)
{
    *attr = calloc(1, sizeof(**attr));
    return *attr != NULL ? 0 : ENOMEM;
}

int posix_spawnattr_destroy(posix_spawnattr_t *attr)
{
    free(*attr);
    *attr = NULL;
    return 0;
}

int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)
{
    if ((flags & ~SPAWN_FLAGS_KNOWN) != 0) {
        return EINVAL;
    }
    (*attr)->flags = flags;
    return 0;
}

int posix_spawnattr_getflags(const posix_spawnattr_t *attr, short *flags)
{
    *flags = (*attr)->flags;
    return 0;
}

int posix_spawnattr_setpgroup(posix_spawnattr_t *attr, pid_t pgroup)
{
    (*attr)->pgroup = pgroup;
    return 0;
}

int posix_spawnattr_getpgroup(const posix_spawnattr_t *attr, pid_t *pgroup)
{
    *pgroup = (*attr)->pgroup;
    return 0;
}

static int open_for_child(void *arg, const char *path, int flags, mode_t mode)
{
    (void)arg;
    int fd = open(path, flags, mode);
    return fd >= 0 ? fd : -errno;
}

/* One spawn request: path, argv, envp, the map, back to back in the
 * window (the map 4-byte aligned). */
static int spawn_packed(seL4_CPtr pm, const char *path, char *const argv[], char *const envp[],
                        const libos_fdmap_t *map, int64_t pgid, pid_t *pid)
{
    const libos_env_t *env = libos();
    long path_length = libos_put_path(0, path);
    if (path_length < 0) {
        return errno;
    }
    size_t at = (size_t)path_length;
    long argv_length = libos_pack_strings((char *)env->window + at, env->window_size - at, argv);
    if (argv_length <= 0) {
        return argv_length == 0 ? EINVAL : E2BIG; /* argv[0] is required */
    }
    at += (size_t)argv_length;
    long envp_length = libos_pack_strings((char *)env->window + at, env->window_size - at, envp);
    if (envp_length < 0) {
        return E2BIG;
    }
    size_t map_at = (at + (size_t)envp_length + 3) & ~(size_t)3;
    size_t map_length = map->length * sizeof(int32_t);
    if (map_at > env->window_size || map_length > env->window_size - map_at) {
        return E2BIG;
    }
    libos_fdmap_encode(map, env->window + map_at);
    long r = pm_spawn(pm, 0, (uint64_t)path_length, (uint64_t)path_length, (uint64_t)argv_length,
                      at, (uint64_t)envp_length, map_at, map_length, pgid);
    if (r < 0) {
        return (int)-r;
    }
    if (pid != NULL) {
        *pid = (pid_t)r;
    }
    return 0;
}

/* What posix_spawn and posix_spawnp share: the map, the group, and
 * closing what was opened for the child once pm has the request. */
typedef struct spawn_request {
    seL4_CPtr pm;
    pid_t *pid;
    char *const *argv;
    char *const *envp;
    libos_fdmap_t map;
    int64_t pgid;
} spawn_request_t;

static int prepare(spawn_request_t *req, const posix_spawn_file_actions_t *fa,
                   const posix_spawnattr_t *attr)
{
    req->pm = libos_pm();
    if (req->pm == 0) {
        return ENOSYS;
    }
    req->pgid = -1;
    if (attr != NULL && ((*attr)->flags & POSIX_SPAWN_SETPGROUP) != 0) {
        req->pgid = (*attr)->pgroup;
    }
    const libos_spawn_action_t *actions = fa != NULL ? (*fa)->actions : NULL;
    size_t count = fa != NULL ? (*fa)->count : 0;
    return libos_fdmap_build(actions, count, open_for_child, NULL, &req->map);
}

static void finish(spawn_request_t *req)
{
    for (size_t i = 0; i < req->map.nopened; i++) {
        close(req->map.opened[i]);
    }
}

static int try_spawn(void *arg, const char *path)
{
    spawn_request_t *req = arg;
    return spawn_packed(req->pm, path, req->argv, req->envp, &req->map, req->pgid, req->pid);
}

extern char **environ;

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    spawn_request_t req = { .pid = pid, .argv = argv, .envp = envp != NULL ? envp : environ };
    int error = prepare(&req, fa, attr);
    if (error == 0) {
        error = try_spawn(&req, path);
    }
    finish(&req);
    return error;
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    spawn_request_t req = { .pid = pid, .argv = argv, .envp = envp != NULL ? envp : environ };
    int error = prepare(&req, fa, attr);
    if (error == 0) {
        const char *path_list = getenv("PATH");
        char candidate[PM_PATH_MAX + 1];
        error = libos_path_search(file, path_list != NULL ? path_list : "/bin", candidate,
                                  sizeof(candidate), try_spawn, &req);
    }
    finish(&req);
    return error;
}
