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

/* Loopback: 127.0.0.1 on a loop interface of its own, and the Ethernet
 * interface's address to itself, so that programs on Keel reach each
 * other. Looped packets wait in a queue the server's loop delivers
 * (netif_poll_all), never from inside lwIP. */
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1

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

/* Memory: lwIP's heap and pools are static arrays in the server, sized
 * for KEEL_SOCK_MAX (128) sockets and a few dozen busy connections: the
 * heap holds what TCP sends (copied, up to TCP_SND_BUF a connection) and
 * looped-back packets, the pool what the driver brings in and sockets
 * keep until read (up to TCP_WND a connection). About 3.5 MiB in all,
 * within net's quota of 4M (what does not fit waits: tcp_write refuses,
 * the SEND is kept). */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (2 * 1024 * 1024)
#define MEMP_NUM_PBUF 128
#define PBUF_POOL_SIZE 512
#define MEMP_NUM_TCP_PCB 192
#define MEMP_NUM_TCP_PCB_LISTEN 136
#define MEMP_NUM_UDP_PCB 136
#define MEMP_NUM_RAW_PCB 136
#define MEMP_NUM_TCP_SEG 4096
#define MEMP_NUM_REASSDATA 16
#define MEMP_NUM_FRAG_PBUF 64
#define IP_REASS_MAX_PBUFS 64 /* a 32 KiB datagram from the host, in fragments */

/* Listeners keep accepted connections until the program takes them
 * (tcp_backlog_delayed); SO_REUSEADDR for servers that restart. */
#define TCP_LISTEN_BACKLOG 1
#define SO_REUSE 1

/* A SYN for a connection in TIME-WAIT opens a new one (timewait.c). */
#define LWIP_HOOK_FILENAME "net_hooks.h"
#define LWIP_HOOK_TCP_INPACKET_PCB timewait_inpacket

#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
#define TCP_SND_BUF (32 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2

#define LWIP_STATS 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
