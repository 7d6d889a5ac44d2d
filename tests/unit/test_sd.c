/*
 * adkcd unit tests: security descriptors (adkcd/sd.h), as
 * msDS-AllowedToActOnBehalfOfOtherIdentity holds them.  Descriptors are
 * built byte by hand here and checked against ones Samba's own NDR code
 * produced; malformed ones (every truncation, every lying size or offset,
 * every single-byte corruption) must give ADKCD_E_INVALID or parse, never
 * read outside the buffer (the ASan build of this test catches that: each
 * input is copied into a buffer of exactly its size).
 */
#include "harness.h"
#include "sd_bytes.h"

#include "adkcd/sd.h"
#include "adkcd/strv.h"

#define SID_BA "S-1-5-32-544"
#define SID_1105 "S-1-5-21-1-2-3-1105"
#define SID_1106 "S-1-5-21-1-2-3-1106"

/*
 * What Samba 4.17's python bindings pack for
 *   O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-1105)
 * (samba.dcerpc.security.descriptor.from_sddl + samba.ndr.ndr_pack): the
 * shape of a real RBCD value.
 */
static const char samba_simple_hex[] =
    "01000480140000000000000000000000240000000102000000000005200000002002"
    "000004002c000100000000002400ff010f00010500000000000515000000010000"
    "00020000000300000051040000";

/*
 *   O:BAD:(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;
 *             bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-11)
 *         (D;;0xf01ff;;;S-1-5-21-1-2-3-1106)
 *         (A;;0xf01ff;;;S-1-5-21-1-2-3-1106)
 * an object ACE with both GUIDs, a deny, and an allow the deny cancels.
 */
static const char samba_object_hex[] =
    "0100048014000000000000000000000024000000010200000000000520000000200200"
    "000400880003000000050038000001000003000000709529006d24d011a76800aa00"
    "6e0529ba7a96bfe60dd011a28500aa003049e201010000000000050b00000001002400"
    "ff010f0001050000000000051500000001000000020000000300000052040000000024"
    "00ff010f0001050000000000051500000001000000020000000300000052040000";

/* ------------------------------------------------------------------ */
/* A byte builder. */

static const unsigned long subs_ba[] = {32, 544, ~0UL};
static const unsigned long subs_1105[] = {21, 1, 2, 3, 1105, ~0UL};
static const unsigned long subs_1106[] = {21, 1, 2, 3, 1106, ~0UL};
static const unsigned long subs_auth_users[] = {11, ~0UL};

/* The header of a self-relative descriptor with owner and DACL offsets
 * to be filled in with set32(); returns nothing, the offsets are fixed:
 * owner at 20, flags as given. */
static void
put_sd_header(struct bytes *x, unsigned control)
{
    put8(x, 1); /* Revision */
    put8(x, 0); /* Sbz1 */
    put16(x, control);
    put32(x, 0); /* OffsetOwner */
    put32(x, 0); /* OffsetGroup */
    put32(x, 0); /* OffsetSacl */
    put32(x, 0); /* OffsetDacl */
}

/* Start an ACL at the current position; returns its offset. */
static size_t
acl_begin(struct bytes *x, unsigned revision)
{
    size_t at = x->n;

    put8(x, revision);
    put8(x, 0);
    put16(x, 0); /* AclSize, set by acl_end() */
    put16(x, 0); /* AceCount */
    put16(x, 0);
    return at;
}

static void
acl_end(struct bytes *x, size_t at, unsigned count)
{
    set16(x, at + 2, (unsigned)(x->n - at));
    set16(x, at + 4, count);
}

/* An ACCESS_ALLOWED or ACCESS_DENIED ACE. */
static void
put_ace(struct bytes *x, unsigned type, unsigned flags, unsigned long mask,
        const unsigned long *subs)
{
    size_t at = x->n;

    put8(x, type);
    put8(x, flags);
    put16(x, 0);
    put32(x, mask);
    put_sid(x, 5, subs);
    set16(x, at + 2, (unsigned)(x->n - at));
}

/* An object ACE with the GUIDs that oflags announces. */
static void
put_object_ace(struct bytes *x, unsigned type, unsigned long mask,
               unsigned oflags, const unsigned long *subs)
{
    size_t at = x->n, i;

    put8(x, type);
    put8(x, 0);
    put16(x, 0);
    put32(x, mask);
    put32(x, oflags);
    if (oflags & 1)
        for (i = 0; i < 16; i++)
            put8(x, 0x10 + (unsigned)i);
    if (oflags & 2)
        for (i = 0; i < 16; i++)
            put8(x, 0x20 + (unsigned)i);
    put_sid(x, 5, subs);
    set16(x, at + 2, (unsigned)(x->n - at));
}

/* O:BA, a DACL with one ACCESS_ALLOWED 0xF01FF ACE for ...-1105. */
static void
build_simple(struct bytes *x)
{
    size_t acl;

    memset(x, 0, sizeof(*x));
    put_sd_header(x, 0x8004); /* SE_SELF_RELATIVE | SE_DACL_PRESENT */
    set32(x, 4, x->n);
    put_sid(x, 5, subs_ba);
    set32(x, 16, x->n);
    acl = acl_begin(x, 4);
    put_ace(x, 0x00, 0, 0xF01FFUL, subs_1105);
    acl_end(x, acl, 1);
}

/* Parse len bytes of x from a heap buffer of exactly that size. */
static adkcd_status
parse_exact(const struct bytes *x, size_t len, struct adkcd_sd *sd,
            struct adkcd_err *err)
{
    unsigned char *copy = malloc(len > 0 ? len : 1);
    adkcd_status st;

    assert_non_null(copy);
    memcpy(copy, x->b, len);
    st = adkcd_sd_parse(copy, len, sd, err);
    free(copy);
    return st;
}

static void
assert_allowed(const struct adkcd_sd *sd, const char *const *want)
{
    struct adkcd_err err;
    char **sids = NULL;

    h_err_init(&err);
    h_assert_ok("allowed_sids", adkcd_sd_allowed_sids(sd, &sids, &err), &err);
    assert_non_null(sids);
    h_assert_strv("allowed_sids", sids, want);
    adkcd_strv_free(sids);
}

static int
sd_is_empty(const struct adkcd_sd *sd)
{
    return sd->owner == NULL && sd->group == NULL && sd->has_dacl == 0 &&
           sd->aces == NULL && sd->n == 0;
}

/* ------------------------------------------------------------------ */

static void
test_sid_to_string(void **state)
{
    static const struct {
        unsigned long long auth;
        const unsigned long *subs;
        const char *want;
    } cases[] = {
        {5, subs_ba, "S-1-5-32-544"},
        {5, subs_1105, "S-1-5-21-1-2-3-1105"},
        {5, subs_auth_users, "S-1-5-11"},
        /* An authority of 2^32 or more is written in hexadecimal. */
        {0x100000000ULL, subs_auth_users, "S-1-0x000100000000-11"},
    };
    static const unsigned long none[] = {~0UL};
    static const unsigned long big[] = {4294967295UL, ~0UL};
    struct adkcd_err err;
    struct bytes x;
    char *text;
    size_t used, i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        memset(&x, 0, sizeof(x));
        put_sid(&x, cases[i].auth, cases[i].subs);
        put8(&x, 0xAA); /* a trailing byte that is not part of the SID */
        h_err_init(&err);
        h_assert_ok("sid", adkcd_sid_to_string(x.b, x.n, &used, &text, &err),
                    &err);
        assert_string_equal(text, cases[i].want);
        assert_int_equal(used, x.n - 1);
        free(text);
    }
    /* No sub-authority (S-1-0) and the largest one. */
    memset(&x, 0, sizeof(x));
    put_sid(&x, 0, none);
    h_assert_ok("sid", adkcd_sid_to_string(x.b, x.n, NULL, &text, &err), &err);
    assert_string_equal(text, "S-1-0");
    free(text);
    memset(&x, 0, sizeof(x));
    put_sid(&x, 5, big);
    h_assert_ok("sid", adkcd_sid_to_string(x.b, x.n, NULL, &text, &err), &err);
    assert_string_equal(text, "S-1-5-4294967295");
    free(text);
}

static void
test_sid_malformed(void **state)
{
    struct adkcd_err err;
    struct bytes x;
    char *text = (char *)"untouched";
    size_t used = 99, i;

    (void)state;
    memset(&x, 0, sizeof(x));
    put_sid(&x, 5, subs_1105);
    /* Every truncation. */
    for (i = 0; i < x.n; i++) {
        unsigned char *copy = malloc(i > 0 ? i : 1);

        assert_non_null(copy);
        memcpy(copy, x.b, i);
        h_err_init(&err);
        h_assert_failed("truncated sid",
                        adkcd_sid_to_string(copy, i, &used, &text, &err),
                        ADKCD_E_INVALID, &err, "truncated", NULL);
        assert_null(text);
        assert_int_equal(used, 0);
        free(copy);
    }
    /* Revision 2. */
    x.b[0] = 2;
    h_err_init(&err);
    h_assert_failed("revision",
                    adkcd_sid_to_string(x.b, x.n, NULL, &text, &err),
                    ADKCD_E_INVALID, &err, "revision 2", NULL);
    /* 16 sub-authorities, with room for them. */
    memset(&x, 0, sizeof(x));
    put_sid(&x, 5, subs_1105);
    x.b[1] = 16;
    x.n = 8 + 16 * 4;
    h_err_init(&err);
    h_assert_failed("subauth count",
                    adkcd_sid_to_string(x.b, x.n, NULL, &text, &err),
                    ADKCD_E_INVALID, &err, "16 sub-authorities", "at most 15");
}

/* The hand-built descriptor is byte for byte what Samba packs. */
static void
test_parse_simple(void **state)
{
    struct adkcd_sd sd;
    struct adkcd_err err;
    struct bytes x, samba;
    static const char *const want[] = {SID_1105, NULL};

    (void)state;
    build_simple(&x);
    from_hex(&samba, samba_simple_hex);
    assert_int_equal(x.n, samba.n);
    assert_memory_equal(x.b, samba.b, x.n);

    h_err_init(&err);
    h_assert_ok("parse", parse_exact(&x, x.n, &sd, &err), &err);
    assert_string_equal(sd.owner, SID_BA);
    assert_null(sd.group);
    assert_true(sd.has_dacl);
    assert_int_equal(sd.n, 1);
    assert_int_equal(sd.aces[0].type, ADKCD_ACE_ACCESS_ALLOWED);
    assert_int_equal(sd.aces[0].flags, 0);
    assert_int_equal(sd.aces[0].mask, 0xF01FF);
    assert_string_equal(sd.aces[0].sid, SID_1105);
    assert_allowed(&sd, want);
    adkcd_sd_clear(&sd);
    assert_true(sd_is_empty(&sd));
    adkcd_sd_clear(&sd); /* twice is harmless */
    adkcd_sd_clear(NULL);
}

/* Samba's object ACE (both GUIDs), and a deny that cancels an allow. */
static void
test_parse_object_and_deny(void **state)
{
    struct adkcd_sd sd;
    struct adkcd_err err;
    struct bytes x;
    static const char *const want[] = {"S-1-5-11", NULL};

    (void)state;
    from_hex(&x, samba_object_hex);
    h_err_init(&err);
    h_assert_ok("parse", parse_exact(&x, x.n, &sd, &err), &err);
    assert_int_equal(sd.n, 3);
    assert_int_equal(sd.aces[0].type, ADKCD_ACE_ACCESS_ALLOWED_OBJECT);
    assert_int_equal(sd.aces[0].mask, 0x100); /* CR: control access */
    assert_string_equal(sd.aces[0].sid, "S-1-5-11");
    assert_int_equal(sd.aces[1].type, ADKCD_ACE_ACCESS_DENIED);
    assert_string_equal(sd.aces[1].sid, SID_1106);
    assert_int_equal(sd.aces[2].type, ADKCD_ACE_ACCESS_ALLOWED);
    assert_string_equal(sd.aces[2].sid, SID_1106);
    assert_allowed(&sd, want);
    adkcd_sd_clear(&sd);
}

/* Object ACEs with one GUID, none, and a denied object ACE; repeats,
 * an inherit-only ACE, a zero mask and a type we do not interpret.  The
 * denied object ACE has an ObjectType: it denies that right only, not the
 * plain control access the KDC checks, so the allow after it counts. */
static void
test_parse_object_variants(void **state)
{
    struct adkcd_sd sd;
    struct adkcd_err err;
    struct bytes x;
    size_t acl;
    static const char *const want[] = {"S-1-5-11", SID_1105, SID_1106, NULL};
    struct adkcd_sd_access acc;

    (void)state;
    memset(&x, 0, sizeof(x));
    put_sd_header(&x, 0x8004);
    set32(&x, 16, x.n);
    acl = acl_begin(&x, 4);
    put_object_ace(&x, 0x05, 0x100, 2, subs_auth_users); /* inherited type */
    put_object_ace(&x, 0x05, 0xF01FF, 0, subs_1105);     /* no GUID */
    put_object_ace(&x, 0x05, 0xF01FF, 1, subs_1105);     /* repeat */
    put_object_ace(&x, 0x06, 0x100, 1, subs_1106);       /* denied object */
    put_ace(&x, 0x00, 0, 0xF01FF, subs_1106);
    put_ace(&x, 0x00, 0x08, 0xF01FF, subs_ba); /* INHERIT_ONLY: not here */
    put_ace(&x, 0x00, 0, 0, subs_ba);          /* grants nothing */
    /* SYSTEM_MANDATORY_LABEL_ACE (0x11): kept, without a SID. */
    put_ace(&x, 0x11, 0, 1, subs_ba);
    acl_end(&x, acl, 8);

    h_err_init(&err);
    h_assert_ok("parse", parse_exact(&x, x.n, &sd, &err), &err);
    assert_null(sd.owner);
    assert_int_equal(sd.n, 8);
    assert_string_equal(sd.aces[0].sid, "S-1-5-11");
    assert_string_equal(sd.aces[1].sid, SID_1105);
    assert_string_equal(sd.aces[2].sid, SID_1105);
    assert_int_equal(sd.aces[3].type, ADKCD_ACE_ACCESS_DENIED_OBJECT);
    assert_string_equal(sd.aces[3].sid, SID_1106);
    /* Which object ACEs carry an ObjectType. */
    assert_false(sd.aces[0].object_type);
    assert_false(sd.aces[1].object_type);
    assert_true(sd.aces[2].object_type);
    assert_true(sd.aces[3].object_type);
    assert_false(sd.aces[4].object_type);
    assert_int_equal(sd.aces[5].flags, 0x08);
    assert_int_equal(sd.aces[7].type, 0x11);
    assert_int_equal(sd.aces[7].mask, 1);
    assert_null(sd.aces[7].sid);
    assert_allowed(&sd, want);
    /* The mandatory label ACE is listed as not interpreted. */
    h_assert_ok(
        "allowed",
        adkcd_sd_allowed(&sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc, &err), &err);
    assert_int_equal(acc.n_grants, 3);
    assert_int_equal(acc.n_unknown, 1);
    assert_int_equal(acc.unknown[0].index, 7);
    assert_int_equal(acc.unknown[0].type, 0x11);
    adkcd_sd_access_clear(&acc);
    adkcd_sd_clear(&sd);
}

/* A callback (conditional) ACE: mask, SID, then a condition in
 * ApplicationData ("artx" and a padding, as Windows writes one). */
static void
put_cb_ace(struct bytes *x, unsigned type, unsigned flags, unsigned long mask,
           const unsigned long *subs)
{
    size_t at = x->n;

    put8(x, type);
    put8(x, flags);
    put16(x, 0);
    put32(x, mask);
    put_sid(x, 5, subs);
    put8(x, 'a');
    put8(x, 'r');
    put8(x, 't');
    put8(x, 'x');
    put32(x, 0);
    set16(x, at + 2, (unsigned)(x->n - at));
}

/* A callback object ACE (0x0B, 0x0C), optionally with an ObjectType. */
static void
put_cb_object_ace(struct bytes *x, unsigned type, unsigned long mask,
                  unsigned oflags, const unsigned long *subs)
{
    size_t at = x->n, i;

    put8(x, type);
    put8(x, 0);
    put16(x, 0);
    put32(x, mask);
    put32(x, oflags);
    if (oflags & 1)
        for (i = 0; i < 16; i++)
            put8(x, 0x30 + (unsigned)i);
    put_sid(x, 5, subs);
    put32(x, 0x78747261); /* "artx" */
    set16(x, at + 2, (unsigned)(x->n - at));
}

/* One ACE of an ordering case. */
struct ace_spec {
    char kind;      /* A allow, D deny, a allow object, d deny object,
                     * X conditional allow, Y conditional deny,
                     * x / y their object forms, U type 0x11, 0 end */
    unsigned flags; /* AceFlags */
    unsigned long mask;
    unsigned oflags; /* object forms: 1 = with an ObjectType */
    int who;         /* 1: ...-1105, 2: ...-1106 */
};

/* A descriptor whose DACL is the ACEs of spec, in order. */
static void
build_dacl(struct bytes *x, const struct ace_spec *spec)
{
    size_t acl, n = 0;

    memset(x, 0, sizeof(*x));
    put_sd_header(x, 0x8004);
    set32(x, 4, x->n);
    put_sid(x, 5, subs_ba);
    set32(x, 16, x->n);
    acl = acl_begin(x, 4);
    for (; spec->kind != 0; spec++, n++) {
        const unsigned long *subs = spec->who == 2 ? subs_1106 : subs_1105;

        switch (spec->kind) {
        case 'A':
            put_ace(x, 0x00, spec->flags, spec->mask, subs);
            break;
        case 'D':
            put_ace(x, 0x01, spec->flags, spec->mask, subs);
            break;
        case 'a':
            put_object_ace(x, 0x05, spec->mask, spec->oflags, subs);
            break;
        case 'd':
            put_object_ace(x, 0x06, spec->mask, spec->oflags, subs);
            break;
        case 'X':
            put_cb_ace(x, 0x09, spec->flags, spec->mask, subs);
            break;
        case 'Y':
            put_cb_ace(x, 0x0A, spec->flags, spec->mask, subs);
            break;
        case 'x':
            put_cb_object_ace(x, 0x0B, spec->mask, spec->oflags, subs);
            break;
        case 'y':
            put_cb_object_ace(x, 0x0C, spec->mask, spec->oflags, subs);
            break;
        case 'U':
            put_ace(x, 0x11, spec->flags, spec->mask, subs);
            break;
        default:
            fail_msg("bad ACE kind %c", spec->kind);
        }
    }
    acl_end(x, acl, (unsigned)n);
}

/* "SID,SID?" (? for conditional) and "index:type,..." of a result. */
static void
access_str(const struct adkcd_sd_access *acc, char *grants, char *unknown,
           size_t size)
{
    size_t i, o = 0;

    grants[0] = '\0';
    for (i = 0; i < acc->n_grants; i++)
        o += (size_t)snprintf(grants + o, size - o, "%s%s%s", i ? "," : "",
                              acc->grants[i].sid,
                              acc->grants[i].conditional ? "?" : "");
    o = 0;
    unknown[0] = '\0';
    for (i = 0; i < acc->n_unknown; i++)
        o += (size_t)snprintf(unknown + o, size - o, "%s%zu:0x%02x",
                              i ? "," : "", acc->unknown[i].index,
                              acc->unknown[i].type);
}

#define CR 0x100UL     /* ADS_RIGHT_DS_CONTROL_ACCESS */
#define FULL 0xF01FFUL /* what Windows writes for RBCD */
#define WD 0x40000UL   /* WRITE_DAC */
#define X1 SID_1105
#define X2 SID_1106

/*
 * The access check walks the ACEs in order and the first one that names
 * the SID with the control access right decides (MS-DTYP 2.5.3.2): a
 * deny after an allow does not take the right away, a deny of other bits
 * does not touch it, an allow of other bits does not grant it.
 */
static void
test_allowed_order(void **state)
{
    static const struct {
        const char *name;
        struct ace_spec aces[6];
        const char *grants;
        const char *unknown;
    } cases[] = {
        {"allow", {{'A', 0, FULL, 0, 1}, {0}}, X1, ""},
        {"control access alone", {{'A', 0, CR, 0, 1}, {0}}, X1, ""},
        {"allow without control access",
         {{'A', 0, FULL & ~CR, 0, 1}, {0}},
         "",
         ""},
        {"allow, then deny (non-canonical): allowed",
         {{'A', 0, FULL, 0, 1}, {'D', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"deny, then allow: denied",
         {{'D', 0, FULL, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         "",
         ""},
        {"deny of control access only, then allow: denied",
         {{'D', 0, CR, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         "",
         ""},
        {"deny of WRITE_DAC only, then allow: allowed",
         {{'D', 0, WD, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"allow of other bits, deny, allow: denied",
         {{'A', 0, WD, 0, 1}, {'D', 0, CR, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         "",
         ""},
        {"inherit-only deny does not apply",
         {{'D', 0x08, FULL, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"inherit-only allow does not apply",
         {{'A', 0x0A, FULL, 0, 1}, {0}},
         "",
         ""},
        {"a deny of another SID does not matter",
         {{'D', 0, FULL, 0, 2}, {'A', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"each SID once, in the order of its first allow",
         {{'A', 0, FULL, 0, 2}, {'A', 0, CR, 0, 1}, {'A', 0, FULL, 0, 2}, {0}},
         X2 "," X1,
         ""},
        {"object deny without ObjectType denies",
         {{'d', 0, CR, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         "",
         ""},
        {"object deny with an ObjectType is another right",
         {{'d', 0, CR, 1, 1}, {'A', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"object allow, with or without ObjectType, counts",
         {{'a', 0, CR, 1, 1}, {'a', 0, CR, 0, 2}, {0}},
         X1 "," X2,
         ""},
        {"conditional allow", {{'X', 0, FULL, 0, 1}, {0}}, X1 "?", ""},
        {"conditional allow without control access",
         {{'X', 0, WD, 0, 1}, {0}},
         "",
         ""},
        {"conditional allow, then allow: allowed either way",
         {{'X', 0, FULL, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"conditional allow, then deny: conditional",
         {{'X', 0, FULL, 0, 1}, {'D', 0, FULL, 0, 1}, {0}},
         X1 "?",
         ""},
        {"conditional deny, then allow: conditional",
         {{'Y', 0, FULL, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         X1 "?",
         ""},
        {"conditional deny alone allows nothing",
         {{'Y', 0, FULL, 0, 1}, {0}},
         "",
         ""},
        {"deny, then conditional allow: denied",
         {{'D', 0, FULL, 0, 1}, {'X', 0, FULL, 0, 1}, {0}},
         "",
         ""},
        {"allow, then conditional deny: allowed",
         {{'A', 0, FULL, 0, 1}, {'Y', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"conditional object allow (0x0B), with an ObjectType",
         {{'x', 0, CR, 1, 1}, {0}},
         X1 "?",
         ""},
        {"conditional object deny (0x0C) without ObjectType, then allow",
         {{'y', 0, CR, 0, 1}, {'A', 0, FULL, 0, 1}, {0}},
         X1 "?",
         ""},
        {"conditional object deny with an ObjectType is another right",
         {{'y', 0, CR, 1, 1}, {'A', 0, FULL, 0, 1}, {0}},
         X1,
         ""},
        {"an ACE type not interpreted is listed, not dropped",
         {{'U', 0, FULL, 0, 1},
          {'A', 0, FULL, 0, 2},
          {'U', 0x08, 1, 0, 1},
          {'U', 0, 0, 0, 2},
          {0}},
         X2,
         "0:0x11,3:0x11"},
    };
    char grants[256], unknown[256];
    struct adkcd_sd_access acc;
    struct adkcd_err err;
    struct adkcd_sd sd;
    struct bytes x;
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        build_dacl(&x, cases[i].aces);
        h_err_init(&err);
        h_assert_ok(cases[i].name, parse_exact(&x, x.n, &sd, &err), &err);
        h_assert_ok(
            cases[i].name,
            adkcd_sd_allowed(&sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc, &err),
            &err);
        access_str(&acc, grants, unknown, sizeof(grants));
        if (strcmp(grants, cases[i].grants) != 0 ||
            strcmp(unknown, cases[i].unknown) != 0)
            fail_msg("%s: allowed \"%s\" unknown \"%s\", expected \"%s\" "
                     "and \"%s\"",
                     cases[i].name, grants, unknown, cases[i].grants,
                     cases[i].unknown);
        adkcd_sd_access_clear(&acc);
        assert_null(acc.grants);
        adkcd_sd_clear(&sd);
    }
    adkcd_sd_access_clear(NULL);
}

/* Callback ACEs are parsed: their SID, not their condition; and
 * adkcd_sd_allowed_sids() (adkcd check) counts a conditional grant. */
static void
test_parse_callback(void **state)
{
    static const struct ace_spec spec[] = {
        {'X', 0, FULL, 0, 1}, {'x', 0, CR, 1, 2}, {'Y', 0, CR, 0, 2}, {0}};
    static const char *const want[] = {X1, X2, NULL};
    struct adkcd_err err;
    struct adkcd_sd sd;
    struct bytes x;

    (void)state;
    build_dacl(&x, spec);
    h_err_init(&err);
    h_assert_ok("parse", parse_exact(&x, x.n, &sd, &err), &err);
    assert_int_equal(sd.n, 3);
    assert_int_equal(sd.aces[0].type, ADKCD_ACE_ACCESS_ALLOWED_CALLBACK);
    assert_int_equal(sd.aces[0].mask, FULL);
    assert_string_equal(sd.aces[0].sid, X1);
    assert_int_equal(sd.aces[1].type, ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT);
    assert_true(sd.aces[1].object_type);
    assert_string_equal(sd.aces[1].sid, X2);
    assert_int_equal(sd.aces[2].type, ADKCD_ACE_ACCESS_DENIED_CALLBACK);
    assert_string_equal(sd.aces[2].sid, X2);
    assert_allowed(&sd, want);
    adkcd_sd_clear(&sd);
    /* A callback ACE too small for its SID is refused like a plain one. */
    build_dacl(&x, spec);
    set16(&x, 36 + 8 + 2, 12);
    h_err_init(&err);
    h_assert_failed("small callback", parse_exact(&x, x.n, &sd, &err),
                    ADKCD_E_INVALID, &err, "AceSize 12", "mask and a SID");
}

/* No DACL and a NULL DACL grant everyone everything; an empty DACL no
 * one. */
static void
test_dacl_absent_null_empty(void **state)
{
    struct adkcd_sd sd;
    struct adkcd_err err;
    struct bytes x;
    size_t acl;
    static const char *const everyone[] = {"S-1-1-0", NULL};
    static const char *const nobody[] = {NULL};

    (void)state;
    /* No SE_DACL_PRESENT (the offset is ignored then). */
    build_simple(&x);
    set16(&x, 2, 0x8000);
    h_err_init(&err);
    h_assert_ok("no dacl", parse_exact(&x, x.n, &sd, &err), &err);
    assert_false(sd.has_dacl);
    assert_int_equal(sd.n, 0);
    assert_allowed(&sd, everyone);
    adkcd_sd_clear(&sd);
    /* SE_DACL_PRESENT with OffsetDacl 0: a NULL DACL. */
    build_simple(&x);
    set32(&x, 16, 0);
    h_assert_ok("null dacl", parse_exact(&x, x.n, &sd, &err), &err);
    assert_false(sd.has_dacl);
    assert_allowed(&sd, everyone);
    {
        struct adkcd_sd_access acc;

        h_assert_ok(
            "null dacl",
            adkcd_sd_allowed(&sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc, &err),
            &err);
        assert_int_equal(acc.n_grants, 1);
        assert_false(acc.grants[0].conditional);
        assert_int_equal(acc.n_unknown, 0);
        assert_null(acc.unknown);
        adkcd_sd_access_clear(&acc);
    }
    adkcd_sd_clear(&sd);
    /* A DACL without ACEs. */
    memset(&x, 0, sizeof(x));
    put_sd_header(&x, 0x8004);
    set32(&x, 16, x.n);
    acl = acl_begin(&x, 2);
    acl_end(&x, acl, 0);
    h_assert_ok("empty dacl", parse_exact(&x, x.n, &sd, &err), &err);
    assert_true(sd.has_dacl);
    assert_int_equal(sd.n, 0);
    assert_allowed(&sd, nobody);
    adkcd_sd_clear(&sd);
}

/* Every strict prefix of a valid descriptor is refused, with a message,
 * and leaves nothing behind. */
static void
test_truncated_everywhere(void **state)
{
    const char *const hexes[] = {samba_simple_hex, samba_object_hex};
    struct adkcd_sd sd;
    struct adkcd_err err;
    struct bytes x;
    size_t h, len;

    (void)state;
    for (h = 0; h < N_ELEMS(hexes); h++) {
        from_hex(&x, hexes[h]);
        for (len = 0; len < x.n; len++) {
            char what[64];

            snprintf(what, sizeof(what), "descriptor %zu, %zu of %zu bytes", h,
                     len, x.n);
            h_err_init(&err);
            h_assert_failed(what, parse_exact(&x, len, &sd, &err),
                            ADKCD_E_INVALID, &err, "security descriptor", NULL);
            assert_true(sd_is_empty(&sd));
        }
    }
    h_err_init(&err);
    h_assert_failed("NULL", adkcd_sd_parse(NULL, 0, &sd, &err), ADKCD_E_INVALID,
                    &err, "truncated", NULL);
}

/* Inconsistent sizes and offsets: each a precise message. */
static void
test_malformed(void **state)
{
    struct adkcd_sd sd;
    struct adkcd_err err;
    struct bytes x;
    /* Offsets in build_simple(): owner SID at 20 (16 bytes), ACL at 36
     * (AclSize 44, AceCount 1), ACE at 44 (AceSize 36), its SID at 52. */
    enum { OWNER = 20, ACL = 36, ACE = 44, ACE_SID = 52 };

    (void)state;
#define EXPECT_INVALID(what, p1, p2)                                           \
    do {                                                                       \
        h_err_init(&err);                                                      \
        h_assert_failed(what, parse_exact(&x, x.n, &sd, &err),                 \
                        ADKCD_E_INVALID, &err, p1, p2);                        \
        assert_true(sd_is_empty(&sd));                                         \
        if (strstr(err.msg, ": :") != NULL)                                    \
            fail_msg("%s: doubled separator in \"%s\"", what, err.msg);        \
    } while (0)

    build_simple(&x);
    x.b[0] = 2;
    EXPECT_INVALID("sd revision", "revision 2", NULL);

    build_simple(&x);
    set16(&x, 2, 0x0004);
    EXPECT_INVALID("absolute", "not self-relative", NULL);

    build_simple(&x);
    set32(&x, 4, 4); /* inside the header */
    EXPECT_INVALID("owner in header", "owner offset 4", NULL);

    build_simple(&x);
    set32(&x, 4, 0xFFFFFFF0UL);
    EXPECT_INVALID("owner far", "owner offset 4294967280", "outside");

    build_simple(&x);
    set32(&x, 8, (unsigned long)x.n); /* group just past the end */
    EXPECT_INVALID("group at end", "group offset", NULL);

    build_simple(&x);
    x.b[OWNER + 1] = 16;
    EXPECT_INVALID("owner subauth count", "16 sub-authorities", "owner");

    build_simple(&x);
    set32(&x, 16, (unsigned long)x.n - 4);
    EXPECT_INVALID("dacl near end", "no room for an ACL header", NULL);

    build_simple(&x);
    set32(&x, 16, 0x7FFFFFFFUL);
    EXPECT_INVALID("dacl far", "DACL offset", NULL);

    build_simple(&x);
    x.b[ACL] = 3;
    EXPECT_INVALID("acl revision", "AclRevision 3", NULL);

    build_simple(&x);
    set16(&x, ACL + 2, 4);
    EXPECT_INVALID("acl size small", "AclSize 4", NULL);

    build_simple(&x);
    set16(&x, ACL + 2, 45);
    EXPECT_INVALID("acl size large", "AclSize 45", NULL);

    build_simple(&x);
    set16(&x, ACL + 4, 60000);
    EXPECT_INVALID("ace count huge", "AceCount 60000", NULL);

    build_simple(&x);
    set16(&x, ACL + 4, 2); /* fits 4-byte headers, but not the ACEs */
    EXPECT_INVALID("ace count 2", "ACE 1", "past the end of the DACL");

    build_simple(&x);
    set16(&x, ACE + 2, 3);
    EXPECT_INVALID("ace size < header", "AceSize 3",
                   "smaller than the ACE header");

    build_simple(&x);
    set16(&x, ACE + 2, 37);
    EXPECT_INVALID("ace size > acl", "AceSize 37", "runs past");

    build_simple(&x);
    set16(&x, ACE + 2, 12); /* mask, but no room for a SID */
    set16(&x, ACL + 2, 8 + 12);
    x.n = ACL + 8 + 12;
    EXPECT_INVALID("ace without sid", "AceSize 12", "mask and a SID");

    build_simple(&x);
    x.b[ACE_SID + 1] = 16;
    EXPECT_INVALID("ace subauth count", "16 sub-authorities", "ACE SID");

    build_simple(&x);
    x.b[ACE_SID + 1] = 6; /* one more sub-authority than the ACE holds */
    EXPECT_INVALID("ace sid past ace", "ACE SID at offset 52", "truncated");
    /* The whole message, each prefix once with one separator. */
    assert_string_equal(err.msg,
                        "bad security descriptor: ACE SID at offset 52: SID "
                        "truncated: 6 sub-authorities need 32 bytes, 28 left");

    /* An object ACE whose flags announce GUIDs it has no room for. */
    {
        size_t acl;

        memset(&x, 0, sizeof(x));
        put_sd_header(&x, 0x8004);
        set32(&x, 16, x.n);
        acl = acl_begin(&x, 4);
        put_object_ace(&x, 0x05, 0x100, 0, subs_auth_users);
        acl_end(&x, acl, 1);
        set32(&x, acl + 8 + 8, 3); /* both GUIDs "present" */
        EXPECT_INVALID("object guids", "object types (flags 0x3)", NULL);
        set16(&x, acl + 8 + 2, 8); /* too small even for Flags */
        EXPECT_INVALID("object small", "AceSize 8", "object ACE");
    }
#undef EXPECT_INVALID
}

/* Every single-byte corruption of valid descriptors parses or fails
 * cleanly (under ASan: without reading outside the buffer). */
static void
test_corrupt_every_byte(void **state)
{
    static const unsigned values[] = {0x00, 0x01, 0x02, 0x0f, 0x10,
                                      0x7f, 0x80, 0xfe, 0xff};
    const char *const hexes[] = {samba_simple_hex, samba_object_hex};
    struct adkcd_sd sd;
    struct adkcd_err err;
    struct bytes x, orig;
    size_t h, i, v;

    (void)state;
    for (h = 0; h < N_ELEMS(hexes); h++) {
        from_hex(&orig, hexes[h]);
        for (i = 0; i < orig.n; i++) {
            for (v = 0; v < N_ELEMS(values); v++) {
                adkcd_status st;
                char **sids = NULL;

                x = orig;
                x.b[i] = (unsigned char)values[v];
                h_err_init(&err);
                st = parse_exact(&x, x.n, &sd, &err);
                if (st != ADKCD_OK) {
                    h_assert_failed("corrupt", st, ADKCD_E_INVALID, &err, NULL,
                                    NULL);
                    assert_true(sd_is_empty(&sd));
                    continue;
                }
                h_assert_ok("allowed", adkcd_sd_allowed_sids(&sd, &sids, &err),
                            &err);
                adkcd_strv_free(sids);
                {
                    struct adkcd_sd_access acc;

                    h_assert_ok("access",
                                adkcd_sd_allowed(&sd, 0xFFFFFFFFu, &acc, &err),
                                &err);
                    adkcd_sd_access_clear(&acc);
                }
                adkcd_sd_clear(&sd);
            }
        }
    }
}

static void
test_well_known(void **state)
{
    static const struct {
        const char *sid;
        const char *want;
    } cases[] = {
        {"S-1-1-0", "Everyone"},
        {"S-1-5-11", "Authenticated Users"},
        {"S-1-5-7", "Anonymous Logon"},
        {"S-1-5-32-544", "Administrators"},
        {"S-1-5-21-1-2-3-512", "Domain Admins"},
        {"S-1-5-21-1-2-3-513", "Domain Users"},
        {"S-1-5-21-3623811015-3361044348-30300820-515", "Domain Computers"},
        {"S-1-5-21-1-2-3-516", "Domain Controllers"},
        {"S-1-5-21-1-2-3-525", "Protected Users"},
        {"S-1-5-21-1-2-3-1105", NULL},
        {"S-1-5-21-1-2-513", NULL}, /* not a domain SID + RID */
        {"S-1-5-21-1-2-3-4-513", NULL},
        {"S-1-5-21-1-2-3-513x", NULL},
        {"S-1-5-21-1-2-3-", NULL},
        {"S-1-5-22-1-2-3-513", NULL},
        {"S-1-5-110", NULL},
        {"", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        const char *got = adkcd_sid_well_known(cases[i].sid);

        if (cases[i].want == NULL) {
            if (got != NULL)
                fail_msg("%s: \"%s\", expected none", cases[i].sid, got);
        } else {
            assert_non_null(got);
            assert_string_equal(got, cases[i].want);
        }
    }
    assert_null(adkcd_sid_well_known(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sid_to_string),
        cmocka_unit_test(test_sid_malformed),
        cmocka_unit_test(test_parse_simple),
        cmocka_unit_test(test_parse_object_and_deny),
        cmocka_unit_test(test_parse_object_variants),
        cmocka_unit_test(test_allowed_order),
        cmocka_unit_test(test_parse_callback),
        cmocka_unit_test(test_dacl_absent_null_empty),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_corrupt_every_byte),
        cmocka_unit_test(test_well_known),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
