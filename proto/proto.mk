# The server protocols, proto/*.proto, and what tools/genproto.py makes of
# them (docs/os.md "Protocols"): for each protocol P, the headers
# keel/proto/P_defs.h, P.h (client stubs) and P_server.h under
# $(GEN_INCLUDE), and the dispatch $(PROTO_SRC_DIR)/P_server.c that a server
# compiles in. As with api/api.mk, the stamp is an included makefile, so the
# headers exist before anything compiles, and genproto leaves a file whose
# content did not change untouched.

PROTO_FILES   := $(sort $(wildcard proto/*.proto))
PROTO_NAMES   := $(basename $(notdir $(PROTO_FILES)))
PROTO_SRC_DIR := $(BUILD)/gen/proto
PROTO_HEADERS := $(foreach p,$(PROTO_NAMES),$(GEN_INCLUDE)/keel/proto/$(p)_defs.h \
                   $(GEN_INCLUDE)/keel/proto/$(p).h $(GEN_INCLUDE)/keel/proto/$(p)_server.h)
PROTO_SERVER_SRCS := $(foreach p,$(PROTO_NAMES),$(PROTO_SRC_DIR)/$(p)_server.c)
PROTO_STAMP   := $(BUILD)/gen/proto.stamp.mk
GENPROTO      := $(PYTHON) tools/genproto.py $(PROTO_FILES) --include $(GEN_INCLUDE) \
                 --src $(PROTO_SRC_DIR)

ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(PROTO_STAMP)
endif

$(PROTO_STAMP): $(PROTO_FILES) tools/genproto.py
	$(GENPROTO)
	@mkdir -p $(@D)
	@echo "# the code generated from $(PROTO_FILES) is up to date" > $@

$(PROTO_HEADERS) $(PROTO_SERVER_SRCS): $(PROTO_STAMP)
	@test -f $@ || $(GENPROTO)

.PHONY: proto
proto: $(PROTO_HEADERS) $(PROTO_SERVER_SRCS)
