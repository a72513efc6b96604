/* The virtio-blk driver's test client (tests/os/disk.system, image osdisk),
 * a component on the early console. The disk QEMU gives it is the pattern
 * disk of tests/os/disk.mk: 64-bit word k of sector s holds pattern(s, k).
 * It checks, through the block channel and libos's client side
 * (keel/os/blkclient.h): the disk's size, reads of the pattern (single
 * sectors, the last one, 128 KiB across pages, 64 requests in flight),
 * writes read back, flush, every kind of bad request refused with the
 * driver still serving, corrupt ring indices ignored, requests in
 * flight while rs crashes and kills the driver 40 times: each completes
 * with the right data; and a driver that is alive but completes nothing
 * is restarted by the client's supervision.
 *
 * Every check prints `blktest: WHAT: ok` or `... FAILED`; tests/tests.list
 * (os.blk*) matches them. */
#include <errno.h>
#include <keel/os/blkclient.h>
#include <keel/os/startinfo.h>
#include <keel/proto/rs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define DISK_SECTORS 32768u /* 16 MiB: tests/os/disk.mk */
#define SECTOR KEEL_BLK_SECTOR
#define WORDS (SECTOR / 8)
#define PAGE 4096u
#define RESTARTS 40

static int checks, failures;
static keel_blk_client_t disk;

static void check(bool ok, const char *what)
{
    printf("blktest: %s: %s\n", what, ok ? "ok" : "FAILED");
    checks++;
    failures += !ok;
}

static uint64_t pattern(uint64_t sector, unsigned word)
{
    return 0x5eed000000000000ull | sector << 16 | word;
}

/* A second pattern, for what the test writes. */
static uint64_t written(uint64_t sector, unsigned word, unsigned round)
{
    return 0xa11ce00000000000ull | (uint64_t)round << 40 | sector << 16 | word;
}

static uint64_t *buffer(uint64_t offset)
{
    return (uint64_t *)(disk.region + offset);
}

static void fill(uint64_t offset, uint64_t sector, uint32_t sectors, unsigned round)
{
    for (uint32_t s = 0; s < sectors; s++) {
        for (unsigned k = 0; k < WORDS; k++) {
            buffer(offset)[s * WORDS + k] = written(sector + s, k, round);
        }
    }
}

/* Does the buffer hold sectors [sector, sector + sectors) of the pattern
 * (round 0) or of what round `round` wrote? */
static bool holds(uint64_t offset, uint64_t sector, uint32_t sectors, unsigned round)
{
    for (uint32_t s = 0; s < sectors; s++) {
        for (unsigned k = 0; k < WORDS; k++) {
            uint64_t want = round == 0 ? pattern(sector + s, k) : written(sector + s, k, round);
            if (buffer(offset)[s * WORDS + k] != want) {
                printf("blktest: sector %llu word %u: 0x%llx, not 0x%llx\n",
                       (unsigned long long)(sector + s), k,
                       (unsigned long long)buffer(offset)[s * WORDS + k], (unsigned long long)want);
                return false;
            }
        }
    }
    return true;
}

static bool read_holds(uint64_t sector, uint32_t sectors, uint64_t offset, unsigned round)
{
    memset(buffer(offset), 0, sectors * SECTOR);
    return keel_blk_io(&disk, KEEL_BLK_READ, sector, offset, sectors * SECTOR) ==
               (int)(sectors * SECTOR) &&
           holds(offset, sector, sectors, round);
}

static void check_info(void)
{
    printf("blktest: the disk: %llu sectors, requests up to %u bytes\n",
           (unsigned long long)disk.sectors, disk.largest);
    check(disk.sectors == DISK_SECTORS && disk.largest >= PAGE && disk.largest % SECTOR == 0,
          "INFO: 16 MiB, requests of a page or more");
}

static void check_reads(void)
{
    check(read_holds(0, 1, KEEL_BLK_DATA, 0), "read sector 0");
    check(read_holds(DISK_SECTORS - 1, 1, KEEL_BLK_DATA, 0), "read the last sector");
    uint32_t big = disk.largest / SECTOR;
    check(read_holds(1000, big, KEEL_BLK_DATA + SECTOR, 0),
          "read the largest request, its buffer across pages");
    /* 64 reads in flight, each 4 KiB into its own buffer. */
    int slot[KEEL_RING_SLOTS];
    bool ok = true;
    for (unsigned i = 0; i < KEEL_RING_SLOTS; i++) {
        slot[i] = keel_blk_start(&disk, KEEL_BLK_READ, 8 * i * 37, KEEL_BLK_DATA + i * PAGE, PAGE);
        ok &= slot[i] >= 0;
    }
    check(ok && keel_blk_start(&disk, KEEL_BLK_READ, 0, KEEL_BLK_DATA, SECTOR) == -EAGAIN,
          "64 reads started, a 65th: EAGAIN");
    for (unsigned i = 0; i < KEEL_RING_SLOTS; i++) {
        ok &= slot[i] >= 0 && keel_blk_wait(&disk, slot[i]) == (int)PAGE &&
              holds(KEEL_BLK_DATA + i * PAGE, 8 * i * 37, 8, 0);
    }
    check(ok, "64 reads in flight: each its own sectors");
}

static void check_writes(void)
{
    fill(KEEL_BLK_DATA, 20000, 128, 1);
    check(keel_blk_io(&disk, KEEL_BLK_WRITE, 20000, KEEL_BLK_DATA, 128 * SECTOR) == 128 * SECTOR,
          "write 64 KiB");
    check(read_holds(20000, 128, KEEL_BLK_DATA + 32 * PAGE, 1), "read back");
    fill(KEEL_BLK_DATA, 5, 1, 2);
    check(keel_blk_io(&disk, KEEL_BLK_WRITE, 5, KEEL_BLK_DATA, SECTOR) == SECTOR &&
              read_holds(5, 1, KEEL_BLK_DATA, 2) && read_holds(4, 1, KEEL_BLK_DATA, 0) &&
              read_holds(6, 1, KEEL_BLK_DATA, 0),
          "write one sector: its neighbours unchanged");
    check(keel_blk_io(&disk, KEEL_BLK_FLUSH, 0, 0, 0) == 0, "flush");
}

/* A request as a hostile client could make it: raw fields, through a slot. */
static int raw(uint32_t op, uint64_t sector, uint64_t offset, uint32_t length)
{
    keel_blk_slot_t *s = &disk.slot[0];
    uint64_t cookie = ++disk.generation << 6;
    *s = (keel_blk_slot_t){ .busy = true };
    s->request = (keel_ring_entry_t){ .cookie = cookie,
                                      .offset = sector,
                                      .length = length,
                                      .op = op | (uint32_t)(offset / SECTOR) << 8 };
    keel_ring_put(&disk.end.rings->request, s->request);
    seL4_Signal(disk.end.signal);
    return keel_blk_wait(&disk, 0);
}

static void check_bad_requests(void)
{
    uint64_t end = (uint64_t)disk.region_size;
    check(raw(99, 0, KEEL_BLK_DATA, SECTOR) == -EINVAL, "operation 99: refused");
    check(raw(KEEL_BLK_READ, 0, KEEL_BLK_DATA, 0) == -EINVAL, "length 0: refused");
    check(raw(KEEL_BLK_READ, 0, KEEL_BLK_DATA, 100) == -EINVAL, "length 100: refused");
    check(raw(KEEL_BLK_READ, 0, KEEL_BLK_DATA, disk.largest + SECTOR) == -EINVAL,
          "longer than the largest: refused");
    check(raw(KEEL_BLK_READ, 0, 0, SECTOR) == -EINVAL, "a buffer over the rings: refused");
    check(raw(KEEL_BLK_READ, 0, end - SECTOR, 2 * SECTOR) == -EINVAL,
          "a buffer past the region: refused");
    check(raw(KEEL_BLK_READ, 0, (uint64_t)KEEL_BLK_PLACE_MAX * SECTOR, SECTOR) == -EINVAL,
          "a buffer far past the region: refused");
    check(raw(KEEL_BLK_READ, DISK_SECTORS, KEEL_BLK_DATA, SECTOR) == -EINVAL,
          "the sector past the end: refused");
    check(raw(KEEL_BLK_WRITE, DISK_SECTORS - 1, KEEL_BLK_DATA, 2 * SECTOR) == -EINVAL,
          "a write over the end: refused");
    check(raw(KEEL_BLK_READ, UINT64_MAX - 1, KEEL_BLK_DATA, 4 * SECTOR) == -EINVAL,
          "sector 2^64 - 2 (the end wraps): refused");
    check(read_holds(DISK_SECTORS - 1, 1, KEEL_BLK_DATA, 0), "a read after them: served");
}

/* A request ring whose indices are too far apart is empty to the driver;
 * put right, it is served again. */
static void check_corrupt_indices(void)
{
    keel_ring_t *r = &disk.end.rings->request;
    uint32_t head = r->head;
    r->head = r->tail + 1000;
    seL4_Signal(disk.end.signal);
    r->head = head;
    check(read_holds(7, 1, KEEL_BLK_DATA, 0), "corrupt request indices: ignored, then served");
}

/* 48 requests in flight (reads of the pattern, writes of a new round),
 * then rs crashes or kills the driver; every request completes right. */
static bool restart_with_requests(seL4_CPtr rs, unsigned round)
{
    int slot[48];
    for (unsigned i = 0; i < 48; i++) {
        uint64_t offset = KEEL_BLK_DATA + i * PAGE, sector = 24000 + 8 * i;
        if (i % 2 == 0) {
            slot[i] = keel_blk_start(&disk, KEEL_BLK_READ, 2000 + 8 * i, offset, PAGE);
        } else {
            fill(offset, sector, 8, round);
            slot[i] = keel_blk_start(&disk, KEEL_BLK_WRITE, sector, offset, PAGE);
        }
    }
    uint64_t kind = round % 2 ? RS_INJECT_CRASH : RS_INJECT_KILL;
    long r = rs_inject(rs, "blk", kind, 0, round, NULL, NULL, NULL, NULL, NULL);
    bool ok = r == 0;
    for (unsigned i = 0; i < 48; i++) {
        ok &= slot[i] >= 0 && keel_blk_wait(&disk, slot[i]) == (int)PAGE;
        ok &= i % 2 == 1 || holds(KEEL_BLK_DATA + i * PAGE, 2000 + 8 * i, 8, 0);
    }
    for (unsigned i = 1; i < 48; i += 2) {
        ok &= read_holds(24000 + 8 * i, 8, KEEL_BLK_DATA + 48 * PAGE, round);
    }
    return ok;
}

static void check_restarts(seL4_CPtr rs)
{
    unsigned good = 0, before = disk.restarts;
    for (unsigned round = 1; round <= RESTARTS; round++) {
        good += restart_with_requests(rs, round);
    }
    printf("blktest: %u of %u rounds right, %u restarts seen\n", good, RESTARTS,
           disk.restarts - before);
    check(good == RESTARTS && disk.restarts - before == RESTARTS,
          "40 crashes and kills with 48 requests in flight: each completes right");
    check(read_holds(100, 8, KEEL_BLK_DATA, 0), "a read after them");
}

/* A driver alive that completes nothing (here it sees an empty ring, as
 * if a flipped bit had lost its place in it; it answers nothing wrong and
 * nothing at all): the supervised wait asks rs to restart it after the
 * limit, and the request completes from the new instance. */
static void check_stall(seL4_CPtr rs)
{
    unsigned before = disk.restarts;
    keel_blk_supervise(&disk, rs, "blk", 500);
    int slot = keel_blk_stage(&disk, KEEL_BLK_READ, 9, KEEL_BLK_DATA, SECTOR);
    keel_ring_t *r = &disk.end.rings->request;
    r->head = r->tail + 1000; /* the staged request goes past what the driver believes */
    int got = slot < 0 ? slot : keel_blk_wait(&disk, slot);
    check(got == (int)SECTOR && holds(KEEL_BLK_DATA, 9, 1, 0) && disk.stalls == 1 &&
              disk.restarts == before + 1,
          "a driver that completes nothing: restarted by its client, the request served");
    disk.rs = 0;
}

int main(void)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    const keel_startcap_t *rs = keel_startinfo_find(si, "rs");
    int r = keel_blk_open(&disk, "disk");
    check(r == 0 && rs != NULL, "open the channel 'disk'");
    if (r != 0 || rs == NULL) {
        return 1;
    }
    check_info();
    check_reads();
    check_writes();
    check_bad_requests();
    check_corrupt_indices();
    check_restarts(rs->cptr);
    check_stall(rs->cptr);
    printf("blktest: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
