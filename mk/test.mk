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

# seL4's hardware debug API (docs/debug.md): its labels, kernel and tests.
VARIANT_IMAGES += $(BUILD)/hwdebug/images/ktest.elf

$(BUILD)/hwdebug/images/ktest.elf: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/hwdebug \
	    KERNEL_DEFINES=-DCONFIG_HARDWARE_DEBUG_API=1 $@

.PHONY: FORCE
FORCE:

_test: $(TEST_DEPS) images $(VARIANT_IMAGES)
	$(PYTHON) tools/runtests.py --list tests/tests.list --build $(BUILD) --cpu $(CPU) \
	    $(if $(TEST),--only $(TEST))
