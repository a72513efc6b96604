/* diskload: the disk's recovery under load (docs/storage.md "What
 * survives which crash"; tests/tests.list os.fs.recover*).
 *
 *   diskload copy MIB TARGET N KINDS SEED
 *       writes /home/load.src (MIB MiB of a pattern), then copies it to
 *       /home/load.dst and verifies every byte of the copy, again and
 *       again, while a child (`diskload inject`) injects N faults of KINDS
 *       (a comma list of crash, hang, flip, kill) into the component
 *       TARGET through rs, each 5-60 ms after the last by rs's clock;
 *       after the child is done, one more copy and verify. Prints
 *       `diskload: N injections into TARGET, C copies of MIB MiB, every
 *       byte verified: ok` or what went wrong, and exits 0 only if all is
 *       right.
 *   diskload inject TARGET N KINDS SEED
 *       the child: the injections, then `diskload: N injections done`.
 *
 * Every byte of the pattern is a function of its offset, so a byte
 * anywhere in the wrong place is found. */
#include <errno.h>
#include <fcntl.h>
#include <keel/os/start.h>
#include <keel/os/startinfo.h>
#include <keel/proto/rs.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 65536
#define SOURCE "/home/load.src"
#define COPY "/home/load.dst"

static unsigned char buf[CHUNK], want[CHUNK];

static uint8_t pattern(uint64_t at)
{
    uint64_t x = at / 8 * 0x9e3779b97f4a7c15ull;
    return (uint8_t)(x >> (8 * (at % 8)));
}

static void fill(uint64_t at, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = pattern(at + i);
    }
}

static bool fail(const char *what, const char *path)
{
    printf("diskload: %s %s: %s\n", what, path, strerror(errno));
    return false;
}

static bool write_all(int fd, const unsigned char *data, size_t n, const char *path)
{
    for (size_t done = 0; done < n;) {
        ssize_t r = write(fd, data + done, n - done);
        if (r <= 0) {
            return fail("write", path);
        }
        done += (size_t)r;
    }
    return true;
}

/* Read exactly n bytes unless the file ends: how many. */
static ssize_t read_full(int fd, unsigned char *out, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, out + done, n - done);
        if (r < 0) {
            return -1;
        }
        if (r == 0) {
            break;
        }
        done += (size_t)r;
    }
    return (ssize_t)done;
}

static bool make_source(uint64_t size)
{
    int fd = open(SOURCE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return fail("open", SOURCE);
    }
    bool ok = true;
    for (uint64_t at = 0; ok && at < size; at += CHUNK) {
        fill(at, buf, CHUNK);
        ok = write_all(fd, buf, CHUNK, SOURCE);
    }
    return close(fd) == 0 && ok;
}

static bool copy_file(void)
{
    int in = open(SOURCE, O_RDONLY), out = open(COPY, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) {
        return fail("open", in < 0 ? SOURCE : COPY);
    }
    bool ok = true;
    for (;;) {
        ssize_t n = read_full(in, buf, CHUNK);
        if (n < 0) {
            ok = fail("read", SOURCE);
        }
        if (n <= 0) {
            break;
        }
        if (!write_all(out, buf, (size_t)n, COPY)) {
            ok = false;
            break;
        }
    }
    close(in);
    return close(out) == 0 && ok;
}

static bool verify(const char *path, uint64_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return fail("open", path);
    }
    uint64_t at = 0;
    bool ok = true;
    while (ok) {
        ssize_t n = read_full(fd, buf, CHUNK);
        if (n <= 0) {
            ok = n == 0 || fail("read", path);
            break;
        }
        fill(at, want, (size_t)n);
        for (ssize_t i = 0; i < n && ok; i++) {
            if (buf[i] != want[i]) {
                printf("diskload: %s: byte %llu is 0x%02x, not 0x%02x\n", path,
                       (unsigned long long)(at + (uint64_t)i), buf[i], want[i]);
                ok = false;
            }
        }
        at += (uint64_t)n;
    }
    close(fd);
    if (ok && at != size) {
        printf("diskload: %s: %llu bytes, not %llu\n", path, (unsigned long long)at,
               (unsigned long long)size);
        ok = false;
    }
    return ok;
}

/* --- the injector -------------------------------------------------------- */

static uint64_t kind_of(const char *name)
{
    static const char *const names[] = { "crash", "hang", "flip", "kill" };
    static const uint64_t kinds[] = { RS_INJECT_CRASH, RS_INJECT_HANG, RS_INJECT_FLIP,
                                      RS_INJECT_KILL };
    for (unsigned i = 0; i < 4; i++) {
        if (strcmp(name, names[i]) == 0) {
            return kinds[i];
        }
    }
    return UINT64_MAX;
}

static int inject(const char *target, unsigned n, const char *kinds, uint64_t seed)
{
    const keel_startcap_t *rs = keel_startinfo_find(keel_startinfo(), "rs");
    uint64_t kind[4];
    unsigned nkinds = 0;
    char list[64]; /* argv is in the read-only start page: strtok needs a copy */
    snprintf(list, sizeof(list), "%s", kinds);
    for (char *k = strtok(list, ","); k != NULL && nkinds < 4; k = strtok(NULL, ",")) {
        kind[nkinds] = kind_of(k);
        if (kind[nkinds++] == UINT64_MAX || rs == NULL) {
            printf("diskload: bad kind %s, or no rs\n", k);
            return 2;
        }
    }
    uint64_t x = seed | 1;
    unsigned done = 0;
    while (done < n) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t delay_us = 5000 + x % 55000;
        long r = rs_inject(rs->cptr, target, kind[done % nkinds], delay_us, x, NULL, NULL, NULL,
                           NULL, NULL);
        if (r == 0) {
            done++;
        } else if (r != -ESRCH && r != -EBUSY) {
            printf("diskload: inject %s: %s\n", target, strerror((int)-r));
            return 1;
        }
    }
    printf("diskload: %u injections done\n", done);
    return 0;
}

/* --- the copier ---------------------------------------------------------- */

static pid_t start_injector(char **argv)
{
    char *child[] = { argv[0], "inject", argv[3], argv[4], argv[5], argv[6], NULL };
    pid_t pid;
    return posix_spawn(&pid, "/bin/diskload", NULL, NULL, child, NULL) == 0 ? pid : -1;
}

static int copy_under_injections(char **argv)
{
    uint64_t size = strtoull(argv[2], NULL, 10) << 20;
    if (size == 0 || !make_source(size) || !verify(SOURCE, size)) {
        return 1;
    }
    pid_t injector = start_injector(argv);
    if (injector < 0) {
        printf("diskload: cannot start the injector\n");
        return 1;
    }
    unsigned copies = 0;
    bool ok = true;
    int status = 0;
    for (bool last = false; ok;) {
        ok = copy_file() && verify(COPY, size);
        copies += ok;
        if (last) {
            break;
        }
        last = waitpid(injector, &status, WNOHANG) == injector;
    }
    if (!ok) {
        kill(injector, SIGKILL);
        waitpid(injector, &status, 0);
    }
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 && verify(SOURCE, size);
    printf("diskload: %s injections into %s, %u copies of %s MiB, every byte verified: %s\n",
           argv[4], argv[3], copies, argv[2], ok ? "ok" : "FAILED");
    unlink(COPY);
    unlink(SOURCE);
    return ok ? 0 : 1;
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    if (argc == 7 && strcmp(argv[1], "copy") == 0) {
        return copy_under_injections(argv);
    }
    if (argc == 6 && strcmp(argv[1], "inject") == 0) {
        return inject(argv[2], (unsigned)strtoul(argv[3], NULL, 10), argv[4],
                      strtoull(argv[5], NULL, 10));
    }
    fprintf(stderr, "usage: diskload copy MIB TARGET N KINDS SEED\n"
                    "       diskload inject TARGET N KINDS SEED\n");
    return 2;
}
