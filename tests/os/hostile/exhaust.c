/* /bin/exhaust MODE [ARGS]: programs that exhaust a resource of the system
 * (tests/os/hostile/exhaust.script, os.exhaust; docs/reliability.md
 * "Resource exhaustion"). Each offender says what refused it, with the
 * errno; the shell stays usable meanwhile, and `exhaust same` checks that
 * everything came back once the offender ended.
 *
 *   snap FILE        the figures (below) into FILE
 *   same FILE        the figures again: `exhaust: figures as before: ok`,
 *                    or each that differs and status 1
 *   ping             /bin/true started and waited for, and a stat: how long
 *   spawnbomb HOLD   spawns of itself whose children spawn too, until pm
 *                    refuses; every process holds HOLD seconds, waits for
 *                    its children and ends
 *   alloc HOLD       mallocs 64 KiB blocks, touching each page, until malloc
 *                    fails; then holds the memory HOLD seconds
 *   fds HOLD         opens /dev/null, then pipes, then sockets until
 *                    refused (one process: EMFILE); then children that
 *                    each open /dev/null until refused, until vfs's table
 *                    of open files is full (ENFILE), held HOLD seconds
 *   flood SERVER S   requests to SERVER (pm: getpid; vfs: stat; vfs-send:
 *                    vfs's usage sent without Call, nobody waits for the
 *                    answer) as fast as it can for S seconds
 *   silent HOLD      children that leave a request waiting at vfs and never
 *                    do their part: a read of an empty pipe, a write into a
 *                    full one, a poll without timeout, a recvfrom and an
 *                    accept nobody will answer; the parent holds HOLD
 *                    seconds and then ends (its children stay until killed)
 *
 * The figures: pm's free memory (meminfo), the processes pm lists
 * (procinfo), and vfs's usage: the processes it knows, open files, pipes,
 * waiting requests and their reply slots.
 *
 * Calls: posix_spawn, waitpid, open, close, read, write, pipe, poll,
 * socket, bind, listen, accept, recvfrom, stat, malloc, sleep,
 * clock_gettime, and pm's and vfs's generated calls. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm.h>
#include <keel/proto/vfs.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SELF "/bin/exhaust"
#define KIDS_MAX 64
#define BLOCK (64u << 10)
#define PAGE 4096u
#define SILENT_PORT 7411

extern char **environ;

static seL4_CPtr endpoint(const char *name)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    const keel_startcap_t *c = keel_startinfo_find(si, name);
    return c == NULL ? 0 : c->cptr;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* errno through volatile accesses (as hog.c: malloc is taken for a
 * function that touches no memory the program sees). */
static void clear_errno(void)
{
    *(volatile int *)&errno = 0;
}

static int read_errno(void)
{
    return *(volatile int *)&errno;
}

static const char *errname(int e)
{
    switch (e) {
    case 0:
        return "none";
    case EAGAIN:
        return "EAGAIN";
    case ENOMEM:
        return "ENOMEM";
    case EMFILE:
        return "EMFILE";
    case ENFILE:
        return "ENFILE";
    case ENOBUFS:
        return "ENOBUFS";
    case ENOSPC:
        return "ENOSPC";
    default:
        return strerror(e);
    }
}

/* ---- the figures ---- */

enum { F_FREE, F_PROCS, F_VFS_PROCS, F_OFILES, F_PIPES, F_WAITERS, F_REPLIES, F_COUNT };
static const char *const figure_names[F_COUNT] = {
    "pm free KiB", "pm processes", "vfs processes",   "vfs open files",
    "vfs pipes",   "vfs waiting",  "vfs reply slots",
};

static int pm_processes(seL4_CPtr pm)
{
    int n = 0;
    int64_t pid = 1, ppid, pgid;
    uint64_t state, memory;
    char name[32];
    for (;;) {
        long r = pm_procinfo(pm, pid, &ppid, &pgid, &state, &memory, name);
        if (r <= 0) {
            return n;
        }
        n++;
        pid = r + 1;
    }
}

/* The figures, or false if a server does not answer. Taken before the
 * program mallocs or prints anything, so that its own use of pm's memory
 * is the same in `snap` and `same`. */
static bool figures(uint64_t f[F_COUNT])
{
    seL4_CPtr pm = endpoint("pm"), vfs = endpoint("vfs");
    uint64_t total, quota, used;
    if (pm == 0 || vfs == 0 || pm_meminfo(pm, &total, &f[F_FREE], &quota, &used) < 0) {
        return false;
    }
    f[F_FREE] >>= 10;
    f[F_PROCS] = (uint64_t)pm_processes(pm);
    return vfs_usage(vfs, &f[F_VFS_PROCS], &f[F_OFILES], &f[F_PIPES], &f[F_WAITERS],
                     &f[F_REPLIES]) == 0;
}

static int snap(const char *path, bool compare)
{
    uint64_t f[F_COUNT], was[F_COUNT];
    if (!figures(f)) {
        fprintf(stderr, "exhaust: pm or vfs does not answer\n");
        return 1;
    }
    int fd = open(path, compare ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "exhaust: %s: %s\n", path, strerror(errno));
        return 1;
    }
    ssize_t n = compare ? read(fd, was, sizeof(was)) : write(fd, f, sizeof(f));
    close(fd);
    if (n != (ssize_t)sizeof(f)) {
        fprintf(stderr, "exhaust: %s: short %s\n", path, compare ? "read" : "write");
        return 1;
    }
    printf("exhaust: figures:");
    for (int i = 0; i < F_COUNT; i++) {
        printf("%s %s %lu", i == 0 ? "" : ",", figure_names[i], (unsigned long)f[i]);
    }
    printf("\n");
    if (!compare) {
        return 0;
    }
    int differ = 0;
    for (int i = 0; i < F_COUNT; i++) {
        if (f[i] != was[i]) {
            printf("exhaust: %s was %lu, now %lu\n", figure_names[i], (unsigned long)was[i],
                   (unsigned long)f[i]);
            differ++;
        }
    }
    printf("exhaust: figures as before: %s\n", differ == 0 ? "ok" : "FAILED");
    return differ == 0 ? 0 : 1;
}

/* ---- ping: is the system answering, and how fast ---- */

static int ping(void)
{
    uint64_t t0 = now_ms();
    pid_t pid;
    char *args[] = { "true", NULL };
    int err = posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ);
    int status = -1;
    if (err == 0 && waitpid(pid, &status, 0) != pid) {
        err = errno;
    }
    uint64_t t1 = now_ms();
    struct stat st;
    int stat_err = stat("/dev/null", &st) == 0 ? 0 : errno;
    uint64_t t2 = now_ms();
    if (err != 0 || stat_err != 0) {
        printf("exhaust: ping: spawn %s, stat %s\n", errname(err), errname(stat_err));
        return 1;
    }
    printf("exhaust: ping: /bin/true started and ended in %lu ms, a stat in %lu ms\n",
           (unsigned long)(t1 - t0), (unsigned long)(t2 - t1));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* ---- spawnbomb ---- */

typedef struct record {
    int32_t count; /* what the process got: spawns, descriptors */
    int32_t error; /* the errno that refused the next one */
} record_t;

static void wait_all(const pid_t *kids, int n)
{
    for (int i = 0; i < n; i++) {
        int status;
        waitpid(kids[i], &status, 0);
    }
}

/* Spawn copies of this program until pm refuses; write the record to
 * `out`; hold; wait for the children. Returns how many it spawned. */
static int bomb_step(int hold, int out, pid_t *kids, int *error)
{
    char holds[16], outs[16];
    snprintf(holds, sizeof(holds), "%d", hold);
    snprintf(outs, sizeof(outs), "%d", out);
    char *args[] = { "exhaust", "bomb-child", holds, outs, NULL };
    int n = 0;
    *error = 0;
    while (n < KIDS_MAX) {
        int err = posix_spawn(&kids[n], SELF, NULL, NULL, args, environ);
        if (err != 0) {
            *error = err;
            break;
        }
        n++;
    }
    return n;
}

static int bomb_child(int hold, int out)
{
    pid_t kids[KIDS_MAX];
    int error;
    int n = bomb_step(hold, out, kids, &error);
    record_t r = { n, error };
    if (write(out, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
        return 1;
    }
    sleep((unsigned)hold);
    wait_all(kids, n);
    return 0;
}

static int spawnbomb(int hold)
{
    int p[2];
    if (pipe(p) != 0) {
        perror("exhaust: pipe");
        return 1;
    }
    uint64_t t0 = now_ms();
    pid_t kids[KIDS_MAX];
    int error;
    int n = bomb_step(hold, p[1], kids, &error);
    int processes = 1 + n, records = 0, refused[3] = { 0, 0, 0 }; /* EAGAIN, ENOMEM, other */
    refused[error == EAGAIN ? 0 : error == ENOMEM ? 1 : 2]++;
    while (records < processes - 1) {
        record_t r;
        if (read(p[0], &r, sizeof(r)) != (ssize_t)sizeof(r)) {
            perror("exhaust: spawnbomb: read");
            return 1;
        }
        records++;
        processes += r.count;
        refused[r.error == EAGAIN ? 0 : r.error == ENOMEM ? 1 : 2]++;
    }
    uint64_t t1 = now_ms();
    int listed = pm_processes(endpoint("pm"));
    printf("exhaust: spawnbomb: %d processes in %lu ms, pm lists %d; refused: EAGAIN %d, ENOMEM "
           "%d, other %d\n",
           processes, (unsigned long)(t1 - t0), listed, refused[0], refused[1], refused[2]);
    fflush(stdout);
    sleep((unsigned)hold);
    wait_all(kids, n);
    printf("exhaust: spawnbomb: all %d ended\n", processes);
    return 0;
}

/* ---- alloc ---- */

static int alloc(int hold)
{
    size_t blocks = 0;
    clear_errno();
    for (;;) {
        unsigned char *b = malloc(BLOCK);
        if (b == NULL) {
            break;
        }
        for (size_t at = 0; at < BLOCK; at += PAGE) {
            ((volatile unsigned char *)b)[at] = 1;
        }
        blocks++;
    }
    int error = read_errno();
    uint64_t total = 0, free = 0, quota = 0, used = 0;
    pm_meminfo(endpoint("pm"), &total, &free, &quota, &used);
    printf("exhaust: alloc: got %zu KiB, then %s; pm's free memory %lu KiB\n",
           blocks * (BLOCK >> 10), errname(error), (unsigned long)(free >> 10));
    fflush(stdout);
    sleep((unsigned)hold);
    return 0;
}

/* ---- fds ---- */

/* Descriptors of one kind until refused: how many, and the errno. */
static int open_until(int kind, int *fds, int max, int *error)
{
    int n = 0;
    *error = 0;
    while (n < max) {
        int r;
        if (kind == 0) {
            r = open("/dev/null", O_RDONLY);
        } else if (kind == 1) {
            int p[2];
            r = pipe(p);
            if (r == 0) {
                fds[n++] = p[0];
                r = p[1];
            }
        } else {
            r = socket(AF_INET, SOCK_DGRAM, 0);
        }
        if (r < 0) {
            *error = errno;
            break;
        }
        fds[n++] = r;
    }
    return n;
}

static void close_all(const int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        close(fds[i]);
    }
}

static int fds_child(int out, int release)
{
    int fds[VFS_FD_MAX + 1], error;
    int n = open_until(0, fds, VFS_FD_MAX + 1, &error);
    record_t r = { n, error };
    if (write(out, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
        return 1;
    }
    char c;
    while (read(release, &c, 1) > 0) {
    }
    close_all(fds, n);
    return 0;
}

static int fds(int hold)
{
    static const char *const kinds[3] = { "/dev/null", "pipe ends", "sockets" };
    int fds[VFS_FD_MAX + 1], error, status = 0;
    for (int kind = 0; kind < 3; kind++) {
        int n = open_until(kind, fds, VFS_FD_MAX + 1, &error);
        printf("exhaust: fds: %d %s, then %s\n", n, kinds[kind], errname(error));
        close_all(fds, n);
        status |= error != EMFILE && error != ENFILE;
    }
    /* The whole system's table: children that open until refused. */
    int rec[2], rel[2];
    if (pipe(rec) != 0 || pipe(rel) != 0) {
        perror("exhaust: pipe");
        return 1;
    }
    char recs[16], rels[16];
    snprintf(recs, sizeof(recs), "%d", rec[1]);
    snprintf(rels, sizeof(rels), "%d", rel[0]);
    char *args[] = { "exhaust", "fds-child", recs, rels, NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclose(&fa, rec[0]);
    posix_spawn_file_actions_addclose(&fa, rel[1]);
    pid_t kids[16];
    int n = 0, total = 0, last = 0, spawn_error = 0;
    while (n < 16) {
        int err = posix_spawn(&kids[n], SELF, &fa, NULL, args, environ);
        if (err != 0) {
            spawn_error = err;
            break;
        }
        n++;
        record_t r;
        if (read(rec[0], &r, sizeof(r)) != (ssize_t)sizeof(r)) {
            perror("exhaust: fds: read");
            return 1;
        }
        total += r.count;
        last = r.error;
        if (r.error != EMFILE) {
            break;
        }
    }
    posix_spawn_file_actions_destroy(&fa);
    uint64_t procs, ofiles, pipes, waiters, replies;
    vfs_usage(endpoint("vfs"), &procs, &ofiles, &pipes, &waiters, &replies);
    printf("exhaust: fds: %d children opened %d, then %s%s%s; vfs: %lu open files\n", n, total,
           errname(last), spawn_error ? "; spawn: " : "", spawn_error ? errname(spawn_error) : "",
           (unsigned long)ofiles);
    fflush(stdout);
    sleep((unsigned)hold);
    close(rel[1]);
    wait_all(kids, n);
    close(rel[0]);
    close(rec[0]);
    close(rec[1]);
    printf("exhaust: fds: released\n");
    return status | (last != ENFILE);
}

/* ---- flood ---- */

static int flood(const char *server, int seconds)
{
    seL4_CPtr pm = endpoint("pm"), vfs = endpoint("vfs");
    int kind = strcmp(server, "pm") == 0         ? 0
               : strcmp(server, "vfs") == 0      ? 1
               : strcmp(server, "vfs-send") == 0 ? 2
                                                 : -1;
    if (kind < 0) {
        fprintf(stderr, "exhaust: flood pm|vfs|vfs-send SECONDS\n");
        return 2;
    }
    uint64_t end = now_ms() + (uint64_t)seconds * 1000, count = 0, errors = 0;
    struct stat st;
    while (now_ms() < end) {
        for (int i = 0; i < 100; i++) {
            if (kind == 0) {
                errors += pm_getpid(pm) <= 0;
            } else if (kind == 1) {
                errors += stat("/dev/null", &st) != 0;
            } else {
                seL4_Send(vfs, seL4_MessageInfo_new(VFS_USAGE, 0, 0, 0));
            }
        }
        count += 100;
    }
    printf("exhaust: flood %s: %lu requests in %d s, %lu failed\n", server, (unsigned long)count,
           seconds, (unsigned long)errors);
    return errors != 0;
}

/* ---- silent ---- */

static uint64_t vfs_waiting(void)
{
    uint64_t procs, ofiles, pipes, waiters = 0, replies;
    vfs_usage(endpoint("vfs"), &procs, &ofiles, &pipes, &waiters, &replies);
    return waiters;
}

/* What each silent child does: a request vfs keeps waiting. */
static int silent_child(const char *how, int fd)
{
    char buf[64];
    if (strcmp(how, "read") == 0) {
        return (int)read(fd, buf, sizeof(buf));
    }
    if (strcmp(how, "write") == 0) {
        return (int)write(fd, buf, sizeof(buf));
    }
    if (strcmp(how, "poll") == 0) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        return poll(&p, 1, -1);
    }
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons(SILENT_PORT),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    bool tcp = strcmp(how, "accept") == 0;
    int s = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 || (tcp && listen(s, 1) != 0)) {
        printf("exhaust: silent: %s: %s\n", how, strerror(errno));
        return 1;
    }
    return tcp ? accept(s, NULL, NULL) : (int)recvfrom(s, buf, sizeof(buf), 0, NULL, NULL);
}

static int silent(int hold)
{
    static const char *const hows[] = { "read", "write", "poll", "recvfrom", "accept" };
    enum { HOWS = sizeof(hows) / sizeof(hows[0]) };
    int empty[2], full[2];
    if (pipe(empty) != 0 || pipe(full) != 0) {
        perror("exhaust: pipe");
        return 1;
    }
    fcntl(full[1], F_SETFL, O_NONBLOCK);
    char fill[512];
    memset(fill, 'x', sizeof(fill));
    while (write(full[1], fill, sizeof(fill)) > 0) {
    }
    fcntl(full[1], F_SETFL, 0); /* the open file is shared: its writer child must wait */
    uint64_t before = vfs_waiting();
    pid_t kids[HOWS];
    for (int i = 0; i < HOWS; i++) {
        char fds[16];
        snprintf(fds, sizeof(fds), "%d", i == 1 ? full[1] : empty[0]);
        char *args[] = { "exhaust", "silent-child", (char *)hows[i], fds, NULL };
        int err = posix_spawn(&kids[i], SELF, NULL, NULL, args, environ);
        if (err != 0) {
            printf("exhaust: silent: spawn: %s\n", errname(err));
            return 1;
        }
    }
    /* Until every child's request waits at vfs (5 s at most). */
    uint64_t end = now_ms() + 5000, waiting = 0;
    while (now_ms() < end && (waiting = vfs_waiting() - before) < HOWS) {
        usleep(10000);
    }
    printf("exhaust: silent: %lu of %d requests waiting at vfs "
           "(a pipe read, a pipe write, a poll, a recvfrom, an accept)\n",
           (unsigned long)waiting, HOWS);
    fflush(stdout);
    sleep((unsigned)hold);
    return waiting == HOWS ? 0 : 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: exhaust snap|same FILE | ping | spawnbomb|alloc|fds|silent HOLD | "
                    "flood pm|vfs|vfs-send SECONDS\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        return usage();
    }
    const char *mode = argv[1];
    int arg = argc > 2 ? atoi(argv[2]) : 0;
    if ((strcmp(mode, "snap") == 0 || strcmp(mode, "same") == 0) && argc == 3) {
        return snap(argv[2], mode[1] == 'a');
    }
    if (strcmp(mode, "ping") == 0 && argc == 2) {
        return ping();
    }
    if (strcmp(mode, "spawnbomb") == 0 && argc == 3) {
        return spawnbomb(arg);
    }
    if (strcmp(mode, "bomb-child") == 0 && argc == 4) {
        return bomb_child(arg, atoi(argv[3]));
    }
    if (strcmp(mode, "alloc") == 0 && argc == 3) {
        return alloc(arg);
    }
    if (strcmp(mode, "fds") == 0 && argc == 3) {
        return fds(arg);
    }
    if (strcmp(mode, "fds-child") == 0 && argc == 4) {
        return fds_child(arg, atoi(argv[3]));
    }
    if (strcmp(mode, "flood") == 0 && argc == 4) {
        return flood(argv[2], atoi(argv[3]));
    }
    if (strcmp(mode, "silent") == 0 && argc == 3) {
        return silent(arg);
    }
    if (strcmp(mode, "silent-child") == 0 && argc == 4) {
        return silent_child(argv[2], atoi(argv[3]));
    }
    return usage();
}
