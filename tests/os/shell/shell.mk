# The shell tests (tests/tests.list os.shell*, os.hostile, os.quota): the OS
# of system/keel.system with more programs in /bin
# (tests/os/shell/extra.system) -- one that crashes, one that spins, one
# that flips bits in a driver under load (run by hand: docs/reliability.md),
# the hostile client of every server, one that exhausts its quota and one
# that overflows its stack (tests/os/hostile/) -- packed as the image
# `osshell`.
$(eval $(call os_program,segv,tests/os/shell/segv.c))
$(eval $(call os_program,spin,tests/os/shell/spin.c))
$(eval $(call os_program,flipload,tests/os/shell/flipload.c))
HOSTILE_SRCS := $(addprefix tests/os/hostile/,hostile.c hostile_gen.c hostile_pm.c hostile_vfs.c \
                  hostile_small.c hostile_send.c hostile_mutate.c)
$(eval $(call os_program,hostile,$(HOSTILE_SRCS)))
$(eval $(call os_program,hog,tests/os/hostile/hog.c))
$(eval $(call os_program,overflow,tests/os/hostile/overflow.c))
$(eval $(call os_program,exhaust,tests/os/hostile/exhaust.c))

# Without pm's boot script: what its tests count (the processes ps lists,
# pm's free memory before and after) is theirs alone, not also httpd's,
# which /etc/rc starts (an error if pm's line has no --rc to take out).
OS_SHELL_SYSTEM := $(BUILD)/system/osshell.system
$(OS_SHELL_SYSTEM): system/keel.system tests/os/shell/extra.system tests/os/shell/shell.mk
	@mkdir -p $(@D)
	sed -E '/^ *arg /s/ --rc [^ ]+//' system/keel.system > $@.tmp
	@! grep -q -- '--rc' $@.tmp || { echo "shell.mk: --rc left in $@" >&2; rm -f $@.tmp; exit 1; }
	cat tests/os/shell/extra.system >> $@.tmp
	mv $@.tmp $@

# The boot script (pm's --rc; tests/tests.list os.rc, os.rc.missing):
# system/keel.system with pm running /etc/rc.test, a script of the tests'
# disk (tests/os/shell/rc.test: extra.system's `disk` line finds it among
# the programs, where it is copied), as the image `osrc`; and with
# /etc/rc.missing, which no disk has, as `osrcmissing`.
$(BUILD)/programs/rc.test: tests/os/shell/rc.test
	@mkdir -p $(@D)
	cp $< $@

OS_RC_SYSTEM         := $(BUILD)/system/osrc.system
OS_RC_MISSING_SYSTEM := $(BUILD)/system/osrcmissing.system

# rc_system(SCRIPT): keel.system with SCRIPT as pm's boot script (an error
# if pm's line is not found).
define rc_system
	@mkdir -p $(@D)
	sed 's|^\( *arg  *--respawn --rc \)/etc/rc /bin/sh$$|\1$(1) /bin/sh|' system/keel.system > $@.tmp
	@grep -q -e '--rc $(1) /bin/sh$$' $@.tmp || \
	    { echo "shell.mk: no 'arg --respawn --rc /etc/rc /bin/sh' line for pm in system/keel.system" >&2; \
	      rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
endef

$(OS_RC_SYSTEM): system/keel.system tests/os/shell/shell.mk $(BUILD)/programs/rc.test
	$(call rc_system,/etc/rc.test)

$(OS_RC_MISSING_SYSTEM): system/keel.system tests/os/shell/shell.mk
	$(call rc_system,/etc/rc.missing)
