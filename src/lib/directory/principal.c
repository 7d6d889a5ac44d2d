/* adkcd: the principals a resource-based delegation names. */
#include <stdlib.h>
#include <string.h>

#include "adkcd/account.h"
#include "adkcd/principal.h"
#include "adkcd/sd.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

void
adkcd_principal_free(struct adkcd_principal *p)
{
    if (p == NULL)
        return;
    free(p->input);
    free(p->sid);
    free(p->dn);
    free(p->sam);
    free(p);
}

const char *
adkcd_principal_kind_str(enum adkcd_principal_kind kind)
{
    switch (kind) {
    case ADKCD_PRINCIPAL_USER:
        return "user";
    case ADKCD_PRINCIPAL_COMPUTER:
        return "computer";
    case ADKCD_PRINCIPAL_GROUP:
        return "group";
    case ADKCD_PRINCIPAL_UNKNOWN:
        break;
    }
    return "unknown SID";
}

/* A bare SID ("S-1-...") is looked up as <SID=...>. */
static int
is_bare_sid(const char *name)
{
    return (name[0] == 'S' || name[0] == 's') && name[1] == '-' &&
           name[2] == '1' && name[3] == '-';
}

static char *
dup_or_null(const char *s, int *bad)
{
    char *c = s != NULL ? strdup(s) : NULL;

    *bad |= s != NULL && c == NULL;
    return c;
}

static adkcd_status
from_account(const char *input, const struct adkcd_account *a,
             struct adkcd_principal **out, struct adkcd_err *err)
{
    struct adkcd_principal *p = calloc(1, sizeof(*p));
    int bad = p == NULL;

    if (p != NULL) {
        p->input = dup_or_null(input, &bad);
        p->sid = dup_or_null(a->sid, &bad);
        p->dn = dup_or_null(a->dn, &bad);
        p->sam = dup_or_null(a->sam, &bad);
        p->kind =
            a->is_computer ? ADKCD_PRINCIPAL_COMPUTER : ADKCD_PRINCIPAL_USER;
        p->uac = a->uac;
        p->has_uac = a->has_uac;
    }
    if (bad) {
        adkcd_principal_free(p);
        return NOMEM(err);
    }
    if (p->sid == NULL) {
        adkcd_principal_free(p);
        return adkcd_err_set(err, ADKCD_E_NOTFOUND, "%s (%s) has no objectSid",
                             input, a->dn);
    }
    *out = p;
    return ADKCD_OK;
}

/* The group named name: a DN or <GUID=>/<SID=> read, else a search of
 * its sAMAccountName (after DOMAIN\).  *out NULL when there is none. */
static adkcd_status
find_group(LDAP *ld, const char *base, const char *name,
           struct adkcd_principal **out, struct adkcd_err *err)
{
    char *attrs[] = {"sAMAccountName", "objectSid", NULL};
    LDAPMessage *res = NULL, *e = NULL;
    struct adkcd_vals sid = {0, NULL};
    struct adkcd_principal *p;
    const char *bs = strchr(name, '\\');
    adkcd_status st;
    char *dn;

    *out = NULL;
    if (name[0] == '<' || strchr(name, '=') != NULL) {
        st = adkcd_ldapx_read(ld, name, "(objectClass=group)", attrs, &res, &e,
                              err);
    } else {
        char *esc = adkcd_ldapx_filter_escape(bs != NULL ? bs + 1 : name);
        char *filter;
        int rc, count;

        if (esc == NULL)
            return NOMEM(err);
        filter = malloc(strlen(esc) + 64);
        if (filter == NULL) {
            free(esc);
            return NOMEM(err);
        }
        strcpy(filter, "(&(objectClass=group)(sAMAccountName=");
        strcat(filter, esc);
        strcat(filter, "))");
        free(esc);
        rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0,
                               NULL, NULL, NULL, 0, &res);
        free(filter);
        if (rc != LDAP_SUCCESS) {
            ldap_msgfree(res);
            return adkcd_ldapx_error(err, ld, rc, "looking up group %s", name);
        }
        count = ldap_count_entries(ld, res);
        e = count == 1 ? ldap_first_entry(ld, res) : NULL;
        st = ADKCD_OK;
    }
    if (st != ADKCD_OK || e == NULL) {
        ldap_msgfree(res);
        return st;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        ldap_msgfree(res);
        return NOMEM(err);
    }
    p->kind = ADKCD_PRINCIPAL_GROUP;
    p->input = strdup(name);
    dn = ldap_get_dn(ld, e);
    p->dn = dn != NULL ? strdup(dn) : NULL;
    ldap_memfree(dn);
    p->sam = adkcd_ldapx_value(ld, e, "sAMAccountName");
    st = adkcd_ldapx_vals(ld, e, "objectSid", &sid, NULL, err);
    if (st == ADKCD_OK && sid.n == 1)
        st = adkcd_sid_to_string((const unsigned char *)sid.v[0].data,
                                 sid.v[0].len, NULL, &p->sid, err);
    adkcd_vals_clear(&sid);
    ldap_msgfree(res);
    if (st == ADKCD_OK &&
        (p->input == NULL || p->dn == NULL || p->sam == NULL || p->sid == NULL))
        st = NOMEM(err);
    if (st != ADKCD_OK) {
        adkcd_principal_free(p);
        return st;
    }
    *out = p;
    return ADKCD_OK;
}

/* A SID no object has, as a principal of kind UNKNOWN. */
static adkcd_status
bare_sid(const char *name, struct adkcd_principal **out, struct adkcd_err *err)
{
    struct adkcd_principal *p;
    struct adkcd_val bin;
    adkcd_status st;

    st = adkcd_sid_from_string(name, &bin, err);
    if (st != ADKCD_OK)
        return st;
    p = calloc(1, sizeof(*p));
    if (p != NULL)
        st = adkcd_sid_to_string((const unsigned char *)bin.data, bin.len, NULL,
                                 &p->sid, err);
    free(bin.data);
    if (p == NULL || (st == ADKCD_OK && (p->input = strdup(name)) == NULL))
        st = NOMEM(err);
    if (st != ADKCD_OK) {
        adkcd_principal_free(p);
        return st;
    }
    *out = p;
    return ADKCD_OK;
}

adkcd_status
adkcd_principal_resolve_many(struct adkcd_conn *conn, const char *const *names,
                             size_t n, struct adkcd_principal **out,
                             struct adkcd_err *errs, struct adkcd_err *err)
{
    struct adkcd_account **accts = NULL;
    char **lookup = NULL;
    LDAP *ld = adkcd_conn_ldap(conn);
    adkcd_status st = ADKCD_OK;
    size_t i;

    for (i = 0; i < n; i++) {
        out[i] = NULL;
        adkcd_err_clear(&errs[i]);
    }
    if (n == 0)
        return ADKCD_OK;
    accts = calloc(n, sizeof(*accts));
    lookup = calloc(n + 1, sizeof(*lookup));
    if (accts == NULL || lookup == NULL) {
        st = NOMEM(err);
        goto done;
    }
    /* A bare SID is looked up as <SID=...> (checked first: a malformed
     * one is the user's mistake, not a name to search). */
    for (i = 0; i < n && st == ADKCD_OK; i++) {
        if (is_bare_sid(names[i])) {
            struct adkcd_val bin;

            if (adkcd_sid_from_string(names[i], &bin, &errs[i]) != ADKCD_OK)
                continue;
            free(bin.data);
            lookup[i] = malloc(strlen(names[i]) + 7);
            if (lookup[i] == NULL)
                st = NOMEM(err);
            else {
                strcpy(lookup[i], "<SID=");
                strcat(lookup[i], names[i]);
                strcat(lookup[i], ">");
            }
        } else if ((lookup[i] = strdup(names[i])) == NULL) {
            st = NOMEM(err);
        }
    }
    if (st == ADKCD_OK) {
        /* Names refused above are looked up as "" and their own error
         * kept. */
        struct adkcd_err *aerrs = calloc(n, sizeof(*aerrs));
        const char **q = calloc(n, sizeof(*q));

        if (aerrs == NULL || q == NULL)
            st = NOMEM(err);
        for (i = 0; st == ADKCD_OK && i < n; i++)
            q[i] = lookup[i] != NULL ? lookup[i] : "-";
        if (st == ADKCD_OK)
            st =
                adkcd_account_resolve_many(conn, q, NULL, n, accts, aerrs, err);
        for (i = 0; st == ADKCD_OK && i < n; i++) {
            if (lookup[i] == NULL)
                continue; /* errs[i] says why */
            if (accts[i] != NULL) {
                st = from_account(names[i], accts[i], &out[i], &errs[i]);
                if (st == ADKCD_E_NOMEM)
                    adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
                else
                    st = ADKCD_OK;
                continue;
            }
            if (aerrs[i].status != ADKCD_E_NOTFOUND) {
                errs[i] = aerrs[i];
                continue;
            }
            /* No account: a group, or (a bare SID) nothing. */
            st = find_group(ld, adkcd_conn_default_nc(conn), lookup[i], &out[i],
                            err);
            if (st == ADKCD_OK && out[i] == NULL && is_bare_sid(names[i]))
                st = bare_sid(names[i], &out[i], err);
            if (st == ADKCD_OK && out[i] == NULL)
                adkcd_err_set(&errs[i], ADKCD_E_NOTFOUND,
                              "%s; no group has that name either",
                              aerrs[i].msg);
            if (st == ADKCD_OK && out[i] != NULL &&
                (free(out[i]->input), out[i]->input = strdup(names[i])) == NULL)
                st = NOMEM(err);
        }
        free(aerrs);
        free(q);
    }

done:
    for (i = 0; accts != NULL && i < n; i++)
        adkcd_account_free(accts[i]);
    free(accts);
    for (i = 0; lookup != NULL && i < n; i++)
        free(lookup[i]);
    free(lookup);
    if (st != ADKCD_OK) {
        for (i = 0; i < n; i++) {
            adkcd_principal_free(out[i]);
            out[i] = NULL;
        }
    }
    return st;
}
