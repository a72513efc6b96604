/* The virtio-mmio transport, version 2 (the modern interface; OASIS VIRTIO
 * 1.1, section 4.2.2): register offsets, the device status bits and the
 * start of the initialisation every virtio driver makes (section 3.1.1).
 * QEMU's virt board has 32 transports of 0x200 bytes from 0x0a000000,
 * INTID 48 + n each; QEMU offers the modern interface only with
 * `-global virtio-mmio.force-legacy=false`. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum virtio_mmio_reg {
    VIRTIO_MMIO_MAGIC = 0x000, /* "virt" */
    VIRTIO_MMIO_VERSION = 0x004,
    VIRTIO_MMIO_DEVICE_ID = 0x008,
    VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
    VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
    VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
    VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
    VIRTIO_MMIO_QUEUE_SEL = 0x030,
    VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
    VIRTIO_MMIO_QUEUE_NUM = 0x038,
    VIRTIO_MMIO_QUEUE_READY = 0x044,
    VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
    VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
    VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
    VIRTIO_MMIO_STATUS = 0x070,
    VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080,
    VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
    VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090,
    VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094,
    VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0,
    VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
    VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc,
    VIRTIO_MMIO_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u
#define VIRTIO_MMIO_TRANSPORT_SIZE 0x200u

enum virtio_status {
    VIRTIO_STATUS_ACKNOWLEDGE = 1,
    VIRTIO_STATUS_DRIVER = 2,
    VIRTIO_STATUS_DRIVER_OK = 4,
    VIRTIO_STATUS_FEATURES_OK = 8,
    VIRTIO_STATUS_NEEDS_RESET = 64,
    VIRTIO_STATUS_FAILED = 128,
};

#define VIRTIO_F_VERSION_1 32 /* a feature bit number: the modern interface */

#define VIRTIO_INTERRUPT_USED 1u   /* InterruptStatus: a used buffer */
#define VIRTIO_INTERRUPT_CONFIG 2u /* InterruptStatus: the configuration changed */

typedef struct virtio_mmio {
    volatile uint32_t *regs; /* the transport's 0x200 bytes */
} virtio_mmio_t;

static inline uint32_t virtio_read(virtio_mmio_t dev, enum virtio_mmio_reg reg)
{
    return dev.regs[reg / 4];
}

static inline void virtio_write(virtio_mmio_t dev, enum virtio_mmio_reg reg, uint32_t value)
{
    dev.regs[reg / 4] = value;
}

/* Device memory barriers: what the driver wrote to a ring is visible to the
 * device before the index that publishes it (write), and the index the
 * device wrote before the entries it read (read); everything in memory
 * before a register write that tells the device to look (notify). */
static inline void virtio_barrier_write(void)
{
    __asm__ volatile("dmb oshst" ::: "memory");
}

static inline void virtio_barrier_read(void)
{
    __asm__ volatile("dmb oshld" ::: "memory");
}

static inline void virtio_barrier_notify(void)
{
    __asm__ volatile("dsb st" ::: "memory");
}

/* Reset the device and negotiate features (section 3.1.1, steps 1-6): is
 * it a modern virtio device of type `device_id`; of `wanted` (feature bit
 * numbers below 64 as a mask; VIRTIO_F_VERSION_1 is always asked for and
 * required) the ones it offers are accepted and returned in *features.
 * NULL on success, else why not (the device is then marked FAILED). */
const char *virtio_mmio_negotiate(virtio_mmio_t dev, uint32_t device_id, uint64_t wanted,
                                  uint64_t *features);

/* Acknowledge what the interrupt says (used buffers, a configuration
 * change); false if the device says it needs a reset (the driver then
 * stops: rs restarts it, and the new instance resets the device). */
bool virtio_mmio_interrupt_ack(virtio_mmio_t dev);

/* Configuration space, 32 bits at `offset` (little-endian, as the device
 * and this CPU both are). A 64-bit field is read twice until the
 * generation counter says it did not change in between. */
uint32_t virtio_config32(virtio_mmio_t dev, uint32_t offset);
uint64_t virtio_config64(virtio_mmio_t dev, uint32_t offset);
