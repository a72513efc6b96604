/* A root task "built elsewhere": it knows the seL4 ABI only from the
 * specification (system-call registers, BootInfo layout) and uses nothing of
 * Keel's own libraries or headers. It checks what the boot protocol promises
 * (ABI 9.2-9.5) and that the device tree it gets is compact, prints the
 * outcome and halts the system. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t word;

/* ABI 9.5: seL4_SlotRegion, seL4_UntypedDesc, seL4_BootInfo. */
struct slot_region {
    word start, end;
};

struct untyped_desc {
    word paddr;
    uint8_t size_bits, is_device, padding[6];
};

struct boot_info {
    word extra_len, node_id, num_nodes, num_io_pt_levels, ipc_buffer;
    struct slot_region empty, shared_frames, user_image_frames, user_image_paging, io_space_caps,
        extra_bi_pages;
    word init_thread_cnode_size_bits, init_thread_domain;
    struct slot_region untyped;
    struct untyped_desc untyped_list[230];
};

_Static_assert(offsetof(struct boot_info, ipc_buffer) == 32, "BootInfo layout");
_Static_assert(offsetof(struct boot_info, empty) == 40, "BootInfo layout");
_Static_assert(offsetof(struct boot_info, init_thread_cnode_size_bits) == 136, "BootInfo layout");
_Static_assert(offsetof(struct boot_info, untyped) == 152, "BootInfo layout");
_Static_assert(offsetof(struct boot_info, untyped_list) == 168, "BootInfo layout");
_Static_assert(sizeof(struct boot_info) == 3848, "BootInfo layout");

#define PAGE_SIZE 4096u
#define NUM_INITIAL_CAPS 16u

/* Written by crt.S: x1..x6, x30 and SP as the kernel started us. */
word foreign_entry_regs[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
extern char foreign_image_start[], foreign_image_end[];

static word initialised = 0x5eed;
static word zero_filled;
static unsigned failures;

void foreign_main(const struct boot_info *bi);

/* ABI 10.3: DebugPutChar is system call -9 with the character in x0. libsel4
 * treats x0..x5 as clobbered by debug calls; so do we. */
static void put_char(char c)
{
    register word x0 __asm__("x0") = (uint8_t)c;
    register word x7 __asm__("x7") = (word)-9;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x7) : "x1", "x2", "x3", "x4", "x5", "memory");
}

/* ABI 10.3: DebugHalt is system call -11; it does not return. */
static void __attribute__((noreturn)) debug_halt(void)
{
    register word x7 __asm__("x7") = (word)-11;
    __asm__ volatile("svc #0" : : "r"(x7) : "memory");
    for (;;) {
    }
}

static void put_string(const char *s)
{
    while (*s != '\0') {
        put_char(*s++);
    }
}

static void put_number(word value, unsigned base)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0);
    if (base == 16) {
        put_string("0x");
    }
    while (n > 0) {
        put_char(digits[--n]);
    }
}

static void check(bool ok, const char *what, word got, word want)
{
    if (ok) {
        return;
    }
    failures++;
    put_string("foreign root task: FAILED ");
    put_string(what);
    put_string(": got ");
    put_number(got, 16);
    put_string(", want ");
    put_number(want, 16);
    put_char('\n');
}

static void print_region(const char *name, struct slot_region r)
{
    put_string("foreign root task: ");
    put_string(name);
    put_string(" slots [");
    put_number(r.start, 10);
    put_string(", ");
    put_number(r.end, 10);
    put_string(")\n");
}

/* Registers and memory as the boot protocol leaves them (ABI 9.2, 9.3). */
static void check_start_state(const struct boot_info *bi)
{
    for (int i = 0; i < 8; i++) {
        check(foreign_entry_regs[i] == 0, "x1..x6, x30 and SP zero at entry", foreign_entry_regs[i],
              0);
    }
    check(initialised == 0x5eed, "initialised data", initialised, 0x5eed);
    check(zero_filled == 0, ".bss zero-filled", zero_filled, 0);
    word image_end = (word)foreign_image_end;
    check(bi->ipc_buffer == image_end, "IPC buffer right after the image", bi->ipc_buffer,
          image_end);
    check((word)bi == image_end + PAGE_SIZE, "BootInfo after the IPC buffer", (word)bi,
          image_end + PAGE_SIZE);
}

static void check_boot_info(const struct boot_info *bi)
{
    word pages = ((word)foreign_image_end - (word)foreign_image_start) / PAGE_SIZE;
    check(bi->init_thread_cnode_size_bits == 13, "initThreadCNodeSizeBits",
          bi->init_thread_cnode_size_bits, 13);
    check(bi->node_id == 0 && bi->num_nodes == 1, "nodeID 0 of 1 node", bi->num_nodes, 1);
    check(bi->empty.end == (word)1 << 13, "empty region ends at the last slot", bi->empty.end,
          (word)1 << 13);
    check(bi->empty.start == bi->untyped.end, "empty region follows the untypeds", bi->empty.start,
          bi->untyped.end);
    check(bi->user_image_paging.start == NUM_INITIAL_CAPS, "first dynamic slot",
          bi->user_image_paging.start, NUM_INITIAL_CAPS);
    check(bi->user_image_frames.end - bi->user_image_frames.start == pages,
          "one frame cap per image page", bi->user_image_frames.end - bi->user_image_frames.start,
          pages);
    check(bi->untyped.end > bi->untyped.start && bi->untyped.end - bi->untyped.start <= 230,
          "1..230 untypeds", bi->untyped.end - bi->untyped.start, 230);
}

static uint32_t big_endian32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ABI 9.5: the extra BootInfo (the page after BootInfo) holds one chunk, a
 * header {id 6 = FDT, len} and the device tree, whose totalsize is just
 * what its blocks need (a root task may allocate that much for it), in as
 * few frames as hold the chunk. */
static void check_device_tree(const struct boot_info *bi)
{
    const word *header = (const word *)((const char *)bi + PAGE_SIZE);
    const uint8_t *fdt = (const uint8_t *)(header + 2);
    word total = big_endian32(fdt + 4);
    word strings_end = (word)big_endian32(fdt + 12) + big_endian32(fdt + 32);
    word frames = bi->extra_bi_pages.end - bi->extra_bi_pages.start;
    put_string("foreign root task: device tree ");
    put_number(total, 10);
    put_string(" bytes\n");
    check(header[0] == 6, "extra BootInfo chunk id (FDT)", header[0], 6);
    check(header[1] == bi->extra_len, "chunk length = extraLen", header[1], bi->extra_len);
    check(big_endian32(fdt) == 0xd00dfeed, "FDT magic", big_endian32(fdt), 0xd00dfeed);
    check(total + 16 == bi->extra_len, "extraLen = header + totalsize", bi->extra_len, total + 16);
    check(total == strings_end, "totalsize ends with the strings block", total, strings_end);
    check(frames == (bi->extra_len + PAGE_SIZE - 1) / PAGE_SIZE, "extra BootInfo frames", frames,
          (bi->extra_len + PAGE_SIZE - 1) / PAGE_SIZE);
}

void foreign_main(const struct boot_info *bi)
{
    put_string("foreign root task: main reached\n");
    print_region("empty", bi->empty);
    print_region("untyped", bi->untyped);
    put_string("foreign root task: root CNode 2^");
    put_number(bi->init_thread_cnode_size_bits, 10);
    put_string(" slots\n");
    check_start_state(bi);
    check_boot_info(bi);
    check_device_tree(bi);
    put_string(failures == 0 ? "foreign root task: bootinfo ok\n"
                             : "foreign root task: bootinfo FAILED\n");
    debug_halt();
}
