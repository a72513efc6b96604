/* A split virtqueue (virtq.h). */
#include "virtq.h"

static void set_address(virtio_mmio_t dev, enum virtio_mmio_reg low, uint64_t paddr)
{
    virtio_write(dev, low, (uint32_t)paddr);
    virtio_write(dev, low + 4, (uint32_t)(paddr >> 32));
}

const char *virtq_setup(virtq_t *q, virtio_mmio_t dev, uint32_t index, uint16_t want,
                        virtq_page_t desc, virtq_page_t avail, virtq_page_t used)
{
    virtio_write(dev, VIRTIO_MMIO_QUEUE_SEL, index);
    if (virtio_read(dev, VIRTIO_MMIO_QUEUE_READY) != 0) {
        return "the queue is in use after a reset";
    }
    uint32_t max = virtio_read(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
    uint16_t size = want <= VIRTQ_MAX ? want : VIRTQ_MAX;
    while (size > max) {
        size /= 2;
    }
    if (size == 0) {
        return "the device has no such queue";
    }
    *q = (virtq_t){ .dev = dev, .index = index, .size = size };
    q->desc = desc.vaddr;
    q->avail = avail.vaddr;
    q->used = used.vaddr;
    for (uint16_t i = 0; i < size; i++) {
        q->desc[i] = (virtq_desc_t){ .next = (uint16_t)(i + 1) };
    }
    q->nfree = size;
    q->avail->flags = 0;
    q->avail->idx = 0;
    q->used->idx = 0;
    virtio_write(dev, VIRTIO_MMIO_QUEUE_NUM, size);
    set_address(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, desc.paddr);
    set_address(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail.paddr);
    set_address(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, used.paddr);
    virtio_barrier_notify();
    virtio_write(dev, VIRTIO_MMIO_QUEUE_READY, 1);
    return 0;
}

int virtq_alloc(virtq_t *q, unsigned n)
{
    if (n == 0 || n > q->nfree) {
        return -1;
    }
    uint16_t head = q->free_head, last = head;
    for (unsigned i = 1; i < n; i++) {
        last = q->desc[last].next;
    }
    q->free_head = q->desc[last].next;
    q->nfree = (uint16_t)(q->nfree - n);
    q->chain_length[head] = (uint16_t)n;
    return head;
}

void virtq_fill(virtq_t *q, uint16_t id, uint64_t addr, uint32_t len, bool device_writes, bool last)
{
    volatile virtq_desc_t *d = &q->desc[id];
    d->addr = addr;
    d->len = len;
    d->flags =
        (uint16_t)((device_writes ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT));
}

void virtq_submit(virtq_t *q, uint16_t head)
{
    q->avail->ring[q->avail->idx % q->size] = head;
    virtio_barrier_write(); /* the entry and its descriptors before the index */
    q->avail->idx = (uint16_t)(q->avail->idx + 1);
    virtio_barrier_notify();
    virtio_write(q->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

/* The chain at head back on the free list; its descriptors' next fields
 * still chain it, which the free list reuses. */
static void release(virtq_t *q, uint16_t head)
{
    uint16_t n = q->chain_length[head], last = head;
    for (uint16_t i = 1; i < n; i++) {
        last = q->desc[last].next;
    }
    q->desc[last].next = q->free_head;
    q->free_head = head;
    q->nfree = (uint16_t)(q->nfree + n);
    q->chain_length[head] = 0;
}

bool virtq_take_used(virtq_t *q, uint16_t *head, uint32_t *written)
{
    while (q->last_used != q->used->idx) {
        virtio_barrier_read(); /* the index before the entry */
        volatile virtq_used_elem_t *e = &q->used->ring[q->last_used % q->size];
        uint32_t id = e->id;
        *written = e->len;
        q->last_used = (uint16_t)(q->last_used + 1);
        if (id < q->size && q->chain_length[id] != 0) {
            release(q, (uint16_t)id);
            *head = (uint16_t)id;
            return true;
        }
    }
    return false;
}
