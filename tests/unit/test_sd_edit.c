/*
 * adkcd unit tests: editing the resource-based delegation descriptor
 * (adkcd_sd_edit(), sd_edit.c).  Expected bytes are what Samba's own NDR
 * code packs for the same SDDL (samba.dcerpc.security.descriptor.from_sddl
 * + samba.ndr.ndr_pack, Samba 4.22), so an edit is checked byte for byte
 * against an independent encoder: what it keeps, where it puts the new
 * ACE, and the new descriptor's layout (owner BA, DACL revision 4).
 */
#include "harness.h"
#include "sd_bytes.h"

#include "adkcd/sd.h"
#include "adkcd/strv.h"

#define A_SID "S-1-5-21-1-2-3-1105"
#define B_SID "S-1-5-21-1-2-3-1106"

/* O:BAD:(A;;0xf01ff;;;A) */
static const char simple_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "000004002c000100000000002400ff010f00010500000000000515000000010000"
    "00020000000300000051040000";
/* O:BAD:(A;;0xf01ff;;;A)(A;;0xf01ff;;;B) */
static const char two_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "0000040050000200000000002400ff010f000105000000000005150000000100000002"
    "000000030000005104000000002400ff010f0001050000000000051500000001000000"
    "020000000300000052040000";
/* O:BAG:DUD:(A;;0xf01ff;;;A)S:(AU;SA;WP;;;WD) and the same with B added */
static const char gs1_hex[] =
    "010014801400000024000000400000005c0000000102000000000005200000002002"
    "00000105000000000005150000000100000002000000030000000102000004001c00"
    "01000000024014002000000001010000000000010000000004002c00010000000000"
    "2400ff010f0001050000000000051500000001000000020000000300000051040000";
static const char gs2_hex[] =
    "010014801400000024000000400000005c0000000102000000000005200000002002"
    "00000105000000000005150000000100000002000000030000000102000004001c00"
    "010000000240140020000000010100000000000100000000040050000200000000002400"
    "ff010f000105000000000005150000000100000002000000030000005104000000002400"
    "ff010f0001050000000000051500000001000000020000000300000052040000";
/* O:BAD:(A;ID;0xf01ff;;;A), and with B added before the inherited ACE */
static const char inh1_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "000004002c000100000000102400ff010f00010500000000000515000000010000"
    "00020000000300000051040000";
static const char inh2_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "0000040050000200000000002400ff010f000105000000000005150000000100000002"
    "000000030000005204000000102400ff010f0001050000000000051500000001000000"
    "020000000300000051040000";
/* O:BAD:(A;;CR;;;A)(A;;0xf01ff;;;B), and B's alone */
static const char cr1_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "0000040050000200000000002400000100000105000000000005150000000100000002"
    "000000030000005104000000002400ff010f0001050000000000051500000001000000"
    "020000000300000052040000";
static const char cr2_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "000004002c000100000000002400ff010f00010500000000000515000000010000"
    "00020000000300000052040000";
/* O:BAD:(D;;CR;;;B)(A;;0xf01ff;;;A) */
static const char deny_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "0000040050000200000001002400000100000105000000000005150000000100000002"
    "000000030000005204000000002400ff010f0001050000000000051500000001000000"
    "020000000300000051040000";
/* O:BAD:(D;;CR;;;A)(A;;0xf01ff;;;A): A's allow cancelled by a deny */
static const char cancelled_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "0000040050000200000001002400000100000105000000000005150000000100000002"
    "000000030000005104000000002400ff010f0001050000000000051500000001000000"
    "020000000300000051040000";
/* O:BA without a DACL (everyone allowed) */
static const char nodacl_hex[] =
    "010000801400000000000000000000000000000001020000000000052000000020020000";

/* O:BAD:(OA;;CR;00299570-...;;A): a right on one property only */
static const char obj_hex[] =
    "0100048014000000000000000000000024000000010200000000000520000000200200"
    "000400400001000000050038000001000001000000709529006d24d011a76800aa006e"
    "052901050000000000051500000001000000020000000300000051040000";
/* O:BAD:(A;IO;0xf01ff;;;A): inherited by children only */
static const char io_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "000004002c000100000000082400ff010f00010500000000000515000000010000"
    "00020000000300000051040000";

static struct adkcd_val
hexval(const char *hex)
{
    struct bytes x;
    struct adkcd_val v;

    from_hex(&x, hex);
    v.len = x.n;
    v.data = malloc(x.n + 1);
    assert_non_null(v.data);
    memcpy(v.data, x.b, x.n);
    v.data[x.n] = '\0';
    return v;
}

static void
assert_bytes(const struct adkcd_val *got, const char *hex)
{
    struct adkcd_val want = hexval(hex);

    if (got->len != want.len || memcmp(got->data, want.data, want.len) != 0) {
        size_t i;

        fprintf(stderr, "got  ");
        for (i = 0; i < got->len; i++)
            fprintf(stderr, "%02x", (unsigned char)got->data[i]);
        fprintf(stderr, "\nwant %s\n", hex);
        fail();
    }
    free(want.data);
}

/* Edit hex (NULL: absent) and expect status st. */
static adkcd_status
edit(const char *hex, char *const *add, char *const *remove, int exact,
     struct adkcd_sd_edit_result *r)
{
    struct adkcd_sd_edit e = {add, remove, exact};
    struct adkcd_val cur;
    struct adkcd_err err;
    adkcd_status st;

    adkcd_err_clear(&err);
    if (hex != NULL)
        cur = hexval(hex);
    st = adkcd_sd_edit(hex != NULL ? &cur : NULL, &e, r, &err);
    if (hex != NULL)
        free(cur.data);
    if (st != ADKCD_OK)
        fprintf(stderr, "(expected or not) %s\n", err.msg);
    return st;
}

#define L(...) ((char *const[]){__VA_ARGS__, NULL})

static void
test_first_add_is_windows_form(void **state)
{
    struct adkcd_sd_edit_result r;

    (void)state;
    assert_int_equal(edit(NULL, L(A_SID), NULL, 0, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_true(r.present);
    assert_bytes(&r.value, simple_hex);
    assert_int_equal(adkcd_strv_len(r.added), 1);
    assert_string_equal(r.added[0], A_SID);
    adkcd_sd_edit_result_clear(&r);
}

static void
test_add_appends_keeps_rest(void **state)
{
    struct adkcd_sd_edit_result r;

    (void)state;
    assert_int_equal(edit(simple_hex, L(B_SID), NULL, 0, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_bytes(&r.value, two_hex);
    adkcd_sd_edit_result_clear(&r);
    /* group and SACL kept byte for byte, where they were */
    assert_int_equal(edit(gs1_hex, L(B_SID), NULL, 0, &r), ADKCD_OK);
    assert_bytes(&r.value, gs2_hex);
    adkcd_sd_edit_result_clear(&r);
    /* the new ACE goes before the inherited ones */
    assert_int_equal(edit(inh1_hex, L(B_SID), NULL, 0, &r), ADKCD_OK);
    assert_bytes(&r.value, inh2_hex);
    adkcd_sd_edit_result_clear(&r);
}

static void
test_idempotent(void **state)
{
    struct adkcd_sd_edit_result r;

    (void)state;
    /* present already (also with CR alone): nothing changes */
    assert_int_equal(edit(simple_hex, L(A_SID), NULL, 0, &r), ADKCD_OK);
    assert_false(r.changed);
    assert_true(r.present);
    assert_bytes(&r.value, simple_hex);
    assert_null(r.added);
    adkcd_sd_edit_result_clear(&r);
    assert_int_equal(edit(cr1_hex, L(A_SID, B_SID), NULL, 0, &r), ADKCD_OK);
    assert_false(r.changed);
    adkcd_sd_edit_result_clear(&r);
    /* absent stays absent */
    assert_int_equal(edit(simple_hex, NULL, L(B_SID), 0, &r), ADKCD_OK);
    assert_false(r.changed);
    adkcd_sd_edit_result_clear(&r);
    assert_int_equal(edit(NULL, NULL, L(B_SID), 0, &r), ADKCD_OK);
    assert_false(r.changed);
    assert_false(r.present);
    adkcd_sd_edit_result_clear(&r);
    assert_int_equal(edit(NULL, NULL, NULL, 1, &r), ADKCD_OK);
    assert_false(r.changed);
    assert_false(r.present);
    adkcd_sd_edit_result_clear(&r);
    /* exact with the same set */
    assert_int_equal(edit(two_hex, L(B_SID, A_SID), NULL, 1, &r), ADKCD_OK);
    assert_false(r.changed);
    assert_bytes(&r.value, two_hex);
    adkcd_sd_edit_result_clear(&r);
}

static void
test_remove(void **state)
{
    struct adkcd_sd_edit_result r;

    (void)state;
    assert_int_equal(edit(two_hex, NULL, L(A_SID), 0, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_bytes(&r.value, cr2_hex);
    assert_string_equal(r.removed[0], A_SID);
    assert_int_equal(r.aces_removed, 1);
    adkcd_sd_edit_result_clear(&r);
    /* an ACE with CR alone counts as allowing, and goes */
    assert_int_equal(edit(cr1_hex, NULL, L(A_SID), 0, &r), ADKCD_OK);
    assert_bytes(&r.value, cr2_hex);
    adkcd_sd_edit_result_clear(&r);
    /* the last one: the attribute goes */
    assert_int_equal(edit(simple_hex, NULL, L(A_SID), 0, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_false(r.present);
    assert_null(r.value.data);
    adkcd_sd_edit_result_clear(&r);
}

static void
test_exact(void **state)
{
    struct adkcd_sd_edit_result r;

    (void)state;
    assert_int_equal(edit(simple_hex, L(B_SID), NULL, 1, &r), ADKCD_OK);
    assert_bytes(&r.value, cr2_hex);
    assert_string_equal(r.added[0], B_SID);
    assert_string_equal(r.removed[0], A_SID);
    adkcd_sd_edit_result_clear(&r);
    assert_int_equal(edit(two_hex, NULL, NULL, 1, &r), ADKCD_OK);
    assert_false(r.present);
    assert_int_equal(adkcd_strv_len(r.removed), 2);
    adkcd_sd_edit_result_clear(&r);
    /* a deny stays: the descriptor is kept with it */
    assert_int_equal(edit(deny_hex, NULL, NULL, 1, &r), ADKCD_OK);
    assert_true(r.present);
    assert_int_equal(r.aces_removed, 1);
    adkcd_sd_edit_result_clear(&r);
}

static void
test_refusals(void **state)
{
    struct adkcd_sd_edit_result r;
    struct adkcd_val bad = hexval(simple_hex);
    struct adkcd_sd_edit e = {L(B_SID), NULL, 0};
    struct adkcd_err err;

    (void)state;
    /* denied first: an allow after the deny would not apply */
    assert_int_equal(edit(deny_hex, L(B_SID), NULL, 0, &r), ADKCD_E_USAGE);
    assert_null(r.value.data);
    assert_int_equal(edit(NULL, L("S-1-5-21-x"), NULL, 0, &r), ADKCD_E_USAGE);
    assert_int_equal(edit(NULL, L("tmg$"), NULL, 0, &r), ADKCD_E_USAGE);
    assert_int_equal(edit(simple_hex, L(B_SID), L(B_SID), 0, &r),
                     ADKCD_E_USAGE);
    /* no DACL: only exact replaces it */
    assert_int_equal(edit(nodacl_hex, L(B_SID), NULL, 0, &r), ADKCD_E_USAGE);
    assert_int_equal(edit(nodacl_hex, NULL, L(B_SID), 0, &r), ADKCD_E_USAGE);
    assert_int_equal(edit(nodacl_hex, L(A_SID), NULL, 1, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_true(r.present);
    {
        struct adkcd_sd sd;

        assert_int_equal(adkcd_sd_parse((unsigned char *)r.value.data,
                                        r.value.len, &sd, &err),
                         ADKCD_OK);
        assert_true(sd.has_dacl);
        assert_int_equal(sd.n, 1);
        assert_string_equal(sd.aces[0].sid, A_SID);
        assert_string_equal(sd.owner, "S-1-5-32-544");
        adkcd_sd_clear(&sd);
    }
    adkcd_sd_edit_result_clear(&r);
    assert_int_equal(edit(nodacl_hex, NULL, NULL, 1, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_false(r.present);
    adkcd_sd_edit_result_clear(&r);
    /* a malformed value is not edited */
    bad.len -= 3;
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_sd_edit(&bad, &e, &r, &err), ADKCD_E_INVALID);
    free(bad.data);
}

static void
test_sid_from_string(void **state)
{
    static const char *const ok[] = {"S-1-5-32-544", "S-1-1-0", "S-1-5-11",
                                     "S-1-5-21-4294967295-1-2-500", "S-1-0"};
    static const char *const bad[] = {
        "",
        "S-1",
        "S-1-",
        "S-2-5",
        "S-1-5-",
        "S-1-5--1",
        "S-1-5-4294967296",
        "S-1-281474976710656",
        "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
        "S-1-5-x",
        "S-1-5-1 ",
        "S-1-5-+1"};
    struct adkcd_val v;
    struct adkcd_err err;
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(ok); i++) {
        char *text = NULL;

        adkcd_err_clear(&err);
        assert_int_equal(adkcd_sid_from_string(ok[i], &v, &err), ADKCD_OK);
        assert_int_equal(adkcd_sid_to_string((unsigned char *)v.data, v.len,
                                             NULL, &text, &err),
                         ADKCD_OK);
        assert_string_equal(text, ok[i]);
        free(text);
        free(v.data);
    }
    for (i = 0; i < N_ELEMS(bad); i++) {
        adkcd_err_clear(&err);
        assert_int_equal(adkcd_sid_from_string(bad[i], &v, &err),
                         ADKCD_E_USAGE);
        assert_null(v.data);
    }
}

/* Found by fuzzing (tests/fuzz/fuzz_sid.c): a SID whose authority is 2^32
 * or more is shown as "S-1-0x" and 12 hexadecimal digits (MS-DTYP
 * 2.4.2.1), and that text converts back to the same bytes; so does the
 * decimal form, which is shown in hexadecimal. */
static void
test_sid_hex_authority_round_trip(void **state)
{
    static const unsigned char bin[] = {1, 1, 1, 0, 0, 0, 0, 0, 7, 0, 0, 0};
    static const char *const bad[] = {"S-1-0x", "S-1-0x01000000000",
                                      "S-1-0x0100000000000",
                                      "S-1-0x01000000000g", "S-1-0X-1"};
    struct adkcd_val v, v2;
    struct adkcd_err err;
    char *text = NULL;
    size_t i;

    (void)state;
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_sid_to_string(bin, sizeof(bin), NULL, &text, &err),
                     ADKCD_OK);
    assert_string_equal(text, "S-1-0x010000000000-7");
    assert_int_equal(adkcd_sid_from_string(text, &v, &err), ADKCD_OK);
    assert_int_equal(v.len, sizeof(bin));
    assert_memory_equal(v.data, bin, sizeof(bin));
    free(v.data);
    free(text);
    /* the same authority in decimal, and in lower case */
    assert_int_equal(adkcd_sid_from_string("S-1-1099511627776-7", &v, &err),
                     ADKCD_OK);
    assert_int_equal(adkcd_sid_from_string("s-1-0x010000000000-7", &v2, &err),
                     ADKCD_OK);
    assert_int_equal(v.len, sizeof(bin));
    assert_memory_equal(v.data, bin, sizeof(bin));
    assert_int_equal(v2.len, sizeof(bin));
    assert_memory_equal(v2.data, bin, sizeof(bin));
    free(v.data);
    free(v2.data);
    /* exactly 12 digits */
    for (i = 0; i < N_ELEMS(bad); i++) {
        adkcd_err_clear(&err);
        assert_int_equal(adkcd_sid_from_string(bad[i], &v, &err),
                         ADKCD_E_USAGE);
        assert_null(v.data);
    }
}

/* Review findings: an ACE the KDC ignores never counts as allowing, and
 * SIDs compare in their canonical form. */
static void
test_what_the_kdc_ignores(void **state)
{
    struct adkcd_sd_edit_result r;

    (void)state;
    /* an object ACE with an ObjectType: adding A writes a plain allow */
    assert_int_equal(edit(obj_hex, L(A_SID), NULL, 0, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_string_equal(r.added[0], A_SID);
    adkcd_sd_edit_result_clear(&r);
    /* an inherit-only allow does not allow: nothing to remove */
    assert_int_equal(edit(io_hex, NULL, L(A_SID), 0, &r), ADKCD_OK);
    assert_false(r.changed);
    assert_true(r.present);
    adkcd_sd_edit_result_clear(&r);
    /* lower case and leading zeros name the same SID */
    assert_int_equal(edit(simple_hex, NULL, L("s-1-5-21-01-2-3-01105"), 0, &r),
                     ADKCD_OK);
    assert_true(r.changed);
    assert_false(r.present);
    adkcd_sd_edit_result_clear(&r);
    assert_int_equal(edit(simple_hex, L("s-1-5-21-1-2-3-1105"), NULL, 0, &r),
                     ADKCD_OK);
    assert_false(r.changed);
    adkcd_sd_edit_result_clear(&r);
}

/* exact is exact: an allow a deny cancels now goes too (it would allow
 * once the deny went); replacing a descriptor without a DACL reports
 * Everyone removed. */
static void
test_exact_is_exact(void **state)
{
    struct adkcd_sd_edit_result r;

    (void)state;
    assert_int_equal(edit(cancelled_hex, NULL, NULL, 1, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_true(r.present); /* the deny stays */
    assert_int_equal(r.aces_removed, 1);
    assert_string_equal(r.removed[0], A_SID);
    adkcd_sd_edit_result_clear(&r);
    assert_int_equal(edit(nodacl_hex, L(A_SID), NULL, 1, &r), ADKCD_OK);
    assert_true(r.changed);
    assert_non_null(r.removed);
    assert_string_equal(r.removed[0], "S-1-1-0");
    adkcd_sd_edit_result_clear(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_add_is_windows_form),
        cmocka_unit_test(test_add_appends_keeps_rest),
        cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_sid_from_string),
        cmocka_unit_test(test_sid_hex_authority_round_trip),
        cmocka_unit_test(test_what_the_kdc_ignores),
        cmocka_unit_test(test_exact_is_exact),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
