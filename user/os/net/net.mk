# The net server (user/os/net/, docs/network.md): an OS program (libos,
# picolibc) with lwIP, whose sources are Debian's source package `lwip`,
# fetched and unpacked into $(BUILD)/lwip by `tools/setup.sh --source` (the
# tree holds only the port: user/os/net/port). lwIP's files are built
# with the programs' flags but without the warnings: they are not ours
# to change.

LWIP_DIR := $(BUILD)/lwip
LWIP_CORE := init.c def.c inet_chksum.c ip.c mem.c memp.c netif.c pbuf.c raw.c stats.c sys.c \
             tcp.c tcp_in.c tcp_out.c timeouts.c udp.c
LWIP_SRCS := $(addprefix $(LWIP_DIR)/src/core/,$(LWIP_CORE)) \
             $(addprefix $(LWIP_DIR)/src/core/ipv4/,etharp.c icmp.c ip4.c ip4_addr.c ip4_frag.c) \
             $(LWIP_DIR)/src/netif/ethernet.c
NET_SRCS := $(addprefix user/os/net/,main.c link.c echo.c clock.c serve.c sock.c stream.c dgram.c \
                                    timewait.c)

$(LWIP_DIR)/.unpacked:
	bash tools/setup.sh --source lwip $(LWIP_DIR)

$(LWIP_SRCS): $(LWIP_DIR)/.unpacked ;

$(eval $(call os_program,net,$(NET_SRCS) $(LWIP_SRCS)))

LWIP_INCLUDES := -Iuser/os/net/port -I$(LWIP_DIR)/src/include
$(patsubst %.c,$(BUILD)/obj/%.o,$(NET_SRCS)): CFLAGS += $(LWIP_INCLUDES)
$(patsubst %.c,$(BUILD)/obj/%.o,$(NET_SRCS)): | $(LWIP_DIR)/.unpacked
$(patsubst %.c,$(BUILD)/obj/%.o,$(LWIP_SRCS)): CFLAGS = $(filter-out -W%,$(OS_CFLAGS)) -w \
    $(OS_INCLUDES) $(LWIP_INCLUDES)
