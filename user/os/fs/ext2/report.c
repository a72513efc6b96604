/* The library's log lines: why an operation gave -EIO, and notes at mount.
 * Built without stdio into a small buffer and handed to dev.log (if any);
 * the caller decides where they go. */
#include "internal.h"

#include <errno.h>

typedef struct line {
    char text[160];
    size_t len;
} line_t;

static void line_add(line_t *l, const char *s)
{
    while (*s != '\0' && l->len + 1 < sizeof(l->text)) {
        l->text[l->len++] = *s++;
    }
    l->text[l->len] = '\0';
}

static void line_add_number(line_t *l, uint64_t n)
{
    char digits[21];
    size_t i = sizeof(digits) - 1;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    line_add(l, &digits[i]);
}

static void emit(ext2_fs_t *fs, const char *object, uint64_t number, const char *message,
                 uint64_t value)
{
    if (fs->dev.log == NULL) {
        return;
    }
    line_t l = { .len = 0 };
    line_add(&l, "ext2: ");
    if (object != NULL) {
        line_add(&l, object);
        line_add(&l, " ");
        line_add_number(&l, number);
        line_add(&l, ": ");
    }
    line_add(&l, message);
    if (value != NO_VALUE) {
        line_add(&l, " (");
        line_add_number(&l, value);
        line_add(&l, ")");
    }
    fs->dev.log(fs->dev.ctx, l.text);
}

int fs_corrupt(ext2_fs_t *fs, const char *object, uint64_t number, const char *problem,
               uint64_t value)
{
    emit(fs, object, number, problem, value);
    return -EIO;
}

void fs_note(ext2_fs_t *fs, const char *object, uint64_t number, const char *message)
{
    emit(fs, object, number, message, NO_VALUE);
}
