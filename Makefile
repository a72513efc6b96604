# Keel: one plain Makefile for the kernel, libkeel, user programs, tests and tools.
#
#   make run                 boot the OS (rs and the components of system/keel.system) in QEMU
#   make run-demo            boot the demo root task in QEMU
#   make test [TEST=name]    host tests, interface check, in-QEMU tests
#   make image ROOTTASK=elf  pack the kernel and a root-task ELF into build/image.elf
#   make debug               boot the demo image halted, with QEMU's gdb stub on :1234
#   make check               static checks (headers compile alone, cppcheck)
#   make bench               benchmarks in QEMU, instruction counts (docs/benchmarks.md)
#   make bench-os            the OS benchmarks only, Keel beside Linux 6.1 (docs/benchmarks.md)
#   make bench-net           the network benchmarks only, Keel beside Linux 6.1 (docs/benchmarks.md)
#   make bench-apps          Lua and SQLite's speedtest1, Keel beside Linux 6.1 (docs/benchmarks.md)
#   make fuzz                libFuzzer over the decoders and parsers (tests/fuzz; not in make test)
#   make stress              the fault-injection campaign on the OS's drivers: SEED=1 N=1000
#                            (docs/reliability.md "The stress campaign"; not in make test),
#                            the disk's and the network's, the combined campaign, then the
#                            kernel fuzzer's 10^7 calls (make kfuzz-long KFUZZ_SEED=S)
#   make campaign            the combined campaign alone: SEED=1 CAMPAIGN_N=500, every
#                            driver and server under every workload (docs/reliability.md)
#
# Everything generated or built goes under $(BUILD).

ARCH   ?= aarch64
BOARD  ?= qemu-virt
BUILD  ?= build
CPU    ?= cortex-a76
TEST   ?=

include mk/toolchain.mk

GEN_INCLUDE := $(BUILD)/gen/include

.PHONY: all run run-demo test image debug check clean setup _run _run-demo _test
all: kernel images

# The two public commands first make sure the machine has what the build needs.
run:
	@bash tools/setup.sh
	@$(MAKE) --no-print-directory _run

run-demo:
	@bash tools/setup.sh
	@$(MAKE) --no-print-directory _run-demo

test:
	@bash tools/setup.sh
	@$(MAKE) --no-print-directory _test

setup:
	@bash tools/setup.sh

clean:
	rm -rf $(BUILD)

include api/api.mk
include mk/rules.mk
include kernel/kernel.mk
include libkeel/libkeel.mk
include proto/proto.mk
include user/os/lib/start/start.mk
include user/os/lib/libos.mk
include user/os/lib/build/build.mk
include user/os/pm/pm.mk
include user/user.mk
include user/bin/bin.mk
include system/disk.mk
include tests/os/os.mk
include tests/os/disk.mk
include tests/os/net.mk
include tests/os/sockets/sockets.mk
include tests/os/fs/fs.mk
include tests/os/shell/shell.mk
include tests/os/console/console.mk
include tests/os/stress/stress.mk
include bench/os/osbench.mk
include bench/os/netbench.mk
include bench/os/appbench.mk
include user/os/vfs/vfs.mk
include user/os/drivers/uart/uart.mk
include user/os/drivers/timer/timer.mk
include user/os/drivers/rtc/rtc.mk
include user/os/drivers/blk/blk.mk
include user/os/drivers/eth/eth.mk
include user/os/net/net.mk
include user/bin/lua/lua.mk
include user/bin/sqlite3/sqlite3.mk
include user/os/fs/server/server.mk
include user/os/rs/rs.mk
include system/system.mk
include tests/ktest/ktest.mk
include tests/vmtest/vmtest.mk
include tests/kfuzz/kfuzz.mk
include tests/drvtest/drvtest.mk
include tests/host/host.mk
include tests/host/os.mk
include tests/host/bin.mk
include tests/os/libostest/libostest.mk
include tests/fuzz/fuzz.mk
include tests/foreign/foreign.mk
include bench/bench.mk
include bench/linux/linux.mk
include mk/images.mk
include mk/test.mk
include mk/check.mk
