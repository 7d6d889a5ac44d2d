/*
 * adkcd unit tests: the pure parts of adkcd/kcdcheck.h: verdict names,
 * edit distance and near misses, the findings accessors, and
 * adkcd_kcd_decide(), which turns what the directory says into findings.
 * adkcd_kcd_check() reads a DC and is covered by the integration tests
 * (t_kcd_verify.sh).  The fixes are checked as ids and data: their words
 * and commands are the front end's (src/adkcd/fixes.c).
 */
#include "harness.h"

#include "adkcd/account.h"
#include "adkcd/kcdcheck.h"

#define SVC "http/iosmdm.mydom.local"
#define DN_IOSMDM "CN=iosmdm,CN=Users,DC=mydom,DC=local"
#define DN_WEB "CN=web,CN=Computers,DC=mydom,DC=local"
#define DN_DC1 "CN=DC1,OU=Domain Controllers,DC=mydom,DC=local"
#define DN_ALICE "CN=alice,CN=Users,DC=mydom,DC=local"

#define WS ADKCD_UAC_WORKSTATION_TRUST_ACCOUNT
#define T2A ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION
#define TFD ADKCD_UAC_TRUSTED_FOR_DELEGATION
#define NOTDEL ADKCD_UAC_NOT_DELEGATED
#define DIS ADKCD_UAC_ACCOUNTDISABLE
#define NORMAL 0x200u

/* The ids in the order the header promises. */
static const char *const ids[] = {
    "account-enabled", "account-sensitive",
    "account-spn",     "mode",
    "service-listed",  "protocol-transition",
    "service-holder",  "service-dc",
    "resource-based",  "user-found",
    "user-enabled",    "user-sensitive",
    "user-protected",
};

/* ------------------------------------------------------------------ */
/* adkcd_verdict_name                                                  */
/* ------------------------------------------------------------------ */

static void
test_verdict_name(void **state)
{
    (void)state;
    assert_string_equal(adkcd_verdict_name(ADKCD_PASS), "pass");
    assert_string_equal(adkcd_verdict_name(ADKCD_WARN), "warn");
    assert_string_equal(adkcd_verdict_name(ADKCD_FAIL), "fail");
    assert_string_equal(adkcd_verdict_name(ADKCD_SKIP), "skip");
    /* Out of range: never NULL. */
    assert_string_equal(adkcd_verdict_name((enum adkcd_verdict)42), "skip");
}

/* ------------------------------------------------------------------ */
/* adkcd_edit_distance                                                 */
/* ------------------------------------------------------------------ */

static void
test_edit_distance(void **state)
{
    static const struct {
        const char *a, *b;
        size_t d;
    } cases[] = {
        {"", "", 0},
        {"abc", "", 3},
        {"", "abc", 3},
        {"abc", "abc", 0},
        {"kitten", "sitting", 3},
        {"flaw", "lawn", 2},
        /* Case is ignored (ASCII). */
        {"HTTP/IOSMDM.mydom.local", SVC, 0},
        {"A", "a", 0},
        {SVC, "http/iosmdm.mydom.locl", 1},   /* one byte dropped */
        {SVC, "http/iosmdm.mydom.locall", 1}, /* one byte added */
        {SVC, "http/iosmdn.mydom.local", 1},  /* one byte changed */
        {SVC, "host/iosmdm.mydom.local", 3},  /* another class */
        {SVC, "http/iosmdm.mydom.local@MYDOM.LOCAL", 12},
        {"ab", "ba", 2}, /* no transpositions in Levenshtein */
        /* Bytes, not characters: the "é" is two. */
        {"caf\xc3\xa9", "cafe", 2},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        size_t d1 = adkcd_edit_distance(cases[i].a, cases[i].b);
        size_t d2 = adkcd_edit_distance(cases[i].b, cases[i].a);

        if (d1 != cases[i].d || d2 != cases[i].d)
            fail_msg("edit_distance(\"%s\", \"%s\") = %zu / %zu, expected "
                     "%zu",
                     h_esc(cases[i].a), h_esc(cases[i].b), d1, d2, cases[i].d);
    }
}

/* ------------------------------------------------------------------ */
/* adkcd_near_miss                                                     */
/* ------------------------------------------------------------------ */

struct near_case {
    const char *name;
    const char *want;
    const char *list[6];
    int has_list; /* 0: list is NULL */
    int pick;     /* index of the expected value, -1 for NULL */
};

static void
test_near_miss(void **state)
{
    static const struct near_case cases[] = {
        {"typo'd host", SVC, {"http/iosmdm.mydom.locl", NULL}, 1, 0},
        {"different class, same host",
         SVC,
         {"host/iosmdm.mydom.local", NULL},
         1,
         0},
        {"the closest of several",
         SVC,
         {"cifs/fs1.mydom.local", "http/iosmdm.mydom.lo",
          "http/iosmdm.mydom.locl", NULL},
         1,
         2},
        {"ties: the first",
         SVC,
         {"http/iosmdm.mydom.locax", "http/iosmdm.mydom.locay", NULL},
         1,
         0},
        /* Equal without regard to case: a match, not a near miss. */
        {"case difference only", SVC, {"HTTP/IOSMDM.MYDOM.LOCAL", NULL}, 1, -1},
        {"case difference, and a near miss next to it",
         SVC,
         {"HTTP/IOSMDM.MYDOM.LOCAL", "http/iosmdm.mydom.locl", NULL},
         1,
         1},
        {"unrelated values",
         SVC,
         {"cifs/fs1.mydom.local", "MSSQLSvc/sql1.mydom.local:1433", NULL},
         1,
         -1},
        {"empty list", SVC, {NULL}, 1, -1},
        {"NULL list", SVC, {NULL}, 0, -1},
        {"empty want", "", {"a", NULL}, 1, -1},
        /* "http/abcd" is 9 bytes: a third is 3. */
        {"threshold: 3 of 9 is near", "http/abcd", {"http/axyz", NULL}, 1, 0},
        {"threshold: 4 of 9 is not", "http/abcd", {"http/wxyz", NULL}, 1, -1},
        {"threshold: 3 added to 9 is near",
         "http/abcd",
         {"http/abcdefg", NULL},
         1,
         0},
        {"threshold: 4 added to 9 is not",
         "http/abcd",
         {"http/abcdefgh", NULL},
         1,
         -1},
        /* 10 bytes: a third is 3.33, so 3 is near and 4 is not. */
        {"threshold: 3 of 10", "http/abcde", {"http/abxyz", NULL}, 1, 0},
        {"threshold: 4 of 10", "http/abcde", {"http/awxyz", NULL}, 1, -1},
        {"the realm is too far to be a near miss",
         SVC,
         {"http/iosmdm.mydom.local@MYDOM.LOCAL", NULL},
         1,
         -1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        const struct near_case *k = &cases[i];
        char *const *list = k->has_list ? (char *const *)k->list : NULL;
        const char *got = adkcd_near_miss(k->want, list);
        const char *want = k->pick >= 0 ? k->list[k->pick] : NULL;

        if (got != want)
            fail_msg("near_miss(%s): got \"%s\", expected \"%s\"", k->name,
                     h_esc(got), h_esc(want));
    }
}

/* ------------------------------------------------------------------ */
/* adkcd_kcd_decide                                                    */
/* ------------------------------------------------------------------ */

static char *good_list[] = {SVC, NULL};
static const struct adkcd_kcd_holder holder_iosmdm[] = {
    {DN_IOSMDM, SVC, 0},
};

/*
 * The facts of a delegation that works: tmg$ (typed as "tmg") trusted to
 * delegate to SVC with protocol transition, SVC held by iosmdm alone, no
 * resource-based delegation, alice an ordinary enabled user.
 */
static struct adkcd_kcd_facts
good(void)
{
    struct adkcd_kcd_facts f;

    memset(&f, 0, sizeof(f));
    f.service = SVC;
    f.user = "alice";
    f.need_protocol_transition = 1;
    f.account = "tmg$";
    f.account_arg = "tmg";
    f.uac = WS | T2A;
    f.has_uac = 1;
    f.delegate_to = good_list;
    f.is_computer = 1;
    f.holders_read = 1;
    f.holders = holder_iosmdm;
    f.n_holders = 1;
    f.holder_sam = "iosmdm";
    f.holder_uac = NORMAL;
    f.holder_has_uac = 1;
    f.rbcd = ADKCD_RBCD_NOT_SET;
    f.user_found = 1;
    f.user_sam = "alice";
    f.user_dn = DN_ALICE;
    f.user_uac = NORMAL;
    f.user_protected = 0;
    f.user_protected_note = "from its groups in tokenGroups";
    return f;
}

/* A phrase expected in a finding's message, or its fix exactly. */
struct phrase {
    const char *id;
    int in_fix; /* 0: in the message; 1: the fix, as fix_repr() gives it */
    const char *text;
};

/*
 * A fix as one line: "ID account=A sam=S service=V value=X services=L
 * pt=0|1 cond=0|1", "-" for NULL (services joined by ",").  Static buffer.
 */
static const char *
fix_repr(const struct adkcd_fix *x)
{
    static char buf[1000];
    char list[600] = "-";
    size_t i, len = 0;

#define OR(s) ((s) != NULL ? (s) : "-")
    for (i = 0; x->services != NULL && x->services[i] != NULL; i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                i ? "," : "", x->services[i]);
    snprintf(buf, sizeof(buf),
             "%s account=%s sam=%s service=%s value=%s services=%s pt=%d "
             "cond=%d",
             OR(adkcd_fix_name(x->id)), OR(x->account), OR(x->sam),
             OR(x->service), OR(x->value), list, x->any_protocol,
             x->if_impersonating);
#undef OR
    return buf;
}

static enum adkcd_verdict
verdict_of(char c)
{
    switch (c) {
    case 'P':
        return ADKCD_PASS;
    case 'W':
        return ADKCD_WARN;
    case 'F':
        return ADKCD_FAIL;
    default:
        return ADKCD_SKIP;
    }
}

/*
 * Decide f and check: the ids in order; the verdicts (one letter per
 * finding, P W F S, in the order of ids); a message for every finding; a
 * fix exactly for warn and fail; and each phrase.
 */
static void
check_decide(const char *name, const struct adkcd_kcd_facts *f,
             const char *verdicts, const struct phrase *phrases,
             size_t n_phrases)
{
    struct adkcd_findings out = {(struct adkcd_finding *)&out, 99};
    struct adkcd_err err;
    size_t i;

    assert_int_equal(strlen(verdicts), N_ELEMS(ids));
    h_err_init(&err);
    h_assert_ok(name, adkcd_kcd_decide(f, &out, &err), &err);
    if (out.n != N_ELEMS(ids))
        fail_msg("%s: %zu findings, expected %zu", name, out.n, N_ELEMS(ids));
    for (i = 0; i < out.n; i++) {
        const struct adkcd_finding *fd = &out.v[i];
        enum adkcd_verdict want = verdict_of(verdicts[i]);

        if (strcmp(fd->id, ids[i]) != 0)
            fail_msg("%s: finding %zu is %s, expected %s", name, i, fd->id,
                     ids[i]);
        if (fd->verdict != want)
            fail_msg("%s: %s is %s, expected %s (message: %s)", name, fd->id,
                     adkcd_verdict_name(fd->verdict), adkcd_verdict_name(want),
                     h_esc(fd->message));
        if (fd->message == NULL || fd->message[0] == '\0')
            fail_msg("%s: %s has no message", name, fd->id);
        if ((fd->verdict == ADKCD_WARN || fd->verdict == ADKCD_FAIL) !=
            (fd->fix.id != ADKCD_FIX_NONE))
            fail_msg("%s: %s (%s) %s a fix (%s)", name, fd->id,
                     adkcd_verdict_name(fd->verdict),
                     fd->fix.id != ADKCD_FIX_NONE ? "has" : "has no",
                     fix_repr(&fd->fix));
        /* Every fix has a name, and the account and service. */
        if (fd->fix.id != ADKCD_FIX_NONE &&
            (adkcd_fix_name(fd->fix.id) == NULL || fd->fix.account == NULL ||
             fd->fix.service == NULL))
            fail_msg("%s: %s has an incomplete fix (%s)", name, fd->id,
                     fix_repr(&fd->fix));
    }
    for (i = 0; i < n_phrases; i++) {
        const struct adkcd_finding *fd =
            adkcd_findings_get(&out, phrases[i].id);
        char what[200];

        snprintf(what, sizeof(what), "%s: %s %s", name, phrases[i].id,
                 phrases[i].in_fix ? "fix" : "message");
        if (fd == NULL)
            fail_msg("%s: no finding", what);
        if (phrases[i].in_fix && strcmp(fix_repr(&fd->fix), phrases[i].text))
            fail_msg("%s: %s, expected %s", what, fix_repr(&fd->fix),
                     phrases[i].text);
        else if (!phrases[i].in_fix)
            h_assert_contains(what, fd->message, phrases[i].text);
    }
    adkcd_findings_clear(&out);
    assert_null(out.v);
    assert_int_equal(out.n, 0);
}

#define CHECK(name, f, verdicts, ...)                                          \
    do {                                                                       \
        static const struct phrase ph_[] = {__VA_ARGS__};                      \
        check_decide(name, &(f), verdicts, ph_, N_ELEMS(ph_));                 \
    } while (0)

/* Everything in order; resource-based is not set (skip). */
static void
test_decide_good(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    CHECK("good", f, "PPPPPPPPSPPPP", {"account-enabled", 0, "tmg$ is enabled"},
          {"mode", 0,
           "constrained delegation (use any authentication "
           "protocol) to 1 service"},
          {"service-listed", 0,
           SVC " is in msDS-AllowedToDelegateTo of "
               "tmg$"},
          {"protocol-transition", 0, "forwardable"},
          {"service-holder", 0, SVC " is held by " DN_IOSMDM},
          {"service-dc", 0, "iosmdm, not a domain controller"},
          {"resource-based", 0, "iosmdm has no resource-based delegation"},
          {"user-found", 0, "alice exists: " DN_ALICE},
          {"user-protected", 0, "tokenGroups"});
}

/* A user account delegates only if the KDC knows it as a service: it
 * needs an SPN of its own for S4U2Self. */
static void
test_decide_account_spn(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.is_computer = 0;
    f.account = "svcweb";
    f.account_arg = "svcweb";
    CHECK("user account without an SPN", f, "PPFPPPPPSPPPP",
          {"account-spn", 0,
           "svcweb is a user account without any "
           "servicePrincipalName"},
          {"account-spn", 0, "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
          {"account-spn", 1,
           "add-own-spn account=svcweb sam=- service=" SVC
           " value=- services=- pt=0 cond=0"});
    f.n_spns = 1;
    CHECK("user account with an SPN", f, "PPPPPPPPSPPPP",
          {"account-spn", 0, "svcweb has 1 servicePrincipalName value"});
}

/* Without a user, every user-* finding is skipped and says how to
 * check the user. */
static void
test_decide_no_user(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.user = NULL;
    f.user_found = 0;
    f.user_sam = NULL;
    f.need_protocol_transition = 0;
    CHECK(
        "no user", f, "PPPPPPPPSSSSS",
        {"user-found", 0, "naming a user to impersonate checks the user"},
        {"user-enabled", 0, "naming a user to impersonate checks the user"},
        {"user-sensitive", 0, "naming a user to impersonate checks the user"},
        {"user-protected", 0, "naming a user to impersonate checks the user"});
}

static void
test_decide_account(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.uac = WS | T2A | DIS;
    CHECK("delegating account disabled", f, "FPPPPPPPSPPPP",
          {"account-enabled", 0, "tmg$ is disabled (ACCOUNTDISABLE 0x2)"},
          {"account-enabled", 0, "KDC_ERR_CLIENT_REVOKED"},
          {"account-enabled", 1,
           "enable-account account=tmg sam=tmg$ service=" SVC
           " value=- services=- pt=0 cond=0"});

    f = good();
    f.uac = WS | T2A | NOTDEL;
    CHECK("delegating account sensitive", f, "PFPPPPPPSPPPP",
          {"account-sensitive", 0, "NOT_DELEGATED 0x100000"},
          {"account-sensitive", 0, "KDC_ERR_BADOPTION"},
          {"account-sensitive", 1,
           "clear-sensitive account=tmg sam=tmg$ service=" SVC
           " value=- services=- pt=0 cond=0"});

    /* Resource-based delegation takes non-forwardable tickets on Windows
     * KDCs, not on Samba's (4.22, seen in t_rbcd_kdc.sh): a warning. */
    f.rbcd = ADKCD_RBCD_ALLOWS;
    CHECK("delegating account sensitive, resource-based", f, "PWPPPPPPPPPPP",
          {"account-sensitive", 0,
           "resource-based delegation on iosmdm allows tmg$, and Windows KDCs "
           "(2012 and later) accept a non-forwardable S4U2Self ticket for it, "
           "but Samba's KDC (4.22, as tested) does not"},
          {"account-sensitive", 1,
           "clear-sensitive account=tmg sam=tmg$ service=" SVC
           " value=- services=- pt=0 cond=0"});

    f = good();
    f.has_uac = 0;
    CHECK("no userAccountControl", f, "SSPSPSPPSPPPP",
          {"account-enabled", 0, "could not be read"},
          {"mode", 0, "could not be read"});
}

static void
test_decide_mode(void **state)
{
    static char *none[] = {NULL};
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.uac = WS;
    f.delegate_to = NULL;
    CHECK("no delegation", f, "PPPFFFPPSPPPP",
          {"mode", 0, "tmg$ has no delegation"},
          {"mode", 1,
           "add-service account=tmg sam=- service=" SVC
           " value=- services=- pt=1 cond=0"},
          {"service-listed", 0, "(it has no values)"},
          {"service-listed", 1,
           "add-service account=tmg sam=- service=" SVC
           " value=- services=- pt=1 cond=0"});

    /* An empty vector reads like NULL. */
    f.delegate_to = none;
    CHECK("no delegation, empty vector", f, "PPPFFFPPSPPPP",
          {"service-listed", 0, "(it has no values)"});

    f.uac = WS | TFD;
    f.delegate_to = NULL;
    CHECK("unconstrained only", f, "PPPFFFPPSPPPP",
          {"mode", 0,
           "unconstrained delegation is not constrained "
           "delegation"},
          {"mode", 0, "S4U2Proxy needs msDS-AllowedToDelegateTo"},
          {"mode", 0, "only forward the tickets users send it"},
          {"mode", 1,
           "set-constrained account=tmg sam=- service=" SVC
           " value=- services=" SVC " pt=1 cond=0"});

    f.need_protocol_transition = 0;
    f.user = NULL;
    CHECK("unconstrained only, no user", f, "PPPFFWPPSSSSS",
          {"mode", 1,
           "set-constrained account=tmg sam=- service=" SVC
           " value=- services=" SVC " pt=0 cond=0"},
          {"protocol-transition", 1,
           "any-protocol account=tmg sam=- service=" SVC
           " value=- services=- pt=1 cond=1"});

    f = good();
    f.uac = WS | TFD | T2A;
    CHECK("unconstrained and a list", f, "PPPWPPPPSPPPP",
          {"mode", 0, "as well as msDS-AllowedToDelegateTo"},
          {"mode", 1,
           "constrained-only account=tmg sam=- service=" SVC
           " value=- services=" SVC " pt=0 cond=0"});

    f = good();
    f.uac = WS;
    f.need_protocol_transition = 0;
    CHECK("Kerberos only", f, "PPPPPWPPSPPPP",
          {"mode", 0,
           "constrained delegation (Kerberos only) to 1 "
           "service"});
}

static void
test_decide_listed(void **state)
{
    static char *cased[] = {"HTTP/IOSMDM.mydom.local", NULL};
    static char *typo[] = {"cifs/fs1.mydom.local", "http/iosmdm.mydom.locl",
                           NULL};
    static char *realm[] = {"http/iosmdm.mydom.local@MYDOM.LOCAL", NULL};
    static char *host[] = {"host/iosmdm.mydom.local", NULL};
    static char *others[] = {"cifs/fs1.mydom.local", "ldap/x.mydom.local",
                             NULL};
    static char *many[] = {"cifs/a", "cifs/b", "cifs/c", "cifs/d",
                           "cifs/e", "cifs/f", "cifs/g", NULL};
    struct adkcd_kcd_facts f = good();

    (void)state;
    /* The KDC ignores case (samba_kdc_check_s4u2proxy: strncasecmp). */
    f.delegate_to = cased;
    CHECK("case differs", f, "PPPPPPPPSPPPP",
          {"service-listed", 0,
           "(as HTTP/IOSMDM.mydom.local: the KDC "
           "ignores the difference in case)"});

    f.delegate_to = typo;
    CHECK("typo in the list", f, "PPPPFPPPSPPPP",
          {"service-listed", 0,
           "closest value: http/iosmdm.mydom.locl "
           "(a typo on one side?)"},
          {"service-listed", 0, "KDC_ERR_BADOPTION"},
          {"service-listed", 1,
           "replace-value account=tmg sam=- service=" SVC
           " value=http/iosmdm.mydom.locl services=cifs/fs1.mydom.local," SVC
           " pt=0 cond=0"});

    f.delegate_to = realm;
    CHECK("value with a realm", f, "PPPPFPPPSPPPP",
          {"service-listed", 0,
           "it holds " SVC "@MYDOM.LOCAL, with a "
           "realm, which never matches"},
          {"service-listed", 1,
           "replace-value account=tmg sam=- service=" SVC
           " value=- services=" SVC " pt=0 cond=0"});

    f.delegate_to = host;
    CHECK("another class", f, "PPPPFPPPSPPPP",
          {"service-listed", 0,
           "closest value: host/iosmdm.mydom.local "
           "(another service class: the KDC applies "
           "no host alias to this list)"},
          {"service-listed", 1,
           "add-service account=tmg sam=- service=" SVC
           " value=- services=- pt=1 cond=0"});

    f.delegate_to = others;
    CHECK("not listed", f, "PPPPFPPPSPPPP",
          {"service-listed", 0,
           "(it lists cifs/fs1.mydom.local, "
           "ldap/x.mydom.local)"},
          {"service-listed", 1,
           "add-service account=tmg sam=- service=" SVC
           " value=- services=- pt=1 cond=0"});

    f.delegate_to = many;
    CHECK("not listed, long list", f, "PPPPFPPPSPPPP",
          {"service-listed", 0, "cifs/e and 2 more)"});

    /* The typo is in the question: no account holds the service asked
     * for, and the list's value next to it is right. */
    f = good();
    f.service = "http/iosmdm.mydom.locl";
    f.holders = NULL;
    f.n_holders = 0;
    f.holder_sam = NULL;
    f.holder_has_uac = 0;
    CHECK("typo in the service asked for", f, "PPPPFPFSSPPPP",
          {"service-listed", 0, "closest value: " SVC},
          {"service-listed", 1,
           "ask-for account=tmg sam=- service=http/iosmdm.mydom.locl value=" SVC
           " services=- pt=0 cond=0"});
    f.holders_domain_only = 1; /* the forest unsearched: not sure */
    CHECK("typo in the question, domain only", f, "PPPPFPWSSPPPP",
          {"service-listed", 1,
           "replace-value account=tmg sam=- service=http/iosmdm.mydom.locl "
           "value=" SVC " services=http/iosmdm.mydom.locl pt=0 cond=0"});
    f = good();

    /* Not listed, but the target allows tmg$: MS-SFU 3.2.5.2.1 goes on to
     * resource-based delegation. */
    f.delegate_to = typo;
    f.rbcd = ADKCD_RBCD_ALLOWS;
    CHECK("not listed, resource-based", f, "PPPPPPPPPPPPP",
          {"service-listed", 0,
           "but resource-based delegation on iosmdm "
           "allows tmg$"},
          {"service-listed", 0, "older Samba KDCs do not"});
}

static void
test_decide_protocol_transition(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.uac = WS;
    CHECK("Kerberos only, impersonating", f, "PPPPPFPPSPPPP",
          {"protocol-transition", 0, "tmg$ is Kerberos only"},
          {"protocol-transition", 0, "KDC_ERR_BADOPTION"},
          {"protocol-transition", 1,
           "any-protocol account=tmg sam=- service=" SVC
           " value=- services=- pt=1 cond=0"});

    f.need_protocol_transition = 0;
    CHECK("Kerberos only, not impersonating", f, "PPPPPWPPSPPPP",
          {"protocol-transition", 0,
           "only users who authenticated to it "
           "with Kerberos"});
}

/*
 * Resource-based delegation with a Kerberos-only account: Windows KDCs
 * take the non-forwardable S4U2Self ticket (MS-SFU 3.1.5.2.1), Samba's
 * KDC (4.22, seen in t_rbcd_kdc.sh) refuses it.  Which KDC answers cannot
 * be told from the directory: impersonating warns, never passes.
 */
static void
test_decide_protocol_transition_rbcd(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.uac = WS;
    f.delegate_to = NULL;
    f.rbcd = ADKCD_RBCD_ALLOWS;
    CHECK("resource-based only, Kerberos only, impersonating", f,
          "PPPPPWPPPPPPP",
          {"protocol-transition", 0,
           "tmg$ is Kerberos only (no TRUSTED_TO_AUTH_FOR_DELEGATION "
           "0x1000000), so its S4U2Self tickets are not forwardable"},
          {"protocol-transition", 0,
           "Windows KDCs (2012 and later) accept such a ticket for the "
           "resource-based delegation that iosmdm allows"},
          {"protocol-transition", 0,
           "Samba's KDC (4.22, as tested) refuses S4U2Proxy with it "
           "(KDC_ERR_BADOPTION)"},
          /* The flag alone: adding a service is not what is wanted. */
          {"protocol-transition", 1,
           "protocol-transition-only account=tmg sam=tmg$ service=" SVC
           " value=- services=- pt=0 cond=0"},
          {"mode", 0,
           "tmg$ has no msDS-AllowedToDelegateTo and no "
           "TRUSTED_FOR_DELEGATION, and needs neither"},
          {"resource-based", 0,
           "iosmdm allows tmg$ by resource-based delegation "
           "(msDS-AllowedToActOnBehalfOfOtherIdentity), which needs no "
           "msDS-AllowedToDelegateTo"});

    /* Listed as well, Kerberos only: adding it with protocol transition
     * sets the flag and nothing else. */
    f.delegate_to = good_list;
    CHECK("listed and resource-based, Kerberos only, impersonating", f,
          "PPPPPWPPPPPPP",
          {"protocol-transition", 0, "Samba's KDC (4.22, as tested) refuses"},
          {"protocol-transition", 1,
           "any-protocol account=tmg sam=- service=" SVC
           " value=- services=- pt=1 cond=0"});

    /* Without S4U2Self the evidence is a Kerberos user's forwardable
     * ticket, which every KDC takes. */
    f.delegate_to = NULL;
    f.need_protocol_transition = 0;
    f.user = NULL;
    CHECK("resource-based only, Kerberos only, no user", f, "PPPPPPPPPSSSS",
          {"protocol-transition", 0,
           "resource-based delegation on iosmdm takes the tickets of users "
           "who authenticated to tmg$ with Kerberos"},
          {"protocol-transition", 0,
           "Samba's KDC (4.22, as tested) needs that flag as well, Windows "
           "KDCs do not"});

    /* With protocol transition, resource-based delegation passes on
     * both. */
    f = good();
    f.uac = WS | T2A;
    f.delegate_to = NULL;
    f.rbcd = ADKCD_RBCD_ALLOWS;
    CHECK("resource-based only, any protocol", f, "PPPPPPPPPPPPP",
          {"protocol-transition", 0, "its S4U2Self tickets are forwardable"});

    /* Descriptor for other accounts: not a way through, and the
     * protocol-transition finding says nothing of it. */
    f.uac = WS;
    f.rbcd = ADKCD_RBCD_OTHERS;
    CHECK("resource-based for others, Kerberos only", f, "PPPFFFPPSPPPP",
          {"protocol-transition", 0, "impersonating a user needs S4U2Self"});
}

static void
test_decide_holders(void **state)
{
    static const struct adkcd_kcd_holder two[] = {
        {DN_IOSMDM, SVC, 0},
        {DN_WEB, "HTTP/iosmdm.mydom.local", 0},
    };
    static const struct adkcd_kcd_holder twice[] = {
        {DN_IOSMDM, SVC, 0},
        {DN_IOSMDM, "HTTP/iosmdm.mydom.local", 0},
    };
    static const struct adkcd_kcd_holder alias[] = {
        {DN_WEB, "host/iosmdm.mydom.local", 1},
    };
    static const struct adkcd_kcd_holder direct_and_alias[] = {
        {DN_WEB, "host/iosmdm.mydom.local", 1},
        {DN_IOSMDM, SVC, 0},
    };
    static const struct adkcd_kcd_holder two_alias[] = {
        {DN_WEB, "host/iosmdm.mydom.local", 1},
        {DN_DC1, "HOST/iosmdm.mydom.local", 1},
    };
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.n_holders = 0;
    CHECK("held by no account", f, "PPPPPPFSSPPPP",
          {"service-holder", 0, "held by no account in the forest: a typo?"},
          {"service-holder", 0, "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
          {"service-holder", 1,
           "register-spn account=tmg sam=- service=" SVC
           " value=- services=- pt=0 cond=0"},
          {"service-dc", 0, "no single account holds " SVC},
          {"resource-based", 0, "no single account holds " SVC});

    f.holders_domain_only = 1;
    f.holders_note = "the Global Catalog could not be searched: down";
    CHECK("held by no account in this domain", f, "PPPPPPWSSPPPP",
          {"service-holder", 0,
           "other domains could not be searched (the "
           "Global Catalog could not be searched: "
           "down)"});

    f = good();
    f.holders = two;
    f.n_holders = 2;
    CHECK("held by two", f, "PPPPPPFSSPPPP",
          {"service-holder", 0,
           "held by 2 accounts: " DN_IOSMDM " (" SVC "); " DN_WEB
           " (HTTP/iosmdm.mydom.local)"},
          {"service-holder", 0, "duplicate SPN"},
          {"service-holder", 1,
           "remove-duplicate account=tmg sam=- service=" SVC " value=" SVC
           " services=- pt=0 cond=0"});

    /* One account holding two spellings is one holder. */
    f.holders = twice;
    CHECK("one account, two spellings", f, "PPPPPPPPSPPPP",
          {"service-holder", 0, "held by " DN_IOSMDM});

    f.holders = alias;
    f.n_holders = 1;
    f.holder_sam = "web$";
    CHECK("through the host alias", f, "PPPPPPPPSPPPP",
          {"service-holder", 0,
           "held by " DN_WEB " through "
           "host/iosmdm.mydom.local (host alias)"},
          {"service-dc", 0, "belongs to web$"});

    /* The KDC uses the alias only when no account holds the SPN. */
    f.holders = direct_and_alias;
    f.n_holders = 2;
    f.holder_sam = "iosmdm";
    CHECK("direct and alias", f, "PPPPPPPPSPPPP",
          {"service-holder", 0, "held by " DN_IOSMDM});

    f.holders = two_alias;
    CHECK("two alias holders", f, "PPPPPPFSSPPPP",
          {"service-holder", 0, "held by 2 accounts"});

    f = good();
    f.holders_read = 0;
    f.holders = NULL;
    f.n_holders = 0;
    f.holders_note = "Insufficient access (LDAP 50)";
    CHECK("holders not read", f, "PPPPPPSSSPPPP",
          {"service-holder", 0,
           "could not find out who holds " SVC
           ": Insufficient access (LDAP 50)"});

    f = good();
    f.holders_domain_only = 1;
    f.holders_note = "the Global Catalog could not be searched: down";
    CHECK("held in this domain", f, "PPPPPPPPSPPPP",
          {"service-holder", 0, "(this domain only: the Global Catalog"});
}

static void
test_decide_dc(void **state)
{
    static const struct adkcd_kcd_holder dc[] = {
        {DN_DC1, "ldap/dc1.mydom.local", 0},
    };
    static char *list[] = {"ldap/dc1.mydom.local", NULL};
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.service = "ldap/dc1.mydom.local";
    f.delegate_to = list;
    f.holders = dc;
    f.holder_sam = "DC1$";
    f.holder_uac = ADKCD_UAC_SERVER_TRUST_ACCOUNT | TFD;
    CHECK("a DC's service", f, "PPPPPPPWSPPPP",
          {"service-dc", 0,
           "ldap/dc1.mydom.local belongs to domain "
           "controller DC1$"},
          {"service-dc", 0, "domain compromise"},
          {"service-dc", 1,
           "avoid-dc-service account=tmg sam=- service=ldap/dc1.mydom.local "
           "value=- services=- pt=0 cond=0"});

    /* A read-only DC (a workstation trust with PARTIAL_SECRETS_ACCOUNT)
     * is a DC too, as audit says (delegation-to-dc). */
    f.holder_sam = "RODC1$";
    f.holder_uac = WS | ADKCD_UAC_PARTIAL_SECRETS_ACCOUNT;
    CHECK("a read-only DC's service", f, "PPPPPPPWSPPPP",
          {"service-dc", 0,
           "ldap/dc1.mydom.local belongs to read-only domain controller "
           "RODC1$"},
          {"service-dc", 0, "domain compromise"},
          {"service-dc", 1,
           "avoid-dc-service account=tmg sam=- service=ldap/dc1.mydom.local "
           "value=- services=- pt=0 cond=0"});
    /* As an RODC's account is created: with protocol transition. */
    f.holder_uac = WS | ADKCD_UAC_PARTIAL_SECRETS_ACCOUNT | T2A;
    CHECK("a read-only DC's service (0x5001000)", f, "PPPPPPPWSPPPP",
          {"service-dc", 0, "read-only domain controller RODC1$"});
    /* A member workstation is not. */
    f.holder_sam = "web$";
    f.holder_uac = WS | T2A;
    CHECK("a member's service", f, "PPPPPPPPSPPPP",
          {"service-dc", 0, "belongs to web$, not a domain controller"});

    f.holder_has_uac = 0;
    f.holder_note = "Insufficient access";
    CHECK("a holder's flags not read", f, "PPPPPPPSSPPPP",
          {"service-dc", 0, "could not be read: Insufficient access"});
}

static void
test_decide_rbcd(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    /* Pure resource-based delegation: nothing on tmg$ itself. */
    f.uac = WS;
    f.delegate_to = NULL;
    f.rbcd = ADKCD_RBCD_ALLOWS;
    CHECK("resource-based only", f, "PPPPPWPPPPPPP",
          {"mode", 0, "has no msDS-AllowedToDelegateTo and no"},
          {"resource-based", 0,
           "iosmdm allows tmg$ by resource-based "
           "delegation"},
          {"resource-based", 0, "older Samba KDCs do not"});

    f.uac = WS | TFD;
    CHECK("resource-based, and unconstrained", f, "PPPWPWPPPPPPP",
          {"mode", 1,
           "mode-none account=tmg sam=- service=" SVC
           " value=- services=- pt=0 cond=0"});

    /* Users who may not be delegated are not by this path either. */
    f.uac = WS;
    f.user_uac = NORMAL | NOTDEL;
    CHECK("resource-based, sensitive user", f, "PPPPPWPPPPPFP",
          {"user-sensitive", 0, "resource-based delegation included"});

    f = good();
    f.rbcd = ADKCD_RBCD_OTHERS;
    f.rbcd_note = "S-1-5-21-1-2-3-1105";
    CHECK("resource-based, for others", f, "PPPPPPPPSPPPP",
          {"resource-based", 0,
           "from other accounts only, not from tmg$ "
           "(S-1-5-21-1-2-3-1105)"});

    /* Not listed, and the descriptor names others: service-listed says
     * both ways are closed. */
    f.delegate_to = NULL;
    CHECK("not listed, resource-based for others", f, "PPPFFPPPSPPPP",
          {"service-listed", 0,
           SVC " is not in msDS-AllowedToDelegateTo of tmg$ (it has no "
               "values), nor does resource-based delegation on iosmdm allow "
               "it (it allows other accounts only): the KDC refuses "
               "S4U2Proxy (KDC_ERR_BADOPTION)"});
    f.delegate_to = good_list;

    f.rbcd = ADKCD_RBCD_UNKNOWN;
    f.rbcd_note = "it is in another domain";
    CHECK("resource-based, unknown", f, "PPPPPPPPSPPPP",
          {"resource-based", 0,
           "could not be read: it is in another "
           "domain"});
}

static void
test_decide_user(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.user = "nosuch";
    f.user_found = 0;
    f.user_note = "no computer 'nosuch$' or user 'nosuch' in "
                  "DC=mydom,DC=local";
    CHECK("no such user", f, "PPPPPPPPSFSSS",
          {"user-found", 0, "no computer 'nosuch$' or user 'nosuch'"},
          {"user-found", 0, "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
          {"user-found", 1,
           "name-user account=tmg sam=- service=" SVC
           " value=- services=- pt=0 cond=0"},
          {"user-enabled", 0, "nosuch: the user was not found"});

    f.user_found = -1;
    f.user_note = "Insufficient access (LDAP 50)";
    CHECK("user not looked up", f, "PPPPPPPPSSSSS",
          {"user-found", 0, "could not look up nosuch: Insufficient"},
          {"user-protected", 0, "nosuch: the user was not looked up"});

    f = good();
    f.user_uac = NORMAL | DIS;
    CHECK("disabled user", f, "PPPPPPPPSPFPP",
          {"user-enabled", 0, "alice is disabled"},
          {"user-enabled", 0, "KDC_ERR_POLICY"},
          {"user-enabled", 1,
           "enable-user account=tmg sam=alice service=" SVC
           " value=- services=- pt=0 cond=0"});

    f = good();
    f.user_uac = NORMAL | NOTDEL;
    CHECK("sensitive user", f, "PPPPPPPPSPPFP",
          {"user-sensitive", 0,
           "alice is marked \"Account is sensitive "
           "and cannot be delegated\" (NOT_DELEGATED "
           "0x100000)"},
          {"user-sensitive", 1,
           "clear-user-sensitive account=tmg sam=alice service=" SVC
           " value=- services=- pt=0 cond=0"});

    f = good();
    f.user_protected = 1;
    f.user_protected_note = "a direct member, from memberOf";
    CHECK("protected user", f, "PPPPPPPPSPPPF",
          {"user-protected", 0,
           "alice is in Protected Users (a direct "
           "member, from memberOf)"},
          {"user-protected", 0,
           "Windows DCs (2012 R2 and later) never "
           "delegate its members"},
          {"user-protected", 0,
           "Samba's KDC (4.17 to 4.22, as tested) does not enforce this"},
          {"user-protected", 1,
           "leave-protected-users account=tmg sam=alice service=" SVC
           " value=- services=- pt=0 cond=0"});

    f = good();
    f.user = "alice@mydom.local";
    CHECK("user by UPN", f, "PPPPPPPPSPPPP",
          {"user-found", 0, "alice@mydom.local is alice: " DN_ALICE});

    f = good();
    f.user_protected = -1;
    f.user_protected_note = "not a direct member (memberOf), but "
                            "membership through nested groups could not "
                            "be checked";
    CHECK("protection unknown", f, "PPPPPPPPSPPPS",
          {"user-protected", 0,
           "could not tell whether alice is in "
           "Protected Users: not a direct member"});
}

/* The account in a fix is as the caller named it, unquoted: quoting
 * for a shell is the front end's. */
static void
test_decide_account_as_named(void **state)
{
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.uac = WS;
    f.account_arg = "tmg$";
    CHECK("tmg$", f, "PPPPPFPPSPPPP",
          {"protocol-transition", 1,
           "any-protocol account=tmg$ sam=- service=" SVC
           " value=- services=- pt=1 cond=0"});

    f.account_arg = "CN=o'neil,CN=Computers,DC=mydom,DC=local";
    CHECK("a quote", f, "PPPPPFPPSPPPP",
          {"protocol-transition", 1,
           "any-protocol account=CN=o'neil,CN=Computers,DC=mydom,DC=local "
           "sam=- service=" SVC " value=- services=- pt=1 cond=0"});

    /* Without account_arg, the sAMAccountName. */
    f.account_arg = NULL;
    CHECK("no account_arg", f, "PPPPPFPPSPPPP",
          {"protocol-transition", 1,
           "any-protocol account=tmg$ sam=- service=" SVC
           " value=- services=- pt=1 cond=0"});
}

/* Everything wrong at once: each finding still says its own thing. */
static void
test_decide_everything_wrong(void **state)
{
    static char *typo[] = {"http/iosmdm.mydom.locl", NULL};
    struct adkcd_kcd_facts f = good();

    (void)state;
    f.uac = WS | DIS | NOTDEL;
    f.delegate_to = typo;
    f.n_holders = 0;
    f.user_uac = NORMAL | DIS | NOTDEL;
    f.user_protected = 1;
    CHECK("everything", f, "FFPPFFFSSPFFF", {"mode", 0, "tmg$ has"});
}

/* adkcd_findings.allows: which delegation the directory says allows the
 * account, for verify's inference of the one the KDC used. */
static void
test_decide_allows(void **state)
{
    static char *cased[] = {"HTTP/IOSMDM.mydom.local", NULL};
    static char *realm[] = {SVC "@MYDOM.LOCAL", NULL};
    static const struct adkcd_kcd_holder two[] = {
        {DN_IOSMDM, SVC, 0},
        {DN_WEB, SVC, 0},
    };
    static const struct {
        const char *name;
        char **list;
        enum adkcd_kcd_rbcd rbcd;
        int two_holders;
        unsigned want;
    } cases[] = {
        {"listed", good_list, ADKCD_RBCD_NOT_SET, 0,
         ADKCD_KCD_ALLOWS_CONSTRAINED},
        {"listed, another case", cased, ADKCD_RBCD_NOT_SET, 0,
         ADKCD_KCD_ALLOWS_CONSTRAINED},
        /* A value with a realm never matches (service-listed fails). */
        {"a value with a realm", realm, ADKCD_RBCD_NOT_SET, 0, 0},
        {"resource-based", NULL, ADKCD_RBCD_ALLOWS, 0,
         ADKCD_KCD_ALLOWS_RESOURCE_BASED},
        {"both", good_list, ADKCD_RBCD_ALLOWS, 0,
         ADKCD_KCD_ALLOWS_CONSTRAINED | ADKCD_KCD_ALLOWS_RESOURCE_BASED},
        {"resource-based for others", NULL, ADKCD_RBCD_OTHERS, 0, 0},
        {"resource-based unknown", NULL, ADKCD_RBCD_UNKNOWN, 0, 0},
        /* No single holder: no descriptor the KDC would read. */
        {"resource-based, two holders", NULL, ADKCD_RBCD_ALLOWS, 1, 0},
        {"neither", NULL, ADKCD_RBCD_NOT_SET, 0, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        struct adkcd_kcd_facts f = good();
        struct adkcd_findings out = {NULL, 0, 0xff};
        struct adkcd_err err;

        f.delegate_to = cases[i].list;
        f.rbcd = cases[i].rbcd;
        if (cases[i].two_holders) {
            f.holders = two;
            f.n_holders = 2;
        }
        h_err_init(&err);
        h_assert_ok(cases[i].name, adkcd_kcd_decide(&f, &out, &err), &err);
        if (out.allows != cases[i].want)
            fail_msg("%s: allows 0x%x, expected 0x%x", cases[i].name,
                     out.allows, cases[i].want);
        adkcd_findings_clear(&out);
        assert_int_equal(out.allows, 0);
    }
}

/*
 * adkcd_kcd_via: which delegation let a successful S4U2Proxy through.
 * msDS-AllowedToDelegateTo takes a forwardable S4U2Self ticket only; when
 * both allow it, Windows KDCs use the list and Samba's (4.22, in its log)
 * resource-based delegation, so it is "either".
 */
static void
test_via(void **state)
{
    static const unsigned C = ADKCD_KCD_ALLOWS_CONSTRAINED;
    static const unsigned R = ADKCD_KCD_ALLOWS_RESOURCE_BASED;
    static const struct {
        unsigned allows;
        int fwd;
        enum adkcd_kcd_via want;
        const char *name;
    } cases[] = {
        {C, 1, ADKCD_KCD_VIA_CONSTRAINED, "constrained"},
        {C, -1, ADKCD_KCD_VIA_CONSTRAINED, "constrained"},
        /* Not forwardable, yet through: not by the list. */
        {C, 0, ADKCD_KCD_VIA_UNKNOWN, "unknown"},
        {R, 1, ADKCD_KCD_VIA_RESOURCE_BASED, "resource-based"},
        {R, 0, ADKCD_KCD_VIA_RESOURCE_BASED, "resource-based"},
        {R, -1, ADKCD_KCD_VIA_RESOURCE_BASED, "resource-based"},
        {C | R, 1, ADKCD_KCD_VIA_EITHER, "either"},
        {C | R, -1, ADKCD_KCD_VIA_EITHER, "either"},
        /* A Windows KDC: the list refuses a non-forwardable ticket,
         * resource-based delegation takes it. */
        {C | R, 0, ADKCD_KCD_VIA_RESOURCE_BASED, "resource-based"},
        {0, 1, ADKCD_KCD_VIA_UNKNOWN, "unknown"},
        {0, 0, ADKCD_KCD_VIA_UNKNOWN, "unknown"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        enum adkcd_kcd_via got = adkcd_kcd_via(cases[i].allows, cases[i].fwd);

        if (got != cases[i].want)
            fail_msg("via(0x%x, %d) = %s, expected %s", cases[i].allows,
                     cases[i].fwd, adkcd_kcd_via_name(got),
                     adkcd_kcd_via_name(cases[i].want));
        assert_string_equal(adkcd_kcd_via_name(got), cases[i].name);
    }
    assert_string_equal(adkcd_kcd_via_name((enum adkcd_kcd_via)42), "unknown");
}

/* ------------------------------------------------------------------ */
/* adkcd_findings_get, adkcd_findings_count, adkcd_findings_clear      */
/* ------------------------------------------------------------------ */

static void
test_findings_access(void **state)
{
    struct adkcd_kcd_facts f = good();
    struct adkcd_findings out = {NULL, 0};
    const struct adkcd_finding *fd;
    struct adkcd_err err;
    size_t i;

    (void)state;
    f.uac = WS | TFD | T2A;    /* mode: warn */
    f.user_uac = NORMAL | DIS; /* user-enabled: fail */
    h_err_init(&err);
    h_assert_ok("decide", adkcd_kcd_decide(&f, &out, &err), &err);
    assert_int_equal(adkcd_findings_count(&out, ADKCD_PASS), 10);
    assert_int_equal(adkcd_findings_count(&out, ADKCD_WARN), 1);
    assert_int_equal(adkcd_findings_count(&out, ADKCD_FAIL), 1);
    assert_int_equal(adkcd_findings_count(&out, ADKCD_SKIP), 1);
    for (i = 0; i < N_ELEMS(ids); i++) {
        fd = adkcd_findings_get(&out, ids[i]);
        assert_non_null(fd);
        assert_ptr_equal(fd, &out.v[i]);
    }
    fd = adkcd_findings_get(&out, "mode");
    assert_int_equal(fd->verdict, ADKCD_WARN);
    assert_null(adkcd_findings_get(&out, "no-such-id"));
    assert_null(adkcd_findings_get(&out, ""));
    assert_null(adkcd_findings_get(&out, NULL));
    adkcd_findings_clear(&out);
    assert_null(out.v);
    assert_int_equal(out.n, 0);

    /* Empty and NULL sets. */
    assert_null(adkcd_findings_get(&out, "mode"));
    assert_null(adkcd_findings_get(NULL, "mode"));
    assert_int_equal(adkcd_findings_count(&out, ADKCD_PASS), 0);
    assert_int_equal(adkcd_findings_count(NULL, ADKCD_FAIL), 0);
    adkcd_findings_clear(&out); /* twice: no-op */
    adkcd_findings_clear(NULL);
}

/* adkcd_kcd_decide with err NULL. */
static void
test_decide_null_err(void **state)
{
    struct adkcd_kcd_facts f = good();
    struct adkcd_findings out;

    (void)state;
    assert_int_equal(adkcd_kcd_decide(&f, &out, NULL), ADKCD_OK);
    assert_int_equal(out.n, N_ELEMS(ids));
    adkcd_findings_clear(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_name),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_near_miss),
        cmocka_unit_test(test_decide_good),
        cmocka_unit_test(test_decide_account_spn),
        cmocka_unit_test(test_decide_no_user),
        cmocka_unit_test(test_decide_account),
        cmocka_unit_test(test_decide_mode),
        cmocka_unit_test(test_decide_listed),
        cmocka_unit_test(test_decide_protocol_transition),
        cmocka_unit_test(test_decide_protocol_transition_rbcd),
        cmocka_unit_test(test_decide_allows),
        cmocka_unit_test(test_via),
        cmocka_unit_test(test_decide_holders),
        cmocka_unit_test(test_decide_dc),
        cmocka_unit_test(test_decide_rbcd),
        cmocka_unit_test(test_decide_user),
        cmocka_unit_test(test_decide_account_as_named),
        cmocka_unit_test(test_decide_everything_wrong),
        cmocka_unit_test(test_findings_access),
        cmocka_unit_test(test_decide_null_err),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
