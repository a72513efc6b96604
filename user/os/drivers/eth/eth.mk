# The virtio-net driver (user/os/drivers/eth/, docs/network.md): a
# freestanding component like blk, with the virtio transport and queue of
# user/os/drivers/virtio/.

ETH_SRCS := user/os/drivers/eth/eth.c user/os/drivers/virtio/mmio.c user/os/drivers/virtio/virtq.c
$(eval $(call os_component,eth,$(ETH_SRCS),))
