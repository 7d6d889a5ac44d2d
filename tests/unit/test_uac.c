/*
 * adkcd unit tests: adkcd/uac.h, userAccountControl and the
 * classification of accounts (pure).
 */
#include "harness.h"

#include "adkcd/uac.h"

#define WS ADKCD_UAC_WORKSTATION_TRUST_ACCOUNT
#define SRV ADKCD_UAC_SERVER_TRUST_ACCOUNT
#define PS ADKCD_UAC_PARTIAL_SECRETS_ACCOUNT
#define T2A ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION
#define TFD ADKCD_UAC_TRUSTED_FOR_DELEGATION

static void
test_parse(void **state)
{
    static const struct {
        const char *text;
        int rc;
        unsigned uac;
    } cases[] = {
        {"0", 0, 0},
        {"4096", 0, 0x1000u},
        {"532480", 0, SRV | TFD},
        {"+512", 0, 0x200u},
        /* Signed 32-bit, as LDAP writes it. */
        {"-2147483648", 0, 0x80000000u},
        {"-2130706432", 0, 0x81000000u},
        {"-1", 0, 0xffffffffu},
        /* Unsigned, as some tools write it: the same bits. */
        {"2164260864", 0, 0x81000000u},
        {"4294967295", 0, 0xffffffffu},
        /* Not a value. */
        {"4294967296", -1, 0},
        {"-2147483649", -1, 0},
        {"", -1, 0},
        {"-", -1, 0},
        {" 512", -1, 0},
        {"512 ", -1, 0},
        {"0x200", -1, 0},
        {"4096x", -1, 0},
        {"99999999999999999999999", -1, 0},
    };
    unsigned uac;
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        int rc;

        uac = 77;
        rc = adkcd_uac_parse(cases[i].text, &uac);
        if (rc != cases[i].rc || uac != cases[i].uac)
            fail_msg("parse(\"%s\") = %d, 0x%x; expected %d, 0x%x",
                     cases[i].text, rc, uac, cases[i].rc, cases[i].uac);
    }
    uac = 77;
    assert_int_equal(adkcd_uac_parse(NULL, &uac), -1);
    assert_int_equal(uac, 0);
}

static void
test_format(void **state)
{
    static const struct {
        unsigned uac;
        const char *text;
    } cases[] = {
        {0, "0"},
        {0x1000u, "4096"},
        {0x7fffffffu, "2147483647"},
        {0x80000000u, "-2147483648"},
        {0x81000000u, "-2130706432"},
        {0xffffffffu, "-1"},
    };
    char buf[ADKCD_UAC_STRLEN];
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        unsigned back = 0;

        assert_ptr_equal(adkcd_uac_format(cases[i].uac, buf), buf);
        assert_string_equal(buf, cases[i].text);
        /* Round trip. */
        assert_int_equal(adkcd_uac_parse(buf, &back), 0);
        assert_int_equal(back, cases[i].uac);
    }
}

static void
test_describe(void **state)
{
    struct adkcd_err err;
    char *text = NULL;

    (void)state;
    h_err_init(&err);
    h_assert_ok("describe", adkcd_uac_describe(WS | PS, &text, &err), &err);
    assert_string_equal(text, "WORKSTATION_TRUST_ACCOUNT (0x1000), "
                              "PARTIAL_SECRETS_ACCOUNT (0x4000000)");
    free(text);
    h_assert_ok("unknown bits",
                adkcd_uac_describe(0x200u | 0x80000000u, &text, &err), &err);
    assert_string_equal(text, "NORMAL_ACCOUNT (0x200), 0x80000000");
    free(text);
    h_assert_ok("none", adkcd_uac_describe(0, &text, &err), &err);
    assert_string_equal(text, "");
    free(text);
}

/* Writable DC, read-only DC, any DC, disabled, sensitive. */
static void
test_classify(void **state)
{
    static const struct {
        const char *name;
        unsigned uac;
        int writable, rodc, dc, disabled, sensitive;
    } cases[] = {
        {"member computer", WS, 0, 0, 0, 0, 0},
        {"user", 0x200u, 0, 0, 0, 0, 0},
        {"writable DC", SRV | TFD, 1, 0, 1, 0, 0},
        {"read-only DC", WS | PS, 0, 1, 1, 0, 0},
        {"read-only DC as created (0x5001000)", WS | PS | T2A, 0, 1, 1, 0, 0},
        {"both trust bits: read-only", SRV | PS, 0, 1, 1, 0, 0},
        {"disabled user", 0x202u, 0, 0, 0, 1, 0},
        {"sensitive user", 0x200u | ADKCD_UAC_NOT_DELEGATED, 0, 0, 0, 0, 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        unsigned u = cases[i].uac;

        if ((adkcd_uac_is_writable_dc(u) != 0) != cases[i].writable ||
            (adkcd_uac_is_rodc(u) != 0) != cases[i].rodc ||
            (adkcd_uac_is_dc(u) != 0) != cases[i].dc ||
            (adkcd_uac_is_disabled(u) != 0) != cases[i].disabled ||
            (adkcd_uac_is_sensitive(u) != 0) != cases[i].sensitive)
            fail_msg("%s (0x%x): writable %d rodc %d dc %d disabled %d "
                     "sensitive %d",
                     cases[i].name, u, adkcd_uac_is_writable_dc(u),
                     adkcd_uac_is_rodc(u), adkcd_uac_is_dc(u),
                     adkcd_uac_is_disabled(u), adkcd_uac_is_sensitive(u));
    }
}

/* krbtgt: the domain's by name, an RODC's by its link only. */
static void
test_krbtgt(void **state)
{
    (void)state;
    assert_true(adkcd_uac_is_krbtgt("krbtgt", 0));
    assert_true(adkcd_uac_is_krbtgt("KRBTGT", 0));
    assert_false(adkcd_uac_is_krbtgt("krbtgt_12345", 0));
    assert_false(adkcd_uac_is_krbtgt("krbtgt$", 0));
    assert_false(adkcd_uac_is_krbtgt("krbtgtx", 0));
    assert_false(adkcd_uac_is_krbtgt("alice", 0));
    assert_false(adkcd_uac_is_krbtgt(NULL, 0));
    assert_true(adkcd_uac_is_krbtgt("krbtgt_4242", 1));
    assert_true(adkcd_uac_is_krbtgt("anything", 1));
}

/* The named bits: each once, single bits, the end marked. */
static void
test_flags_table(void **state)
{
    unsigned seen = 0;
    size_t i;

    (void)state;
    for (i = 0; adkcd_uac_flags[i].name != NULL; i++) {
        unsigned b = adkcd_uac_flags[i].bit;

        assert_true(b != 0 && (b & (b - 1)) == 0);
        assert_false(seen & b);
        seen |= b;
    }
    assert_int_equal(adkcd_uac_flags[i].bit, 0);
    assert_true(seen & PS);
    assert_true(seen & SRV);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),    cmocka_unit_test(test_format),
        cmocka_unit_test(test_describe), cmocka_unit_test(test_classify),
        cmocka_unit_test(test_krbtgt),   cmocka_unit_test(test_flags_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
