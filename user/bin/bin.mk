# The programs of /bin (docs/os.md "How to write a program"), each linked
# with os_program (user/os/lib/libos.mk) into $(BUILD)/programs/NAME.elf.

# The system programs (docs/os.md "The system programs"): they share
# user/bin/common (a server's endpoint, the lines they print).
SYSINFO_SRCS := user/bin/common/sysinfo.c user/bin/common/endpoint.c
$(eval $(call os_program,service,user/bin/service/service.c $(SYSINFO_SRCS)))
$(eval $(call os_program,ps,user/bin/ps/ps.c $(SYSINFO_SRCS)))
$(eval $(call os_program,free,user/bin/free/free.c $(SYSINFO_SRCS)))
$(eval $(call os_program,uptime,user/bin/uptime/uptime.c $(SYSINFO_SRCS)))
$(eval $(call os_program,halt,user/bin/halt/halt.c $(SYSINFO_SRCS)))
