# The benchmark root task and `make bench` (docs/benchmarks.md).
#
# The root task is built like every user program ($(BUILD)/user/bench.elf),
# but it is meant for the benchmark kernel variant: a release kernel with
# seL4's benchmark configuration that lets EL0 read the cycle counter, built
# by a nested make into $(BUILD)/bench/ (as mk/test.mk builds its variants).
# `make test` boots that image briefly (bench.smoke in tests/tests.list).
#
# -mgeneral-regs-only: no thread touches the FPU unless a benchmark asks for
# it (bench/asm.S does so explicitly).

BENCH_SRCS := bench/main.c bench/uart.c bench/asm.S bench/irq_timer.c bench/fastpath_check.c
$(eval $(call user_program,bench,$(BENCH_SRCS)))
$(bench_OBJS): | $(GEN_HEADERS)
$(BUILD)/obj/bench/%.o: CFLAGS = $(USER_CFLAGS) $(USER_INCLUDES) -mgeneral-regs-only

BENCH_KERNEL_DEFINES := -DCONFIG_DEBUG_BUILD=0 -DCONFIG_PRINTING=0 -DCONFIG_ROOT_CNODE_SIZE_BITS=15 \
                        -DCONFIG_TIME_SLICE=500 -DCONFIG_TIMER_TICK_MS=1000 \
                        -DCONFIG_EXPORT_PMU_USER=1 -DCONFIG_BENCHMARK_SYSCALLS=1 \
                        -DCONFIG_EXPORT_PCNT_USER=1 -DCONFIG_EXPORT_VCNT_USER=1 \
                        -DCONFIG_EXPORT_PTMR_USER=1
BENCH_IMAGE := $(BUILD)/bench/images/bench.elf

$(BENCH_IMAGE): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/bench \
	    KERNEL_DEFINES="$(BENCH_KERNEL_DEFINES)" $@

TEST_DEPS += $(BENCH_IMAGE)

# The same with the fastpath counters (CONFIG_FASTPATH_STATS, read through
# KeelFastpathStats): bench.fastpath in tests/tests.list runs the root task
# with check-fastpath=1 on it.
BENCH_STATS_IMAGE := $(BUILD)/benchstats/images/bench.elf

$(BENCH_STATS_IMAGE): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/benchstats \
	    KERNEL_DEFINES="$(BENCH_KERNEL_DEFINES) -DCONFIG_FASTPATH_STATS=1" $@

TEST_DEPS += $(BENCH_STATS_IMAGE)

.PHONY: bench _bench FORCE
# make bench: the kernel benchmarks, then the OS benchmarks beside Linux
# (make bench-os, bench/os/osbench.mk), then the network benchmarks beside
# Linux (make bench-net, bench/os/netbench.mk), then the application
# benchmarks beside Linux (make bench-apps, bench/os/appbench.mk).
bench:
	@bash tools/setup.sh --linux-kernel $(LINUX_DIR)
	@$(MAKE) --no-print-directory _bench

_bench: $(BENCH_IMAGE)
	$(PYTHON) tools/runbench.py --build $(BUILD)
	@$(MAKE) --no-print-directory _bench-os
	@$(MAKE) --no-print-directory _bench-net
	@$(MAKE) --no-print-directory _bench-apps
