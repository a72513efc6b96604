# The interface description api/keel.api and the headers generated from it
# (docs/api.md).
#
# The stamp is an included makefile: GNU make brings included makefiles up to
# date before it builds anything, so the headers exist before the first
# compilation whatever the include order of the fragments (mk/rules.mk reads
# $(GEN_HEADERS) before this file defines it). genapi.py leaves a header whose
# content did not change untouched, so its dependents are not rebuilt.

GEN_HEADERS := $(GEN_INCLUDE)/keel/gen/abi.h $(GEN_INCLUDE)/keel/gen/invocations.h
API_STAMP   := $(BUILD)/gen/api.stamp.mk
GENAPI      := $(PYTHON) tools/genapi.py --api api/keel.api --out $(GEN_INCLUDE)/keel/gen

ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(API_STAMP)
endif

$(API_STAMP): api/keel.api tools/genapi.py
	$(GENAPI)
	@mkdir -p $(@D)
	@echo "# $(GEN_HEADERS) are up to date" > $@

# A header deleted behind the stamp's back is simply generated again.
$(GEN_HEADERS): $(API_STAMP)
	@test -f $@ || $(GENAPI)

.PHONY: gen
gen: $(GEN_HEADERS)
