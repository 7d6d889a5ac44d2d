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
    assert_string_equal(
        adkcd_krb5_error_name(KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN),
        "KDC_ERR_S_PRINCIPAL_UNKNOWN");
    assert_string_equal(
        adkcd_krb5_error_name(KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN),
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
    assert_int_equal(krb5_parse_name(ctx, "tmg$@MYDOM.LOCAL", &e.principal),
                     0);
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

    /* A keytab that cannot be read. */
    o.keytab = "FILE:/nonexistent/dir/keytab";
    assert_int_equal(adkcd_tgt_acquire(&o, &t, &err), ADKCD_E_AUTH);
    assert_non_null(strstr(err.msg, "cannot read the keytab"));
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags_text),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_principal_needed),
        cmocka_unit_test(test_keytab_without_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
