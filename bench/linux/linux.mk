# The Linux twin of the OS benchmarks (docs/benchmarks.md, "OS benchmarks"),
# built only by `make bench-os`, never by make test: Debian's arm64 6.1
# kernel (fetched by `tools/setup.sh --linux-kernel`) and an initramfs whose
# /init is bench/os/osbench.c built static with Debian's cross gcc and arm64
# C library (libc6-dev-arm64-cross), /bin/osbench-exit beside it.

LINUX_DIR       := $(BUILD)/linux
LINUX_KERNEL    := $(LINUX_DIR)/Image
LINUX_INITRAMFS := $(LINUX_DIR)/initramfs.cpio
LINUX_CC        := aarch64-linux-gnu-gcc
LINUX_CFLAGS    := -static -std=gnu11 -O2 $(WARNINGS)

$(LINUX_DIR)/osbench: bench/os/osbench.c
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $< -o $@

$(LINUX_DIR)/osbench-exit: bench/os/exit.c
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $< -o $@

# /dev/console: the kernel opens it as /init's standard input and output.
$(LINUX_INITRAMFS): $(LINUX_DIR)/osbench $(LINUX_DIR)/osbench-exit tools/mkcpio.py
	$(PYTHON) tools/mkcpio.py -o $@ --dir /dev --char /dev/console=5,1 --dir /proc \
	    --file /init=$(LINUX_DIR)/osbench --file /bin/osbench-exit=$(LINUX_DIR)/osbench-exit

# Fetched once; `make clean` (or deleting it) fetches the current package again.
$(LINUX_KERNEL):
	bash tools/setup.sh --linux-kernel $(LINUX_DIR)

.PHONY: linux-bench-files
linux-bench-files: $(LINUX_KERNEL) $(LINUX_INITRAMFS)
