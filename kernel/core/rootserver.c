/* The root task, built as ABI 9 describes: its VSpace holds the ELF image,
 * the IPC buffer, the BootInfo frame and the extra BootInfo (the DTB); its
 * CSpace holds the initial caps, the paging and frame caps of its image and
 * untyped caps for all remaining memory, in the documented slot order. */
#include <arch/arch.h>
#include <boot.h>
#include <bootinfo.h>
#include <cdt.h>
#include <config.h>
#include <domain_schedule.h>
#include <fdt.h>
#include <panic.h>
#include <printk.h>
#include <thread.h>

#define ROOT_CNODE_SLOTS BIT(CONFIG_ROOT_CNODE_SIZE_BITS)
#define ROOT_FRAME_SIZE BIT(ARCH_PAGE_BITS) /* every frame of the root task is a small one */

/* The root task's virtual layout (ABI 9.2). */
typedef struct root_layout {
    vaddr_t image_start;
    vaddr_t image_end;
    sword_t pv_offset;
    vaddr_t entry;
    vaddr_t ipc_buffer;
    vaddr_t bootinfo;
    vaddr_t extra_bi;
    word_t extra_len;
    vaddr_t end; /* of the whole range that needs page tables */
} root_layout_t;

typedef struct root_builder {
    cte_t *cnode;
    word_t next_slot;
    bootinfo_t *bi;
    word_t untyped_count;
    word_t untyped_dropped;
} root_builder_t;

static root_builder_t rb;

static unsigned ceil_log2(word_t x)
{
    return x <= 1 ? 0 : highest_bit(x - 1) + 1;
}

void boot_provide_cap(cap_t cap)
{
    if (rb.next_slot >= ROOT_CNODE_SLOTS) {
        panic("root CNode too small for the initial caps");
    }
    cdt_insert_root(cap, &rb.cnode[rb.next_slot++]);
}

void boot_set_initial_cap(word_t slot, cap_t cap)
{
    cdt_insert_root(cap, &rb.cnode[slot]);
}

/* The root task gets a compact copy of the device tree (fdt_compact): QEMU's
 * blob says it is 1 MiB, nearly all of it free space. 0: no device tree for
 * it (there is none, or it does not validate). */
static word_t root_fdt_size(void)
{
    if (ks_boot_memory.dtb_size == 0) {
        return 0;
    }
    word_t size = fdt_compact_size(paddr_to_ptr(ks_boot_memory.dtb_paddr), ks_boot_memory.dtb_size);
    if (size == 0) {
        kprintf("  device tree malformed: not passed to the root task\n");
    }
    return size;
}

static root_layout_t root_layout(void)
{
    arch_boot_info_t boot = arch_boot_info();
    root_layout_t l;
    l.pv_offset = boot.pv_offset;
    l.image_start = boot.root_task.start - (word_t)boot.pv_offset;
    l.image_end = boot.root_task.end - (word_t)boot.pv_offset;
    l.entry = boot.entry;
    l.ipc_buffer = l.image_end;
    l.bootinfo = l.ipc_buffer + ROOT_FRAME_SIZE;
    l.extra_bi = l.bootinfo + ROOT_FRAME_SIZE;
    word_t fdt_size = root_fdt_size();
    l.extra_len = fdt_size != 0 ? sizeof(bootinfo_header_t) + fdt_size : 0;
    l.end = l.extra_bi;
    if (l.extra_len != 0) {
        l.end += BIT(MAX(ceil_log2(l.extra_len), ARCH_PAGE_BITS));
    }
    if (l.end - 1 > ARCH_USER_TOP || l.image_start == 0) {
        panic("root task image [0x%lx, 0x%lx) does not fit in user space", l.image_start, l.end);
    }
    return l;
}

/* A mapped frame of the root task (a small one): its cap in `slot` (0: the
 * next free slot). */
static void map_root_frame(paddr_t paddr, vaddr_t vaddr, bool executable, word_t slot)
{
    cap_t cap = arch_map_root_frame(paddr, vaddr, executable);
    if (slot != 0) {
        boot_set_initial_cap(slot, cap);
    } else {
        boot_provide_cap(cap);
    }
}

/* The port makes the VSpace, ASID caps and page tables; the paging caps
 * are BootInfo's userImagePaging. */
static void create_vspace(const root_layout_t *l)
{
    rb.bi->user_image_paging.start = rb.next_slot;
    arch_create_root_vspace(l->image_start, l->end);
    rb.bi->user_image_paging.end = rb.next_slot;
}

/* The extra BootInfo: one chunk, the compact device tree, `len` bytes in
 * all (root_layout planned it). */
static void fill_extra_bootinfo(bootinfo_header_t *header, word_t len)
{
    *header = (bootinfo_header_t){ .id = BI_HEADER_FDT, .len = len };
    word_t planned = len - sizeof(*header);
    const void *dtb = paddr_to_ptr(ks_boot_memory.dtb_paddr);
    word_t written = fdt_compact(dtb, ks_boot_memory.dtb_size, header + 1, planned);
    if (written != planned) {
        panic("device tree compaction wrote 0x%lx bytes, not 0x%lx", written, planned);
    }
    kprintf("  device tree: 0x%lx of its 0x%lx bytes to the root task\n", written,
            ks_boot_memory.dtb_size);
}

static void create_frames(const root_layout_t *l, paddr_t ipc_buffer, paddr_t bootinfo)
{
    map_root_frame(ipc_buffer, l->ipc_buffer, false, SLOT_INIT_THREAD_IPC_BUFFER);
    map_root_frame(bootinfo, l->bootinfo, false, SLOT_BOOTINFO_FRAME);

    rb.bi->extra_bi_pages.start = rb.next_slot;
    if (l->extra_len != 0) {
        word_t pages = ROUND_UP(l->extra_len, ARCH_PAGE_BITS) >> ARCH_PAGE_BITS;
        paddr_t extra = boot_alloc_pages(pages);
        fill_extra_bootinfo(paddr_to_ptr(extra), l->extra_len);
        for (word_t i = 0; i < pages; i++) {
            map_root_frame(extra + i * ROOT_FRAME_SIZE, l->extra_bi + i * ROOT_FRAME_SIZE, true, 0);
        }
    }
    rb.bi->extra_bi_pages.end = rb.next_slot;

    rb.bi->user_image_frames.start = rb.next_slot;
    for (vaddr_t v = l->image_start; v < l->image_end; v += ROOT_FRAME_SIZE) {
        map_root_frame(v + (word_t)l->pv_offset, v, true, 0);
    }
    rb.bi->user_image_frames.end = rb.next_slot;
}

static void create_thread(const root_layout_t *l, paddr_t tcb_paddr)
{
    tcb_t *tcb = paddr_to_ptr(tcb_paddr);
    arch_context_init(&tcb->context);
    tcb->context.r[ARCH_REG_NEXT_IP] = l->entry;
    tcb->context.r[ARCH_REG_FAULT_IP] = l->entry;
    tcb->context.r[ARCH_REG_CAP] = l->bootinfo; /* seL4's capRegister (ABI 9.1) */
    tcb->priority = CONFIG_NUM_PRIORITIES - 1;
    tcb->mcp = CONFIG_NUM_PRIORITIES - 1;
    tcb->time_slice = CONFIG_TIME_SLICE;
    tcb->ipc_buffer = l->ipc_buffer;
    memcpy(tcb->name, "rootserver", sizeof("rootserver"));
    cdt_insert_derived(rb.cnode[SLOT_INIT_THREAD_CNODE].cap, &rb.cnode[SLOT_INIT_THREAD_CNODE],
                       tcb_slot(tcb, TCB_CSPACE_ROOT));
    cdt_insert_derived(rb.cnode[SLOT_INIT_THREAD_VSPACE].cap, &rb.cnode[SLOT_INIT_THREAD_VSPACE],
                       tcb_slot(tcb, TCB_VSPACE_ROOT));
    /* The TCB's copy is derived: a frame cap copy carries no mapping. */
    cte_t *ipc_frame = &rb.cnode[SLOT_INIT_THREAD_IPC_BUFFER];
    cdt_insert_derived(cdt_derive(ipc_frame, ipc_frame->cap).cap, ipc_frame,
                       tcb_slot(tcb, TCB_IPC_BUFFER));
    cdt_insert_reply_master(cap_with_reply_master(cap_new(cap_reply, tcb_paddr), 1),
                            tcb_slot(tcb, TCB_REPLY));
    boot_set_initial_cap(SLOT_INIT_THREAD_TCB, cap_new(cap_tcb, tcb_paddr));
    tcb->state = thread_running;
    tcb->domain = (uint8_t)domain_schedule_first_domain();
    sched_enqueue(tcb);
    sched_request_reschedule(); /* the kernel is idle: choose it */
    debug_thread_list_add(tcb);
}

static void add_untyped(void *ctx, paddr_t base, unsigned size_bits)
{
    bool is_device = ctx != NULL;
    if (rb.untyped_count >= BI_MAX_UNTYPEDS || rb.next_slot >= ROOT_CNODE_SLOTS) {
        rb.untyped_dropped++;
        return;
    }
    rb.bi->untyped_list[rb.untyped_count++] =
        (untyped_desc_t){ .paddr = base, .size_bits = (uint8_t)size_bits, .is_device = is_device };
    /* Fully used at first: the first Retype resets (zeroes) it, preemptibly. */
    cap_t cap = cap_untyped_new(base, size_bits, is_device);
    boot_provide_cap(cap_with_untyped_free_index(cap, BIT(size_bits)));
}

/* Device space: everything below ARCH_PADDR_TOP that is neither RAM nor a
 * device the kernel keeps for itself. */
static void device_regions(region_set_t *devices)
{
    *devices = (region_set_t){ .count = 0 };
    region_set_add(devices, (region_t){ 0, ARCH_PADDR_TOP });
    for (unsigned i = 0; i < ks_boot_memory.ram.count; i++) {
        region_set_remove(devices, ks_boot_memory.ram.r[i]);
    }
    arch_exclude_kernel_devices(devices);
}

#define MIN_UNTYPED_BITS 4
#define MAX_UNTYPED_BITS 47

static void create_untypeds(void)
{
    static region_set_t devices;
    device_regions(&devices);
    rb.bi->untyped.start = rb.next_slot;
    for (unsigned i = 0; i < devices.count; i++) {
        region_cut_pow2(devices.r[i], MIN_UNTYPED_BITS, MAX_UNTYPED_BITS, add_untyped, &devices);
    }
    const region_set_t *free = &ks_boot_memory.free;
    for (unsigned i = 0; i < free->count; i++) {
        region_cut_pow2(free->r[i], MIN_UNTYPED_BITS, MAX_UNTYPED_BITS, add_untyped, NULL);
        kprintf("  free RAM [0x%lx, 0x%lx)\n", free->r[i].start, free->r[i].end);
    }
    rb.bi->untyped.end = rb.next_slot;
    if (rb.untyped_dropped != 0) {
        kprintf("  %lu untyped regions did not fit in BootInfo and were dropped\n",
                rb.untyped_dropped);
    }
}

void create_root_task(void)
{
    root_layout_t l = root_layout();
    paddr_t cnode = boot_alloc(CONFIG_ROOT_CNODE_SIZE_BITS + CTE_SIZE_BITS);
    paddr_t bootinfo = boot_alloc(ARCH_PAGE_BITS);
    paddr_t ipc_buffer = boot_alloc(ARCH_PAGE_BITS);
    paddr_t tcb = boot_alloc(TCB_SIZE_BITS);
    rb.cnode = paddr_to_ptr(cnode);
    rb.bi = paddr_to_ptr(bootinfo);
    rb.next_slot = SLOT_FIRST_FREE;

    cap_t root_cnode = cap_cnode_new(cnode, CONFIG_ROOT_CNODE_SIZE_BITS,
                                     WORD_BITS - CONFIG_ROOT_CNODE_SIZE_BITS, 0);
    boot_set_initial_cap(SLOT_INIT_THREAD_CNODE, root_cnode);
    boot_set_initial_cap(SLOT_IRQ_CONTROL, cap_new(cap_irq_control, 0));
    boot_set_initial_cap(SLOT_DOMAIN, cap_new(cap_domain, 0));

    create_vspace(&l);
    create_frames(&l, ipc_buffer, bootinfo);
    create_thread(&l, tcb);
    boot_memory_release();
    create_untypeds(); /* last: every other allocation is done */

    bootinfo_t *bi = rb.bi;
    bi->extra_len = l.extra_len;
    bi->node_id = 0;
    bi->num_nodes = 1;
    bi->num_io_pt_levels = 0;
    bi->ipc_buffer = l.ipc_buffer;
    bi->init_thread_cnode_size_bits = CONFIG_ROOT_CNODE_SIZE_BITS;
    bi->init_thread_domain = domain_schedule_first_domain();
    bi->empty = (slot_region_t){ rb.next_slot, ROOT_CNODE_SLOTS };
    kprintf("  root task: image [0x%lx, 0x%lx) entry 0x%lx, %lu untypeds\n", l.image_start,
            l.image_end, l.entry, rb.untyped_count);
}
