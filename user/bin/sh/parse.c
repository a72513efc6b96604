/* sh: the lexer, the parser and word expansion (sh.h).
 *
 * Grammar (newline is a separator like ';'):
 *   list     := [and_or { (';' | '&' | '\n') [and_or] }]   ('&': in the background)
 *   and_or   := pipeline { ('&&' | '||') newlines pipeline }
 *   pipeline := command { '|' newlines command }
 *   command  := { word | [n] redir word }+
 * Words keep their quotes; sh_expand removes them when the command runs. */
#include "sh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { TOK_END, TOK_WORD, TOK_NEWLINE, TOK_OP } token_kind_t;

typedef struct {
    token_kind_t kind;
    char op[3];    /* TOK_OP: | || && ; < > >> >& <& & */
    int io_number; /* TOK_OP redirection: the n of n>file, -1 if none */
    char *word;    /* TOK_WORD: malloc'd raw text */
} token_t;

typedef struct {
    const char *text;
    size_t pos;
    bool incomplete; /* input ended inside a quote or after a backslash */
    token_t tok;     /* the current token */
} lexer_t;

static bool is_op_char(char c)
{
    return c == '|' || c == '&' || c == ';' || c == '<' || c == '>';
}

static bool is_word_end(char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || is_op_char(c);
}

/* Scan a raw word from lx->pos; false if a quote or backslash is open. */
static bool scan_word(lexer_t *lx, size_t *end)
{
    const char *t = lx->text;
    size_t i = lx->pos;
    while (!is_word_end(t[i])) {
        char c = t[i++];
        if (c == '\\') {
            if (t[i] == '\0') {
                return false;
            }
            i++;
        } else if (c == '\'') {
            while (t[i] != '\'') {
                if (t[i++] == '\0') {
                    return false;
                }
            }
            i++;
        } else if (c == '"') {
            while (t[i] != '"') {
                if (t[i] == '\0' || (t[i] == '\\' && t[i + 1] == '\0')) {
                    return false;
                }
                i += t[i] == '\\' ? 2 : 1;
            }
            i++;
        }
    }
    *end = i;
    return true;
}

static void scan_op(lexer_t *lx, int io_number)
{
    const char *t = lx->text + lx->pos;
    static const char *const two[] = { "||", "&&", ">>", ">&", "<&" };
    lx->tok.kind = TOK_OP;
    lx->tok.io_number = io_number;
    for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
        if (strncmp(t, two[i], 2) == 0) {
            memcpy(lx->tok.op, two[i], 3);
            lx->pos += 2;
            return;
        }
    }
    lx->tok.op[0] = t[0];
    lx->tok.op[1] = '\0';
    lx->pos++;
}

/* A word of digits directly followed by < or > is a redirection's fd. */
static int io_number_at(const char *t, size_t start, size_t end)
{
    if (end == start || end - start > 4 || (t[end] != '<' && t[end] != '>')) {
        return -1;
    }
    int n = 0;
    for (size_t i = start; i < end; i++) {
        if (!isdigit((unsigned char)t[i])) {
            return -1;
        }
        n = n * 10 + (t[i] - '0');
    }
    return n;
}

/* Advance to the next token; false (lx->incomplete) if input runs out
 * inside a word. */
static bool next_token(lexer_t *lx)
{
    const char *t = lx->text;
    free(lx->tok.word);
    memset(&lx->tok, 0, sizeof(lx->tok));
    while (t[lx->pos] == ' ' || t[lx->pos] == '\t' ||
           (t[lx->pos] == '\\' && t[lx->pos + 1] == '\n')) {
        lx->pos += t[lx->pos] == '\\' ? 2 : 1;
    }
    if (t[lx->pos] == '#') {
        while (t[lx->pos] != '\0' && t[lx->pos] != '\n') {
            lx->pos++;
        }
    }
    char c = t[lx->pos];
    if (c == '\0') {
        lx->tok.kind = TOK_END;
        return true;
    }
    if (c == '\n') {
        lx->tok.kind = TOK_NEWLINE;
        lx->pos++;
        return true;
    }
    if (is_op_char(c)) {
        scan_op(lx, -1);
        return true;
    }
    size_t end;
    if (!scan_word(lx, &end)) {
        lx->incomplete = true;
        return false;
    }
    int io = io_number_at(t, lx->pos, end);
    if (io >= 0) {
        lx->pos = end;
        scan_op(lx, io);
        return true;
    }
    lx->tok.kind = TOK_WORD;
    lx->tok.word = sh_alloc(end - lx->pos + 1);
    memcpy(lx->tok.word, t + lx->pos, end - lx->pos);
    lx->tok.word[end - lx->pos] = '\0';
    lx->pos = end;
    return true;
}

static bool tok_is(const lexer_t *lx, const char *op)
{
    return lx->tok.kind == TOK_OP && strcmp(lx->tok.op, op) == 0;
}

static bool is_redirection(const lexer_t *lx)
{
    return tok_is(lx, "<") || tok_is(lx, ">") || tok_is(lx, ">>") || tok_is(lx, ">&") ||
           tok_is(lx, "<&");
}

static parse_result_t syntax_error(const lexer_t *lx)
{
    if (lx->incomplete) {
        return PARSE_INCOMPLETE;
    }
    const char *near = lx->tok.kind == TOK_WORD      ? lx->tok.word
                       : lx->tok.kind == TOK_OP      ? lx->tok.op
                       : lx->tok.kind == TOK_NEWLINE ? "newline"
                                                     : "end of input";
    fprintf(stderr, "sh: syntax error near '%s'\n", near);
    return PARSE_ERROR;
}

static bool valid_dup_target(const char *w)
{
    if (strcmp(w, "-") == 0) {
        return true;
    }
    size_t n = strlen(w);
    if (n == 0 || n > 4) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)w[i])) {
            return false;
        }
    }
    return true;
}

static parse_result_t parse_redirection(lexer_t *lx, command_t *cmd)
{
    redir_t r = { .fd = lx->tok.io_number };
    const char *op = lx->tok.op;
    r.kind = strcmp(op, "<") == 0    ? REDIR_IN
             : strcmp(op, ">") == 0  ? REDIR_OUT
             : strcmp(op, ">>") == 0 ? REDIR_APPEND
                                     : REDIR_DUP;
    if (r.fd < 0) {
        r.fd = op[0] == '<' ? 0 : 1;
    }
    if (!next_token(lx) || lx->tok.kind != TOK_WORD) {
        return syntax_error(lx);
    }
    if (r.kind == REDIR_DUP && !valid_dup_target(lx->tok.word)) {
        return syntax_error(lx);
    }
    r.target = lx->tok.word;
    lx->tok.word = NULL;
    cmd->redirs = sh_grow(cmd->redirs, cmd->nredirs, sizeof(*cmd->redirs));
    cmd->redirs[cmd->nredirs++] = r;
    return next_token(lx) ? PARSE_OK : syntax_error(lx);
}

static parse_result_t parse_command(lexer_t *lx, command_t *cmd)
{
    while (lx->tok.kind == TOK_WORD || is_redirection(lx)) {
        if (lx->tok.kind == TOK_WORD) {
            cmd->words = sh_grow(cmd->words, cmd->nwords + 1, sizeof(*cmd->words));
            cmd->words[cmd->nwords++] = lx->tok.word;
            cmd->words[cmd->nwords] = NULL;
            lx->tok.word = NULL;
            if (!next_token(lx)) {
                return syntax_error(lx);
            }
        } else {
            parse_result_t r = parse_redirection(lx, cmd);
            if (r != PARSE_OK) {
                return r;
            }
        }
    }
    if (cmd->nwords == 0 && cmd->nredirs == 0) {
        return syntax_error(lx);
    }
    return PARSE_OK;
}

/* After | && ||: newlines may follow; the end of input asks for more. */
static parse_result_t skip_newlines_after_op(lexer_t *lx)
{
    do {
        if (!next_token(lx)) {
            return syntax_error(lx);
        }
    } while (lx->tok.kind == TOK_NEWLINE);
    if (lx->tok.kind == TOK_END) {
        return PARSE_INCOMPLETE;
    }
    return PARSE_OK;
}

static parse_result_t parse_pipeline(lexer_t *lx, pipeline_t *p)
{
    for (;;) {
        p->cmds = sh_grow(p->cmds, p->ncmds, sizeof(*p->cmds));
        command_t *cmd = &p->cmds[p->ncmds++];
        memset(cmd, 0, sizeof(*cmd));
        parse_result_t r = parse_command(lx, cmd);
        if (r != PARSE_OK) {
            return r;
        }
        if (!tok_is(lx, "|")) {
            return PARSE_OK;
        }
        r = skip_newlines_after_op(lx);
        if (r != PARSE_OK) {
            return r;
        }
    }
}

static parse_result_t parse_and_or(lexer_t *lx, list_t *list)
{
    for (;;) {
        list->items = sh_grow(list->items, list->count, sizeof(*list->items));
        pipeline_t *p = &list->items[list->count++];
        memset(p, 0, sizeof(*p));
        parse_result_t r = parse_pipeline(lx, p);
        if (r != PARSE_OK) {
            return r;
        }
        if (!tok_is(lx, "&&") && !tok_is(lx, "||")) {
            return PARSE_OK;
        }
        p->next = tok_is(lx, "&&") ? NEXT_AND : NEXT_OR;
        r = skip_newlines_after_op(lx);
        if (r != PARSE_OK) {
            return r;
        }
    }
}

/* `a | b &`: the and-or list just parsed (its pipelines from
 * list->items[first] on) runs in the background. Only a single pipeline
 * can: the shell has no fork to run `a && b` as a process of its own. */
static bool mark_background(list_t *list, size_t first)
{
    if (list->count - first != 1) {
        fprintf(stderr, "sh: only a pipeline can run in the background, not && or ||\n");
        return false;
    }
    list->items[first].background = true;
    return true;
}

static parse_result_t parse_list(lexer_t *lx, list_t *list)
{
    if (!next_token(lx)) {
        return syntax_error(lx);
    }
    for (;;) {
        while (lx->tok.kind == TOK_NEWLINE) {
            if (!next_token(lx)) {
                return syntax_error(lx);
            }
        }
        if (lx->tok.kind == TOK_END) {
            return PARSE_OK;
        }
        size_t first = list->count;
        parse_result_t r = parse_and_or(lx, list);
        if (r != PARSE_OK) {
            return r;
        }
        if (tok_is(lx, "&") && !mark_background(list, first)) {
            return PARSE_ERROR;
        }
        if (tok_is(lx, ";") || tok_is(lx, "&")) {
            if (!next_token(lx)) {
                return syntax_error(lx);
            }
        } else if (lx->tok.kind != TOK_NEWLINE && lx->tok.kind != TOK_END) {
            return syntax_error(lx);
        }
    }
}

parse_result_t sh_parse(const char *text, list_t *list)
{
    lexer_t lx = { .text = text };
    memset(list, 0, sizeof(*list));
    parse_result_t r = parse_list(&lx, list);
    free(lx.tok.word);
    if (r != PARSE_OK) {
        sh_list_free(list);
    }
    return r;
}

void sh_list_free(list_t *list)
{
    for (size_t i = 0; i < list->count; i++) {
        pipeline_t *p = &list->items[i];
        for (size_t j = 0; j < p->ncmds; j++) {
            command_t *cmd = &p->cmds[j];
            for (size_t k = 0; k < cmd->nwords; k++) {
                free(cmd->words[k]);
            }
            for (size_t k = 0; k < cmd->nredirs; k++) {
                free(cmd->redirs[k].target);
            }
            free(cmd->words);
            free(cmd->redirs);
        }
        free(p->cmds);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

/* Expansion: a growing string. */
typedef struct {
    char *s;
    size_t len;
} strbuf_t;

static void sb_add(strbuf_t *b, const char *s, size_t n)
{
    b->s = sh_grow(b->s, b->len + n, 1);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_int(strbuf_t *b, long v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%ld", v);
    sb_add(b, num, (size_t)n);
}

static bool is_name_char(char c, bool first)
{
    return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* Expand the $ at raw[*i]; *i ends after it. */
static void expand_dollar(const char *raw, size_t *i, strbuf_t *b)
{
    size_t p = *i + 1;
    char c = raw[p];
    if (c == '?' || c == '$' || c == '#' || c == '!' || isdigit((unsigned char)c)) {
        *i = p + 1;
        if (c == '?') {
            sb_int(b, shell.status);
        } else if (c == '!') {
            if (shell.last_job > 0) {
                sb_int(b, (long)shell.last_job);
            }
        } else if (c == '$') {
            sb_int(b, (long)getpid());
        } else if (c == '#') {
            sb_int(b, shell.argc > 0 ? shell.argc - 1 : 0);
        } else if (c - '0' < shell.argc) {
            sb_add(b, shell.argv[c - '0'], strlen(shell.argv[c - '0']));
        }
        return;
    }
    bool braced = c == '{';
    size_t start = braced ? p + 1 : p;
    size_t end = start;
    while (is_name_char(raw[end], end == start)) {
        end++;
    }
    if (end == start || (braced && raw[end] != '}')) {
        sb_add(b, "$", 1); /* not an expansion: a literal $ */
        *i = p;
        return;
    }
    char name[128];
    size_t n = end - start < sizeof(name) - 1 ? end - start : sizeof(name) - 1;
    memcpy(name, raw + start, n);
    name[n] = '\0';
    const char *value = getenv(name);
    if (value != NULL) {
        sb_add(b, value, strlen(value));
    }
    *i = braced ? end + 1 : end;
}

/* Inside "...": \ escapes only $ ` " \ and newline. */
static void expand_double_quoted(const char *raw, size_t *i, strbuf_t *b)
{
    size_t p = *i + 1;
    while (raw[p] != '"' && raw[p] != '\0') {
        if (raw[p] == '\\' && raw[p + 1] != '\0' && strchr("$`\"\\\n", raw[p + 1]) != NULL) {
            sb_add(b, raw + p + 1, 1);
            p += 2;
        } else if (raw[p] == '$') {
            expand_dollar(raw, &p, b);
        } else {
            sb_add(b, raw + p++, 1);
        }
    }
    *i = raw[p] == '"' ? p + 1 : p;
}

char *sh_expand(const char *raw, bool *drop)
{
    strbuf_t b = { sh_strdup(""), 0 };
    bool quoted = false;
    bool literal = false;
    size_t i = 0;
    while (raw[i] != '\0') {
        char c = raw[i];
        if (c == '\\' && raw[i + 1] != '\0') {
            sb_add(&b, raw + i + 1, 1);
            i += 2;
            literal = true;
        } else if (c == '\'') {
            const char *close = strchr(raw + i + 1, '\'');
            size_t n = close != NULL ? (size_t)(close - raw - i - 1) : strlen(raw + i + 1);
            sb_add(&b, raw + i + 1, n);
            i += n + (close != NULL ? 2 : 1);
            quoted = true;
        } else if (c == '"') {
            expand_double_quoted(raw, &i, &b);
            quoted = true;
        } else if (c == '$') {
            expand_dollar(raw, &i, &b);
        } else {
            sb_add(&b, raw + i++, 1);
            literal = true;
        }
    }
    if (drop != NULL) {
        *drop = b.len == 0 && !quoted && !literal;
    }
    return b.s;
}
