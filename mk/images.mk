# Boot images: the kernel and one root-task ELF packed into one ELF for `qemu -kernel`.

QEMU       := qemu-system-aarch64
QEMU_FLAGS  = -machine virt,gic-version=3 -cpu $(CPU) -m 1G -nographic -nic none \
              -semihosting-config enable=on,target=native
# The OS's disk (system/disk.mk) on virtio-mmio transport 0, as tools/qemu_cmd.py
# disk_args attaches it for the tests.
DISK_FLAGS  = -global virtio-mmio.force-legacy=false \
              -drive file=$(DISK_IMAGE),if=none,format=raw,id=disk0 \
              -device virtio-blk-device,drive=disk0,bus=virtio-mmio-bus.0

# The OS's network (docs/network.md): QEMU's user network, which reaches
# nothing beyond QEMU (restrict=on), on virtio-mmio transport 8 as
# tools/qemu_cmd.py net_args; the host's 127.0.0.1:HTTP_PORT reaches
# httpd's port 80 in Keel.
HTTP_PORT ?= 8080
NET_FLAGS   = -netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80 \
              -device virtio-net-device,netdev=net0,bus=virtio-mmio-bus.8

$(BUILD)/images/%.elf: $(KERNEL_ELF) $(BUILD)/user/%.elf tools/pack_image.py
	@mkdir -p $(@D)
	$(PYTHON) tools/pack_image.py --kernel $(KERNEL_ELF) --root $(BUILD)/user/$*.elf -o $@

images: $(patsubst $(BUILD)/user/%,$(BUILD)/images/%,$(USER_PROGRAMS))

# make image ROOTTASK=path/to/root.elf: any root server, built anywhere.
image: $(KERNEL_ELF)
	@test -n "$(ROOTTASK)" || { echo "usage: make image ROOTTASK=path/to/elf"; exit 2; }
	$(PYTHON) tools/pack_image.py --kernel $(KERNEL_ELF) --root $(ROOTTASK) -o $(BUILD)/image.elf

# The OS (system/system.mk); the demo root task of issue 1 stays reachable.
_run: $(OS_IMAGE) | $(DISK_IMAGE)
	$(QEMU) $(QEMU_FLAGS) -kernel $< $(DISK_FLAGS) $(NET_FLAGS)

_run-demo: $(BUILD)/images/demo.elf
	$(QEMU) $(QEMU_FLAGS) -kernel $<

debug: $(BUILD)/images/demo.elf
	@echo "QEMU waits for gdb: gdb-multiarch $(KERNEL_ELF) -ex 'target remote :1234'"
	$(QEMU) $(QEMU_FLAGS) -kernel $< -s -S
