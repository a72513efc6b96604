/* /bin/hostile [N [SEED]]: an ordinary program that attacks every server
 * it can reach -- pm, vfs and rs, the endpoints pm gives every program
 * (the timer's and the rtc's only client is pm, over driver channels:
 * programs have no capability to them) -- with N malformed requests each, from a PRNG with a fixed
 * seed (default N 2000, SEED 1; docs/os.md "Hostile programs").
 *
 * Each request is sent with a raw seL4_Call, so that no check of libos
 * filters it: unknown labels (the generated dispatch answers -ENOSYS), a
 * known method with a wrong length (-EINVAL), arguments out of their
 * declared range (-EINVAL), descriptors that are not open (-EBADF), buffers
 * and paths outside the data window, paths too long or with a NUL inside
 * (-EINVAL), paths that cannot be walked (-ENOENT, -ENOTDIR,
 * -ENAMETOOLONG), requests the handler refuses (-EROFS, -EEXIST, -EPERM,
 * ...), vfs's methods for pm only (-EPERM), and extra caps on a quarter of
 * them: cptrs of its own CNode, which the kernel resolves (another cptr
 * would be a capability fault of the sender, as in seL4), then drops,
 * because the program's endpoint caps have no Grant right; the server sees
 * the request without them. Every
 * answer must be the errno named for the request (hostile_*.c).
 *
 * Excluded, because they would legitimately succeed and change the system
 * or the program, or block: anything that would kill, stop or halt (exit,
 * kill of itself or its group, halt; a kill of another process is sent
 * only where pm must refuse it), a spawn that would start a program, sbrk
 * that fits, signal and setpgid that would change its own state, reads of
 * the console or of its own pipe and writes to them, close/dup2 of its
 * descriptors, chdir, tcsetpgrp of the console, a valid open, mkdir, rmdir,
 * unlink or rename, a valid sleep (it waits), valid rs queries. A failed
 * sbrk past the quota maps pages up to it (pm keeps them): the program uses
 * no heap.
 *
 * After every batch it checks that every server still answers a valid
 * request correctly (getpid, a stat of /bin/sh, rs list); at
 * the end that pm's free memory (with its own use) and vfs's next
 * descriptor are what they were. Prints per server
 * `hostile: NAME: N requests, N errors, server answers: ok` and
 * `hostile: all servers answer`; exit status 0 when every answer was the
 * expected one, 1 otherwise, 2 for a usage error. */
#include "hostile.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm.h>
#include <keel/proto/rs.h>
#include <keel/proto/vfs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 100        /* requests to each server between two checks */
#define REPORTS_MAX 5    /* unexpected answers printed per server */
#define MSG_WORDS 120    /* seL4_MsgMaxLength: what the IPC buffer holds */
#define WINDOW_MIN 32768 /* where hostile_pm.c places a spawn's arguments */
#define CNODE_SLOTS 64   /* a program's CNode (pm's PM_CNODE_BITS): its cptrs */

typedef struct server {
    const char *name; /* also its endpoint's name in the start page */
    const method_t *methods;
    const size_t *nmethods;
    void (*request)(hostile_t *h, request_t *r);
    bool (*answers)(hostile_t *h, seL4_CPtr ep);
    seL4_CPtr ep;
    unsigned long sent, errors, unexpected;
    unsigned long mutated, mutated_refused; /* mutated valid requests, refused ones */
    bool alive;
} server_t;

static const keel_startinfo_t *start_page(void)
{
    return (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
}

static seL4_CPtr endpoint(const char *name)
{
    const keel_startcap_t *e = keel_startinfo_find(start_page(), name);
    return e != NULL && e->kind == KEEL_CAP_ENDPOINT ? e->cptr : 0;
}

/* --- valid requests: does a server still answer? ----------------------- */

static bool pm_answers(hostile_t *h, seL4_CPtr ep)
{
    uint64_t total = 0, free = 0, quota = 0, used = 0;
    return pm_getpid(ep) == h->pid && pm_meminfo(ep, &total, &free, &quota, &used) == 0 &&
           free <= total && used <= quota;
}

static bool vfs_answers(hostile_t *h, seL4_CPtr ep)
{
    memcpy(h->window, "/bin/sh", 7);
    uint64_t mode = 0, size = 0, ino = 0, dev = 0, nlink = 0;
    int64_t mtime = 0;
    return vfs_stat(ep, 0, 7, &mode, &size, &ino, &dev, &nlink, &mtime) == 0 &&
           mode >> 12 == VFS_TYPE_REG && size > 0 && nlink == 1;
}

static bool rs_answers(hostile_t *h, seL4_CPtr ep)
{
    (void)h;
    char name[KEEL_PROTO_NAME_BYTES] = "";
    uint64_t state = 0, priority = 0, quota = 0, faults = 0, restarts = 0, uptime = 0, last = 0;
    long count =
        rs_list(ep, 0, name, &state, &priority, &quota, &faults, &restarts, &uptime, &last);
    return count > 0 && name[0] != '\0' && state == RS_STATE_RUNNING && faults == 0;
}

static server_t servers[] = {
    { "pm", pm_methods, &pm_nmethods, pm_request, pm_answers, 0, 0, 0, 0, 0, 0, true },
    { "vfs", vfs_methods, &vfs_nmethods, vfs_request, vfs_answers, 0, 0, 0, 0, 0, 0, true },
    { "rs", rs_methods, &rs_nmethods, rs_request, rs_answers, 0, 0, 0, 0, 0, 0, true },
};
#define NSERVERS (sizeof(servers) / sizeof(servers[0]))

/* --- one request --------------------------------------------------------- */

static void generate(hostile_t *h, const server_t *s, request_t *r)
{
    for (unsigned i = 0; i < REQUEST_WORDS_MAX; i++) {
        r->mr[i] = rng_next(h);
    }
    r->caps = 0;
    if (rng_one_in(h, 3)) {
        generic_request(h, r, s->methods, *s->nmethods);
    } else {
        s->request(h, r);
    }
    if (rng_one_in(h, 4)) {
        r->caps = 1 + (unsigned)rng_below(h, 3);
        for (unsigned c = 0; c < r->caps; c++) {
            /* its own fixed caps and grants, or any slot of its CNode: a
             * cptr that does not resolve is the caller's own cap fault */
            r->cap[c] = rng_below(h, rng_one_in(h, 2) ? KEEL_SLOT_FIRST_FREE + 8 : CNODE_SLOTS);
        }
    }
}

/* Send r; the answer's MR0, or a positive value for an answer that is no
 * reply of the protocol (label, length). */
static long send(seL4_CPtr ep, const request_t *r)
{
    for (unsigned i = 0; i < r->words && i < MSG_WORDS; i++) {
        seL4_SetMR((int)i, r->mr[i]);
    }
    for (unsigned c = 0; c < r->caps; c++) {
        seL4_SetCap((int)c, r->cap[c]);
    }
    seL4_Word unwrapped = r->caps != 0 ? r->mr[0] & 7 : 0; /* the kernel sets its own */
    seL4_MessageInfo_t info =
        seL4_Call(ep, seL4_MessageInfo_new(r->label, unwrapped, r->caps, r->words));
    if (seL4_MessageInfo_get_label(info) != 0 || seL4_MessageInfo_get_length(info) < 1) {
        return LONG_MAX;
    }
    return (long)seL4_GetMR(0);
}

static void report(const server_t *s, const request_t *r, long got)
{
    if (r->expect == EXPECT_ANY) {
        printf("hostile: %s: mutated request %lu (%s; label %lu, %u words, %u caps): got %ld, "
               "not an answer of the protocol\n",
               s->name, s->mutated, r->what, (unsigned long)r->label, r->words, r->caps, got);
        return;
    }
    printf("hostile: %s: request %lu (%s; label %lu, %u words, %u caps): expected %ld (%s), "
           "got %ld\n",
           s->name, s->sent, r->what, (unsigned long)r->label, r->words, r->caps, r->expect,
           strerror((int)-r->expect), got);
}

static void attack(hostile_t *h, server_t *s, unsigned long count)
{
    request_t r;
    for (unsigned long i = 0; i < count; i++) {
        generate(h, s, &r);
        long got = send(s->ep, &r);
        s->sent++;
        s->errors += got < 0;
        if (got != r.expect && s->unexpected++ < REPORTS_MAX) {
            report(s, &r, got);
        }
    }
}

/* Mutated valid requests (hostile_mutate.c): any answer of the protocol
 * is right, none is wrong but one that is no answer. */
static void attack_mutated(hostile_t *h, server_t *s, unsigned long count)
{
    request_t r;
    for (unsigned long i = 0; i < count; i++) {
        mutated_request(h, s->name, &r);
        long got = send(s->ep, &r);
        s->mutated++;
        s->mutated_refused += got < 0;
        if ((got == LONG_MAX || got < -4095) && s->unexpected++ < REPORTS_MAX) {
            report(s, &r, got);
        }
    }
}

/* --- the process as it starts -------------------------------------------- */

/* pm's process table now: kill, setpgid and getpgid aim at what is not
 * there, or at what the program may not touch. */
static void snapshot(hostile_t *h, seL4_CPtr pm)
{
    h->live = 0;
    for (int64_t pid = 1; h->live < 32;) {
        int64_t ppid = 0, pgid = 0;
        uint64_t state = 0, memory = 0;
        char name[KEEL_PROTO_NAME_BYTES];
        long found = pm_procinfo(pm, pid, &ppid, &pgid, &state, &memory, name);
        if (found < 0) {
            break;
        }
        h->live_pid[h->live] = found;
        h->live_pgid[h->live] = pgid;
        h->live_zombie[h->live] = state == PM_STATE_ZOMBIE;
        h->live++;
        pid = found + 1;
    }
}

static bool find_window(hostile_t *h)
{
    const keel_startcap_t *data = keel_startinfo_find(start_page(), "data");
    if (data == NULL || data->kind != KEEL_CAP_REGION || data->size < WINDOW_MIN) {
        printf("hostile: no data window of %d bytes in the start page\n", WINDOW_MIN);
        return false;
    }
    h->window = (unsigned char *)data->vaddr;
    h->window_size = data->size;
    return true;
}

/* The descriptors the requests use, and which ones are open. */
static bool open_descriptors(hostile_t *h, seL4_CPtr vfs)
{
    int p[2];
    h->fd_file = open("/bin/sh", O_RDONLY);
    h->fd_dir = open("/", O_RDONLY | O_DIRECTORY);
    if (h->fd_file < 0 || h->fd_dir < 0 || pipe(p) != 0) {
        perror("hostile: open /bin/sh, / or a pipe");
        return false;
    }
    h->fd_pipe_read = p[0];
    h->fd_pipe_write = p[1];
    struct stat tmp;
    h->disk = stat("/tmp", &tmp) == 0 && tmp.st_dev == 3; /* the disk's device number */
    h->open_fds = 0;
    for (int64_t fd = 0; fd <= VFS_FD_MAX; fd++) {
        uint64_t mode, size, ino, dev, nlink;
        int64_t mtime;
        if (vfs_fstat(vfs, fd, &mode, &size, &ino, &dev, &nlink, &mtime) == 0) {
            h->open_fds |= (uint64_t)1 << fd;
        }
    }
    return true;
}

/* What must be the same at the end: pm's free memory with the program's
 * own use (a failed sbrk may map pages of its quota), and the descriptor
 * vfs gives next. */
typedef struct resources {
    uint64_t memory;
    long next_fd;
} resources_t;

static resources_t resources(hostile_t *h)
{
    resources_t res = { 0, -1 };
    uint64_t total, free, quota, used;
    if (pm_meminfo(servers[0].ep, &total, &free, &quota, &used) == 0) {
        res.memory = free + used;
    }
    memcpy(h->window, "/bin/sh", 7);
    res.next_fd = vfs_open(servers[1].ep, 0, 7, VFS_O_RDONLY, 0);
    if (res.next_fd >= 0) {
        vfs_close(servers[1].ep, res.next_fd);
    }
    return res;
}

static bool setup(hostile_t *h)
{
    for (size_t i = 0; i < NSERVERS; i++) {
        servers[i].ep = endpoint(servers[i].name);
        if (servers[i].ep == 0) {
            printf("hostile: %s: no endpoint in the start page\n", servers[i].name);
            return false;
        }
    }
    if (keel_startinfo_find(start_page(), "timer") == NULL &&
        keel_startinfo_find(start_page(), "rtc") == NULL) {
        printf("hostile: timer, rtc: not reachable (pm is the drivers' only client)\n");
    }
    h->pid = (int64_t)start_page()->pid;
    h->pgid = pm_getpgid(servers[0].ep, 0);
    return h->pgid > 0 && find_window(h) && open_descriptors(h, servers[1].ep);
}

/* --- the attack ---------------------------------------------------------- */

static void check_servers(hostile_t *h, unsigned long batch)
{
    for (size_t i = 0; i < NSERVERS; i++) {
        server_t *s = &servers[i];
        if (s->alive && !s->answers(h, s->ep)) {
            printf("hostile: %s: a valid request failed after batch %lu\n", s->name, batch);
            s->alive = false;
        }
    }
}

static void run(hostile_t *h, unsigned long n)
{
    for (unsigned long done = 0, batch = 1; done < n; batch++) {
        unsigned long count = n - done < BATCH ? n - done : BATCH;
        snapshot(h, servers[0].ep);
        for (size_t i = 0; i < NSERVERS; i++) {
            attack(h, &servers[i], count);
            attack_mutated(h, &servers[i], count / 2);
        }
        done += count;
        check_servers(h, batch);
    }
}

static bool summary(const resources_t *before, const resources_t *after)
{
    bool ok = true;
    for (size_t i = 0; i < NSERVERS; i++) {
        const server_t *s = &servers[i];
        printf("hostile: %s: %lu requests, %lu errors, server answers: %s\n", s->name, s->sent,
               s->errors, s->alive ? "ok" : "FAILED");
        printf("hostile: %s: %lu mutated valid requests, %lu refused\n", s->name, s->mutated,
               s->mutated_refused);
        if (s->unexpected != 0) {
            printf("hostile: %s: %lu answers not the expected errno\n", s->name, s->unexpected);
        }
        ok &= s->alive && s->unexpected == 0;
    }
    bool same = before->memory == after->memory && before->next_fd == after->next_fd;
    printf("hostile: pm's free memory and vfs's next descriptor as before: %s\n",
           same ? "ok" : "FAILED");
    if (!same) {
        printf("hostile: memory %lu then %lu bytes, descriptor %ld then %ld\n",
               (unsigned long)before->memory, (unsigned long)after->memory, before->next_fd,
               after->next_fd);
    }
    bool all = true;
    for (size_t i = 0; i < NSERVERS; i++) {
        all &= servers[i].alive;
    }
    printf("hostile: %s\n", all ? "all servers answer" : "a server no longer answers");
    return ok && same;
}

static bool parse(int argc, char **argv, unsigned long *n, uint64_t *seed)
{
    char *end = NULL;
    if (argc > 3) {
        return false;
    }
    if (argc > 1) {
        *n = strtoul(argv[1], &end, 10);
        if (*end != '\0' || *n == 0) {
            return false;
        }
    }
    if (argc > 2) {
        *seed = strtoull(argv[2], &end, 0);
        if (*end != '\0') {
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    unsigned long n = 2000;
    uint64_t seed = 1;
    if (!parse(argc, argv, &n, &seed)) {
        fprintf(stderr, "usage: hostile [REQUESTS [SEED]]\n");
        return 2;
    }
    static hostile_t h;
    h.rng = seed;
    if (!setup(&h)) {
        return 1;
    }
    printf("hostile: %lu requests to each server, seed %llu\n", n, (unsigned long long)seed);
    resources_t before = resources(&h);
    run(&h, n);
    bool waits = unanswered_requests(&h, servers[1].ep);
    resources_t after = resources(&h);
    return summary(&before, &after) && waits ? 0 : 1;
}
