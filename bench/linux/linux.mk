# The Linux twin of the OS benchmarks (docs/benchmarks.md, "OS benchmarks"),
# built only by `make bench-os`, never by make test: Debian's arm64 6.1
# kernel (fetched by `tools/setup.sh --linux-kernel`) and an initramfs whose
# /init is bench/os/osbench.c built static with Debian's cross gcc and arm64
# C library (libc6-dev-arm64-cross), /bin/osbench-exit beside it, and in
# /lib/modules the kernel's modules that reach the benchmark disk and the
# network card (NAME.ko and `order`, which osbench loads in that order).
# The network benchmarks' (built by `make bench-net`): a second initramfs
# whose /init is bench/os/netbench.c, with the same modules. The
# application benchmarks' (built by `make bench-apps`): a third, whose
# /init is bench/os/appbench.c, and a disk with Linux's own builds of Lua
# and SQLite's speedtest1 (below).

LINUX_DIR       := $(BUILD)/linux
LINUX_KERNEL    := $(LINUX_DIR)/Image
LINUX_INITRAMFS := $(LINUX_DIR)/initramfs.cpio
LINUX_MODULES   := $(LINUX_DIR)/modules/order
LINUX_CC        := aarch64-linux-gnu-gcc
LINUX_CFLAGS    := -static -std=gnu11 -O2 $(WARNINGS)

LINUX_NETBENCH_INITRAMFS := $(LINUX_DIR)/netbench.cpio
LINUX_APPBENCH_INITRAMFS := $(LINUX_DIR)/appbench.cpio
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

$(LINUX_DIR)/appbench: bench/os/appbench.c $(LINUX_BENCHSYS)
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $(filter %.c,$^) -o $@

# --- The application benchmarks' programs: Lua and SQLite's speedtest1
# from the sources Keel's are built from -- the os variant unpacks and
# generates them into $(BUILD)/os (user/bin/lua/lua.mk,
# user/bin/sqlite3/sqlite3.mk) -- compiled by the same compiler with the
# same flags (OS_CFLAGS without the target, the warnings, the dependency
# files and picolibc's feature macros; the same SQLite options) for
# aarch64-linux-gnu, and linked by the same linker (ld.lld, unused sections
# dropped) statically against Debian's arm64 glibc 2.36
# (libc6-dev-arm64-cross). What differs is the C library: glibc's
# malloc, stdio, string functions and system-call wrappers where Keel's
# have picolibc's and libos's.
LINUX_APP_CC     := $(CC) --target=aarch64-linux-gnu
LINUX_APP_CFLAGS := $(filter-out $(TARGET) -W% -MMD -MP $(OS_FEATURES),$(OS_CFLAGS)) -w
LINUX_APP_LINK   := -static -fuse-ld=lld -Wl,--gc-sections -lm

LINUX_LUA_SRCS     := $(patsubst $(LUA_DIR)/%,$(BUILD)/os/lua/%,$(LUA_SRCS))
LINUX_SQLITE_SRCS  := $(BUILD)/os/sqlite/gen/sqlite3.c $(BUILD)/os/sqlite/test/speedtest1.c
LINUX_LUA_OBJS     := $(patsubst $(BUILD)/os/%.c,$(LINUX_DIR)/obj/%.o,$(LINUX_LUA_SRCS))
LINUX_SQLITE_OBJS  := $(patsubst $(BUILD)/os/%.c,$(LINUX_DIR)/obj/%.o,$(LINUX_SQLITE_SRCS))

# The sources exist once the os variant has built Keel's programs.
$(LINUX_LUA_SRCS) $(LINUX_SQLITE_SRCS): | os-images ;

$(LINUX_SQLITE_OBJS): LINUX_APP_EXTRA := $(SQLITE_OPTIONS) -I$(BUILD)/os/sqlite/gen
$(LINUX_SQLITE_OBJS): user/bin/sqlite3/sqlite3.mk # (SQLITE_OPTIONS)
$(LINUX_LUA_OBJS) $(LINUX_SQLITE_OBJS): $(LINUX_DIR)/obj/%.o: $(BUILD)/os/%.c bench/linux/linux.mk
	@mkdir -p $(@D)
	$(LINUX_APP_CC) $(LINUX_APP_CFLAGS) $(LINUX_APP_EXTRA) -c $< -o $@

$(LINUX_DIR)/lua: $(LINUX_LUA_OBJS)
	$(LINUX_APP_CC) $^ $(LINUX_APP_LINK) -o $@

$(LINUX_DIR)/speedtest1: $(LINUX_SQLITE_OBJS)
	$(LINUX_APP_CC) $^ $(LINUX_APP_LINK) -o $@

# Linux's disk: Keel's (bench/os/appbench.mk: the tests' disk with the Lua
# script) with /bin/lua and /bin/speedtest1 replaced by Linux's builds, so
# that both systems load them from the disk at the same paths.
LINUX_APPS_DISK := $(BUILD)/disks/apps-linux.img

$(LINUX_APPS_DISK): $(APPS_DISK) $(LINUX_DIR)/lua $(LINUX_DIR)/speedtest1 tools/mkbenchdisk.py
	$(PYTHON) tools/mkbenchdisk.py --from $(APPS_DISK) --files 0 \
	    --put /bin/lua=$(LINUX_DIR)/lua --put /bin/speedtest1=$(LINUX_DIR)/speedtest1 -o $@

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

# appbench mounts the disk on /mnt, as osbench does.
$(LINUX_APPBENCH_INITRAMFS): $(LINUX_DIR)/appbench $(LINUX_MODULES) tools/mkcpio.py
	$(PYTHON) tools/mkcpio.py -o $@ --dir /dev --char /dev/console=5,1 --dir /proc --dir /mnt \
	    --file /init=$(LINUX_DIR)/appbench $(LINUX_MODULE_FILES)

# Fetched once, the kernel and its modules from the same package; `make
# clean` (or deleting them) fetches the current package again.
# (setup.sh fetches both when either is missing: the second rule is then a
# no-op, run after the first.)
$(LINUX_KERNEL):
	bash tools/setup.sh --linux-kernel $(LINUX_DIR)

$(LINUX_MODULES): | $(LINUX_KERNEL)
	bash tools/setup.sh --linux-kernel $(LINUX_DIR)

.PHONY: linux-bench-files linux-netbench-files linux-appbench-files
linux-bench-files: $(LINUX_KERNEL) $(LINUX_INITRAMFS)
linux-netbench-files: $(LINUX_KERNEL) $(LINUX_NETBENCH_INITRAMFS)
linux-appbench-files: $(LINUX_KERNEL) $(LINUX_APPBENCH_INITRAMFS) $(LINUX_APPS_DISK)
