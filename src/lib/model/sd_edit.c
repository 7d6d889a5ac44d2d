/*
 * adkcd: editing the security descriptor of resource-based constrained
 * delegation (msDS-AllowedToActOnBehalfOfOtherIdentity) value by value.
 *
 * The descriptor is parsed (sd.c), the ACEs to drop are marked, the ACEs
 * to add are encoded, and a new self-relative descriptor is written from
 * the bytes of the old one: the owner, the group, the SACL and every ACE
 * kept are copied as they were, in the order they had, so that an edit
 * changes nothing it was not asked to.  The result is parsed again and the
 * access check run on it: what was to be allowed is, what was to be
 * removed is not, or the edit is refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/sd.h"
#include "adkcd/strv.h"
#include "buf.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

#define SE_DACL_PRESENT 0x0004u
#define SE_SELF_RELATIVE 0x8000u
#define INHERITED_ACE 0x10u
#define INHERIT_ONLY_ACE 0x08u
#define SD_HEADER_LEN 20u
#define ACL_HEADER_LEN 8u
#define ACL_MAX 0xFFFFu
#define SID_MAX_SUBAUTH 15u

static void
wr16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)(v >> 8 & 0xFF);
}

static void
wr32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)(v >> 8 & 0xFF);
    p[2] = (unsigned char)(v >> 16 & 0xFF);
    p[3] = (unsigned char)(v >> 24 & 0xFF);
}

/* A decimal number of at most max at *pp, which is moved past it. */
static int
number(const char **pp, uint64_t max, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *pp = p;
    *out = v;
    return 0;
}

/* "0x" and exactly 12 hexadecimal digits at *pp (an IdentifierAuthority,
 * MS-DTYP 2.4.2.1), which is moved past them. */
static int
hex_authority(const char **pp, uint64_t *out)
{
    const char *p = *pp + 2;
    uint64_t v = 0;
    int i, d;

    for (i = 0; i < 12; i++, p++) {
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *pp = p;
    *out = v;
    return 0;
}

adkcd_status
adkcd_sid_from_string(const char *text, struct adkcd_val *out,
                      struct adkcd_err *err)
{
    unsigned char bin[8 + 4 * SID_MAX_SUBAUTH];
    const char *p = text;
    uint64_t auth, sub;
    unsigned n = 0, i;

    out->data = NULL;
    out->len = 0;
    if (text == NULL || (p[0] != 'S' && p[0] != 's') || p[1] != '-' ||
        p[2] != '1' || p[3] != '-')
        goto bad;
    p += 4;
    /* The authority in decimal (below 2^48), or as MS-DTYP 2.4.2.1 writes
     * one of 2^32 and more: "0x" and 12 hexadecimal digits.  That is how
     * adkcd_sid_to_string() shows such a SID, so that every SID read from
     * an objectSid or a descriptor converts back (the edit's lists do). */
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        if (hex_authority(&p, &auth) != 0)
            goto bad;
    } else if (number(&p, ((uint64_t)1 << 48) - 1, &auth) != 0) {
        goto bad;
    }
    while (*p == '-') {
        p++;
        if (n == SID_MAX_SUBAUTH || number(&p, UINT32_MAX, &sub) != 0)
            goto bad;
        wr32(bin + 8 + 4 * n, (uint32_t)sub);
        n++;
    }
    if (*p != '\0')
        goto bad;
    bin[0] = 1;
    bin[1] = (unsigned char)n;
    for (i = 0; i < 6; i++)
        bin[2 + i] = (unsigned char)(auth >> (8 * (5 - i)) & 0xFF);
    out->len = 8 + 4 * (size_t)n;
    out->data = malloc(out->len + 1);
    if (out->data == NULL) {
        out->len = 0;
        return NOMEM(err);
    }
    memcpy(out->data, bin, out->len);
    out->data[out->len] = '\0';
    return ADKCD_OK;

bad:
    return adkcd_err_set(err, ADKCD_E_USAGE,
                         "\"%s\" is not a SID (S-1-AUTHORITY-SUB-..., at "
                         "most %u sub-authorities)",
                         text != NULL ? text : "", SID_MAX_SUBAUTH);
}

void
adkcd_sd_edit_result_clear(struct adkcd_sd_edit_result *r)
{
    if (r == NULL)
        return;
    free(r->value.data);
    adkcd_strv_free(r->added);
    adkcd_strv_free(r->removed);
    memset(r, 0, sizeof(*r));
}

static int
has(char *const *v, const char *s)
{
    size_t i;

    for (i = 0; v != NULL && v[i] != NULL; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

/* Does the ACE allow its SID the control-access right (any allow type)? */
static int
allowing(const struct adkcd_sd_ace *ace)
{
    if (ace->sid == NULL || !(ace->mask & ADKCD_RIGHT_DS_CONTROL_ACCESS) ||
        (ace->flags & INHERIT_ONLY_ACE))
        return 0;
    switch (ace->type) {
    case ADKCD_ACE_ACCESS_ALLOWED:
    case ADKCD_ACE_ACCESS_ALLOWED_OBJECT:
    case ADKCD_ACE_ACCESS_ALLOWED_CALLBACK:
    case ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT:
        return 1;
    default:
        return 0;
    }
}

/*
 * Is sid allowed for certain, as the KDC checks it?  The access check of
 * adkcd_sd_check_sid() counts an object ACE with an ObjectType (a right on
 * one property) as allowing, so that an audit lists rather than misses a
 * principal; a KDC's check names no object type and ignores it.  An edit
 * that relied on one would add nothing while the KDC refuses: a SID counts
 * as allowed here only with an allow ACE that holds no ObjectType.
 */
static int
surely_allowed(const struct adkcd_sd *sd, const char *sid)
{
    size_t i;

    if (adkcd_sd_check_sid(sd, sid, ADKCD_RIGHT_DS_CONTROL_ACCESS) !=
        ADKCD_SD_ALLOWED)
        return 0;
    if (!sd->has_dacl)
        return 1;
    for (i = 0; i < sd->n; i++) {
        const struct adkcd_sd_ace *a = &sd->aces[i];

        if (allowing(a) && !a->object_type &&
            (a->type == ADKCD_ACE_ACCESS_ALLOWED ||
             a->type == ADKCD_ACE_ACCESS_ALLOWED_OBJECT) &&
            strcmp(a->sid, sid) == 0)
            return 1;
    }
    return 0;
}

/* A SID as its canonical text (what the parser writes), *out new. */
static adkcd_status
canonical_sid(const char *text, char **out, struct adkcd_err *err)
{
    struct adkcd_val bin;
    adkcd_status st;

    *out = NULL;
    st = adkcd_sid_from_string(text, &bin, err);
    if (st != ADKCD_OK)
        return st;
    st = adkcd_sid_to_string((const unsigned char *)bin.data, bin.len, NULL,
                             out, err);
    free(bin.data);
    return st;
}

/* The SIDs to add and to remove, checked and without repeats. */
struct todo {
    char **add, **remove;
};

static void
todo_clear(struct todo *t)
{
    adkcd_strv_free(t->add);
    adkcd_strv_free(t->remove);
}

static adkcd_status
todo_make(const struct adkcd_sd *sd, const struct adkcd_sd_edit *e,
          struct todo *t, struct adkcd_err *err)
{
    struct adkcd_val bin;
    adkcd_status st;
    size_t i;

    memset(t, 0, sizeof(*t));
    /* Compared as the parser writes SIDs: "s-1-5-021" is S-1-5-21. */
    for (i = 0; e->remove != NULL && e->remove[i] != NULL; i++) {
        char *sid;

        st = canonical_sid(e->remove[i], &sid, err);
        if (st != ADKCD_OK)
            return st;
        if (!has(t->remove, sid) && adkcd_strv_add(&t->remove, sid)) {
            free(sid);
            return NOMEM(err);
        }
        free(sid);
    }
    for (i = 0; e->add != NULL && e->add[i] != NULL; i++) {
        char *sid;

        st = canonical_sid(e->add[i], &sid, err);
        if (st != ADKCD_OK)
            return st;
        if (has(t->remove, sid)) {
            st = adkcd_err_set(err, ADKCD_E_USAGE,
                               "%s is both to allow and to remove", sid);
            free(sid);
            return st;
        }
        if (!has(t->add, sid) && adkcd_strv_add(&t->add, sid)) {
            free(sid);
            return NOMEM(err);
        }
        free(sid);
    }
    (void)bin;
    if (!e->exact || sd == NULL || !sd->has_dacl)
        return ADKCD_OK;
    /* exact: every SID not in the list loses its allowing ACEs, also one
     * that a deny cancels now (else removing the deny later would let it
     * delegate: the list would not be exact). */
    for (i = 0; i < sd->n; i++) {
        const char *sid = sd->aces[i].sid;

        if (allowing(&sd->aces[i]) && !has(t->add, sid) &&
            !has(t->remove, sid) && adkcd_strv_add(&t->remove, sid))
            return NOMEM(err);
    }
    return ADKCD_OK;
}

/* An ACCESS_ALLOWED ACE for sid with mask ADKCD_RBCD_MASK, appended to b. */
static adkcd_status
put_ace(struct buf *b, const char *sid, struct adkcd_err *err)
{
    unsigned char head[8];
    struct adkcd_val bin;
    adkcd_status st;

    st = adkcd_sid_from_string(sid, &bin, err);
    if (st != ADKCD_OK)
        return st;
    head[0] = ADKCD_ACE_ACCESS_ALLOWED;
    head[1] = 0;
    wr16(head + 2, (unsigned)(8 + bin.len));
    wr32(head + 4, ADKCD_RBCD_MASK);
    buf_put(b, head, sizeof(head));
    buf_put(b, bin.data, bin.len);
    free(bin.data);
    return b->failed ? NOMEM(err) : ADKCD_OK;
}

/* The new DACL: the kept ACEs as they were, the new ones after the last
 * explicit ACE. */
static adkcd_status
build_dacl(const unsigned char *old, const struct adkcd_sd *sd,
           const unsigned char *drop, char *const *adds, struct buf *acl,
           size_t *count_out, struct adkcd_err *err)
{
    unsigned char head[ACL_HEADER_LEN] = {0};
    size_t i, at = 0, count = 0;
    adkcd_status st = ADKCD_OK;
    int placed = 0;

    /* After the last explicit ACE (inherited ones come last in a
     * canonical DACL). */
    for (i = 0; sd != NULL && i < sd->n; i++)
        if (!(sd->aces[i].flags & INHERITED_ACE))
            at = i + 1;
    buf_put(acl, head, sizeof(head)); /* filled below */
    for (i = 0; sd != NULL && i <= sd->n && st == ADKCD_OK; i++) {
        size_t k;

        if (i == at) {
            for (k = 0; adds != NULL && adds[k] != NULL && st == ADKCD_OK;
                 k++, count++)
                st = put_ace(acl, adds[k], err);
            placed = 1;
        }
        if (i < sd->n && !drop[i]) {
            buf_put(acl, old + sd->aces[i].off, sd->aces[i].size);
            count++;
        }
    }
    for (i = 0; !placed && adds != NULL && adds[i] != NULL && st == ADKCD_OK;
         i++, count++)
        st = put_ace(acl, adds[i], err);
    if (st != ADKCD_OK)
        return st;
    if (acl->failed)
        return NOMEM(err);
    if (acl->len > ACL_MAX)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "the DACL would be %zu bytes, more than an ACL "
                             "can hold (%u)",
                             acl->len, ACL_MAX);
    /* AclRevision as it was; ACL_REVISION_DS (4) when new, as Windows and
     * Samba write it. */
    ((unsigned char *)acl->s)[0] =
        (unsigned char)(sd != NULL && sd->has_dacl ? sd->dacl_rev : 4);
    wr16((unsigned char *)acl->s + 2, (unsigned)acl->len);
    wr16((unsigned char *)acl->s + 4, (unsigned)count);
    *count_out = count;
    return ADKCD_OK;
}

/* One part of the descriptor: where it was (for the order) and its
 * bytes. */
struct part {
    size_t old_off; /* 0: new, goes after the old ones */
    const unsigned char *data;
    size_t len;
    size_t header_slot; /* 4 owner, 8 group, 12 SACL, 16 DACL */
};

static int
part_cmp(const void *a, const void *b)
{
    const struct part *x = a, *y = b;
    size_t xo = x->old_off ? x->old_off : SIZE_MAX;
    size_t yo = y->old_off ? y->old_off : SIZE_MAX;

    if (xo != yo)
        return xo < yo ? -1 : 1;
    return x->header_slot < y->header_slot ? -1 : 1;
}

/* The whole descriptor from the old one's parts and the new DACL. */
static adkcd_status
build_sd(const unsigned char *old, const struct adkcd_sd *sd,
         const struct buf *dacl, struct adkcd_val *out, struct adkcd_err *err)
{
    struct adkcd_val owner = {0, NULL};
    struct part parts[4];
    size_t n = 0, i, total = SD_HEADER_LEN, o;
    unsigned control;
    unsigned char *p;
    adkcd_status st;

    if (sd != NULL) {
        if (sd->owner_len > 0)
            parts[n++] = (struct part){sd->owner_off, old + sd->owner_off,
                                       sd->owner_len, 4};
        if (sd->group_len > 0)
            parts[n++] = (struct part){sd->group_off, old + sd->group_off,
                                       sd->group_len, 8};
        if (sd->sacl_len > 0)
            parts[n++] = (struct part){sd->sacl_off, old + sd->sacl_off,
                                       sd->sacl_len, 12};
        control = sd->control | SE_DACL_PRESENT;
    } else {
        /* A new descriptor: owner BUILTIN\Administrators, as Windows'
         * tools write it. */
        st = adkcd_sid_from_string(ADKCD_SID_BUILTIN_ADMINS, &owner, err);
        if (st != ADKCD_OK)
            return st;
        parts[n++] =
            (struct part){0, (unsigned char *)owner.data, owner.len, 4};
        control = SE_SELF_RELATIVE | SE_DACL_PRESENT;
    }
    /* The DACL where it was (a new one last). */
    parts[n++] = (struct part){sd != NULL && sd->has_dacl ? sd->dacl_off : 0,
                               (const unsigned char *)dacl->s, dacl->len, 16};
    qsort(parts, n, sizeof(parts[0]), part_cmp);
    for (i = 0; i < n; i++)
        total += parts[i].len;
    p = calloc(1, total + 1);
    if (p == NULL) {
        free(owner.data);
        return NOMEM(err);
    }
    p[0] = 1;
    p[1] = (unsigned char)(sd != NULL ? sd->sbz1 : 0);
    wr16(p + 2, control);
    for (i = 0, o = SD_HEADER_LEN; i < n; o += parts[i].len, i++) {
        memcpy(p + o, parts[i].data, parts[i].len);
        wr32(p + parts[i].header_slot, (uint32_t)o);
    }
    free(owner.data);
    out->data = (char *)p;
    out->len = total;
    return ADKCD_OK;
}

/* The edited descriptor must do what was asked. */
static adkcd_status
check_result(const struct adkcd_val *v, const struct todo *t,
             struct adkcd_err *err)
{
    struct adkcd_sd sd;
    adkcd_status st;
    size_t i, k;

    st = adkcd_sd_parse((const unsigned char *)v->data, v->len, &sd, err);
    if (st != ADKCD_OK) {
        adkcd_err_prefix(err, "internal error: the edited descriptor");
        return ADKCD_E_INVALID;
    }
    for (i = 0; t->add != NULL && t->add[i] != NULL; i++) {
        enum adkcd_sd_verdict v2 =
            adkcd_sd_check_sid(&sd, t->add[i], ADKCD_RIGHT_DS_CONTROL_ACCESS);

        if (v2 == ADKCD_SD_ALLOWED)
            continue;
        /* A deny (or a conditional one) naming it comes first. */
        for (k = 0; k < sd.n; k++) {
            enum adkcd_sd_role r = adkcd_sd_ace_role(&sd.aces[k]);

            if (sd.aces[k].sid != NULL &&
                strcmp(sd.aces[k].sid, t->add[i]) == 0 &&
                (r == ADKCD_SD_ROLE_DENY || r == ADKCD_SD_ROLE_COND_DENY))
                break;
        }
        if (k == sd.n) {
            st = adkcd_err_set(err, ADKCD_E_USAGE,
                               "%s cannot be allowed: the descriptor would "
                               "still not allow it",
                               t->add[i]);
            break;
        }
        st = adkcd_err_set(err, ADKCD_E_USAGE,
                           "%s cannot be allowed: ACE %zu of the descriptor "
                           "(type 0x%02x) %s it first, and an allow added "
                           "after it would not %s",
                           t->add[i], k + 1, sd.aces[k].type,
                           v2 == ADKCD_SD_CONDITIONAL ? "may deny" : "denies",
                           v2 == ADKCD_SD_CONDITIONAL ? "always apply"
                                                      : "apply");
        break;
    }
    adkcd_sd_clear(&sd);
    return st;
}

adkcd_status
adkcd_sd_edit(const struct adkcd_val *cur, const struct adkcd_sd_edit *e,
              struct adkcd_sd_edit_result *out, struct adkcd_err *err)
{
    const unsigned char *old =
        cur != NULL ? (const unsigned char *)cur->data : NULL;
    struct adkcd_sd sd, *psd = NULL;
    struct todo t;
    char **adds = NULL;
    unsigned char *drop = NULL;
    struct buf acl = {NULL, 0, 0, 0};
    size_t i, count = 0;
    adkcd_status st;

    memset(out, 0, sizeof(*out));
    memset(&sd, 0, sizeof(sd));
    if (cur != NULL) {
        st = adkcd_sd_parse(old, cur->len, &sd, err);
        if (st != ADKCD_OK)
            return st;
        psd = &sd;
    }
    st = todo_make(psd, e, &t, err);
    if (st == ADKCD_OK && psd != NULL && !sd.has_dacl && !e->exact &&
        (t.add != NULL || t.remove != NULL))
        st = adkcd_err_set(err, ADKCD_E_USAGE,
                           "the descriptor has no DACL, which lets every "
                           "account delegate (Everyone): only an exact list "
                           "replaces it");
    if (st == ADKCD_OK && sd.n > 0 && (drop = calloc(sd.n, 1)) == NULL)
        st = NOMEM(err);
    /* What to take out: the allowing ACEs of the SIDs to remove. */
    for (i = 0; st == ADKCD_OK && i < sd.n; i++) {
        if (allowing(&sd.aces[i]) && has(t.remove, sd.aces[i].sid)) {
            drop[i] = 1;
            out->aces_removed++;
            if (!has(out->removed, sd.aces[i].sid) &&
                adkcd_strv_add(&out->removed, sd.aces[i].sid))
                st = NOMEM(err);
        }
    }
    /* What to put in: the SIDs to add that are not allowed already. */
    for (i = 0; st == ADKCD_OK && t.add != NULL && t.add[i] != NULL; i++) {
        if (psd != NULL && sd.has_dacl && surely_allowed(psd, t.add[i]))
            continue;
        if (adkcd_strv_add(&adds, t.add[i]) ||
            adkcd_strv_add(&out->added, t.add[i]))
            st = NOMEM(err);
    }
    if (st != ADKCD_OK)
        goto done;
    /* exact on a descriptor without a DACL (everyone allowed) always
     * writes one. */
    if (adds == NULL && out->aces_removed == 0 &&
        !(psd != NULL && !sd.has_dacl && e->exact)) {
        /* Nothing to do: the value stays. */
        out->present = cur != NULL;
        if (cur != NULL) {
            out->value.data = malloc(cur->len + 1);
            if (out->value.data == NULL) {
                st = NOMEM(err);
                goto done;
            }
            memcpy(out->value.data, cur->data, cur->len);
            out->value.data[cur->len] = '\0';
            out->value.len = cur->len;
        }
        goto done;
    }
    out->changed = 1;
    /* A descriptor without a DACL allowed everyone: Everyone goes. */
    if (psd != NULL && !sd.has_dacl && !has(t.add, "S-1-1-0") &&
        adkcd_strv_add(&out->removed, "S-1-1-0")) {
        st = NOMEM(err);
        goto done;
    }
    st = build_dacl(old, psd, drop, adds, &acl, &count, err);
    if (st != ADKCD_OK)
        goto done;
    if (count == 0) {
        /* Nobody left: the attribute goes, as before the first add. */
        out->present = 0;
        goto done;
    }
    st = build_sd(old, psd, &acl, &out->value, err);
    if (st == ADKCD_OK) {
        out->present = 1;
        st = check_result(&out->value, &t, err);
    }

done:
    if (st != ADKCD_OK)
        adkcd_sd_edit_result_clear(out);
    free(drop);
    buf_free(&acl);
    adkcd_strv_free(adds);
    todo_clear(&t);
    adkcd_sd_clear(&sd);
    return st;
}
