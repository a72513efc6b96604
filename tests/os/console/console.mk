# The console across restarts of the uart driver (tests/tests.list
# os.console.restart, tests/os/console/console.script): the OS of
# system/keel.system with constream in /bin and the restarter component
# (tests/os/console/console.system), packed as the image `osconsole`.
$(eval $(call os_program,constream,tests/os/console/constream.c))
$(eval $(call os_program,restarter,tests/os/console/restarter.c))

OS_CONSOLE_SYSTEM := $(BUILD)/system/osconsole.system
$(OS_CONSOLE_SYSTEM): system/keel.system tests/os/console/console.system
	@mkdir -p $(@D)
	cat $^ > $@
