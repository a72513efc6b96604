# Host tests of the OS layer (docs/testing.md): the protocol generator's
# dispatch and client stubs (test_proto_dispatch) and libos's plain logic
# (test_libos), under ASan and UBSan like every host test.
#
# genproto --tables writes the example protocol (tests/host/data/genproto)
# and proto/*.proto, with test tables, into $(BUILD)/host/proto; the stub
# directory tests/host/proto_shim stands in for the trap of keel/syscalls.h.

HOST_PROTO_DIR   := $(BUILD)/host/proto
HOST_PROTO_FILES := tests/host/data/genproto/example.proto $(PROTO_FILES)
HOST_PROTO_NAMES := example $(PROTO_NAMES)
HOST_PROTO_SRCS  := $(foreach p,$(HOST_PROTO_NAMES),$(HOST_PROTO_DIR)/src/$(p)_server.c \
                      $(HOST_PROTO_DIR)/src/$(p)_table.c)
HOST_PROTO_STAMP := $(HOST_PROTO_DIR)/stamp

$(HOST_PROTO_STAMP): $(HOST_PROTO_FILES) tools/genproto.py
	$(PYTHON) tools/genproto.py --tables $(HOST_PROTO_FILES) --include $(HOST_PROTO_DIR)/include \
	    --src $(HOST_PROTO_DIR)/src
	@touch $@
$(HOST_PROTO_SRCS): $(HOST_PROTO_STAMP)

HOST_OS_INCLUDES := -Itests/host -Itests/host/proto_shim -I$(HOST_PROTO_DIR)/include \
                    -Iuser/os/lib -Iuser/os/include -Ilibkeel/include -Icommon/include -I$(GEN_INCLUDE)
HOST_OS_CFLAGS   := $(HOST_CFLAGS) -D_DEFAULT_SOURCE

$(BUILD)/host/os/obj/%.o: %.c | $(GEN_HEADERS) $(HOST_PROTO_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_OS_CFLAGS) $(HOST_OS_INCLUDES) -c $< -o $@

# host_os_test(name, sources): $(BUILD)/host/test_<name> from tests/host/test_<name>.c.
define host_os_test
$(BUILD)/host/test_$(1): $$(patsubst %.c,$(BUILD)/host/os/obj/%.o,tests/host/test_$(1).c \
                           $(HOST_HARNESS) $(2))
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_OS_CFLAGS) -o $$@ $$^
TEST_DEPS += $(BUILD)/host/test_$(1)
endef

$(eval $(call host_os_test,proto_dispatch,$(HOST_PROTO_SRCS)))
$(eval $(call host_os_test,libos,user/os/lib/convert.c user/os/lib/pack.c))
# libos's exact printf %e/%f/%g and hexadecimal strtod against glibc's.
$(eval $(call host_os_test,fmtfloat,user/os/lib/fmtfloat.c))
# libos's allocator, included by the test itself over a stand-in sbrk (test_malloc.c).
$(eval $(call host_os_test,malloc,))
# The lines of the system programs (user/bin/common/sysinfo.c).
$(eval $(call host_os_test,sysinfo,user/bin/common/sysinfo.c))
# The timer driver's table of a client's timeouts (user/os/drivers/timer/deadlines.c).
$(eval $(call host_os_test,deadlines,user/os/drivers/timer/deadlines.c))
# The virtio-blk driver's checks of its clients' requests (user/os/drivers/blk/request.c).
$(eval $(call host_os_test,blkreq,user/os/drivers/blk/request.c))
# The ext2 library (user/os/fs/ext2, docs/ext2.md) on the host: ext2tool, the
# library over an image file (driven by tests/host/test_ext2.py against
# mke2fs, debugfs and e2fsck), and the unit tests test_ext2.unit (the block
# cache, the block map at each level's boundary, directory entry checks).
EXT2_SRCS := $(sort $(wildcard user/os/fs/ext2/*.c))
EXT2_OBJS := $(patsubst %.c,$(BUILD)/host/os/obj/%.o,$(EXT2_SRCS))

$(BUILD)/host/ext2tool: $(BUILD)/host/os/obj/tests/host/ext2tool.o $(EXT2_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_OS_CFLAGS) -o $@ $^

$(BUILD)/host/test_ext2.unit: $(patsubst %.c,$(BUILD)/host/os/obj/%.o,tests/host/test_ext2.c \
                                $(HOST_HARNESS)) $(EXT2_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_OS_CFLAGS) -o $@ $^

TEST_DEPS += $(BUILD)/host/ext2tool $(BUILD)/host/test_ext2.unit
