/* libos's allocator (user/os/lib/malloc.c) on the host, under ASan and
 * UBSan: its functions renamed keel_*, its sbrk a stand-in over a static
 * arena that can refuse, jump (memory not after the last) or run out.
 * Random mixes of malloc, calloc, realloc, memalign and free, every block
 * filled with a pattern of its own and checked before it changes: blocks
 * that overlapped, or a realloc that lost bytes, show as a wrong pattern.
 * Size classes at every boundary, large blocks split, coalesced and given
 * back to the top, the heap's limit (ENOMEM, then the free blocks reused),
 * and a double free or a wild pointer ending the process (in a child). */
#include <harness.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define malloc keel_malloc
#define free keel_free
#define realloc keel_realloc
#define calloc keel_calloc
#define memalign keel_memalign
#define posix_memalign keel_posix_memalign
#define aligned_alloc keel_aligned_alloc
#define malloc_usable_size keel_malloc_usable_size
#define sbrk test_sbrk

void *keel_malloc(size_t n);
void keel_free(void *p);
void *keel_realloc(void *p, size_t n);
void *keel_calloc(size_t count, size_t size);
void *keel_memalign(size_t alignment, size_t n);
int keel_posix_memalign(void **out, size_t alignment, size_t n);
void *keel_aligned_alloc(size_t alignment, size_t n);
size_t keel_malloc_usable_size(void *p);
static void *test_sbrk(ptrdiff_t increment);

#include "../../user/os/lib/malloc.c"

#undef malloc
#undef free
#undef realloc
#undef calloc
#undef memalign
#undef posix_memalign
#undef aligned_alloc
#undef malloc_usable_size
#undef sbrk

/* The stand-in break: an arena of ARENA bytes, `limit` of them allowed;
 * with `jump` set, the next sbrk skips some bytes (another sbrk user). */
enum { ARENA = 64 << 20 };
static _Alignas(4096) uint8_t arena[ARENA];
static size_t brk_offset, limit = ARENA;
static size_t jump;
static unsigned sbrk_calls;

static void *test_sbrk(ptrdiff_t increment)
{
    sbrk_calls++;
    if (jump <= limit - brk_offset) {
        brk_offset += jump;
    }
    jump = 0;
    if (increment > 0 && (size_t)increment > limit - brk_offset) {
        errno = ENOMEM;
        return (void *)-1;
    }
    void *old = arena + brk_offset;
    brk_offset += (size_t)increment;
    return old;
}

static void heap_reset(void)
{
    memset(small_free, 0, sizeof(small_free));
    large_free = NULL;
    heap_top = heap_end = 0;
    brk_offset = jump = 0;
    limit = ARENA;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 13);
    }
}

static bool intact(const uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (uint8_t)(seed + i * 13)) {
            return false;
        }
    }
    return true;
}

static bool in_arena(const void *p, size_t n)
{
    return (const uint8_t *)p >= arena && (const uint8_t *)p + n <= arena + brk_offset;
}

TEST(size_classes_cover_every_small_size)
{
    for (size_t n = 1; n <= SMALL_MAX; n++) {
        unsigned c = class_above(n);
        ASSERT_TRUE(c < CLASSES);
        EXPECT_TRUE(class_size(c) >= n);
        EXPECT_TRUE(c == 0 || class_size(c - 1) < n);
        EXPECT_EQ(class_size(c) % ALIGNMENT, 0u);
    }
    EXPECT_EQ(class_size(CLASSES - 1), (size_t)SMALL_MAX);
    for (size_t size = 16; size <= SMALL_MAX; size += 16) {
        unsigned c = class_below(size);
        EXPECT_TRUE(class_size(c) <= size);
        EXPECT_TRUE(c + 1 == CLASSES || class_size(c + 1) > size);
    }
    EXPECT_EQ(class_below(SMALL_MAX + 16), LARGE);
}

TEST(small_blocks_are_aligned_sized_and_reused)
{
    heap_reset();
    static const size_t sizes[] = { 0, 1, 15, 16, 17, 255, 256, 257, 320, 321, 4096, 8191, 8192 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *p = keel_malloc(sizes[i]);
        ASSERT_TRUE(p != NULL);
        EXPECT_EQ((uintptr_t)p % ALIGNMENT, 0u);
        EXPECT_TRUE(keel_malloc_usable_size(p) >= sizes[i]);
        EXPECT_TRUE(in_arena(p, sizes[i]));
        keel_free(p);
        EXPECT_TRUE(keel_malloc(sizes[i]) == p); /* the class's list is LIFO */
        keel_free(p);
    }
}

TEST(random_mix_keeps_every_block_intact)
{
    heap_reset();
    enum { SLOTS = 512, ROUNDS = 200000 };
    static uint8_t *block[SLOTS];
    static size_t length[SLOTS];
    static uint8_t seed[SLOTS];
    memset(block, 0, sizeof(block));
    for (unsigned round = 0; round < ROUNDS; round++) {
        unsigned i = (unsigned)(next_random() % SLOTS);
        uint64_t r = next_random();
        size_t n = (r >> 8) % 100 < 90 ? (r >> 16) % 600 : (r >> 16) % 40000;
        if (round % 5000 == 0) {
            jump = 4096 + (r & 0x3ff); /* memory that does not follow the last */
        }
        if (block[i] != NULL && !intact(block[i], length[i], seed[i])) {
            HARNESS_CHECK_(false, "block %u (%zu bytes) changed under it in round %u", i, length[i],
                           round);
            return;
        }
        uint8_t s = (uint8_t)(r >> 40);
        switch (r % 6) {
        case 0:
        case 1:
            keel_free(block[i]);
            block[i] = keel_malloc(n);
            break;
        case 2: { /* realloc keeps the shorter of the two lengths */
            uint8_t *q = keel_realloc(block[i], n);
            if (n == 0) {
                block[i] = NULL;
                length[i] = 0;
                continue;
            }
            ASSERT_TRUE(q != NULL);
            size_t kept = length[i] < n ? length[i] : n;
            if (block[i] != NULL && !intact(q, kept, seed[i])) {
                HARNESS_CHECK_(false, "realloc from %zu to %zu bytes lost bytes", length[i], n);
                return;
            }
            block[i] = q;
            break;
        }
        case 3: {
            keel_free(block[i]);
            block[i] = keel_calloc(1, n);
            ASSERT_TRUE(block[i] != NULL);
            for (size_t k = 0; k < n; k++) {
                if (block[i][k] != 0) {
                    HARNESS_CHECK_(false, "calloc(%zu) byte %zu is %u", n, k, block[i][k]);
                    return;
                }
            }
            break;
        }
        case 4: {
            size_t alignment = (size_t)32 << ((r >> 4) % 8);
            keel_free(block[i]);
            block[i] = keel_memalign(alignment, n);
            ASSERT_TRUE(block[i] != NULL);
            EXPECT_EQ((uintptr_t)block[i] % alignment, 0u);
            break;
        }
        default:
            keel_free(block[i]);
            block[i] = NULL;
            length[i] = 0;
            continue;
        }
        ASSERT_TRUE(block[i] != NULL);
        EXPECT_TRUE(keel_malloc_usable_size(block[i]) >= n);
        EXPECT_TRUE(in_arena(block[i], n));
        length[i] = n;
        seed[i] = s;
        fill(block[i], n, s);
    }
    for (unsigned i = 0; i < SLOTS; i++) {
        EXPECT_TRUE(block[i] == NULL || intact(block[i], length[i], seed[i]));
        keel_free(block[i]);
    }
}

TEST(large_blocks_coalesce_and_go_back_to_the_top)
{
    heap_reset();
    void *a = keel_malloc(20000), *b = keel_malloc(30000), *c = keel_malloc(40000);
    ASSERT_TRUE(a != NULL && b != NULL && c != NULL);
    uintptr_t top_before = heap_top;
    keel_free(a);
    keel_free(b); /* a and b: one free block */
    ASSERT_TRUE(large_free != NULL);
    EXPECT_TRUE(large_free->next == NULL);
    EXPECT_TRUE(header_of(large_free)->size >= 50000);
    void *d = keel_malloc(50000); /* a+b, whole (too little left to split): no growth */
    EXPECT_TRUE(d == a);
    EXPECT_EQ(heap_top, top_before);
    keel_free(c); /* at the top: the top comes down */
    EXPECT_TRUE(heap_top < top_before);
    keel_free(d);
    EXPECT_TRUE(large_free == NULL);
    EXPECT_EQ(heap_top, (uintptr_t)header_of(a)); /* all of it back to the top */
}

TEST(realloc_grows_at_the_top_in_place_and_shrinks)
{
    heap_reset();
    uint8_t *p = keel_malloc(10000);
    ASSERT_TRUE(p != NULL);
    fill(p, 10000, 7);
    uint8_t *q = keel_realloc(p, 300000);
    EXPECT_TRUE(q == p);
    EXPECT_TRUE(intact(q, 10000, 7));
    uint8_t *r = keel_realloc(q, 20000); /* shrinks in place, the rest freed */
    EXPECT_TRUE(r == q);
    EXPECT_TRUE(keel_malloc_usable_size(r) < 300000);
    EXPECT_TRUE(intact(r, 10000, 7));
    uint8_t *s = keel_realloc(r, 40); /* far smaller: a small block */
    EXPECT_TRUE(s != r);
    EXPECT_TRUE(intact(s, 40, 7));
    EXPECT_TRUE(keel_realloc(s, 0) == NULL);
}

TEST(the_heap_limit_gives_enomem_then_reuses_free_blocks)
{
    heap_reset();
    limit = 256 * 1024;
    void *big[64];
    unsigned n = 0;
    while (n < 64 && (big[n] = keel_malloc(10000)) != NULL) {
        n++;
    }
    EXPECT_TRUE(n > 10 && n < 64);
    errno = 0;
    EXPECT_TRUE(keel_malloc(10000) == NULL);
    EXPECT_EQ(errno, ENOMEM);
    EXPECT_TRUE(keel_malloc(SIZE_MAX) == NULL);
    EXPECT_TRUE(keel_calloc(SIZE_MAX / 2, 3) == NULL);
    keel_free(big[0]);
    void *small = keel_malloc(100); /* the heap cannot grow: a split free block */
    EXPECT_TRUE(small != NULL);
    keel_free(small);
    for (unsigned i = 1; i < n; i++) {
        keel_free(big[i]);
    }
    EXPECT_TRUE(keel_malloc(100000) != NULL);
}

TEST(aligned_calls_check_their_alignment)
{
    heap_reset();
    void *p = (void *)1;
    EXPECT_EQ(keel_posix_memalign(&p, 24, 10), EINVAL);
    EXPECT_EQ(keel_posix_memalign(&p, 4, 10), EINVAL);
    EXPECT_TRUE(p == (void *)1);
    EXPECT_EQ(keel_posix_memalign(&p, 4096, 10), 0);
    EXPECT_EQ((uintptr_t)p % 4096, 0u);
    keel_free(p);
    errno = 0;
    EXPECT_TRUE(keel_aligned_alloc(48, 10) == NULL);
    EXPECT_EQ(errno, EINVAL);
    void *q = keel_aligned_alloc(64, 100);
    EXPECT_EQ((uintptr_t)q % 64, 0u);
    keel_free(q);
}

/* What free(p) does in a child: the signal that ended it, or 0. */
static int child_signal(void (*act)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDERR_FILENO);
        act();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void double_free(void)
{
    heap_reset();
    void *p = keel_malloc(40);
    keel_free(p);
    keel_free(p);
}

static void wild_free(void)
{
    heap_reset();
    uint8_t *p = keel_malloc(64);
    keel_free(p + 16);
}

static void wild_realloc(void)
{
    heap_reset();
    uint8_t *p = keel_malloc(64);
    (void)!keel_realloc(p + 8, 100);
}

TEST(a_double_free_or_a_wild_pointer_ends_the_process)
{
    EXPECT_EQ(child_signal(double_free), SIGABRT);
    EXPECT_EQ(child_signal(wild_free), SIGABRT);
    EXPECT_EQ(child_signal(wild_realloc), SIGABRT);
}
