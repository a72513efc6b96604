# The OS benchmarks (docs/benchmarks.md, "OS benchmarks"): bench/os/osbench.c
# and its exit helper, built for Keel as programs of /bin, and the
# descriptions of the Keel images `osbench` and `osbench-quick`
# (system/system.mk packs them inside the kernel variant `os`): the system of
# system/keel.system with osbench as pm's first program instead of the
# shell, plus bench/keel/osbench.system. The Linux twin: bench/linux/linux.mk.

$(eval $(call os_program,osbench,bench/os/osbench.c bench/os/benchsys.c))
$(eval $(call os_program,osbench-exit,bench/os/exit.c))

OSBENCH_SYSTEM       := $(BUILD)/system/osbench.system
OSBENCH_QUICK_SYSTEM := $(BUILD)/system/osbench-quick.system

# pm_first_system(LINE,FRAGMENT): keel.system with pm's first program
# replaced by LINE (a path and its arguments), without the boot script (an
# error if that line is not found), then FRAGMENT. Also for netbench
# (bench/os/netbench.mk).
define pm_first_system
	@mkdir -p $(@D)
	sed 's|^\( *arg  *\)--respawn \(--rc [^ ]* \)\{0,1\}/bin/sh *$$|\1$(1)|' \
	    system/keel.system > $@.tmp
	@grep -q '^ *arg  *$(1)$$' $@.tmp || \
	    { echo "osbench.mk: no 'arg --respawn [--rc FILE] /bin/sh' line for pm in system/keel.system" >&2; \
	      rm -f $@.tmp; exit 1; }
	cat $(2) >> $@.tmp
	mv $@.tmp $@
endef

# osbench_system(ARGS): pm's first program /bin/osbench ARGS, then
# bench/keel/osbench.system.
osbench_system = $(call pm_first_system,/bin/osbench$(1),bench/keel/osbench.system)

$(OSBENCH_SYSTEM): system/keel.system bench/keel/osbench.system bench/os/osbench.mk
	$(call osbench_system,)

$(OSBENCH_QUICK_SYSTEM): system/keel.system bench/keel/osbench.system bench/os/osbench.mk
	$(call osbench_system, --quick)

# The benchmark disk: a copy of the tests' disk (system/disk.mk) with the
# cold files of fs_read_1m_cold, /bench/cold-00 .. cold-15, written by the
# host's debugfs (tools/mkbenchdisk.py). Keel and Linux each boot a copy.
BENCH_DISK := $(BUILD)/disks/bench.img

$(BENCH_DISK): $(TEST_DISK) tools/mkbenchdisk.py
	$(PYTHON) tools/mkbenchdisk.py --from $(TEST_DISK) -o $@

# make bench-os: the Keel image (inside the kernel variant `os`, like
# os-images), the Linux files (bench/linux/linux.mk) and the benchmark disk,
# then both runs (tools/runosbench.py: the table, build/osbench.json,
# build/osbench.log). `make bench` runs it after the kernel benchmarks.
OSBENCH_IMAGE := $(BUILD)/os/images/osbench.elf

.PHONY: bench-os _bench-os osbench-image
bench-os:
	@bash tools/setup.sh --linux-kernel $(LINUX_DIR)
	@$(MAKE) --no-print-directory _bench-os

osbench-image:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/os KERNEL_DEFINES="$(OS_KERNEL_DEFINES)" \
	    $(OSBENCH_IMAGE)

# The image make bench-os boots: osbench's system (the same root task as
# OSBENCH_IMAGE) on the os variant's kernel with EL0 access to the PMU
# (CONFIG_EXPORT_PMU_USER), so that osbench counts instructions itself, as
# it does with perf on Linux. Only this image gets that kernel: the PMU
# is a clock every program could read, and nothing else needs it.
OSPMU_KERNEL := $(BUILD)/ospmu/kernel.elf
OSBENCH_PMU_IMAGE := $(BUILD)/ospmu/images/osbench.elf

$(OSPMU_KERNEL): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/ospmu \
	    KERNEL_DEFINES="$(OS_KERNEL_DEFINES) -DCONFIG_EXPORT_PMU_USER=1" $@

$(OSBENCH_PMU_IMAGE): $(OSPMU_KERNEL) osbench-image tools/pack_image.py
	@mkdir -p $(@D)
	$(PYTHON) tools/pack_image.py --kernel $(OSPMU_KERNEL) --root $(BUILD)/os/user/rs-osbench.elf \
	    -o $@

_bench-os: $(OSBENCH_PMU_IMAGE) linux-bench-files $(BENCH_DISK)
	$(PYTHON) tools/runosbench.py --build $(BUILD)
