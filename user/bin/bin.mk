# The programs of /bin (docs/os.md "How to write a program"), each linked
# with os_program (user/os/lib/libos.mk) into $(BUILD)/programs/NAME.elf.
# Those that use nothing but POSIX are also built for the host under
# ASan/UBSan from the same BIN_SRCS_NAME lists (BIN_HOST_PROGRAMS,
# tests/host/bin.mk).

# The shell and the utilities (docs/os.md "The shell and the utilities").
BIN_SH_PROGRAMS := sh echo cat ls wc head true false grep kill sleep date
BIN_SRCS_sh     := user/bin/sh/main.c user/bin/sh/parse.c user/bin/sh/run.c user/bin/common/killcmd.c
$(foreach p,$(filter-out sh,$(BIN_SH_PROGRAMS)),$(eval BIN_SRCS_$(p) := user/bin/$(p)/$(p).c))
BIN_SRCS_kill += user/bin/common/killcmd.c
BIN_HOST_PROGRAMS += $(BIN_SH_PROGRAMS)

# The file utilities (same section of docs/os.md): they share
# user/bin/common/fileutil.c (options, messages, paths, a directory's
# names), as do ls and cat. Portable: built for the host too.
BIN_FILE_PROGRAMS := mkdir rmdir rm mv cp touch pwd ln df sync
FILEUTIL_SRCS := user/bin/common/fileutil.c
$(foreach p,$(BIN_FILE_PROGRAMS),$(eval BIN_SRCS_$(p) := user/bin/$(p)/$(p).c $(FILEUTIL_SRCS)))
BIN_SRCS_ls += $(FILEUTIL_SRCS)
BIN_SRCS_cat += $(FILEUTIL_SRCS)
BIN_HOST_PROGRAMS += $(BIN_FILE_PROGRAMS)

# The system programs (docs/os.md "The system programs"): they share
# user/bin/common (a server's endpoint, the lines they print). Keel only.
BIN_SYS_PROGRAMS := service ps free uptime halt
SYSINFO_SRCS := user/bin/common/sysinfo.c user/bin/common/endpoint.c
$(foreach p,$(BIN_SYS_PROGRAMS),$(eval BIN_SRCS_$(p) := user/bin/$(p)/$(p).c $(SYSINFO_SRCS)))

# The network programs (issue 16, docs/network.md): they share
# user/bin/common/netutil.c (addresses, ports, the clock). httpd, nc and
# ping are portable, built for the host too (tests/host/test_httpd.py);
# ifconfig asks libos's keel_netinfo, Keel only.
BIN_NET_PROGRAMS := httpd nc ping ifconfig
NETUTIL_SRCS := user/bin/common/netutil.c
BIN_SRCS_httpd := $(addprefix user/bin/httpd/,httpd.c conn.c http.c) $(NETUTIL_SRCS)
BIN_SRCS_nc := user/bin/nc/nc.c $(NETUTIL_SRCS)
BIN_SRCS_ping := user/bin/ping/ping.c $(NETUTIL_SRCS)
BIN_SRCS_ifconfig := user/bin/ifconfig/ifconfig.c
BIN_HOST_PROGRAMS += httpd nc ping

BIN_PROGRAMS := $(BIN_SH_PROGRAMS) $(BIN_FILE_PROGRAMS) $(BIN_SYS_PROGRAMS) $(BIN_NET_PROGRAMS)
$(foreach p,$(BIN_PROGRAMS),$(eval $(call os_program,$(p),$(BIN_SRCS_$(p)))))
BIN_ELFS += $(patsubst %,$(BUILD)/programs/%.elf,$(BIN_PROGRAMS))

.PHONY: bin
bin: $(BIN_ELFS)
TEST_DEPS += $(BIN_ELFS)

# The guest side of the fault-injection campaign (make stress,
# docs/reliability.md "The stress campaign"): in /bin of the image
# osstress only (tests/os/stress/stress.mk).
BIN_SRCS_stress := $(addprefix user/bin/stress/,main.c campaign.c workload.c files.c sql.c rs.c report.c) \
                   $(SYSINFO_SRCS)
$(eval $(call os_program,stress,$(BIN_SRCS_stress)))
