/* malloc, free, realloc, calloc and the aligned allocators: libos's own,
 * linked ahead of picolibc's (docs/posix.md "Memory").
 *
 * picolibc's allocator keeps one address-ordered free list and walks it
 * on every malloc and free; Lua and SQLite allocate and free small blocks
 * all the time and spent a sixth of their instructions there. Here a
 * request of up to SMALL_MAX bytes is rounded up to one of CLASSES size
 * classes (16-byte steps to 256, then four classes per power of two),
 * each a LIFO list of free blocks: malloc and free are a few loads and
 * stores. Larger blocks are rare: an address-ordered list, first fit,
 * split and coalesced, and given back to the top of the heap when free.
 *
 * A block is a 16-byte header and its payload. The header has the usable
 * size, the class whose list the block goes to when free (the largest
 * class not above its size: any size works, which lets a block be split
 * anywhere), and a check word: the block's address mixed with a constant
 * that differs between a live and a free block. free and realloc refuse
 * (and end the process with a message) a pointer whose header does not
 * check out: a double free, or a pointer malloc never returned.
 *
 * Memory comes from sbrk, CHUNK bytes at a time (each a request to pm),
 * and is not given back. Small blocks are not coalesced: what one class
 * frees, that class reuses (or a smaller request, when the heap cannot
 * grow). A Keel process is single-threaded, so there is no lock. */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ALIGNMENT 16
#define SMALL_MAX 8192
#define SMALL_STEPS 16 /* classes 0..15: 16, 32, ... 256 bytes */
#define CLASSES 36     /* then 320, 384, 448, 512, 640, ... 8192 */
#define LARGE 0xffu    /* the class of a block above SMALL_MAX */
#define CHUNK ((size_t)64 * 1024)
#define LIVE 0x6c6976656b65656cull
#define FREE 0x667265656b65656cull

typedef struct header {
    size_t size;    /* usable bytes after the header: a multiple of 16 */
    uint32_t class; /* its free list: the largest class <= size, or LARGE */
    uint32_t check; /* address ^ LIVE or FREE, folded */
} header_t;

_Static_assert(sizeof(header_t) == ALIGNMENT, "a header keeps the payload aligned");

/* A free block's payload holds the link of its list. */
typedef struct free_block {
    struct free_block *next;
} free_block_t;

static free_block_t *small_free[CLASSES];
static free_block_t *large_free; /* in address order */
static uintptr_t heap_top;       /* [heap_top, heap_end): not yet a block */
static uintptr_t heap_end;

static uint32_t check_word(const header_t *h, uint64_t state)
{
    uint64_t x = (uint64_t)(uintptr_t)h ^ state;
    return (uint32_t)(x ^ (x >> 32));
}

static header_t *header_of(void *p)
{
    return (header_t *)p - 1;
}

static void *payload_of(header_t *h)
{
    return h + 1;
}

static uintptr_t block_end(const header_t *h)
{
    return (uintptr_t)(h + 1) + h->size;
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) & ~(to - 1);
}

/* The smallest class holding n bytes (1 <= n <= SMALL_MAX). */
static unsigned class_above(size_t n)
{
    if (n <= 256) {
        return n == 0 ? 0 : (unsigned)((n - 1) >> 4);
    }
    unsigned log = 63u - (unsigned)__builtin_clzll(n - 1); /* 8..12 */
    return SMALL_STEPS + (log - 8) * 4 + (unsigned)((n - 1) >> (log - 2)) - 4;
}

static size_t class_size(unsigned c)
{
    if (c < SMALL_STEPS) {
        return (c + 1) * 16;
    }
    unsigned k = c - SMALL_STEPS;
    unsigned log = 8 + k / 4;
    return ((size_t)1 << log) + ((size_t)(k % 4 + 1) << (log - 2));
}

/* The list a free block of `size` usable bytes belongs to. */
static unsigned class_below(size_t size)
{
    if (size > SMALL_MAX) {
        return LARGE;
    }
    unsigned c = class_above(size);
    return class_size(c) == size ? c : c - 1;
}

/* Report a pointer that is not a live block and end the process. */
static __attribute__((noreturn)) void heap_refuse(const char *call)
{
    static const char tail[] = "(): not a block malloc returned (a double free?)\n";
    (void)!write(STDERR_FILENO, call, strlen(call));
    (void)!write(STDERR_FILENO, tail, sizeof(tail) - 1);
    abort();
}

static header_t *live_header(void *p, const char *call)
{
    header_t *h = header_of(p);
    if (((uintptr_t)p & (ALIGNMENT - 1)) != 0 || h->check != check_word(h, LIVE)) {
        heap_refuse(call);
    }
    return h;
}

static header_t *make_block(uintptr_t at, size_t size)
{
    header_t *h = (header_t *)at;
    h->size = size;
    h->class = class_below(size);
    h->check = check_word(h, LIVE);
    return h;
}

static void *take(header_t *h)
{
    h->check = check_word(h, LIVE);
    return payload_of(h);
}

/* ---- large blocks ---- */

static void large_insert(header_t *h)
{
    free_block_t **link = &large_free;
    while (*link != NULL && (uintptr_t)*link < (uintptr_t)h) {
        link = &(*link)->next;
    }
    free_block_t *block = payload_of(h);
    block->next = *link;
    *link = block;
    /* coalesce with the next block, then with the previous one */
    if (block->next != NULL && block_end(h) == (uintptr_t)header_of(block->next)) {
        h->size += sizeof(header_t) + header_of(block->next)->size;
        block->next = block->next->next;
    }
    if (link != &large_free) {
        header_t *prev =
            header_of((free_block_t *)((uintptr_t)link - offsetof(free_block_t, next)));
        if (block_end(prev) == (uintptr_t)h) {
            prev->size += sizeof(header_t) + h->size;
            ((free_block_t *)payload_of(prev))->next = block->next;
        }
    }
}

/* The free large block that ends at the heap's top goes back to it. */
static void large_trim(void)
{
    free_block_t **link = &large_free;
    while (*link != NULL && (*link)->next != NULL) {
        link = &(*link)->next;
    }
    if (*link != NULL && block_end(header_of(*link)) == heap_top) {
        heap_top = (uintptr_t)header_of(*link);
        *link = NULL;
    }
}

static void block_release(header_t *h)
{
    h->check = check_word(h, FREE);
    if (h->class == LARGE) {
        large_insert(h);
        large_trim();
    } else {
        free_block_t *block = payload_of(h);
        block->next = small_free[h->class];
        small_free[h->class] = block;
    }
}

/* Keep `size` bytes of h; what is beyond, if it can be a block, is free. */
static void block_split(header_t *h, size_t size)
{
    if (h->size < size + sizeof(header_t) + ALIGNMENT) {
        return;
    }
    size_t rest = h->size - size - sizeof(header_t);
    h->size = size;
    h->class = class_below(size);
    block_release(make_block(block_end(h), rest));
}

static header_t *large_fit(size_t size)
{
    for (free_block_t **link = &large_free; *link != NULL; link = &(*link)->next) {
        header_t *h = header_of(*link);
        if (h->size >= size) {
            *link = (*link)->next;
            return h;
        }
    }
    return NULL;
}

/* ---- the heap's top ---- */

/* What is left between the top and the end becomes a free block. */
static void retire_tail(void)
{
    if (heap_end - heap_top >= sizeof(header_t) + ALIGNMENT) {
        size_t size = (heap_end - heap_top - sizeof(header_t)) & ~(size_t)(ALIGNMENT - 1);
        block_release(make_block(heap_top, size));
    }
    heap_top = heap_end;
}

/* At least `need` bytes between the top and the end: sbrk CHUNK bytes (or
 * more), else exactly what is missing (a heap near its limit). */
static bool heap_grow(size_t need)
{
    size_t missing = need - (heap_end - heap_top);
    size_t sizes[2] = { round_up(need > CHUNK ? need : CHUNK, 4096) + ALIGNMENT,
                        round_up(missing, ALIGNMENT) + ALIGNMENT };
    for (unsigned i = 0; i < 2; i++) {
        void *got = sbrk((ptrdiff_t)sizes[i]);
        if (got == (void *)-1) {
            continue;
        }
        uintptr_t start = (uintptr_t)got;
        if (start == heap_end && heap_end - heap_top + sizes[i] >= need) {
            heap_end += sizes[i];
            return true;
        }
        if (sizes[i] >= need + ALIGNMENT) { /* not after the old end: start anew */
            retire_tail();
            heap_top = round_up(start, ALIGNMENT);
            heap_end = start + sizes[i];
            return true;
        }
        (void)sbrk(-(ptrdiff_t)sizes[i]);
    }
    return false;
}

static header_t *top_block(size_t size)
{
    size_t need = sizeof(header_t) + size;
    if (heap_end - heap_top < need && !heap_grow(need)) {
        return NULL;
    }
    header_t *h = make_block(heap_top, size);
    heap_top += need;
    return h;
}

/* The heap cannot grow: any free block big enough, split. */
static header_t *any_fit(size_t size)
{
    if (size <= SMALL_MAX) {
        for (unsigned c = class_above(size); c < CLASSES; c++) {
            if (small_free[c] != NULL) {
                header_t *h = header_of(small_free[c]);
                small_free[c] = small_free[c]->next;
                block_split(h, size);
                return h;
            }
        }
    }
    header_t *h = large_fit(size);
    if (h != NULL) {
        block_split(h, size);
    }
    return h;
}

/* ---- the calls ---- */

void *malloc(size_t n)
{
    if (n <= SMALL_MAX) {
        unsigned c = class_above(n);
        free_block_t *block = small_free[c];
        if (block != NULL) {
            small_free[c] = block->next;
            return take(header_of(block));
        }
        header_t *h = top_block(class_size(c));
        if (h == NULL) {
            h = any_fit(class_size(c));
        }
        if (h == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        return take(h);
    }
    if (n > PTRDIFF_MAX / 2) {
        errno = ENOMEM;
        return NULL;
    }
    size_t size = round_up(n, ALIGNMENT);
    header_t *h = large_fit(size);
    if (h != NULL) {
        block_split(h, size);
    } else {
        h = top_block(size);
        if (h == NULL) {
            h = any_fit(size);
        }
    }
    if (h == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    return take(h);
}

void free(void *p)
{
    if (p != NULL) {
        block_release(live_header(p, "free"));
    }
}

/* A large block at the top of the heap grows where it is. */
static bool grow_in_place(header_t *h, size_t size)
{
    if (h->class != LARGE || block_end(h) != heap_top) {
        return false;
    }
    size_t more = size - h->size;
    if (heap_end - heap_top < more && (!heap_grow(more) || block_end(h) != heap_top)) {
        return false;
    }
    heap_top += more;
    h->size = size;
    return true;
}

void *realloc(void *p, size_t n)
{
    if (p == NULL) {
        return malloc(n);
    }
    header_t *h = live_header(p, "realloc");
    if (n == 0) {
        block_release(h);
        return NULL;
    }
    if (n <= h->size) {
        if (n >= h->size / 4) {
            return p;
        }
        if (n > SMALL_MAX) { /* a large block: give back its end */
            block_split(h, round_up(n, ALIGNMENT));
            return p;
        }
        void *q = malloc(n); /* a smaller block, so as not to keep the space */
        if (q == NULL) {
            return p;
        }
        memcpy(q, p, n);
        block_release(h);
        return q;
    }
    if (n <= PTRDIFF_MAX / 2 && grow_in_place(h, round_up(n, ALIGNMENT))) {
        return p;
    }
    void *q = malloc(n);
    if (q != NULL) {
        memcpy(q, p, h->size);
        block_release(h);
    }
    return q;
}

void *calloc(size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(n);
    if (p != NULL) {
        memset(p, 0, n);
    }
    return p;
}

size_t malloc_usable_size(void *p)
{
    return p == NULL ? 0 : live_header(p, "malloc_usable_size")->size;
}

/* A block whose payload is aligned to `alignment` (a power of two): a
 * bigger one, and the part before the aligned address split off as a
 * block of its own (at least a header and 16 bytes). */
void *memalign(size_t alignment, size_t n)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    if (alignment <= ALIGNMENT) {
        return malloc(n);
    }
    if (n > PTRDIFF_MAX / 2 || alignment > PTRDIFF_MAX / 4) {
        errno = ENOMEM;
        return NULL;
    }
    void *raw = malloc(n + alignment + 2 * sizeof(header_t));
    if (raw == NULL || ((uintptr_t)raw & (alignment - 1)) == 0) {
        return raw;
    }
    header_t *h = header_of(raw);
    uintptr_t aligned = round_up((uintptr_t)raw + 2 * sizeof(header_t), alignment);
    size_t before = aligned - (uintptr_t)raw - sizeof(header_t);
    header_t *rest = make_block(aligned - sizeof(header_t), h->size - before - sizeof(header_t));
    h->size = before;
    h->class = class_below(before);
    block_release(h);
    return payload_of(rest);
}

int posix_memalign(void **out, size_t alignment, size_t n)
{
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) {
        return EINVAL;
    }
    int saved = errno;
    void *p = memalign(alignment, n);
    if (p == NULL) {
        int error = errno;
        errno = saved;
        return error;
    }
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t n)
{
    return memalign(alignment, n);
}
