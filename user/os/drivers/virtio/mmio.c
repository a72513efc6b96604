/* The virtio-mmio transport's initialisation and configuration space
 * (mmio.h). */
#include "mmio.h"

#define RESET_TRIES 1000000 /* QEMU resets at once; a real device soon */

static const char *fail(virtio_mmio_t dev, const char *why)
{
    virtio_write(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
    return why;
}

static uint64_t device_features(virtio_mmio_t dev)
{
    virtio_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t high = virtio_read(dev, VIRTIO_MMIO_DEVICE_FEATURES);
    virtio_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    return high << 32 | virtio_read(dev, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void driver_features(virtio_mmio_t dev, uint64_t features)
{
    virtio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    virtio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    virtio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    virtio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
}

const char *virtio_mmio_negotiate(virtio_mmio_t dev, uint32_t device_id, uint64_t wanted,
                                  uint64_t *features)
{
    if (virtio_read(dev, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE) {
        return "no virtio-mmio transport";
    }
    if (virtio_read(dev, VIRTIO_MMIO_VERSION) != 2) {
        return "a legacy (version 1) transport: QEMU needs -global virtio-mmio.force-legacy=false";
    }
    if (virtio_read(dev, VIRTIO_MMIO_DEVICE_ID) != device_id) {
        return "not the device this driver drives";
    }
    /* A reset: whatever an earlier instance left running stops here. */
    virtio_write(dev, VIRTIO_MMIO_STATUS, 0);
    for (unsigned tries = 0; virtio_read(dev, VIRTIO_MMIO_STATUS) != 0; tries++) {
        if (tries == RESET_TRIES) {
            return "the device does not finish its reset";
        }
    }
    virtio_write(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    virtio_write(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wanted |= 1ull << VIRTIO_F_VERSION_1;
    uint64_t offered = device_features(dev);
    if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
        return fail(dev, "the device does not offer VIRTIO_F_VERSION_1");
    }
    *features = offered & wanted;
    driver_features(dev, *features);
    uint32_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
    virtio_write(dev, VIRTIO_MMIO_STATUS, status);
    if (!(virtio_read(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        return fail(dev, "the device refused the features");
    }
    return 0;
}

uint32_t virtio_config32(virtio_mmio_t dev, uint32_t offset)
{
    return dev.regs[(VIRTIO_MMIO_CONFIG + offset) / 4];
}

uint64_t virtio_config64(virtio_mmio_t dev, uint32_t offset)
{
    for (;;) {
        uint32_t generation = virtio_read(dev, VIRTIO_MMIO_CONFIG_GENERATION);
        uint64_t value = virtio_config32(dev, offset) | (uint64_t)virtio_config32(dev, offset + 4)
                                                            << 32;
        if (virtio_read(dev, VIRTIO_MMIO_CONFIG_GENERATION) == generation) {
            return value;
        }
    }
}

bool virtio_mmio_interrupt_ack(virtio_mmio_t dev)
{
    virtio_write(dev, VIRTIO_MMIO_INTERRUPT_ACK, virtio_read(dev, VIRTIO_MMIO_INTERRUPT_STATUS));
    return !(virtio_read(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}
