/* libos's plain logic on the host, under ASan and UBSan: results to errno,
 * open flags to the wire's, stat and time conversions (convert.c), the
 * packing of argv/envp and the descriptor map of a spawn, PATH search
 * (pack.c), and the getdents records of keel/os/dirent.h. The host's C
 * library stands in for picolibc: the code uses only the names. */
#include "convert.h"
#include "pack.h"

#include <errno.h>
#include <fcntl.h>
#include <harness.h>
#include <keel/os/dirent.h>
#include <keel/proto/vfs_defs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- convert.c --------------------------------------------------------------- */

TEST(result_sets_errno_for_negative_results)
{
    errno = 0;
    EXPECT_EQ(libos_result(7), 7);
    EXPECT_EQ(errno, 0);
    EXPECT_EQ(libos_result(0), 0);
    EXPECT_EQ(libos_result(-ENOENT), -1);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(libos_result(-EPIPE), -1);
    EXPECT_EQ(errno, EPIPE);
}

TEST(open_flags_translate_to_the_wire)
{
    uint64_t wire = 99;
    EXPECT_EQ(libos_open_flags(O_RDONLY, &wire), 0);
    EXPECT_EQ(wire, VFS_O_RDONLY);
    EXPECT_EQ(libos_open_flags(O_WRONLY | O_CREAT | O_TRUNC, &wire), 0);
    EXPECT_EQ(wire, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC);
    EXPECT_EQ(libos_open_flags(O_RDWR | O_APPEND | O_EXCL, &wire), 0);
    EXPECT_EQ(wire, VFS_O_RDWR | VFS_O_APPEND | VFS_O_EXCL);
    EXPECT_EQ(libos_open_flags(O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY, &wire), 0);
    EXPECT_EQ(wire, VFS_O_DIRECTORY);
    EXPECT_EQ(libos_open_flags(O_RDWR | O_NONBLOCK, &wire), 0);
    EXPECT_EQ(wire, VFS_O_RDWR | VFS_O_NONBLOCK);
    EXPECT_EQ(libos_flags_from_wire(VFS_O_RDWR | VFS_O_NONBLOCK), O_RDWR | O_NONBLOCK);
}

TEST(open_flags_reject_what_keel_lacks)
{
    uint64_t wire = 99;
    EXPECT_EQ(libos_open_flags(O_ACCMODE, &wire), EINVAL);
    EXPECT_EQ(libos_open_flags(O_RDONLY | 0x40000000, &wire), EINVAL); /* no such flag */
    EXPECT_EQ(wire, 99);                                               /* untouched on failure */
}

TEST(open_flags_accept_what_keel_does_anyway)
{
    /* writes are synchronous already; O_NOFOLLOW is open's own check */
    uint64_t plain = 0, wire = 0;
    EXPECT_EQ(libos_open_flags(O_WRONLY | O_CREAT, &plain), 0);
    EXPECT_EQ(libos_open_flags(O_WRONLY | O_CREAT | O_SYNC | O_DSYNC | O_NOFOLLOW, &wire), 0);
    EXPECT_EQ(wire, plain);
}

TEST(stat_fill)
{
    struct stat st;
    memset(&st, 0xa5, sizeof(st));
    libos_wire_stat_t w = {
        .mode = S_IFDIR | 0755, .size = 1000, .ino = 12, .dev = 3, .nlink = 2, .mtime = 1700000000
    };
    libos_stat_fill(&st, &w);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0755);
    EXPECT_EQ(st.st_size, 1000);
    EXPECT_EQ(st.st_ino, 12);
    EXPECT_EQ(st.st_dev, 3);
    EXPECT_EQ(st.st_nlink, 2);
    EXPECT_EQ(st.st_mtime, 1700000000);
    EXPECT_EQ(st.st_blocks, 2);
    EXPECT_EQ(st.st_uid, 0); /* the rest is zero, not left over */
    w.mode = (uint64_t)VFS_TYPE_REG << 12 | 0644;
    libos_stat_fill(&st, &w);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    w.mode = (uint64_t)VFS_TYPE_CHR << 12;
    libos_stat_fill(&st, &w);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    w.mode = (uint64_t)VFS_TYPE_FIFO << 12;
    libos_stat_fill(&st, &w);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(counter_to_timespec)
{
    struct timespec ts;
    libos_counter_to_timespec(62500000ull * 3 + 31250000, 62500000, &ts);
    EXPECT_EQ(ts.tv_sec, 3);
    EXPECT_EQ(ts.tv_nsec, 500000000);
    libos_counter_to_timespec(1, 1000000000, &ts);
    EXPECT_EQ(ts.tv_sec, 0);
    EXPECT_EQ(ts.tv_nsec, 1);
    /* The largest count at 1 GHz: no overflow on the way. */
    libos_counter_to_timespec(UINT64_MAX, 1000000000, &ts);
    EXPECT_EQ(ts.tv_sec, UINT64_MAX / 1000000000);
    EXPECT_EQ(ts.tv_nsec, UINT64_MAX % 1000000000);
    libos_counter_to_timespec(UINT64_MAX, 62500000, &ts);
    EXPECT_EQ(ts.tv_sec, UINT64_MAX / 62500000);
    EXPECT_EQ(ts.tv_nsec, (UINT64_MAX % 62500000) * 16);
}

TEST(realtime_adds_the_boot_time)
{
    struct timespec ts;
    libos_realtime(1700000000, 1000, 1000 + 62500000 * 2 + 625, 62500000, &ts);
    EXPECT_EQ(ts.tv_sec, 1700000002);
    EXPECT_EQ(ts.tv_nsec, 10000);
    libos_realtime(1700000000, 5000, 4000, 62500000, &ts); /* a counter behind */
    EXPECT_EQ(ts.tv_sec, 1700000000);
    EXPECT_EQ(ts.tv_nsec, 0);
}

TEST(sleep_times)
{
    uint64_t ns = 0;
    struct timespec ts = { .tv_sec = 1, .tv_nsec = 500000000 };
    EXPECT_EQ(libos_timespec_to_ns(&ts, &ns), 0);
    EXPECT_EQ(ns, 1500000000);
    ts = (struct timespec){ .tv_sec = 0, .tv_nsec = 999999999 };
    EXPECT_EQ(libos_timespec_to_ns(&ts, &ns), 0);
    EXPECT_EQ(ns, 999999999);
    ts = (struct timespec){ .tv_sec = 0, .tv_nsec = 1000000000 };
    EXPECT_EQ(libos_timespec_to_ns(&ts, &ns), EINVAL);
    ts = (struct timespec){ .tv_sec = 0, .tv_nsec = -1 };
    EXPECT_EQ(libos_timespec_to_ns(&ts, &ns), EINVAL);
    ts = (struct timespec){ .tv_sec = -1, .tv_nsec = 0 };
    EXPECT_EQ(libos_timespec_to_ns(&ts, &ns), EINVAL);
    ts = (struct timespec){ .tv_sec = INT64_MAX, .tv_nsec = 0 };
    EXPECT_EQ(libos_timespec_to_ns(&ts, &ns), 0);
    EXPECT_EQ(ns, LIBOS_SLEEP_MAX_NS);
}

/* --- pack.c ------------------------------------------------------------------- */

TEST(pack_strings)
{
    char out[16];
    char *argv[] = { "ls", "-l", "/bin", NULL };
    EXPECT_EQ(libos_pack_strings(out, sizeof(out), argv), 11);
    EXPECT_MEMEQ(out, "ls\0-l\0/bin\0", 11);
    char *empty[] = { NULL };
    EXPECT_EQ(libos_pack_strings(out, sizeof(out), empty), 0);
    EXPECT_EQ(libos_pack_strings(out, sizeof(out), NULL), 0);
    char *exact[] = { "0123456", "abcdefg", NULL }; /* 16 bytes exactly */
    EXPECT_EQ(libos_pack_strings(out, sizeof(out), exact), 16);
    char *over[] = { "0123456", "abcdefgh", NULL };
    EXPECT_EQ(libos_pack_strings(out, sizeof(out), over), -1);
    EXPECT_EQ(libos_pack_strings(out, 0, argv), -1);
}

/* An open for the child: hands out 10, 11, ... or fails for "/missing". */
static int opens;
static int fake_open(void *arg, const char *path, int flags, mode_t mode)
{
    (void)arg;
    (void)flags;
    (void)mode;
    if (strcmp(path, "/missing") == 0) {
        return -ENOENT;
    }
    return 10 + opens++;
}

TEST(fdmap_without_actions_inherits_everything)
{
    libos_fdmap_t map;
    EXPECT_EQ(libos_fdmap_build(NULL, 0, fake_open, NULL, &map), 0);
    EXPECT_EQ(map.length, 0);
    EXPECT_EQ(map.nopened, 0);
}

TEST(fdmap_of_a_pipeline_stage)
{
    /* sh for `a | b`: the child's 1 is the pipe's write end (parent fd 4),
     * both pipe ends closed in the child. */
    libos_spawn_action_t actions[] = {
        { .kind = LIBOS_SPAWN_DUP2, .fd = 4, .newfd = 1 },
        { .kind = LIBOS_SPAWN_CLOSE, .fd = 3 },
        { .kind = LIBOS_SPAWN_CLOSE, .fd = 4 },
    };
    libos_fdmap_t map;
    EXPECT_EQ(libos_fdmap_build(actions, 3, fake_open, NULL, &map), 0);
    ASSERT_EQ(map.length, 5);
    EXPECT_EQ(map.map[0], 0);
    EXPECT_EQ(map.map[1], 4);
    EXPECT_EQ(map.map[2], 2);
    EXPECT_EQ(map.map[3], -1);
    EXPECT_EQ(map.map[4], -1);
    unsigned char wire[5 * 4];
    libos_fdmap_encode(&map, wire);
    int32_t decoded[5];
    memcpy(decoded, wire, sizeof(decoded));
    EXPECT_EQ(decoded[1], 4);
    EXPECT_EQ(decoded[4], -1);
}

TEST(fdmap_open_for_the_child)
{
    /* `cmd > out 2>&1`: open out as the child's 1, then 2 a copy of it. */
    opens = 0;
    libos_spawn_action_t actions[] = {
        { .kind = LIBOS_SPAWN_OPEN, .fd = 1, .path = "out", .flags = O_WRONLY | O_CREAT },
        { .kind = LIBOS_SPAWN_DUP2, .fd = 1, .newfd = 2 },
    };
    libos_fdmap_t map;
    EXPECT_EQ(libos_fdmap_build(actions, 2, fake_open, NULL, &map), 0);
    EXPECT_EQ(map.map[1], 10);
    EXPECT_EQ(map.map[2], 10);
    /* Parent fd 10 was not open before: the child's own 10 stays closed. */
    EXPECT_EQ(map.map[10], -1);
    EXPECT_EQ(map.length, 11);
    ASSERT_EQ(map.nopened, 1);
    EXPECT_EQ(map.opened[0], 10);
}

TEST(fdmap_errors)
{
    libos_fdmap_t map;
    libos_spawn_action_t bad_fd[] = { { .kind = LIBOS_SPAWN_CLOSE, .fd = LIBOS_FD_SLOTS } };
    EXPECT_EQ(libos_fdmap_build(bad_fd, 1, fake_open, NULL, &map), EBADF);
    libos_spawn_action_t negative[] = { { .kind = LIBOS_SPAWN_DUP2, .fd = -1, .newfd = 0 } };
    EXPECT_EQ(libos_fdmap_build(negative, 1, fake_open, NULL, &map), EBADF);
    libos_spawn_action_t bad_new[] = { { .kind = LIBOS_SPAWN_DUP2, .fd = 0, .newfd = 64 } };
    EXPECT_EQ(libos_fdmap_build(bad_new, 1, fake_open, NULL, &map), EBADF);
    libos_spawn_action_t closed_source[] = {
        { .kind = LIBOS_SPAWN_CLOSE, .fd = 5 },
        { .kind = LIBOS_SPAWN_DUP2, .fd = 5, .newfd = 0 },
    };
    EXPECT_EQ(libos_fdmap_build(closed_source, 2, fake_open, NULL, &map), EBADF);
    opens = 0;
    libos_spawn_action_t failing_open[] = {
        { .kind = LIBOS_SPAWN_OPEN, .fd = 0, .path = "in", .flags = O_RDONLY },
        { .kind = LIBOS_SPAWN_OPEN, .fd = 1, .path = "/missing", .flags = O_RDONLY },
    };
    EXPECT_EQ(libos_fdmap_build(failing_open, 2, fake_open, NULL, &map), ENOENT);
    ASSERT_EQ(map.nopened, 1); /* what was opened is still there to close */
    EXPECT_EQ(map.opened[0], 10);
}

/* A spawn attempt for the search: succeeds for the one path it is told. */
typedef struct search_log {
    const char *found;
    char tried[8][64];
    int count;
} search_log_t;

static int fake_try(void *arg, const char *path)
{
    search_log_t *log = arg;
    if (log->count < 8) {
        snprintf(log->tried[log->count], sizeof(log->tried[0]), "%s", path);
    }
    log->count++;
    return log->found != NULL && strcmp(path, log->found) == 0 ? 0 : ENOENT;
}

TEST(path_search)
{
    char scratch[64];
    search_log_t log = { .found = "/bin/ls" };
    EXPECT_EQ(
        libos_path_search("ls", "/usr/bin:/bin:/sbin", scratch, sizeof(scratch), fake_try, &log),
        0);
    ASSERT_EQ(log.count, 2);
    EXPECT_STREQ(log.tried[0], "/usr/bin/ls");
    EXPECT_STREQ(log.tried[1], "/bin/ls");

    log = (search_log_t){ .found = "./x" };
    EXPECT_EQ(libos_path_search("x", "/bin::/sbin", scratch, sizeof(scratch), fake_try, &log), 0);
    EXPECT_STREQ(log.tried[1], "./x"); /* an empty entry is the current directory */

    log = (search_log_t){ .found = NULL };
    EXPECT_EQ(libos_path_search("nope", "/a:/b", scratch, sizeof(scratch), fake_try, &log), ENOENT);
    EXPECT_EQ(log.count, 2);

    log = (search_log_t){ .found = "sub/tool" }; /* a slash: no search */
    EXPECT_EQ(libos_path_search("sub/tool", "/a", scratch, sizeof(scratch), fake_try, &log), 0);
    EXPECT_EQ(log.count, 1);

    log = (search_log_t){ .found = NULL };
    EXPECT_EQ(libos_path_search("ls", "/a-very-long-directory-name-that-does-not-fit", scratch, 16,
                                fake_try, &log),
              ENAMETOOLONG);
    EXPECT_EQ(log.count, 0);
}

/* A try that fails with something other than "not here" ends the search. */
static int try_eperm(void *arg, const char *path)
{
    (void)path;
    ++*(int *)arg;
    return EPERM;
}

TEST(path_search_stops_at_a_real_error)
{
    char scratch[64];
    int count = 0;
    EXPECT_EQ(libos_path_search("ls", "/a:/b", scratch, sizeof(scratch), try_eperm, &count), EPERM);
    EXPECT_EQ(count, 1);
}

/* --- keel/os/dirent.h ----------------------------------------------------------- */

TEST(dirent_records_round_trip)
{
    unsigned char buf[128] __attribute__((aligned(8)));
    size_t at = 0;
    at = keel_dirent_put(buf, sizeof(buf), at, 1, VFS_TYPE_DIR, ".", 1);
    EXPECT_EQ(at, 24);
    at = keel_dirent_put(buf, sizeof(buf), at, 2, VFS_TYPE_DIR, "..", 2);
    at = keel_dirent_put(buf, sizeof(buf), at, 77, VFS_TYPE_REG, "hello.txt", 9);
    EXPECT_EQ(at, 24 + 24 + 32);

    keel_dirent_t head;
    char name[KEEL_DIRENT_NAME_MAX + 1];
    size_t next = keel_dirent_next(buf, at, 0, &head, name);
    EXPECT_EQ(next, 24);
    EXPECT_STREQ(name, ".");
    next = keel_dirent_next(buf, at, next, &head, name);
    EXPECT_STREQ(name, "..");
    next = keel_dirent_next(buf, at, next, &head, name);
    EXPECT_EQ(next, at);
    EXPECT_STREQ(name, "hello.txt");
    EXPECT_EQ(head.ino, 77);
    EXPECT_EQ(head.type, VFS_TYPE_REG);
    EXPECT_EQ(keel_dirent_next(buf, at, at, &head, name), 0); /* the end */
}

TEST(dirent_put_refuses)
{
    unsigned char buf[32] __attribute__((aligned(8)));
    char long_name[KEEL_DIRENT_NAME_MAX + 2];
    memset(long_name, 'x', sizeof(long_name));
    EXPECT_EQ(keel_dirent_put(buf, sizeof(buf), 0, 1, 0, "", 0), 0);
    EXPECT_EQ(keel_dirent_put(buf, sizeof(buf), 0, 1, 0, long_name, KEEL_DIRENT_NAME_MAX + 1), 0);
    EXPECT_EQ(keel_dirent_put(buf, sizeof(buf), 0, 1, 0, "a\0b", 3), 0);
    EXPECT_EQ(keel_dirent_put(buf, sizeof(buf), 0, 1, 0, "sixteen-bytes-xx", 16), 0); /* 40 */
    EXPECT_EQ(keel_dirent_put(buf, sizeof(buf), 40, 1, 0, "a", 1), 0); /* offset past */
    EXPECT_EQ(keel_dirent_put(buf, sizeof(buf), 8, 1, 0, "a", 1), 32); /* exactly fits */
}

/* Malformed records from a hostile or broken server are refused, and
 * nothing is read past the bytes it filled (ASan checks: the buffer is
 * exactly `size` bytes). */
TEST(dirent_next_refuses_malformed_records)
{
    enum { SIZE = 48 };
    unsigned char *buf = malloc(SIZE);
    keel_dirent_t head;
    char name[KEEL_DIRENT_NAME_MAX + 1];
    size_t end = keel_dirent_put(buf, SIZE, 0, 5, VFS_TYPE_REG, "file", 4);
    ASSERT_EQ(end, 24);

    keel_dirent_t *h = (keel_dirent_t *)buf;
    h->reclen = 32; /* does not match the name */
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 0, &head, name), 0);
    h->reclen = 24;
    h->namelen = 0;
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 0, &head, name), 0);
    h->namelen = 4;
    buf[16 + 4] = 'x'; /* no NUL after the name */
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 0, &head, name), 0);
    buf[16 + 4] = 0;
    buf[16 + 1] = 0; /* a NUL inside it */
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 0, &head, name), 0);
    buf[16 + 1] = 'i';
    EXPECT_EQ(keel_dirent_next(buf, 20, 0, &head, name), 0);    /* cut short */
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 4, &head, name), 0);  /* misaligned */
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 40, &head, name), 0); /* header past the end */
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 64, &head, name), 0); /* offset past the end */
    /* A name of 255 bytes claimed in a buffer too small for it. */
    h->namelen = 255;
    h->reclen = (uint16_t)keel_dirent_size(255);
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 0, &head, name), 0);
    h->namelen = 4;
    h->reclen = 24;
    EXPECT_EQ(keel_dirent_next(buf, SIZE, 0, &head, name), 24);
    EXPECT_STREQ(name, "file");
    free(buf);
}
