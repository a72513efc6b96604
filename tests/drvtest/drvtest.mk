# drvtest: the in-QEMU tests of interrupts and user-level drivers. The root
# task links the drivers of user/drivers and ktest's framework and object
# helpers; layout.c must stay first (see there), which the layout check
# below verifies on the linked ELF.

include user/drivers/drivers.mk

DRVTEST_SRCS := tests/drvtest/layout.c tests/drvtest/main.c tests/drvtest/env.c \
                tests/drvtest/test_irq.c tests/drvtest/test_drivers.c tests/drvtest/faulty.c \
                tests/ktest/framework.c tests/ktest/objects.c \
                $(DRIVERS_LIB_SRCS) $(DRIVERS_SRCS)

$(eval $(call user_program,drvtest,$(DRVTEST_SRCS)))
$(drvtest_OBJS): | $(GEN_HEADERS)

# drvtest_data_start must be the first byte of the writable segment.
$(BUILD)/check/drvtest-layout.ok: $(BUILD)/user/drvtest.elf tests/drvtest/check_layout.py
	@mkdir -p $(@D)
	$(PYTHON) tests/drvtest/check_layout.py $<
	@touch $@

TEST_DEPS += $(BUILD)/user/drvtest.elf $(BUILD)/check/drvtest-layout.ok
