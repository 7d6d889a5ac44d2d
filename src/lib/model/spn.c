/* adkcd: service principal names (pure: no LDAP). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/spn.h"
#include "adkcd/strv.h"

/* How much of an SPN a message quotes: enough to recognise it, little
 * enough that the reason after it always fits. */
#define QUOTE_MAX 80

/*
 * The SPN as shown in messages: at most QUOTE_MAX characters, control and
 * non-ASCII bytes as \xNN, so that printing a message can never send
 * escape sequences to a terminal.
 */
static void
quote(const char *text, char *out, size_t size)
{
    size_t i, n = 0;

    for (i = 0; text[i] != '\0' && n + 8 < size; i++) {
        unsigned char c = (unsigned char)text[i];

        if (i == QUOTE_MAX) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (c < 0x20 || c >= 0x7f)
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

static int
is_class_char(unsigned char c)
{
    /* Service classes are short tokens ("http", "MSSQLSvc", or a GUID for
     * DRS replication): letters, digits, '-', '_' and '.'. */
    return isalnum(c) || c == '-' || c == '_' || c == '.';
}

static int
is_host_char(unsigned char c)
{
    /* DNS names and NetBIOS names; '_' appears in _msdcs names. */
    return isalnum(c) || c == '-' || c == '_' || c == '.';
}

static adkcd_status
check_host(const char *q, const char *host, size_t len, struct adkcd_err *err)
{
    size_t i, label = 0;

    if (len == 0)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': the host part is empty", q);
    if (len > ADKCD_SPN_MAX_HOST)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': host name longer than %d "
                             "characters",
                             q, ADKCD_SPN_MAX_HOST);
    if (host[0] == '.' || host[len - 1] == '.')
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': host name must not start or "
                             "end with '.'",
                             q);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)host[i];

        if (!is_host_char(c))
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': character '%c' is not "
                                 "allowed in a host name",
                                 q, c);
        if (c == '-' && (label == 0 || i + 1 == len || host[i + 1] == '.'))
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': a host name label must "
                                 "not start or end with '-'",
                                 q);
        if (c == '.') {
            if (label == 0)
                return adkcd_err_set(err, ADKCD_E_USAGE,
                                     "invalid SPN '%s': empty label ('..') "
                                     "in host name",
                                     q);
            label = 0;
        } else if (++label > 63) {
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': a host name label is "
                                 "longer than 63 characters",
                                 q);
        }
    }
    return ADKCD_OK;
}

static adkcd_status
check_port(const char *q, const char *p, size_t len, unsigned *port,
           struct adkcd_err *err)
{
    unsigned long v = 0;
    size_t i;

    if (len == 0)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': empty port after ':'", q);
    if (isalpha((unsigned char)p[0])) {
        /* Not a port but an instance name, as SQL Server registers for
         * named instances: MSSQLSvc/host:SQLEXPRESS. */
        if (len > 64)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': instance name after ':' "
                                 "longer than 64 characters",
                                 q);
        for (i = 0; i < len; i++) {
            if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-' &&
                p[i] != '$' && p[i] != '#')
                return adkcd_err_set(err, ADKCD_E_USAGE,
                                     "invalid SPN '%s': character '%c' is "
                                     "not allowed in an instance name",
                                     q, p[i]);
        }
        *port = 0;
        return ADKCD_OK;
    }
    if (len > 1 && p[0] == '0')
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': port must not have leading "
                             "zeros (it would not match the same SPN "
                             "without them)",
                             q);
    for (i = 0; i < len; i++) {
        if (!isdigit((unsigned char)p[i]))
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': port must be a number "
                                 "from 1 to 65535 (or an instance name "
                                 "starting with a letter)",
                                 q);
        v = v * 10 + (unsigned long)(p[i] - '0');
        if (v > 65535)
            break;
    }
    if (v < 1 || v > 65535)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': port must be a number from "
                             "1 to 65535",
                             q);
    *port = (unsigned)v;
    return ADKCD_OK;
}

/*
 * Split and validate; when out is non-NULL fill it.  All pointers into text
 * are turned into copies only once everything has been checked.
 */
static adkcd_status
parse(const char *text, struct adkcd_spn *out, struct adkcd_err *err)
{
    const char *slash1, *slash2, *colon, *host_end, *p;
    size_t len, class_len, host_len;
    unsigned port = 0;
    adkcd_status st;
    char q[QUOTE_MAX * 4 + 16];

    if (text == NULL || text[0] == '\0')
        return adkcd_err_set(err, ADKCD_E_USAGE, "invalid SPN: it is empty");
    len = strlen(text);
    quote(text, q, sizeof(q));
    if (len > ADKCD_SPN_MAX_LEN)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': longer than %d characters", q,
                             ADKCD_SPN_MAX_LEN);
    for (p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c >= 0x7f)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': whitespace, control or "
                                 "non-ASCII character at position %zu",
                                 q, (size_t)(p - text) + 1);
        if (c == '@')
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': an SPN has no realm; "
                                 "drop the '@REALM' part",
                                 q);
    }
    slash1 = strchr(text, '/');
    if (slash1 == NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': expected "
                             "class/host[:port][/name]",
                             q);
    slash2 = strchr(slash1 + 1, '/');
    if (slash2 != NULL && strchr(slash2 + 1, '/') != NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': too many '/' (expected "
                             "class/host[:port][/name])",
                             q);
    class_len = (size_t)(slash1 - text);
    if (class_len == 0)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': the service class before "
                             "'/' is empty",
                             q);
    if (class_len > ADKCD_SPN_MAX_CLASS)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': service class longer than "
                             "%d characters",
                             q, ADKCD_SPN_MAX_CLASS);
    if (!isalnum((unsigned char)text[0]))
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': the service class must "
                             "start with a letter or a digit",
                             q);
    for (p = text; p < slash1; p++) {
        if (!is_class_char((unsigned char)*p))
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "invalid SPN '%s': character '%c' is not "
                                 "allowed in a service class",
                                 q, *p);
    }
    host_end = slash2 != NULL ? slash2 : text + len;
    colon = memchr(slash1 + 1, ':', (size_t)(host_end - slash1 - 1));
    host_len = (size_t)((colon != NULL ? colon : host_end) - slash1 - 1);
    st = check_host(q, slash1 + 1, host_len, err);
    if (st != ADKCD_OK)
        return st;
    if (colon != NULL) {
        st = check_port(q, colon + 1, (size_t)(host_end - colon - 1), &port,
                        err);
        if (st != ADKCD_OK)
            return st;
    }
    if (slash2 != NULL && slash2[1] == '\0')
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "invalid SPN '%s': the service name after the "
                             "second '/' is empty",
                             q);
    if (out == NULL)
        return ADKCD_OK;

    out->text = strdup(text);
    out->svc_class = strndup(text, class_len);
    out->host = strndup(slash1 + 1, host_len);
    out->port = port;
    out->name = slash2 != NULL ? strdup(slash2 + 1) : NULL;
    if (out->text == NULL || out->svc_class == NULL || out->host == NULL ||
        (slash2 != NULL && out->name == NULL))
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return ADKCD_OK;
}

adkcd_status
adkcd_spn_check(const char *text, struct adkcd_err *err)
{
    return parse(text, NULL, err);
}

adkcd_status
adkcd_spn_parse(const char *text, struct adkcd_spn **spn_out,
                struct adkcd_err *err)
{
    struct adkcd_spn *spn = NULL;
    adkcd_status st;

    *spn_out = NULL;
    spn = calloc(1, sizeof(*spn));
    if (spn == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    st = parse(text, spn, err);
    if (st != ADKCD_OK) {
        adkcd_spn_free(spn);
        return st;
    }
    *spn_out = spn;
    return ADKCD_OK;
}

void
adkcd_spn_free(struct adkcd_spn *spn)
{
    if (spn == NULL)
        return;
    free(spn->text);
    free(spn->svc_class);
    free(spn->host);
    free(spn->name);
    free(spn);
}

int
adkcd_spn_equal(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

void
adkcd_spn_mappings_free(struct adkcd_spn_mappings *m)
{
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->n; i++) {
        free(m->v[i].target);
        adkcd_strv_free(m->v[i].aliases);
    }
    free(m->v);
    free(m);
}

/* Parse one "target=alias1,alias2,..." value into map. */
static adkcd_status
parse_mapping(const char *value, struct adkcd_spn_mapping *map,
              struct adkcd_err *err)
{
    const char *eq = strchr(value, '=');
    const char *p, *comma;
    char *alias;

    if (eq == NULL || eq == value)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "malformed sPNMappings value '%s' (expected "
                             "target=alias,...)",
                             value);
    map->target = strndup(value, (size_t)(eq - value));
    if (map->target == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    for (p = eq + 1; *p != '\0'; p = comma + 1) {
        comma = strchr(p, ',');
        if (comma == NULL)
            comma = p + strlen(p);
        if (comma > p) {
            alias = strndup(p, (size_t)(comma - p));
            if (alias == NULL || adkcd_strv_add(&map->aliases, alias) != 0) {
                free(alias);
                return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
            }
            free(alias);
        }
        if (*comma == '\0')
            break;
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_spn_mappings_parse(char *const *values, struct adkcd_spn_mappings **out,
                         struct adkcd_err *err)
{
    struct adkcd_spn_mappings *m = NULL;
    size_t n = adkcd_strv_len(values), i;
    adkcd_status st;

    *out = NULL;
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    if (n > 0) {
        m->v = calloc(n, sizeof(*m->v));
        if (m->v == NULL) {
            adkcd_spn_mappings_free(m);
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        }
    }
    for (i = 0; i < n; i++) {
        m->n = i + 1;
        st = parse_mapping(values[i], &m->v[i], err);
        if (st != ADKCD_OK) {
            adkcd_spn_mappings_free(m);
            return st;
        }
    }
    *out = m;
    return ADKCD_OK;
}

/* Add "cls/rest" to *v unless an equal SPN is there already. */
static adkcd_status
add_variant(char ***v, const char *cls, const char *rest, struct adkcd_err *err)
{
    size_t len = strlen(cls) + 1 + strlen(rest) + 1;
    char *s = malloc(len);
    int rc;

    if (s == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    strcpy(s, cls);
    strcat(s, "/");
    strcat(s, rest);
    rc = adkcd_strv_find_nocase(*v, s) >= 0 ? 0 : adkcd_strv_add(v, s);
    free(s);
    if (rc != 0)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return ADKCD_OK;
}

adkcd_status
adkcd_spn_equivalents(const struct adkcd_spn *spn,
                      const struct adkcd_spn_mappings *m, char ***out,
                      struct adkcd_err *err)
{
    char **v = NULL;
    const char *rest = strchr(spn->text, '/') + 1;
    size_t i, j;
    adkcd_status st;

    *out = NULL;
    st = add_variant(&v, spn->svc_class, rest, err);
    for (i = 0; st == ADKCD_OK && m != NULL && i < m->n; i++) {
        const struct adkcd_spn_mapping *map = &m->v[i];

        if (strcasecmp(map->target, spn->svc_class) == 0) {
            /* host/x answers for every alias/x. */
            for (j = 0; st == ADKCD_OK && map->aliases != NULL &&
                        map->aliases[j] != NULL;
                 j++)
                st = add_variant(&v, map->aliases[j], rest, err);
        } else if (adkcd_strv_find_nocase(map->aliases, spn->svc_class) >= 0) {
            /* http/x is answered by host/x. */
            st = add_variant(&v, map->target, rest, err);
        }
    }
    if (st != ADKCD_OK) {
        adkcd_strv_free(v);
        return st;
    }
    *out = v;
    return ADKCD_OK;
}

adkcd_status
adkcd_spn_pattern_check(const char *pattern, struct adkcd_err *err)
{
    char q[QUOTE_MAX * 4 + 16];
    const char *p;

    if (pattern == NULL || pattern[0] == '\0')
        return adkcd_err_set(err, ADKCD_E_USAGE, "empty SPN pattern");
    quote(pattern, q, sizeof(q));
    if (strlen(pattern) > ADKCD_SPN_MAX_LEN)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "SPN pattern '%s' is longer than %d characters", q,
                             ADKCD_SPN_MAX_LEN);
    for (p = pattern; *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "SPN pattern '%s' has a whitespace, control "
                                 "or non-ASCII character at position %zu",
                                 q, (size_t)(p - pattern) + 1);
    }
    return ADKCD_OK;
}

int
adkcd_spn_match(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;

    /* Iterative glob with backtracking to the last '*': linear in practice
     * and without recursion, whatever the pattern. */
    while (*text != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (tolower((unsigned char)*pattern) ==
                   tolower((unsigned char)*text)) {
            pattern++;
            text++;
        } else if (star != NULL) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

adkcd_status
adkcd_spn_equiv_values(void *mappings, const char *value, char ***out,
                       struct adkcd_err *err)
{
    struct adkcd_spn *spn = NULL;
    adkcd_status st;

    *out = NULL;
    if (adkcd_spn_parse(value, &spn, NULL) != ADKCD_OK)
        return adkcd_strv_add(out, value) == 0
                   ? ADKCD_OK
                   : adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    st = adkcd_spn_equivalents(spn, mappings, out, err);
    adkcd_spn_free(spn);
    return st;
}
