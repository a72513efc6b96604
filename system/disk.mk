# The disk (docs/storage.md "The disk"): an ext2 image that the host's
# mke2fs makes from system/disk (/etc ...) and the programs the system
# description lists for /bin with `disk` lines (tools/mkdisk.py).
#
#   build/disk.img        make run's disk, made when missing and then kept:
#                         what a run writes is there in the next, the
#                         programs the build changed written into /bin
#                         (`make disk` makes it afresh)
#   build/disks/os.img    the tests' disk (keel.system's programs and the
#                         test and benchmark programs), made afresh whenever
#                         a program or the skeleton changes; each test boots
#                         a copy (tests.list disk=)

DISK_IMAGE := $(BUILD)/disk.img
TEST_DISK  := $(BUILD)/disks/os.img
DISK_SIZE  ?= 256M
DISK_SKEL  := $(shell find system/disk -type f)
MKDISK      = $(PYTHON) tools/mkdisk.py --system system/keel.system --elf-dir $(BUILD)/os/programs \
              --skel system/disk --size $(DISK_SIZE)
# The test and benchmark systems built on keel.system add programs to /bin
# with `disk` lines of their own: the tests' disk holds them all (every
# image of them boots a copy of it).
TEST_DISK_SYSTEMS := tests/os/shell/extra.system tests/os/fs/extra.system \
                     tests/os/stress/extra.system tests/os/console/console.system \
                     tests/os/sockets/extra.system \
                     bench/keel/osbench.system bench/keel/netbench.system \
                     bench/keel/appbench.system

$(TEST_DISK): os-images tools/mkdisk.py system/keel.system $(TEST_DISK_SYSTEMS) $(DISK_SKEL)
	@mkdir -p $(@D)
	@if [ ! -e $@ ] || [ -n "$$(find $(BUILD)/os/programs $? -newer $@ 2>/dev/null | head -1)" ]; then \
	    echo "mkdisk $@"; $(MKDISK) $(addprefix --system ,$(TEST_DISK_SYSTEMS)) -o $@; fi
TEST_DEPS += $(TEST_DISK)

# Made when missing; afterwards the programs the build changed are written
# into it (mkdisk.py --refresh), what runs wrote there kept.
.PHONY: disk-refresh
$(DISK_IMAGE) disk-refresh: os-images
	$(MKDISK) --refresh -o $(DISK_IMAGE)

.PHONY: disk
disk: os-images
	$(MKDISK) -o $(DISK_IMAGE)
	@echo "disk: $(DISK_IMAGE) made afresh"
