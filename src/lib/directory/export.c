/* adkcd: the directory's SPNs and delegation as a state file (export.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/deleg.h"
#include "adkcd/export.h"
#include "adkcd/principal.h"
#include "adkcd/sd.h"
#include "adkcd/strv.h"
#include "buf.h"
#include "ldapx.h"
#include "lookup.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")
/* LDAP_MATCHING_RULE_BIT_AND (MS-ADTS 3.1.1.3.4.4.1). */
#define BIT_AND "1.2.840.113556.1.4.803"

struct exporter {
    struct adkcd_statefile *sf;
    struct adkcd_export_gaps *gaps;
    /* Accounts whose rbcd principals are named after the search: the
     * index of the entry and its SIDs. */
    struct pending {
        size_t acct;
        char **sids;
    } * pend;
    size_t n_pend;
};

static adkcd_status
gap(struct exporter *x, enum adkcd_export_gap g, const char *dn,
    struct adkcd_err *err)
{
    struct adkcd_export_gap_item *v =
        realloc(x->gaps->v, (x->gaps->n + 1) * sizeof(*v));

    if (v == NULL)
        return NOMEM(err);
    x->gaps->v = v;
    v[x->gaps->n].gap = g;
    v[x->gaps->n].dn = strdup(dn);
    if (v[x->gaps->n++].dn == NULL)
        return NOMEM(err);
    return ADKCD_OK;
}

/* The SIDs a descriptor allows, when a list of principals says it
 * exactly (plain allows, and ACEs that allow nothing); else NULL. */
static char **
simple_sids(const struct adkcd_val *v)
{
    struct adkcd_sd sd;
    char **sids = NULL;
    size_t i;
    int simple;

    if (adkcd_sd_parse((const unsigned char *)v->data, v->len, &sd, NULL) !=
        ADKCD_OK)
        return NULL;
    simple = sd.has_dacl;
    for (i = 0; simple && i < sd.n; i++) {
        enum adkcd_sd_role r = adkcd_sd_ace_role(&sd.aces[i]);

        simple = r == ADKCD_SD_ROLE_NONE ||
                 (r == ADKCD_SD_ROLE_ALLOW && !sd.aces[i].object_type);
    }
    if (simple && adkcd_sd_allowed_sids(&sd, &sids, NULL) != ADKCD_OK)
        sids = NULL;
    adkcd_sd_clear(&sd);
    return simple ? sids : NULL;
}

/* Remember account acct's rbcd (v, a descriptor) for naming later. */
static adkcd_status
add_rbcd(struct exporter *x, size_t acct, const char *dn,
         const struct adkcd_val *v, struct adkcd_err *err)
{
    struct pending *p;
    char **sids = simple_sids(v);

    if (sids == NULL)
        return gap(x, ADKCD_GAP_RBCD_COMPLEX, dn, err);
    p = realloc(x->pend, (x->n_pend + 1) * sizeof(*p));
    if (p == NULL) {
        adkcd_strv_free(sids);
        return NOMEM(err);
    }
    x->pend = p;
    p[x->n_pend].acct = acct;
    p[x->n_pend].sids = sids;
    x->n_pend++;
    return ADKCD_OK;
}

/* Name every pending SID: its object's sAMAccountName when that name
 * finds the same object again (a user "web" would lose to a computer
 * "web$"), else the SID itself; two batched resolutions in all. */
static adkcd_status
name_pending(struct adkcd_conn *conn, struct exporter *x, struct adkcd_err *err)
{
    char **all = NULL, **names = NULL;
    struct adkcd_principal **p = NULL, **q = NULL;
    struct adkcd_err *errs = NULL;
    adkcd_status st = ADKCD_OK;
    size_t i, k, n;

    for (i = 0; i < x->n_pend && st == ADKCD_OK; i++)
        for (k = 0; x->pend[i].sids[k] != NULL && st == ADKCD_OK; k++)
            if (adkcd_strv_find_nocase(all, x->pend[i].sids[k]) < 0 &&
                adkcd_strv_add(&all, x->pend[i].sids[k]) != 0)
                st = NOMEM(err);
    n = all != NULL ? adkcd_strv_len(all) : 0;
    /* names is parallel to all, and there even when no SID is pending. */
    if (st == ADKCD_OK) {
        names = calloc(n + 1, sizeof(*names));
        if (names == NULL)
            st = NOMEM(err);
    }
    if (st == ADKCD_OK && n > 0) {
        p = calloc(n, sizeof(*p));
        q = calloc(n, sizeof(*q));
        errs = calloc(n, sizeof(*errs));
        if (p == NULL || q == NULL || errs == NULL)
            st = NOMEM(err);
    }
    if (st == ADKCD_OK && n > 0)
        st = adkcd_principal_resolve_many(conn, (const char *const *)all, n, p,
                                          errs, err);
    for (i = 0; st == ADKCD_OK && i < n; i++) {
        const char *nm = p[i] != NULL && p[i]->kind != ADKCD_PRINCIPAL_UNKNOWN
                             ? p[i]->sam
                             : all[i];

        if ((names[i] = strdup(nm)) == NULL)
            st = NOMEM(err);
    }
    if (st == ADKCD_OK && n > 0)
        st = adkcd_principal_resolve_many(conn, (const char *const *)names, n,
                                          q, errs, err);
    for (i = 0; st == ADKCD_OK && i < n; i++) {
        if (q[i] == NULL || strcmp(q[i]->sid, all[i]) != 0) {
            free(names[i]);
            if ((names[i] = strdup(all[i])) == NULL)
                st = NOMEM(err);
        }
    }
    for (i = 0; st == ADKCD_OK && i < x->n_pend; i++) {
        struct adkcd_sf_account *a = &x->sf->accounts[x->pend[i].acct];
        char **v = NULL;

        for (k = 0; x->pend[i].sids[k] != NULL && st == ADKCD_OK; k++) {
            long at = adkcd_strv_find_nocase(all, x->pend[i].sids[k]);

            if (adkcd_strv_add(&v, names[at]) != 0)
                st = NOMEM(err);
        }
        a->rbcd.given = 1;
        if (st == ADKCD_OK)
            st = adkcd_sf_list_set(&a->rbcd.exact, v, err);
        adkcd_strv_free(v);
    }
    for (i = 0; i < n; i++) {
        if (p != NULL)
            adkcd_principal_free(p[i]);
        if (q != NULL)
            adkcd_principal_free(q[i]);
    }
    free(p);
    free(q);
    free(errs);
    adkcd_strv_free(names);
    adkcd_strv_free(all);
    return st;
}

/* One account's entry, from what the directory holds. */
static adkcd_status
add(struct exporter *x, const char *dn, const char *sam, int is_computer,
    unsigned uac, char *const *spns, char *const *services,
    const struct adkcd_val *rbcd, struct adkcd_err *err)
{
    struct adkcd_deleg d = {uac, (char **)services};
    char *none[] = {NULL};
    struct adkcd_sf_account *a = NULL;
    enum adkcd_deleg_mode mode;
    adkcd_status st;

    if (d.services == NULL)
        d.services = none;
    mode = adkcd_deleg_mode_of(&d);
    st = adkcd_statefile_add_account(
        x->sf, sam, is_computer ? ADKCD_ACCOUNT_ANY : ADKCD_ACCOUNT_USER, &a,
        err);
    if (st != ADKCD_OK)
        return st;
    a->spns.given = 1;
    st = adkcd_sf_list_set(&a->spns.exact, spns, err);
    if (st == ADKCD_OK && rbcd != NULL)
        st = add_rbcd(x, x->sf->n_accounts - 1, dn, rbcd, err);
    if (st != ADKCD_OK)
        return st;
    /* A state the file cannot say exactly (its "mode: unconstrained" or
     * "mode: none" would clear the extra) is left out: applying the file
     * then leaves that delegation as it is. */
    if (mode == ADKCD_DELEG_UNCONSTRAINED &&
        (d.services[0] != NULL || adkcd_deleg_any_protocol(&d)))
        return gap(x, ADKCD_GAP_UNCONSTRAINED_EXTRA, dn, err);
    if (mode == ADKCD_DELEG_NONE && adkcd_deleg_any_protocol(&d))
        return gap(x, ADKCD_GAP_ORPHAN_PT, dn, err);
    a->deleg.given = 1;
    a->deleg.mode_given = 1;
    a->deleg.mode = mode;
    if (mode != ADKCD_DELEG_CONSTRAINED)
        return ADKCD_OK;
    a->deleg.pt =
        adkcd_deleg_any_protocol(&d) ? ADKCD_PT_ANY : ADKCD_PT_KERBEROS;
    a->deleg.services.given = 1;
    return adkcd_sf_list_set(&a->deleg.services.exact, d.services, err);
}

static adkcd_status
one_entry(void *ctx, LDAP *ld, LDAPMessage *e, struct adkcd_err *err)
{
    struct exporter *x = ctx;
    char *dn = ldap_get_dn(ld, e);
    char *sam = adkcd_ldapx_value(ld, e, "sAMAccountName");
    char *uac = adkcd_ldapx_value(ld, e, "userAccountControl");
    char **classes = NULL, **spns = NULL, **services = NULL;
    struct adkcd_vals rbcd = {0, NULL};
    unsigned uac_bits = 0;
    adkcd_status st = ADKCD_OK;

    if (dn == NULL || sam == NULL)
        st = adkcd_err_set(err, ADKCD_E_INVALID,
                           "an account without a DN or sAMAccountName");
    if (st == ADKCD_OK)
        st = adkcd_ldapx_values(ld, e, "objectClass", &classes, NULL, err);
    if (st == ADKCD_OK)
        st =
            adkcd_ldapx_values(ld, e, "servicePrincipalName", &spns, NULL, err);
    if (st == ADKCD_OK)
        st = adkcd_ldapx_values(ld, e, ADKCD_DELEG_ATTR, &services, NULL, err);
    if (st == ADKCD_OK)
        st = adkcd_ldapx_vals(ld, e, ADKCD_RBCD_ATTR, &rbcd, NULL, err);
    if (st == ADKCD_OK)
        st = add(x, dn, sam, adkcd_strv_find_nocase(classes, "computer") >= 0,
                 adkcd_uac_parse(uac, &uac_bits) == 0 ? uac_bits : 0, spns,
                 services, rbcd.n > 0 ? &rbcd.v[0] : NULL, err);
    adkcd_vals_clear(&rbcd);
    ldap_memfree(dn);
    free(sam);
    free(uac);
    adkcd_strv_free(classes);
    adkcd_strv_free(spns);
    adkcd_strv_free(services);
    return st;
}

static adkcd_status
named(struct adkcd_conn *conn, struct exporter *x, const char *const *names,
      const enum adkcd_account_kind *kinds, size_t n, struct adkcd_err *err)
{
    struct adkcd_account **accts = calloc(n, sizeof(*accts));
    struct adkcd_err *errs = calloc(n, sizeof(*errs));
    struct buf missing = {0};
    adkcd_status st = accts != NULL && errs != NULL ? ADKCD_OK : NOMEM(err);
    size_t i, bad = 0;

    if (st == ADKCD_OK)
        st =
            adkcd_account_resolve_many(conn, names, kinds, n, accts, errs, err);
    for (i = 0; st == ADKCD_OK && i < n; i++) {
        if (accts[i] == NULL) {
            buf_printf(&missing, "%s%s", bad++ ? "; " : "", errs[i].msg);
            continue;
        }
        st = add(x, accts[i]->dn, accts[i]->sam, accts[i]->is_computer,
                 accts[i]->uac, accts[i]->spns, accts[i]->delegate_to,
                 accts[i]->rbcd_present ? &accts[i]->rbcd : NULL, err);
    }
    if (st == ADKCD_OK && bad > 0) {
        char *msg = buf_take(&missing);

        st = adkcd_err_set(err, ADKCD_E_NOTFOUND, "%s",
                           msg != NULL ? msg : "accounts not found");
        free(msg);
    } else {
        free(buf_take(&missing));
    }
    for (i = 0; accts != NULL && i < n; i++)
        adkcd_account_free(accts[i]);
    free(accts);
    free(errs);
    return st;
}

adkcd_status
adkcd_export(struct adkcd_conn *conn, const char *const *names,
             const enum adkcd_account_kind *kinds, size_t n,
             struct adkcd_statefile **sf_out,
             struct adkcd_export_gaps **gaps_out, struct adkcd_err *err)
{
    char *attrs[] = {"sAMAccountName",
                     "objectClass",
                     "userAccountControl",
                     "servicePrincipalName",
                     ADKCD_DELEG_ATTR,
                     ADKCD_RBCD_ATTR,
                     NULL};
    struct exporter x = {NULL, NULL, NULL, 0};
    size_t i;
    adkcd_status st;

    *sf_out = NULL;
    *gaps_out = NULL;
    x.gaps = calloc(1, sizeof(*x.gaps));
    st = x.gaps != NULL ? adkcd_statefile_new(&x.sf, err) : NOMEM(err);
    if (st == ADKCD_OK && n > 0)
        st = named(conn, &x, names, kinds, n, err);
    else if (st == ADKCD_OK)
        /* Every account with either flag or constrained services (only
         * accounts have these attributes: no class term, which would cost
         * the DC more than the rest of the filter). */
        /* Unpaged first (Samba answers a paged search several times
         * slower), paged when the DC limits the result. */
        st =
            adkcd_lookup_search(adkcd_conn_ldap(conn),
                                adkcd_conn_default_nc(conn), LDAP_SCOPE_SUBTREE,
                                "(|(userAccountControl:" BIT_AND ":=524288)"
                                "(userAccountControl:" BIT_AND ":=16777216)"
                                "(msDS-AllowedToDelegateTo=*)"
                                "(" ADKCD_RBCD_ATTR "=*))",
                                attrs, one_entry, &x, err);
    if (st == ADKCD_OK)
        st = name_pending(conn, &x, err);
    for (i = 0; i < x.n_pend; i++)
        adkcd_strv_free(x.pend[i].sids);
    free(x.pend);
    if (st != ADKCD_OK) {
        adkcd_statefile_free(x.sf);
        adkcd_export_gaps_free(x.gaps);
        return st;
    }
    *sf_out = x.sf;
    *gaps_out = x.gaps;
    return ADKCD_OK;
}

void
adkcd_export_gaps_free(struct adkcd_export_gaps *gaps)
{
    size_t i;

    if (gaps == NULL)
        return;
    for (i = 0; i < gaps->n; i++)
        free(gaps->v[i].dn);
    free(gaps->v);
    free(gaps);
}
