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

/* SECURITY_DESCRIPTOR_CONTROL bits (MS-DTYP 2.4.6). */
#define SE_DACL_PRESENT 0x0004u
#define SE_SACL_PRESENT 0x0010u
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
        adkcd_err_prefix(err, "%s at offset %zu", what, off);
    return st;
}

/* The owner or group SID at a header offset (0: none). */
static adkcd_status
header_sid(const unsigned char *buf, size_t len, uint32_t off, const char *what,
           char **text_out, size_t *off_out, size_t *len_out,
           struct adkcd_err *err)
{
    *text_out = NULL;
    *off_out = *len_out = 0;
    if (off == 0)
        return ADKCD_OK;
    if (off < SD_HEADER_LEN || off >= len)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "%s offset %" PRIu32 " is outside the "
                             "descriptor (%zu bytes, header %u)",
                             what, off, len, SD_HEADER_LEN);
    *off_out = off;
    return sid_at(buf, off, len, what, text_out, len_out, err);
}

/* One ACE at buf[off..off+size), size already checked against the ACL. */
static adkcd_status
parse_ace(const unsigned char *buf, size_t off, size_t size, size_t index,
          struct adkcd_sd_ace *ace, struct adkcd_err *err)
{
    size_t end = off + size, p = off + ACE_HEADER_LEN;
    size_t obj_at = 0, inh_at = 0, used = 0;
    int callback = 0;
    adkcd_status st;
    uint32_t oflags;

    ace->type = buf[off];
    ace->flags = buf[off + 1];
    ace->mask = 0;
    ace->object_type = 0;
    ace->sid = NULL;
    ace->off = off;
    ace->size = size;
    ace->object_flags = 0;
    ace->inherited_object_type = 0;
    memset(ace->object_guid, 0, sizeof(ace->object_guid));
    memset(ace->inherited_object_guid, 0, sizeof(ace->inherited_object_guid));
    ace->app_off = ace->app_len = 0;
    /* Every ACE type of MS-DTYP 2.4.4 has its Mask right after the header;
     * types we do not interpret keep it and no SID. */
    if (size >= ACE_HEADER_LEN + 4)
        ace->mask = rd32(buf + p);
    switch (ace->type) {
    case ADKCD_ACE_ACCESS_ALLOWED:
    case ADKCD_ACE_ACCESS_DENIED:
    /* The callback (conditional) ACEs have the same layout, with
     * ApplicationData, the condition, after the SID (MS-DTYP 2.4.4.6,
     * 2.4.4.7). */
    case ADKCD_ACE_ACCESS_ALLOWED_CALLBACK:
    case ADKCD_ACE_ACCESS_DENIED_CALLBACK:
        callback = ace->type == ADKCD_ACE_ACCESS_ALLOWED_CALLBACK ||
                   ace->type == ADKCD_ACE_ACCESS_DENIED_CALLBACK;
        if (size < ACE_HEADER_LEN + 4 + SID_MIN_LEN)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu is too "
                                 "small for a mask and a SID",
                                 index, off, size);
        p += 4;
        break;
    case ADKCD_ACE_ACCESS_ALLOWED_OBJECT:
    case ADKCD_ACE_ACCESS_DENIED_OBJECT:
    case ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT:
    case ADKCD_ACE_ACCESS_DENIED_CALLBACK_OBJECT:
        /* Mask, Flags, then the GUIDs that Flags announce (16 bytes each),
         * then the SID (MS-DTYP 2.4.4.3); the callback object ACE has its
         * condition after the SID (2.4.4.8). */
        callback = ace->type == ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT ||
                   ace->type == ADKCD_ACE_ACCESS_DENIED_CALLBACK_OBJECT;
        if (size < ACE_HEADER_LEN + 8)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu is too "
                                 "small for an object ACE",
                                 index, off, size);
        oflags = rd32(buf + p + 4);
        p += 8;
        if (oflags & ACE_OBJECT_TYPE_PRESENT) {
            ace->object_type = 1;
            obj_at = p;
            p += 16;
        }
        if (oflags & ACE_INHERITED_OBJECT_TYPE_PRESENT) {
            ace->inherited_object_type = 1;
            inh_at = p;
            p += 16;
        }
        if (p + SID_MIN_LEN > end)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "ACE %zu at offset %zu: AceSize %zu is too "
                                 "small for its object types (flags 0x%" PRIx32
                                 ") and a SID",
                                 index, off, size, oflags);
        /* Both GUIDs lie before p, which the check above kept within the
         * ACE. */
        ace->object_flags = oflags;
        if (ace->object_type)
            memcpy(ace->object_guid, buf + obj_at, 16);
        if (ace->inherited_object_type)
            memcpy(ace->inherited_object_guid, buf + inh_at, 16);
        break;
    default:
        return ADKCD_OK;
    }
    st = sid_at(buf, p, end, "ACE SID", &ace->sid, &used, err);
    /* ApplicationData is the rest of the ACE (sid_at() checked that the
     * SID ends within it). */
    if (st == ADKCD_OK && callback) {
        ace->app_off = p + used;
        ace->app_len = end - (p + used);
    }
    return st;
}

/* The size of the ACL at off (its header checked), for the SACL. */
static adkcd_status
locate_acl(const unsigned char *buf, size_t len, uint32_t off, const char *what,
           size_t *size_out, struct adkcd_err *err)
{
    unsigned acl_size;

    *size_out = 0;
    if (off < SD_HEADER_LEN || off > len || len - off < ACL_HEADER_LEN)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "%s offset %" PRIu32 " leaves no room for an "
                             "ACL header in a %zu-byte descriptor",
                             what, off, len);
    acl_size = rd16(buf + off + 2);
    if (acl_size < ACL_HEADER_LEN || acl_size > len - off)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "%s at offset %" PRIu32 ": AclSize %u does "
                             "not fit the %zu bytes left",
                             what, off, acl_size, len - off);
    *size_out = acl_size;
    return ADKCD_OK;
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
    sd->dacl_off = off;
    sd->dacl_len = acl_size;
    sd->dacl_rev = rev;
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
    uint32_t off_owner, off_group, off_sacl, off_dacl;
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
    sd->sbz1 = buf[1];
    sd->control = control;
    off_owner = rd32(buf + 4);
    off_group = rd32(buf + 8);
    off_sacl = rd32(buf + 12);
    off_dacl = rd32(buf + 16);

    st = header_sid(buf, len, off_owner, "owner", &sd->owner, &sd->owner_off,
                    &sd->owner_len, err);
    if (st == ADKCD_OK)
        st = header_sid(buf, len, off_group, "group", &sd->group,
                        &sd->group_off, &sd->group_len, err);
    /* The SACL is not read, only located (an edit keeps it as it is). */
    if (st == ADKCD_OK && (control & SE_SACL_PRESENT) && off_sacl != 0)
        st = locate_acl(buf, len, off_sacl, "SACL", &sd->sacl_len, err);
    if (st == ADKCD_OK && sd->sacl_len > 0)
        sd->sacl_off = off_sacl;
    /* SE_DACL_PRESENT with OffsetDacl 0 is a NULL DACL: has_dacl stays 0,
     * as without SE_DACL_PRESENT. */
    if (st == ADKCD_OK && (control & SE_DACL_PRESENT) && off_dacl != 0)
        st = parse_acl(buf, len, off_dacl, sd, err);
    if (st != ADKCD_OK) {
        adkcd_err_prefix(err, "bad security descriptor");
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

/* What an ACE does in the access check for the right(s) access. */
enum ace_role {
    ROLE_NONE,       /* does not apply, or not to access */
    ROLE_ALLOW,      /* grants access to its SID */
    ROLE_DENY,       /* denies access to its SID */
    ROLE_COND_ALLOW, /* grants it if its condition holds */
    ROLE_COND_DENY,  /* denies it if its condition holds */
    ROLE_UNKNOWN,    /* a type not interpreted here */
};

static enum ace_role
ace_role(const struct adkcd_sd_ace *ace, unsigned access)
{
    /* A known type always has a SID once parsed; a hand-made ACE without
     * one names nobody. */
    int meets = (ace->mask & access) != 0 && ace->sid != NULL;

    /* INHERIT_ONLY: only inherited by children, not applied to the
     * object (MS-DTYP 2.5.3.2 skips it). */
    if (ace->flags & INHERIT_ONLY_ACE)
        return ROLE_NONE;
    switch (ace->type) {
    case ADKCD_ACE_ACCESS_ALLOWED:
    case ADKCD_ACE_ACCESS_ALLOWED_OBJECT:
        /* An object ACE with an ObjectType grants only that property or
         * right, which the KDC's check does not name; it is counted all
         * the same, so that an audit lists a principal rather than miss
         * one. */
        return meets ? ROLE_ALLOW : ROLE_NONE;
    case ADKCD_ACE_ACCESS_DENIED:
        return meets ? ROLE_DENY : ROLE_NONE;
    case ADKCD_ACE_ACCESS_DENIED_OBJECT:
        /* With an ObjectType it denies only that property or right: it
         * does not take away the plain right the KDC checks. */
        return meets && !ace->object_type ? ROLE_DENY : ROLE_NONE;
    case ADKCD_ACE_ACCESS_ALLOWED_CALLBACK:
    case ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT:
        return meets ? ROLE_COND_ALLOW : ROLE_NONE;
    case ADKCD_ACE_ACCESS_DENIED_CALLBACK:
        return meets ? ROLE_COND_DENY : ROLE_NONE;
    case ADKCD_ACE_ACCESS_DENIED_CALLBACK_OBJECT:
        return meets && !ace->object_type ? ROLE_COND_DENY : ROLE_NONE;
    default:
        return ROLE_UNKNOWN;
    }
}

enum verdict { DENIED, ALLOWED, CONDITIONAL };

/*
 * The access check for one SID: the first ACE naming it whose mask meets
 * access decides (MS-DTYP 2.5.3.2 for one right: an allow grants it unless
 * an earlier deny took it, a deny takes it unless an earlier allow granted
 * it).  A conditional ACE decides only when its condition holds, which is
 * not known here, so the walk goes on past it and the answer becomes
 * CONDITIONAL wherever it could have changed it.
 */
static enum verdict
check_sid(const struct adkcd_sd *sd, const char *sid, unsigned access)
{
    int cond_allow = 0, cond_deny = 0;
    size_t i;

    for (i = 0; i < sd->n; i++) {
        const struct adkcd_sd_ace *ace = &sd->aces[i];

        if (ace->sid == NULL || strcmp(ace->sid, sid) != 0)
            continue;
        switch (ace_role(ace, access)) {
        case ROLE_ALLOW:
            return cond_deny ? CONDITIONAL : ALLOWED;
        case ROLE_DENY:
            return cond_allow ? CONDITIONAL : DENIED;
        case ROLE_COND_ALLOW:
            cond_allow = 1;
            break;
        case ROLE_COND_DENY:
            cond_deny = 1;
            break;
        case ROLE_NONE:
        case ROLE_UNKNOWN:
            break;
        }
    }
    /* Nothing decided: no access, unless a conditional allow's condition
     * holds. */
    return cond_allow ? CONDITIONAL : DENIED;
}

enum adkcd_sd_role
adkcd_sd_ace_role(const struct adkcd_sd_ace *ace)
{
    switch (ace_role(ace, ADKCD_RIGHT_DS_CONTROL_ACCESS)) {
    case ROLE_ALLOW:
        return ADKCD_SD_ROLE_ALLOW;
    case ROLE_DENY:
        return ADKCD_SD_ROLE_DENY;
    case ROLE_COND_ALLOW:
        return ADKCD_SD_ROLE_COND_ALLOW;
    case ROLE_COND_DENY:
        return ADKCD_SD_ROLE_COND_DENY;
    case ROLE_UNKNOWN:
        return ADKCD_SD_ROLE_UNKNOWN;
    case ROLE_NONE:
        break;
    }
    return ADKCD_SD_ROLE_NONE;
}

enum adkcd_sd_verdict
adkcd_sd_check_sid(const struct adkcd_sd *sd, const char *sid, unsigned access)
{
    if (!sd->has_dacl)
        return ADKCD_SD_ALLOWED;
    switch (check_sid(sd, sid, access)) {
    case ALLOWED:
        return ADKCD_SD_ALLOWED;
    case CONDITIONAL:
        return ADKCD_SD_CONDITIONAL;
    case DENIED:
        break;
    }
    return ADKCD_SD_DENIED;
}

void
adkcd_sd_access_clear(struct adkcd_sd_access *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->n_grants; i++)
        free(a->grants[i].sid);
    free(a->grants);
    free(a->unknown);
    memset(a, 0, sizeof(*a));
}

static int
grant_add(struct adkcd_sd_access *a, const char *sid, int conditional)
{
    struct adkcd_sd_grant *v =
        realloc(a->grants, (a->n_grants + 1) * sizeof(*v));
    char *copy;

    if (v == NULL)
        return -1;
    a->grants = v;
    copy = strdup(sid);
    if (copy == NULL)
        return -1;
    v[a->n_grants].sid = copy;
    v[a->n_grants].conditional = conditional;
    a->n_grants++;
    return 0;
}

adkcd_status
adkcd_sd_allowed(const struct adkcd_sd *sd, unsigned access,
                 struct adkcd_sd_access *out, struct adkcd_err *err)
{
    size_t i, j;

    memset(out, 0, sizeof(*out));
    /* No DACL (or a NULL DACL) grants every access to everyone
     * (MS-DTYP 2.5.3.2): that is Everyone, not nobody. */
    if (!sd->has_dacl) {
        if (grant_add(out, "S-1-1-0", 0) != 0)
            goto nomem;
        return ADKCD_OK;
    }
    if (sd->n > 0) {
        out->unknown = calloc(sd->n, sizeof(*out->unknown));
        if (out->unknown == NULL)
            goto nomem;
    }
    for (i = 0; i < sd->n; i++) {
        const struct adkcd_sd_ace *ace = &sd->aces[i];
        enum ace_role role = ace_role(ace, access);
        enum verdict v;
        int seen = 0;

        if (role == ROLE_UNKNOWN) {
            out->unknown[out->n_unknown].index = i;
            out->unknown[out->n_unknown].type = ace->type;
            out->n_unknown++;
            continue;
        }
        /* Only a SID that some ACE may grant access can be allowed; each
         * is judged once, at its first such ACE. */
        if (role != ROLE_ALLOW && role != ROLE_COND_ALLOW)
            continue;
        for (j = 0; j < i && !seen; j++) {
            enum ace_role r = ace_role(&sd->aces[j], access);

            seen = (r == ROLE_ALLOW || r == ROLE_COND_ALLOW) &&
                   strcmp(sd->aces[j].sid, ace->sid) == 0;
        }
        if (seen)
            continue;
        v = check_sid(sd, ace->sid, access);
        if (v != DENIED && grant_add(out, ace->sid, v == CONDITIONAL) != 0)
            goto nomem;
    }
    if (out->n_unknown == 0) {
        free(out->unknown);
        out->unknown = NULL;
    }
    return ADKCD_OK;

nomem:
    adkcd_sd_access_clear(out);
    return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
}

adkcd_status
adkcd_sd_allowed_sids(const struct adkcd_sd *sd, char ***sids_out,
                      struct adkcd_err *err)
{
    struct adkcd_sd_access acc;
    char **sids;
    adkcd_status st;
    size_t i;

    *sids_out = NULL;
    st = adkcd_sd_allowed(sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc, err);
    if (st != ADKCD_OK)
        return st;
    sids = calloc(acc.n_grants + 1, sizeof(*sids));
    if (sids == NULL) {
        adkcd_sd_access_clear(&acc);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    /* The strv takes the strings. */
    for (i = 0; i < acc.n_grants; i++) {
        sids[i] = acc.grants[i].sid;
        acc.grants[i].sid = NULL;
    }
    adkcd_sd_access_clear(&acc);
    *sids_out = sids;
    return ADKCD_OK;
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

int
adkcd_sid_is_broad(const char *sid)
{
    static const char *const broad[] = {
        "Everyone",      "Anonymous Logon",  "Authenticated Users",
        "Users",         "Guests",           "Domain Users",
        "Domain Guests", "Domain Computers",
    };
    const char *name = adkcd_sid_well_known(sid);
    size_t i;

    for (i = 0; name != NULL && i < sizeof(broad) / sizeof(broad[0]); i++)
        if (strcmp(name, broad[i]) == 0)
            return 1;
    return 0;
}
