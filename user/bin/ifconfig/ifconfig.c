/* ifconfig: the network interface as the net server has it -- its state,
 * MTU, address, netmask and gateway, MAC address, frame and byte counters
 * both ways, how often its driver was restarted, the sockets in use.
 * Keel only (keel_netinfo, <keel/netinfo.h>); it shows, it sets nothing.
 * Exit 1 if the net server cannot answer, 2 on a usage error.
 * Calls: keel_netinfo. */
#include <errno.h>
#include <keel/netinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The one interface's name: Keel has one card (docs/network.md). */
#define INTERFACE "eth0"

/* An address in host byte order (keel/os/sock.h) as "10.0.2.15". */
static const char *dotted(uint32_t address, char text[16])
{
    snprintf(text, 16, "%u.%u.%u.%u", (unsigned)(address >> 24) & 0xff,
             (unsigned)(address >> 16) & 0xff, (unsigned)(address >> 8) & 0xff,
             (unsigned)address & 0xff);
    return text;
}

static const char *flags(const keel_sock_info_t *info)
{
    if (info->up && info->link_up) {
        return "UP,RUNNING";
    }
    return info->up ? "UP" : "DOWN";
}

static void show(const keel_sock_info_t *info)
{
    char addr[16], netmask[16], gateway[16];
    const uint8_t *m = info->mac;
    printf("%s: flags=<%s>  mtu %u\n", INTERFACE, flags(info), (unsigned)info->mtu);
    printf("        inet %s  netmask %s  gateway %s\n", dotted(info->addr, addr),
           dotted(info->netmask, netmask), dotted(info->gateway, gateway));
    printf("        ether %02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
    printf("        RX packets %llu  bytes %llu  dropped %llu\n",
           (unsigned long long)info->rx_frames, (unsigned long long)info->rx_bytes,
           (unsigned long long)info->rx_dropped);
    printf("        TX packets %llu  bytes %llu  dropped %llu\n",
           (unsigned long long)info->tx_frames, (unsigned long long)info->tx_bytes,
           (unsigned long long)info->tx_dropped);
    printf("        driver restarts %u  sockets %u\n", (unsigned)info->driver_restarts,
           (unsigned)info->sockets);
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: ifconfig\n");
        return 2;
    }
    keel_sock_info_t info;
    memset(&info, 0, sizeof(info));
    if (keel_netinfo(&info) < 0) {
        fprintf(stderr, "ifconfig: %s: %s\n", INTERFACE, strerror(errno));
        return 1;
    }
    show(&info);
    return 0;
}
