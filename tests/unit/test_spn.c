/* adkcd unit tests: service principal names (adkcd/spn.h). */
#include "harness.h"

#include <time.h>

#include "adkcd/spn.h"
#include "adkcd/strv.h"

/* A pointer that parse must overwrite (with NULL on failure). */
static struct adkcd_spn sentinel_spn;
#define SENTINEL (&sentinel_spn)

/* A new string of n copies of c (the caller frees it). */
static char *
repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A new string: the concatenation of the (NULL-terminated) arguments. */
static char *
concat(const char *first, ...)
{
    va_list ap;
    const char *p;
    size_t len = 0;
    char *s;

    va_start(ap, first);
    for (p = first; p != NULL; p = va_arg(ap, const char *))
        len += strlen(p);
    va_end(ap);
    s = malloc(len + 1);
    assert_non_null(s);
    s[0] = '\0';
    va_start(ap, first);
    for (p = first; p != NULL; p = va_arg(ap, const char *))
        strcat(s, p);
    va_end(ap);
    return s;
}

/* ------------------------------------------------------------------ */
/* adkcd_spn_parse / adkcd_spn_check: valid SPNs                       */
/* ------------------------------------------------------------------ */

struct good_case {
    const char *text;
    const char *svc_class;
    const char *host;
    unsigned port;
    const char *name; /* NULL: none */
};

/* Parse text, expect success and the given fields; also adkcd_spn_check.
 * Frees everything it allocated. */
static void
check_good(const char *text, const char *svc_class, const char *host,
           unsigned port, const char *name)
{
    struct adkcd_err err;
    struct adkcd_spn *spn = SENTINEL;
    adkcd_status st;
    char what[200];

    snprintf(what, sizeof(what), "parse(\"%s\")", h_esc(text));
    h_err_init(&err);
    st = adkcd_spn_parse(text, &spn, &err);
    h_assert_ok(what, st, &err);
    if (spn == NULL || spn == SENTINEL)
        fail_msg("%s: no SPN returned", what);

    /* Every field is the caller's own copy. */
    assert_non_null(spn->text);
    assert_ptr_not_equal(spn->text, text);
    assert_string_equal(spn->text, text);
    assert_non_null(spn->svc_class);
    assert_string_equal(spn->svc_class, svc_class);
    assert_non_null(spn->host);
    assert_string_equal(spn->host, host);
    if (spn->port != port)
        fail_msg("%s: port %u, expected %u", what, spn->port, port);
    if (name == NULL) {
        if (spn->name != NULL)
            fail_msg("%s: name \"%s\", expected none", what, h_esc(spn->name));
    } else {
        assert_non_null(spn->name);
        assert_string_equal(spn->name, name);
    }
    adkcd_spn_free(spn);

    h_err_init(&err);
    st = adkcd_spn_check(text, &err);
    snprintf(what, sizeof(what), "check(\"%s\")", h_esc(text));
    h_assert_ok(what, st, &err);

    /* err may be NULL. */
    spn = SENTINEL;
    assert_int_equal(adkcd_spn_parse(text, &spn, NULL), ADKCD_OK);
    assert_non_null(spn);
    adkcd_spn_free(spn);
    assert_int_equal(adkcd_spn_check(text, NULL), ADKCD_OK);
}

static void
test_parse_good(void **state)
{
    static const struct good_case cases[] = {
        {"http/iosmdm.mydom.local", "http", "iosmdm.mydom.local", 0, NULL},
        {"HTTP/x", "HTTP", "x", 0, NULL},
        {"host/TMG", "host", "TMG", 0, NULL},
        {"MSSQLSvc/db.mydom.local:1433", "MSSQLSvc", "db.mydom.local", 1433,
         NULL},
        {"MSSQLSvc/sql1.mydom.local:SQLEXPRESS", "MSSQLSvc", "sql1.mydom.local",
         0, NULL},
        {"MSSQLSvc/sql1.mydom.local:Inst_2$", "MSSQLSvc", "sql1.mydom.local", 0,
         NULL},
        {"ldap/dc1.mydom.local/mydom.local", "ldap", "dc1.mydom.local", 0,
         "mydom.local"},
        /* DRS replication: class and host are GUIDs. */
        {"E3514235-4B06-11D1-AB04-00C04FC2DCD2/"
         "28831c0c-b2a8-4cbc-9f0f-c8aa001f86d0/mydom.local",
         "E3514235-4B06-11D1-AB04-00C04FC2DCD2",
         "28831c0c-b2a8-4cbc-9f0f-c8aa001f86d0", 0, "mydom.local"},
        /* Port and name together. */
        {"cifs/fs1:445/share", "cifs", "fs1", 445, "share"},
        {"ldap/dc1.mydom.local:389/mydom.local", "ldap", "dc1.mydom.local", 389,
         "mydom.local"},
        /* Port bounds. */
        {"http/x:1", "http", "x", 1, NULL},
        {"http/x:65535", "http", "x", 65535, NULL},
        /* '_' (as in _msdcs), '-', digits, and a single-character class. */
        {"ldap/_msdcs.mydom.local", "ldap", "_msdcs.mydom.local", 0, NULL},
        {"GC/dc-1.mydom.local/mydom.local", "GC", "dc-1.mydom.local", 0,
         "mydom.local"},
        {"a/10.0.0.1:8080", "a", "10.0.0.1", 8080, NULL},
        {"RestrictedKrbHost/TMG.mydom.local", "RestrictedKrbHost",
         "TMG.mydom.local", 0, NULL},
        /* The name is free-form apart from '/', '@' and blanks. */
        {"ldap/dc1/DC=mydom,DC=local", "ldap", "dc1", 0, "DC=mydom,DC=local"},
        {"x/y/z:1", "x", "y", 0, "z:1"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_good(cases[i].text, cases[i].svc_class, cases[i].host,
                   cases[i].port, cases[i].name);
}

/* The limits themselves are accepted. */
static void
test_parse_good_limits(void **state)
{
    char *cls = repeat('c', ADKCD_SPN_MAX_CLASS);
    char *label = repeat('l', 63);
    char *host, *text, *name;
    size_t name_len;

    (void)state;
    /* Class of exactly 64 characters. */
    text = concat(cls, "/x", NULL);
    check_good(text, cls, "x", 0, NULL);
    free(text);

    /* Label of exactly 63 characters. */
    text = concat("http/", label, ".mydom.local", NULL);
    host = concat(label, ".mydom.local", NULL);
    check_good(text, "http", host, 0, NULL);
    free(text);
    free(host);

    /* Host of exactly 255 characters: 4 labels of 63 and 3 dots. */
    host = concat(label, ".", label, ".", label, ".", label, NULL);
    assert_int_equal(strlen(host), ADKCD_SPN_MAX_HOST);
    text = concat("http/", host, NULL);
    check_good(text, "http", host, 0, NULL);
    free(text);

    /* The whole SPN of exactly 1024 characters, with the longest class,
     * host and port, and the rest in the name. */
    name_len = ADKCD_SPN_MAX_LEN -
               (ADKCD_SPN_MAX_CLASS + 1 + ADKCD_SPN_MAX_HOST + 6 + 1);
    name = repeat('n', name_len);
    text = concat(cls, "/", host, ":65535/", name, NULL);
    assert_int_equal(strlen(text), ADKCD_SPN_MAX_LEN);
    check_good(text, cls, host, 65535, name);
    free(text);
    free(name);
    free(host);

    free(cls);
    free(label);
}

/* ------------------------------------------------------------------ */
/* adkcd_spn_parse / adkcd_spn_check: malformed SPNs                   */
/* ------------------------------------------------------------------ */

/*
 * Parse text, expect ADKCD_E_USAGE, *spn_out == NULL and a message that
 * contains shown (when not NULL: the SPN text, or the part of it the
 * message quotes) and phrase.  adkcd_spn_check must say the same.
 */
static void
check_bad(const char *text, const char *shown, const char *phrase)
{
    struct adkcd_err err, err2;
    struct adkcd_spn *spn = SENTINEL;
    adkcd_status st;
    char what[200];

    snprintf(what, sizeof(what), "parse(\"%s\")", h_esc(text));
    h_err_init(&err);
    st = adkcd_spn_parse(text, &spn, &err);
    if (spn != NULL) {
        if (spn != SENTINEL)
            adkcd_spn_free(spn);
        fail_msg("%s: *spn_out not NULL after a failure", what);
    }
    h_assert_failed(what, st, ADKCD_E_USAGE, &err, shown, phrase);

    snprintf(what, sizeof(what), "check(\"%s\")", h_esc(text));
    h_err_init(&err2);
    st = adkcd_spn_check(text, &err2);
    h_assert_failed(what, st, ADKCD_E_USAGE, &err2, shown, phrase);
    assert_string_equal(err2.msg, err.msg);

    /* err may be NULL. */
    spn = SENTINEL;
    assert_int_equal(adkcd_spn_parse(text, &spn, NULL), ADKCD_E_USAGE);
    assert_null(spn);
    assert_int_equal(adkcd_spn_check(text, NULL), ADKCD_E_USAGE);
}

struct bad_case {
    const char *text;
    const char *phrase;
};

/*
 * The SPN as a message quotes it: the first 80 characters ("..." after
 * them), control and non-ASCII bytes as \xNN.
 */
static char *
shown_of(const char *text)
{
    char *out = malloc(80 * 4 + 8);
    size_t i, n = 0;

    assert_non_null(out);
    for (i = 0; text[i] != '\0'; i++) {
        unsigned char c = (unsigned char)text[i];

        if (i == 80) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (c < 0x20 || c >= 0x7f)
            n += (size_t)sprintf(out + n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
    return out;
}

static void
test_parse_bad(void **state)
{
    static const char port_range[] = "port must be a number from 1 to 65535";
    static const struct bad_case cases[] = {
        {"http", "expected class/host[:port][/name]"},
        {"HTTP", "expected class/host[:port][/name]"},
        {"http/", "the host part is empty"},
        {"/host", "the service class before '/' is empty"},
        {"/", "the service class before '/' is empty"},
        {"http//x", "the host part is empty"},
        {"http/:80", "the host part is empty"},
        {"http/host:", "empty port after ':'"},
        {"http/host:/name", "empty port after ':'"},
        {"http/host:0", port_range},
        {"http/host:00", "port must not have leading zeros"},
        {"http/host:0080", "port must not have leading zeros"},
        {"http/-host", "must not start or end with '-'"},
        {"http/host-", "must not start or end with '-'"},
        {"http/a.-b.c", "must not start or end with '-'"},
        {"http/a-.b", "must not start or end with '-'"},
        {"-/host", "must start with a letter or a digit"},
        {"./host", "must start with a letter or a digit"},
        {"http/x/caf\xc3\xa9", "non-ASCII character at position 11"},
        {"http/x/\xc2\x9b", "non-ASCII character at position 8"},
        {"http/host:65536", port_range},
        {"http/host:99999999999999999999999", port_range},
        {"http/host:80x", port_range},
        {"http/host:x*80", "not allowed in an instance name"},
        {"http/host:-1", port_range},
        {"http/host:+80", port_range},
        {"http/host:80:90", port_range},
        {"http/host:80/", "the service name after the second '/' is empty"},
        {"http/ho st",
         "whitespace, control or non-ASCII character at position 8"},
        {"http/host\t",
         "whitespace, control or non-ASCII character at position 10"},
        {"ht tp/x", "whitespace, control or non-ASCII character at position 3"},
        {" http/x", "whitespace, control or non-ASCII character at position 1"},
        {"http/x ", "whitespace, control or non-ASCII character at position 7"},
        {"http/x/y z",
         "whitespace, control or non-ASCII character at position 9"},
        {"http/x\x01y",
         "whitespace, control or non-ASCII character at position 7"},
        {"http/x\x7f",
         "whitespace, control or non-ASCII character at position 7"},
        {"http/x\ny",
         "whitespace, control or non-ASCII character at position 7"},
        {"http/host/", "the service name after the second '/' is empty"},
        {"http/a/b/c", "too many '/'"},
        {"http/a//", "too many '/'"},
        {"http/host@MYDOM.LOCAL", "an SPN has no realm"},
        {"http/host/name@MYDOM.LOCAL", "an SPN has no realm"},
        {"http@x", "an SPN has no realm"},
        {"http/.host", "host name must not start or end with '.'"},
        {"http/host.", "host name must not start or end with '.'"},
        {"http/.", "host name must not start or end with '.'"},
        {"http/a..b", "empty label ('..') in host name"},
        {"ht*p/x", "character '*' is not allowed in a service class"},
        {"http:/x", "character ':' is not allowed in a service class"},
        {"http/ho*st", "character '*' is not allowed in a host name"},
        {"http/[::1]", "character '[' is not allowed in a host name"},
        {"http/a,b", "character ',' is not allowed in a host name"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        char *shown = shown_of(cases[i].text);

        check_bad(cases[i].text, shown, cases[i].phrase);
        free(shown);
    }
}

static void
test_parse_bad_empty(void **state)
{
    (void)state;
    check_bad("", NULL, "it is empty");
    check_bad(NULL, NULL, "it is empty");
}

/* Non-ASCII bytes are refused anywhere, and never echoed raw. */
static void
test_parse_bad_non_ascii_host(void **state)
{
    (void)state;
    check_bad("http/h\xc3\xa9te", "http/h\\xc3\\xa9te",
              "non-ASCII character at position 7");
    /* A terminal escape sequence in the input is shown escaped. */
    check_bad("http/x\x1b[31m", "http/x\\x1b[31m",
              "control or non-ASCII character at position 7");
}

/* check_bad() with the message's own quoting of text. */
static void
check_shown(const char *text, const char *phrase)
{
    char *shown = shown_of(text);

    check_bad(text, shown, phrase);
    free(shown);
}

/* Over the limits. */
static void
test_parse_bad_limits(void **state)
{
    char *s, *text, *head, *label, *host;

    (void)state;
    /* 1025 characters: the message quotes the first 80. */
    s = repeat('a', ADKCD_SPN_MAX_LEN + 1 - strlen("http/"));
    text = concat("http/", s, NULL);
    assert_int_equal(strlen(text), ADKCD_SPN_MAX_LEN + 1);
    head = shown_of(text);
    check_bad(text, head, "longer than 1024 characters");
    free(head);
    free(text);
    free(s);

    /* A 64-character label, alone and inside a name. */
    label = repeat('l', 64);
    text = concat("http/", label, NULL);
    check_shown(text, "a host name label is longer than 63 characters");
    free(text);
    text = concat("http/a.", label, ".mydom.local:80", NULL);
    check_shown(text, "a host name label is longer than 63 characters");
    free(text);
    free(label);

    /* A 65-character class. */
    s = repeat('c', ADKCD_SPN_MAX_CLASS + 1);
    text = concat(s, "/x", NULL);
    check_shown(text, "service class longer than 64 characters");
    free(text);
    free(s);

    /* A 256-character host (labels of 63 and one of 1). */
    label = repeat('l', 63);
    host = concat(label, ".", label, ".", label, ".", label, "a", NULL);
    assert_int_equal(strlen(host), ADKCD_SPN_MAX_HOST + 1);
    text = concat("http/", host, NULL);
    check_shown(text, "host name longer than 255 characters");
    free(text);
    free(host);
    free(label);
}

/*
 * An SPN is accepted up to 1024 characters; the message quotes only a
 * bounded prefix so that the reason (what is wrong and where) always fits
 * in ADKCD_ERR_MSG_SIZE.
 */
static void
test_parse_bad_long_message_keeps_reason(void **state)
{
    char *s = repeat('a', 1000);
    char *text;
    struct adkcd_err err;
    adkcd_status st;

    (void)state;
    text = concat("http/x/", s, " ", NULL);
    assert_true(strlen(text) <= ADKCD_SPN_MAX_LEN);
    h_err_init(&err);
    st = adkcd_spn_check(text, &err);
    free(text);
    free(s);
    h_assert_failed("check(1008-character SPN ending in a blank)", st,
                    ADKCD_E_USAGE, &err,
                    "whitespace, control or non-ASCII "
                    "character",
                    "position 1008");
}

/* ------------------------------------------------------------------ */
/* adkcd_spn_equal                                                     */
/* ------------------------------------------------------------------ */

struct equal_case {
    const char *a, *b;
    int want;
};

static void
test_equal(void **state)
{
    static const struct equal_case cases[] = {
        {"http/x", "http/x", 1},
        {"http/x", "HTTP/X", 1},
        {"MSSQLSvc/db.mydom.local:1433", "mssqlsvc/DB.MYDOM.LOCAL:1433", 1},
        {"ldap/dc1/mydom.local", "LDAP/DC1/MYDOM.LOCAL", 1},
        {"", "", 1},
        {"http/x", "http/y", 0},
        {"http/x", "http/x ", 0},
        {"http/x", "http/x:80", 0},
        {"http/x", "http/x.mydom.local", 0},
        {"http/x", "host/x", 0},
        {"http/x", "", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        int ab = adkcd_spn_equal(cases[i].a, cases[i].b) != 0;
        int ba = adkcd_spn_equal(cases[i].b, cases[i].a) != 0;

        if (ab != cases[i].want || ba != cases[i].want)
            fail_msg("equal(\"%s\", \"%s\") = %d/%d, expected %d",
                     h_esc(cases[i].a), h_esc(cases[i].b), ab, ba,
                     cases[i].want);
    }
}

/* ------------------------------------------------------------------ */
/* adkcd_spn_mappings_parse                                            */
/* ------------------------------------------------------------------ */

static void
test_mappings_parse_good(void **state)
{
    static const char *const aliases[] = {"alerter", "http", "cifs", NULL};
    static const char *const aliases2[] = {"a", "b", NULL};
    char *values[] = {"host=alerter,http,cifs", NULL};
    char *values2[] = {"host=alerter,http,cifs", "RestrictedKrbHost=a,,b,",
                       NULL};
    struct adkcd_spn_mappings *m = NULL;
    struct adkcd_err err;

    (void)state;
    h_err_init(&err);
    h_assert_ok("mappings_parse", adkcd_spn_mappings_parse(values, &m, &err),
                &err);
    assert_non_null(m);
    assert_int_equal(m->n, 1);
    assert_string_equal(m->v[0].target, "host");
    h_assert_strv("aliases", m->v[0].aliases, aliases);
    adkcd_spn_mappings_free(m);

    /* Several values; empty aliases are skipped. */
    m = NULL;
    h_assert_ok("mappings_parse(2 values)",
                adkcd_spn_mappings_parse(values2, &m, &err), &err);
    assert_non_null(m);
    assert_int_equal(m->n, 2);
    assert_string_equal(m->v[0].target, "host");
    h_assert_strv("aliases[0]", m->v[0].aliases, aliases);
    assert_string_equal(m->v[1].target, "RestrictedKrbHost");
    h_assert_strv("aliases[1]", m->v[1].aliases, aliases2);
    adkcd_spn_mappings_free(m);
}

static void
test_mappings_parse_none(void **state)
{
    char *empty[] = {NULL};
    struct adkcd_spn_mappings *m = NULL;
    struct adkcd_err err;

    (void)state;
    /* NULL means "no mappings": an empty set, not NULL. */
    h_err_init(&err);
    h_assert_ok("mappings_parse(NULL)",
                adkcd_spn_mappings_parse(NULL, &m, &err), &err);
    assert_non_null(m);
    assert_int_equal(m->n, 0);
    adkcd_spn_mappings_free(m);

    m = NULL;
    h_assert_ok("mappings_parse({NULL})",
                adkcd_spn_mappings_parse(empty, &m, &err), &err);
    assert_non_null(m);
    assert_int_equal(m->n, 0);
    adkcd_spn_mappings_free(m);

    adkcd_spn_mappings_free(NULL);
}

static void
check_mappings_bad(char *const *values, const char *bad)
{
    struct adkcd_spn_mappings *m = (struct adkcd_spn_mappings *)&m;
    struct adkcd_err err;
    adkcd_status st;
    char what[200];

    snprintf(what, sizeof(what), "mappings_parse(... \"%s\" ...)", h_esc(bad));
    h_err_init(&err);
    st = adkcd_spn_mappings_parse(values, &m, &err);
    if (m != NULL)
        fail_msg("%s: *out not NULL after a failure", what);
    h_assert_failed(what, st, ADKCD_E_INVALID, &err, bad,
                    "malformed sPNMappings value");
}

static void
test_mappings_parse_bad(void **state)
{
    char *v1[] = {"=x", NULL};
    char *v2[] = {"nohost", NULL};
    char *v3[] = {"", NULL};
    char *v4[] = {"=", NULL};
    /* A bad value after a good one: the good one is freed (valgrind). */
    char *v5[] = {"host=alerter,http", "nohost", NULL};

    (void)state;
    check_mappings_bad(v1, "=x");
    check_mappings_bad(v2, "nohost");
    check_mappings_bad(v3, "''");
    check_mappings_bad(v4, "'='");
    check_mappings_bad(v5, "nohost");
}

/* ------------------------------------------------------------------ */
/* adkcd_spn_equivalents                                               */
/* ------------------------------------------------------------------ */

/*
 * The equivalents of text under the mappings parsed from values (NULL: no
 * mappings object at all) must be exactly want, in order.
 */
static void
check_equivalents(const char *text, char *const *values,
                  const char *const *want)
{
    struct adkcd_spn_mappings *m = NULL;
    struct adkcd_spn *spn = NULL;
    struct adkcd_err err;
    char **out = (char **)&out;
    char what[200];
    size_t i, j;

    snprintf(what, sizeof(what), "equivalents(\"%s\")", h_esc(text));
    h_err_init(&err);
    h_assert_ok(what, adkcd_spn_parse(text, &spn, &err), &err);
    if (values != NULL)
        h_assert_ok(what, adkcd_spn_mappings_parse(values, &m, &err), &err);
    h_assert_ok(what, adkcd_spn_equivalents(spn, m, &out, &err), &err);
    assert_non_null(out);
    assert_ptr_not_equal(out, (char **)&out);
    h_assert_strv(what, out, want);
    /* No two are equal ignoring case. */
    for (i = 0; out[i] != NULL; i++)
        for (j = i + 1; out[j] != NULL; j++)
            if (adkcd_spn_equal(out[i], out[j]))
                fail_msg("%s: \"%s\" twice", what, h_esc(out[i]));
    adkcd_strv_free(out);
    adkcd_spn_mappings_free(m);
    adkcd_spn_free(spn);
}

static void
test_equivalents(void **state)
{
    char *host_map[] = {"host=alerter,http,cifs", NULL};
    char *no_maps[] = {NULL};
    /* "http" under two targets, repeated aliases, an alias equal to the
     * target. */
    char *messy[] = {"host=http,HTTP,host,cifs", "www=http", NULL};
    struct {
        const char *text;
        char **values;
        const char *want[8];
    } cases[] = {
        {"http/x", host_map, {"http/x", "host/x", NULL}},
        {"HTTP/x", host_map, {"HTTP/x", "host/x", NULL}},
        {"Cifs/fs1.mydom.local",
         host_map,
         {"Cifs/fs1.mydom.local", "host/fs1.mydom.local", NULL}},
        {"host/x", host_map, {"host/x", "alerter/x", "http/x", "cifs/x", NULL}},
        {"HOST/x", host_map, {"HOST/x", "alerter/x", "http/x", "cifs/x", NULL}},
        /* Port and name are kept. */
        {"cifs/x:445/y", host_map, {"cifs/x:445/y", "host/x:445/y", NULL}},
        {"host/x:445/y",
         host_map,
         {"host/x:445/y", "alerter/x:445/y", "http/x:445/y", "cifs/x:445/y",
          NULL}},
        /* A class that is neither target nor alias. */
        {"ldap/dc1.mydom.local", host_map, {"ldap/dc1.mydom.local", NULL}},
        /* "httpx" is not "http": whole-token match. */
        {"httpx/x", host_map, {"httpx/x", NULL}},
        /* No mappings at all. */
        {"http/x", NULL, {"http/x", NULL}},
        {"host/x", NULL, {"host/x", NULL}},
        {"http/x", no_maps, {"http/x", NULL}},
        /* Duplicates collapse. */
        {"host/x", messy, {"host/x", "http/x", "cifs/x", NULL}},
        {"http/x", messy, {"http/x", "host/x", "www/x", NULL}},
        {"www/x", messy, {"www/x", "http/x", NULL}},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_equivalents(cases[i].text, cases[i].values, cases[i].want);
}

/*
 * A mapping value with a target and no alias ("host=", or "host=,,") is
 * accepted by adkcd_spn_mappings_parse() (its aliases strv stays NULL),
 * and then adkcd_spn_equivalents() on an SPN of that class dereferences
 * the NULL strv.
 *
 * BUG (src/lib/spn.c:357): `map->aliases[j]` with map->aliases == NULL
 * (parse_mapping() never adds an alias for an empty list, line 269-283):
 * SIGSEGV.  Expected: either mappings_parse refuses the value with
 * ADKCD_E_INVALID, or equivalents treats it as no aliases and returns
 * {"host/x"}.  This test accepts both.
 */
static void
test_equivalents_target_without_aliases(void **state)
{
    static const char *const values[][2] = {{"host=", NULL}, {"host=,,", NULL}};
    static const char *const want[] = {"host/x", NULL};
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(values); i++) {
        struct adkcd_spn_mappings *m = NULL;
        struct adkcd_spn *spn = NULL;
        struct adkcd_err err;
        char **out = NULL;
        adkcd_status st;

        h_err_init(&err);
        st = adkcd_spn_mappings_parse((char *const *)values[i], &m, &err);
        if (st != ADKCD_OK) {
            h_assert_failed(values[i][0], st, ADKCD_E_INVALID, &err,
                            values[i][0], NULL);
            assert_null(m);
            continue;
        }
        h_assert_ok("parse", adkcd_spn_parse("host/x", &spn, &err), &err);
        st = adkcd_spn_equivalents(spn, m, &out, &err);
        h_assert_ok(values[i][0], st, &err);
        h_assert_strv(values[i][0], out, want);
        adkcd_strv_free(out);
        adkcd_spn_free(spn);
        adkcd_spn_mappings_free(m);
    }
}

/* ------------------------------------------------------------------ */
/* adkcd_spn_match                                                     */
/* ------------------------------------------------------------------ */

struct match_case {
    const char *pattern, *text;
    int want;
};

static void
check_match(const char *pattern, const char *text, int want)
{
    int got = adkcd_spn_match(pattern, text) != 0;

    if (got != want)
        fail_msg("match(\"%s\", \"%s\") = %d, expected %d", h_esc(pattern),
                 h_esc(text), got, want);
}

static void
test_match(void **state)
{
    static const struct match_case cases[] = {
        {"http/iosmdm*", "HTTP/iosmdm.mydom.local", 1},
        {"http/iosmdm*", "http/iosmdm", 1},
        {"http/iosmdm*", "http/iosmd", 0},
        {"http/iosmdm*", "host/iosmdm.mydom.local", 0},
        {"*/iosmdm.mydom.local", "http/iosmdm.mydom.local", 1},
        {"*/iosmdm.mydom.local", "HOST/IOSMDM.MYDOM.LOCAL", 1},
        {"*/iosmdm.mydom.local", "http/iosmdm.mydom.local.evil", 0},
        {"*/iosmdm.mydom.local", "http/xiosmdm.mydom.local", 0},
        {"*", "http/x", 1},
        {"*", "", 1},
        {"**", "", 1},
        {"***x", "x", 1},
        {"", "", 1},
        {"", "x", 0},
        {"x", "", 0},
        {"x*", "", 0},
        {"a*b*c", "abc", 1},
        {"a*b*c", "aXbYc", 1},
        {"a*b*c", "abcabc", 1},
        {"a*b*c", "aXbY", 0},
        {"a*b*c", "acb", 0},
        {"a*b*c", "abcab", 0},
        {"a*b*c", "Xabc", 0},
        /* Exact and case-insensitive literal matches; no prefix match. */
        {"http/x", "http/x", 1},
        {"HTTP/X", "http/x", 1},
        {"http/x", "http/y", 0},
        {"http/x", "http/x.mydom.local", 0},
        /* Pattern longer than the text. */
        {"http/x.mydom.local", "http/x", 0},
        {"http/x*y", "http/x", 0},
        /* Backtracking. */
        {"*x", "xx", 1},
        {"*xy", "xxy", 1},
        {"*ab", "aab", 1},
        {"*a", "ba", 1},
        {"*a", "ab", 0},
        {"a*", "a", 1},
        {"*a*a*a*b", "aaab", 1},
        {"*a*a*a*b", "aab", 0},
        {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", 0},
        {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 1},
        /* Only '*' is special (setspn -Q syntax). */
        {"http/x?", "http/xy", 0},
        {"http/x?", "http/x?", 1},
        {"http/[xy]", "http/x", 0},
        {"http/[xy]", "http/[XY]", 1},
        {"http/x.mydom.local", "http/xXmydom.local", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_match(cases[i].pattern, cases[i].text, cases[i].want);
}

/* A backtracking glob must not go exponential: a long text and many stars
 * with no match must be decided quickly. */
static void
test_match_fast(void **state)
{
    char *text = repeat('a', 20000);
    clock_t start;
    double secs;
    int i, got = 0;

    (void)state;
    text[19999] = 'c';
    start = clock();
    for (i = 0; i < 10; i++)
        got |= adkcd_spn_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text);
    secs = (double)(clock() - start) / CLOCKS_PER_SEC;
    free(text);
    assert_int_equal(got, 0);
    if (secs > 2.0)
        fail_msg("10 matches took %.2f s", secs);
}

/* -Q patterns are checked before anything is sent. */
static void
test_pattern_check(void **state)
{
    struct adkcd_err err;
    char *long_pattern = repeat('a', ADKCD_SPN_MAX_LEN + 1);

    (void)state;
    assert_int_equal(adkcd_spn_pattern_check("http/iosmdm*", NULL), ADKCD_OK);
    assert_int_equal(adkcd_spn_pattern_check("*", NULL), ADKCD_OK);
    assert_int_equal(adkcd_spn_pattern_check("x)(a=*", NULL), ADKCD_OK);
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_spn_pattern_check("", &err), ADKCD_E_USAGE);
    assert_non_null(strstr(err.msg, "empty SPN pattern"));
    assert_int_equal(adkcd_spn_pattern_check(NULL, &err), ADKCD_E_USAGE);
    assert_int_equal(adkcd_spn_pattern_check("http/a b", &err), ADKCD_E_USAGE);
    assert_non_null(strstr(err.msg, "at position 7"));
    assert_int_equal(adkcd_spn_pattern_check("http/\x1b[2J", &err),
                     ADKCD_E_USAGE);
    assert_null(strchr(err.msg, '\x1b'));
    assert_int_equal(adkcd_spn_pattern_check(long_pattern, &err),
                     ADKCD_E_USAGE);
    assert_non_null(strstr(err.msg, "longer than 1024"));
    free(long_pattern);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_good_limits),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_bad_empty),
        cmocka_unit_test(test_parse_bad_non_ascii_host),
        cmocka_unit_test(test_parse_bad_limits),
        cmocka_unit_test(test_parse_bad_long_message_keeps_reason),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_mappings_parse_good),
        cmocka_unit_test(test_mappings_parse_none),
        cmocka_unit_test(test_mappings_parse_bad),
        cmocka_unit_test(test_equivalents),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_match_fast),
        /* Last: today it crashes (see the BUG comment). */
        cmocka_unit_test(test_equivalents_target_without_aliases),
        cmocka_unit_test(test_pattern_check),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
