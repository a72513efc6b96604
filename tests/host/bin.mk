# The portable programs of user/bin (BIN_HOST_PROGRAMS) built for the host (glibc) under ASan and UBSan
# into $(BUILD)/host/bin/NAME, for tests/host/test_sh.py, test_utils.py,
# test_fileutils.py and test_httpd.py. SH_HOST selects the host side of
# the few places where a program differs: the shell's process groups and
# signals of children.

HOST_BIN_CFLAGS := $(filter-out -DKEEL_HOST_TEST=1,$(HOST_CFLAGS)) -D_POSIX_C_SOURCE=200809L \
                   -DSH_HOST=1

$(BUILD)/host/bin/obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_BIN_CFLAGS) -c $< -o $@

define host_bin
$(BUILD)/host/bin/$(1): $$(patsubst %.c,$(BUILD)/host/bin/obj/%.o,$$(BIN_SRCS_$(1)))
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_BIN_CFLAGS) -o $$@ $$^
TEST_DEPS += $(BUILD)/host/bin/$(1)
endef

$(foreach p,$(BIN_HOST_PROGRAMS),$(eval $(call host_bin,$(p))))
