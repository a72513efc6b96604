# The network benchmarks (docs/benchmarks.md, "Network benchmarks"):
# bench/os/netbench.c, built for Keel as a program of /bin (on the tests'
# disk: system/disk.mk), and the description of the Keel image `netbench`
# (system/system.mk packs it inside the kernel variant `os`):
# system/keel.system with netbench as pm's first program instead of the
# shell, plus bench/keel/netbench.system. The Linux twin:
# bench/linux/linux.mk. The host drives both: tools/runnetbench.py.

$(eval $(call os_program,netbench,bench/os/netbench.c bench/os/benchsys.c))

NETBENCH_SYSTEM := $(BUILD)/system/netbench.system

$(NETBENCH_SYSTEM): system/keel.system bench/keel/netbench.system bench/os/osbench.mk \
                    bench/os/netbench.mk
	$(call pm_first_system,/bin/netbench,bench/keel/netbench.system)

# make bench-net: the Keel image on the kernel with EL0 access to the PMU
# (OSPMU_KERNEL, bench/os/osbench.mk: netbench counts instructions itself,
# as it does with perf on Linux), the tests' disk (netbench is loaded from
# its /bin), the Linux files (bench/linux/linux.mk), then both runs
# (tools/runnetbench.py: the table, build/netbench.json,
# build/netbench.log). `make bench` runs it after the OS benchmarks; `make
# test` runs the Keel side briefly on the os variant's image (net.bench.smoke
# in tests/tests.list).
NETBENCH_IMAGE := $(BUILD)/os/images/netbench.elf
NETBENCH_PMU_IMAGE := $(BUILD)/ospmu/images/netbench.elf

.PHONY: bench-net _bench-net
bench-net:
	@bash tools/setup.sh --linux-kernel $(LINUX_DIR)
	@$(MAKE) --no-print-directory _bench-net

# (os-images builds NETBENCH_IMAGE's root task; the tests' disk needs
# os-images too, so one nested make builds both, even under -j)
$(NETBENCH_PMU_IMAGE): $(OSPMU_KERNEL) os-images tools/pack_image.py
	@mkdir -p $(@D)
	$(PYTHON) tools/pack_image.py --kernel $(OSPMU_KERNEL) --root $(BUILD)/os/user/rs-netbench.elf \
	    -o $@

_bench-net: $(NETBENCH_PMU_IMAGE) $(TEST_DISK) linux-netbench-files
	$(PYTHON) tools/runnetbench.py --build $(BUILD)
