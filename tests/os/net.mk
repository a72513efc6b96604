# The virtio-net driver's test (tests/os/net.system, image osnet): its
# client nettest (tests/os/nettest), on QEMU's user network (tests.list's
# net option; tools/qemu_cmd.py net_args).

$(eval $(call os_program,nettest,tests/os/nettest/nettest.c))
