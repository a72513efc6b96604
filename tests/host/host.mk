# Host tests: kernel sources compiled for the build machine under ASan and UBSan
# (HOST_CFLAGS), each test file linked with the harness into $(BUILD)/host/test_<name>.
# tools/runtests.py runs them from the `host` entries of tests/tests.list.

HOST_HARNESS := tests/host/harness.c

# host_test(name, kernel sources under test): builds $(BUILD)/host/test_<name>
# from tests/host/test_<name>.c.
define host_test
$(BUILD)/host/test_$(1): $$(patsubst %.c,$(BUILD)/host/obj/%.o,tests/host/test_$(1).c $(HOST_HARNESS) $(2))
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) -o $$@ $$^
TEST_DEPS += $(BUILD)/host/test_$(1)
endef

$(eval $(call host_test,fdt,common/fdt.c))
$(eval $(call host_test,region,kernel/core/region.c))
$(eval $(call host_test,cdt,kernel/core/cdt.c kernel/core/capability.c))

.PHONY: host-tests
host-tests: $(filter $(BUILD)/host/%,$(TEST_DEPS))
