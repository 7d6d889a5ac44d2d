/*
 * adkcd: reading a self-relative security descriptor (MS-DTYP 2.4.6), as
 * far as resource-based constrained delegation needs: the owner, the group
 * and the DACL's ACEs with their SIDs.
 *
 * Every read goes through rd16()/rd32() after a bounds check against the
 * part of the buffer the enclosing structure claims (the descriptor, the
 * ACL, the ACE), so a value that lies about its size is an error with its
 * offset, never a read past the buffer.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/sd.h"
#include "adkcd/strv.h"

/* SECURITY_DESCRIPTOR_CONTROL bits (MS-DTYP 2.4.6). */
#define SE_DACL_PRESENT 0x0004u
#define SE_SELF_RELATIVE 0x8000u

/* AceFlags: the ACE is only inherited, it does not apply to the object. */
#define INHERIT_ONLY_ACE 0x08u

/* ACCESS_*_OBJECT_ACE Flags: which GUIDs follow. */
#define ACE_OBJECT_TYPE_PRESENT 0x1u
#define ACE_INHERITED_OBJECT_TYPE_PRESENT 0x2u

#define SD_HEADER_LEN 20u
#define ACL_HEADER_LEN 8u
#define ACE_HEADER_LEN 4u
#define SID_MIN_LEN 8u
#define SID_MAX_SUBAUTH 15u

/* Little-endian reads; the caller has checked that the bytes exist. */
static unsigned
rd16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t
rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

adkcd_status
adkcd_sid_to_string(const unsigned char *buf, size_t len, size_t *used_out,
                    char **text_out, struct adkcd_err *err)
{
    char text[16 + 24 + SID_MAX_SUBAUTH * 11];
    uint64_t auth = 0;
    size_t need, o, i;
    unsigned count;
    char *copy;

    *text_out = NULL;
    if (used_out != NULL)
        *used_out = 0;
    if (buf == NULL || len < SID_MIN_LEN)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "SID truncated: %zu bytes, at least %u needed",
                             len, SID_MIN_LEN);
    if (buf[0] != 1)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "SID revision %u, expected 1", buf[0]);
    count = buf[1];
    if (count > SID_MAX_SUBAUTH)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "SID has %u sub-authorities, at most %u allowed",
                             count, SID_MAX_SUBAUTH);
    need = SID_MIN_LEN + 4u * count;
    if (len < need)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "SID truncated: %u sub-authorities need %zu "
                             "bytes, %zu left",
                             count, need, len);
    /* IdentifierAuthority is 6 bytes, big-endian (MS-DTYP 2.4.1). */
    for (i = 2; i < 8; i++)
        auth = auth << 8 | buf[i];
    /* As Windows writes it: decimal below 2^32, else hexadecimal
     * (MS-DTYP 2.4.2.1). */
    if (auth < ((uint64_t)1 << 32))
        o = (size_t)snprintf(text, sizeof(text), "S-1-%" PRIu64, auth);
    else
        o = (size_t)snprintf(text, sizeof(text), "S-1-0x%012" PRIX64, auth);
    for (i = 0; i < count; i++)
        o += (size_t)snprintf(text + o, sizeof(text) - o, "-%" PRIu32,
                              rd32(buf + SID_MIN_LEN + 4 * i));
    copy = strdup(text);
    if (copy == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    *text_out = copy;
    if (used_out != NULL)
        *used_out = need;
    return ADKCD_OK;
}

/* The SID at buf[off..end) as text; what names it in messages. */
static adkcd_status
sid_at(const unsigned char *buf, size_t off, size_t end, const char *what,
       char **text_out, size_t *used_out, struct adkcd_err *err)
{
    adkcd_status st;

    st = adkcd_sid_to_string(buf + off, end - off, used_out, text_out, err);
    if (st != ADKCD_OK)
        adkcd_err_prefix(err, "%s at offset %zu: ", what, off);
    return st;
}

/* The owner or group SID at a header offset (0: none). */
static adkcd_status
header_sid(const unsigned char *buf, size_t len, uint32_t off,
           const char *what, char **text_out, struct adkcd_err *err)
{
    *text_out = NULL;
    if (off == 0)
        return ADKCD_OK;
    if (off < SD_HEADER_LEN || off >= len)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "%s offset %" PRIu32 " is outside the "
                             "descriptor (%zu bytes, header %u)",
                             what, off, len, SD_HEADER_LEN);
    return sid_at(buf, off, len, what, text_out, NULL, err);
}

/* One ACE at buf[off..off+size), size already checked against the ACL. */
static adkcd_status
parse_ace(const unsigned char *buf, size_t off, size_t size, size_t index,
          struct adkcd_sd_ace *ace, struct adkcd_err *err)
{
    size_t end = off + size, p = off + ACE_HEADER_LEN;
    uint32_t oflags;

    ace->type = buf[off];
    ace->flags = buf[off + 1];
    ace->mask = 0;
    ace->sid = NULL;
    /* Every ACE type of MS-DTYP 2.4.4 has its Mask right after the header;
     * types we do not interpret keep it and no SID. */
    if (size >= ACE_HEADER_LEN + 4)
        ace->mask = rd32(buf + p);
    switch (ace->type) {
    case ADKCD_ACE_ACCESS_ALLOWED:
    case ADKCD_ACE_ACCESS_DENIED:
        if (size < ACE_HEADER_LEN + 4 + SID_MIN_LEN)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu is too "
                                 "small for a mask and a SID",
                                 index, off, size);
        p += 4;
        break;
    case ADKCD_ACE_ACCESS_ALLOWED_OBJECT:
    case ADKCD_ACE_ACCESS_DENIED_OBJECT:
        /* Mask, Flags, then the GUIDs that Flags announce (16 bytes each),
         * then the SID (MS-DTYP 2.4.4.3). */
        if (size < ACE_HEADER_LEN + 8)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu is too "
                                 "small for an object ACE",
                                 index, off, size);
        oflags = rd32(buf + p + 4);
        p += 8;
        if (oflags & ACE_OBJECT_TYPE_PRESENT)
            p += 16;
        if (oflags & ACE_INHERITED_OBJECT_TYPE_PRESENT)
            p += 16;
        if (p + SID_MIN_LEN > end)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu is too "
                                 "small for its object types (flags 0x%"
                                 PRIx32 ") and a SID",
                                 index, off, size, oflags);
        break;
    default:
        return ADKCD_OK;
    }
    return sid_at(buf, p, end, "ACE SID", &ace->sid, NULL, err);
}

/* The ACL at off (MS-DTYP 2.4.5) into sd->aces. */
static adkcd_status
parse_acl(const unsigned char *buf, size_t len, uint32_t off,
          struct adkcd_sd *sd, struct adkcd_err *err)
{
    unsigned rev, acl_size, count;
    size_t end, p, i;
    adkcd_status st;

    if (off < SD_HEADER_LEN || off > len || len - off < ACL_HEADER_LEN)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "DACL offset %" PRIu32 " leaves no room for an "
                             "ACL header in a %zu-byte descriptor",
                             off, len);
    rev = buf[off];
    acl_size = rd16(buf + off + 2);
    count = rd16(buf + off + 4);
    /* ACL_REVISION (2) or ACL_REVISION_DS (4, with object ACEs). */
    if (rev != 2 && rev != 4)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "DACL at offset %" PRIu32 ": AclRevision %u, "
                             "expected 2 or 4",
                             off, rev);
    if (acl_size < ACL_HEADER_LEN || acl_size > len - off)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "DACL at offset %" PRIu32 ": AclSize %u does "
                             "not fit the %zu bytes left",
                             off, acl_size, len - off);
    end = (size_t)off + acl_size;
    /* Each ACE takes at least its header: refuse a count that cannot fit
     * before allocating for it. */
    if ((size_t)count * ACE_HEADER_LEN > acl_size - ACL_HEADER_LEN)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "DACL at offset %" PRIu32 ": AceCount %u "
                             "cannot fit in AclSize %u",
                             off, count, acl_size);
    if (count > 0) {
        sd->aces = calloc(count, sizeof(*sd->aces));
        if (sd->aces == NULL)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    p = (size_t)off + ACL_HEADER_LEN;
    for (i = 0; i < count; i++) {
        size_t size;

        if (end - p < ACE_HEADER_LEN)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: past the end of the "
                                 "DACL (AclSize %u, AceCount %u)",
                                 i, p, acl_size, count);
        size = rd16(buf + p + 2);
        if (size < ACE_HEADER_LEN)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu is "
                                 "smaller than the ACE header",
                                 i, p, size);
        if (size > end - p)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu runs "
                                 "past the end of the DACL (%zu bytes left)",
                                 i, p, size, end - p);
        st = parse_ace(buf, p, size, i, &sd->aces[i], err);
        sd->n = i + 1; /* so that adkcd_sd_clear() frees its SID */
        if (st != ADKCD_OK)
            return st;
        p += size;
    }
    sd->has_dacl = 1;
    return ADKCD_OK;
}

adkcd_status
adkcd_sd_parse(const unsigned char *buf, size_t len, struct adkcd_sd *sd,
               struct adkcd_err *err)
{
    uint32_t off_owner, off_group, off_dacl;
    unsigned control;
    adkcd_status st;

    memset(sd, 0, sizeof(*sd));
    if (buf == NULL || len < SD_HEADER_LEN)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "security descriptor truncated: %zu bytes, the "
                             "header alone is %u",
                             len, SD_HEADER_LEN);
    if (buf[0] != 1)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "security descriptor revision %u, expected 1",
                             buf[0]);
    control = rd16(buf + 2);
    if (!(control & SE_SELF_RELATIVE))
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "security descriptor is not self-relative "
                             "(Control 0x%04x lacks SE_SELF_RELATIVE)",
                             control);
    off_owner = rd32(buf + 4);
    off_group = rd32(buf + 8);
    /* buf + 12 is the SACL, which delegation does not need. */
    off_dacl = rd32(buf + 16);

    st = header_sid(buf, len, off_owner, "owner", &sd->owner, err);
    if (st == ADKCD_OK)
        st = header_sid(buf, len, off_group, "group", &sd->group, err);
    /* SE_DACL_PRESENT with OffsetDacl 0 is a NULL DACL: has_dacl stays 0,
     * as without SE_DACL_PRESENT. */
    if (st == ADKCD_OK && (control & SE_DACL_PRESENT) && off_dacl != 0)
        st = parse_acl(buf, len, off_dacl, sd, err);
    if (st != ADKCD_OK) {
        adkcd_err_prefix(err, "bad security descriptor: ");
        adkcd_sd_clear(sd);
    }
    return st;
}

void
adkcd_sd_clear(struct adkcd_sd *sd)
{
    size_t i;

    if (sd == NULL)
        return;
    free(sd->owner);
    free(sd->group);
    for (i = 0; i < sd->n; i++)
        free(sd->aces[i].sid);
    free(sd->aces);
    memset(sd, 0, sizeof(*sd));
}

/* The ACE applies to the object itself (not only to its children). */
static int
ace_effective(const struct adkcd_sd_ace *ace)
{
    return ace->sid != NULL && !(ace->flags & INHERIT_ONLY_ACE);
}

static int
ace_denies(const struct adkcd_sd_ace *ace)
{
    return ace_effective(ace) && (ace->type == ADKCD_ACE_ACCESS_DENIED ||
                                  ace->type == ADKCD_ACE_ACCESS_DENIED_OBJECT);
}

adkcd_status
adkcd_sd_allowed_sids(const struct adkcd_sd *sd, char ***sids_out,
                      struct adkcd_err *err)
{
    char **sids = NULL;
    size_t i, j;
    int denied;

    *sids_out = NULL;
    sids = calloc(1, sizeof(*sids));
    if (sids == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    /* No DACL (or a NULL DACL) grants every access to everyone
     * (MS-DTYP 2.5.3.2): that is Everyone, not nobody. */
    if (!sd->has_dacl) {
        if (adkcd_strv_add(&sids, "S-1-1-0") != 0)
            goto nomem;
        *sids_out = sids;
        return ADKCD_OK;
    }
    for (i = 0; i < sd->n; i++) {
        const struct adkcd_sd_ace *ace = &sd->aces[i];

        if (!ace_effective(ace) || ace->mask == 0)
            continue;
        if (ace->type != ADKCD_ACE_ACCESS_ALLOWED &&
            ace->type != ADKCD_ACE_ACCESS_ALLOWED_OBJECT)
            continue;
        if (adkcd_strv_find_nocase(sids, ace->sid) >= 0)
            continue;
        /* A deny for the same SID anywhere in the DACL takes it out.  This
         * is simpler than the ordered access check, and never reports a
         * SID that a canonical DACL (denies first) would refuse. */
        denied = 0;
        for (j = 0; j < sd->n && !denied; j++)
            denied = ace_denies(&sd->aces[j]) &&
                     strcmp(sd->aces[j].sid, ace->sid) == 0;
        if (denied)
            continue;
        if (adkcd_strv_add(&sids, ace->sid) != 0)
            goto nomem;
    }
    *sids_out = sids;
    return ADKCD_OK;

nomem:
    adkcd_strv_free(sids);
    return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
}

/* Well-known SIDs of MS-DTYP 2.4.2.4 that a delegation may name. */
static const struct {
    const char *sid;
    const char *name;
} well_known[] = {
    {"S-1-1-0", "Everyone"},
    {"S-1-3-0", "Creator Owner"},
    {"S-1-5-2", "Network"},
    {"S-1-5-4", "Interactive"},
    {"S-1-5-7", "Anonymous Logon"},
    {"S-1-5-9", "Enterprise Domain Controllers"},
    {"S-1-5-10", "Principal Self"},
    {"S-1-5-11", "Authenticated Users"},
    {"S-1-5-18", "Local System"},
    {"S-1-5-32-544", "Administrators"},
    {"S-1-5-32-545", "Users"},
    {"S-1-5-32-546", "Guests"},
    {"S-1-5-32-554", "Pre-Windows 2000 Compatible Access"},
};

/* Relative IDs of a domain's well-known accounts and groups. */
static const struct {
    unsigned long rid;
    const char *name;
} well_known_rids[] = {
    {498, "Enterprise Read-only Domain Controllers"},
    {500, "Administrator"},
    {501, "Guest"},
    {502, "krbtgt"},
    {512, "Domain Admins"},
    {513, "Domain Users"},
    {514, "Domain Guests"},
    {515, "Domain Computers"},
    {516, "Domain Controllers"},
    {518, "Schema Admins"},
    {519, "Enterprise Admins"},
    {521, "Read-only Domain Controllers"},
    {525, "Protected Users"},
};

const char *
adkcd_sid_well_known(const char *sid)
{
    static const char prefix[] = "S-1-5-21-";
    const char *p, *last;
    unsigned long rid;
    int dashes = 0;
    char *end;
    size_t i;

    if (sid == NULL)
        return NULL;
    for (i = 0; i < sizeof(well_known) / sizeof(well_known[0]); i++)
        if (strcmp(sid, well_known[i].sid) == 0)
            return well_known[i].name;
    /* A domain SID is S-1-5-21-A-B-C; its well-known principals add one
     * RID to it. */
    if (strncmp(sid, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    last = NULL;
    for (p = sid + sizeof(prefix) - 1; *p != '\0'; p++) {
        if (*p == '-') {
            dashes++;
            last = p + 1;
        } else if (*p < '0' || *p > '9') {
            return NULL;
        }
    }
    if (dashes != 3 || last == NULL || *last == '\0')
        return NULL;
    rid = strtoul(last, &end, 10);
    if (*end != '\0')
        return NULL;
    for (i = 0; i < sizeof(well_known_rids) / sizeof(well_known_rids[0]); i++)
        if (rid == well_known_rids[i].rid)
            return well_known_rids[i].name;
    return NULL;
}
