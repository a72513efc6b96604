/* The terminal of /dev/console (docs/os.md "vfs", "tty"): canonical input.
 * Typed bytes (from the uart driver) build the line being edited, echoed
 * as they arrive; Enter makes it a line readers get, Backspace and DEL
 * erase a character, Ctrl-U the line, Ctrl-D delivers what is typed (at the
 * start of a line: end of file, a read returns 0), Ctrl-C drops the line,
 * echoes "^C" and sends SIGINT to the foreground group through pm. Output
 * turns "\n" into "\r\n". */
#include "vfs.h"

#include <errno.h>
#include <keel/proto/pm_defs.h>
#include <keel/syscalls.h>
#include <string.h>

#define EDIT_MAX 255   /* bytes of the line being typed */
#define READY_MAX 1024 /* bytes of finished lines not yet read */
#define LINES_MAX 32   /* finished lines not yet read (an end of file counts) */
#define SIGINT_NUMBER 2

static unsigned char edit[EDIT_MAX];
static size_t edit_len;

static unsigned char ready[READY_MAX]; /* finished lines back to back */
static size_t ready_len;
static size_t line_len[LINES_MAX]; /* each finished line's length; 0: end of file */
static size_t lines;

static int64_t foreground;  /* the group Ctrl-C signals; 0: none */
static bool sigint_pending; /* pm was not receiving: try again later */
static seL4_CPtr pm_endpoint;

void tty_init(void)
{
    const keel_startcap_t *pm = keel_startinfo_find(keel_startinfo(), "pm");
    pm_endpoint = pm != NULL && pm->kind == KEEL_CAP_ENDPOINT ? pm->cptr : 0;
}

static void echo(const char *s, size_t n)
{
    (void)tty_try_write(s, n); /* an echo that finds the console's queue full is dropped */
}

/* Finish the edited line; dropped if no room is left. */
static void deliver(void)
{
    if (lines < LINES_MAX && ready_len + edit_len <= READY_MAX) {
        memcpy(ready + ready_len, edit, edit_len);
        ready_len += edit_len;
        line_len[lines++] = edit_len;
    }
    edit_len = 0;
}

/* A kill(-group, SIGINT) to pm as a Send without a reply: vfs never waits
 * for pm, which calls vfs (proc_exit) and would otherwise deadlock with
 * it. If pm is not receiving now, the signal goes at the next event. */
bool tty_signal_pending(void)
{
    return sigint_pending;
}

void tty_flush_signal(void)
{
    if (!sigint_pending || pm_endpoint == 0 || foreground <= 0) {
        sigint_pending = false;
        return;
    }
    seL4_SetMR(0, (seL4_Word)-foreground);
    seL4_SetMR(1, SIGINT_NUMBER);
    seL4_NBSend(pm_endpoint, seL4_MessageInfo_new(PM_KILL, 0, 0, 2));
    sigint_pending = false;
}

static void erase(size_t n)
{
    for (; n > 0 && edit_len > 0; n--, edit_len--) {
        echo("\b \b", 3);
    }
}

static void input_byte(unsigned char c)
{
    switch (c) {
    case '\r':
    case '\n':
        echo("\n", 1);
        if (edit_len < EDIT_MAX) {
            edit[edit_len++] = '\n';
        }
        deliver();
        break;
    case 0x7f: /* DEL */
    case '\b':
        erase(1);
        break;
    case 0x15: /* Ctrl-U */
        erase(edit_len);
        break;
    case 0x04: /* Ctrl-D */
        deliver();
        break;
    case 0x03: /* Ctrl-C */
        edit_len = 0;
        echo("^C\n", 3);
        sigint_pending = true;
        break;
    default:
        if ((c >= 0x20 || c == '\t') && edit_len < EDIT_MAX - 1) {
            edit[edit_len++] = c;
            echo((const char *)&c, 1);
        }
    }
}

void tty_input(const unsigned char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        input_byte(bytes[i]);
    }
}

/* The first finished line (or what of it fits); -EAGAIN: none yet;
 * -EIO: none, and none can come (the uart driver is down for good). */
long tty_try_read(unsigned char *buf, size_t length)
{
    if (lines == 0) {
        return console_input_gone() ? -EIO : -EAGAIN;
    }
    size_t n = length < line_len[0] ? length : line_len[0];
    memcpy(buf, ready, n);
    memmove(ready, ready + n, ready_len - n);
    ready_len -= n;
    line_len[0] -= n;
    if (line_len[0] == 0 && (n > 0 || length > 0)) {
        memmove(line_len, line_len + 1, (lines - 1) * sizeof(line_len[0]));
        lines--;
    }
    return (long)n;
}

bool tty_readable(void)
{
    return lines > 0 || console_input_gone();
}

/* The bytes of p, each "\n" as "\r\n"; the caller made sure they fit. */
static void output_crlf(const unsigned char *p, size_t length)
{
    size_t start = 0;
    for (size_t i = 0; i < length; i++) {
        if (p[i] == '\n') {
            console_output(p + start, i - start);
            console_output("\r\n", 2);
            start = i + 1;
        }
    }
    console_output(p + start, length - start);
}

long tty_try_write(const void *buf, size_t length)
{
    const unsigned char *p = buf;
    size_t room = console_room(), fits = 0;
    for (size_t cost; fits < length && (cost = p[fits] == '\n' ? 2u : 1u) <= room; fits++) {
        room -= cost; /* "\n" goes out as "\r\n" */
    }
    if (fits == 0 && length > 0) {
        return -EAGAIN;
    }
    output_crlf(p, fits);
    return (long)fits;
}

long tty_getpgrp(void)
{
    return foreground;
}

void tty_setpgrp(int64_t pgid)
{
    foreground = pgid;
}
