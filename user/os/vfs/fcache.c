/* The file cache (docs/storage.md "The file cache"): pages of the disk's
 * regular files that vfs has read, so that a read of a cached range costs
 * one request to vfs and two copies (the page into the caller's window,
 * the window into the caller's buffer) instead of a trip through the ext2
 * server and the driver.
 *
 * Why it can live in vfs: every request that reaches the ext2 server is
 * vfs's, so vfs sees every change of a file's bytes -- a WRITE, a
 * TRUNCATE, an OPEN with O_TRUNC -- and drops what they change. What the
 * server does on its own never changes a file's bytes: it frees an inode
 * (an unlinked file's last close, a restarted server's orphans), and a
 * freed inode number comes back with a new generation, which the replies
 * to OPEN, GETATTR and READ carry. So each cached inode keeps the
 * generation and the size the server last gave; a reply that says
 * otherwise drops its pages. A WRITE's own result tells the new size. The cache holds no byte the
 * disk does not have (writes go to the server first, as before), so no crash of anyone loses
 * anything in it.
 *
 * Pages are 4 KiB, found by (inode, page number) in a hash table, and
 * taken back by a clock hand that passes over recently used ones once.
 * A page past the file's end at the time it was read is zero beyond that
 * end, as the server keeps the bytes past the end of a file's last block:
 * a file that grows past it later shows zeroes there, which is right. */
#include "vfs.h"

#include <errno.h>
#include <string.h>

#define PAGE 4096u
#define PAGES 512u /* 2 MiB */
#define INODES 64u /* cached inodes; one leaving takes its pages along */
#define BUCKETS 256u
#define NONE 0xffffu

typedef struct cinode {
    uint32_t ino; /* 0: free */
    uint32_t generation;
    uint64_t size;     /* the server's, at its last reply about the inode */
    uint64_t last_use; /* a clock of requests: the oldest goes first */
    uint32_t pages;    /* cached */
} cinode_t;

typedef struct cpage {
    uint32_t ino;   /* 0: free */
    uint32_t index; /* page number in the file */
    uint16_t next;  /* the hash chain */
    uint8_t owner;  /* the inode's place in the table */
    bool recent;    /* used since the hand last passed */
} cpage_t;

static struct {
    cinode_t inodes[INODES];
    cpage_t pages[PAGES];
    uint16_t buckets[BUCKETS];
    uint16_t hand;
    uint64_t clock;
} fc;

static uint8_t page_data[PAGES][PAGE] __attribute__((aligned(PAGE)));

void fcache_init(void)
{
    memset(&fc, 0, sizeof(fc));
    for (unsigned i = 0; i < BUCKETS; i++) {
        fc.buckets[i] = NONE;
    }
}

static unsigned bucket_of(uint32_t ino, uint32_t index)
{
    return (ino * 2654435761u + index) % BUCKETS;
}

static cinode_t *inode_find(uint32_t ino)
{
    for (unsigned i = 0; i < INODES; i++) {
        if (fc.inodes[i].ino == ino) {
            return &fc.inodes[i];
        }
    }
    return NULL;
}

static long page_find(uint32_t ino, uint32_t index)
{
    for (uint16_t i = fc.buckets[bucket_of(ino, index)]; i != NONE; i = fc.pages[i].next) {
        if (fc.pages[i].ino == ino && fc.pages[i].index == index) {
            return i;
        }
    }
    return -1;
}

static void page_drop(uint16_t i)
{
    cpage_t *pg = &fc.pages[i];
    uint16_t *link = &fc.buckets[bucket_of(pg->ino, pg->index)];
    while (*link != i) {
        link = &fc.pages[*link].next;
    }
    *link = pg->next;
    fc.inodes[pg->owner].pages--;
    *pg = (cpage_t){ 0 };
}

static void inode_drop_pages(cinode_t *ci)
{
    for (uint16_t i = 0; i < PAGES && ci->pages > 0; i++) {
        if (fc.pages[i].ino == ci->ino) {
            page_drop(i);
        }
    }
}

void fcache_forget(uint32_t ino)
{
    cinode_t *ci = inode_find(ino);
    if (ci != NULL) {
        inode_drop_pages(ci);
        *ci = (cinode_t){ 0 };
    }
}

/* The inode as the server described it just now: a different generation
 * or size than the cache believes drops what it has. */
static cinode_t *inode_update(const keel_fs_attr_t *a)
{
    uint32_t ino = (uint32_t)a->ino;
    cinode_t *ci = inode_find(ino);
    if (ci != NULL && (ci->generation != a->generation || ci->size != a->size)) {
        inode_drop_pages(ci);
    }
    if (ci == NULL) {
        ci = &fc.inodes[0];
        for (unsigned i = 0; i < INODES && ci->ino != 0; i++) {
            if (fc.inodes[i].ino == 0 || fc.inodes[i].last_use < ci->last_use) {
                ci = &fc.inodes[i];
            }
        }
        inode_drop_pages(ci);
        ci->pages = 0;
    }
    ci->ino = ino;
    ci->generation = a->generation;
    ci->size = a->size;
    ci->last_use = ++fc.clock;
    return ci;
}

/* A page to fill: a free one, or the first the hand finds not used since
 * it last passed. */
static uint16_t page_take(void)
{
    for (;;) {
        uint16_t i = fc.hand;
        fc.hand = (uint16_t)((fc.hand + 1) % PAGES);
        cpage_t *pg = &fc.pages[i];
        if (pg->ino == 0) {
            return i;
        }
        if (!pg->recent) {
            page_drop(i);
            return i;
        }
        pg->recent = false;
    }
}

static void page_install(cinode_t *ci, uint32_t index, const uint8_t *bytes, size_t n)
{
    uint16_t i = page_take();
    memcpy(page_data[i], bytes, n);
    memset(page_data[i] + n, 0, PAGE - n);
    unsigned b = bucket_of(ci->ino, index);
    fc.pages[i] = (cpage_t){ ci->ino, index, fc.buckets[b], (uint8_t)(ci - fc.inodes), true };
    fc.buckets[b] = i;
    ci->pages++;
}

/* Read pages first.. of the inode from the server (as many as are missing
 * in a row, up to `last` and the channel's data area) into the cache. */
static long fill(uint32_t ino, uint32_t first, uint32_t last)
{
    uint32_t count = 1;
    while (first + count <= last && count < KEEL_FS_DATA_MAX / PAGE &&
           page_find(ino, first + count) < 0) {
        count++;
    }
    keel_fs_attr_t a;
    uint64_t ask = (uint64_t)count * PAGE;
    long r = disk_ino_call(KEEL_FS_READ, ino, (uint64_t)first * PAGE, ask, &a);
    if (r < 0) {
        return r;
    }
    if ((uint64_t)r > ask || a.ino != ino) {
        return -EIO; /* the server claims more than it was asked */
    }
    cinode_t *ci = inode_update(&a);
    for (uint32_t k = 0; (uint64_t)k * PAGE < (uint64_t)r; k++) {
        size_t n = (size_t)r - (size_t)k * PAGE;
        page_install(ci, first + k, disk_data() + (size_t)k * PAGE, n < PAGE ? n : PAGE);
    }
    return r;
}

long fcache_read(uint32_t ino, uint64_t offset, uint8_t *buf, size_t length)
{
    if (length == 0 || offset / PAGE + KEEL_FS_DATA_MAX / PAGE >= UINT32_MAX) {
        return 0; /* no ext2 file reaches 16 TiB */
    }
    cinode_t *ci = inode_find(ino);
    if (ci == NULL) {
        long r = fill(ino, (uint32_t)(offset / PAGE), (uint32_t)((offset + length - 1) / PAGE));
        if (r < 0 || (ci = inode_find(ino)) == NULL) {
            return r < 0 ? r : -EIO;
        }
    }
    ci->last_use = ++fc.clock;
    size_t done = 0;
    while (done < length && offset + done < ci->size) {
        uint64_t pos = offset + done;
        uint32_t index = (uint32_t)(pos / PAGE), at = (uint32_t)(pos % PAGE);
        size_t chunk = PAGE - at;
        chunk = chunk < length - done ? chunk : length - done;
        chunk = chunk < ci->size - pos ? chunk : (size_t)(ci->size - pos);
        long i = page_find(ino, index);
        if (i < 0) {
            uint64_t end = offset + length < ci->size ? offset + length : ci->size;
            long r = fill(ino, index, (uint32_t)((end - 1) / PAGE));
            if (r < 0) {
                return done > 0 ? (long)done : r;
            }
            if ((ci = inode_find(ino)) == NULL || (i = page_find(ino, index)) < 0) {
                break; /* the file ended before this page */
            }
            continue; /* the size may have changed: measure the chunk again */
        }
        fc.pages[i].recent = true;
        memcpy(buf + done, page_data[i] + at, chunk);
        done += chunk;
    }
    return (long)done;
}

/* A WRITE of `length` bytes at offset that wrote `result` (or failed):
 * the pages it overlaps go; the file is at least as long as what it
 * wrote (vfs is the server's only writer, so that is its size). */
void fcache_wrote(uint32_t ino, uint64_t offset, uint64_t length, long result)
{
    cinode_t *ci = inode_find(ino);
    uint64_t end;
    if (ci == NULL || length == 0) {
        return;
    }
    if (result < 0 || length > KEEL_FS_DATA_MAX || __builtin_add_overflow(offset, length, &end)) {
        fcache_forget(ino); /* how much of a failed write happened is unknown */
        return;
    }
    for (uint64_t index = offset / PAGE; index <= (end - 1) / PAGE && index <= UINT32_MAX;
         index++) {
        long i = page_find(ino, (uint32_t)index);
        if (i >= 0) {
            page_drop((uint16_t)i);
        }
    }
    if (offset + (uint64_t)result > ci->size) {
        ci->size = offset + (uint64_t)result;
    }
}

/* What the server said about the inode just now (OPEN, GETATTR): a cached
 * inode it contradicts loses its pages. An inode not cached stays so
 * until a READ (the cache learns nothing it will not use). */
void fcache_described(uint32_t ino, const keel_fs_attr_t *a)
{
    if (a->ino != ino) {
        fcache_forget(ino); /* a reply that does not describe the inode */
    } else if (inode_find(ino) != NULL) {
        inode_update(a);
    }
}
