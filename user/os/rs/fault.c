/* rs at run time (rs.h): the one loop on its endpoint, where the kernel
 * delivers every component's faults and exits (badge = component index + 1),
 * and the table of what each component was given.
 *
 * Requests of the rs protocol (proto/rs.proto: service list, show) arrive
 * on the same endpoint with RS_CLIENT_BADGE in their badge and are answered
 * by service.c. */
#include "rs.h"
#include <keel/printf.h>
#include <keel/proto/rs_defs.h>

#define PAGE ((seL4_Word)1 << seL4_PageBits)

/* ESR fields of a data or instruction abort (the FSR of a VM fault). */
#define ESR_WNR (1u << 6)
#define ESR_FSC(esr) ((esr)&0x3fu)
#define FSC_TRANSLATION(fsc) (((fsc)&0x3cu) == 0x04u)
#define FSC_PERMISSION(fsc) (((fsc)&0x3cu) == 0x0cu)
#define FSC_ACCESS_FLAG(fsc) (((fsc)&0x3cu) == 0x08u)

static const char *segment_name(uint32_t flags)
{
    return (flags & KB_SEG_X) ? "text" : (flags & KB_SEG_W) ? "data" : "rodata";
}

static bool inside(seL4_Word addr, seL4_Word base, seL4_Word size)
{
    return addr >= base && addr - base < size;
}

/* Where `addr` lies in the component's VSpace, for the report. */
static void describe_address(const rs_component_t *c, seL4_Word addr)
{
    for (uint32_t i = 0; i < c->proc.elf.nsegments; i++) {
        const kb_segment_t *s = &c->proc.elf.segment[i];
        if (inside(addr, s->vaddr & ~(PAGE - 1), s->vaddr + s->memsz - (s->vaddr & ~(PAGE - 1)))) {
            printf("its %s segment", segment_name(s->flags));
            return;
        }
    }
    seL4_Word stack = KEEL_STACK_TOP - c->desc->stack;
    if (inside(addr, stack, c->desc->stack)) {
        printf("its stack");
    } else if (inside(addr, stack - PAGE, PAGE)) {
        printf("its stack guard page: a stack overflow");
    } else if (inside(addr, KEEL_STARTINFO_VADDR, KEEL_STARTINFO_SIZE)) {
        printf("its start page");
    } else if (inside(addr, KEEL_IPCBUF_VADDR, PAGE)) {
        printf("its IPC buffer");
    } else {
        for (uint32_t i = 0; i < c->ncaps; i++) {
            const keel_startcap_t *e = &c->caps[i];
            if (e->kind == KEEL_CAP_REGION && inside(addr, e->vaddr, e->size)) {
                printf("its region %s", e->name);
                return;
            }
        }
        printf("nothing mapped");
    }
}

static const char *fsc_name(seL4_Word fsc)
{
    return FSC_TRANSLATION(fsc)   ? "not mapped"
           : FSC_PERMISSION(fsc)  ? "permission"
           : FSC_ACCESS_FLAG(fsc) ? "access flag"
                                  : "other";
}

static void report_vm_fault(const rs_component_t *c)
{
    seL4_Word pc = seL4_GetMR(seL4_VMFault_IP);
    seL4_Word addr = seL4_GetMR(seL4_VMFault_Addr);
    bool fetch = seL4_GetMR(seL4_VMFault_PrefetchFault) != 0;
    seL4_Word fsr = seL4_GetMR(seL4_VMFault_FSR);
    const char *access = fetch ? "instruction fetch" : (fsr & ESR_WNR) ? "data write" : "data read";
    printf("VM fault (%s, %s) at pc 0x%lx, address 0x%lx (", access, fsc_name(ESR_FSC(fsr)), pc,
           addr);
    describe_address(c, addr);
    printf("), FSR 0x%lx", fsr);
}

static void report(const rs_component_t *c, seL4_MessageInfo_t info)
{
    seL4_Word label = seL4_MessageInfo_get_label(info);
    printf("rs: component %s faulted: ", c->desc->name);
    switch (label) {
    case seL4_Fault_VMFault:
        report_vm_fault(c);
        break;
    case seL4_Fault_UserException:
        printf("user exception at pc 0x%lx, sp 0x%lx, ESR 0x%lx",
               seL4_GetMR(seL4_UserException_FaultIP), seL4_GetMR(seL4_UserException_SP),
               seL4_GetMR(seL4_UserException_Number));
        break;
    case seL4_Fault_UnknownSyscall:
        printf("unknown system call %ld at pc 0x%lx", (long)seL4_GetMR(seL4_UnknownSyscall_Syscall),
               seL4_GetMR(seL4_UnknownSyscall_FaultIP));
        break;
    case seL4_Fault_CapFault:
        printf("capability fault at pc 0x%lx, cptr 0x%lx (%s phase)", seL4_GetMR(seL4_CapFault_IP),
               seL4_GetMR(seL4_CapFault_Addr),
               seL4_GetMR(seL4_CapFault_InRecvPhase) ? "receive" : "send");
        break;
    default:
        printf("fault type %lu", label);
        break;
    }
    printf(c->desc->restart == KEEL_RESTART_NEVER ? "; it stays stopped\n" : "\n");
}

/* It ended on its own (keel_os_exit): no fault, but a failure all the same
 * for a component that should run for ever. */
static void exited(rs_component_t *c, long status)
{
    printf("rs: %s exited with status %ld\n", c->desc->name, status);
    rs_failed(c, RS_LAST_EXIT);
}

static void handle_fault(seL4_Word badge, seL4_MessageInfo_t info)
{
    if (badge == 0 || badge > rs.desc->ncomponents) {
        printf("rs: a message with unknown badge 0x%lx, ignored\n", badge);
        return;
    }
    rs_component_t *c = &rs.comp[badge - 1];
    if (seL4_MessageInfo_get_label(info) == KEEL_EXIT_LABEL) {
        exited(c, (long)seL4_GetMR(0));
        return;
    }
    report(c, info);
    c->faults++;
    rs_failed(c, RS_LAST_FAULT); /* no reply: restarted, that thread is gone; or suspended */
}

void rs_serve(void)
{
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(rs.endpoint, &badge);
    for (;;) {
        if (badge & KEEL_BADGE_NOTIFY) { /* rs's own notification: no message */
            rs_heartbeat_notified(badge);
            info = seL4_Recv(rs.endpoint, &badge);
        } else if (rs_is_client(badge)) {
            seL4_MessageInfo_t reply;
            if (rs_answer(badge, info, &reply)) {
                seL4_Reply(reply);
            }
            /* A look at the code too, so that a system without a clock
             * for rs is scrubbed while someone asks rs (tests/os/rsclient);
             * after the answer, since its calls overwrite the message
             * registers. */
            rs_scrub();
            info = seL4_Recv(rs.endpoint, &badge);
        } else {
            handle_fault(badge, info);
            info = seL4_Recv(rs.endpoint, &badge);
        }
    }
}

static const char *kind_name(uint32_t kind)
{
    static const char *const names[] = {
        "?", "endpoint", "service", "notification", "irq", "untyped", "region", "asid pool",
    };
    return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

void rs_show(const rs_component_t *c)
{
    const keel_sysdesc_component_t *d = c->desc;
    printf("rs: %s: priority %u, quota %lu KiB (%lu KiB used), stack %lu KiB, %lu pages and "
           "page tables\n",
           d->name, d->priority, (unsigned long)(d->quota >> 10),
           (unsigned long)(c->proc.used >> 10), (unsigned long)(d->stack >> 10), c->proc.pages);
    printf("rs:   slots 1-4: its TCB, CNode, VSpace, fault endpoint (badge %u)\n", c->index + 1);
    for (uint32_t i = 0; i < c->ncaps; i++) {
        const keel_startcap_t *e = &c->caps[i];
        printf("rs:   %-12s %-12s", e->name, kind_name(e->kind));
        if (keel_startcap_slots(e) > 1) {
            printf(" slots %lu-%lu", (unsigned long)e->cptr,
                   (unsigned long)(e->cptr + keel_startcap_slots(e) - 1));
        } else if (e->cptr != 0) {
            printf(" slot %lu", (unsigned long)e->cptr);
        }
        if (e->kind == KEEL_CAP_REGION) {
            printf(" at 0x%lx, %lu KiB%s%s", (unsigned long)e->vaddr,
                   (unsigned long)(e->size >> 10),
                   (e->flags & KEEL_REGION_WRITABLE) ? ", writable" : ", read-only",
                   (e->flags & KEEL_REGION_DEVICE) ? ", device" : "");
        } else if (e->kind == KEEL_CAP_UNTYPED) {
            printf(", %lu KiB", (unsigned long)(e->size >> 10));
        } else if (e->flags & KEEL_NOTIFY_OWN) {
            printf(", bound to its thread");
        } else if (e->kind == KEEL_CAP_NOTIFICATION || e->kind == KEEL_CAP_IRQ) {
            printf(", arrives as bit 0x%lx of notify", (unsigned long)e->badge);
        } else if (e->kind == KEEL_CAP_ENDPOINT) {
            printf(", badge %lu", (unsigned long)e->badge);
        }
        printf("\n");
    }
}
