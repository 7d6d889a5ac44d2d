/*
 * adkcd unit tests: the parts of adkcd/creds.h, s4u.h and verify.h that
 * need no KDC: ticket flag words, Kerberos error names, the checks made
 * before a TGT is asked for (principal from ACCOUNT, keytab contents), a
 * TGT taken from a ccache (whose it is, expired, missing), the steps'
 * outcomes and the rule that the TGT must be ACCOUNT's.  The exchange
 * itself is covered by t_kcd_verify.sh against the sandbox DC.
 */
#include "harness.h"

#include <time.h>
#include <unistd.h>

#include <krb5.h>

#include "adkcd/creds.h"
#include "adkcd/s4u.h"
#include "adkcd/verify.h"

static void
test_flags_text(void **state)
{
    char buf[256];

    (void)state;
    adkcd_ticket_flags_text(0x40e10000u, buf, sizeof(buf));
    assert_string_equal(buf, "forwardable, renewable, initial, pre-authent, "
                             "enc-pa-rep");
    adkcd_ticket_flags_text(0x00a80000u, buf, sizeof(buf));
    /* 0x80000 (transited-policy-checked) has no word here. */
    assert_string_equal(buf, "renewable, pre-authent");
    adkcd_ticket_flags_text(0, buf, sizeof(buf));
    assert_string_equal(buf, "none");
    /* Truncation keeps the buffer terminated. */
    adkcd_ticket_flags_text(0x40e10000u, buf, 12);
    assert_true(strlen(buf) < 12);
    adkcd_ticket_flags_text(0x40e10000u, buf, 0); /* no write at all */
}

static void
test_error_names(void **state)
{
    (void)state;
    assert_string_equal(adkcd_krb5_error_name(KRB5KDC_ERR_BADOPTION),
                        "KDC_ERR_BADOPTION");
    assert_string_equal(adkcd_krb5_error_name(KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN),
                        "KDC_ERR_S_PRINCIPAL_UNKNOWN");
    assert_string_equal(adkcd_krb5_error_name(KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN),
                        "KDC_ERR_C_PRINCIPAL_UNKNOWN");
    assert_string_equal(adkcd_krb5_error_name(KRB5KDC_ERR_POLICY),
                        "KDC_ERR_POLICY");
    assert_null(adkcd_krb5_error_name(0));
    assert_null(adkcd_krb5_error_name(12345));
}

/* ACCOUNT forms that name no principal need one given (the front end's
 * --principal: a hint); nothing is sent. */
static void
test_principal_needed(void **state)
{
    static const char *const forms[] = {
        "CN=tmg,CN=Computers,DC=mydom,DC=local",
        "<SID=S-1-5-21-1-2-3-1105>",
        "tmg@mydom.local",
        "MYDOM\\",
        "",
    };
    struct adkcd_creds_opts o;
    struct adkcd_creds *t = (struct adkcd_creds *)&o;
    struct adkcd_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(forms); i++) {
        memset(&o, 0, sizeof(o));
        o.account = forms[i];
        o.password = "x";
        adkcd_err_clear(&err);
        assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_USAGE);
        assert_null(t);
        assert_non_null(strstr(err.msg, "give the principal"));
        assert_int_equal(err.hints, ADKCD_HINT_PRINCIPAL);
    }
    memset(&o, 0, sizeof(o));
    o.account = "tmg";
    o.password = "x";
    o.keytab = "/nonexistent";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_USAGE);
    assert_non_null(strstr(err.msg, "exclude each other"));
}

/* A keytab without the account's key: say what it holds. */
static void
test_keytab_without_key(void **state)
{
    char path[] = "/tmp/adkcd-test-XXXXXX";
    char ktname[64];
    krb5_context ctx;
    krb5_keytab kt;
    krb5_keytab_entry e;
    unsigned char key[32] = {1};
    struct adkcd_creds_opts o;
    struct adkcd_creds *t = NULL;
    struct adkcd_err err;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path); /* MIT writes a new keytab file itself */
    snprintf(ktname, sizeof(ktname), "FILE:%s", path);
    assert_int_equal(krb5_init_context(&ctx), 0);
    assert_int_equal(krb5_kt_resolve(ctx, ktname, &kt), 0);
    memset(&e, 0, sizeof(e));
    assert_int_equal(krb5_parse_name(ctx, "tmg$@MYDOM.LOCAL", &e.principal), 0);
    e.vno = 2;
    e.key.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    e.key.length = sizeof(key);
    e.key.contents = key;
    assert_int_equal(krb5_kt_add_entry(ctx, kt, &e), 0);
    krb5_free_principal(ctx, e.principal);
    krb5_kt_close(ctx, kt);
    krb5_free_context(ctx);

    memset(&o, 0, sizeof(o));
    o.account = "MYDOM\\web";
    o.keytab = ktname;
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_null(t);
    assert_non_null(strstr(err.msg, "holds no key for web$ or web"));
    assert_non_null(strstr(err.msg, "it holds: tmg$@MYDOM.LOCAL"));
    assert_non_null(strstr(err.msg, "): give the principal"));
    assert_int_equal(err.hints, ADKCD_HINT_PRINCIPAL);

    /* -U: the user NAME only, even when the keytab has NAME$. */
    o.account = "tmg";
    o.kind = ADKCD_ACCOUNT_USER;
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "holds no key for tmg (it holds"));
    /* -C: the computer NAME$ only. */
    o.account = "web";
    o.kind = ADKCD_ACCOUNT_COMPUTER;
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "holds no key for web$ (it holds"));
    o.kind = ADKCD_ACCOUNT_ANY;

    /* A keytab that cannot be read. */
    o.keytab = "FILE:/nonexistent/dir/keytab";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "cannot read the keytab"));
    unlink(path);
}

/* A result as adkcd_s4u_run() leaves it; borrowed strings. */
static struct adkcd_s4u_result
result(int self_done, long self_code, unsigned self_flags, int inspected,
       int proxy_done, long proxy_code)
{
    struct adkcd_s4u_result r;

    memset(&r, 0, sizeof(r));
    r.user = (char *)"alice@MYDOM.LOCAL";
    r.service = (char *)"http/iosmdm.mydom.local@MYDOM.LOCAL";
    r.self.done = self_done;
    r.self.code = self_code;
    r.self.error = self_code ? (char *)"the KDC's text" : NULL;
    if (self_done && inspected) {
        r.self.tkt.client = (char *)"alice@MYDOM.LOCAL";
        r.self.tkt.flags = self_flags;
    }
    r.proxy_tried = self_done;
    r.proxy.done = proxy_done;
    r.proxy.code = proxy_code;
    r.proxy.error = proxy_code ? (char *)"the KDC's text" : NULL;
    return r;
}

#define FWD ADKCD_TKT_FORWARDABLE
#define TGT_OK (FWD | ADKCD_TKT_INITIAL)

/* Every branch of the explanation: which cause it names. */
static void
test_explain(void **state)
{
    static const struct {
        const char *name;
        unsigned tgt_flags;
        const char *ccache;
        int self_done;
        long self_code;
        unsigned self_flags;
        int inspected;
        int proxy_done;
        long proxy_code;
        const char *want; /* NULL: the delegation works */
        unsigned hints;   /* what the front end words (status.h) */
    } cases[] = {
        {"works", TGT_OK, NULL, 1, 0, FWD, 1, 1, 0, NULL},
        {"unknown user", TGT_OK, NULL, 0, KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN, 0, 0,
         0, 0, "the KDC knows no user alice@MYDOM.LOCAL: check the user's name",
         ADKCD_HINT_IMPERSONATE},
        {"account without an SPN", TGT_OK, NULL, 0,
         KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, 0, 0, 0, 0,
         "the KDC does not know tmg$ as a service", ADKCD_HINT_REGISTER_SPN},
        {"disabled user", TGT_OK, NULL, 0, KRB5KDC_ERR_POLICY, 0, 0, 0, 0,
         "the user is disabled, locked out or expired"},
        {"disabled user or stale ccache TGT", TGT_OK, "FILE:/tmp/cc", 0,
         KRB5KDC_ERR_POLICY, 0, 0, 0, 0,
         "the account was disabled after kinit): try again with its keys",
         ADKCD_HINT_CREDENTIALS},
        {"other S4U2Self failure", TGT_OK, NULL, 0, KRB5KDC_ERR_BADOPTION, 0, 0,
         0, 0, "S4U2Self failed: the KDC would not give tmg$"},
        {"no single holder", TGT_OK, NULL, 1, 0, FWD, 1, 0,
         KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, "the KDC found no single account"},
        {"TGT not forwardable, obtained here", ADKCD_TKT_INITIAL, NULL, 1, 0, 0,
         1, 0, KRB5KDC_ERR_BADOPTION,
         "although adkcd asked for a forwardable one"},
        {"TGT not forwardable, from kinit", ADKCD_TKT_INITIAL, "FILE:/tmp/cc",
         1, 0, 0, 1, 0, KRB5KDC_ERR_BADOPTION,
         "the TGT of tmg$ in FILE:/tmp/cc is not forwardable",
         ADKCD_HINT_CREDENTIALS},
        {"S4U2Self not forwardable", TGT_OK, NULL, 1, 0, 0, 1, 0,
         KRB5KDC_ERR_BADOPTION,
         "protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION) is off"},
        {"S4U2Self not inspected", TGT_OK, NULL, 1, 0, 0, 0, 0,
         KRB5KDC_ERR_BADOPTION, "(which could not be inspected)"},
        {"not in the list", TGT_OK, NULL, 1, 0, FWD, 1, 0,
         KRB5KDC_ERR_BADOPTION, "not in the msDS-AllowedToDelegateTo"},
        {"anything else", TGT_OK, NULL, 1, 0, FWD, 1, 0, KRB5KDC_ERR_POLICY,
         "S4U2Proxy to http/iosmdm.mydom.local@MYDOM.LOCAL failed: the "
         "KDC's text"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        struct adkcd_s4u_result r = result(
            cases[i].self_done, cases[i].self_code, cases[i].self_flags,
            cases[i].inspected, cases[i].proxy_done, cases[i].proxy_code);
        struct adkcd_err err;
        char *text = (char *)"unset";
        unsigned hints = 0xdead;

        adkcd_err_clear(&err);
        assert_int_equal(adkcd_s4u_explain_facts("tmg$", cases[i].tgt_flags,
                                                 cases[i].ccache, &r, &text,
                                                 &hints, &err),
                         ADKCD_OK);
        if (hints != cases[i].hints)
            fail_msg("%s: hints 0x%x, expected 0x%x", cases[i].name, hints,
                     cases[i].hints);
        /* The options are the front end's to name. */
        if (text != NULL && strstr(text, "--") != NULL)
            fail_msg("%s: the text names an option: \"%s\"", cases[i].name,
                     text);
        if (cases[i].want == NULL) {
            if (text != NULL)
                fail_msg("%s: expected no explanation, got \"%s\"",
                         cases[i].name, text);
            continue;
        }
        if (text == NULL || strstr(text, cases[i].want) == NULL)
            fail_msg("%s: expected \"%s\" in \"%s\"", cases[i].name,
                     cases[i].want, text ? text : "(null)");
        free(text);
    }
}

/* The options the connection gives: what excludes what. */
static void
test_creds_options(void **state)
{
    struct adkcd_creds_opts o;
    struct adkcd_creds *t = NULL;
    struct adkcd_err err;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.ccache = "MEMORY:x";
    o.password = "x";
    o.principal = "alice";
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_USAGE);
    assert_null(t);
    assert_string_equal(err.msg,
                        "a credentials cache excludes a keytab and a password");
    /* Keys need a principal, given or derived from an account. */
    memset(&o, 0, sizeof(o));
    o.keytab = "/nonexistent";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_USAGE);
    assert_string_equal(err.msg, "a keytab or a password needs a principal");
    /* A principal that does not parse. */
    o.principal = "a@b@c";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_USAGE);
    assert_non_null(strstr(err.msg, "invalid principal 'a@b@c'"));
    assert_true(err.krb5_rc != 0);
}

/*
 * A MEMORY ccache for princ holding a TGT of its realm that ends at end
 * (0: no TGT at all, only a service ticket).  Its name goes to name.
 */
static void
make_ccache(krb5_context ctx, const char *princ, long end, char *name,
            size_t size, krb5_ccache *cc_out)
{
    krb5_ccache cc;
    krb5_principal p;
    krb5_creds c;
    char server[128];
    const char *at = strchr(princ, '@');

    assert_non_null(at);
    assert_int_equal(krb5_cc_new_unique(ctx, "MEMORY", NULL, &cc), 0);
    assert_int_equal(krb5_parse_name(ctx, princ, &p), 0);
    assert_int_equal(krb5_cc_initialize(ctx, cc, p), 0);
    memset(&c, 0, sizeof(c));
    c.client = p;
    if (end != 0)
        snprintf(server, sizeof(server), "krbtgt/%s@%s", at + 1, at + 1);
    else
        snprintf(server, sizeof(server), "http/web.mydom.local@%s", at + 1);
    assert_int_equal(krb5_parse_name(ctx, server, &c.server), 0);
    c.times.authtime = (krb5_timestamp)(end != 0 ? end - 3600 : time(NULL));
    c.times.endtime = (krb5_timestamp)(end != 0 ? end : time(NULL) + 3600);
    c.ticket_flags = ADKCD_TKT_INITIAL | ADKCD_TKT_FORWARDABLE;
    c.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    c.ticket.data = (char *)"not a ticket";
    c.ticket.length = 12;
    assert_int_equal(krb5_cc_store_cred(ctx, cc, &c), 0);
    krb5_free_principal(ctx, c.server);
    krb5_free_principal(ctx, p);
    snprintf(name, size, "MEMORY:%s", krb5_cc_get_name(ctx, cc));
    *cc_out = cc;
}

/* A TGT a ccache holds: it must be ACCOUNT's, unexpired, and there. */
static void
test_creds_ccache(void **state)
{
    krb5_context ctx;
    krb5_ccache cc;
    char name[128];
    struct adkcd_creds_opts o;
    struct adkcd_creds *t = NULL;
    struct adkcd_err err;
    long now = (long)time(NULL);

    (void)state;
    assert_int_equal(krb5_init_context(&ctx), 0);

    /* tmg$'s TGT, as tmg: copied alone into a MEMORY ccache of its own. */
    make_ccache(ctx, "tmg$@MYDOM.LOCAL", now + 3600, name, sizeof(name), &cc);
    memset(&o, 0, sizeof(o));
    o.ccache = name;
    o.account = "MYDOM\\tmg";
    o.own_ccache = 1;
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_OK);
    assert_string_equal(adkcd_creds_principal(t), "tmg$@MYDOM.LOCAL");
    assert_string_equal(adkcd_creds_name(t), "tmg$");
    assert_string_equal(adkcd_creds_realm(t), "MYDOM.LOCAL");
    assert_string_equal(adkcd_creds_from_ccache(t), name);
    assert_non_null(adkcd_creds_ccache(t));
    assert_string_not_equal(adkcd_creds_ccache(t), name);
    assert_true(adkcd_creds_matches_account(t));
    assert_string_equal(adkcd_creds_ticket(t)->server,
                        "krbtgt/MYDOM.LOCAL@MYDOM.LOCAL");
    assert_true(adkcd_creds_ticket(t)->flags & ADKCD_TKT_FORWARDABLE);
    assert_int_equal(adkcd_creds_ticket(t)->end, now + 3600);
    adkcd_creds_free(t);
    t = NULL;

    /* Without own_ccache (the connection's), the ccache is used in place. */
    o.own_ccache = 0;
    o.account = NULL;
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_OK);
    assert_string_equal(adkcd_creds_ccache(t), name);
    assert_true(adkcd_creds_matches_account(t));
    adkcd_creds_free(t);
    t = NULL;

    /* Another account's: refused before anything is asked. */
    o.account = "web";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_null(t);
    assert_non_null(strstr(err.msg, "holds a ticket for tmg$@MYDOM.LOCAL, "
                                    "not for web$ or web"));
    /* -U: the user tmg, not the computer tmg$. */
    o.account = "tmg";
    o.kind = ADKCD_ACCOUNT_USER;
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "not for tmg: give the keys of tmg, or "
                                    "run 'kinit -f' as it"));
    assert_int_equal(err.hints, ADKCD_HINT_CREDENTIALS);
    o.kind = ADKCD_ACCOUNT_ANY;
    /* --principal, compared without regard to case. */
    o.principal = "TMG$@mydom.local";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_OK);
    adkcd_creds_free(t);
    t = NULL;
    o.principal = "alice@MYDOM.LOCAL";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "holds a ticket for tmg$@MYDOM.LOCAL, "
                                    "not alice@MYDOM.LOCAL: give the keys of "
                                    "alice@MYDOM.LOCAL"));
    assert_int_equal(err.hints, ADKCD_HINT_CREDENTIALS);
    o.principal = NULL;
    /* A DN names no principal: only the directory can tell. */
    o.account = "CN=tmg,CN=Computers,DC=mydom,DC=local";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_OK);
    assert_false(adkcd_creds_matches_account(t));
    adkcd_creds_free(t);
    t = NULL;
    krb5_cc_destroy(ctx, cc);

    /* Expired: said so, with the advice of each context. */
    make_ccache(ctx, "tmg$@MYDOM.LOCAL", now - 60, name, sizeof(name), &cc);
    o.account = NULL;
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "the Kerberos ticket of tmg$@MYDOM.LOCAL "
                                    "expired at "));
    assert_non_null(strstr(err.msg, "run 'kinit tmg$@MYDOM.LOCAL' again"));
    assert_int_equal(err.hints, 0);
    o.account = "tmg";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "run 'kinit -f tmg$@MYDOM.LOCAL' again, "
                                    "or give its keys"));
    assert_int_equal(err.hints, ADKCD_HINT_CREDENTIALS);
    krb5_cc_destroy(ctx, cc);

    /* No TGT at all. */
    make_ccache(ctx, "tmg$@MYDOM.LOCAL", 0, name, sizeof(name), &cc);
    o.account = NULL;
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "no ticket-granting ticket for "
                                    "tmg$@MYDOM.LOCAL in MEMORY:"));
    assert_int_equal(err.hints, 0);
    o.account = "tmg";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "no valid ticket-granting ticket for "
                                    "tmg$@MYDOM.LOCAL"));
    assert_non_null(strstr(err.msg, ": run 'kinit -f tmg$@MYDOM.LOCAL', or "
                                    "give its keys"));
    assert_int_equal(err.hints, ADKCD_HINT_CREDENTIALS);
    krb5_cc_destroy(ctx, cc);

    /* An empty ccache. */
    o.ccache = "FILE:/nonexistent/dir/krb5cc";
    o.account = NULL;
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_string_equal(err.msg,
                        "no Kerberos ticket in FILE:/nonexistent/dir/krb5cc: "
                        "run 'kinit USER@REALM' first, or give a principal "
                        "and its keys");
    assert_int_equal(err.hints, ADKCD_HINT_CREDENTIALS);
    o.account = "tmg";
    assert_int_equal(adkcd_creds_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_string_equal(err.msg, "no ticket for tmg: give its keys, or run "
                                 "'kinit -f' as it first");
    assert_int_equal(err.hints, ADKCD_HINT_CREDENTIALS);
    krb5_free_context(ctx);
}

static void
test_step_names(void **state)
{
    struct adkcd_finding f;

    (void)state;
    assert_string_equal(adkcd_verify_step_name(ADKCD_VERIFY_TGT), "tgt");
    assert_string_equal(adkcd_verify_step_name(ADKCD_VERIFY_S4U2SELF),
                        "s4u2self");
    assert_string_equal(adkcd_verify_step_name(ADKCD_VERIFY_S4U2PROXY),
                        "s4u2proxy");
    assert_string_equal(adkcd_verify_outcome_name(ADKCD_VERIFY_OK), "ok");
    assert_string_equal(adkcd_verify_outcome_name(ADKCD_VERIFY_NOT_FORWARDABLE),
                        "not-forwardable");
    assert_string_equal(adkcd_verify_outcome_name(ADKCD_VERIFY_FAILED),
                        "failed");
    assert_string_equal(adkcd_verify_outcome_name(ADKCD_VERIFY_NOT_TRIED),
                        "not-tried");
    memset(&f, 0, sizeof(f));
    f.verdict = ADKCD_FAIL;
    assert_true(adkcd_verify_is_cause(&f));
    f.verdict = ADKCD_WARN;
    assert_true(adkcd_verify_is_cause(&f));
    f.verdict = ADKCD_PASS;
    assert_false(adkcd_verify_is_cause(&f));
    f.verdict = ADKCD_SKIP;
    assert_false(adkcd_verify_is_cause(&f));
}

/* Each step's outcome and verdict from what the KDC answered. */
static void
test_steps(void **state)
{
    static const struct {
        const char *name;
        unsigned tgt_flags;
        int self_done;
        unsigned self_flags;
        int inspected;
        int proxy_done;
        long proxy_code;
        enum adkcd_verify_outcome want[3];
        enum adkcd_verdict verdict[3];
    } cases[] = {
        {"works",
         TGT_OK,
         1,
         FWD,
         1,
         1,
         0,
         {ADKCD_VERIFY_OK, ADKCD_VERIFY_OK, ADKCD_VERIFY_OK},
         {ADKCD_PASS, ADKCD_PASS, ADKCD_PASS}},
        {"S4U2Self not forwardable",
         TGT_OK,
         1,
         0,
         1,
         0,
         KRB5KDC_ERR_BADOPTION,
         {ADKCD_VERIFY_OK, ADKCD_VERIFY_NOT_FORWARDABLE, ADKCD_VERIFY_FAILED},
         {ADKCD_PASS, ADKCD_FAIL, ADKCD_FAIL}},
        {"S4U2Self not forwardable, and it works (resource-based)",
         TGT_OK,
         1,
         0,
         1,
         1,
         0,
         {ADKCD_VERIFY_OK, ADKCD_VERIFY_NOT_FORWARDABLE, ADKCD_VERIFY_OK},
         {ADKCD_PASS, ADKCD_WARN, ADKCD_PASS}},
        {"S4U2Self not inspected",
         TGT_OK,
         1,
         0,
         0,
         0,
         KRB5KDC_ERR_BADOPTION,
         {ADKCD_VERIFY_OK, ADKCD_VERIFY_OK, ADKCD_VERIFY_FAILED},
         {ADKCD_PASS, ADKCD_PASS, ADKCD_FAIL}},
        {"S4U2Self refused",
         TGT_OK,
         0,
         0,
         0,
         0,
         0,
         {ADKCD_VERIFY_OK, ADKCD_VERIFY_FAILED, ADKCD_VERIFY_NOT_TRIED},
         {ADKCD_PASS, ADKCD_FAIL, ADKCD_SKIP}},
        {"TGT not forwardable",
         ADKCD_TKT_INITIAL,
         1,
         0,
         1,
         0,
         KRB5KDC_ERR_BADOPTION,
         {ADKCD_VERIFY_NOT_FORWARDABLE, ADKCD_VERIFY_NOT_FORWARDABLE,
          ADKCD_VERIFY_FAILED},
         {ADKCD_FAIL, ADKCD_FAIL, ADKCD_FAIL}},
    };
    struct adkcd_verify_step_result st[ADKCD_VERIFY_NSTEPS];
    struct adkcd_ticket tgt;
    size_t i, k;

    (void)state;
    memset(&tgt, 0, sizeof(tgt));
    tgt.client = (char *)"tmg$@MYDOM.LOCAL";
    tgt.server = (char *)"krbtgt/MYDOM.LOCAL@MYDOM.LOCAL";
    for (i = 0; i < N_ELEMS(cases); i++) {
        struct adkcd_s4u_result r =
            result(cases[i].self_done, cases[i].self_done ? 0 : 42,
                   cases[i].self_flags, cases[i].inspected, cases[i].proxy_done,
                   cases[i].proxy_code);

        tgt.flags = cases[i].tgt_flags;
        adkcd_verify_steps(&tgt, 0, NULL, &r, st);
        for (k = 0; k < ADKCD_VERIFY_NSTEPS; k++) {
            if (st[k].id != (enum adkcd_verify_step)k ||
                st[k].outcome != cases[i].want[k] ||
                st[k].verdict != cases[i].verdict[k])
                fail_msg("%s: step %zu: outcome %s verdict %s", cases[i].name,
                         k, adkcd_verify_outcome_name(st[k].outcome),
                         adkcd_verdict_name(st[k].verdict));
        }
        assert_ptr_equal(st[0].ticket, &tgt);
        assert_true(cases[i].inspected ? st[1].ticket == &r.self.tkt
                                       : st[1].ticket == NULL);
        assert_int_equal(st[2].code, r.proxy_tried ? cases[i].proxy_code : 0);
    }
    /* The exchange not reached: only the TGT has a result. */
    tgt.flags = TGT_OK;
    adkcd_verify_steps(&tgt, 0, NULL, NULL, st);
    assert_int_equal(st[0].outcome, ADKCD_VERIFY_OK);
    assert_int_equal(st[1].outcome, ADKCD_VERIFY_NOT_TRIED);
    assert_int_equal(st[2].outcome, ADKCD_VERIFY_NOT_TRIED);
    /* No TGT: the first step failed, with the KDC's code and the why. */
    adkcd_verify_steps(NULL, KRB5KDC_ERR_PREAUTH_FAILED, "the password", NULL,
                       st);
    assert_int_equal(st[0].outcome, ADKCD_VERIFY_FAILED);
    assert_int_equal(st[0].verdict, ADKCD_FAIL);
    assert_null(st[0].ticket);
    assert_int_equal(st[0].code, KRB5KDC_ERR_PREAUTH_FAILED);
    assert_string_equal(st[0].error, "the password");
    assert_int_equal(st[1].verdict, ADKCD_SKIP);
}

/* The TGT must be ACCOUNT's. */
static void
test_owner(void **state)
{
    struct adkcd_account acct;
    struct adkcd_err err;

    (void)state;
    memset(&acct, 0, sizeof(acct));
    acct.sam = (char *)"tmg$";
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_verify_owner("tmg", &acct, "TMG$@MYDOM.LOCAL",
                                        "TMG$", 1, NULL, &err),
                     ADKCD_OK);
    /* The directory says ACCOUNT is another account than the TGT's. */
    acct.sam = (char *)"iosmdm";
    assert_int_equal(adkcd_verify_owner("iosmdm", &acct, "tmg$@MYDOM.LOCAL",
                                        "tmg$", 1, NULL, &err),
                     ADKCD_E_USAGE);
    assert_non_null(strstr(err.msg, "the ticket is for tmg$@MYDOM.LOCAL, but "
                                    "iosmdm is "));
    assert_non_null(strstr(err.msg, "give the keys of iosmdm, or its "
                                    "principal"));
    assert_int_equal(err.hints, ADKCD_HINT_CREDENTIALS | ADKCD_HINT_PRINCIPAL);
    /* No directory: a principal derived from ACCOUNT's name will do... */
    assert_int_equal(adkcd_verify_owner("tmg", NULL, "tmg$@MYDOM.LOCAL", "tmg$",
                                        1, "unreachable", &err),
                     ADKCD_OK);
    /* ...but a DN names none, and only the directory could tell. */
    assert_int_equal(adkcd_verify_owner("CN=tmg,DC=x", NULL, "tmg$@MYDOM.LOCAL",
                                        "tmg$", 0, "no DC reachable", &err),
                     ADKCD_E_USAGE);
    assert_string_equal(err.msg, "cannot tell whether the ticket of "
                                 "tmg$@MYDOM.LOCAL is CN=tmg,DC=x's without "
                                 "the directory (no DC reachable): give "
                                 "the principal");
    assert_int_equal(err.hints, ADKCD_HINT_PRINCIPAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags_text),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_principal_needed),
        cmocka_unit_test(test_keytab_without_key),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_creds_options),
        cmocka_unit_test(test_creds_ccache),
        cmocka_unit_test(test_step_names),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_owner),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
