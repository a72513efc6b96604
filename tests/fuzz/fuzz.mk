# make fuzz: libFuzzer targets, one after the other (FUZZ_TARGET picks:
# decode, ext2, fmtfloat, http, fsops, vfspath, blkreq, netreq).
# fuzz_decode: the invocation decoders (tests/fuzz/fuzz_decode.c), the
# same kernel sources and host stand-ins as the host test
# cspace_model.aarch64 (the AArch64 port's decoders included). Not part of
# `make test`. Builds with clang's libFuzzer, ASan and UBSan into
# $(BUILD)/fuzz and runs for FUZZ_TIME seconds, starting from the seeds of
# tests/fuzz/make_seeds.py and keeping what it finds in $(BUILD)/fuzz/corpus. FUZZ_ARGS passes more libFuzzer options (e.g.
# FUZZ_ARGS=-jobs=4); a crash is written to $(BUILD)/fuzz/crash-<hash>;
# replay it with $(BUILD)/fuzz/fuzz_decode $(BUILD)/fuzz/crash-<hash>.
#
# Include this file after tests/host/host.mk (it uses its source lists).

FUZZ_TIME ?= 60
FUZZ_ARGS ?=
FUZZ_SANITIZE := address,undefined
FUZZ_CFLAGS := -std=c11 -O1 -g $(WARNINGS) -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -MMD -MP -DKEEL_HOST_TEST=1 -fsanitize=fuzzer-no-link,$(FUZZ_SANITIZE)
FUZZ_SRCS := tests/fuzz/fuzz_decode.c $(HOST_KERNEL_ENV_SRCS) $(HOST_KERNEL_CAP_SRCS) \
             $(HOST_AARCH64_SRCS)
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_SRCS))
FUZZ_BIN := $(BUILD)/fuzz/fuzz_decode

$(BUILD)/fuzz/obj/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(FUZZ_CFLAGS) $(HOST_AARCH64_INCLUDES) -c $< -o $@

$(FUZZ_BIN): $(FUZZ_OBJS)
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# The second target, fuzz_ext2 (tests/fuzz/fuzz_ext2.c): the ext2 library
# (user/os/fs/ext2) mounting, walking and changing disk images, from the
# seeds of tests/fuzz/make_ext2_seeds.py (mke2fs images), its corpus in
# $(BUILD)/fuzz/ext2-corpus, crashes in $(BUILD)/fuzz/ext2-crash-<hash>.
FUZZ_EXT2_SRCS := tests/fuzz/fuzz_ext2.c $(sort $(wildcard user/os/fs/ext2/*.c))
FUZZ_EXT2_BIN := $(BUILD)/fuzz/fuzz_ext2

$(FUZZ_EXT2_BIN): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_EXT2_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# The third, fuzz_fmtfloat (tests/fuzz/fuzz_fmtfloat.c): libos's exact
# printf %e/%f/%g and hexadecimal strtod (user/os/lib/fmtfloat.c) against
# the host's glibc, from no seeds; its corpus in $(BUILD)/fuzz/fmtfloat-corpus,
# crashes in $(BUILD)/fuzz/fmtfloat-crash-<hash>.
FUZZ_FMTFLOAT_SRCS := tests/fuzz/fuzz_fmtfloat.c user/os/lib/fmtfloat.c
FUZZ_FMTFLOAT_BIN := $(BUILD)/fuzz/fuzz_fmtfloat

$(FUZZ_FMTFLOAT_BIN): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_FMTFLOAT_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# The fourth, fuzz_http (tests/fuzz/fuzz_http.c): httpd's request parsing
# (user/bin/httpd/http.c), what any client on the network sends, from the
# seeds in tests/fuzz/http-seeds; its corpus in $(BUILD)/fuzz/http-corpus,
# crashes in $(BUILD)/fuzz/http-crash-<hash>.
FUZZ_HTTP_SRCS := tests/fuzz/fuzz_http.c user/bin/httpd/http.c
FUZZ_HTTP_BIN := $(BUILD)/fuzz/fuzz_http

$(FUZZ_HTTP_BIN): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_HTTP_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# The fifth, fuzz_fsops (tests/fuzz/fuzz_fsops.c): the ext2 server's
# answers to vfs (user/os/fs/server/ops.c as it is, over the ext2
# library), runs of hostile requests on a copy of the "files" seed image;
# its corpus in $(BUILD)/fuzz/fsops-corpus, crashes in
# $(BUILD)/fuzz/fsops-crash-<hash> (replay: FSOPS_IMAGE=$(BUILD)/fuzz/
# ext2-seeds/files $(BUILD)/fuzz/fuzz_fsops CRASH).
FUZZ_FSOPS_SRCS := tests/fuzz/fuzz_fsops.c user/os/fs/server/ops.c $(sort $(wildcard user/os/fs/ext2/*.c))
FUZZ_FSOPS_BIN := $(BUILD)/fuzz/fuzz_fsops

$(BUILD)/fuzz/obj/user/os/fs/server/ops.o $(BUILD)/fuzz/obj/tests/fuzz/fuzz_fsops.o: \
    HOST_AARCH64_INCLUDES = -Iuser/os/include
$(FUZZ_FSOPS_BIN): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_FSOPS_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# The sixth, fuzz_vfspath (tests/fuzz/fuzz_vfspath.c): vfs's cleaning of
# the paths clients send (user/os/vfs/path.c as it is) against a model and
# path.h's promises, from the seeds in tests/fuzz/vfspath-seeds; its corpus
# in $(BUILD)/fuzz/vfspath-corpus, crashes in $(BUILD)/fuzz/vfspath-crash-<hash>.
FUZZ_VFSPATH_SRCS := tests/fuzz/fuzz_vfspath.c user/os/vfs/path.c
FUZZ_VFSPATH_BIN := $(BUILD)/fuzz/fuzz_vfspath

$(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_VFSPATH_SRCS)): \
    HOST_AARCH64_INCLUDES = -I$(HOST_PROTO_DIR)/include
$(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_VFSPATH_SRCS)): | $(HOST_PROTO_STAMP)
$(FUZZ_VFSPATH_BIN): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_VFSPATH_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# The seventh, fuzz_blkreq (tests/fuzz/fuzz_blkreq.c): the virtio-blk
# driver's checks of its clients' requests and the segments of their
# buffers (user/os/drivers/blk/request.c as it is), from the seeds of
# tests/fuzz/make_blkreq_seeds.py; its corpus in $(BUILD)/fuzz/blkreq-corpus,
# crashes in $(BUILD)/fuzz/blkreq-crash-<hash>.
FUZZ_BLKREQ_SRCS := tests/fuzz/fuzz_blkreq.c user/os/drivers/blk/request.c
FUZZ_BLKREQ_BIN := $(BUILD)/fuzz/fuzz_blkreq

$(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_BLKREQ_SRCS)): HOST_AARCH64_INCLUDES = -Iuser/os/include
$(FUZZ_BLKREQ_BIN): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_BLKREQ_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# The eighth, fuzz_netreq (tests/fuzz/fuzz_netreq.c): the net server's
# side of vfs's socket channel (user/os/net/serve.c as it is) under a
# hostile vfs, with a stand-in for lwIP's socket table; tests/fuzz/shim
# stands in for the traps. From the seeds of tests/fuzz/make_netreq_seeds.py;
# its corpus in $(BUILD)/fuzz/netreq-corpus, crashes in
# $(BUILD)/fuzz/netreq-crash-<hash>.
FUZZ_NETREQ_SRCS := tests/fuzz/fuzz_netreq.c user/os/net/serve.c
FUZZ_NETREQ_BIN := $(BUILD)/fuzz/fuzz_netreq

$(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_NETREQ_SRCS)): HOST_AARCH64_INCLUDES = \
    -Itests/fuzz/shim -Iuser/os/include -Ilibkeel/include -Icommon/include -I$(GEN_INCLUDE)
$(FUZZ_NETREQ_BIN): $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_NETREQ_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $^

# FUZZ_TARGET=decode, ext2, fmtfloat, http, fsops, vfspath, blkreq or netreq
# runs one target; by default all, one after the other, each for FUZZ_TIME
# seconds.
FUZZ_TARGET ?= decode ext2 fmtfloat http fsops vfspath blkreq netreq

.PHONY: fuzz fuzz-decode fuzz-ext2 fuzz-fmtfloat fuzz-http fuzz-fsops fuzz-vfspath fuzz-blkreq \
        fuzz-netreq
fuzz: $(addprefix fuzz-,$(FUZZ_TARGET))

fuzz-decode: $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(PYTHON) tests/fuzz/make_seeds.py $(BUILD)/fuzz/seeds
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(BUILD)/fuzz/ $(FUZZ_ARGS) \
	    $(BUILD)/fuzz/corpus $(BUILD)/fuzz/seeds

fuzz-ext2: $(FUZZ_EXT2_BIN)
	@mkdir -p $(BUILD)/fuzz/ext2-corpus
	$(PYTHON) tests/fuzz/make_ext2_seeds.py $(BUILD)/fuzz/ext2-seeds
	$(FUZZ_EXT2_BIN) -max_total_time=$(FUZZ_TIME) -max_len=131072 -timeout=10 \
	    -artifact_prefix=$(BUILD)/fuzz/ext2- $(FUZZ_ARGS) \
	    $(BUILD)/fuzz/ext2-corpus $(BUILD)/fuzz/ext2-seeds

fuzz-fmtfloat: $(FUZZ_FMTFLOAT_BIN)
	@mkdir -p $(BUILD)/fuzz/fmtfloat-corpus
	$(FUZZ_FMTFLOAT_BIN) -max_total_time=$(FUZZ_TIME) -max_len=256 \
	    -artifact_prefix=$(BUILD)/fuzz/fmtfloat- $(FUZZ_ARGS) $(BUILD)/fuzz/fmtfloat-corpus

fuzz-http: $(FUZZ_HTTP_BIN)
	@mkdir -p $(BUILD)/fuzz/http-corpus
	$(FUZZ_HTTP_BIN) -max_total_time=$(FUZZ_TIME) -max_len=8192 -dict=tests/fuzz/http.dict \
	    -artifact_prefix=$(BUILD)/fuzz/http- $(FUZZ_ARGS) $(BUILD)/fuzz/http-corpus tests/fuzz/http-seeds

fuzz-fsops: $(FUZZ_FSOPS_BIN)
	@mkdir -p $(BUILD)/fuzz/fsops-corpus
	$(PYTHON) tests/fuzz/make_ext2_seeds.py $(BUILD)/fuzz/ext2-seeds
	FSOPS_IMAGE=$(BUILD)/fuzz/ext2-seeds/files $(FUZZ_FSOPS_BIN) -max_total_time=$(FUZZ_TIME) \
	    -max_len=2048 -timeout=10 -artifact_prefix=$(BUILD)/fuzz/fsops- $(FUZZ_ARGS) \
	    $(BUILD)/fuzz/fsops-corpus

fuzz-vfspath: $(FUZZ_VFSPATH_BIN)
	@mkdir -p $(BUILD)/fuzz/vfspath-corpus
	$(FUZZ_VFSPATH_BIN) -max_total_time=$(FUZZ_TIME) -max_len=6144 \
	    -artifact_prefix=$(BUILD)/fuzz/vfspath- $(FUZZ_ARGS) $(BUILD)/fuzz/vfspath-corpus \
	    tests/fuzz/vfspath-seeds

fuzz-blkreq: $(FUZZ_BLKREQ_BIN)
	@mkdir -p $(BUILD)/fuzz/blkreq-corpus
	$(PYTHON) tests/fuzz/make_blkreq_seeds.py $(BUILD)/fuzz/blkreq-seeds
	$(FUZZ_BLKREQ_BIN) -max_total_time=$(FUZZ_TIME) -max_len=2048 \
	    -artifact_prefix=$(BUILD)/fuzz/blkreq- $(FUZZ_ARGS) $(BUILD)/fuzz/blkreq-corpus \
	    $(BUILD)/fuzz/blkreq-seeds

fuzz-netreq: $(FUZZ_NETREQ_BIN)
	@mkdir -p $(BUILD)/fuzz/netreq-corpus
	$(PYTHON) tests/fuzz/make_netreq_seeds.py $(BUILD)/fuzz/netreq-seeds
	$(FUZZ_NETREQ_BIN) -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
	    -artifact_prefix=$(BUILD)/fuzz/netreq- $(FUZZ_ARGS) $(BUILD)/fuzz/netreq-corpus \
	    $(BUILD)/fuzz/netreq-seeds
