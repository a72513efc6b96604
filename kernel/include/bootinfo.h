/* The BootInfo frame the kernel hands the root task (ABI 9.5), with every
 * offset checked against the ABI. */
#pragma once

#include <types.h>

#define BI_MAX_UNTYPEDS 230
#define BI_FRAME_SIZE_BITS 12
#define BI_HEADER_FDT 6

typedef struct slot_region {
    word_t start; /* first slot */
    word_t end;   /* first slot after */
} slot_region_t;

typedef struct untyped_desc {
    paddr_t paddr;
    uint8_t size_bits;
    uint8_t is_device;
    uint8_t padding[6];
} untyped_desc_t;

typedef struct bootinfo {
    word_t extra_len;
    word_t node_id;
    word_t num_nodes;
    word_t num_io_pt_levels;
    vaddr_t ipc_buffer;
    slot_region_t empty;
    slot_region_t shared_frames;
    slot_region_t user_image_frames;
    slot_region_t user_image_paging;
    slot_region_t io_space_caps;
    slot_region_t extra_bi_pages;
    word_t init_thread_cnode_size_bits;
    word_t init_thread_domain;
    slot_region_t untyped;
    untyped_desc_t untyped_list[BI_MAX_UNTYPEDS];
} bootinfo_t;

typedef struct bootinfo_header {
    word_t id;
    word_t len; /* including this header */
} bootinfo_header_t;

_Static_assert(sizeof(untyped_desc_t) == 16, "ABI 9.5");
_Static_assert(offsetof(bootinfo_t, ipc_buffer) == 32, "ABI 9.5");
_Static_assert(offsetof(bootinfo_t, empty) == 40, "ABI 9.5");
_Static_assert(offsetof(bootinfo_t, user_image_frames) == 72, "ABI 9.5");
_Static_assert(offsetof(bootinfo_t, extra_bi_pages) == 120, "ABI 9.5");
_Static_assert(offsetof(bootinfo_t, init_thread_cnode_size_bits) == 136, "ABI 9.5");
_Static_assert(offsetof(bootinfo_t, untyped) == 152, "ABI 9.5");
_Static_assert(offsetof(bootinfo_t, untyped_list) == 168, "ABI 9.5");
_Static_assert(sizeof(bootinfo_t) == 3848, "ABI 9.5");

/* Initial slots of the root CNode (ABI 9.4). */
enum initial_slot {
    SLOT_NULL = 0,
    SLOT_INIT_THREAD_TCB = 1,
    SLOT_INIT_THREAD_CNODE = 2,
    SLOT_INIT_THREAD_VSPACE = 3,
    SLOT_IRQ_CONTROL = 4,
    SLOT_ASID_CONTROL = 5,
    SLOT_INIT_THREAD_ASID_POOL = 6,
    SLOT_IO_PORT_CONTROL = 7,
    SLOT_IO_SPACE = 8,
    SLOT_BOOTINFO_FRAME = 9,
    SLOT_INIT_THREAD_IPC_BUFFER = 10,
    SLOT_DOMAIN = 11,
    SLOT_SMMU_SID_CONTROL = 12,
    SLOT_SMMU_CB_CONTROL = 13,
    SLOT_INIT_THREAD_SC = 14,
    SLOT_SMC = 15,
    SLOT_FIRST_FREE = 16,
};
