/*
 * adkcd: a security descriptor as SDDL text (MS-DTYP 2.5.1), to show
 * msDS-AllowedToActOnBehalfOfOtherIdentity to a person in diffs and
 * `adkcd rbcd show`.
 *
 * The descriptor goes through adkcd_sd_parse() first, so every byte read
 * here was bounds-checked there; this file only formats what the parser
 * found.  The output is meant to be read, and it stays close to what
 * Windows' ConvertSecurityDescriptorToStringSecurityDescriptor writes, but
 * it makes a few choices of its own (see sd.h):
 *   - only O:, G: and D: are written: RBCD never needs the SACL;
 *   - rights are "CR" or hexadecimal, never split into letters, so that
 *     0xf01ff (what Windows writes in RBCD values) reads as one number;
 *   - what SDDL cannot say (an ACE type without a letter code, unknown
 *     AceFlags bits, a binary condition) gets a hexadecimal or bracketed
 *     form that no SDDL parser accepts, rather than being dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/sd.h"
#include "buf.h"

/* SECURITY_DESCRIPTOR_CONTROL bits (MS-DTYP 2.4.6). */
#define SE_DACL_PRESENT 0x0004u
#define SE_DACL_AUTO_INHERIT_REQ 0x0100u
#define SE_DACL_AUTO_INHERITED 0x0400u
#define SE_DACL_PROTECTED 0x1000u

/* The DACL flags in the order Windows and Samba write them ("D:PARAI"). */
static const struct {
    unsigned bit;
    const char *code;
} dacl_flags[] = {
    {SE_DACL_PROTECTED, "P"},
    {SE_DACL_AUTO_INHERIT_REQ, "AR"},
    {SE_DACL_AUTO_INHERITED, "AI"},
};

/* AceFlags (MS-DTYP 2.4.4.1) in the order Windows and Samba write them
 * ("OICIIO"); 0x20 has no code. */
static const struct {
    unsigned bit;
    const char *code;
} ace_flags[] = {
    {0x01u, "OI"}, /* OBJECT_INHERIT_ACE */
    {0x02u, "CI"}, /* CONTAINER_INHERIT_ACE */
    {0x04u, "NP"}, /* NO_PROPAGATE_INHERIT_ACE */
    {0x08u, "IO"}, /* INHERIT_ONLY_ACE */
    {0x10u, "ID"}, /* INHERITED_ACE */
    {0x40u, "SA"}, /* SUCCESSFUL_ACCESS_ACE_FLAG */
    {0x80u, "FA"}, /* FAILED_ACCESS_ACE_FLAG */
};

/* The ACE types SDDL has a code for that may appear in a DACL
 * (MS-DTYP 2.5.1.1, ace-type).  ACCESS_DENIED_CALLBACK_OBJECT (0x0C) has
 * none. */
static const struct {
    unsigned type;
    const char *code;
} ace_types[] = {
    {ADKCD_ACE_ACCESS_ALLOWED, "A"},
    {ADKCD_ACE_ACCESS_DENIED, "D"},
    {ADKCD_ACE_ACCESS_ALLOWED_OBJECT, "OA"},
    {ADKCD_ACE_ACCESS_DENIED_OBJECT, "OD"},
    {ADKCD_ACE_ACCESS_ALLOWED_CALLBACK, "XA"},
    {ADKCD_ACE_ACCESS_DENIED_CALLBACK, "XD"},
    {ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT, "ZA"},
};

/* SDDL's abbreviations (MS-DTYP 2.5.1.1, sid-token) for the well-known
 * SIDs that do not depend on the domain.  The domain-relative ones (DA,
 * DU, ...) would need the domain SID, and a full SID is as clear. */
static const struct {
    const char *sid;
    const char *code;
} sid_codes[] = {
    {"S-1-5-32-544", "BA"}, /* BUILTIN\Administrators */
    {"S-1-5-32-545", "BU"}, /* BUILTIN\Users */
    {"S-1-1-0", "WD"},      /* Everyone */
    {"S-1-5-11", "AU"},     /* Authenticated Users */
    {"S-1-5-7", "AN"},      /* Anonymous Logon */
    {"S-1-5-18", "SY"},     /* Local System */
    {"S-1-5-10", "PS"},     /* Principal Self */
    {"S-1-5-9", "ED"},      /* Enterprise Domain Controllers */
    {"S-1-5-2", "NU"},      /* Network */
    {"S-1-5-4", "IU"},      /* Interactive */
    {"S-1-3-0", "CO"},      /* Creator Owner */
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void
put_sid(struct buf *b, const char *sid)
{
    size_t i;

    for (i = 0; i < N_OF(sid_codes); i++) {
        if (strcmp(sid, sid_codes[i].sid) == 0) {
            buf_puts(b, sid_codes[i].code);
            return;
        }
    }
    buf_puts(b, sid);
}

/* A GUID as stored (MS-DTYP 2.3.4.2: Data1, Data2 and Data3 little-endian,
 * Data4 as bytes) in the 8-4-4-4-12 form of 2.3.4.3, lower case. */
static void
put_guid(struct buf *b, const unsigned char *g)
{
    uint32_t d1 = (uint32_t)g[0] | (uint32_t)g[1] << 8 | (uint32_t)g[2] << 16 |
                  (uint32_t)g[3] << 24;
    unsigned d2 = (unsigned)g[4] | (unsigned)g[5] << 8;
    unsigned d3 = (unsigned)g[6] | (unsigned)g[7] << 8;

    buf_printf(b, "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               (unsigned long)d1, d2, d3, g[8], g[9], g[10], g[11], g[12],
               g[13], g[14], g[15]);
}

static int
is_object_type(unsigned type)
{
    return type == ADKCD_ACE_ACCESS_ALLOWED_OBJECT ||
           type == ADKCD_ACE_ACCESS_DENIED_OBJECT ||
           type == ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT ||
           type == ADKCD_ACE_ACCESS_DENIED_CALLBACK_OBJECT;
}

static int
is_callback_type(unsigned type)
{
    return type == ADKCD_ACE_ACCESS_ALLOWED_CALLBACK ||
           type == ADKCD_ACE_ACCESS_DENIED_CALLBACK ||
           type == ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT ||
           type == ADKCD_ACE_ACCESS_DENIED_CALLBACK_OBJECT;
}

/* One ACE: (type;flags;rights;object_guid;inherit_object_guid;sid), and
 * for a callback ACE a seventh field for its condition. */
static void
put_ace(struct buf *b, const struct adkcd_sd_ace *ace)
{
    const char *code = NULL;
    unsigned rest = ace->flags;
    size_t i;

    for (i = 0; i < N_OF(ace_types); i++)
        if (ace->type == ace_types[i].type)
            code = ace_types[i].code;
    buf_puts(b, "(");
    /* Not SDDL: a type without a code, so that the ACE is still seen. */
    if (code != NULL)
        buf_puts(b, code);
    else
        buf_printf(b, "0x%02x", ace->type);
    buf_puts(b, ";");
    for (i = 0; i < N_OF(ace_flags); i++) {
        if (ace->flags & ace_flags[i].bit) {
            buf_puts(b, ace_flags[i].code);
            rest &= ~ace_flags[i].bit;
        }
    }
    /* Not SDDL: the bits without a code (0x20), after the known ones. */
    if (rest != 0)
        buf_printf(b, "0x%02x", rest);
    buf_puts(b, ";");
    /* A type the parser does not read: every ACE type of MS-DTYP 2.4.4 has
     * its Mask after the header, so it is shown when there is room for
     * one; the rest of the layout is unknown, so no GUIDs and no SID. */
    if (ace->sid == NULL) {
        if (ace->size >= 8)
            buf_printf(b, "0x%x", ace->mask);
        buf_puts(b, ";;;)");
        return;
    }
    /* "CR" alone is what RBCD needs and what Samba's KDC checks; any other
     * mask is written as Windows writes masks it has no letters for, in
     * hexadecimal (0xf01ff rather than CCDCLCSWRPWPDTLOCRSDRCWDWO). */
    if (ace->mask == ADKCD_RIGHT_DS_CONTROL_ACCESS)
        buf_puts(b, "CR");
    else
        buf_printf(b, "0x%x", ace->mask);
    buf_puts(b, ";");
    if (is_object_type(ace->type) && ace->object_type)
        put_guid(b, ace->object_guid);
    buf_puts(b, ";");
    if (is_object_type(ace->type) && ace->inherited_object_type)
        put_guid(b, ace->inherited_object_guid);
    buf_puts(b, ";");
    put_sid(b, ace->sid);
    /* Not SDDL: SDDL writes the condition as an expression, which would
     * need a decoder of the binary form (MS-DTYP 2.4.4.17); its size tells
     * a person there is one, and a diff that it changed length. */
    if (is_callback_type(ace->type))
        buf_printf(b, ";(<condition: %zu bytes>)", ace->app_len);
    buf_puts(b, ")");
}

adkcd_status
adkcd_sd_to_sddl(const unsigned char *buf, size_t len, char **text_out,
                 struct adkcd_err *err)
{
    struct adkcd_sd sd;
    struct buf b = {0};
    adkcd_status st;
    char *text = NULL;
    size_t i;

    *text_out = NULL;
    st = adkcd_sd_parse(buf, len, &sd, err);
    if (st != ADKCD_OK)
        return st;
    if (sd.owner != NULL) {
        buf_puts(&b, "O:");
        put_sid(&b, sd.owner);
    }
    if (sd.group != NULL) {
        buf_puts(&b, "G:");
        put_sid(&b, sd.group);
    }
    /* Without SE_DACL_PRESENT there is no D: part at all (everyone has
     * every access, MS-DTYP 2.5.3.2), as Windows writes it. */
    if (sd.control & SE_DACL_PRESENT) {
        buf_puts(&b, "D:");
        for (i = 0; i < N_OF(dacl_flags); i++)
            if (sd.control & dacl_flags[i].bit)
                buf_puts(&b, dacl_flags[i].code);
        /* SE_DACL_PRESENT with OffsetDacl 0 is a NULL DACL, which also
         * grants everything; Windows writes it as NO_ACCESS_CONTROL.  A
         * present but empty DACL ("D:") is the opposite: no access. */
        if (!sd.has_dacl)
            buf_puts(&b, "NO_ACCESS_CONTROL");
        for (i = 0; i < sd.n; i++)
            put_ace(&b, &sd.aces[i]);
    }
    /* The SACL (S:) is left out on purpose: RBCD does not use it, and it
     * is not read beyond its header (sd.h). */
    text = buf_take(&b);
    adkcd_sd_clear(&sd);
    if (text == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    *text_out = text;
    return ADKCD_OK;
}
