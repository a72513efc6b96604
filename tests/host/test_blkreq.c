/* The virtio-blk driver's checks of its clients' requests and the
 * segments of their buffers (user/os/drivers/blk/request.c) on the host,
 * under ASan and UBSan: the limits a device's configuration gives, a
 * buffer at the region's and the disk's ends, and the regression
 * fuzz_blkreq found: contiguous frames were merged into one segment larger
 * than the device's size_max. */
#include "../../user/os/drivers/blk/request.h"

#include <harness.h>

#define CONTIGUOUS_PAGES 8

static uint64_t contiguous[CONTIGUOUS_PAGES] = {
    0x40000000, 0x40001000, 0x40002000, 0x40003000, 0x40004000, 0x40005000, 0x40006000, 0x40007000,
};

static keel_ring_entry_t entry(uint32_t op, uint64_t sector, uint64_t buffer, uint32_t length)
{
    return keel_blk_request(1, op, sector, buffer, length);
}

TEST(limits_follow_the_device)
{
    blk_limits_t l;
    EXPECT_TRUE(blk_limits(0, 2048, 0, 0, &l) == NULL);
    EXPECT_EQ(l.largest, LARGEST_REQUEST);
    EXPECT_EQ(l.segments_max, SEGMENTS_MAX);
    uint64_t seg = 1ull << BLK_F_SEG_MAX, size = 1ull << BLK_F_SIZE_MAX;
    EXPECT_TRUE(blk_limits(seg, 2048, 3, 0, &l) == NULL);
    EXPECT_EQ(l.largest, 2 * PAGE);
    EXPECT_TRUE(blk_limits(seg, 2048, 1, 0, &l) != NULL);    /* too few segments */
    EXPECT_TRUE(blk_limits(size, 2048, 0, 512, &l) != NULL); /* segments below a page */
    EXPECT_TRUE(blk_limits(size | 1ull << BLK_F_RO, 2048, 0, PAGE, &l) == NULL);
    EXPECT_TRUE(l.read_only);
    EXPECT_EQ(l.segment_bytes, PAGE);
}

TEST(a_buffer_inside_the_region_and_the_disk)
{
    blk_limits_t l;
    EXPECT_TRUE(blk_limits(0, 2048, 0, 0, &l) == NULL);
    keel_ring_entry_t last = entry(KEEL_BLK_READ, 2040, 15 * PAGE, PAGE);
    EXPECT_EQ(blk_check(&l, 16, &last), KEEL_BLK_OK);
    keel_ring_entry_t past_region = entry(KEEL_BLK_READ, 0, 15 * PAGE + 512, PAGE);
    EXPECT_EQ(blk_check(&l, 16, &past_region), KEEL_BLK_BAD_REQUEST);
    keel_ring_entry_t past_disk = entry(KEEL_BLK_READ, 2041, PAGE, PAGE);
    EXPECT_EQ(blk_check(&l, 16, &past_disk), KEEL_BLK_BAD_REQUEST);
    keel_ring_entry_t rings = entry(KEEL_BLK_WRITE, 0, 512, 512);
    EXPECT_EQ(blk_check(&l, 16, &rings), KEEL_BLK_BAD_REQUEST);
}

TEST(contiguous_frames_are_one_segment)
{
    blk_limits_t l;
    EXPECT_TRUE(blk_limits(0, 2048, 0, 0, &l) == NULL);
    uint64_t addr[SEGMENTS_MAX];
    uint32_t len[SEGMENTS_MAX];
    EXPECT_EQ(blk_segments(&l, contiguous, PAGE + 512, 3 * PAGE, addr, len), 1);
    EXPECT_EQ(addr[0], 0x40001200);
    EXPECT_EQ(len[0], 3 * PAGE);
}

TEST(no_segment_is_larger_than_size_max)
{
    blk_limits_t l;
    uint64_t features = 1ull << BLK_F_SIZE_MAX | 1ull << BLK_F_SEG_MAX;
    EXPECT_TRUE(blk_limits(features, 2048, 3, PAGE, &l) == NULL);
    uint64_t addr[SEGMENTS_MAX];
    uint32_t len[SEGMENTS_MAX];
    EXPECT_EQ(blk_segments(&l, contiguous, PAGE, 2 * PAGE, addr, len), 2);
    EXPECT_EQ(len[0], PAGE);
    EXPECT_EQ(len[1], PAGE);
    EXPECT_EQ(addr[1], 0x40002000);
    /* a buffer inside a page: its parts still within size_max and segments_max */
    EXPECT_EQ(blk_segments(&l, contiguous, PAGE + 512, 2 * PAGE, addr, len), 3);
    EXPECT_EQ(len[0], PAGE - 512);
    EXPECT_EQ(len[2], 512);
}
