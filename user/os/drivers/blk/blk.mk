# The virtio-blk driver (user/os/drivers/blk/, docs/storage.md): a
# freestanding component like uart, with the virtio transport and queue of
# user/os/drivers/virtio/ (which the network driver will share).

BLK_SRCS := user/os/drivers/blk/blk.c user/os/drivers/blk/request.c user/os/drivers/virtio/mmio.c user/os/drivers/virtio/virtq.c
$(eval $(call os_component,blk,$(BLK_SRCS),))
