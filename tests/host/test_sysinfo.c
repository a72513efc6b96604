/* The lines of the system programs (user/bin/common/sysinfo.c: service, ps,
 * free, uptime) on the host under ASan and UBSan, with made-up results in
 * place of rs's and pm's answers; ps's walk over a fake process table. */
#include "../../user/bin/common/sysinfo.h"

#include <errno.h>
#include <harness.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm_defs.h>
#include <keel/proto/rs_defs.h>
#include <stdlib.h>
#include <string.h>

static char line[256];

TEST(service_list_lines)
{
    sysinfo_service_header(line, sizeof(line));
    EXPECT_STREQ(line,
                 "NAME             STATE    PRIORITY      QUOTA FAULTS RESTARTS   UPTIME LAST\n");
    sysinfo_component_t c = { "vfs", RS_STATE_RUNNING, 200, 1 << 20, 0, 0, 42999, RS_LAST_NONE };
    sysinfo_service_line(line, sizeof(line), &c);
    EXPECT_STREQ(line,
                 "vfs              running       200      1024K      0        0      42s -\n");
    c = (sysinfo_component_t){
        "uart", RS_STATE_RUNNING, 200, 256 << 10, 1, 2, 187000, RS_LAST_FAULT
    };
    sysinfo_service_line(line, sizeof(line), &c);
    EXPECT_STREQ(line,
                 "uart             running       200       256K      1        2    3m07s fault\n");
    c = (sysinfo_component_t){ "timer", RS_STATE_RUNNING, 220,         256 << 10, 0,
                               1,       7500000,          RS_LAST_KILL };
    sysinfo_service_line(line, sizeof(line), &c);
    EXPECT_STREQ(line,
                 "timer            running       220       256K      0        1    2h05m kill\n");
    c = (sysinfo_component_t){ "crash", RS_STATE_FAULTED, 110, 256 << 10, 3, 1, 0, RS_LAST_FAULT };
    sysinfo_service_line(line, sizeof(line), &c);
    EXPECT_STREQ(line,
                 "crash            faulted       110       256K      3        1        - fault\n");
    c = (sysinfo_component_t){ "ext2", RS_STATE_RUNNING, 120, 4 << 20, 0, 1, 5000, RS_LAST_CODE };
    sysinfo_service_line(line, sizeof(line), &c);
    EXPECT_STREQ(line,
                 "ext2             running       120      4096K      0        1       5s code\n");
    c = (sysinfo_component_t){ "x", RS_STATE_STOPPED, 1, 0, 0, 0, 0, 99 };
    sysinfo_service_line(line, sizeof(line), &c);
    EXPECT_TRUE(strncmp(line, "x                stopped ", 25) == 0);
    EXPECT_TRUE(strstr(line, " - ?\n") != NULL);
    c.state = 99;
    sysinfo_service_line(line, sizeof(line), &c);
    EXPECT_TRUE(strncmp(line, "x                ?        ", 26) == 0);
}

TEST(service_show_lines_as_rs_show_prints_them)
{
    sysinfo_grant_line(line, sizeof(line), "notify", KEEL_CAP_NOTIFICATION, 16, 0, 0,
                       KEEL_NOTIFY_OWN, 0);
    EXPECT_STREQ(line, "notify           notification slot 16, bound to its thread\n");
    sysinfo_grant_line(line, sizeof(line), "echo", KEEL_CAP_ENDPOINT, 17, 0, 0, 0, 42);
    EXPECT_STREQ(line, "echo             endpoint     slot 17, badge 42\n");
    sysinfo_grant_line(line, sizeof(line), "ring", KEEL_CAP_REGION, 0, 0x40000000, 4096,
                       KEEL_REGION_WRITABLE, 0);
    EXPECT_STREQ(line, "ring             region       at 0x40000000, 4 KiB, writable\n");
    sysinfo_grant_line(line, sizeof(line), "rtc", KEEL_CAP_REGION, 0, 0x40001000, 4096,
                       KEEL_REGION_WRITABLE | KEEL_REGION_DEVICE, 0);
    EXPECT_STREQ(line, "rtc              region       at 0x40001000, 4 KiB, writable, device\n");
    sysinfo_grant_line(line, sizeof(line), "bin", KEEL_CAP_REGION, 0, 0x40002000, 8192, 0, 0);
    EXPECT_STREQ(line, "bin              region       at 0x40002000, 8 KiB, read-only\n");
    sysinfo_grant_line(line, sizeof(line), "alarm", KEEL_CAP_IRQ, 19, 0, 0, 0, 2);
    EXPECT_STREQ(line, "alarm            irq          slot 19, arrives as bit 0x2 of notify\n");
    sysinfo_grant_line(line, sizeof(line), "mem", KEEL_CAP_UNTYPED, 20, 0, 65536, 0, 0);
    EXPECT_STREQ(line, "mem              untyped      slot 20, 64 KiB\n");
    sysinfo_grant_line(line, sizeof(line), "asids", KEEL_CAP_ASID_POOL, 21, 0, 0, 0, 0);
    EXPECT_STREQ(line, "asids            asid pool    slot 21\n");
    sysinfo_grant_line(line, sizeof(line), "odd", 0, 22, 0, 0, 0, 0);
    EXPECT_STREQ(line, "odd              ?            slot 22\n");
    sysinfo_grant_line(line, sizeof(line), "odd", 1000, 22, 0, 0, 0, 0);
    EXPECT_STREQ(line, "odd              ?            slot 22\n");
}

TEST(a_short_buffer_is_truncated_and_terminated)
{
    char small[8];
    int n = sysinfo_grant_line(small, sizeof(small), "echo", KEEL_CAP_ENDPOINT, 17, 0, 0, 0, 42);
    EXPECT_STREQ(small, "echo   ");
    EXPECT_EQ(n, (int)strlen("echo             endpoint     slot 17, badge 42\n"));
}

TEST(ps_lines)
{
    sysinfo_ps_header(line, sizeof(line));
    EXPECT_STREQ(line, "  PID  PPID  PGID STATE        MEM NAME\n");
    sysinfo_ps_line(line, sizeof(line), 1, 0, 1, PM_STATE_BLOCKED, 262144, "sh");
    EXPECT_STREQ(line, "    1     0     1 blocked     256K sh\n");
    sysinfo_ps_line(line, sizeof(line), 32767, 1, 7, PM_STATE_ZOMBIE, 1536, "cat");
    EXPECT_STREQ(line, "32767     1     7 zombie        1K cat\n");
    sysinfo_ps_line(line, sizeof(line), 12, 1, 12, PM_STATE_RUNNING, 0, "ps");
    EXPECT_STREQ(line, "   12     1    12 running       0K ps\n");
}

/* A fake pm: processes at the pids of `table`; procinfo answers the first at
 * or above the pid asked, counting its calls. */
typedef struct fake_pm {
    const int64_t *pids;
    size_t count;
    unsigned calls;
    long fail_at;   /* the call that fails with -EIO, or 0 */
    bool backwards; /* answer pid 1 every time */
} fake_pm_t;

static long fake_procinfo(void *ctx, int64_t pid, int64_t *ppid, int64_t *pgid, uint64_t *state,
                          uint64_t *memory, char name[32])
{
    fake_pm_t *pm = ctx;
    if (++pm->calls == (unsigned)pm->fail_at) {
        return -EIO;
    }
    if (pm->backwards) {
        pid = 1;
    }
    for (size_t i = 0; i < pm->count; i++) {
        if (pm->pids[i] >= pid) {
            *ppid = pm->pids[i] == 1 ? 0 : 1;
            *pgid = pm->pids[i];
            *state = PM_STATE_RUNNING;
            *memory = (uint64_t)pm->pids[i] << 10;
            snprintf(name, 32, "p%lld", (long long)pm->pids[i]);
            return pm->pids[i];
        }
    }
    return -ESRCH;
}

/* Run sysinfo_ps over `pm`: its exit status; *out and *err what it wrote. */
static int run_ps(fake_pm_t *pm, char **out, char **err)
{
    size_t out_size, err_size;
    FILE *o = open_memstream(out, &out_size);
    FILE *e = open_memstream(err, &err_size);
    int status = sysinfo_ps(o, e, fake_procinfo, pm);
    fclose(o);
    fclose(e);
    return status;
}

TEST(ps_walks_every_pid_once)
{
    static const int64_t pids[] = { 1, 2, 9, 300, 32767 };
    fake_pm_t pm = { .pids = pids, .count = 5 };
    char *out, *err;
    EXPECT_EQ(run_ps(&pm, &out, &err), 0);
    EXPECT_STREQ(out, "  PID  PPID  PGID STATE        MEM NAME\n"
                      "    1     0     1 running       1K p1\n"
                      "    2     1     2 running       2K p2\n"
                      "    9     1     9 running       9K p9\n"
                      "  300     1   300 running     300K p300\n"
                      "32767     1 32767 running   32767K p32767\n");
    EXPECT_STREQ(err, "");
    EXPECT_EQ(pm.calls, 5u); /* the last pid is PID_MAX: no call past it */
    free(out);
    free(err);
}

TEST(ps_stops_at_esrch)
{
    static const int64_t pids[] = { 4 };
    fake_pm_t pm = { .pids = pids, .count = 1 };
    char *out, *err;
    EXPECT_EQ(run_ps(&pm, &out, &err), 0);
    EXPECT_EQ(pm.calls, 2u);
    EXPECT_STREQ(err, "");
    free(out);
    free(err);
}

TEST(ps_reports_a_failure_and_a_walk_backwards)
{
    static const int64_t pids[] = { 1, 2, 3 };
    fake_pm_t pm = { .pids = pids, .count = 3, .fail_at = 2 };
    char *out, *err;
    EXPECT_EQ(run_ps(&pm, &out, &err), SYSINFO_FAILED);
    EXPECT_STREQ(err, "ps: procinfo: Input/output error\n");
    free(out);
    free(err);
    fake_pm_t loop = { .pids = pids, .count = 3, .backwards = true };
    EXPECT_EQ(run_ps(&loop, &out, &err), SYSINFO_FAILED);
    EXPECT_EQ(loop.calls, 2u);
    free(out);
    free(err);
}

TEST(free_lines_in_kib)
{
    sysinfo_free_header(line, sizeof(line));
    EXPECT_STREQ(line, "              total         used         free\n");
    sysinfo_free_line(line, sizeof(line), "Mem:", 1ull << 30, 3ull << 20);
    EXPECT_STREQ(line, "Mem:        1048576         3072      1045504\n");
    sysinfo_free_line(line, sizeof(line), "Quota:", 256 << 10, 300 << 10);
    EXPECT_STREQ(line, "Quota:          256          300            0\n");
}

TEST(free_count_lines_as_they_are)
{
    sysinfo_free_count_line(line, sizeof(line), "Slots:", 32768, 5000);
    EXPECT_STREQ(line, "Slots:        32768         5000        27768\n");
    sysinfo_free_count_line(line, sizeof(line), "Slots:", 10, 12);
    EXPECT_STREQ(line, "Slots:           10           12            0\n");
}

TEST(uptime_lines)
{
    sysinfo_uptime_line(line, sizeof(line), 0);
    EXPECT_STREQ(line, "up 00:00:00\n");
    sysinfo_uptime_line(line, sizeof(line), 3723);
    EXPECT_STREQ(line, "up 01:02:03\n");
    sysinfo_uptime_line(line, sizeof(line), 86399);
    EXPECT_STREQ(line, "up 23:59:59\n");
    sysinfo_uptime_line(line, sizeof(line), 86400 + 61);
    EXPECT_STREQ(line, "up 1 day, 00:01:01\n");
    sysinfo_uptime_line(line, sizeof(line), 3 * 86400 + 7200);
    EXPECT_STREQ(line, "up 3 days, 02:00:00\n");
}
