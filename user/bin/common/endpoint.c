/* The endpoint of a server from the start page (sysinfo.h). */
#include "sysinfo.h"

#include <keel/os/start.h>
#include <keel/os/startinfo.h>

seL4_CPtr sysinfo_endpoint(const char *name)
{
    const keel_startcap_t *cap = keel_startinfo_find(keel_startinfo(), name);
    return cap != NULL && cap->kind == KEEL_CAP_ENDPOINT ? cap->cptr : 0;
}
