# The virtio-blk driver's test (tests/os/disk.system, image osdisk): its
# client blktest (tests/os/blktest) and the pattern disk QEMU serves it,
# 16 MiB whose 64-bit word k of sector s is 0x5eed000000000000 | s << 16 | k
# (tests.list's disk= option copies it for each run).

$(eval $(call os_program,blktest,tests/os/blktest/blktest.c))

PATTERN_DISK := $(BUILD)/disks/pattern.img
$(PATTERN_DISK): tools/mkpattern.py
	@mkdir -p $(@D)
	$(PYTHON) tools/mkpattern.py $@ 32768
TEST_DEPS += $(PATTERN_DISK)
