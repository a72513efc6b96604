# libostest: libos and picolibc on the target before pm and vfs exist
# (tests/os/libostest/libostest.h). A root task linked like an OS program
# (user/os/lib/program.ld, libos, picolibc, libkeel) with the generated pm
# and vfs dispatch for its fake servers; it needs the generic counter at
# EL0, so tests.list boots it on the usertimer kernel (mk/test.mk).

LIBOSTEST_SRCS := tests/os/libostest/crt0.S tests/os/libostest/setup.c \
                  tests/os/libostest/servers.c tests/os/libostest/main.c
LIBOSTEST_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(patsubst %.S,$(BUILD)/obj/%.o,$(LIBOSTEST_SRCS))) \
                  $(BUILD)/obj/proto/pm_server.o $(BUILD)/obj/proto/vfs_server.o

$(BUILD)/obj/tests/os/libostest/%.o: CFLAGS = $(OS_CFLAGS) $(OS_INCLUDES)
$(LIBOSTEST_OBJS): | $(GEN_HEADERS) $(PROTO_HEADERS)

$(BUILD)/user/libostest.elf: $(LIBOSTEST_OBJS) $(OS_LINK_DEPS)
	@mkdir -p $(@D)
	$(LD) $(OS_LDFLAGS) -o $@ $(LIBOSTEST_OBJS) $(OS_LINK)

# Not in USER_PROGRAMS: only the usertimer kernel's image is booted
# (mk/test.mk builds it).
