# The test components of tests/os/test.system (tests/os/): they stand in for
# the servers until those exist, and the os.* entries of tests/tests.list
# check what they print.

$(BUILD)/obj/tests/os/%.o: CFLAGS = $(USER_CFLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)

$(eval $(call os_component,hello,tests/os/hello/hello.c))
$(eval $(call os_component,echoserver,tests/os/echo/echo.c))
$(eval $(call os_component,ping,tests/os/ping/ping.c))
$(eval $(call os_component,clock,tests/os/clock/clock.c))
$(eval $(call os_component,crash,tests/os/crash/crash.c))
$(eval $(call os_component,rsclient,tests/os/rsclient/rsclient.c))
$(eval $(call os_component,worker,tests/os/worker/worker.c))
# rsclient checks rs's errnos, picolibc's numbers (only its headers).
$(BUILD)/obj/tests/os/rsclient/rsclient.o: CFLAGS += -isystem $(PICOLIBC)/include
$(BUILD)/obj/tests/os/rsclient/rsclient.o: | $(PROTO_HEADERS)

# Programs of user/bin run as components too, on the early console
# (service; uptime; ps, which finds no pm): the archive takes their ELFs
# from $(BUILD)/components.
OS_PROGRAM_COMPONENTS := service uptime ps
$(foreach p,$(OS_PROGRAM_COMPONENTS),$(BUILD)/components/$(p).elf): \
$(BUILD)/components/%.elf: $(BUILD)/programs/%.elf
	@mkdir -p $(@D)
	cp $< $@
OS_COMPONENTS += $(foreach p,$(OS_PROGRAM_COMPONENTS),$(BUILD)/components/$(p).elf)

# vfs's test client: an OS program (libos, picolibc) acting as pm and as a
# program (tests/os/vfstest/vfstest.c).
$(BUILD)/obj/tests/os/vfstest/%.o: CFLAGS = $(OS_CFLAGS) $(OS_INCLUDES)
$(eval $(call os_program,vfstest,tests/os/vfstest/vfstest.c))

# pm's first program in the test system (tests/os/pmtest): its checks of
# pm, and the children it spawns from /bin/pmtest.
$(eval $(call os_program,pmtest,tests/os/pmtest/pmtest.c))

# The time drivers' test program (tests/os/timetest, tests/os/time.system):
# the driver checks, the sleepers, and pm's first program.
$(eval $(call os_program,timetest,tests/os/timetest/timetest.c))
