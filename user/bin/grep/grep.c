/* grep [-v] [-i] [-n] [-c] PATTERN [FILE...]: the lines of the files
 * (stdin without files) that match PATTERN, with "name:" before each for
 * several files. -v: the lines that do not match; -i: ignore case; -n:
 * line numbers; -c: only the count of such lines.
 *
 * PATTERN is a small regular expression: c (a character), . (any), [set]
 * and [^set] with ranges a-z (] first is literal), x* (zero or more of the
 * previous atom), ^ at the start and $ at the end anchor, \c a literal c.
 * No groups, alternation, + ? or {n}.
 *
 * Exit 0 if a line was selected, 1 if none, 2 on an error (usage, bad
 * pattern, unreadable file). Calls: open read close (stdio), write. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ignore_case, invert, numbers, count_only;

/* Length of the atom at re (0 at the end or for a bad [ set). */
static size_t atom_length(const char *re)
{
    if (re[0] == '\0') {
        return 0;
    }
    if (re[0] == '\\') {
        return re[1] != '\0' ? 2 : 0;
    }
    if (re[0] != '[') {
        return 1;
    }
    size_t i = 1;
    if (re[i] == '^') {
        i++;
    }
    if (re[i] == ']') {
        i++;
    }
    while (re[i] != ']') {
        if (re[i] == '\0') {
            return 0;
        }
        i++;
    }
    return i + 1;
}

static bool same(char a, char b)
{
    return ignore_case ? tolower((unsigned char)a) == tolower((unsigned char)b) : a == b;
}

static bool in_set(const char *set, size_t len, char c)
{
    /* set: the text between [ and ], maybe starting with ^ */
    bool negate = set[0] == '^';
    size_t i = negate ? 1 : 0;
    bool found = false;
    for (; i < len && !found; i++) {
        if (i + 2 < len && set[i + 1] == '-') {
            unsigned char lo = (unsigned char)set[i], hi = (unsigned char)set[i + 2];
            unsigned char u = (unsigned char)c;
            found =
                (u >= lo && u <= hi) || (ignore_case && ((tolower(u) >= lo && tolower(u) <= hi) ||
                                                         (toupper(u) >= lo && toupper(u) <= hi)));
            i += 2;
        } else {
            found = same(set[i], c);
        }
    }
    return found != negate;
}

static bool atom_matches(const char *re, size_t len, char c)
{
    if (c == '\0') {
        return false;
    }
    if (re[0] == '.') {
        return true;
    }
    if (re[0] == '\\') {
        return same(re[1], c);
    }
    if (re[0] == '[') {
        return in_set(re + 1, len - 2, c);
    }
    return same(re[0], c);
}

/* The pattern compiled: its atoms, each maybe starred, and the anchors.
 * Matching runs the atoms as a set of states over the line (state i: atom
 * i is next; state count: matched), so that it takes time proportional to
 * the line times the pattern, whatever the stars. */
typedef struct {
    const char *at;
    size_t len;
    bool star;
} atom_t;

typedef struct {
    atom_t *atoms;
    size_t count;
    bool at_start; /* ^ */
    bool at_end;   /* $ */
} pattern_t;

static void compile(const char *re, pattern_t *p)
{
    p->at_start = re[0] == '^';
    re += p->at_start ? 1 : 0;
    p->atoms = malloc((strlen(re) + 1) * sizeof(atom_t));
    if (p->atoms == NULL) {
        fprintf(stderr, "grep: out of memory\n");
        exit(2);
    }
    p->count = 0;
    p->at_end = false;
    while (*re != '\0') {
        if (re[0] == '$' && re[1] == '\0') {
            p->at_end = true;
            break;
        }
        atom_t *a = &p->atoms[p->count++];
        a->at = re;
        a->len = atom_length(re);
        re += a->len;
        a->star = *re == '*';
        re += a->star ? 1 : 0;
    }
}

/* Enter state i and every state a starred atom lets the match skip to. */
static void enter(const pattern_t *p, bool *states, size_t i)
{
    states[i] = true;
    while (i < p->count && p->atoms[i].star) {
        states[++i] = true;
    }
}

static bool matches(const pattern_t *p, const char *text)
{
    bool current[p->count + 1];
    bool next[p->count + 1];
    memset(current, 0, sizeof(current));
    enter(p, current, 0);
    for (;; text++) {
        if (current[p->count] && (!p->at_end || *text == '\0')) {
            return true;
        }
        if (*text == '\0') {
            return false;
        }
        memset(next, 0, sizeof(next));
        for (size_t i = 0; i < p->count; i++) {
            const atom_t *a = &p->atoms[i];
            if (current[i] && atom_matches(a->at, a->len, *text)) {
                enter(p, next, a->star ? i : i + 1);
            }
        }
        if (!p->at_start) {
            enter(p, next, 0); /* a match may begin at the next character */
        }
        memcpy(current, next, sizeof(current));
    }
}

/* Every atom well formed, no * without an atom. */
static bool valid_pattern(const char *re)
{
    if (re[0] == '^') {
        re++;
    }
    while (*re != '\0') {
        if (re[0] == '*') {
            return false;
        }
        size_t len = atom_length(re);
        if (len == 0) {
            return false;
        }
        re += len;
        if (*re == '*') {
            re++;
        }
    }
    return true;
}

/* One line (without its newline) into *line; false at the end. */
static bool read_line(FILE *f, char **line, size_t *cap)
{
    size_t len = 0;
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (len + 1 >= *cap) {
            size_t grown = *cap == 0 ? 128 : 2 * *cap;
            char *p = realloc(*line, grown);
            if (p == NULL) {
                fprintf(stderr, "grep: out of memory\n");
                exit(2);
            }
            *line = p;
            *cap = grown;
        }
        (*line)[len++] = (char)c;
    }
    if (c == EOF && len == 0) {
        return false;
    }
    if (*cap == 0) {
        *line = malloc(1);
        *cap = 1;
        if (*line == NULL) {
            exit(2);
        }
    }
    (*line)[len] = '\0';
    return true;
}

/* The number of selected lines of f, printed unless count_only. */
static unsigned long grep(const pattern_t *re, FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned long number = 0, selected = 0;
    while (read_line(f, &line, &cap)) {
        number++;
        if (matches(re, line) == invert) {
            continue;
        }
        selected++;
        if (!count_only) {
            if (name != NULL) {
                printf("%s:", name);
            }
            if (numbers) {
                printf("%lu:", number);
            }
            printf("%s\n", line);
        }
    }
    free(line);
    if (count_only) {
        if (name != NULL) {
            printf("%s:", name);
        }
        printf("%lu\n", selected);
    }
    return selected;
}

static int usage(const char *why)
{
    fprintf(stderr, "grep: %s\nusage: grep [-v] [-i] [-n] [-c] PATTERN [FILE...]\n", why);
    return 2;
}

static int options(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return i + 1;
        }
        for (const char *o = argv[i] + 1; *o != '\0'; o++) {
            bool *flag = *o == 'v'   ? &invert
                         : *o == 'i' ? &ignore_case
                         : *o == 'n' ? &numbers
                         : *o == 'c' ? &count_only
                                     : NULL;
            if (flag == NULL) {
                return -1;
            }
            *flag = true;
        }
    }
    return i;
}

int main(int argc, char **argv)
{
    int i = options(argc, argv);
    if (i < 0) {
        return usage("unknown option");
    }
    if (i >= argc) {
        return usage("no pattern");
    }
    const char *re = argv[i++];
    if (!valid_pattern(re)) {
        fprintf(stderr, "grep: bad pattern '%s'\n", re);
        return 2;
    }
    pattern_t pattern;
    compile(re, &pattern);
    unsigned long selected = 0;
    bool error = false;
    if (i >= argc) {
        selected = grep(&pattern, stdin, NULL);
    }
    for (int first = i; i < argc; i++) {
        FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
        if (f == NULL) {
            fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
            error = true;
            continue;
        }
        selected += grep(&pattern, f, argc - first > 1 ? argv[i] : NULL);
        if (f != stdin) {
            fclose(f);
        }
    }
    free(pattern.atoms);
    return error ? 2 : selected > 0 ? 0 : 1;
}
