# The virtio-net driver's test (tests/os/net.system, image osnet): its
# client nettest (tests/os/nettest), on QEMU's user network (tests.list's
# net option; tools/qemu_cmd.py net_args).

$(eval $(call os_program,nettest,tests/os/nettest/nettest.c))

# The net server's socket service (tests/os/sock.system, image ossock):
# its protocol-level client socktest (tests/os/socktest), in vfs's place.
$(eval $(call os_program,socktest,tests/os/socktest/socktest.c))
