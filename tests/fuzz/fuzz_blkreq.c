/* A libFuzzer target over the virtio-blk driver's checks of what its
 * clients put in their block channels (user/os/drivers/blk/request.c, built
 * for the host as it is): a client is trusted no more than any program,
 * and what the driver accepts goes to the device as physical addresses.
 * Each input is a device (its features, capacity, seg_max and size_max
 * from its configuration), a client's channel region (its pages and their
 * frames, in runs of contiguous frames or not) and a run of request
 * entries, most fields from tables of values at the limits. Beyond ASan's
 * and UBSan's checks (the frames' table is exactly the region's pages, so
 * a page past it is a read out of bounds):
 * - the limits the driver derives let no request need more segments than
 *   the device takes, or less than a page;
 * - a read or write accepted lies inside the data region (past the rings'
 *   page) and the disk, and a write is refused on a read-only disk;
 * - its segments are the buffer's bytes, in order, at the frames of the
 *   pages it covers, no more of them than the device takes and none
 *   larger than its size_max.
 * Seeds: tests/fuzz/make_blkreq_seeds.py. */
#include "../../user/os/drivers/blk/request.h"
#include "fuzz_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUESTS_MAX 64

static void require(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_blkreq: %s\n", what);
        abort();
    }
}

/* A value from the table by the next byte, or the next `bytes` bytes. */
static uint64_t pick(input_t *in, const uint64_t *table, size_t n, unsigned bytes)
{
    uint8_t choice = (uint8_t)take(in, 1);
    return choice < n ? table[choice] : take(in, bytes);
}

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static const uint64_t capacities[] = { 0,         1, 7, 8, 255, 256, 2048, 1u << 20, UINT64_MAX - 1,
                                       UINT64_MAX };
static const uint64_t configs[] = { 0,   1,    2,    3,    4,    8,     32,     33,        34,
                                    126, 4095, 4096, 4097, 8192, 65536, 131072, UINT32_MAX };
static const uint64_t lengths[] = { 0,      1,      511,    512,    1024,
                                    3584,   4096,   4608,   8192,   65536,
                                    126976, 131072, 131584, 135168, UINT32_MAX - 511 };
static const uint64_t places[] = { 0,    1,    7,    8,    9,    15,   16,
                                   2040, 2047, 2048, 8184, 8191, 8192, KEEL_BLK_PLACE_MAX };
static const uint64_t sectors[] = {
    0, 1, 255, 256, 2047, 2048, (1u << 20) - 1, 1u << 20, UINT64_MAX - 1, UINT64_MAX
};

/* The device's limits, as init_device derives them; false: not served. */
static bool device(input_t *in, blk_limits_t *limits)
{
    uint8_t bits = (uint8_t)take(in, 1);
    uint64_t features = (bits & 1 ? 1ull << BLK_F_SIZE_MAX : 0) |
                        (bits & 2 ? 1ull << BLK_F_SEG_MAX : 0) | (bits & 4 ? 1ull << BLK_F_RO : 0) |
                        (bits & 8 ? 1ull << BLK_F_FLUSH : 0);
    uint64_t capacity = pick(in, capacities, COUNT(capacities), 8);
    uint32_t seg_max = (uint32_t)pick(in, configs, COUNT(configs), 4);
    uint32_t size_max = (uint32_t)pick(in, configs, COUNT(configs), 4);
    if (blk_limits(features, capacity, seg_max, size_max, limits) != NULL) {
        return false;
    }
    require(limits->capacity == capacity, "the capacity is the device's");
    require(limits->read_only == ((bits & 4) != 0), "read-only as the device says");
    require(limits->largest >= PAGE && limits->largest <= LARGEST_REQUEST &&
                limits->largest % KEEL_BLK_SECTOR == 0,
            "a request of a page to 128 KiB");
    require(limits->segments_max >= 2 && limits->segments_max <= SEGMENTS_MAX,
            "2 .. SEGMENTS_MAX segments");
    require(!(bits & 2) || seg_max == 0 || limits->segments_max <= seg_max,
            "no more segments than the device takes");
    require(limits->segment_bytes >= PAGE, "segments of a page at least");
    require(!(bits & 1) || limits->segment_bytes <= size_max, "segments within size_max");
    return true;
}

/* The region's frames: runs of contiguous frames, each run elsewhere. */
static uint64_t *frames(input_t *in, uint32_t pages)
{
    /* exactly the region's pages: ASan sees a frame looked up past them */
    uint64_t *paddr = malloc((size_t)pages * sizeof(*paddr) + (pages == 0));
    require(paddr != NULL, "memory");
    uint8_t pattern = (uint8_t)take(in, 1);
    uint64_t next = 0x40000000;
    for (uint32_t i = 0; i < pages; i++) {
        bool jump = pattern == 0 ? false : pattern == 255 ? true : (i * 7 + pattern) % 5 == 0;
        next += jump ? (uint64_t)(i % 3 + 2) * PAGE : 0;
        paddr[i] = next;
        next += PAGE;
    }
    return paddr;
}

/* The segments of an accepted buffer: its bytes, in order, at their pages'
 * frames, within the device's limits. */
static void check_segments(const blk_limits_t *limits, const uint64_t *paddr, uint64_t buffer,
                           uint32_t length)
{
    uint64_t addr[SEGMENTS_MAX];
    uint32_t len[SEGMENTS_MAX];
    unsigned n = blk_segments(limits, paddr, buffer, length, addr, len);
    require(n >= 1 && n <= limits->segments_max, "1 .. segments_max segments");
    uint64_t at = buffer;
    for (unsigned i = 0; i < n; i++) {
        require(len[i] > 0 && len[i] <= limits->segment_bytes, "a segment within size_max");
        for (uint32_t done = 0; done < len[i];) {
            uint64_t page = at / PAGE, in_page = at % PAGE;
            uint32_t chunk = (uint32_t)(PAGE - in_page);
            chunk = chunk < len[i] - done ? chunk : len[i] - done;
            require(addr[i] + done == paddr[page] + in_page, "the buffer's bytes at its frames");
            done += chunk;
            at += chunk;
        }
    }
    require(at == buffer + length, "the segments are the whole buffer");
}

static void request(input_t *in, const blk_limits_t *limits, uint32_t pages, const uint64_t *paddr)
{
    uint8_t op = (uint8_t)take(in, 1) % 8;
    uint32_t place = (uint32_t)pick(in, places, COUNT(places), 3) & KEEL_BLK_PLACE_MAX;
    keel_ring_entry_t e = {
        .cookie = take(in, 1),
        .offset = pick(in, sectors, COUNT(sectors), 8),
        .length = (uint32_t)pick(in, lengths, COUNT(lengths), 4),
        .op = op | place << KEEL_BLK_PLACE_SHIFT,
    };
    uint32_t status = blk_check(limits, pages, &e);
    require(status == KEEL_BLK_OK || status == KEEL_BLK_BAD_REQUEST || status == KEEL_BLK_READ_ONLY,
            "a status keel/os/blk.h names");
    if (op != KEEL_BLK_READ && op != KEEL_BLK_WRITE) {
        require(status == ((op == KEEL_BLK_FLUSH || op == KEEL_BLK_INFO) ? KEEL_BLK_OK
                                                                         : KEEL_BLK_BAD_REQUEST),
                "FLUSH and INFO taken, other ops refused");
        return;
    }
    require(status != KEEL_BLK_READ_ONLY || (op == KEEL_BLK_WRITE && limits->read_only),
            "READ_ONLY only for a write to a read-only disk");
    if (status != KEEL_BLK_OK) {
        return;
    }
    require(!(op == KEEL_BLK_WRITE && limits->read_only), "no write to a read-only disk");
    uint64_t buffer = keel_blk_buffer(&e);
    require(buffer >= PAGE, "past the rings' page");
    require(buffer + e.length <= (uint64_t)pages * PAGE, "inside the region");
    require(e.length > 0 && e.length % KEEL_BLK_SECTOR == 0 && e.length <= limits->largest,
            "whole sectors, at most the largest request");
    require(e.offset <= limits->capacity &&
                e.length / KEEL_BLK_SECTOR <= limits->capacity - e.offset,
            "inside the disk");
    check_segments(limits, paddr, buffer, e.length);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input_t in = { data, size, 0 };
    blk_limits_t limits;
    if (!device(&in, &limits)) {
        return 0;
    }
    uint32_t pages = (uint32_t)(take(&in, 2) % (REGION_PAGES_MAX + 1));
    uint64_t *paddr = frames(&in, pages);
    for (unsigned i = 0; i < REQUESTS_MAX && in.at < in.size; i++) {
        request(&in, &limits, pages, paddr);
    }
    free(paddr);
    return 0;
}
