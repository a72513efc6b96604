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

# The console with its driver down for good (tests/tests.list os.console.down,
# tests/os/console/down.script): system/keel.system with the uart's restart
# limit at 1 a minute, packed as the image `osdown`.
OS_DOWN_SYSTEM := $(BUILD)/system/osdown.system
$(OS_DOWN_SYSTEM): system/keel.system tests/os/console/console.mk
	@mkdir -p $(@D)
	sed -E 's/^( *restart +always heartbeat=100 backoff=10) limit=100$$/\1 limit=1/' $< > $@.tmp
	@grep -q 'backoff=10 limit=1$$' $@.tmp || \
	    { echo "console.mk: no uart restart line to change in system/keel.system" >&2; \
	      rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
