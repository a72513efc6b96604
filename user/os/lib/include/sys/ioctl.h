/* <sys/ioctl.h>: declared because programs include it; libos's ioctl
 * knows no request and answers ENOTTY (docs/posix.md "Not there"). */
#pragma once

int ioctl(int fd, unsigned long request, ...);
