/*
 * adkcd unit tests: the parts of adkcd/s4u.h that need no KDC: ticket
 * flag words, Kerberos error names, and the checks made before a TGT is
 * asked for (principal from ACCOUNT, keytab contents).  The exchange itself
 * is covered by t_kcd_verify.sh against the sandbox DC.
 */
#include "harness.h"

#include <unistd.h>

#include <krb5.h>

#include "adkcd/s4u.h"

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

/* ACCOUNT forms that name no principal need --principal; nothing is sent. */
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
    struct adkcd_tgt_opts o;
    struct adkcd_tgt *t = (struct adkcd_tgt *)&o;
    struct adkcd_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(forms); i++) {
        memset(&o, 0, sizeof(o));
        o.account = forms[i];
        o.password = "x";
        adkcd_err_clear(&err);
        assert_int_equal(adkcd_tgt_acquire(&o, &t, &err), ADKCD_E_USAGE);
        assert_null(t);
        assert_non_null(strstr(err.msg, "give --principal"));
    }
    memset(&o, 0, sizeof(o));
    o.account = "tmg";
    o.password = "x";
    o.keytab = "/nonexistent";
    assert_int_equal(adkcd_tgt_acquire(&o, &t, &err), ADKCD_E_USAGE);
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
    struct adkcd_tgt_opts o;
    struct adkcd_tgt *t = NULL;
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
    assert_int_equal(adkcd_tgt_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_null(t);
    assert_non_null(strstr(err.msg, "holds no key for web$ or web"));
    assert_non_null(strstr(err.msg, "it holds: tmg$@MYDOM.LOCAL"));

    /* -U: the user NAME only, even when the keytab has NAME$. */
    o.account = "tmg";
    o.kind = ADKCD_ACCOUNT_USER;
    assert_int_equal(adkcd_tgt_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "holds no key for tmg (it holds"));
    /* -C: the computer NAME$ only. */
    o.account = "web";
    o.kind = ADKCD_ACCOUNT_COMPUTER;
    assert_int_equal(adkcd_tgt_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "holds no key for web$ (it holds"));
    o.kind = ADKCD_ACCOUNT_ANY;

    /* A keytab that cannot be read. */
    o.keytab = "FILE:/nonexistent/dir/keytab";
    assert_int_equal(adkcd_tgt_acquire(&o, &t, &err), ADKCD_E_AUTH);
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
    } cases[] = {
        {"works", TGT_OK, NULL, 1, 0, FWD, 1, 1, 0, NULL},
        {"unknown user", TGT_OK, NULL, 0, KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN, 0, 0,
         0, 0, "the KDC knows no user alice@MYDOM.LOCAL"},
        {"account without an SPN", TGT_OK, NULL, 0,
         KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, 0, 0, 0, 0,
         "the KDC does not know tmg$ as a service"},
        {"disabled user", TGT_OK, NULL, 0, KRB5KDC_ERR_POLICY, 0, 0, 0, 0,
         "the user is disabled, locked out or expired"},
        {"disabled user or stale ccache TGT", TGT_OK, "FILE:/tmp/cc", 0,
         KRB5KDC_ERR_POLICY, 0, 0, 0, 0,
         "the account was disabled after kinit"},
        {"other S4U2Self failure", TGT_OK, NULL, 0, KRB5KDC_ERR_BADOPTION, 0, 0,
         0, 0, "S4U2Self failed: the KDC would not give tmg$"},
        {"no single holder", TGT_OK, NULL, 1, 0, FWD, 1, 0,
         KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, "the KDC found no single account"},
        {"TGT not forwardable, obtained here", ADKCD_TKT_INITIAL, NULL, 1, 0, 0,
         1, 0, KRB5KDC_ERR_BADOPTION,
         "although adkcd asked for a forwardable one"},
        {"TGT not forwardable, from kinit", ADKCD_TKT_INITIAL, "FILE:/tmp/cc",
         1, 0, 0, 1, 0, KRB5KDC_ERR_BADOPTION,
         "the TGT of tmg$ in FILE:/tmp/cc is not forwardable"},
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

        adkcd_err_clear(&err);
        assert_int_equal(adkcd_s4u_explain_facts("tmg$", cases[i].tgt_flags,
                                                 cases[i].ccache, &r, &text,
                                                 &err),
                         ADKCD_OK);
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags_text),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_principal_needed),
        cmocka_unit_test(test_keytab_without_key),
        cmocka_unit_test(test_explain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
