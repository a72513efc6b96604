# make check: static checks that need no QEMU.
#  - every kernel header compiles on its own (STYLE 12: self-contained headers);
#  - the layering rules: only <arch/arch.h> of the architecture, no board
#    header, no api header below api (tools/checklayers.py);
#  - every C source and header follows .clang-format (clang-format --dry-run);
#  - cppcheck over the kernel and common sources.

KERNEL_HEADERS := $(wildcard kernel/include/*.h kernel/include/*/*.h \
                             kernel/arch/$(ARCH)/include/arch/*.h \
                             kernel/plat/$(BOARD)/include/plat/*.h common/include/*.h)
HEADER_STAMPS := $(patsubst %.h,$(BUILD)/check/%.ok,$(KERNEL_HEADERS))

$(BUILD)/check/%.ok: %.h | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(CC) $(KERNEL_CFLAGS) $(KERNEL_INCLUDES) -x c -c - -o /dev/null
	@touch $@

.PHONY: check check-headers check-layers check-format check-cppcheck
check: check-headers check-layers check-format check-cppcheck

check-headers: $(HEADER_STAMPS)
	@echo "headers: $(words $(HEADER_STAMPS)) compile on their own"

check-layers:
	@$(PYTHON) tools/checklayers.py

# Every .c and .h of the tree (the build directory holds only generated code).
FORMAT_SOURCES = $(shell find api common kernel libkeel user tests bench tools \
                     -name '*.[ch]' -not -path '$(BUILD)/*' 2>/dev/null)

check-format:
	@command -v clang-format >/dev/null || { echo "clang-format is not installed"; exit 1; }
	@clang-format --dry-run -Werror $(FORMAT_SOURCES) || \
	    { echo "check-format: run clang-format -i on the files above"; exit 1; }
	@echo "format: $(words $(FORMAT_SOURCES)) files follow .clang-format"

check-cppcheck:
	@command -v cppcheck >/dev/null || { echo "cppcheck is not installed"; exit 1; }
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --std=c11 --inline-suppr --suppress=missingIncludeSystem \
	    -Ikernel/include -Ikernel/arch/$(ARCH)/include -Ikernel/plat/$(BOARD)/include \
	    -Icommon/include -I$(GEN_INCLUDE) kernel common
