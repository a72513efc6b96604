# The test components of system/keel.system (tests/os/): they stand in for
# the servers until those exist, and the os.* entries of tests/tests.list
# check what they print.

$(BUILD)/obj/tests/os/%.o: CFLAGS = $(USER_CFLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)

$(eval $(call os_component,hello,tests/os/hello/hello.c))
$(eval $(call os_component,echo,tests/os/echo/echo.c))
$(eval $(call os_component,ping,tests/os/ping/ping.c))
$(eval $(call os_component,clock,tests/os/clock/clock.c))
$(eval $(call os_component,crash,tests/os/crash/crash.c))

# pm's first program in the test system (tests/os/pmtest): its checks of
# pm, and the children it spawns from /bin/pmtest.
$(eval $(call os_program,pmtest,tests/os/pmtest/pmtest.c))
