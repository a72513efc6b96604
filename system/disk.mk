# The disk (docs/storage.md "The disk"): an ext2 image that the host's
# mke2fs makes from system/disk (/etc ...) and the programs the system
# description lists for /bin (tools/mkdisk.py).
#
#   build/disk.img        make run's disk, made when missing and then kept:
#                         what a run writes is there in the next (`make disk`
#                         makes it afresh)
#   build/disks/os.img    the tests' disk, made afresh whenever a program or
#                         the skeleton changes; each test boots a copy
#                         (tests.list disk=)

DISK_IMAGE := $(BUILD)/disk.img
TEST_DISK  := $(BUILD)/disks/os.img
DISK_SIZE  ?= 256M
DISK_SKEL  := $(shell find system/disk -type f)
MKDISK      = $(PYTHON) tools/mkdisk.py --system system/keel.system --elf-dir $(BUILD)/os/programs \
              --skel system/disk --size $(DISK_SIZE)

$(TEST_DISK): os-images tools/mkdisk.py system/keel.system $(DISK_SKEL)
	@mkdir -p $(@D)
	@if [ ! -e $@ ] || [ -n "$$(find $(BUILD)/os/programs $? -newer $@ 2>/dev/null | head -1)" ]; then \
	    echo "mkdisk $@"; $(MKDISK) -o $@; fi
TEST_DEPS += $(TEST_DISK)

$(DISK_IMAGE): | os-images
	$(MKDISK) -o $@

.PHONY: disk
disk: os-images
	$(MKDISK) -o $(DISK_IMAGE)
	@echo "disk: $(DISK_IMAGE) made afresh"
