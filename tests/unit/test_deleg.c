/*
 * adkcd unit tests: an account's delegation state (adkcd/deleg.h): modes
 * and descriptions, request checks, the desired state, the safety checks
 * and the plan.  All pure; adkcd_deleg_run needs a DC and is covered by the
 * integration tests (t_kcd_*.sh).
 */
#include "harness.h"

#include "adkcd/account.h"
#include "adkcd/deleg.h"
#include "adkcd/plan.h"
#include "adkcd/strv.h"

#define UAC "userAccountControl"
#define A2D ADKCD_DELEG_ATTR

/* userAccountControl values used throughout. */
#define WS ADKCD_UAC_WORKSTATION_TRUST_ACCOUNT       /* 0x1000, 4096 */
#define DIS ADKCD_UAC_ACCOUNTDISABLE                 /* 0x2 */
#define TFD ADKCD_UAC_TRUSTED_FOR_DELEGATION         /* 0x80000 */
#define T2A ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION /* 0x1000000 */
#define NOEXP 0x10000u                               /* DONT_EXPIRE_PASSWORD */
#define DC_UAC 532480u  /* SERVER_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION */
#define KRBTGT_UAC 514u /* NORMAL_ACCOUNT | ACCOUNTDISABLE */

#define DN_TMG "CN=TMG,CN=Computers,DC=mydom,DC=local"
#define DN_DC1 "CN=DC1,OU=Domain Controllers,DC=mydom,DC=local"
#define DN_KRBTGT "CN=krbtgt,CN=Users,DC=mydom,DC=local"
#define DN_IOSMDM "CN=iosmdm,CN=Users,DC=mydom,DC=local"

#define MAXV 8

/* A strv copy of a NULL-terminated array; never NULL (an empty array gives
 * the empty vector), as struct adkcd_deleg wants. */
static char **
vec(const char *const *src)
{
    char **v = adkcd_strv_dup(NULL);
    size_t i;

    assert_non_null(v);
    for (i = 0; src[i] != NULL; i++)
        assert_int_equal(adkcd_strv_add(&v, src[i]), 0);
    return v;
}

/* The number of strings in a NULL-terminated array. */
static size_t
count(const char *const *a)
{
    size_t n = 0;

    while (a[n] != NULL)
        n++;
    return n;
}

/*
 * Fail unless got holds exactly the strings of want, in any order (the
 * order of msDS-AllowedToDelegateTo does not matter; the plan compares
 * sets), spelled exactly as in want, and no two of them equal without
 * regard to case.
 */
static void
assert_services(const char *what, char *const *got, const char *const *want)
{
    size_t i, n_got = adkcd_strv_len(got), n_want = count(want);

    if (got == NULL)
        fail_msg("%s: services is NULL, expected a vector", what);
    for (i = 0; i < n_want; i++) {
        size_t j;
        int found = 0;

        for (j = 0; j < n_got; j++)
            found |= strcmp(got[j], want[i]) == 0;
        if (!found)
            fail_msg("%s: \"%s\" missing from the services (%zu of them)", what,
                     h_esc(want[i]), n_got);
    }
    for (i = 0; i < n_got; i++) {
        if (adkcd_strv_find_nocase(got, got[i]) != (long)i)
            fail_msg("%s: \"%s\" is in the services twice", what,
                     h_esc(got[i]));
    }
    if (n_got != n_want)
        fail_msg("%s: %zu services, expected %zu", what, n_got, n_want);
}

/* An account as adkcd_account_resolve would fill it, for the fields the
 * pure functions read.  The strings are borrowed: nothing is freed. */
static struct adkcd_account
account(const char *sam, const char *dn, unsigned uac)
{
    struct adkcd_account a;

    memset(&a, 0, sizeof(a));
    a.input = (char *)sam;
    a.dn = (char *)dn;
    a.sam = (char *)sam;
    a.is_computer = sam[0] != '\0' && sam[strlen(sam) - 1] == '$';
    a.uac = uac;
    a.has_uac = 1;
    return a;
}

/* ------------------------------------------------------------------ */
/* adkcd_deleg_mode_name                                               */
/* ------------------------------------------------------------------ */

static void
test_mode_name(void **state)
{
    (void)state;
    assert_string_equal(adkcd_deleg_mode_name(ADKCD_DELEG_NONE), "none");
    assert_string_equal(adkcd_deleg_mode_name(ADKCD_DELEG_UNCONSTRAINED),
                        "unconstrained");
    assert_string_equal(adkcd_deleg_mode_name(ADKCD_DELEG_CONSTRAINED),
                        "constrained");
}

/* ------------------------------------------------------------------ */
/* adkcd_deleg_mode_of, adkcd_deleg_any_protocol, adkcd_deleg_describe */
/* ------------------------------------------------------------------ */

/*
 * The describe strings are those the README and the integration tests
 * (t_kcd_edit.sh) show; the comment in deleg.h abbreviates two of them.
 */
#define D_NONE "none"
#define D_UNCONSTRAINED "unconstrained (any service)"
#define D_KERBEROS "constrained (Kerberos only)"
#define D_ANY "constrained (use any authentication protocol)"

struct mode_case {
    const char *name;
    unsigned uac;
    const char *services[MAXV];
    enum adkcd_deleg_mode mode;
    int any_protocol;
    const char *describe;
};

static void
check_mode(const struct mode_case *k)
{
    struct adkcd_deleg d;
    char **services;
    const char *text;
    int any;

    d.uac = k->uac;
    d.services = services = vec(k->services);

    if (adkcd_deleg_mode_of(&d) != k->mode)
        fail_msg("mode_of(%s): %s, expected %s", k->name,
                 adkcd_deleg_mode_name(adkcd_deleg_mode_of(&d)),
                 adkcd_deleg_mode_name(k->mode));
    any = adkcd_deleg_any_protocol(&d);
    if ((any != 0) != (k->any_protocol != 0))
        fail_msg("any_protocol(%s): %d, expected %d", k->name, any,
                 k->any_protocol);
    text = adkcd_deleg_describe(&d);
    if (text == NULL || strcmp(text, k->describe) != 0)
        fail_msg("describe(%s): \"%s\", expected \"%s\"", k->name, h_esc(text),
                 k->describe);
    /* The summary starts with the mode's name. */
    if (strncmp(text, adkcd_deleg_mode_name(k->mode),
                strlen(adkcd_deleg_mode_name(k->mode))) != 0)
        fail_msg("describe(%s): \"%s\" does not start with \"%s\"", k->name,
                 h_esc(text), adkcd_deleg_mode_name(k->mode));

    /* Pure: the state is left as it was. */
    assert_int_equal(d.uac, k->uac);
    assert_ptr_equal(d.services, services);
    h_assert_strv(k->name, d.services, k->services);
    adkcd_strv_free(services);
}

static void
test_mode_of(void **state)
{
    static const struct mode_case cases[] = {
        {"no flags, no services", WS, {NULL}, ADKCD_DELEG_NONE, 0, D_NONE},
        {"uac 0, no services", 0, {NULL}, ADKCD_DELEG_NONE, 0, D_NONE},
        {"other bits only (disabled user)",
         0x200u | DIS | NOEXP,
         {NULL},
         ADKCD_DELEG_NONE,
         0,
         D_NONE},
        {"services only: constrained, Kerberos only",
         WS,
         {"http/a", NULL},
         ADKCD_DELEG_CONSTRAINED,
         0,
         D_KERBEROS},
        {"two services, Kerberos only",
         WS | DIS,
         {"http/a", "cifs/b.mydom.local", NULL},
         ADKCD_DELEG_CONSTRAINED,
         0,
         D_KERBEROS},
        {"services + 0x1000000: constrained, any protocol",
         WS | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_CONSTRAINED,
         1,
         D_ANY},
        {"16781312 with two services",
         16781312u,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_CONSTRAINED,
         1,
         D_ANY},
        {"0x80000 without services: unconstrained",
         WS | TFD,
         {NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         0,
         D_UNCONSTRAINED},
        {"0x80000 with services: still unconstrained",
         WS | TFD,
         {"http/a", NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         0,
         D_UNCONSTRAINED},
        {"0x80000 + 0x1000000 with services: unconstrained",
         WS | TFD | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         1,
         D_UNCONSTRAINED},
        {"domain controller (532480)",
         DC_UAC,
         {NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         0,
         D_UNCONSTRAINED},
        {"0x1000000 without services: none",
         WS | T2A,
         {NULL},
         ADKCD_DELEG_NONE,
         1,
         D_NONE},
        {"every bit but 0x80000, no services",
         ~TFD,
         {NULL},
         ADKCD_DELEG_NONE,
         1,
         D_NONE},
        {"every bit",
         0xffffffffu,
         {NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         1,
         D_UNCONSTRAINED},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_mode(&cases[i]);
}

/* ------------------------------------------------------------------ */
/* adkcd_uac_describe, adkcd_uac_flags                                 */
/* ------------------------------------------------------------------ */

struct uac_case {
    unsigned uac;
    const char *text;
};

static void
check_uac_describe(const struct uac_case *k)
{
    char *text = (char *)&text;
    struct adkcd_err err;
    char what[64];

    snprintf(what, sizeof(what), "uac_describe(0x%x)", k->uac);
    h_err_init(&err);
    h_assert_ok(what, adkcd_uac_describe(k->uac, &text, &err), &err);
    assert_non_null(text);
    assert_ptr_not_equal(text, (char *)&text);
    h_assert_text(what, text, k->text);
    free(text);
}

static void
test_uac_describe(void **state)
{
    static const struct uac_case cases[] = {
        {4096u, "WORKSTATION_TRUST_ACCOUNT (0x1000)"},
        {16781312u, "WORKSTATION_TRUST_ACCOUNT (0x1000), "
                    "TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000)"},
        {DC_UAC, "SERVER_TRUST_ACCOUNT (0x2000), "
                 "TRUSTED_FOR_DELEGATION (0x80000)"},
        {WS | TFD, "WORKSTATION_TRUST_ACCOUNT (0x1000), "
                   "TRUSTED_FOR_DELEGATION (0x80000)"},
        {KRBTGT_UAC, "ACCOUNTDISABLE (0x2), NORMAL_ACCOUNT (0x200)"},
        {66048u, "NORMAL_ACCOUNT (0x200), DONT_EXPIRE_PASSWORD (0x10000)"},
        {0x1u, "SCRIPT (0x1)"},
        {0x4000000u | WS, "WORKSTATION_TRUST_ACCOUNT (0x1000), "
                          "PARTIAL_SECRETS_ACCOUNT (0x4000000)"},
        /* Unknown bits: hex, after the named ones. */
        {0x8000000u, "0x8000000"},
        {WS | 0x8000000u, "WORKSTATION_TRUST_ACCOUNT (0x1000), 0x8000000"},
        {0x4u, "0x4"},
        {0, ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_uac_describe(&cases[i]);
}

/* err may be NULL. */
static void
test_uac_describe_null_err(void **state)
{
    char *text = NULL;

    (void)state;
    assert_int_equal(adkcd_uac_describe(WS | T2A, &text, NULL), ADKCD_OK);
    assert_non_null(text);
    assert_string_equal(text, "WORKSTATION_TRUST_ACCOUNT (0x1000), "
                              "TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000)");
    free(text);
}

/*
 * The table: one bit per row, in bit order, each named once, and every bit
 * MS-ADTS 2.2.16 defines is there (deleg.h: "Every userAccountControl bit
 * with its MS-ADTS name").
 */
static void
test_uac_flags_table(void **state)
{
    /* MS-ADTS 2.2.16 (names as in the project's table and KB 305144). */
    static const struct adkcd_uac_flag adts[] = {
        {0x2u, "ACCOUNTDISABLE"},
        {0x8u, "HOMEDIR_REQUIRED"},
        {0x10u, "LOCKOUT"},
        {0x20u, "PASSWD_NOTREQD"},
        {0x40u, "PASSWD_CANT_CHANGE"},
        {0x80u, "ENCRYPTED_TEXT_PWD_ALLOWED"},
        {0x200u, "NORMAL_ACCOUNT"},
        {0x800u, "INTERDOMAIN_TRUST_ACCOUNT"},
        {0x1000u, "WORKSTATION_TRUST_ACCOUNT"},
        {0x2000u, "SERVER_TRUST_ACCOUNT"},
        {0x10000u, "DONT_EXPIRE_PASSWORD"},
        {0x40000u, "SMARTCARD_REQUIRED"},
        {0x80000u, "TRUSTED_FOR_DELEGATION"},
        {0x100000u, "NOT_DELEGATED"},
        {0x200000u, "USE_DES_KEY_ONLY"},
        {0x400000u, "DONT_REQ_PREAUTH"},
        {0x800000u, "PASSWORD_EXPIRED"},
        {0x1000000u, "TRUSTED_TO_AUTH_FOR_DELEGATION"},
        {0x2000000u, "NO_AUTH_DATA_REQUIRED"},
        {0x4000000u, "PARTIAL_SECRETS_ACCOUNT"},
    };
    unsigned seen = 0;
    size_t i, j;

    (void)state;
    for (i = 0; adkcd_uac_flags[i].name != NULL; i++) {
        unsigned bit = adkcd_uac_flags[i].bit;

        if (bit == 0 || (bit & (bit - 1)) != 0)
            fail_msg("adkcd_uac_flags[%zu] (%s): 0x%x is not one bit", i,
                     adkcd_uac_flags[i].name, bit);
        if (bit <= seen)
            fail_msg("adkcd_uac_flags[%zu] (%s): 0x%x out of order", i,
                     adkcd_uac_flags[i].name, bit);
        seen = bit;
        for (j = 0; j < i; j++) {
            if (strcmp(adkcd_uac_flags[j].name, adkcd_uac_flags[i].name) == 0)
                fail_msg("adkcd_uac_flags: %s twice", adkcd_uac_flags[i].name);
        }
    }
    assert_int_equal(adkcd_uac_flags[i].bit, 0);
    for (j = 0; j < N_ELEMS(adts); j++) {
        const char *name = NULL;

        for (i = 0; adkcd_uac_flags[i].name != NULL; i++) {
            if (adkcd_uac_flags[i].bit == adts[j].bit)
                name = adkcd_uac_flags[i].name;
        }
        if (name == NULL || strcmp(name, adts[j].name) != 0)
            fail_msg("adkcd_uac_flags: 0x%x is %s, expected %s (MS-ADTS "
                     "2.2.16)",
                     adts[j].bit, name != NULL ? name : "missing",
                     adts[j].name);
    }
}

/* ------------------------------------------------------------------ */
/* adkcd_deleg_check_request                                           */
/* ------------------------------------------------------------------ */

struct req_case {
    const char *name;
    enum adkcd_deleg_verb verb;
    const char *services[MAXV];
    int services_given;
    enum adkcd_deleg_mode mode;
    enum adkcd_deleg_pt pt;
    adkcd_status want;
    const char *phrase1;
    const char *phrase2;
    enum adkcd_deleg_problem problem;
};

static void
check_request(const struct req_case *k, int empty_as_null)
{
    struct adkcd_deleg_request req;
    struct adkcd_err err;
    adkcd_status st;
    enum adkcd_deleg_problem problem, problem2;
    char what[200];

    snprintf(what, sizeof(what), "check_request(%s%s)", k->name,
             empty_as_null ? ", services NULL" : "");
    memset(&req, 0, sizeof(req));
    req.verb = k->verb;
    req.services =
        empty_as_null && k->services[0] == NULL ? NULL : vec(k->services);
    req.services_given = k->services_given;
    req.mode = k->mode;
    req.pt = k->pt;

    h_err_init(&err);
    problem = (enum adkcd_deleg_problem) - 1;
    st = adkcd_deleg_check_request(&req, &problem, &err);
    if (k->want == ADKCD_OK)
        h_assert_ok(what, st, &err);
    else
        h_assert_failed(what, st, k->want, &err, k->phrase1, k->phrase2);
    /* The front ends word the problem by its id; the message names no
     * option of theirs. */
    if (problem != k->problem)
        fail_msg("%s: problem %d, expected %d", what, (int)problem,
                 (int)k->problem);
    if (strstr(err.msg, "--") != NULL)
        fail_msg("%s: the message names an option: \"%s\"", what, err.msg);
    /* force never turns a malformed request into a good one, nor the
     * reverse. */
    req.force = 1;
    h_err_init(&err);
    if (adkcd_deleg_check_request(&req, &problem2, &err) != st ||
        problem2 != problem)
        fail_msg("%s: force changes the result", what);
    h_assert_strv(what, req.services, k->services);
    adkcd_strv_free(req.services);
}

static void
test_check_request(void **state)
{
    static const struct req_case cases[] = {
        /* Every service is a valid SPN: service N names the culprit. */
        {"add, second service has no host",
         ADKCD_DELEG_ADD,
         {"http/a", "http", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "service 2: invalid SPN 'http'",
         "class/host[:port][/name]",
         ADKCD_DP_BAD_SERVICE},
        {"add, empty service",
         ADKCD_DELEG_ADD,
         {"", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         ADKCD_E_USAGE,
         "service 1: invalid SPN",
         "empty",
         ADKCD_DP_BAD_SERVICE},
        {"add, empty host",
         ADKCD_DELEG_ADD,
         {"http/", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "service 1: invalid SPN 'http/'",
         "host part",
         ADKCD_DP_BAD_SERVICE},
        {"add, empty class",
         ADKCD_DELEG_ADD,
         {"cifs/b", "/host", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "service 2: invalid SPN '/host'",
         "service class",
         ADKCD_DP_BAD_SERVICE},
        {"add, bad port",
         ADKCD_DELEG_ADD,
         {"MSSQLSvc/db.mydom.local:0", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KERBEROS,
         ADKCD_E_USAGE,
         "service 1: invalid SPN",
         "port",
         ADKCD_DP_BAD_SERVICE},
        {"add, too many slashes",
         ADKCD_DELEG_ADD,
         {"http/a", "cifs/b", "ldap/c/d/e", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "service 3: invalid SPN 'ldap/c/d/e'",
         "'/'",
         ADKCD_DP_BAD_SERVICE},
        {"remove, with a realm",
         ADKCD_DELEG_REMOVE,
         {"http/a@MYDOM.LOCAL", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "service 1: invalid SPN",
         "realm",
         ADKCD_DP_BAD_SERVICE},
        {"set constrained, whitespace in the third",
         ADKCD_DELEG_SET,
         {"http/a", "cifs/b", "http/a b", NULL},
         1,
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "service 3: invalid SPN",
         "whitespace",
         ADKCD_DP_BAD_SERVICE},
        {"set constrained, control character",
         ADKCD_DELEG_SET,
         {"http/a\nb", NULL},
         1,
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_ANY,
         ADKCD_E_USAGE,
         "service 1: invalid SPN",
         NULL,
         ADKCD_DP_BAD_SERVICE},

        /* add/remove need services. */
        {"add without services",
         ADKCD_DELEG_ADD,
         {NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "at least one SERVICE",
         NULL,
         ADKCD_DP_NO_SERVICE},
        {"add without services, --any-protocol",
         ADKCD_DELEG_ADD,
         {NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         ADKCD_E_USAGE,
         "at least one SERVICE",
         NULL,
         ADKCD_DP_NO_SERVICE},
        {"remove without services",
         ADKCD_DELEG_REMOVE,
         {NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "at least one SERVICE",
         NULL,
         ADKCD_DP_NO_SERVICE},
        /* remove takes no protocol option. */
        /* set. */
        {"set constrained without services",
         ADKCD_DELEG_SET,
         {NULL},
         0,
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "constrained delegation needs at least one service",
         NULL,
         ADKCD_DP_CONSTRAINED_NO_SERVICES},
        {"set constrained, --services given empty",
         ADKCD_DELEG_SET,
         {NULL},
         1,
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_ANY,
         ADKCD_E_USAGE,
         "constrained delegation needs at least one service",
         NULL,
         ADKCD_DP_CONSTRAINED_NO_SERVICES},
        {"set none --services",
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         1,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "a list of services goes with constrained delegation only",
         NULL,
         ADKCD_DP_SERVICES_NOT_CONSTRAINED},
        {"set none, --services given empty",
         ADKCD_DELEG_SET,
         {NULL},
         1,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "a list of services goes with constrained delegation only",
         NULL,
         ADKCD_DP_SERVICES_NOT_CONSTRAINED},
        {"set unconstrained --services",
         ADKCD_DELEG_SET,
         {"http/a", "cifs/b", NULL},
         1,
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_KEEP,
         ADKCD_E_USAGE,
         "a list of services goes with constrained delegation only",
         NULL,
         ADKCD_DP_SERVICES_NOT_CONSTRAINED},
        {"set none --any-protocol",
         ADKCD_DELEG_SET,
         {NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         ADKCD_E_USAGE,
         "a protocol-transition choice goes with constrained",
         "delegation only",
         ADKCD_DP_PT_NOT_CONSTRAINED},
        {"set none --kerberos-only",
         ADKCD_DELEG_SET,
         {NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KERBEROS,
         ADKCD_E_USAGE,
         "a protocol-transition choice goes with constrained",
         NULL,
         ADKCD_DP_PT_NOT_CONSTRAINED},
        {"set unconstrained --any-protocol",
         ADKCD_DELEG_SET,
         {NULL},
         0,
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_ANY,
         ADKCD_E_USAGE,
         "a protocol-transition choice goes with constrained",
         NULL,
         ADKCD_DP_PT_NOT_CONSTRAINED},
        {"set unconstrained --kerberos-only",
         ADKCD_DELEG_SET,
         {NULL},
         0,
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_KERBEROS,
         ADKCD_E_USAGE,
         "a protocol-transition choice goes with constrained",
         NULL,
         ADKCD_DP_PT_NOT_CONSTRAINED},

        /* Valid requests. */
        {"add one",
         ADKCD_DELEG_ADD,
         {"http/iosmdm.mydom.local", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_OK},
        {"add --any-protocol",
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         ADKCD_OK},
        {"add --kerberos-only",
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KERBEROS,
         ADKCD_OK},
        {"add several, port and name",
         ADKCD_DELEG_ADD,
         {"http/a", "MSSQLSvc/db.mydom.local:1433", "ldap/dc1/mydom.local",
          NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_OK},
        {"remove one",
         ADKCD_DELEG_REMOVE,
         {"http/a", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_OK},
        {"remove several",
         ADKCD_DELEG_REMOVE,
         {"http/a", "CIFS/B", NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_OK},
        {"set none",
         ADKCD_DELEG_SET,
         {NULL},
         0,
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         ADKCD_OK},
        {"set unconstrained",
         ADKCD_DELEG_SET,
         {NULL},
         0,
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_KEEP,
         ADKCD_OK},
        {"set constrained",
         ADKCD_DELEG_SET,
         {"http/a", "cifs/b", NULL},
         1,
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KEEP,
         ADKCD_OK},
        {"set constrained --any-protocol",
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         1,
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_ANY,
         ADKCD_OK},
        {"set constrained --kerberos-only",
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         1,
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KERBEROS,
         ADKCD_OK},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        check_request(&cases[i], 0);
        if (cases[i].services[0] == NULL)
            check_request(&cases[i], 1);
    }
}

/*
 * err may be NULL (as everywhere in the library): the status alone must
 * still refuse a malformed request.
 */
static void
test_check_request_null_err(void **state)
{
    static const char *const bad[] = {"http/a", "not an spn", NULL};
    static const char *const good[] = {"http/a", NULL};
    struct adkcd_deleg_request req;

    (void)state;
    memset(&req, 0, sizeof(req));
    req.verb = ADKCD_DELEG_ADD;
    req.services = vec(good);
    assert_int_equal(adkcd_deleg_check_request(&req, NULL, NULL), ADKCD_OK);
    adkcd_strv_free(req.services);

    req.services = NULL;
    assert_int_equal(adkcd_deleg_check_request(&req, NULL, NULL),
                     ADKCD_E_USAGE);

    req.services = vec(bad);
    if (adkcd_deleg_check_request(&req, NULL, NULL) != ADKCD_E_USAGE) {
        adkcd_strv_free(req.services);
        fail_msg("check_request(add \"not an spn\", err NULL): status "
                 "ok, expected usage (an invalid SPN is accepted when err "
                 "is NULL)");
    }
    adkcd_strv_free(req.services);
}

/* ------------------------------------------------------------------ */
/* adkcd_deleg_desired                                                 */
/* ------------------------------------------------------------------ */

struct desired_case {
    const char *name;
    unsigned cur_uac;
    const char *cur[MAXV];
    enum adkcd_deleg_verb verb;
    const char *services[MAXV];
    enum adkcd_deleg_mode mode; /* SET */
    enum adkcd_deleg_pt pt;
    unsigned want_uac;
    const char *want[MAXV];
};

/* Non-zero when the strv got holds exactly the strings of a, in any
 * order. */
static int
same_set(char *const *got, const char *const *a)
{
    size_t i, j, n = count(a);

    if (adkcd_strv_len(got) != n)
        return 0;
    for (i = 0; i < n; i++) {
        int found = 0;

        for (j = 0; j < n; j++)
            found |= strcmp(got[j], a[i]) == 0;
        if (!found)
            return 0;
    }
    return 1;
}

/* Fail when some string of got is one of the strings of v (the same
 * memory, not a copy). */
static void
assert_not_shared(const char *what, char *const *got, char *const *v)
{
    size_t i, j;

    for (i = 0; got != NULL && got[i] != NULL; i++) {
        for (j = 0; v != NULL && v[j] != NULL; j++) {
            if (got[i] == v[j])
                fail_msg("%s: want shares \"%s\" with an input", what,
                         h_esc(got[i]));
        }
    }
}

static void
check_desired(const struct desired_case *k)
{
    struct adkcd_account acct = account("tmg$", DN_TMG, k->cur_uac);
    struct adkcd_deleg_request req;
    struct adkcd_deleg cur, want;
    struct adkcd_plan *plan = NULL;
    char **cur_services, **req_services;
    struct adkcd_err err;
    int unchanged;
    char what[200];

    snprintf(what, sizeof(what), "desired(%s)", k->name);
    memset(&req, 0, sizeof(req));
    req.verb = k->verb;
    req.services = req_services = vec(k->services);
    req.services_given =
        k->verb == ADKCD_DELEG_SET && k->mode == ADKCD_DELEG_CONSTRAINED;
    req.mode = k->mode;
    req.pt = k->pt;
    cur.uac = k->cur_uac;
    cur.services = cur_services = vec(k->cur);

    /* The table holds requests the front end would send. */
    h_err_init(&err);
    h_assert_ok(what, adkcd_deleg_check_request(&req, NULL, &err), &err);

    /* want is an output: whatever it held is overwritten. */
    want.uac = 0xdeadbeefu;
    want.services = (char **)&want;
    h_err_init(&err);
    h_assert_ok(what, adkcd_deleg_desired(&cur, &req, &want, &err), &err);
    if (want.uac != k->want_uac)
        fail_msg("%s: uac 0x%x, expected 0x%x", what, want.uac, k->want_uac);
    assert_services(what, want.services, k->want);

    /* cur and req are left as they were. */
    if (cur.uac != k->cur_uac)
        fail_msg("%s: cur.uac changed to 0x%x", what, cur.uac);
    assert_ptr_equal(cur.services, cur_services);
    h_assert_strv(what, cur.services, k->cur);
    assert_ptr_equal(req.services, req_services);
    h_assert_strv(what, req.services, k->services);

    /* want owns its memory. */
    assert_ptr_not_equal(want.services, cur.services);
    assert_ptr_not_equal(want.services, req.services);
    assert_not_shared(what, want.services, cur.services);
    assert_not_shared(what, want.services, req.services);

    /* Planning cur -> want writes nothing exactly when they are equal. */
    unchanged = k->want_uac == k->cur_uac && same_set(cur.services, k->want);
    h_err_init(&err);
    h_assert_ok(what, adkcd_plan_new(&plan, &err), &err);
    h_assert_ok(what, adkcd_deleg_plan(plan, &acct, &cur, &want, &err), &err);
    if ((adkcd_plan_is_empty(plan) != 0) != unchanged)
        fail_msg("%s: plan is %s, expected %s", what,
                 adkcd_plan_is_empty(plan) ? "empty" : "not empty",
                 unchanged ? "empty" : "not empty");
    adkcd_plan_free(plan);

    /* Freeing the inputs leaves want intact (valgrind/ASan check). */
    adkcd_strv_free(cur_services);
    adkcd_strv_free(req_services);
    assert_services(what, want.services, k->want);
    adkcd_deleg_clear(&want);
    assert_null(want.services);
    assert_int_equal(want.uac, 0);
}

static void
test_desired(void **state)
{
    static const struct desired_case cases[] = {
        /* none -> constrained. */
        {"none -> constrained by add, pt keep",
         WS,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {"http/a", NULL}},
        {"none -> constrained by add --any-protocol",
         WS,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         WS | T2A,
         {"http/a", NULL}},
        {"none -> constrained by add --kerberos-only",
         WS,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KERBEROS,
         WS,
         {"http/a", NULL}},
        {"none -> constrained, two services, other bits kept",
         WS | DIS | NOEXP,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", "cifs/b.mydom.local", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         WS | DIS | NOEXP | T2A,
         {"http/a", "cifs/b.mydom.local", NULL}},
        {"none with a stray 0x1000000: add, pt keep leaves it",
         WS | T2A,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | T2A,
         {"http/a", NULL}},
        {"none with a stray 0x1000000: add --kerberos-only clears it",
         WS | T2A,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KERBEROS,
         WS,
         {"http/a", NULL}},
        {"none -> constrained by set --any-protocol",
         WS,
         {NULL},
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_ANY,
         WS | T2A,
         {"http/a", NULL}},

        /* Kerberos only <-> any protocol. */
        {"kerberos -> any: add a present service --any-protocol",
         WS,
         {"http/a", NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         WS | T2A,
         {"http/a", NULL}},
        {"kerberos -> any: add another --any-protocol",
         WS,
         {"http/a", NULL},
         ADKCD_DELEG_ADD,
         {"cifs/b", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         WS | T2A,
         {"http/a", "cifs/b", NULL}},
        {"kerberos -> any: set the same list --any-protocol",
         WS,
         {"http/a", NULL},
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_ANY,
         WS | T2A,
         {"http/a", NULL}},
        {"any -> kerberos: add another --kerberos-only",
         WS | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_ADD,
         {"cifs/b", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KERBEROS,
         WS,
         {"http/a", "cifs/b", NULL}},
        {"any -> kerberos: set the same list --kerberos-only",
         WS | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KERBEROS,
         WS,
         {"http/a", NULL}},
        {"any: add another, pt keep keeps any",
         WS | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_ADD,
         {"cifs/b", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | T2A,
         {"http/a", "cifs/b", NULL}},

        /* Adding what is there. */
        {"add a present service in another case: no duplicate, stored "
         "spelling kept",
         WS,
         {"HTTP/Iosmdm.mydom.local", NULL},
         ADKCD_DELEG_ADD,
         {"http/iosmdm.MYDOM.LOCAL", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {"HTTP/Iosmdm.mydom.local", NULL}},
        {"add present and new ones, repeated in the request",
         WS | T2A,
         {"HTTP/A", "cifs/b", NULL},
         ADKCD_DELEG_ADD,
         {"http/a", "ldap/c", "LDAP/C", "CIFS/B", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | T2A,
         {"HTTP/A", "cifs/b", "ldap/c", NULL}},

        /* unconstrained -> constrained: the radio button. */
        {"unconstrained -> constrained via add (0x80000 cleared)",
         WS | TFD,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {"http/a", NULL}},
        {"unconstrained -> constrained via add --any-protocol",
         WS | TFD,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         WS | T2A,
         {"http/a", NULL}},
        {"unconstrained with stale services -> constrained via add",
         WS | TFD,
         {"cifs/old", NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {"cifs/old", "http/a", NULL}},
        {"unconstrained -> constrained via set",
         WS | TFD | DIS,
         {"cifs/old", NULL},
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KERBEROS,
         WS | DIS,
         {"http/a", NULL}},

        /* remove. */
        {"remove one of two",
         WS,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_REMOVE,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {"cifs/b", NULL}},
        {"remove one of two, in another case; any protocol stays",
         WS | T2A,
         {"HTTP/A", "cifs/b", NULL},
         ADKCD_DELEG_REMOVE,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | T2A,
         {"cifs/b", NULL}},
        {"remove the last: mode none, 0x1000000 cleared",
         WS | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_REMOVE,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {NULL}},
        {"remove the last, Kerberos only",
         WS | DIS,
         {"http/a", NULL},
         ADKCD_DELEG_REMOVE,
         {"HTTP/A", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | DIS,
         {NULL}},
        {"remove all at once",
         WS | T2A | NOEXP,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_REMOVE,
         {"cifs/b", "http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | NOEXP,
         {NULL}},
        {"remove the last while unconstrained: 0x80000 kept",
         WS | TFD,
         {"http/a", NULL},
         ADKCD_DELEG_REMOVE,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | TFD,
         {NULL}},
        /* Still unconstrained, so not "none": protocol transition is left
         * as it is (deleg.c does this on purpose). */
        {"remove the last while unconstrained: 0x1000000 left alone",
         WS | TFD | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_REMOVE,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | TFD | T2A,
         {NULL}},
        {"remove an absent service: unchanged",
         WS,
         {"http/a", NULL},
         ADKCD_DELEG_REMOVE,
         {"cifs/b", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {"http/a", NULL}},
        {"remove an absent service, any protocol: unchanged",
         WS | T2A,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_REMOVE,
         {"ldap/c", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | T2A,
         {"http/a", "cifs/b", NULL}},

        /* set none. */
        {"set none from constrained any: both flags and services cleared, "
         "0x1000 and 0x2 kept",
         WS | DIS | T2A,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | DIS,
         {NULL}},
        {"set none from unconstrained",
         WS | DIS | TFD,
         {NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | DIS,
         {NULL}},
        {"set none from both flags and services",
         WS | TFD | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {NULL}},
        {"set none from a stray 0x1000000",
         WS | T2A,
         {NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS,
         {NULL}},
        {"set none when none: unchanged",
         WS | DIS,
         {NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_KEEP,
         WS | DIS,
         {NULL}},

        /* set unconstrained. */
        {"set unconstrained from constrained any: 0x80000 set, "
         "0x1000000 and services cleared",
         WS | T2A,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_KEEP,
         WS | TFD,
         {NULL}},
        {"set unconstrained from none",
         WS | DIS,
         {NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_KEEP,
         WS | DIS | TFD,
         {NULL}},
        {"set unconstrained from unconstrained with stale services",
         WS | TFD | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_KEEP,
         WS | TFD,
         {NULL}},
        {"set unconstrained when unconstrained: unchanged",
         WS | TFD,
         {NULL},
         ADKCD_DELEG_SET,
         {NULL},
         ADKCD_DELEG_UNCONSTRAINED,
         ADKCD_PT_KEEP,
         WS | TFD,
         {NULL}},

        /* set constrained: exactly the list. */
        {"set constrained: stored spelling kept, addition, removal",
         WS,
         {"HTTP/A", "cifs/b", NULL},
         ADKCD_DELEG_SET,
         {"http/a", "ldap/c", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KEEP,
         WS,
         {"HTTP/A", "ldap/c", NULL}},
        {"set constrained, pt keep keeps any protocol",
         WS | T2A,
         {"http/a", NULL},
         ADKCD_DELEG_SET,
         {"cifs/b", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KEEP,
         WS | T2A,
         {"cifs/b", NULL}},
        {"set constrained --any-protocol, replacing everything",
         WS,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_SET,
         {"ldap/c", "host/d", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_ANY,
         WS | T2A,
         {"ldap/c", "host/d", NULL}},
        {"set constrained --kerberos-only, list repeated in another case",
         WS | T2A,
         {"Cifs/B", NULL},
         ADKCD_DELEG_SET,
         {"http/a", "HTTP/A", "cifs/b", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KERBEROS,
         WS,
         {"http/a", "Cifs/B", NULL}},
        {"set constrained to the state already there (other order and "
         "case)",
         WS | T2A | DIS,
         {"http/a", "cifs/b", NULL},
         ADKCD_DELEG_SET,
         {"CIFS/B", "HTTP/A", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_ANY,
         WS | T2A | DIS,
         {"http/a", "cifs/b", NULL}},
        {"set constrained, Kerberos only, already there",
         WS,
         {"http/a", NULL},
         ADKCD_DELEG_SET,
         {"http/a", NULL},
         ADKCD_DELEG_CONSTRAINED,
         ADKCD_PT_KERBEROS,
         WS,
         {"http/a", NULL}},
        {"the high bit survives",
         WS | 0x80000000u,
         {NULL},
         ADKCD_DELEG_ADD,
         {"http/a", NULL},
         ADKCD_DELEG_NONE,
         ADKCD_PT_ANY,
         WS | 0x80000000u | T2A,
         {"http/a", NULL}},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_desired(&cases[i]);
}

/* A service cur holds in two spellings is not duplicated by an add. */
static void
test_desired_stored_twice(void **state)
{
    static const char *const stored[] = {"http/a", "HTTP/A", NULL};
    static const char *const add[] = {"Http/A", NULL};
    struct adkcd_deleg_request req;
    struct adkcd_deleg cur, want = {0, NULL};
    struct adkcd_err err;

    (void)state;
    memset(&req, 0, sizeof(req));
    req.verb = ADKCD_DELEG_ADD;
    req.services = vec(add);
    cur.uac = WS;
    cur.services = vec(stored);
    h_err_init(&err);
    h_assert_ok("desired(stored twice)",
                adkcd_deleg_desired(&cur, &req, &want, &err), &err);
    assert_int_equal(want.uac, WS);
    assert_int_equal(adkcd_strv_len(want.services), 1);
    assert_true(strcmp(want.services[0], "http/a") == 0 ||
                strcmp(want.services[0], "HTTP/A") == 0);
    h_assert_strv("desired(stored twice): cur", cur.services, stored);
    adkcd_deleg_clear(&want);
    adkcd_strv_free(cur.services);
    adkcd_strv_free(req.services);
}

/* ------------------------------------------------------------------ */
/* adkcd_deleg_from_account, adkcd_deleg_clear                         */
/* ------------------------------------------------------------------ */

static void
test_from_account(void **state)
{
    static const char *const a2d[] = {"http/a", "cifs/b", NULL};
    struct adkcd_account acct = account("tmg$", DN_TMG, WS | T2A);
    struct adkcd_deleg d = {0, NULL};
    struct adkcd_err err;

    (void)state;
    /* No msDS-AllowedToDelegateTo: the empty vector, never NULL. */
    h_err_init(&err);
    h_assert_ok("from_account(none)", adkcd_deleg_from_account(&acct, &d, &err),
                &err);
    assert_int_equal(d.uac, WS | T2A);
    assert_non_null(d.services);
    assert_null(d.services[0]);
    adkcd_deleg_clear(&d);
    assert_null(d.services);
    assert_int_equal(d.uac, 0);
    adkcd_deleg_clear(&d); /* twice is harmless */

    /* A copy, not the account's vector. */
    acct.delegate_to = vec(a2d);
    acct.delegate_to_present = 1;
    h_err_init(&err);
    h_assert_ok("from_account(two)", adkcd_deleg_from_account(&acct, &d, &err),
                &err);
    assert_ptr_not_equal(d.services, acct.delegate_to);
    assert_not_shared("from_account", d.services, acct.delegate_to);
    adkcd_strv_free(acct.delegate_to);
    acct.delegate_to = NULL;
    h_assert_strv("from_account(two)", d.services, a2d);
    assert_int_equal(adkcd_deleg_mode_of(&d), ADKCD_DELEG_CONSTRAINED);
    assert_string_equal(adkcd_deleg_describe(&d), D_ANY);
    adkcd_deleg_clear(&d);
}

/* ------------------------------------------------------------------ */
/* adkcd_deleg_check_safety                                            */
/* ------------------------------------------------------------------ */

struct safety_case {
    const char *name;
    const char *sam;
    const char *dn;
    unsigned cur_uac; /* also the account's */
    unsigned want_uac;
    int force;
    adkcd_status status;
    const char *phrase1;
    const char *phrase2;
    int rodc_linked; /* msDS-KrbTgtLinkBl: a read-only DC links to it */
};

static void
check_safety(const struct safety_case *k)
{
    static const char *const none[] = {NULL};
    static const char *const some[] = {"http/a", NULL};
    struct adkcd_account acct = account(k->sam, k->dn, k->cur_uac);
    struct adkcd_deleg cur, want;
    struct adkcd_err err;
    adkcd_status st;
    char what[200];

    snprintf(what, sizeof(what), "check_safety(%s%s)", k->name,
             k->force ? ", force" : "");
    acct.rodc_linked = k->rodc_linked;
    cur.uac = k->cur_uac;
    cur.services = vec(none);
    want.uac = k->want_uac;
    want.services = vec(some);

    h_err_init(&err);
    st = adkcd_deleg_check_safety(&acct, &cur, &want, k->force, &err);
    if (k->status == ADKCD_OK) {
        h_assert_ok(what, st, &err);
    } else {
        h_assert_failed(what, st, k->status, &err, k->phrase1, k->phrase2);
        h_assert_contains(what, err.msg, k->dn);
        /* The override is a hint the front end words (--force). */
        if (err.hints != ADKCD_HINT_FORCE)
            fail_msg("%s: hints 0x%x, expected force", what, err.hints);
        if (strstr(err.msg, "--") != NULL)
            fail_msg("%s: the message names an option: \"%s\"", what, err.msg);
    }
    /* Pure. */
    assert_int_equal(cur.uac, k->cur_uac);
    assert_int_equal(want.uac, k->want_uac);
    assert_int_equal(acct.uac, k->cur_uac);
    adkcd_strv_free(cur.services);
    adkcd_strv_free(want.services);
}

static void
test_check_safety(void **state)
{
    static const struct safety_case cases[] = {
        /* Ordinary accounts: anything goes. */
        {"workstation gains 0x80000", "tmg$", DN_TMG, WS, WS | TFD, 0,
         ADKCD_OK},
        {"workstation gains 0x1000000", "tmg$", DN_TMG, WS, WS | T2A, 0,
         ADKCD_OK},
        {"workstation gains both", "tmg$", DN_TMG, WS, WS | TFD | T2A, 0,
         ADKCD_OK},
        {"workstation loses 0x80000", "tmg$", DN_TMG, WS | TFD, WS | T2A, 0,
         ADKCD_OK},
        {"user gains 0x1000000", "iosmdm", DN_IOSMDM, 0x200u, 0x200u | T2A, 0,
         ADKCD_OK},

        /* Domain controllers. */
        {"DC gains 0x1000000", "DC1$", DN_DC1, DC_UAC, DC_UAC | T2A, 0,
         ADKCD_E_ACCESS, "domain controller", "protocol transition"},
        {"DC loses 0x80000", "DC1$", DN_DC1, DC_UAC, DC_UAC & ~TFD, 0,
         ADKCD_E_ACCESS, "switch off unconstrained", "domain controller"},
        {"DC loses 0x80000 and gains 0x1000000 (add --any-protocol)", "DC1$",
         DN_DC1, DC_UAC, (DC_UAC & ~TFD) | T2A, 0, ADKCD_E_ACCESS,
         "domain controller", NULL},
        {"DC without 0x80000 gains it", "DC1$", DN_DC1,
         ADKCD_UAC_SERVER_TRUST_ACCOUNT, DC_UAC, 0, ADKCD_E_ACCESS,
         "domain controller", "unconstrained delegation"},
        {"DC unchanged", "DC1$", DN_DC1, DC_UAC, DC_UAC, 0, ADKCD_OK},
        {"DC loses 0x1000000", "DC1$", DN_DC1, DC_UAC | T2A, DC_UAC, 0,
         ADKCD_OK},

        /* krbtgt. */
        {"krbtgt gains 0x80000", "krbtgt", DN_KRBTGT, KRBTGT_UAC,
         KRBTGT_UAC | TFD, 0, ADKCD_E_ACCESS, "krbtgt",
         "unconstrained delegation"},
        {"krbtgt gains 0x1000000", "krbtgt", DN_KRBTGT, KRBTGT_UAC,
         KRBTGT_UAC | T2A, 0, ADKCD_E_ACCESS, "krbtgt", "protocol transition"},
        {"KRBTGT (another case) gains 0x80000", "KRBTGT", DN_KRBTGT, KRBTGT_UAC,
         KRBTGT_UAC | TFD, 0, ADKCD_E_ACCESS, "krbtgt", NULL},
        {"krbtgt loses both flags", "krbtgt", DN_KRBTGT, KRBTGT_UAC | TFD | T2A,
         KRBTGT_UAC, 0, ADKCD_OK},
        {"krbtgt loses 0x80000", "krbtgt", DN_KRBTGT, KRBTGT_UAC | TFD,
         KRBTGT_UAC, 0, ADKCD_OK},
        {"krbtgt unchanged", "krbtgt", DN_KRBTGT, KRBTGT_UAC, KRBTGT_UAC, 0,
         ADKCD_OK},

        /* A read-only DC's krbtgt is known by its link, not its name
         * (adkcd_uac_is_krbtgt()): a user merely named krbtgt_NNNNN is
         * an ordinary account, and a linked one is a KDC's whatever its
         * name. */
        {"a user named krbtgt_12345 gains 0x1000000", "krbtgt_12345", DN_IOSMDM,
         0x200u, 0x200u | T2A, 0, ADKCD_OK},
        {"a user named KRBTGT_9 gains 0x80000", "KRBTGT_9", DN_IOSMDM, 0x200u,
         0x200u | TFD, 0, ADKCD_OK},
        {"RODC-linked krbtgt_4242 gains 0x1000000", "krbtgt_4242", DN_KRBTGT,
         KRBTGT_UAC, KRBTGT_UAC | T2A, 0, ADKCD_E_ACCESS, "krbtgt",
         "protocol transition", 1},
        {"RODC-linked account of another name gains 0x80000", "kdcacct",
         DN_KRBTGT, KRBTGT_UAC, KRBTGT_UAC | TFD, 0, ADKCD_E_ACCESS, "krbtgt",
         "unconstrained delegation", 1},
        {"RODC-linked krbtgt_4242 gains 0x1000000, force", "krbtgt_4242",
         DN_KRBTGT, KRBTGT_UAC, KRBTGT_UAC | T2A, 1, ADKCD_OK, NULL, NULL, 1},

        /* A read-only DC (PARTIAL_SECRETS_ACCOUNT) is a DC. */
        {"RODC gains 0x80000", "RODC1$", DN_DC1, 0x4001000u, 0x4001000u | TFD,
         0, ADKCD_E_ACCESS, "domain controller", "unconstrained delegation"},

        /* force allows everything. */
        {"DC gains 0x1000000", "DC1$", DN_DC1, DC_UAC, DC_UAC | T2A, 1,
         ADKCD_OK},
        {"DC loses 0x80000", "DC1$", DN_DC1, DC_UAC, DC_UAC & ~TFD, 1,
         ADKCD_OK},
        {"DC without 0x80000 gains it", "DC1$", DN_DC1,
         ADKCD_UAC_SERVER_TRUST_ACCOUNT, DC_UAC, 1, ADKCD_OK},
        {"krbtgt gains 0x80000", "krbtgt", DN_KRBTGT, KRBTGT_UAC,
         KRBTGT_UAC | TFD, 1, ADKCD_OK},
        {"krbtgt gains 0x1000000", "krbtgt", DN_KRBTGT, KRBTGT_UAC,
         KRBTGT_UAC | T2A, 1, ADKCD_OK},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_safety(&cases[i]);
}

/* ------------------------------------------------------------------ */
/* adkcd_deleg_plan                                                    */
/* ------------------------------------------------------------------ */

/*
 * Fail unless the operations of c are exactly want, written "+attr=value"
 * (ADD) or "-attr=value" (DELETE), in order.
 */
static void
assert_ops(const char *what, const struct adkcd_change *c,
           const char *const *want)
{
    size_t i, n_want = count(want);

    for (i = 0; i < c->n_ops && i < n_want; i++) {
        const struct adkcd_op *op = &c->ops[i];
        char got[300];

        snprintf(got, sizeof(got), "%c%s=%s",
                 op->kind == ADKCD_OP_ADD      ? '+'
                 : op->kind == ADKCD_OP_DELETE ? '-'
                                               : '?',
                 op->attr, op->value.data);
        if (strcmp(got, want[i]) != 0)
            fail_msg("%s: op %zu is %s, expected %s", what, i, h_esc(got),
                     h_esc(want[i]));
    }
    if (c->n_ops != n_want)
        fail_msg("%s: %zu ops, expected %zu", what, c->n_ops, n_want);
}

static void
assert_image(const char *what, const struct adkcd_change *c, const char *attr,
             int before_present, const char *const *before, int after_present,
             const char *const *after)
{
    const struct adkcd_image *img = adkcd_change_image(c, attr);

    if (img == NULL)
        fail_msg("%s: no image of %s", what, attr);
    if (img->before_present != before_present)
        fail_msg("%s: %s before_present %d, expected %d", what, attr,
                 img->before_present, before_present);
    h_assert_vals(what, &img->before, before);
    if (img->after_present != after_present)
        fail_msg("%s: %s after_present %d, expected %d", what, attr,
                 img->after_present, after_present);
    h_assert_vals(what, &img->after, after);
}

struct plan_case {
    const char *name;
    unsigned cur_uac;
    const char *cur[MAXV];
    unsigned want_uac;
    const char *want[MAXV];
    const char *ops[MAXV];
    /* The images: userAccountControl as written, then the services. */
    const char *uac_before;
    const char *uac_after;
    int a2d_before_present;
    int a2d_after_present;
    const char *a2d_after[MAXV];
};

static void
check_plan(const struct plan_case *k)
{
    struct adkcd_account acct = account("tmg$", DN_TMG, k->cur_uac);
    struct adkcd_plan *plan = NULL;
    struct adkcd_deleg cur, want;
    const char *uac_before[2], *uac_after[2];
    const struct adkcd_change *c;
    struct adkcd_err err;
    char what[200];

    snprintf(what, sizeof(what), "deleg_plan(%s)", k->name);
    cur.uac = k->cur_uac;
    cur.services = vec(k->cur);
    want.uac = k->want_uac;
    want.services = vec(k->want);

    h_err_init(&err);
    h_assert_ok(what, adkcd_plan_new(&plan, &err), &err);
    h_assert_ok(what, adkcd_deleg_plan(plan, &acct, &cur, &want, &err), &err);
    /* cur and want are the caller's: free them before looking. */
    adkcd_strv_free(cur.services);
    adkcd_strv_free(want.services);

    if ((adkcd_plan_is_empty(plan) != 0) != (k->ops[0] == NULL))
        fail_msg("%s: plan_is_empty %d", what, adkcd_plan_is_empty(plan));
    assert_int_equal(adkcd_plan_count_ops(plan), count(k->ops));
    if (plan->n == 0) {
        /* Nothing planned at all is fine when nothing is to be done. */
        assert_null(k->ops[0]);
        adkcd_plan_free(plan);
        return;
    }
    /* One change: one modify of the account. */
    assert_int_equal(plan->n, 1);
    c = &plan->changes[0];
    assert_string_equal(c->dn, DN_TMG);
    assert_string_equal(c->label, "computer tmg$");
    assert_ops(what, c, k->ops);

    uac_before[0] = k->uac_before;
    uac_before[1] = NULL;
    uac_after[0] = k->uac_after;
    uac_after[1] = NULL;
    /* userAccountControl is swapped, or guarded when only the services
     * change; an empty plan does not touch it at all. */
    if (k->ops[0] != NULL)
        assert_image(what, c, UAC, 1, uac_before, 1, uac_after);
    else if (adkcd_change_image(c, UAC) != NULL)
        fail_msg("%s: an image of %s in an empty plan", what, UAC);
    assert_image(what, c, A2D, k->a2d_before_present, k->cur,
                 k->a2d_after_present, k->a2d_after);
    adkcd_plan_free(plan);
}

static void
test_plan(void **state)
{
    static const struct plan_case cases[] = {
        {"none -> constrained any, one service",
         4096u,
         {NULL},
         16781312u,
         {"http/a", NULL},
         {"-" UAC "=4096", "+" UAC "=16781312", "+" A2D "=http/a", NULL},
         "4096",
         "16781312",
         0,
         1,
         {"http/a", NULL}},
        {"equal states, no services: nothing",
         4096u,
         {NULL},
         4096u,
         {NULL},
         {NULL},
         "4096",
         "4096",
         0,
         0,
         {NULL}},
        {"equal states, constrained: nothing",
         16781312u,
         {"http/a", "cifs/b", NULL},
         16781312u,
         {"http/a", "cifs/b", NULL},
         {NULL},
         "16781312",
         "16781312",
         1,
         1,
         {"http/a", "cifs/b", NULL}},
        {"equal sets in another order: nothing",
         4096u,
         {"http/a", "cifs/b", NULL},
         4096u,
         {"cifs/b", "http/a", NULL},
         {NULL},
         "4096",
         "4096",
         1,
         1,
         {"http/a", "cifs/b", NULL}},
        {"services only: userAccountControl guarded (delete and re-add)",
         4096u,
         {"HTTP/A", "cifs/b", NULL},
         4096u,
         {"HTTP/A", "ldap/c", NULL},
         {"-" UAC "=4096", "+" UAC "=4096", "-" A2D "=cifs/b",
          "+" A2D "=ldap/c", NULL},
         "4096",
         "4096",
         1,
         1,
         {"HTTP/A", "ldap/c", NULL}},
        {"uac only: Kerberos only -> any",
         4096u,
         {"http/a", NULL},
         16781312u,
         {"http/a", NULL},
         {"-" UAC "=4096", "+" UAC "=16781312", NULL},
         "4096",
         "16781312",
         1,
         1,
         {"http/a", NULL}},
        {"remove the last: mode none",
         16781312u,
         {"http/a", NULL},
         4096u,
         {NULL},
         {"-" UAC "=16781312", "+" UAC "=4096", "-" A2D "=http/a", NULL},
         "16781312",
         "4096",
         1,
         0,
         {NULL}},
        {"set unconstrained",
         16781312u,
         {"http/a", "cifs/b", NULL},
         4096u | TFD,
         {NULL},
         {"-" UAC "=16781312", "+" UAC "=528384", "-" A2D "=http/a",
          "-" A2D "=cifs/b", NULL},
         "16781312",
         "528384",
         1,
         0,
         {NULL}},
        /* userAccountControl is a signed 32-bit integer in LDAP. */
        {"0x80000000 is written negative",
         4096u,
         {NULL},
         0x80000000u,
         {NULL},
         {"-" UAC "=4096", "+" UAC "=-2147483648", NULL},
         "4096",
         "-2147483648",
         0,
         0,
         {NULL}},
        {"from a negative value",
         0x80001000u,
         {NULL},
         0x80001000u | T2A,
         {"http/a", NULL},
         {"-" UAC "=-2147479552", "+" UAC "=-2130702336", "+" A2D "=http/a",
          NULL},
         "-2147479552",
         "-2130702336",
         0,
         1,
         {"http/a", NULL}},
        {"all bits",
         0xffffffffu,
         {NULL},
         0x7fffffffu,
         {NULL},
         {"-" UAC "=-1", "+" UAC "=2147483647", NULL},
         "-1",
         "2147483647",
         0,
         0,
         {NULL}},
        {"equal negative states: nothing",
         0x80000000u | WS,
         {NULL},
         0x80000000u | WS,
         {NULL},
         {NULL},
         "-2147479552",
         "-2147479552",
         0,
         0,
         {NULL}},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_plan(&cases[i]);
}

/* The brief's main case spelled out: op kinds and attributes one by one. */
static void
test_plan_none_to_constrained(void **state)
{
    static const char *const none[] = {NULL};
    static const char *const http_a[] = {"http/a", NULL};
    struct adkcd_account acct = account("tmg$", DN_TMG, 4096u);
    struct adkcd_deleg cur, want;
    struct adkcd_plan *plan = NULL;
    const struct adkcd_change *c;
    struct adkcd_err err;

    (void)state;
    cur.uac = 4096u;
    cur.services = vec(none);
    want.uac = 16781312u;
    want.services = vec(http_a);
    h_err_init(&err);
    h_assert_ok("plan_new", adkcd_plan_new(&plan, &err), &err);
    h_assert_ok("deleg_plan", adkcd_deleg_plan(plan, &acct, &cur, &want, &err),
                &err);
    assert_int_equal(plan->n, 1);
    c = &plan->changes[0];
    assert_string_equal(c->dn, DN_TMG);
    assert_int_equal(c->n_ops, 3);
    assert_int_equal(c->ops[0].kind, ADKCD_OP_DELETE);
    assert_string_equal(c->ops[0].attr, "userAccountControl");
    assert_string_equal(c->ops[0].value.data, "4096");
    assert_int_equal(c->ops[1].kind, ADKCD_OP_ADD);
    assert_string_equal(c->ops[1].attr, "userAccountControl");
    assert_string_equal(c->ops[1].value.data, "16781312");
    assert_int_equal(c->ops[2].kind, ADKCD_OP_ADD);
    assert_string_equal(c->ops[2].attr, "msDS-AllowedToDelegateTo");
    assert_string_equal(c->ops[2].value.data, "http/a");
    assert_int_equal(c->applied, 0);
    assert_false(adkcd_plan_is_empty(plan));

    /* The plan holds copies. */
    assert_ptr_not_equal(c->ops[2].value.data, want.services[0]);
    adkcd_strv_free(cur.services);
    adkcd_strv_free(want.services);
    assert_string_equal(c->ops[2].value.data, "http/a");
    adkcd_plan_free(plan);
}

/* A user account's label. */
static void
test_plan_user_label(void **state)
{
    static const char *const none[] = {NULL};
    static const char *const http_a[] = {"http/iosmdm.mydom.local", NULL};
    struct adkcd_account acct = account("iosmdm", DN_IOSMDM, 0x200u);
    struct adkcd_deleg cur, want;
    struct adkcd_plan *plan = NULL;
    struct adkcd_err err;

    (void)state;
    cur.uac = 0x200u;
    cur.services = vec(none);
    want.uac = 0x200u;
    want.services = vec(http_a);
    h_err_init(&err);
    h_assert_ok("plan_new", adkcd_plan_new(&plan, &err), &err);
    h_assert_ok("deleg_plan", adkcd_deleg_plan(plan, &acct, &cur, &want, &err),
                &err);
    assert_int_equal(plan->n, 1);
    assert_string_equal(plan->changes[0].dn, DN_IOSMDM);
    assert_string_equal(plan->changes[0].label, "user iosmdm");
    /* The service, and the guard on userAccountControl (delete, re-add). */
    assert_int_equal(adkcd_plan_count_ops(plan), 3);
    adkcd_strv_free(cur.services);
    adkcd_strv_free(want.services);
    adkcd_plan_free(plan);
}

/* The findings every tool words (show, add/set, audit). */
static void
check_findings(const char *what, unsigned uac, char **services,
               const enum adkcd_deleg_finding *want, size_t n_want)
{
    enum adkcd_deleg_finding f[ADKCD_DF_MAX];
    char *none[] = {NULL};
    struct adkcd_deleg d = {uac, services != NULL ? services : none};
    size_t i, n = adkcd_deleg_findings(uac, &d, f);

    if (n != n_want)
        fail_msg("%s: %zu findings, expected %zu", what, n, n_want);
    for (i = 0; i < n; i++) {
        if (f[i] != want[i])
            fail_msg("%s: finding %zu is %d, expected %d", what, i, f[i],
                     want[i]);
    }
}

static void
test_findings(void **state)
{
    char *svc[] = {"http/a", NULL};

    (void)state;
    check_findings("nothing", 0x1000, NULL, NULL, 0);
    check_findings("writable DC", 0x2000 | 0x80000, NULL,
                   (const enum adkcd_deleg_finding[]){ADKCD_DF_DC_EXPECTED}, 1);
    check_findings("member", 0x1000 | 0x80000, NULL,
                   (const enum adkcd_deleg_finding[]){ADKCD_DF_UNCONSTRAINED},
                   1);
    check_findings("read-only DC unconstrained", 0x4001000 | 0x80000, NULL,
                   (const enum adkcd_deleg_finding[]){ADKCD_DF_UNCONSTRAINED},
                   1);
    check_findings("unconstrained with a list, disabled",
                   0x1000 | 0x80000 | 0x2, svc,
                   (const enum adkcd_deleg_finding[]){
                       ADKCD_DF_UNCONSTRAINED, ADKCD_DF_UNCONSTRAINED_LIST,
                       ADKCD_DF_DISABLED},
                   3);
    check_findings("read-only DC as created", 0x5001000, NULL,
                   (const enum adkcd_deleg_finding[]){ADKCD_DF_DC_EXPECTED}, 1);
    check_findings("protocol transition alone", 0x1001000, NULL,
                   (const enum adkcd_deleg_finding[]){ADKCD_DF_PT_ALONE}, 1);
    check_findings("constrained", 0x1001000, svc, NULL, 0);
    assert_int_equal(adkcd_service_finding(0, 1), ADKCD_SVC_INVALID);
    assert_int_equal(adkcd_service_finding(1, 0), ADKCD_SVC_UNHELD);
    assert_int_equal(adkcd_service_finding(1, 1), ADKCD_SVC_OK);
    assert_int_equal(adkcd_service_finding(1, 2), ADKCD_SVC_DUPLICATE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_name),
        cmocka_unit_test(test_mode_of),
        cmocka_unit_test(test_uac_describe),
        cmocka_unit_test(test_uac_describe_null_err),
        cmocka_unit_test(test_uac_flags_table),
        cmocka_unit_test(test_check_request),
        cmocka_unit_test(test_check_request_null_err),
        cmocka_unit_test(test_desired),
        cmocka_unit_test(test_desired_stored_twice),
        cmocka_unit_test(test_from_account),
        cmocka_unit_test(test_check_safety),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_plan_none_to_constrained),
        cmocka_unit_test(test_plan_user_label),
        cmocka_unit_test(test_findings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
