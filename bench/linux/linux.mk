# The Linux twin of the OS benchmarks (docs/benchmarks.md, "OS benchmarks"),
# built only by `make bench-os`, never by make test: Debian's arm64 6.1
# kernel (fetched by `tools/setup.sh --linux-kernel`) and an initramfs whose
# /init is bench/os/osbench.c built static with Debian's cross gcc and arm64
# C library (libc6-dev-arm64-cross), /bin/osbench-exit beside it, and in
# /lib/modules the kernel's modules that reach the benchmark disk and the
# network card (NAME.ko and `order`, which osbench loads in that order).
# The network benchmarks' (built by `make bench-net`): a second initramfs
# whose /init is bench/os/netbench.c, with the same modules.

LINUX_DIR       := $(BUILD)/linux
LINUX_KERNEL    := $(LINUX_DIR)/Image
LINUX_INITRAMFS := $(LINUX_DIR)/initramfs.cpio
LINUX_MODULES   := $(LINUX_DIR)/modules/order
LINUX_CC        := aarch64-linux-gnu-gcc
LINUX_CFLAGS    := -static -std=gnu11 -O2 $(WARNINGS)

LINUX_NETBENCH_INITRAMFS := $(LINUX_DIR)/netbench.cpio
LINUX_BENCHSYS := bench/os/benchsys.c bench/os/benchsys.h

$(LINUX_DIR)/osbench: bench/os/osbench.c $(LINUX_BENCHSYS)
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $(filter %.c,$^) -o $@

$(LINUX_DIR)/netbench: bench/os/netbench.c $(LINUX_BENCHSYS)
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $(filter %.c,$^) -o $@

$(LINUX_DIR)/osbench-exit: bench/os/exit.c
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $< -o $@

# The modules in an initramfs: their files and `order` (tools/mkcpio.py).
LINUX_MODULE_FILES = --file /lib/modules/order=$(LINUX_MODULES) \
    $(foreach m,$(shell cat $(LINUX_MODULES) 2>/dev/null), \
        --file /lib/modules/$(m).ko=$(LINUX_DIR)/modules/$(m).ko)

# /dev/console: the kernel opens it as /init's standard input and output.
# /mnt: where /init mounts the disk.
$(LINUX_INITRAMFS): $(LINUX_DIR)/osbench $(LINUX_DIR)/osbench-exit $(LINUX_MODULES) tools/mkcpio.py
	$(PYTHON) tools/mkcpio.py -o $@ --dir /dev --char /dev/console=5,1 --dir /proc --dir /mnt \
	    --file /init=$(LINUX_DIR)/osbench --file /bin/osbench-exit=$(LINUX_DIR)/osbench-exit \
	    $(LINUX_MODULE_FILES)

# netbench needs no disk: /dev/console, /proc (its frame and TCP counters)
# and the modules.
$(LINUX_NETBENCH_INITRAMFS): $(LINUX_DIR)/netbench $(LINUX_MODULES) tools/mkcpio.py
	$(PYTHON) tools/mkcpio.py -o $@ --dir /dev --char /dev/console=5,1 --dir /proc \
	    --file /init=$(LINUX_DIR)/netbench $(LINUX_MODULE_FILES)

# Fetched once, the kernel and its modules from the same package; `make
# clean` (or deleting them) fetches the current package again.
# (setup.sh fetches both when either is missing: the second rule is then a
# no-op, run after the first.)
$(LINUX_KERNEL):
	bash tools/setup.sh --linux-kernel $(LINUX_DIR)

$(LINUX_MODULES): | $(LINUX_KERNEL)
	bash tools/setup.sh --linux-kernel $(LINUX_DIR)

.PHONY: linux-bench-files linux-netbench-files
linux-bench-files: $(LINUX_KERNEL) $(LINUX_INITRAMFS)
linux-netbench-files: $(LINUX_KERNEL) $(LINUX_NETBENCH_INITRAMFS)
