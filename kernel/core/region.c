/* Physical range sets for boot-time memory bookkeeping: see region.h. */
#include <region.h>
#include <util.h>

static void remove_at(region_set_t *set, unsigned i)
{
    for (unsigned j = i; j + 1 < set->count; j++) {
        set->r[j] = set->r[j + 1];
    }
    set->count--;
}

static void insert_at(region_set_t *set, unsigned i, region_t r)
{
    for (unsigned j = set->count; j > i; j--) {
        set->r[j] = set->r[j - 1];
    }
    set->r[i] = r;
    set->count++;
}

bool region_set_add(region_set_t *set, region_t r)
{
    if (r.start >= r.end) {
        return true;
    }
    /* First range that ends at or after r.start: it may touch r. */
    unsigned i = 0;
    while (i < set->count && set->r[i].end < r.start) {
        i++;
    }
    /* Absorb every range that overlaps or touches r. */
    while (i < set->count && set->r[i].start <= r.end) {
        r.start = MIN(r.start, set->r[i].start);
        r.end = MAX(r.end, set->r[i].end);
        remove_at(set, i);
    }
    if (set->count == REGION_SET_MAX) {
        return false; /* nothing was absorbed, so the set is unchanged */
    }
    insert_at(set, i, r);
    return true;
}

bool region_set_remove(region_set_t *set, region_t r)
{
    if (r.start >= r.end) {
        return true;
    }
    for (unsigned i = 0; i < set->count; i++) {
        region_t cur = set->r[i];
        if (cur.end <= r.start || cur.start >= r.end) {
            continue;
        }
        bool keep_low = cur.start < r.start;
        bool keep_high = cur.end > r.end;
        if (keep_low && keep_high) {
            if (set->count == REGION_SET_MAX) {
                return false; /* only a split can fail, and it is the only overlap */
            }
            set->r[i].end = r.start;
            insert_at(set, i + 1, (region_t){ r.end, cur.end });
            return true;
        }
        if (keep_low) {
            set->r[i].end = r.start;
        } else if (keep_high) {
            set->r[i].start = r.end;
        } else {
            remove_at(set, i);
            i--;
        }
    }
    return true;
}

bool region_set_intersects(const region_set_t *set, region_t r)
{
    if (r.start >= r.end) {
        return false; /* an empty range intersects nothing */
    }
    for (unsigned i = 0; i < set->count; i++) {
        if (set->r[i].start < r.end && r.start < set->r[i].end) {
            return true;
        }
    }
    return false;
}

unsigned region_cut_pow2(region_t r, unsigned min_bits, unsigned max_bits,
                         void (*emit)(void *ctx, paddr_t base, unsigned size_bits), void *ctx)
{
    unsigned emitted = 0;
    paddr_t at = r.start;
    while (at < r.end) {
        unsigned bits = highest_bit(r.end - at);
        if (at != 0) {
            bits = MIN(bits, lowest_bit(at));
        }
        bits = MIN(bits, max_bits);
        if (bits >= min_bits) {
            emit(ctx, at, bits);
            emitted++;
        }
        at += BIT(bits);
    }
    return emitted;
}
