/*
 * adkcd unit tests: security descriptors as SDDL text (adkcd_sd_to_sddl()).
 *
 * Most descriptors are the bytes Samba's python bindings pack for an SDDL
 * string (samba.dcerpc.security.descriptor.from_sddl + samba.ndr.ndr_pack,
 * Samba 4.22); the expected text is what Samba's as_sddl() writes back,
 * except where adkcd chooses otherwise (sd.h): masks in hexadecimal rather
 * than letters, "0x0" for an empty mask, the SACL left out, and the forms
 * that are not SDDL (other ACE types, unknown flag bits, conditions).  The
 * others are built byte by byte.  Each input is copied into a heap buffer
 * of exactly its size, so that the ASan build catches a read past it.
 */
#include "harness.h"
#include "sd_bytes.h"

#include "adkcd/sd.h"

/* ------------------------------------------------------------------ */
/* Bytes: from hex, or built. */

static void
put_raw(struct bytes *x, const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        put8(x, p[i]);
}

static const unsigned long subs_ba[] = {32, 544, ~0UL};
static const unsigned long subs_1105[] = {21, 1, 2, 3, 1105, ~0UL};

/* A header (Revision 1, the control given, offsets 0 for set32()), the
 * owner BA at 20, and when dacl a DACL (revision 4) started after it:
 * returns the DACL's offset (0: none). */
static size_t
begin_sd(struct bytes *x, unsigned control, int dacl)
{
    size_t at;

    memset(x, 0, sizeof(*x));
    put8(x, 1);
    put8(x, 0);
    put16(x, control);
    put32(x, 0); /* OffsetOwner */
    put32(x, 0); /* OffsetGroup */
    put32(x, 0); /* OffsetSacl */
    put32(x, 0); /* OffsetDacl */
    set32(x, 4, x->n);
    put_sid(x, 5, subs_ba);
    if (!dacl)
        return 0;
    at = x->n;
    set32(x, 16, at);
    put8(x, 4);
    put8(x, 0);
    put16(x, 0); /* AclSize */
    put16(x, 0); /* AceCount */
    put16(x, 0);
    return at;
}

static void
end_acl(struct bytes *x, size_t at, unsigned count)
{
    set16(x, at + 2, (unsigned)(x->n - at));
    set16(x, at + 4, count);
}

/* An ACE header with AceSize to be set by end_ace(). */
static size_t
begin_ace(struct bytes *x, unsigned type, unsigned flags)
{
    size_t at = x->n;

    put8(x, type);
    put8(x, flags);
    put16(x, 0);
    return at;
}

static void
end_ace(struct bytes *x, size_t at)
{
    set16(x, at + 2, (unsigned)(x->n - at));
}

/* bf967aba-0de6-11d0-a285-00aa003049e2 (the user class) as stored. */
static const unsigned char guid_user[16] = {0xba, 0x7a, 0x96, 0xbf, 0xe6, 0x0d,
                                            0xd0, 0x11, 0xa2, 0x85, 0x00, 0xaa,
                                            0x00, 0x30, 0x49, 0xe2};
/* 00299570-246d-11d0-a768-00aa006e0529 (User-Force-Change-Password). */
static const unsigned char guid_pwd[16] = {0x70, 0x95, 0x29, 0x00, 0x6d, 0x24,
                                           0xd0, 0x11, 0xa7, 0x68, 0x00, 0xaa,
                                           0x00, 0x6e, 0x05, 0x29};

/* ------------------------------------------------------------------ */
/* The one check. */

/* Every byte printable ASCII: nothing a terminal would act on. */
static void
assert_printable(const char *what, const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            fail_msg("%s: byte 0x%02x in the text", what, (unsigned char)*s);
}

/* Render len bytes of x from a buffer of exactly that size. */
static adkcd_status
render_exact(const struct bytes *x, size_t len, char **text,
             struct adkcd_err *err)
{
    unsigned char *copy = malloc(len > 0 ? len : 1);
    adkcd_status st;

    assert_non_null(copy);
    memcpy(copy, x->b, len);
    st = adkcd_sd_to_sddl(copy, len, text, err);
    free(copy);
    return st;
}

/* x renders as want, which is printable, and the error is untouched. */
static void
check_bytes(const char *what, const struct bytes *x, const char *want)
{
    struct adkcd_err err;
    char *text = (char *)"untouched";

    h_err_init(&err);
    h_assert_ok(what, render_exact(x, x->n, &text, &err), &err);
    assert_non_null(text);
    h_assert_text(what, text, want);
    assert_printable(what, text);
    assert_string_equal(err.msg, "(untouched)");
    free(text);
}

static void
check_hex(const char *what, const char *hex, const char *want)
{
    struct bytes x;

    from_hex(&x, hex);
    check_bytes(what, &x, want);
}

/* ------------------------------------------------------------------ */
/* Descriptors Samba packed (the SDDL given to from_sddl() above each). */

/* O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-1105): what the sandbox DC holds
 * after an RBCD write, and what Windows writes. */
static const char hex_sandbox[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "000004002c000100000000002400ff010f0001050000000000051500000001000000"
    "020000000300000051040000";

/* O:BAD:(A;;CR;;;S-1-5-21-1-2-3-1105) */
static const char hex_cr[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "000004002c0001000000000024000001000001050000000000051500000001000000"
    "020000000300000051040000";

/* O:BAD:(D;;0xf01ff;;;S-1-5-21-1-2-3-1106)
 *       (A;;0xf01ff;;;S-1-5-21-1-2-3-1106) */
static const char hex_deny[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "0000040050000200000001002400ff010f0001050000000000051500000001000000"
    "02000000030000005204000000002400ff010f000105000000000005150000000100"
    "0000020000000300000052040000";

/* D:(OA;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;PS)
 *   (OA;;CR;00299570-246d-11d0-a768-00aa006e0529;
 *       bf967aba-0de6-11d0-a285-00aa003049e2;ED)
 *   (OA;;CR;;bf967aba-0de6-11d0-a285-00aa003049e2;IU) */
static const char hex_object[] =
    "01000480000000000000000000000000140000000400900003000000050028000001"
    "000001000000ba7a96bfe60dd011a28500aa003049e201010000000000050a000000"
    "050038000001000003000000709529006d24d011a76800aa006e0529ba7a96bfe60d"
    "d011a28500aa003049e2010100000000000509000000050028000001000002000000"
    "ba7a96bfe60dd011a28500aa003049e2010100000000000504000000";

/* O:BAD:(OD;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;
 *        S-1-5-21-1-2-3-1106) */
static const char hex_object_deny[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "00000400400001000000060038000001000001000000ba7a96bfe60dd011a28500aa"
    "003049e201050000000000051500000001000000020000000300000052040000";

/* O:BAG:SYD:PAI(A;OICINPIOID;CR;;;WD) */
static const char hex_flags[] =
    "01000494140000002400000000000000300000000102000000000005200000002002"
    "000001010000000000051200000004001c0001000000001f14000001000001010000"
    "0000000100000000";

/* O:BAD:ARAIP(A;CIIO;CR;;;WD), which Samba writes back as D:PARAI */
static const char hex_parai[] =
    "01000495140000000000000000000000240000000102000000000005200000002002"
    "000004001c0001000000000a140000010000010100000000000100000000";

/* D:(A;SAFA;0x1;;;AN) */
static const char hex_safa[] =
    "010004800000000000000000000000001400000004001c000100000000c014000100"
    "0000010100000000000507000000";

/* D:(A;;0x0;;;AU) */
static const char hex_mask0[] =
    "010004800000000000000000000000001400000004001c0001000000000014000000"
    "000001010000000000050b000000";

/* O:BAG:SY (no DACL) */
static const char hex_no_dacl[] =
    "01000080140000002400000000000000000000000102000000000005200000002002"
    "0000010100000000000512000000";

/* O:BAD: (a DACL with no ACE) */
static const char hex_empty_dacl[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "00000400080000000000";

/* O:BAD:(A;;CR;;;WD)S:(AU;SA;CR;;;WD) */
static const char hex_sacl[] =
    "01001480140000000000000024000000400000000102000000000005200000002002"
    "000004001c0001000000024014000001000001010000000000010000000004001c00"
    "010000000000140000010000010100000000000100000000";

/* O:BAG:BUD:(XA;;CR;;;WD;(Member_of {SID(BA)})): 32 bytes of condition
 * ("artx", a SID token, the Member_of operator, padding). */
static const char hex_xa[] =
    "01000480140000002400000000000000340000000102000000000005200000002002"
    "00000102000000000005200000002102000004003c00010000000900340000010000"
    "01010000000000010000000061727478501500000051100000000102000000000005"
    "20000000200200008900";

/* D:(XD;;CR;;;NU;(Member_of {SID(BA)})) */
static const char hex_xd[] =
    "010004800000000000000000000000001400000004003c00010000000a0034000001"
    "00000101000000000005020000006172747850150000005110000000010200000000"
    "000520000000200200008900";

/* D:(ZA;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;WD;
 *      (Member_of {SID(BA)})) */
static const char hex_za[] =
    "010004800000000000000000000000001400000004005000010000000b0048000001"
    "000001000000ba7a96bfe60dd011a28500aa003049e2010100000000000100000000"
    "6172747850150000005110000000010200000000000520000000200200008900";

/* D:(A;;CR;;;BA)(A;;CR;;;BU)(A;;CR;;;WD)(A;;CR;;;AU)(A;;CR;;;AN)
 *   (A;;CR;;;SY)(A;;CR;;;PS)(A;;CR;;;ED)(A;;CR;;;NU)(A;;CR;;;IU)
 *   (A;;CR;;;CO)(A;;CR;;;S-1-5-21-1-2-3-512)(A;;CR;;;S-1-5-32-546)
 * (Samba, given the domain S-1-5-21-9-9-9, writes the last as BG.) */
static const char hex_sids[] =
    "0100048000000000000000000000000014000000040028010d000000000018000001"
    "00000102000000000005200000002002000000001800000100000102000000000005"
    "20000000210200000000140000010000010100000000000100000000000014000001"
    "000001010000000000050b0000000000140000010000010100000000000507000000"
    "00001400000100000101000000000005120000000000140000010000010100000000"
    "00050a00000000001400000100000101000000000005090000000000140000010000"
    "01010000000000050200000000001400000100000101000000000005040000000000"
    "14000001000001010000000000030000000000002400000100000105000000000005"
    "15000000010000000200000003000000000200000000180000010000010200000000"
    "00052000000022020000";

/* ------------------------------------------------------------------ */

static void
test_sandbox_value(void **state)
{
    struct bytes x;
    size_t acl, ace;

    (void)state;
    check_hex("sandbox", hex_sandbox,
              "O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-1105)");
    /* The same descriptor built by hand. */
    acl = begin_sd(&x, 0x8004, 1);
    ace = begin_ace(&x, 0x00, 0);
    put32(&x, 0xF01FFUL);
    put_sid(&x, 5, subs_1105);
    end_ace(&x, ace);
    end_acl(&x, acl, 1);
    check_bytes("built", &x, "O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-1105)");
}

static void
test_rights(void **state)
{
    static const struct {
        unsigned long mask;
        const char *want;
    } cases[] = {
        {0x100, "D:(A;;CR;;;S-1-5-21-1-2-3-1105)"},
        /* Hexadecimal for anything else, CR included with other bits. */
        {0x300, "D:(A;;0x300;;;S-1-5-21-1-2-3-1105)"},
        {0x10000000, "D:(A;;0x10000000;;;S-1-5-21-1-2-3-1105)"},
        {0xFFFFFFFFUL, "D:(A;;0xffffffff;;;S-1-5-21-1-2-3-1105)"},
        {0, "D:(A;;0x0;;;S-1-5-21-1-2-3-1105)"},
    };
    struct bytes x;
    size_t i, acl, ace;

    (void)state;
    check_hex("CR", hex_cr, "O:BAD:(A;;CR;;;S-1-5-21-1-2-3-1105)");
    /* Samba writes an empty mask as nothing; here it is 0x0. */
    check_hex("mask 0", hex_mask0, "D:(A;;0x0;;;AU)");
    for (i = 0; i < N_ELEMS(cases); i++) {
        acl = begin_sd(&x, 0x8004, 1);
        set32(&x, 4, 0); /* no owner: its SID stays, unreferenced */
        ace = begin_ace(&x, 0x00, 0);
        put32(&x, cases[i].mask);
        put_sid(&x, 5, subs_1105);
        end_ace(&x, ace);
        end_acl(&x, acl, 1);
        check_bytes(cases[i].want, &x, cases[i].want);
    }
}

static void
test_deny(void **state)
{
    (void)state;
    check_hex("deny", hex_deny,
              "O:BAD:(D;;0xf01ff;;;S-1-5-21-1-2-3-1106)"
              "(A;;0xf01ff;;;S-1-5-21-1-2-3-1106)");
}

static void
test_object_aces(void **state)
{
    struct bytes x;
    size_t acl, ace;

    (void)state;
    check_hex("object", hex_object,
              "D:(OA;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;PS)"
              "(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;"
              "bf967aba-0de6-11d0-a285-00aa003049e2;ED)"
              "(OA;;CR;;bf967aba-0de6-11d0-a285-00aa003049e2;IU)");
    check_hex("object deny", hex_object_deny,
              "O:BAD:(OD;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;"
              "S-1-5-21-1-2-3-1106)");

    /* The byte order by hand: ba 7a 96 bf e6 0d d0 11 ... is
     * bf967aba-0de6-11d0-..., with one GUID and then with two. */
    acl = begin_sd(&x, 0x8004, 1);
    ace = begin_ace(&x, 0x05, 0);
    put32(&x, 0x100);
    put32(&x, 1); /* ACE_OBJECT_TYPE_PRESENT */
    put_raw(&x, guid_user, 16);
    put_sid(&x, 5, subs_1105);
    end_ace(&x, ace);
    ace = begin_ace(&x, 0x06, 0x02);
    put32(&x, 0x30);
    put32(&x, 3); /* both */
    put_raw(&x, guid_pwd, 16);
    put_raw(&x, guid_user, 16);
    put_sid(&x, 5, subs_ba);
    end_ace(&x, ace);
    /* Flags 0: an object ACE without GUIDs. */
    ace = begin_ace(&x, 0x05, 0);
    put32(&x, 0x100);
    put32(&x, 0);
    put_sid(&x, 5, subs_ba);
    end_ace(&x, ace);
    end_acl(&x, acl, 3);
    check_bytes("built object", &x,
                "O:BAD:(OA;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;"
                "S-1-5-21-1-2-3-1105)"
                "(OD;CI;0x30;00299570-246d-11d0-a768-00aa006e0529;"
                "bf967aba-0de6-11d0-a285-00aa003049e2;BA)"
                "(OA;;CR;;;BA)");
}

/* What the parser hands the renderer: the object Flags, the GUIDs as
 * stored, and where a condition is. */
static void
test_parser_fields(void **state)
{
    struct adkcd_err err;
    struct adkcd_sd sd;
    struct bytes x;

    (void)state;
    from_hex(&x, hex_object);
    h_err_init(&err);
    h_assert_ok("parse", adkcd_sd_parse(x.b, x.n, &sd, &err), &err);
    assert_int_equal(sd.n, 3);
    assert_int_equal(sd.aces[0].object_flags, 1);
    assert_true(sd.aces[0].object_type);
    assert_false(sd.aces[0].inherited_object_type);
    assert_memory_equal(sd.aces[0].object_guid, guid_user, 16);
    assert_int_equal(sd.aces[1].object_flags, 3);
    assert_memory_equal(sd.aces[1].object_guid, guid_pwd, 16);
    assert_memory_equal(sd.aces[1].inherited_object_guid, guid_user, 16);
    assert_int_equal(sd.aces[2].object_flags, 2);
    assert_false(sd.aces[2].object_type);
    assert_true(sd.aces[2].inherited_object_type);
    assert_memory_equal(sd.aces[2].inherited_object_guid, guid_user, 16);
    assert_int_equal(sd.aces[2].app_len, 0);
    adkcd_sd_clear(&sd);

    from_hex(&x, hex_xa);
    h_assert_ok("parse", adkcd_sd_parse(x.b, x.n, &sd, &err), &err);
    assert_int_equal(sd.n, 1);
    /* The ACE is the last 52 bytes; its condition the last 32. */
    assert_int_equal(sd.aces[0].app_len, 32);
    assert_int_equal(sd.aces[0].app_off, x.n - 32);
    assert_memory_equal(x.b + sd.aces[0].app_off, "artx", 4);
    adkcd_sd_clear(&sd);
}

static void
test_ace_flags(void **state)
{
    struct bytes x;
    size_t acl, ace;

    (void)state;
    check_hex("flags", hex_flags, "O:BAG:SYD:PAI(A;OICINPIOID;CR;;;WD)");
    check_hex("SA FA", hex_safa, "D:(A;SAFA;0x1;;;AN)");
    /* 0x20 has no code: after the known ones, in hex (not SDDL). */
    acl = begin_sd(&x, 0x8004, 1);
    ace = begin_ace(&x, 0x00, 0x23);
    put32(&x, 0x100);
    put_sid(&x, 5, subs_1105);
    end_ace(&x, ace);
    end_acl(&x, acl, 1);
    check_bytes("flag 0x20", &x, "O:BAD:(A;OICI0x20;CR;;;S-1-5-21-1-2-3-1105)");
}

static void
test_dacl_flags(void **state)
{
    static const struct {
        unsigned control;
        const char *want;
    } cases[] = {
        {0x8004 | 0x1000, "O:BAD:P(A;;CR;;;S-1-5-21-1-2-3-1105)"},
        {0x8004 | 0x0400, "O:BAD:AI(A;;CR;;;S-1-5-21-1-2-3-1105)"},
        {0x8004 | 0x0100, "O:BAD:AR(A;;CR;;;S-1-5-21-1-2-3-1105)"},
        {0x8004 | 0x1500, "O:BAD:PARAI(A;;CR;;;S-1-5-21-1-2-3-1105)"},
        /* The SACL's flags (0x2000, 0x0800, 0x0200) are not the DACL's. */
        {0x8004 | 0x2a00, "O:BAD:(A;;CR;;;S-1-5-21-1-2-3-1105)"},
    };
    struct bytes x;
    size_t i, acl, ace;

    (void)state;
    check_hex("parai", hex_parai, "O:BAD:PARAI(A;CIIO;CR;;;WD)");
    for (i = 0; i < N_ELEMS(cases); i++) {
        acl = begin_sd(&x, cases[i].control, 1);
        ace = begin_ace(&x, 0x00, 0);
        put32(&x, 0x100);
        put_sid(&x, 5, subs_1105);
        end_ace(&x, ace);
        end_acl(&x, acl, 1);
        check_bytes(cases[i].want, &x, cases[i].want);
    }
}

static void
test_null_and_missing_dacl(void **state)
{
    struct bytes x;

    (void)state;
    /* SE_DACL_PRESENT with OffsetDacl 0: a NULL DACL (everyone). */
    begin_sd(&x, 0x8004, 0);
    check_bytes("NULL DACL", &x, "O:BAD:NO_ACCESS_CONTROL");
    begin_sd(&x, 0x8004 | 0x1000, 0);
    check_bytes("protected NULL DACL", &x, "O:BAD:PNO_ACCESS_CONTROL");
    /* No SE_DACL_PRESENT: no D: part, even with an offset. */
    begin_sd(&x, 0x8000, 0);
    check_bytes("no DACL", &x, "O:BA");
    check_hex("no DACL, group", hex_no_dacl, "O:BAG:SY");
    /* A present, empty DACL denies everyone: "D:" and nothing after. */
    check_hex("empty DACL", hex_empty_dacl, "O:BAD:");
    /* Nothing at all. */
    begin_sd(&x, 0x8000, 0);
    set32(&x, 4, 0);
    check_bytes("nothing", &x, "");
}

static void
test_group(void **state)
{
    (void)state;
    check_hex("group", hex_xa,
              "O:BAG:BUD:(XA;;CR;;;WD;(<condition: 32 bytes>))");
    check_hex("group and flags", hex_flags,
              "O:BAG:SYD:PAI(A;OICINPIOID;CR;;;WD)");
}

static void
test_sid_codes(void **state)
{
    (void)state;
    /* The eleven codes, and two SIDs written in full: a domain RID (DA
     * would need the domain) and a builtin group outside the list. */
    check_hex("sids", hex_sids,
              "D:(A;;CR;;;BA)(A;;CR;;;BU)(A;;CR;;;WD)(A;;CR;;;AU)"
              "(A;;CR;;;AN)(A;;CR;;;SY)(A;;CR;;;PS)(A;;CR;;;ED)"
              "(A;;CR;;;NU)(A;;CR;;;IU)(A;;CR;;;CO)"
              "(A;;CR;;;S-1-5-21-1-2-3-512)(A;;CR;;;S-1-5-32-546)");
}

static void
test_sacl_left_out(void **state)
{
    (void)state;
    check_hex("SACL", hex_sacl, "O:BAD:(A;;CR;;;WD)");
}

static void
test_conditional(void **state)
{
    struct bytes x;
    size_t acl, ace;

    (void)state;
    check_hex("XA", hex_xa, "O:BAG:BUD:(XA;;CR;;;WD;(<condition: 32 bytes>))");
    check_hex("XD", hex_xd, "D:(XD;;CR;;;NU;(<condition: 32 bytes>))");
    check_hex("ZA", hex_za,
              "D:(ZA;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;WD;"
              "(<condition: 32 bytes>))");
    /* A callback ACE that ends with its SID: a condition of 0 bytes. */
    acl = begin_sd(&x, 0x8004, 1);
    ace = begin_ace(&x, 0x09, 0);
    put32(&x, 0xF01FFUL);
    put_sid(&x, 5, subs_1105);
    end_ace(&x, ace);
    end_acl(&x, acl, 1);
    check_bytes("empty condition", &x,
                "O:BAD:(XA;;0xf01ff;;;S-1-5-21-1-2-3-1105;"
                "(<condition: 0 bytes>))");
}

static void
test_other_ace_types(void **state)
{
    struct bytes x;
    size_t acl, ace;

    (void)state;
    acl = begin_sd(&x, 0x8004, 1);
    /* SYSTEM_ALARM (0x03): not read by the parser; type and mask. */
    ace = begin_ace(&x, 0x03, 0x02);
    put32(&x, 0x100);
    put_sid(&x, 5, subs_1105);
    end_ace(&x, ace);
    /* Type 0x42 of 4 bytes: no room for a mask. */
    ace = begin_ace(&x, 0x42, 0);
    end_ace(&x, ace);
    /* ACCESS_DENIED_CALLBACK_OBJECT (0x0C) has no SDDL code but a known
     * layout: everything but the type as usual. */
    ace = begin_ace(&x, 0x0C, 0);
    put32(&x, 0x100);
    put32(&x, 1);
    put_raw(&x, guid_user, 16);
    put_sid(&x, 5, subs_ba);
    put_raw(&x, (const unsigned char *)"artx\0\0\0\0", 8);
    end_ace(&x, ace);
    /* And an ordinary one after them. */
    ace = begin_ace(&x, 0x00, 0);
    put32(&x, 0x100);
    put_sid(&x, 5, subs_1105);
    end_ace(&x, ace);
    end_acl(&x, acl, 4);
    check_bytes("other types", &x,
                "O:BAD:(0x03;CI;0x100;;;)(0x42;;;;;)"
                "(0x0c;;CR;bf967aba-0de6-11d0-a285-00aa003049e2;;BA;"
                "(<condition: 8 bytes>))"
                "(A;;CR;;;S-1-5-21-1-2-3-1105)");
}

/* Every truncation of every descriptor above is refused with the parser's
 * message (the last byte of each is needed), and nothing is handed out. */
static void
test_truncated(void **state)
{
    static const char *const all[] = {
        hex_sandbox,     hex_cr,      hex_deny,  hex_object,
        hex_object_deny, hex_flags,   hex_parai, hex_safa,
        hex_mask0,       hex_no_dacl, hex_sacl,  hex_empty_dacl,
        hex_xa,          hex_xd,      hex_za,    hex_sids,
    };
    struct adkcd_err err;
    struct bytes x;
    char *text;
    size_t i, n;

    (void)state;
    for (i = 0; i < N_ELEMS(all); i++) {
        from_hex(&x, all[i]);
        for (n = 0; n < x.n; n++) {
            text = (char *)"untouched";
            h_err_init(&err);
            h_assert_failed("truncated", render_exact(&x, n, &text, &err),
                            ADKCD_E_INVALID, &err, "security descriptor", NULL);
            assert_null(text);
        }
    }
    /* NULL with no bytes. */
    text = (char *)"untouched";
    h_err_init(&err);
    h_assert_failed("NULL", adkcd_sd_to_sddl(NULL, 0, &text, &err),
                    ADKCD_E_INVALID, &err, "truncated", NULL);
    assert_null(text);
}

/* Every single-byte corruption (each byte set to each of a few values)
 * either is refused or renders as printable ASCII that starts as SDDL
 * does. */
static void
test_corrupted(void **state)
{
    static const char *const some[] = {hex_object, hex_xa, hex_sids};
    static const unsigned values[] = {0x00, 0x01, 0x05, 0x0b, 0x0c,
                                      0x20, 0x7f, 0x80, 0xff};
    struct adkcd_err err;
    struct bytes x;
    char *text;
    size_t i, n, at, v;

    (void)state;
    for (i = 0; i < N_ELEMS(some); i++) {
        from_hex(&x, some[i]);
        n = x.n;
        for (at = 0; at < n; at++) {
            for (v = 0; v < N_ELEMS(values); v++) {
                adkcd_status st;

                from_hex(&x, some[i]);
                x.b[at] = (unsigned char)values[v];
                text = NULL;
                h_err_init(&err);
                st = render_exact(&x, x.n, &text, &err);
                if (st == ADKCD_OK) {
                    assert_non_null(text);
                    assert_printable("corrupted", text);
                    if (text[0] != '\0' && strchr("OGD", text[0]) == NULL)
                        fail_msg("corrupted: \"%s\"", h_esc(text));
                    free(text);
                } else {
                    assert_int_equal(st, ADKCD_E_INVALID);
                    assert_null(text);
                }
            }
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox_value),
        cmocka_unit_test(test_rights),
        cmocka_unit_test(test_deny),
        cmocka_unit_test(test_object_aces),
        cmocka_unit_test(test_parser_fields),
        cmocka_unit_test(test_ace_flags),
        cmocka_unit_test(test_dacl_flags),
        cmocka_unit_test(test_null_and_missing_dacl),
        cmocka_unit_test(test_group),
        cmocka_unit_test(test_sid_codes),
        cmocka_unit_test(test_sacl_left_out),
        cmocka_unit_test(test_conditional),
        cmocka_unit_test(test_other_ace_types),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
