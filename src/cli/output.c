/* Shared by the front ends: errors, logging, progress and JSON output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adkcd/engine.h"
#include "adkcd/journal.h"
#include "adkcd/utf8.h"
#include <sasl/saslutil.h>
#include <sasl/sasl.h>

#include "common.h"

/* Bumped when a field changes meaning or goes away (docs/json-output.md). */
#define JSON_SCHEMA 1

json_t *
cli_json_doc(const struct cli_common *c, const char *operation)
{
    json_t *doc = json_object();

    json_object_set_new(doc, "schema", json_integer(JSON_SCHEMA));
    json_object_set_new(doc, "tool", cli_json_text(c->tool));
    if (operation != NULL)
        json_object_set_new(doc, "operation", cli_json_text(operation));
    return doc;
}

/* The UTF-8 sequence at s (NUL-terminated) or 0: utf8.h. */
static size_t
utf8_len(const unsigned char *s)
{
    return adkcd_utf8_len(s, (size_t)-1);
}

/*
 * The columns cli_put_safe() takes for s on a terminal: one per character
 * (a UTF-8 sequence of 2 to 4 bytes is one), four for a control byte
 * (\xNN), also for a byte that is not UTF-8, eight for a C1 control.
 * Double-width characters are not measured.
 */
size_t
cli_text_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char shown[9];
    size_t n = 0;

    while (*p != '\0') {
        p += adkcd_text_show(p, shown);
        /* An escape (\xNN) is as wide as it is long; a character, one. */
        n += shown[0] == '\\' && shown[1] == 'x' ? strlen(shown) : 1;
    }
    return n;
}

json_t *
cli_json_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    json_t *j;
    char *esc, *o;
    size_t len;

    if (s == NULL)
        return json_null();
    j = json_string(s);
    if (j != NULL)
        return j;
    /* Not UTF-8: cli_json_text() refuses it (and a NULL would drop the key).
     * Keep the valid sequences and show every other byte as \xNN, as
     * cli_put_safe() shows control bytes. */
    esc = malloc(strlen(s) * 4 + 1);
    if (esc == NULL)
        return json_null();
    for (o = esc; *p != '\0'; p += len) {
        len = utf8_len(p);
        if (len == 0) {
            o += sprintf(o, "\\x%02x", *p);
            len = 1;
        } else {
            memcpy(o, p, len);
            o += len;
        }
    }
    *o = '\0';
    j = json_string(esc);
    free(esc);
    return j != NULL ? j : json_null();
}

json_t *
cli_json_strv(char *const *v)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; v != NULL && v[i] != NULL; i++)
        json_array_append_new(a, cli_json_text(v[i]));
    return a;
}

json_t *
cli_json_vals(const struct adkcd_vals *v)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; v != NULL && i < v->n; i++) {
        const struct adkcd_val *x = &v->v[i];
        /* Text as a string; bytes that are not (a NUL, invalid UTF-8,
         * e.g. a security descriptor) as {"base64": ...}, never dropped. */
        json_t *j = memchr(x->data, '\0', x->len) == NULL
                        ? json_stringn(x->data, x->len)
                        : NULL;

        if (j == NULL) {
            unsigned cap = (unsigned)(x->len / 3 + 2) * 4 + 1, got = 0;
            char *b64 = malloc(cap);

            if (b64 != NULL && sasl_encode64(x->data, (unsigned)x->len, b64,
                                             cap, &got) == SASL_OK)
                j = json_pack("{s:s}", "base64", b64);
            free(b64);
        }
        json_array_append_new(a, j != NULL ? j : json_null());
    }
    return a;
}

json_t *
cli_json_account(const struct adkcd_account *acct)
{
    json_t *o = json_object();

    json_object_set_new(o, "input", cli_json_text(acct->input));
    json_object_set_new(o, "dn", cli_json_text(acct->dn));
    json_object_set_new(o, "sam_account_name", cli_json_text(acct->sam));
    json_object_set_new(o, "object_class",
                        cli_json_text(adkcd_account_class(acct)));
    json_object_set_new(o, "chosen", cli_json_text(acct->how));
    return o;
}

json_t *
cli_json_change_doc(const struct cli_common *c, const char *operation,
                    int changed, const struct adkcd_account *acct)
{
    json_t *doc = cli_json_doc(c, operation);

    json_object_set_new(doc, "changed", json_boolean(changed));
    json_object_set_new(doc, "dry_run", json_boolean(c->dry_run));
    json_object_set_new(doc, "applied", json_boolean(changed && !c->dry_run));
    json_object_set_new(doc, "account", cli_json_account(acct));
    json_object_set_new(doc, "dn", cli_json_text(acct->dn));
    json_object_set_new(doc, "object_class",
                        cli_json_text(adkcd_account_class(acct)));
    return doc;
}

void
cli_json_run(json_t *doc, const struct adkcd_journal *j, const char *path,
             int wrote)
{
    int on = wrote && j != NULL;

    json_object_set_new(doc, "run_id",
                        on ? cli_json_text(adkcd_journal_run_id(j))
                           : json_null());
    json_object_set_new(doc, "journal", on ? cli_json_text(path) : json_null());
}

void
cli_json_print(json_t *doc)
{
    json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    fflush(stdout);
    json_decref(doc);
}

void
cli_put_safe(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char shown[9];

    /* Directory values and server messages can hold any byte (utf8.h). */
    while (*p != '\0') {
        p += adkcd_text_show(p, shown);
        fputs(shown, f);
    }
}

/*
 * The format's own text is written as it is (its newlines and tabs make
 * the lines); each conversion is formatted alone and written as a value,
 * every control byte escaped, so that a value from the directory (a DN, a
 * name, a server's message) can neither drive the terminal nor forge a
 * line.  The conversions of C99's printf are taken (flags, width and
 * precision, "*" included, and the length modifiers); %n is not.
 */
/* spec is a piece of the caller's format, which the compiler checked
 * against the arguments at the call (cli_printf's format attribute). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void
cli_printf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    const char *p = fmt;

    va_start(ap, fmt);
    while (*p != '\0') {
        char spec[32], *big = NULL;
        const char *start = p, *out;
        int width = 0, prec = 0, has_w = 0, has_p = 0, n = 0;
        size_t k = 0;
        enum {
            L_NONE,
            L_HH,
            L_H,
            L_L,
            L_LL,
            L_Z,
            L_J,
            L_T,
            L_BIG
        } len = L_NONE;
        char conv;

        if (*p != '%') {
            fputc(*p++, f);
            continue;
        }
        p++;
        if (*p == '%') {
            fputc('%', f);
            p++;
            continue;
        }
        while (*p != '\0' && strchr("-+ #0", *p) != NULL)
            p++;
        if (*p == '*') {
            has_w = 1;
            width = va_arg(ap, int);
            p++;
        } else
            while (*p >= '0' && *p <= '9')
                p++;
        if (*p == '.') {
            p++;
            if (*p == '*') {
                has_p = 1;
                prec = va_arg(ap, int);
                p++;
            } else
                while (*p >= '0' && *p <= '9')
                    p++;
        }
        if (p[0] == 'h' && p[1] == 'h')
            len = L_HH, p += 2;
        else if (p[0] == 'l' && p[1] == 'l')
            len = L_LL, p += 2;
        else if (*p == 'h')
            len = L_H, p++;
        else if (*p == 'l')
            len = L_L, p++;
        else if (*p == 'z')
            len = L_Z, p++;
        else if (*p == 'j')
            len = L_J, p++;
        else if (*p == 't')
            len = L_T, p++;
        else if (*p == 'L')
            len = L_BIG, p++;
        conv = *p;
        if (conv == '\0' || (size_t)(p - start + 1) >= sizeof(spec))
            break; /* a malformed format: nothing more is written */
        p++;
        /* The conversion alone, its "*"s passed as arguments below. */
        k = (size_t)(p - start);
        memcpy(spec, start, k);
        spec[k] = '\0';
#define ONE(type)                                                              \
    do {                                                                       \
        type v_ = va_arg(ap, type);                                            \
        if (has_w && has_p)                                                    \
            n = asprintf(&big, spec, width, prec, v_);                         \
        else if (has_w)                                                        \
            n = asprintf(&big, spec, width, v_);                               \
        else if (has_p)                                                        \
            n = asprintf(&big, spec, prec, v_);                                \
        else                                                                   \
            n = asprintf(&big, spec, v_);                                      \
    } while (0)
        switch (conv) {
        case 'd':
        case 'i':
        case 'o':
        case 'u':
        case 'x':
        case 'X':
        case 'c':
            switch (len) {
            case L_L:
                ONE(long);
                break;
            case L_LL:
                ONE(long long);
                break;
            case L_Z:
                ONE(size_t);
                break;
            case L_J:
                ONE(intmax_t);
                break;
            case L_T:
                ONE(ptrdiff_t);
                break;
            default: /* char and short are promoted to int */
                ONE(int);
                break;
            }
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
            if (len == L_BIG)
                ONE(long double);
            else
                ONE(double);
            break;
        case 's':
            ONE(const char *);
            break;
        case 'p':
            ONE(void *);
            break;
        default: /* %n and unknown conversions: stop */
            n = -1;
            break;
        }
#undef ONE
        if (n < 0) {
            free(big);
            break;
        }
        out = big;
        cli_put_safe(f, out != NULL ? out : "");
        free(big);
    }
    va_end(ap);
}
#pragma GCC diagnostic pop

const char *
cli_hint_text(const struct cli_common *c, unsigned hint)
{
    int adspn = strcmp(c->tool, "adspn") == 0;

    switch (hint) {
    case ADKCD_HINT_GC:
        return adspn ? "-T DOMAIN searches one domain without the Global "
                       "Catalog"
                     : "run without -F, or give -H a DC that is a Global "
                       "Catalog";
    case ADKCD_HINT_FORCE:
        return adspn ? NULL : "use --force if you really mean it";
    case ADKCD_HINT_FORCE_DRIFT:
        return adspn ? NULL : "--force restores the earlier values anyway";
    case ADKCD_HINT_CREDENTIALS:
        /* verify takes the account's principal from ACCOUNT. */
        return c->principal_from_account
                   ? "give the keys with --keytab FILE or --password-stdin"
                   : "give the keys with --keytab FILE or --password-stdin, "
                     "and the principal with --principal";
    case ADKCD_HINT_PRINCIPAL:
        return "give the principal with --principal (e.g. --principal "
               "'tmg$@REALM')";
    case ADKCD_HINT_IMPERSONATE:
        return adspn ? NULL
                     : "--impersonate takes the user's sAMAccountName or "
                       "UPN";
    case ADKCD_HINT_REGISTER_SPN:
        return adspn ? "register one with -S CLASS/HOST ACCOUNT"
                     : "register one with 'adspn -S CLASS/HOST ACCOUNT'";
    case ADKCD_HINT_SERVER:
        return "give -H ldap://DC or --domain DOMAIN";
    }
    return NULL;
}

void
cli_print_hints(const struct cli_common *c, FILE *f, const char *prefix,
                unsigned hints)
{
    unsigned bit;

    for (bit = ADKCD_HINT_FIRST; bit != 0 && bit <= ADKCD_HINT_LAST;
         bit <<= 1) {
        const char *text = (hints & bit) ? cli_hint_text(c, bit) : NULL;

        if (text != NULL)
            fprintf(f, "%shint: %s\n", prefix, text);
    }
}

json_t *
cli_json_hints(unsigned hints)
{
    json_t *a = json_array();
    unsigned bit;

    for (bit = ADKCD_HINT_FIRST; bit != 0 && bit <= ADKCD_HINT_LAST;
         bit <<= 1) {
        const char *name = (hints & bit) ? adkcd_hint_name(bit) : NULL;

        if (name != NULL)
            json_array_append_new(a, json_string(name));
    }
    return a;
}

int
cli_fail(const struct cli_common *c, const struct adkcd_err *err)
{
    return cli_fail_with(c, err, NULL, NULL);
}

int
cli_fail_with(const struct cli_common *c, const struct adkcd_err *err,
              const char *key, json_t *extra)
{
    int code = cli_exit_code(err->status);
    char prefix[64];

    /* The progress line is the one piece of state in the options, and a
     * message must start on a line of its own. */
    cli_progress_done((struct cli_common *)c);
    fprintf(stderr, "%s: ", c->tool);
    cli_put_safe(stderr,
                 err->msg[0] ? err->msg : adkcd_status_str(err->status));
    fputc('\n', stderr);
    snprintf(prefix, sizeof(prefix), "%s: ", c->tool);
    cli_print_hints(c, stderr, prefix, err->hints);
    if (c->json) {
        json_t *doc = cli_json_doc(c, NULL);
        json_t *e = json_object();

        json_object_set_new(e, "status",
                            cli_json_text(adkcd_status_str(err->status)));
        json_object_set_new(e, "message", cli_json_text(err->msg));
        if (err->ldap_rc != 0)
            json_object_set_new(e, "ldap_code", json_integer(err->ldap_rc));
        if (err->hints != 0)
            json_object_set_new(e, "hints", cli_json_hints(err->hints));
        json_object_set_new(doc, "error", e);
        json_object_set_new(doc, "exit_code", json_integer(code));
        if (key != NULL && extra != NULL) {
            json_object_set_new(doc, key, extra);
            extra = NULL;
        } else if (key == NULL && json_is_object(extra)) {
            /* Several keys at once. */
            json_object_update(doc, extra);
        }
        cli_json_print(doc);
    }
    json_decref(extra);
    return code;
}

int
cli_usage_error(const struct cli_common *c, const char *fmt, ...)
{
    struct adkcd_err err;
    va_list ap;

    adkcd_err_clear(&err);
    va_start(ap, fmt);
    adkcd_err_setv(&err, ADKCD_E_USAGE, fmt, ap);
    va_end(ap);
    cli_fail(c, &err);
    if (!c->json)
        fprintf(stderr, "Try '%s --help'.\n", c->tool);
    return CLI_EXIT_USAGE;
}

void
cli_log(void *ctx, int level, const char *msg)
{
    const struct cli_common *c = ctx;

    if (level > c->verbose)
        return;
    cli_progress_done((struct cli_common *)c);
    fprintf(stderr, "%s: ", c->tool);
    cli_put_safe(stderr, msg);
    fputc('\n', stderr);
}

void
cli_progress_line(struct cli_common *c, const char *fmt, ...)
{
    va_list ap;

    if (c->no_progress || !isatty(STDERR_FILENO))
        return;
    fprintf(stderr, "\r%s: ", c->tool);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
    c->progress_drawn = 1;
}

void
cli_progress(void *ctx, size_t seen)
{
    cli_progress_line(ctx, "%zu SPNs read", seen);
}

void
cli_progress_changes(struct cli_common *c, size_t done, size_t total)
{
    if (total >= 2)
        cli_progress_line(c, "%zu/%zu changes", done, total);
}

void
cli_progress_done(struct cli_common *c)
{
    if (!c->progress_drawn)
        return;
    fputc('\n', stderr);
    c->progress_drawn = 0;
}

void
cli_note_read_differs(const struct cli_common *c, const struct adkcd_plan *plan)
{
    size_t i;

    for (i = 0; plan != NULL && i < plan->n; i++) {
        if (plan->changes[i].applied && plan->changes[i].read_differs)
            fprintf(stderr,
                    "%s: note: %s was changed again by another writer right "
                    "after this change (the change itself was applied)\n",
                    c->tool, plan->changes[i].dn);
    }
}

adkcd_status
cli_print_plan(const struct cli_common *c, const struct adkcd_plan *plan,
               struct adkcd_err *err)
{
    char *text = NULL;
    adkcd_status st = c->ldif ? adkcd_plan_ldif(plan, &text, err)
                              : adkcd_plan_diff(plan, &text, err);

    if (st == ADKCD_OK)
        fputs(text, stdout);
    free(text);
    return st;
}

void
cli_note_read_back(const struct cli_common *c,
                   const struct adkcd_engine_result *res)
{
    if (res->read_back_status == ADKCD_OK)
        return;
    cli_printf(stderr,
               "%s: warning: the changes were applied, but reading them "
               "back failed: %s\n",
               c->tool, res->read_back_msg);
}

json_t *
cli_json_read_back(const struct adkcd_engine_result *res)
{
    return res->read_back_status == ADKCD_OK
               ? json_null()
               : cli_json_text(res->read_back_msg);
}
