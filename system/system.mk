# The OS (docs/os.md): the boot archive packed from the system description
# and the components it names, and the OS image, built by a nested make as
# the kernel variant `os` into $(BUILD)/os/ (as mk/test.mk builds its
# variants): the generic timer exported to EL0 for the timer driver, a debug
# kernel (seL4_DebugPutChar is the early console), and a root CNode big
# enough for rs's image frames and every component's objects.

OS_KERNEL_DEFINES := -DCONFIG_EXPORT_PCNT_USER=1 -DCONFIG_EXPORT_VCNT_USER=1 \
                     -DCONFIG_EXPORT_PTMR_USER=1 -DCONFIG_ROOT_CNODE_SIZE_BITS=15
OS_IMAGE := $(BUILD)/os/images/os.elf
OS_RAM   := 1G

$(OS_IMAGE): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/os KERNEL_DEFINES="$(OS_KERNEL_DEFINES)" $@

TEST_DEPS += $(OS_IMAGE)

# Inside the variant: tools/mksystem.py checks the description and packs it
# with every component ELF (os_component) into the archive rs links.
SYSTEM_DESCRIPTION := system/keel.system
OS_ARCHIVE := $(BUILD)/system/keel.archive

$(OS_ARCHIVE): $(SYSTEM_DESCRIPTION) tools/mksystem.py tools/pack_image.py $(OS_COMPONENTS) \
              $(OS_PROGRAMS)
	@mkdir -p $(@D)
	$(PYTHON) tools/mksystem.py $(SYSTEM_DESCRIPTION) --elf-dir $(BUILD)/components \
	    --elf-dir $(BUILD)/programs \
	    --ram $(OS_RAM) -o $@
