# The shell tests (tests/tests.list os.shell*): the OS of system/keel.system
# with two more programs in /bin (tests/os/shell/extra.system), one that
# crashes and one that spins, packed as the image `osshell`.
$(eval $(call os_program,segv,tests/os/shell/segv.c))
$(eval $(call os_program,spin,tests/os/shell/spin.c))

OS_SHELL_SYSTEM := $(BUILD)/system/osshell.system
$(OS_SHELL_SYSTEM): system/keel.system tests/os/shell/extra.system
	@mkdir -p $(@D)
	cat $^ > $@
