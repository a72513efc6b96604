# The interface description api/keel.api and the headers generated from it
# (docs/api.md).
#
# The stamp is an included makefile: GNU make brings included makefiles up to
# date before it builds anything, so the headers exist before the first
# compilation whatever the include order of the fragments (mk/rules.mk reads
# $(GEN_HEADERS) before this file defines it). genapi.py leaves a header whose
# content did not change untouched, so its dependents are not rebuilt.
#
# The configuration is the build's: genapi gets the -DCONFIG_ words of
# KERNEL_DEFINES on top of the description's defaults, so the kernel, libkeel
# and the programs of one $(BUILD) agree (keel/gen/config.h says which options
# they have). The stamp records those words and is remade when they change.

GEN_HEADERS := $(GEN_INCLUDE)/keel/gen/abi.h $(GEN_INCLUDE)/keel/gen/invocations.h \
               $(GEN_INCLUDE)/keel/gen/config.h $(GEN_INCLUDE)/keel/gen/context.h
API_STAMP   := $(BUILD)/gen/api.stamp.mk
API_DEFINES := $(filter -DCONFIG_%,$(KERNEL_DEFINES))
GENAPI      := $(PYTHON) tools/genapi.py --api api/keel.api --out $(GEN_INCLUDE)/keel/gen \
               $(API_DEFINES)

ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(API_STAMP)
endif

ifneq ($(strip $(API_STAMP_DEFINES)),$(strip $(API_DEFINES)))
$(API_STAMP): api-defines-changed
endif
.PHONY: api-defines-changed
api-defines-changed:

$(API_STAMP): api/keel.api tools/genapi.py
	$(GENAPI)
	@mkdir -p $(@D)
	@echo "# $(GEN_HEADERS) are up to date" > $@
	@echo "API_STAMP_DEFINES := $(API_DEFINES)" >> $@

# A header deleted behind the stamp's back is simply generated again.
$(GEN_HEADERS): $(API_STAMP)
	@test -f $@ || $(GENAPI)

.PHONY: gen
gen: $(GEN_HEADERS)
