# libos: Keel's POSIX layer beneath picolibc (docs/os.md "libos",
# docs/posix.md), and os_program, which links a program or component:
# the start-up (user/os/lib/start), the program's objects, libos,
# picolibc's libc.a and libm.a, and libkeel, at 0x400000
# (user/os/lib/program.ld).
#
#   $(eval $(call os_program,NAME,SOURCES[,PROTOCOLS SERVED]))
#
# builds $(BUILD)/programs/NAME.elf; PROTOCOLS are names of proto/*.proto
# whose generated dispatch the program links (a server). Every object of
# user/os is compiled with OS_CFLAGS: a hosted C11 (GNU dialect) program
# on picolibc's headers, its TLS local-exec as picolibc's. OS_FEATURES
# tells picolibc's headers the POSIX options Keel offers that its
# sys/features.h only turns on for RTEMS and Cygwin (clock_gettime,
# CLOCK_MONOTONIC).

PICOLIBC      ?= /usr/lib/picolibc/aarch64-linux-gnu
PICOLIBC_LIBS := $(PICOLIBC)/lib/libc.a $(PICOLIBC)/lib/libm.a
# picolibc calls the compiler's run-time library (128-bit shifts, long
# double arithmetic, outline atomics): libgcc of the cross gcc that the
# picolibc package depends on.
LIBGCC        := $(shell aarch64-linux-gnu-gcc -print-libgcc-file-name 2>/dev/null)

OS_INCLUDES := -Iuser/os/lib/include -Iuser/os/include -Ilibkeel/include -Icommon/include -I$(GEN_INCLUDE) \
               -isystem $(PICOLIBC)/include
OS_FEATURES := -D_POSIX_TIMERS=200809L -D_POSIX_MONOTONIC_CLOCK=200809L
OS_CFLAGS   := $(TARGET) -std=gnu11 -fno-common -fno-stack-protector -fno-pie -fno-pic \
               -mcmodel=small -ftls-model=local-exec -O2 -g $(WARNINGS) -MMD -MP $(OS_FEATURES)

LIBOS_SRCS := $(addprefix user/os/lib/,blkclient.c netclient.c convert.c dir.c env.c files.c fs.c ids.c io.c malloc.c misc.c \
                mman.c pack.c proc.c socket.c inet.c spawn.c stdio.c stdio_wrap.c fmtfloat.c time.c string.c)
# Debian's picolibc is built for size: its memcpy and memset move a byte
# at a time (four instructions a byte; a 64 KiB read crosses three copies
# between the disk and a program), and its string searches and
# comparisons step a byte at a time too. libos takes common/memops.c's
# word copies, memcmp and strlen instead (the kernel's and libkeel's), and
# string.c's word-at-a-time memchr, strchr, strrchr, strcmp, strncmp,
# stpcpy and strcpy and its bit-set strcspn and strspn, ahead of libc.a.
LIBOS_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBOS_SRCS)) $(BUILD)/libos/obj/memops.o
LIBOS_A    := $(BUILD)/libos/libos.a

# -fno-builtin: the compiler must not make their loops calls to themselves.
# A section a function: a program takes only the ones it calls (the
# smallest programs barely fit their quotas in tests/os/test.system).
$(BUILD)/libos/obj/memops.o: common/memops.c
	@mkdir -p $(@D)
	$(CC) $(OS_CFLAGS) -fno-builtin -ffunction-sections $(OS_INCLUDES) -c $< -o $@
$(BUILD)/obj/user/os/lib/string.o: CFLAGS = $(OS_CFLAGS) $(OS_INCLUDES) -fno-builtin -ffunction-sections

$(BUILD)/obj/user/os/%.o: CFLAGS = $(OS_CFLAGS) $(OS_INCLUDES)
# a section a function: a program takes only the wrappers it calls (and so
# picolibc's strtod only if it calls strtod), and of io.c only the calls
# it makes (pread and pwrite would otherwise push small programs such as
# service over a page)
$(BUILD)/obj/user/os/lib/stdio_wrap.o $(BUILD)/obj/user/os/lib/fmtfloat.o \
    $(BUILD)/obj/user/os/lib/io.o: \
    CFLAGS = $(OS_CFLAGS) $(OS_INCLUDES) -ffunction-sections
$(LIBOS_OBJS): | $(GEN_HEADERS) $(PROTO_HEADERS)

$(LIBOS_A): $(LIBOS_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# A server's generated dispatch, compiled like the server.
$(BUILD)/obj/proto/%_server.o: $(PROTO_SRC_DIR)/%_server.c | $(GEN_HEADERS) $(PROTO_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(OS_CFLAGS) $(SERVER_FLAGS) $(OS_INCLUDES) -c $< -o $@

# libos comes before libc.a so that its sbrk, signal and raise are the ones
# linked (lld takes an archive member for the first archive that defines
# the symbol), and its memset, memcpy, memmove, memcmp and strlen
# (memops.c) and memchr, strchr, strrchr, strcmp, strncmp, strcspn, strspn,
# stpcpy and strcpy (string.c; above); libkeel after libc.a, so that the
# other string functions are picolibc's.
# --wrap: libos's stdio_wrap.c stands in front of picolibc's vfprintf (the
# one every printf calls; __d_vfprintf for strfromd and gcvt), strtod,
# strtof, strtold and setvbuf (docs/posix.md "stdio"): exact float conversions, hexadecimal
# strtod, setvbuf after output.
OS_WRAPS      := vfprintf __d_vfprintf strtod strtof strtold setvbuf
OS_LDFLAGS    := -T user/os/lib/program.ld --gc-sections -nostdlib -static \
                 -z max-page-size=4096 --build-id=none $(addprefix --wrap=,$(OS_WRAPS))
OS_LINK       := $(LIBOS_A) $(PICOLIBC_LIBS) $(LIBKEEL_A) $(LIBGCC)
OS_LINK_DEPS   = $(LIBOS_A) $(LIBKEEL_A) user/os/lib/program.ld $(OS_START_LINK)

define os_program
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/obj/%.o,$$(patsubst %.S,$(BUILD)/obj/%.o,$(2))) \
             $$(foreach p,$(3),$(BUILD)/obj/proto/$$(p)_server.o)
$$(filter-out $(BUILD)/obj/proto/%,$$($(1)_OBJS)): CFLAGS = $$(OS_CFLAGS) $$(OS_INCLUDES)
$$($(1)_OBJS): | $$(GEN_HEADERS) $$(PROTO_HEADERS)
# the recipe links the objects named here: a program and a component may share NAME
$(BUILD)/programs/$(1).elf: LINK_OBJS := $$($(1)_OBJS)
$(BUILD)/programs/$(1).elf: $$($(1)_OBJS) $$(OS_LINK_DEPS)
	@mkdir -p $$(@D)
	$$(LD) $$(OS_LDFLAGS) -o $$@ $$(OS_START_LINK) $$(LINK_OBJS) $$(OS_LINK)
OS_PROGRAMS += $(BUILD)/programs/$(1).elf
endef

.PHONY: libos
libos: $(LIBOS_A)

# make check: the headers of user/os and those generated from proto/ compile
# on their own with the flags of programs.
OS_HEADERS := $(wildcard user/os/include/keel/os/*.h user/os/lib/*.h user/os/lib/include/*.h \
                          user/os/lib/include/*/*.h)
OS_HEADER_STAMPS := $(patsubst %.h,$(BUILD)/check/%.ok,$(OS_HEADERS) $(PROTO_HEADERS))
$(BUILD)/check/user/os/%.ok: user/os/%.h | $(GEN_HEADERS) $(PROTO_HEADERS)
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(CC) $(OS_CFLAGS) $(OS_INCLUDES) -x c -c - -o /dev/null
	@touch $@
# libos's own system headers stand before picolibc's (some #include_next
# it): included by their system name.
$(BUILD)/check/user/os/lib/include/%.ok: user/os/lib/include/%.h | $(GEN_HEADERS) $(PROTO_HEADERS)
	@mkdir -p $(@D)
	@echo '#include <$*.h>' | $(CC) $(OS_CFLAGS) $(OS_INCLUDES) -x c -c - -o /dev/null
	@touch $@
$(BUILD)/check/$(GEN_INCLUDE)/keel/proto/%.ok: $(GEN_INCLUDE)/keel/proto/%.h | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(CC) $(OS_CFLAGS) $(OS_INCLUDES) -x c -c - -o /dev/null
	@touch $@

.PHONY: check-os-headers
check-os-headers: $(OS_HEADER_STAMPS)
	@echo "os headers: $(words $(OS_HEADER_STAMPS)) compile on their own"
check: check-os-headers
