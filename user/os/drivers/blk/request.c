/* The virtio-blk driver's checks of its clients' requests (request.h). */
#include "request.h"

const char *blk_limits(uint64_t features, uint64_t capacity, uint32_t seg_max, uint32_t size_max,
                       blk_limits_t *out)
{
    out->capacity = capacity;
    out->largest = LARGEST_REQUEST;
    out->segments_max = SEGMENTS_MAX;
    out->segment_bytes = (features & (1ull << BLK_F_SIZE_MAX)) ? size_max : UINT32_MAX;
    out->read_only = (features & (1ull << BLK_F_RO)) != 0;
    if (features & (1ull << BLK_F_SEG_MAX)) {
        out->segments_max = seg_max != 0 && seg_max < SEGMENTS_MAX ? seg_max : SEGMENTS_MAX;
    }
    /* A device limiting segments below a page: requests of one page each. */
    if ((features & (1ull << BLK_F_SIZE_MAX)) && size_max < PAGE) {
        return "the device's segments are smaller than a page";
    }
    if (out->segments_max < SEGMENTS_MAX) {
        out->largest = (out->segments_max - 1) * PAGE;
    }
    if (out->largest < PAGE) {
        return "the device takes too few segments in a request";
    }
    return NULL;
}

uint32_t blk_check(const blk_limits_t *limits, uint32_t pages, const keel_ring_entry_t *e)
{
    uint32_t op = keel_blk_op(e);
    if (op == KEEL_BLK_FLUSH || op == KEEL_BLK_INFO) {
        return KEEL_BLK_OK;
    }
    uint64_t buffer = keel_blk_buffer(e), region = (uint64_t)pages * PAGE;
    if ((op != KEEL_BLK_READ && op != KEEL_BLK_WRITE) || e->length == 0 ||
        e->length % KEEL_BLK_SECTOR != 0 || e->length > limits->largest || buffer < PAGE ||
        buffer > region || e->length > region - buffer || e->offset > limits->capacity ||
        e->length / KEEL_BLK_SECTOR > limits->capacity - e->offset) {
        return KEEL_BLK_BAD_REQUEST;
    }
    if (op == KEEL_BLK_WRITE && limits->read_only) {
        return KEEL_BLK_READ_ONLY;
    }
    return KEEL_BLK_OK;
}

unsigned blk_segments(const blk_limits_t *limits, const uint64_t *paddr, uint64_t buffer,
                      uint32_t length, uint64_t *addr, uint32_t *len)
{
    unsigned n = 0;
    while (length > 0) {
        uint64_t page = buffer / PAGE, in_page = buffer % PAGE;
        uint32_t chunk = (uint32_t)(PAGE - in_page) < length ? (uint32_t)(PAGE - in_page) : length;
        uint64_t at = paddr[page] + in_page;
        /* contiguous frames are one segment, as long as the device takes it */
        if (n > 0 && addr[n - 1] + len[n - 1] == at &&
            len[n - 1] + chunk <= limits->segment_bytes) {
            len[n - 1] += chunk;
        } else {
            addr[n] = at;
            len[n++] = chunk;
        }
        buffer += chunk;
        length -= chunk;
    }
    return n;
}
