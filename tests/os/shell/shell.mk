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
                  hostile_small.c hostile_send.c)
$(eval $(call os_program,hostile,$(HOSTILE_SRCS)))
$(eval $(call os_program,hog,tests/os/hostile/hog.c))
$(eval $(call os_program,overflow,tests/os/hostile/overflow.c))

OS_SHELL_SYSTEM := $(BUILD)/system/osshell.system
$(OS_SHELL_SYSTEM): system/keel.system tests/os/shell/extra.system
	@mkdir -p $(@D)
	cat $^ > $@
