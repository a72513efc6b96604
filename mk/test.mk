# make test: build every test program, then let the runner execute tests/tests.list.
# TEST_DEPS is filled by the fragments that define test programs.

# Kernel variants whose images the test list also boots: built by a nested
# make into $(BUILD)/<variant>/ with other kernel settings.
VARIANT_IMAGES := $(BUILD)/nofastpath/images/ktest.elf $(BUILD)/domains/images/ktest.elf

$(BUILD)/nofastpath/images/ktest.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/nofastpath \
	    KERNEL_DEFINES=-DCONFIG_FASTPATH=0 $@

# 16 scheduling domains and a 16-entry domain schedule (seL4's
# KernelNumDomains / KernelNumDomainSchedules).
$(BUILD)/domains/images/ktest.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/domains \
	    KERNEL_DEFINES="-DCONFIG_NUM_DOMAINS=16 -DCONFIG_NUM_DOMAIN_SCHEDULES=16" $@

# The kernel fuzzer on the slow path alone (tests/tests.list kfuzz.nofastpath).
VARIANT_IMAGES += $(BUILD)/nofastpath/images/kfuzz.elf

$(BUILD)/nofastpath/images/kfuzz.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/nofastpath \
	    KERNEL_DEFINES=-DCONFIG_FASTPATH=0 $@

# seL4's hardware debug API (docs/debug.md): its labels, kernel and tests.
VARIANT_IMAGES += $(BUILD)/hwdebug/images/ktest.elf

$(BUILD)/hwdebug/images/ktest.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/hwdebug \
	    KERNEL_DEFINES=-DCONFIG_HARDWARE_DEBUG_API=1 $@

# Kernels that export the generic timer to EL0 (config.h): ktest's
# test_timer.c checks the accesses each one allows and the timer interrupt.
# ktest is built with the same CONFIG_EXPORT_* settings (tests/ktest/ktest.mk).
USERTIMER_DEFINES := -DCONFIG_EXPORT_PCNT_USER=1 -DCONFIG_EXPORT_VCNT_USER=1 \
                     -DCONFIG_EXPORT_PTMR_USER=1
USERVTIMER_DEFINES := -DCONFIG_EXPORT_VCNT_USER=1 -DCONFIG_EXPORT_VTMR_USER=1
VARIANT_IMAGES += $(BUILD)/usertimer/images/ktest.elf $(BUILD)/uservtimer/images/ktest.elf

$(BUILD)/usertimer/images/ktest.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/usertimer \
	    KERNEL_DEFINES="$(USERTIMER_DEFINES)" $@

# libostest (tests/os/libostest) reads the counter at EL0: the usertimer kernel.
VARIANT_IMAGES += $(BUILD)/usertimer/images/libostest.elf

$(BUILD)/usertimer/images/libostest.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/usertimer \
	    KERNEL_DEFINES="$(USERTIMER_DEFINES)" $@

$(BUILD)/uservtimer/images/ktest.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/uservtimer \
	    KERNEL_DEFINES="$(USERVTIMER_DEFINES)" $@

.PHONY: FORCE
FORCE:

_test: $(TEST_DEPS) images $(VARIANT_IMAGES)
	$(PYTHON) tools/runtests.py --list tests/tests.list --build $(BUILD) --cpu $(CPU) \
	    $(if $(TEST),--only $(TEST))
