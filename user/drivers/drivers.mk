# User-level drivers (docs/drivers.md): the driver library and the drivers.
# They are linked into the root task that starts them (for now the drvtest
# root task, tests/drvtest/drvtest.mk), which runs each in its own VSpace.

DRIVERS_LIB_SRCS := user/drivers/lib/driver.c user/drivers/lib/spawn.c
DRIVERS_SRCS     := user/drivers/template/template.c user/drivers/pl031/pl031.c \
                    user/drivers/pl011/pl011.c

# make check: the driver headers compile on their own (STYLE 12).
DRIVERS_HEADERS := $(wildcard user/drivers/*/*.h)
DRIVERS_HEADER_STAMPS := $(patsubst %.h,$(BUILD)/check/%.ok,$(DRIVERS_HEADERS))

$(BUILD)/check/user/drivers/%.ok: user/drivers/%.h | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(CC) $(USER_CFLAGS) $(USER_INCLUDES) -x c -c - -o /dev/null
	@touch $@

.PHONY: check-driver-headers
check-driver-headers: $(DRIVERS_HEADER_STAMPS)
	@echo "driver headers: $(words $(DRIVERS_HEADER_STAMPS)) compile on their own"
check: check-driver-headers
