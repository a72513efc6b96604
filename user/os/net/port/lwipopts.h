/* lwIP's configuration for Keel's net server (docs/network.md "The net
 * server"): no operating system under lwIP (NO_SYS: one thread, the
 * server's loop calls lwIP and its timers), the raw API only (the
 * server speaks its own protocol to programs), IPv4 with ARP, ICMP, UDP
 * and TCP on one Ethernet interface. lwIP's own defaults (lwip/opt.h)
 * stand for everything not named here. */
#pragma once

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_SINGLE_NETIF 1

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0

/* Memory: lwIP's heap and pools are static arrays in the server. */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (512 * 1024)
#define MEMP_NUM_PBUF 128
#define PBUF_POOL_SIZE 256
#define MEMP_NUM_TCP_PCB 64
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_SEG 256

#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
#define TCP_SND_BUF (32 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2

#define LWIP_STATS 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
