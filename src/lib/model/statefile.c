/*
 * adkcd: the desired-state file of "adkcd apply" and "adkcd export".
 *
 * Parsing is in two passes.  libyaml's event parser builds a small tree of
 * our own (so that anchors, aliases, tags, several documents and absurd
 * nesting are refused with their positions, which libyaml's document
 * loader would silently resolve or accept); then the tree is validated
 * key by key into a struct adkcd_statefile, collecting every problem
 * rather than stopping at the first, and the checks across accounts run
 * last.  The format is in docs/state-file.md.
 *
 * This file is in adkcd_lib rather than the pure adkcd_model object
 * library only because adkcd_statefile_deleg_desired() calls
 * adkcd_deleg_desired(), whose deleg.c also holds the networked
 * adkcd_deleg_run(); nothing here talks to the network.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "adkcd/keys.h"
#include "adkcd/spn.h"
#include "adkcd/statefile.h"
#include "adkcd/utf8.h"
#include "adkcd/strv.h"
#include "buf.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* How much of a value a message quotes. */
#define QUOTE_MAX 80

/* Room for a path such as "accounts[12345].delegation.services.present[7]"
 * plus a quoted key. */
#define PATH_SIZE 512

/* ------------------------------------------------------------------ */
/* The tree built from libyaml's events                               */
/* ------------------------------------------------------------------ */

enum nkind {
    N_SCALAR,
    N_SEQ,
    N_MAP,
    N_BAD, /* an alias or a refused value: already reported, skipped */
};

/* What a scalar is, after its tag or (plain) its spelling. */
enum skind {
    S_STR,
    S_NULL,
    S_BOOL,
    S_INT,
};

struct node {
    enum nkind kind;
    struct adkcd_sf_pos pos;
    /* N_SCALAR */
    char *text;
    size_t len;
    enum skind skind;
    int plain; /* plain style and no tag: the spelling decides the type */
    /* N_SEQ: items; N_MAP: key, value, key, value... */
    struct node **kids;
    size_t n, cap;
};

struct ctx {
    struct adkcd_sf_errors *errs;
    int nomem;
    size_t nodes;
};

static void
node_free(struct node *n)
{
    size_t i;

    if (n == NULL)
        return;
    for (i = 0; i < n->n; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n);
}

static struct adkcd_sf_pos
mark_pos(yaml_mark_t m)
{
    struct adkcd_sf_pos p = {(unsigned)m.line + 1, (unsigned)m.column + 1};

    return p;
}

/*
 * s (len bytes) as a message shows it: at most QUOTE_MAX bytes cut on a
 * character boundary, with control characters (C0, DEL and the C1 range,
 * which some terminals obey) as \xNN, so that printing a message never
 * sends escape sequences.
 */
static void
quote(const char *s, size_t len, char *out, size_t size)
{
    size_t i, o = 0;

    for (i = 0; i < len && o + 12 < size; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i >= QUOTE_MAX && (c & 0xc0) != 0x80) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f) {
            o += (size_t)snprintf(out + o, size - o, "\\xc2\\x%02x",
                                  (unsigned char)s[i + 1]);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

/* Record a problem at pos.  Beyond ADKCD_SF_MAX_ERRORS only counted. */
static void
add_error(struct ctx *c, struct adkcd_sf_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
add_error(struct ctx *c, struct adkcd_sf_pos pos, const char *fmt, ...)
{
    struct adkcd_sf_errors *e = c->errs;
    struct adkcd_sf_error *v;
    char msg[ADKCD_ERR_MSG_SIZE];
    va_list ap;

    if (e->n >= ADKCD_SF_MAX_ERRORS) {
        e->more++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v = realloc(e->v, (e->n + 1) * sizeof(*v));
    if (v == NULL) {
        c->nomem = 1;
        return;
    }
    e->v = v;
    v[e->n].pos = pos;
    v[e->n].msg = strdup(msg);
    if (v[e->n].msg == NULL) {
        c->nomem = 1;
        return;
    }
    e->n++;
}

/* The position of byte offset off of text, in characters (UTF-8). */
static struct adkcd_sf_pos
offset_pos(const char *text, size_t len, size_t off)
{
    struct adkcd_sf_pos p = {1, 1};
    size_t i;

    for (i = 0; i < off && i < len; i++) {
        unsigned char ch = (unsigned char)text[i];

        if (ch == '\n') {
            p.line++;
            p.column = 1;
        } else if ((ch & 0xc0) != 0x80) {
            p.column++;
        }
    }
    return p;
}

/*
 * The input must be UTF-8 without NUL bytes: libyaml would stop at a NUL
 * with a vague message, and guesses UTF-16 from a byte-order mark.  Refuse
 * overlong forms, surrogates and code points above U+10FFFF (RFC 3629).
 * Returns the offset of the first bad byte, or len.
 */
static size_t
check_utf8(const char *text, size_t len, int *is_nul)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, n;

    *is_nul = 0;
    while (i < len) {
        if (s[i] == 0) {
            *is_nul = 1;
            return i;
        }
        n = adkcd_utf8_len(s + i, len - i);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

/* The standard tags (YAML 1.2 failsafe and JSON schemas) we accept. */
#define TAG_PREFIX "tag:yaml.org,2002:"

/* Classify a tag: 0 none or "!" (non-specific), else one of 'S' str, 'I'
 * int, 'B' bool, 'N' null, 's' seq, 'm' map; -1 for any other tag. */
static int
tag_kind(const yaml_char_t *tag)
{
    static const struct {
        const char *name;
        int kind;
    } tags[] = {{"str", 'S'},  {"int", 'I'}, {"bool", 'B'},
                {"null", 'N'}, {"seq", 's'}, {"map", 'm'}};
    const char *t = (const char *)tag;
    size_t i;

    if (t == NULL || strcmp(t, "!") == 0)
        return 0;
    if (strncmp(t, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
        return -1;
    t += strlen(TAG_PREFIX);
    for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (strcmp(t, tags[i].name) == 0)
            return tags[i].kind;
    }
    return -1;
}

static int
is_null_text(const char *s)
{
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static int
is_int_text(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return 1;
}

/* Report a refused tag.  Returns the node kind to use (N_BAD). */
static void
bad_tag(struct ctx *c, struct adkcd_sf_pos pos, const yaml_char_t *tag)
{
    char q[QUOTE_MAX * 4 + 16];

    quote((const char *)tag, strlen((const char *)tag), q, sizeof(q));
    add_error(c, pos,
              "tag '%s' is not supported (only the standard tags !!str, "
              "!!int, !!bool, !!null, !!seq and !!map)",
              q);
}

/* Report an anchor; the node itself is kept. */
static void
check_anchor(struct ctx *c, struct adkcd_sf_pos pos, const yaml_char_t *a)
{
    char q[QUOTE_MAX * 4 + 16];

    if (a == NULL)
        return;
    quote((const char *)a, strlen((const char *)a), q, sizeof(q));
    add_error(c, pos,
              "anchors and aliases are not supported (&%s): write the "
              "value out",
              q);
}

static struct node *
node_new(struct ctx *c, enum nkind kind, struct adkcd_sf_pos pos)
{
    struct node *n = calloc(1, sizeof(*n));

    if (n == NULL) {
        c->nomem = 1;
        return NULL;
    }
    n->kind = kind;
    n->pos = pos;
    c->nodes++;
    return n;
}

/* A node from a scalar event. */
static struct node *
scalar_node(struct ctx *c, const yaml_event_t *ev)
{
    struct adkcd_sf_pos pos = mark_pos(ev->start_mark);
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    int tk = tag_kind(ev->data.scalar.tag);
    struct node *n;

    check_anchor(c, pos, ev->data.scalar.anchor);
    if (tk < 0) {
        bad_tag(c, pos, ev->data.scalar.tag);
        return node_new(c, N_BAD, pos);
    }
    if (tk == 's' || tk == 'm') {
        add_error(c, pos, "tag !!%s on a single value",
                  tk == 's' ? "seq" : "map");
        return node_new(c, N_BAD, pos);
    }
    if (len > ADKCD_SF_MAX_SCALAR) {
        add_error(c, pos, "value longer than %d bytes", ADKCD_SF_MAX_SCALAR);
        return node_new(c, N_BAD, pos);
    }
    /* A double-quoted "\0" gives a NUL inside the value. */
    if (memchr(v, '\0', len) != NULL) {
        add_error(c, pos, "a NUL character (\\0) is not allowed in a value");
        return node_new(c, N_BAD, pos);
    }
    n = node_new(c, N_SCALAR, pos);
    if (n == NULL)
        return NULL;
    n->text = strndup(v, len);
    if (n->text == NULL) {
        c->nomem = 1;
        free(n);
        return NULL;
    }
    n->len = len;
    n->plain = tk == 0 && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    n->skind = S_STR;
    if (tk == 'N' || (n->plain && is_null_text(n->text)))
        n->skind = S_NULL;
    else if (tk == 'B' || (n->plain && (strcmp(n->text, "true") == 0 ||
                                        strcmp(n->text, "false") == 0)))
        n->skind = S_BOOL;
    else if (tk == 'I' || (n->plain && is_int_text(n->text)))
        n->skind = S_INT;
    /* An explicit tag must fit its value. */
    if ((tk == 'N' && !is_null_text(n->text)) ||
        (tk == 'B' && strcmp(n->text, "true") != 0 &&
         strcmp(n->text, "false") != 0) ||
        (tk == 'I' && !is_int_text(n->text))) {
        char q[QUOTE_MAX * 4 + 16];

        quote(n->text, n->len, q, sizeof(q));
        add_error(c, pos, "'%s' does not fit its tag !!%s", q,
                  tk == 'N'   ? "null"
                  : tk == 'B' ? "bool"
                              : "int");
        n->kind = N_BAD;
    }
    return n;
}

static int
append_kid(struct ctx *c, struct node *parent, struct node *kid)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 4;
        struct node **k = realloc(parent->kids, cap * sizeof(*k));

        if (k == NULL) {
            c->nomem = 1;
            return -1;
        }
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return 0;
}

/*
 * Read the events of text into a tree.  Problems go to c; a fatal one
 * (syntax, limits, a second document) stops the reading and returns NULL,
 * as does running out of memory (c->nomem).
 */
static struct node *
build_tree(struct ctx *c, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct node *stack[ADKCD_SF_MAX_DEPTH + 1];
    struct node *root = NULL, *n;
    size_t depth = 0;
    int docs = 0, done = 0, fatal = 0;

    if (!yaml_parser_initialize(&parser)) {
        c->nomem = 1;
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done && !fatal && !c->nomem) {
        if (!yaml_parser_parse(&parser, &ev)) {
            struct adkcd_sf_pos pos;

            if (parser.error == YAML_MEMORY_ERROR) {
                c->nomem = 1;
                break;
            }
            if (parser.error == YAML_READER_ERROR)
                pos = offset_pos(text, len, parser.problem_offset);
            else
                pos = mark_pos(parser.problem_mark);
            if (parser.context != NULL)
                add_error(c, pos, "YAML syntax error: %s %s (line %zu)",
                          parser.problem ? parser.problem : "error",
                          parser.context, parser.context_mark.line + 1);
            else
                add_error(c, pos, "YAML syntax error: %s",
                          parser.problem ? parser.problem : "error");
            fatal = 1;
            break;
        }
        n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                add_error(c, mark_pos(ev.start_mark),
                          "a second YAML document: a state file is one "
                          "document (remove the '---' and what follows, or "
                          "merge the two)");
                fatal = 1;
            }
            break;
        case YAML_ALIAS_EVENT:
            add_error(c, mark_pos(ev.start_mark),
                      "aliases are not supported (*%s): write the value out",
                      (const char *)ev.data.alias.anchor);
            n = node_new(c, N_BAD, mark_pos(ev.start_mark));
            break;
        case YAML_SCALAR_EVENT:
            n = scalar_node(c, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int seq = ev.type == YAML_SEQUENCE_START_EVENT;
            const yaml_char_t *tag =
                seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag;
            int tk = tag_kind(tag);
            struct adkcd_sf_pos pos = mark_pos(ev.start_mark);

            if (depth >= ADKCD_SF_MAX_DEPTH) {
                add_error(c, pos,
                          "lists and mappings nested deeper than %d levels",
                          ADKCD_SF_MAX_DEPTH);
                fatal = 1;
                break;
            }
            check_anchor(c, pos,
                         seq ? ev.data.sequence_start.anchor
                             : ev.data.mapping_start.anchor);
            n = node_new(c, seq ? N_SEQ : N_MAP, pos);
            if (n == NULL)
                break;
            if (tk < 0)
                bad_tag(c, pos, tag);
            else if (tk != 0 && tk != (seq ? 's' : 'm'))
                add_error(c, pos, "tag !!%s on a %s",
                          tk == 's'   ? "seq"
                          : tk == 'm' ? "map"
                          : tk == 'S' ? "str"
                          : tk == 'I' ? "int"
                          : tk == 'B' ? "bool"
                                      : "null",
                          seq ? "list" : "mapping");
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
        if (n != NULL) {
            if (c->nodes > ADKCD_SF_MAX_NODES) {
                add_error(c, n->pos, "more than %d values in the file",
                          ADKCD_SF_MAX_NODES);
                node_free(n);
                fatal = 1;
            } else if (depth == 0) {
                root = n; /* the document's node (one document) */
            } else if (append_kid(c, stack[depth - 1], n) != 0) {
                node_free(n);
            }
            if (!fatal && !c->nomem &&
                (ev.type == YAML_SEQUENCE_START_EVENT ||
                 ev.type == YAML_MAPPING_START_EVENT))
                stack[depth++] = n;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (fatal || c->nomem) {
        node_free(root);
        return NULL;
    }
    if (docs == 0 || root == NULL) {
        struct adkcd_sf_pos p = {1, 1};

        add_error(c, p,
                  "the file is empty: expected one YAML document "
                  "starting with 'version: 1'");
    }
    return root;
}

/* ------------------------------------------------------------------ */
/* Validation                                                         */
/* ------------------------------------------------------------------ */

/* What a node is, for messages. */
static const char *
describe(const struct node *n)
{
    if (n->kind == N_SEQ)
        return "a list";
    if (n->kind == N_MAP)
        return "a mapping";
    switch (n->skind) {
    case S_NULL:
        return "nothing (null)";
    case S_BOOL:
        return "a boolean";
    case S_INT:
        return "a number";
    case S_STR:
        break;
    }
    return "a string";
}

/* A key of a mapping and its value, as found by get_fields(). */
struct field {
    const char *name;
    const struct node *key;
    const struct node *value;
};

/*
 * n must be a mapping whose keys are among the names of f (nf of them).
 * Fills f[i].key/value for the keys found; reports unknown and duplicate
 * keys.  Returns 0 when n is not a mapping (reported), 1 otherwise.
 */
static int
get_fields(struct ctx *c, const struct node *n, const char *path,
           struct field *f, size_t nf)
{
    char allowed[256] = "", q[QUOTE_MAX * 4 + 16];
    size_t i, j;

    for (j = 0; j < nf; j++) {
        f[j].key = NULL;
        f[j].value = NULL;
    }
    if (n->kind == N_BAD)
        return 0;
    if (n->kind != N_MAP) {
        add_error(c, n->pos, "%s: expected a mapping (keys and values), not %s",
                  path, describe(n));
        return 0;
    }
    for (j = 0; j < nf; j++)
        snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
                 "%s%s", j ? ", " : "", f[j].name);
    for (i = 0; i + 1 < n->n; i += 2) {
        const struct node *k = n->kids[i], *v = n->kids[i + 1];

        if (k->kind == N_BAD)
            continue;
        if (k->kind != N_SCALAR) {
            add_error(c, k->pos, "%s: a key must be a name, not %s", path,
                      describe(k));
            continue;
        }
        for (j = 0; j < nf; j++) {
            if (strcmp(k->text, f[j].name) == 0)
                break;
        }
        quote(k->text, k->len, q, sizeof(q));
        if (j == nf) {
            add_error(c, k->pos, "%s: unknown key '%s' (allowed: %s)", path, q,
                      allowed);
        } else if (f[j].key != NULL) {
            add_error(c, k->pos,
                      "%s: duplicate key '%s' (first at line %u, column %u)",
                      path, q, f[j].key->pos.line, f[j].key->pos.column);
        } else {
            f[j].key = k;
            f[j].value = v;
        }
    }
    return 1;
}

/* The text of a string value (borrowed), or NULL (reported). */
static const char *
get_string(struct ctx *c, const struct node *v, const char *path)
{
    if (v->kind == N_BAD)
        return NULL;
    /* Plain numbers and booleans are taken as their text: an account may
     * well be called 1234. */
    if (v->kind != N_SCALAR || v->skind == S_NULL) {
        add_error(c, v->pos, "%s: expected a string, not %s", path,
                  describe(v));
        return NULL;
    }
    return v->text;
}

/* One of the words of names (NULL-terminated) for an enumerated value; its
 * index, or -1 (reported). */
static int
get_word(struct ctx *c, const struct node *v, const char *path,
         const char *const *names, const char *expected)
{
    const char *s = get_string(c, v, path);
    char q[QUOTE_MAX * 4 + 16];
    int i;

    if (s == NULL)
        return -1;
    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(s, names[i]) == 0)
            return i;
    }
    quote(v->text, v->len, q, sizeof(q));
    add_error(c, v->pos, "%s: '%s' is not %s", path, q, expected);
    return -1;
}

/* A boolean: only plain true and false.  1, 0, or -1 (reported). */
static int
get_bool(struct ctx *c, const struct node *v, const char *path)
{
    char q[QUOTE_MAX * 4 + 16];

    if (v->kind == N_BAD)
        return -1;
    if (v->kind == N_SCALAR && v->skind == S_BOOL)
        return strcmp(v->text, "true") == 0;
    if (v->kind != N_SCALAR || v->skind == S_NULL) {
        add_error(c, v->pos, "%s: expected true or false, not %s", path,
                  describe(v));
        return -1;
    }
    quote(v->text, v->len, q, sizeof(q));
    if (!v->plain)
        add_error(c, v->pos,
                  "%s: expected true or false, not the string '%s' (write "
                  "it without quotes)",
                  path, q);
    else
        add_error(c, v->pos,
                  "%s: expected true or false, not '%s' (booleans are "
                  "written true or false only)",
                  path, q);
    return -1;
}

/* The items of l as sorted keys (without regard to case when nocase),
 * for finding repeats and overlaps by sorting (a list can hold a million
 * values: no pairwise comparison). */
static int
list_keys(const struct adkcd_sf_list *l, int nocase, struct adkcd_keys *out)
{
    size_t i;

    out->nocase = nocase;
    for (i = 0; i < l->n; i++) {
        if (adkcd_keys_add(out, l->v[i].text, strlen(l->v[i].text), i) != 0)
            return -1;
    }
    adkcd_keys_sort(out);
    return 0;
}

/* Refuse repeats in l: without regard to case (nocase), or byte for byte. */
static void
check_repeats(struct ctx *c, struct adkcd_sf_list *l, const char *path,
              int nocase, const char *what)
{
    struct adkcd_keys keys = {NULL, 0, 0, 0};
    char q[QUOTE_MAX * 4 + 16];
    size_t i, run = 0;

    if (list_keys(l, nocase, &keys) != 0) {
        c->nomem = 1;
        adkcd_keys_clear(&keys);
        return;
    }
    for (i = 1; i < keys.n; i++) {
        const struct adkcd_sf_item *first, *again;
        char ipath[PATH_SIZE];

        if (strcmp(keys.v[i].key, keys.v[i - 1].key) != 0) {
            run = i;
            continue;
        }
        /* The earliest of a run of repeats is the one kept. */
        first = &l->v[keys.v[run].i];
        again = &l->v[keys.v[i].i];
        snprintf(ipath, sizeof(ipath), "%s[%zu]", path, keys.v[i].i + 1);
        quote(again->text, strlen(again->text), q, sizeof(q));
        if (nocase)
            add_error(c, again->pos,
                      "%s: '%s' is listed twice (also at line %u, column %u; "
                      "%s compare without regard to case)",
                      ipath, q, first->pos.line, first->pos.column, what);
        else
            add_error(c, again->pos,
                      "%s: '%s' is listed twice (also at line %u, column %u)",
                      ipath, q, first->pos.line, first->pos.column);
    }
    adkcd_keys_clear(&keys);
}

/*
 * Validate and copy a list of SPNs or services.  strict (present): every
 * value is a valid SPN, since it is to be added; otherwise (absent, exact)
 * a value only has to be one a directory can hold, because the directory
 * may hold malformed ones (the DC takes any string in
 * msDS-AllowedToDelegateTo), and an export must be able to say so: a value
 * of an exact list that is to be added is checked when the file is
 * planned.  Likewise spellings that differ only in case are one value in a
 * present list, but may both be held (Samba keeps both), so an exact or
 * absent list refuses only byte-for-byte repeats.
 */
/* What a list holds: SPNs to add (strict), SPNs a directory may hold,
 * or principals (rbcd: account or group names, or SIDs). */
enum list_kind { LIST_SPNS_STRICT, LIST_SPNS, LIST_PRINCIPALS };

static void
get_list(struct ctx *c, const struct node *k, const struct node *v,
         const char *path, struct adkcd_sf_list *l, enum list_kind kind)
{
    int strict = kind == LIST_SPNS_STRICT;
    char ipath[PATH_SIZE], q[QUOTE_MAX * 4 + 16];
    struct adkcd_err e;
    size_t i;

    l->given = 1;
    l->pos = k->pos;
    if (v->kind == N_BAD)
        return;
    if (v->kind != N_SEQ) {
        add_error(c, v->pos,
                  "%s: expected a list of %s ([a, b] or '- a' lines; [] "
                  "for none), not %s",
                  path, kind == LIST_PRINCIPALS ? "principals" : "SPNs",
                  describe(v));
        return;
    }
    if (v->n == 0)
        return;
    l->v = calloc(v->n, sizeof(*l->v));
    if (l->v == NULL) {
        c->nomem = 1;
        return;
    }
    for (i = 0; i < v->n; i++) {
        const struct node *it = v->kids[i];
        const char *s, *p;

        snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i + 1);
        s = get_string(c, it, ipath);
        if (s == NULL)
            continue;
        adkcd_err_clear(&e);
        if (strict && adkcd_spn_check(s, &e) != ADKCD_OK) {
            add_error(c, it->pos, "%s: %s", ipath, e.msg);
            continue;
        }
        if (kind == LIST_PRINCIPALS &&
            adkcd_account_check_name(s, it->len, &e) != ADKCD_OK) {
            add_error(c, it->pos, "%s: %s", ipath, e.msg);
            continue;
        }
        for (p = s; !strict && *p != '\0'; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                break;
        }
        if (!strict && (s[0] == '\0' || *p != '\0')) {
            quote(s, strlen(s), q, sizeof(q));
            add_error(c, it->pos,
                      "%s: '%s' is empty or holds a control character", ipath,
                      q);
            continue;
        }
        l->v[l->n].text = strdup(s);
        if (l->v[l->n].text == NULL) {
            c->nomem = 1;
            return;
        }
        l->v[l->n].pos = it->pos;
        l->n++;
    }
    /* Names of principals compare without regard to case. */
    check_repeats(c, l, path, strict || kind == LIST_PRINCIPALS,
                  kind == LIST_PRINCIPALS ? "names" : "SPNs");
}

/* "spns", "delegation.services" or "rbcd" (principals). */
static void
get_set(struct ctx *c, const struct node *k, const struct node *v,
        const char *path, struct adkcd_sf_set *s, int principals)
{
    struct field f[] = {{"present"}, {"absent"}, {"exact"}};
    char sub[PATH_SIZE], q[QUOTE_MAX * 4 + 16];
    struct adkcd_keys keys = {NULL, 0, 0, 1};
    size_t i, j;

    s->given = 1;
    s->pos = k->pos;
    if (!get_fields(c, v, path, f, 3))
        return;
    if (f[0].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.present", path);
        get_list(c, f[0].key, f[0].value, sub, &s->present,
                 principals ? LIST_PRINCIPALS : LIST_SPNS_STRICT);
    }
    if (f[1].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.absent", path);
        get_list(c, f[1].key, f[1].value, sub, &s->absent,
                 principals ? LIST_PRINCIPALS : LIST_SPNS);
    }
    if (f[2].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.exact", path);
        get_list(c, f[2].key, f[2].value, sub, &s->exact,
                 principals ? LIST_PRINCIPALS : LIST_SPNS);
        if (f[0].key != NULL || f[1].key != NULL)
            add_error(c, f[2].key->pos,
                      "%s: exact cannot be combined with present or absent "
                      "(exact is the whole list: put every value in it)",
                      sub);
    }
    /* present and absent of the same value: which one is meant? */
    if (list_keys(&s->present, 1, &keys) != 0)
        c->nomem = 1;
    for (i = 0; !c->nomem && i < s->absent.n; i++) {
        size_t at = adkcd_keys_first(&keys, s->absent.v[i].text);

        if (at == keys.n)
            continue;
        j = keys.v[at].i;
        quote(s->absent.v[i].text, strlen(s->absent.v[i].text), q, sizeof(q));
        add_error(c, s->absent.v[i].pos,
                  "%s.absent[%zu]: '%s' is also present (line %u, column "
                  "%u): keep it in one list",
                  path, i + 1, q, s->present.v[j].pos.line,
                  s->present.v[j].pos.column);
    }
    adkcd_keys_clear(&keys);
}

static void
get_deleg(struct ctx *c, const struct node *k, const struct node *v,
          const char *path, struct adkcd_sf_deleg *d)
{
    static const char *const modes[] = {"none", "unconstrained", "constrained",
                                        NULL};
    struct field f[] = {{"mode"}, {"protocol_transition"}, {"services"}};
    char sub[PATH_SIZE];
    const struct adkcd_sf_set *s = &d->services;
    int r, wants_services;

    d->given = 1;
    d->pos = k->pos;
    if (!get_fields(c, v, path, f, 3))
        return;
    if (f[0].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.mode", path);
        r = get_word(c, f[0].value, sub, modes,
                     "a delegation mode (none, unconstrained or "
                     "constrained)");
        /* The enum's values are in the order of modes[]. */
        if (r >= 0) {
            d->mode_given = 1;
            d->mode = (enum adkcd_deleg_mode)r;
            d->mode_pos = f[0].key->pos;
        }
    }
    if (f[1].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.protocol_transition", path);
        r = get_bool(c, f[1].value, sub);
        if (r >= 0) {
            d->pt = r ? ADKCD_PT_ANY : ADKCD_PT_KERBEROS;
            d->pt_pos = f[1].key->pos;
        }
    }
    if (f[2].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.services", path);
        get_set(c, f[2].key, f[2].value, sub, &d->services, 0);
    }
    /* A delegation that contradicts itself, as "adkcd set" refuses it. */
    wants_services = s->present.n > 0 || s->exact.n > 0;
    if (d->mode_given && d->mode != ADKCD_DELEG_CONSTRAINED) {
        if (wants_services)
            add_error(c, s->pos,
                      "%s.services: mode %s delegates to no list of "
                      "services: use mode constrained, or list services "
                      "under absent only",
                      path, adkcd_deleg_mode_name(d->mode));
        if (d->pt == ADKCD_PT_ANY)
            add_error(c, d->pt_pos,
                      "%s.protocol_transition: true needs mode constrained "
                      "(mode %s clears it)",
                      path, adkcd_deleg_mode_name(d->mode));
    } else if (s->exact.given && s->exact.n == 0) {
        if (d->mode_given)
            add_error(c, s->exact.pos,
                      "%s.services.exact: [] with mode constrained: "
                      "constrained delegation needs at least one service "
                      "(use mode none for no delegation)",
                      path);
        else if (d->pt == ADKCD_PT_ANY)
            add_error(c, d->pt_pos,
                      "%s.protocol_transition: true with services exact: "
                      "[]: protocol transition needs constrained "
                      "delegation to at least one service",
                      path);
    }
}

static void
get_account(struct ctx *c, const struct node *n, const char *path,
            struct adkcd_sf_account *a)
{
    static const char *const types[] = {"computer", "user", NULL};
    struct field f[] = {
        {"account"}, {"type"}, {"spns"}, {"delegation"}, {"rbcd"}};
    char sub[PATH_SIZE];
    struct adkcd_err e;
    const char *s;
    int r;

    a->pos = n->pos;
    if (!get_fields(c, n, path, f, 5))
        return;
    if (f[0].key == NULL) {
        add_error(c, n->pos,
                  "%s: 'account' is missing (the account's name: NAME, "
                  "NAME$, DOMAIN\\NAME, a UPN, a DN, <GUID=...> or "
                  "<SID=...>)",
                  path);
    } else {
        snprintf(sub, sizeof(sub), "%s.account", path);
        s = get_string(c, f[0].value, sub);
        adkcd_err_clear(&e);
        if (s != NULL &&
            adkcd_account_check_name(s, f[0].value->len, &e) != ADKCD_OK) {
            add_error(c, f[0].value->pos, "%s: %s", sub, e.msg);
        } else if (s != NULL) {
            a->name = strdup(s);
            if (a->name == NULL)
                c->nomem = 1;
            a->name_pos = f[0].value->pos;
        }
    }
    if (f[1].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.type", path);
        r = get_word(c, f[1].value, sub, types,
                     "an account type (computer or user)");
        if (r >= 0) {
            a->kind = r == 0 ? ADKCD_ACCOUNT_COMPUTER : ADKCD_ACCOUNT_USER;
            a->kind_pos = f[1].key->pos;
        }
    }
    if (f[2].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.spns", path);
        get_set(c, f[2].key, f[2].value, sub, &a->spns, 0);
    }
    if (f[3].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.delegation", path);
        get_deleg(c, f[3].key, f[3].value, sub, &a->deleg);
    }
    if (f[4].key != NULL) {
        snprintf(sub, sizeof(sub), "%s.rbcd", path);
        get_set(c, f[4].key, f[4].value, sub, &a->rbcd, 1);
    }
}

/* An SPN wanted by an account, for the check across accounts. */
struct wanted {
    const char *text;
    struct adkcd_sf_pos pos;
    size_t acct;
};

static int
cmp_wanted(const void *a, const void *b)
{
    const struct wanted *x = a, *y = b;
    int r = strcasecmp(x->text, y->text);

    if (r != 0)
        return r;
    /* Then in file order, so that the first holder is reported first. */
    return x->acct < y->acct ? -1 : x->acct > y->acct;
}

static int
cmp_acct_ptr(const void *a, const void *b)
{
    const struct adkcd_sf_account *x =
        *(const struct adkcd_sf_account *const *)a;
    const struct adkcd_sf_account *y =
        *(const struct adkcd_sf_account *const *)b;
    int r;

    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    r = strcasecmp(x->name, y->name);
    if (r != 0)
        return r;
    return x < y ? -1 : x > y;
}

/*
 * The checks across accounts: the same account twice (the same name
 * without regard to case, and the same type; other spellings of one
 * account are found only once resolved), and an SPN wanted (present or
 * exact) by two accounts.  Sorting keeps this O(n log n) for large files.
 */
static void
check_across(struct ctx *c, const struct adkcd_statefile *sf)
{
    const struct adkcd_sf_account **by_name = NULL;
    struct wanted *w = NULL;
    char q[QUOTE_MAX * 4 + 16];
    size_t i, j, n = 0, nw = 0;

    if (sf->n_accounts == 0)
        return;
    by_name = calloc(sf->n_accounts, sizeof(*by_name));
    if (by_name == NULL)
        goto nomem;
    for (i = 0; i < sf->n_accounts; i++) {
        const struct adkcd_sf_set *s = &sf->accounts[i].spns;

        if (sf->accounts[i].name != NULL)
            by_name[n++] = &sf->accounts[i];
        nw += s->present.n + s->exact.n;
    }
    qsort(by_name, n, sizeof(*by_name), cmp_acct_ptr);
    for (i = 1; i < n; i++) {
        const struct adkcd_sf_account *a = by_name[i], *first = by_name[i - 1];

        if (a->kind != first->kind || strcasecmp(a->name, first->name) != 0)
            continue;
        /* Report against the first entry of the run. */
        for (j = i - 1; j > 0 && by_name[j - 1]->kind == a->kind &&
                        strcasecmp(by_name[j - 1]->name, a->name) == 0;
             j--)
            ;
        first = by_name[j];
        quote(a->name, strlen(a->name), q, sizeof(q));
        add_error(c, a->name_pos,
                  "accounts[%zu]: account '%s' is already at accounts[%zu] "
                  "(line %u): merge the two entries",
                  (size_t)(a - sf->accounts) + 1, q,
                  (size_t)(first - sf->accounts) + 1, first->name_pos.line);
    }
    if (nw > 0) {
        w = calloc(nw, sizeof(*w));
        if (w == NULL)
            goto nomem;
        nw = 0;
        for (i = 0; i < sf->n_accounts; i++) {
            const struct adkcd_sf_set *s = &sf->accounts[i].spns;
            const struct adkcd_sf_list *lists[] = {&s->present, &s->exact};

            for (n = 0; n < 2; n++) {
                for (j = 0; j < lists[n]->n; j++) {
                    w[nw].text = lists[n]->v[j].text;
                    w[nw].pos = lists[n]->v[j].pos;
                    w[nw].acct = i;
                    nw++;
                }
            }
        }
        qsort(w, nw, sizeof(*w), cmp_wanted);
        for (i = 1, j = 0; i < nw; i++) {
            if (strcasecmp(w[i].text, w[j].text) != 0) {
                j = i;
                continue;
            }
            if (w[i].acct == w[j].acct)
                continue;
            quote(w[i].text, strlen(w[i].text), q, sizeof(q));
            add_error(c, w[i].pos,
                      "accounts[%zu].spns: '%s' is also wanted by "
                      "accounts[%zu] (line %u, column %u): an SPN belongs to "
                      "one account",
                      w[i].acct + 1, q, w[j].acct + 1, w[j].pos.line,
                      w[j].pos.column);
        }
    }
    free(by_name);
    free(w);
    return;
nomem:
    free(by_name);
    free(w);
    c->nomem = 1;
}

static void
get_root(struct ctx *c, const struct node *root, struct adkcd_statefile *sf)
{
    static const char *const checks[] = {"forest", "domain", "none", NULL};
    struct field f[] = {{"version"}, {"spn_check"}, {"accounts"}};
    const struct node *v;
    char path[PATH_SIZE], q[QUOTE_MAX * 4 + 16];
    size_t i;
    int r;

    if (!get_fields(c, root, "the file", f, 3))
        return;
    v = f[0].value;
    if (f[0].key == NULL) {
        add_error(c, root->pos,
                  "version is missing: start the file with "
                  "'version: 1'");
    } else if (v->kind == N_SCALAR && v->skind == S_INT &&
               strcmp(v->text, "1") == 0) {
        sf->version = 1;
    } else if (v->kind == N_SCALAR && v->skind == S_INT) {
        quote(v->text, v->len, q, sizeof(q));
        add_error(c, v->pos,
                  "version: unsupported version %s (this adkcd reads version "
                  "1)",
                  q);
    } else if (v->kind != N_BAD) {
        add_error(c, v->pos, "version: expected the number 1, not %s",
                  describe(v));
    }
    if (f[1].key != NULL) {
        r = get_word(c, f[1].value, "spn_check", checks,
                     "an SPN check (forest, domain or none)");
        if (r >= 0) {
            sf->spn_check_given = 1;
            sf->spn_check = (enum adkcd_sf_spn_check)r;
            sf->spn_check_pos = f[1].key->pos;
        }
    }
    v = f[2].value;
    if (f[2].key == NULL) {
        add_error(c, root->pos,
                  "accounts is missing: list the accounts under "
                  "'accounts:' ([] for none)");
        return;
    }
    sf->accounts_pos = f[2].key->pos;
    if (v->kind == N_BAD)
        return;
    if (v->kind != N_SEQ) {
        add_error(c, v->pos,
                  "accounts: expected a list of accounts ('- account: "
                  "NAME' lines), not %s",
                  describe(v));
        return;
    }
    if (v->n == 0)
        return;
    sf->accounts = calloc(v->n, sizeof(*sf->accounts));
    if (sf->accounts == NULL) {
        c->nomem = 1;
        return;
    }
    sf->n_accounts = v->n;
    for (i = 0; i < v->n && !c->nomem; i++) {
        snprintf(path, sizeof(path), "accounts[%zu]", i + 1);
        get_account(c, v->kids[i], path, &sf->accounts[i]);
    }
    if (!c->nomem)
        check_across(c, sf);
}

/* Errors in file order (stable: those found at one place keep theirs). */
static void
sort_errors(struct adkcd_sf_errors *e)
{
    size_t i, j;

    for (i = 1; i < e->n; i++) {
        struct adkcd_sf_error x = e->v[i];

        for (j = i; j > 0 && (e->v[j - 1].pos.line > x.pos.line ||
                              (e->v[j - 1].pos.line == x.pos.line &&
                               e->v[j - 1].pos.column > x.pos.column));
             j--)
            e->v[j] = e->v[j - 1];
        e->v[j] = x;
    }
}

void
adkcd_sf_errors_free(struct adkcd_sf_errors *errs)
{
    size_t i;

    if (errs == NULL)
        return;
    for (i = 0; i < errs->n; i++)
        free(errs->v[i].msg);
    free(errs->v);
    free(errs);
}

static void
list_free(struct adkcd_sf_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void
set_free(struct adkcd_sf_set *s)
{
    list_free(&s->present);
    list_free(&s->absent);
    list_free(&s->exact);
}

void
adkcd_statefile_free(struct adkcd_statefile *sf)
{
    size_t i;

    if (sf == NULL)
        return;
    for (i = 0; i < sf->n_accounts; i++) {
        free(sf->accounts[i].name);
        set_free(&sf->accounts[i].spns);
        set_free(&sf->accounts[i].deleg.services);
        set_free(&sf->accounts[i].rbcd);
    }
    free(sf->accounts);
    free(sf);
}

adkcd_status
adkcd_statefile_parse(const char *text, size_t len,
                      struct adkcd_statefile **sf_out,
                      struct adkcd_sf_errors **errs_out, struct adkcd_err *err)
{
    struct ctx c = {0};
    struct adkcd_statefile *sf = NULL;
    struct node *root = NULL;
    adkcd_status st = ADKCD_OK;
    size_t bad;
    int is_nul;

    *sf_out = NULL;
    *errs_out = NULL;
    c.errs = calloc(1, sizeof(*c.errs));
    sf = calloc(1, sizeof(*sf));
    if (c.errs == NULL || sf == NULL)
        goto nomem;
    if (text == NULL || len == 0) {
        text = "";
        len = 0;
    }
    if (len > ADKCD_SF_MAX_BYTES) {
        struct adkcd_sf_pos p = {1, 1};

        add_error(&c, p, "the file is larger than %u bytes",
                  ADKCD_SF_MAX_BYTES);
    } else {
        bad = check_utf8(text, len, &is_nul);
        if (bad < len)
            add_error(&c, offset_pos(text, len, bad),
                      is_nul ? "a NUL byte: a state file is text"
                             : "invalid UTF-8 (byte 0x%02x): a state file is "
                               "UTF-8 text",
                      (unsigned char)text[bad]);
        else
            root = build_tree(&c, text, len);
    }
    if (root != NULL && !c.nomem)
        get_root(&c, root, sf);
    node_free(root);
    if (c.nomem)
        goto nomem;
    if (c.errs->n > 0 || c.errs->more > 0) {
        size_t total = c.errs->n + c.errs->more;

        sort_errors(c.errs);
        st = adkcd_err_set(err, ADKCD_E_USAGE,
                           "the state file has %zu error%s; the first, at "
                           "line %u, column %u: %s",
                           total, total == 1 ? "" : "s", c.errs->v[0].pos.line,
                           c.errs->v[0].pos.column, c.errs->v[0].msg);
        adkcd_statefile_free(sf);
        *errs_out = c.errs;
        return st;
    }
    adkcd_sf_errors_free(c.errs);
    *sf_out = sf;
    return ADKCD_OK;
nomem:
    adkcd_sf_errors_free(c.errs);
    adkcd_statefile_free(sf);
    return NOMEM(err);
}

/* ------------------------------------------------------------------ */
/* Construction (export)                                              */
/* ------------------------------------------------------------------ */

const char *
adkcd_sf_spn_check_name(enum adkcd_sf_spn_check check)
{
    switch (check) {
    case ADKCD_SF_CHECK_FOREST:
        break;
    case ADKCD_SF_CHECK_DOMAIN:
        return "domain";
    case ADKCD_SF_CHECK_NONE:
        return "none";
    }
    return "forest";
}

adkcd_status
adkcd_statefile_new(struct adkcd_statefile **sf_out, struct adkcd_err *err)
{
    struct adkcd_statefile *sf = calloc(1, sizeof(*sf));

    *sf_out = NULL;
    if (sf == NULL)
        return NOMEM(err);
    sf->version = 1;
    *sf_out = sf;
    return ADKCD_OK;
}

adkcd_status
adkcd_statefile_add_account(struct adkcd_statefile *sf, const char *name,
                            enum adkcd_account_kind kind,
                            struct adkcd_sf_account **acct_out,
                            struct adkcd_err *err)
{
    struct adkcd_sf_account *v;
    char *copy;

    *acct_out = NULL;
    copy = strdup(name);
    if (copy == NULL)
        return NOMEM(err);
    v = realloc(sf->accounts, (sf->n_accounts + 1) * sizeof(*v));
    if (v == NULL) {
        free(copy);
        return NOMEM(err);
    }
    sf->accounts = v;
    v += sf->n_accounts++;
    memset(v, 0, sizeof(*v));
    v->name = copy;
    v->kind = kind;
    *acct_out = v;
    return ADKCD_OK;
}

adkcd_status
adkcd_sf_list_set(struct adkcd_sf_list *list, char *const *values,
                  struct adkcd_err *err)
{
    size_t i, n = adkcd_strv_len(values);
    struct adkcd_sf_item *v = NULL;

    if (n > 0) {
        v = calloc(n, sizeof(*v));
        if (v == NULL)
            return NOMEM(err);
    }
    for (i = 0; i < n; i++) {
        v[i].text = strdup(values[i]);
        if (v[i].text == NULL) {
            while (i-- > 0)
                free(v[i].text);
            free(v);
            return NOMEM(err);
        }
    }
    list_free(list);
    list->v = v;
    list->n = n;
    list->given = 1;
    return ADKCD_OK;
}

/* ------------------------------------------------------------------ */
/* The writer                                                         */
/* ------------------------------------------------------------------ */

static int
write_to_buf(void *data, unsigned char *buffer, size_t size)
{
    struct buf *b = data;
    char *s = strndup((const char *)buffer, size);

    /* buffer is not NUL-terminated, and holds no NUL (values have none). */
    if (s == NULL) {
        b->failed = 1;
        return 0;
    }
    buf_puts(b, s);
    free(s);
    return !b->failed;
}

/*
 * Would a plain s be read back as something other than this string (null,
 * a boolean, in YAML 1.1 too, or a number)?  Then it is quoted, so that
 * other YAML readers see a string as well.
 */
static int
needs_quotes(const char *s)
{
    static const char *const words[] = {
        "y",    "Y",     "yes",   "Yes",   "YES", "n",   "N",   "no",   "No",
        "NO",   "on",    "On",    "ON",    "off", "Off", "OFF", "true", "True",
        "TRUE", "false", "False", "FALSE", "<<",  "=",   NULL};
    size_t i;

    if (is_null_text(s))
        return 1;
    for (i = 0; words[i] != NULL; i++) {
        if (strcmp(s, words[i]) == 0)
            return 1;
    }
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '.')
        s++;
    return (*s >= '0' && *s <= '9') || strncasecmp(s, "inf", 3) == 0 ||
           strncasecmp(s, "nan", 3) == 0;
}

struct emitter {
    yaml_emitter_t e;
    int failed;
};

/* Emit a scalar: a string value (quoted when it needs it) or, with
 * is_word, a key or a word of the format. */
static void
emit_scalar(struct emitter *em, const char *s, int is_word)
{
    yaml_event_t ev;
    int plain_ok = is_word || !needs_quotes(s);

    if (em->failed)
        return;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
                                      (int)strlen(s), plain_ok, 1,
                                      YAML_ANY_SCALAR_STYLE) ||
        !yaml_emitter_emit(&em->e, &ev))
        em->failed = 1;
}

static void
emit_start(struct emitter *em, int seq)
{
    yaml_event_t ev;
    int ok;

    if (em->failed)
        return;
    if (seq)
        ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                  YAML_BLOCK_SEQUENCE_STYLE);
    else
        ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                 YAML_BLOCK_MAPPING_STYLE);
    if (!ok || !yaml_emitter_emit(&em->e, &ev))
        em->failed = 1;
}

static void
emit_end(struct emitter *em, int seq)
{
    yaml_event_t ev;
    int ok;

    if (em->failed)
        return;
    ok = seq ? yaml_sequence_end_event_initialize(&ev)
             : yaml_mapping_end_event_initialize(&ev);
    if (!ok || !yaml_emitter_emit(&em->e, &ev))
        em->failed = 1;
}

static void
emit_list(struct emitter *em, const char *key, const struct adkcd_sf_list *l)
{
    size_t i;

    if (!l->given)
        return;
    emit_scalar(em, key, 1);
    emit_start(em, 1);
    for (i = 0; i < l->n; i++)
        emit_scalar(em, l->v[i].text, 0);
    emit_end(em, 1);
}

static void
emit_set(struct emitter *em, const char *key, const struct adkcd_sf_set *s)
{
    if (!s->given)
        return;
    emit_scalar(em, key, 1);
    emit_start(em, 0);
    emit_list(em, "present", &s->present);
    emit_list(em, "absent", &s->absent);
    emit_list(em, "exact", &s->exact);
    emit_end(em, 0);
}

static void
emit_account(struct emitter *em, const struct adkcd_sf_account *a)
{
    const struct adkcd_sf_deleg *d = &a->deleg;

    emit_start(em, 0);
    emit_scalar(em, "account", 1);
    emit_scalar(em, a->name != NULL ? a->name : "", 0);
    if (a->kind != ADKCD_ACCOUNT_ANY) {
        emit_scalar(em, "type", 1);
        emit_scalar(em, a->kind == ADKCD_ACCOUNT_COMPUTER ? "computer" : "user",
                    1);
    }
    emit_set(em, "spns", &a->spns);
    if (d->given) {
        emit_scalar(em, "delegation", 1);
        emit_start(em, 0);
        if (d->mode_given) {
            emit_scalar(em, "mode", 1);
            emit_scalar(em, adkcd_deleg_mode_name(d->mode), 1);
        }
        if (d->pt != ADKCD_PT_KEEP) {
            emit_scalar(em, "protocol_transition", 1);
            emit_scalar(em, d->pt == ADKCD_PT_ANY ? "true" : "false", 1);
        }
        emit_set(em, "services", &d->services);
        emit_end(em, 0);
    }
    emit_set(em, "rbcd", &a->rbcd);
    emit_end(em, 0);
}

adkcd_status
adkcd_statefile_write(const struct adkcd_statefile *sf, char **text_out,
                      struct adkcd_err *err)
{
    struct emitter em = {0};
    struct buf b = {0};
    yaml_event_t ev;
    char version[32];
    size_t i;
    char *text;

    *text_out = NULL;
    if (!yaml_emitter_initialize(&em.e))
        return NOMEM(err);
    yaml_emitter_set_output(&em.e, write_to_buf, &b);
    yaml_emitter_set_unicode(&em.e, 1); /* names as they are, not \u */
    yaml_emitter_set_width(&em.e, -1);  /* no folding of long values */
    yaml_emitter_set_indent(&em.e, 2);
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) ||
        !yaml_emitter_emit(&em.e, &ev) ||
        !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) ||
        !yaml_emitter_emit(&em.e, &ev))
        em.failed = 1;
    emit_start(&em, 0);
    emit_scalar(&em, "version", 1);
    snprintf(version, sizeof(version), "%d", sf->version ? sf->version : 1);
    emit_scalar(&em, version, 1);
    if (sf->spn_check_given) {
        emit_scalar(&em, "spn_check", 1);
        emit_scalar(&em, adkcd_sf_spn_check_name(sf->spn_check), 1);
    }
    emit_scalar(&em, "accounts", 1);
    emit_start(&em, 1);
    for (i = 0; i < sf->n_accounts && !em.failed; i++)
        emit_account(&em, &sf->accounts[i]);
    emit_end(&em, 1);
    emit_end(&em, 0);
    if (!em.failed && (!yaml_document_end_event_initialize(&ev, 1) ||
                       !yaml_emitter_emit(&em.e, &ev) ||
                       !yaml_stream_end_event_initialize(&ev) ||
                       !yaml_emitter_emit(&em.e, &ev)))
        em.failed = 1;
    if (em.failed) {
        adkcd_status st;

        if (em.e.error == YAML_MEMORY_ERROR || b.failed)
            st = NOMEM(err);
        else
            st = adkcd_err_set(
                err, ADKCD_E_INVALID, "cannot write the state file%s%s: %s",
                i > 0 ? " at account " : "",
                i > 0 && sf->accounts[i - 1].name ? sf->accounts[i - 1].name
                                                  : "",
                em.e.problem ? em.e.problem : "emitter error");
        yaml_emitter_delete(&em.e);
        free(buf_take(&b));
        return st;
    }
    yaml_emitter_delete(&em.e);
    text = buf_take(&b);
    if (text == NULL)
        return NOMEM(err);
    *text_out = text;
    return ADKCD_OK;
}

/* ------------------------------------------------------------------ */
/* The desired state                                                  */
/* ------------------------------------------------------------------ */

/* The texts of a list as a new strv (never NULL unless out of memory). */
static char **
list_strv(const struct adkcd_sf_list *l)
{
    char **v = calloc(1, sizeof(*v));
    size_t i;

    for (i = 0; v != NULL && i < l->n; i++) {
        if (adkcd_strv_add(&v, l->v[i].text) != 0) {
            adkcd_strv_free(v);
            return NULL;
        }
    }
    return v;
}

/* An empty strv (not NULL), or NULL when out of memory. */
static char **
strv_empty(void)
{
    return calloc(1, sizeof(char *));
}

adkcd_status
adkcd_statefile_spns_desired(char *const *current,
                             const struct adkcd_sf_set *spns, char ***want_out,
                             int *changed_out, struct adkcd_err *err)
{
    size_t i, j, n_cur = adkcd_strv_len(current);
    char **want = NULL;
    int changed = 0;
    char *keep = NULL;

    *want_out = NULL;
    *changed_out = 0;
    if (spns == NULL || !spns->given) {
        want = adkcd_strv_dup(current);
        if (want == NULL)
            return NOMEM(err);
        *want_out = want;
        return ADKCD_OK;
    }
    want = strv_empty();
    keep = calloc(n_cur + 1, 1);
    if (want == NULL || keep == NULL)
        goto nomem;
    if (spns->exact.given) {
        /* For each value of the list, the stored value that stands for it:
         * one spelled the same, else the first spelled otherwise. */
        for (j = 0; j < spns->exact.n; j++) {
            const char *e = spns->exact.v[j].text;
            long hit = -1;

            for (i = 0; i < n_cur && hit < 0; i++) {
                if (!keep[i] && strcmp(current[i], e) == 0)
                    hit = (long)i;
            }
            for (i = 0; i < n_cur && hit < 0; i++) {
                if (!keep[i] && adkcd_spn_equal(current[i], e))
                    hit = (long)i;
            }
            if (hit >= 0)
                keep[hit] = 1;
        }
    } else {
        for (i = 0; i < n_cur; i++) {
            for (j = 0; j < spns->absent.n; j++) {
                if (adkcd_spn_equal(current[i], spns->absent.v[j].text))
                    break;
            }
            keep[i] = j == spns->absent.n;
        }
    }
    for (i = 0; i < n_cur; i++) {
        if (!keep[i]) {
            changed = 1;
            continue;
        }
        if (adkcd_strv_add(&want, current[i]) != 0)
            goto nomem;
    }
    {
        const struct adkcd_sf_list *add =
            spns->exact.given ? &spns->exact : &spns->present;

        for (j = 0; j < add->n; j++) {
            if (adkcd_strv_find_nocase(want, add->v[j].text) >= 0)
                continue;
            if (adkcd_strv_add(&want, add->v[j].text) != 0)
                goto nomem;
            changed = 1;
        }
    }
    free(keep);
    *want_out = want;
    *changed_out = changed;
    return ADKCD_OK;
nomem:
    free(keep);
    adkcd_strv_free(want);
    return NOMEM(err);
}

/* cur plus add minus del, without regard to case, keeping the stored
 * spelling (a new strv, never NULL unless out of memory). */
static char **
merge_services(char *const *cur, const struct adkcd_sf_list *add,
               const struct adkcd_sf_list *del)
{
    char **v = strv_empty();
    size_t i, j;

    for (i = 0; v != NULL && cur != NULL && cur[i] != NULL; i++) {
        for (j = 0; j < del->n; j++) {
            if (adkcd_spn_equal(cur[i], del->v[j].text))
                break;
        }
        if (j < del->n || adkcd_strv_find_nocase(v, cur[i]) >= 0)
            continue;
        if (adkcd_strv_add(&v, cur[i]) != 0)
            goto nomem;
    }
    for (j = 0; v != NULL && j < add->n; j++) {
        if (adkcd_strv_find_nocase(v, add->v[j].text) >= 0)
            continue;
        if (adkcd_strv_add(&v, add->v[j].text) != 0)
            goto nomem;
    }
    return v;
nomem:
    adkcd_strv_free(v);
    return NULL;
}

/* One step: *d becomes what req asks of it. */
static adkcd_status
step(struct adkcd_deleg *d, const struct adkcd_deleg_request *req,
     struct adkcd_err *err)
{
    struct adkcd_deleg next = {0};
    adkcd_status st = adkcd_deleg_desired(d, req, &next, err);

    if (st != ADKCD_OK)
        return st;
    adkcd_deleg_clear(d);
    *d = next;
    return ADKCD_OK;
}

/* Same flags and the same services, spelling included. */
static int
deleg_same(const struct adkcd_deleg *a, const struct adkcd_deleg *b)
{
    size_t i, j, n = adkcd_strv_len(a->services);

    if ((a->uac & ADKCD_DELEG_UAC_MASK) != (b->uac & ADKCD_DELEG_UAC_MASK) ||
        n != adkcd_strv_len(b->services))
        return 0;
    for (i = 0; i < n; i++) {
        for (j = 0; j < n && strcmp(a->services[i], b->services[j]) != 0; j++)
            ;
        if (j == n)
            return 0;
    }
    return 1;
}

adkcd_status
adkcd_statefile_deleg_desired(const struct adkcd_deleg *cur,
                              const struct adkcd_sf_deleg *spec,
                              struct adkcd_deleg *want, int *changed_out,
                              struct adkcd_err *err)
{
    const struct adkcd_sf_set *s;
    struct adkcd_deleg_request req = {0};
    struct adkcd_deleg d = {0};
    char **list = NULL;
    adkcd_status st = ADKCD_OK;
    int pt_done = 0;

    want->uac = 0;
    want->services = NULL;
    *changed_out = 0;
    d.uac = cur->uac;
    d.services = adkcd_strv_dup(cur->services);
    if (d.services == NULL)
        return NOMEM(err);
    if (spec == NULL || !spec->given)
        goto done;
    s = &spec->services;
    if (spec->mode_given && spec->mode != ADKCD_DELEG_CONSTRAINED) {
        /* adkcd set --mode none|unconstrained: both clear protocol
         * transition and the services, so pt false is already meant. */
        req.verb = ADKCD_DELEG_SET;
        req.mode = spec->mode;
        st = step(&d, &req, err);
    } else if (spec->mode_given || (s->exact.given && s->exact.n > 0)) {
        /* adkcd set --mode constrained --services LIST, where LIST is the
         * exact list, or what the account has plus present minus absent. */
        if (s->exact.given)
            list = list_strv(&s->exact);
        else
            list = merge_services(cur->services, &s->present, &s->absent);
        if (list == NULL) {
            st = NOMEM(err);
            goto done;
        }
        if (list[0] == NULL) {
            st = adkcd_err_set(err, ADKCD_E_USAGE,
                               "delegation.mode is constrained but no "
                               "service would be left: list services under "
                               "delegation.services.present, or use mode "
                               "none");
            goto done;
        }
        req.verb = ADKCD_DELEG_SET;
        req.mode = ADKCD_DELEG_CONSTRAINED;
        req.services = list;
        req.services_given = 1;
        req.pt = spec->pt;
        st = step(&d, &req, err);
    } else {
        /* adkcd add, then adkcd remove on its result. */
        if (st == ADKCD_OK && s->present.n > 0) {
            list = list_strv(&s->present);
            if (list == NULL) {
                st = NOMEM(err);
                goto done;
            }
            req.verb = ADKCD_DELEG_ADD;
            req.services = list;
            req.pt = spec->pt;
            st = step(&d, &req, err);
            pt_done = 1;
            adkcd_strv_free(list);
            list = NULL;
        }
        if (st == ADKCD_OK && (s->absent.n > 0 || s->exact.given)) {
            /* exact: [] (alone: with a service it was a SET above) is the
             * removal of every service the account has. */
            list = s->exact.given ? adkcd_strv_dup(d.services)
                                  : list_strv(&s->absent);
            if (list == NULL) {
                st = NOMEM(err);
                goto done;
            }
            memset(&req, 0, sizeof(req));
            req.verb = ADKCD_DELEG_REMOVE;
            req.services = list;
            st = step(&d, &req, err);
        }
        /* protocol_transition alone, or beside absent only: the flag of
         * a constrained account (adkcd set --mode constrained with its
         * services); false clears it on any account. */
        if (st == ADKCD_OK && !pt_done && spec->pt == ADKCD_PT_KERBEROS) {
            d.uac &= ~ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION;
        } else if (st == ADKCD_OK && !pt_done && spec->pt == ADKCD_PT_ANY &&
                   adkcd_deleg_mode_of(&d) == ADKCD_DELEG_CONSTRAINED) {
            adkcd_strv_free(list);
            list = adkcd_strv_dup(d.services);
            if (list == NULL) {
                st = NOMEM(err);
                goto done;
            }
            memset(&req, 0, sizeof(req));
            req.verb = ADKCD_DELEG_SET;
            req.mode = ADKCD_DELEG_CONSTRAINED;
            req.services = list;
            req.services_given = 1;
            req.pt = ADKCD_PT_ANY;
            st = step(&d, &req, err);
        }
    }
    if (st == ADKCD_OK && spec->pt == ADKCD_PT_ANY &&
        adkcd_deleg_mode_of(&d) != ADKCD_DELEG_CONSTRAINED)
        st = adkcd_err_set(err, ADKCD_E_USAGE,
                           "delegation.protocol_transition is true but the "
                           "account would not be constrained (%s): list "
                           "services under delegation.services.present",
                           adkcd_deleg_describe(&d));
done:
    adkcd_strv_free(list);
    if (st != ADKCD_OK) {
        adkcd_deleg_clear(&d);
        return st;
    }
    *changed_out = !deleg_same(cur, &d);
    *want = d;
    return ADKCD_OK;
}
