# Boot images: the kernel and one root-task ELF packed into one ELF for `qemu -kernel`.

QEMU       := qemu-system-aarch64
QEMU_FLAGS  = -machine virt,gic-version=3 -cpu $(CPU) -m 1G -nographic -nic none \
              -semihosting-config enable=on,target=native
# The OS's disk (system/disk.mk) on virtio-mmio transport 0, as tools/qemu_cmd.py
# disk_args attaches it for the tests.
DISK_FLAGS  = -global virtio-mmio.force-legacy=false \
              -drive file=$(DISK_IMAGE),if=none,format=raw,id=disk0 \
              -device virtio-blk-device,drive=disk0,bus=virtio-mmio-bus.0

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
	$(QEMU) $(QEMU_FLAGS) -kernel $< $(DISK_FLAGS)

_run-demo: $(BUILD)/images/demo.elf
	$(QEMU) $(QEMU_FLAGS) -kernel $<

debug: $(BUILD)/images/demo.elf
	@echo "QEMU waits for gdb: gdb-multiarch $(KERNEL_ELF) -ex 'target remote :1234'"
	$(QEMU) $(QEMU_FLAGS) -kernel $< -s -S
