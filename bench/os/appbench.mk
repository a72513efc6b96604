# The application benchmarks (docs/benchmarks.md, "Application
# benchmarks"): bench/os/appbench.c, built for Keel as a program of /bin
# (on the tests' disk: system/disk.mk), which runs /bin/lua with the Lua
# benchmark script bench/os/lua/bench.lua and SQLite's /bin/speedtest1
# (user/bin/lua, user/bin/sqlite3) and counts their instructions; the
# descriptions of the Keel images `appbench` and `appbench-quick`
# (system/system.mk packs them inside the kernel variant `os`):
# system/keel.system with appbench as pm's first program instead of the
# shell, plus bench/keel/appbench.system. The Linux twin:
# bench/linux/linux.mk. The host drives both: tools/runappbench.py.

$(eval $(call os_program,appbench,bench/os/appbench.c bench/os/benchsys.c))

APPBENCH_SYSTEM       := $(BUILD)/system/appbench.system
APPBENCH_QUICK_SYSTEM := $(BUILD)/system/appbench-quick.system

$(APPBENCH_SYSTEM): system/keel.system bench/keel/appbench.system bench/os/osbench.mk \
                    bench/os/appbench.mk
	$(call pm_first_system,/bin/appbench,bench/keel/appbench.system)

$(APPBENCH_QUICK_SYSTEM): system/keel.system bench/keel/appbench.system bench/os/osbench.mk \
                          bench/os/appbench.mk
	$(call pm_first_system,/bin/appbench --quick,bench/keel/appbench.system)

# The benchmarks' disk: a copy of the tests' disk (which has /bin/lua,
# /bin/speedtest1 and /bin/appbench) with the Lua script at
# /bench/bench.lua, written by tools/mkbenchdisk.py. Linux's is made from
# it (bench/linux/linux.mk); each system boots a copy of its own. The test
# apps.bench.smoke boots a copy too.
APPS_DISK := $(BUILD)/disks/apps.img

$(APPS_DISK): $(TEST_DISK) bench/os/lua/bench.lua tools/mkbenchdisk.py
	$(PYTHON) tools/mkbenchdisk.py --from $(TEST_DISK) --files 0 \
	    --put /bench/bench.lua=bench/os/lua/bench.lua -o $@
TEST_DEPS += $(APPS_DISK)

# The kernel make bench-apps boots: the os variant's with EL0 access to the
# PMU (as OSPMU_KERNEL) and the split of its count between the programs
# and everything else (CONFIG_BENCH_PMU_PROGRAMS, kernel/include/config.h:
# PMU event counter 2 runs while a thread below priority 100 runs at EL0;
# pm runs programs at 50, every server is at 150 or above). A kernel of its
# own, so that the OS and network benchmarks' kernel stays as it was.
OSAPPS_KERNEL := $(BUILD)/osapps/kernel.elf
APPBENCH_PMU_IMAGE := $(BUILD)/osapps/images/appbench.elf

$(OSAPPS_KERNEL): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/osapps \
	    KERNEL_DEFINES="$(OS_KERNEL_DEFINES) -DCONFIG_EXPORT_PMU_USER=1 -DCONFIG_BENCH_PMU_PROGRAMS=100" $@

# (os-images builds the root task; the tests' disk needs os-images too, so
# one nested make builds both, even under -j)
$(APPBENCH_PMU_IMAGE): $(OSAPPS_KERNEL) os-images tools/pack_image.py
	@mkdir -p $(@D)
	$(PYTHON) tools/pack_image.py --kernel $(OSAPPS_KERNEL) --root $(BUILD)/os/user/rs-appbench.elf \
	    -o $@

# make bench-apps: both runs (tools/runappbench.py: the table,
# build/appbench.json, build/appbench.log). `make bench` runs it after the
# network benchmarks.
.PHONY: bench-apps _bench-apps
bench-apps:
	@bash tools/setup.sh --linux-kernel $(LINUX_DIR)
	@$(MAKE) --no-print-directory _bench-apps

_bench-apps: $(APPBENCH_PMU_IMAGE) $(APPS_DISK) linux-appbench-files
	$(PYTHON) tools/runappbench.py --build $(BUILD)
