/* adkcd: planning a whole state file against the directory (stateplan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/keys.h"
#include "adkcd/spn.h"
#include "adkcd/spnreg.h"
#include "adkcd/stateplan.h"
#include "adkcd/strv.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")
#define SPN_ATTR "servicePrincipalName"

const char *
adkcd_issue_kind_str(enum adkcd_issue_kind kind)
{
    switch (kind) {
    case ADKCD_ISSUE_NOT_FOUND:
        return "not-found";
    case ADKCD_ISSUE_SAME_ACCOUNT:
        return "same-account";
    case ADKCD_ISSUE_SPN_HELD:
        return "spn-held";
    case ADKCD_ISSUE_SPN_IN_FILE:
        return "spn-in-file";
    case ADKCD_ISSUE_REFUSED:
        return "refused";
    case ADKCD_ISSUE_CONTRADICTION:
        return "contradiction";
    case ADKCD_ISSUE_SPN_CYCLE:
        return "spn-cycle";
    case ADKCD_ISSUE_PRINCIPAL:
        return "principal";
    }
    return "unknown";
}

static char *
dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static adkcd_status
add_issue(struct adkcd_stateplan *sp, enum adkcd_issue_kind kind, size_t i,
          adkcd_status status, const char *msg, const char *spn,
          const char *holder, const char *value, int via_alias,
          struct adkcd_err *err)
{
    struct adkcd_issue *v =
        realloc(sp->issues, (sp->n_issues + 1) * sizeof(*v));

    if (v == NULL)
        return NOMEM(err);
    sp->issues = v;
    v = &v[sp->n_issues++];
    memset(v, 0, sizeof(*v));
    v->kind = kind;
    v->account = i;
    v->order = sp->n_issues - 1;
    v->status = status;
    v->via_alias = via_alias;
    v->message = strdup(msg);
    v->spn = dup_or_null(spn);
    v->holder = dup_or_null(holder);
    v->value = dup_or_null(value);
    if (v->message == NULL || (spn != NULL && v->spn == NULL) ||
        (holder != NULL && v->holder == NULL) ||
        (value != NULL && v->value == NULL))
        return NOMEM(err);
    return ADKCD_OK;
}

/* Every SPN op of one kind in the plan, as keys (without regard to case)
 * to the index of the change. */
static adkcd_status
collect(const struct adkcd_plan *plan, enum adkcd_op_kind kind,
        struct adkcd_keys *out, struct adkcd_err *err)
{
    size_t i, k;

    for (i = 0; i < plan->n; i++) {
        const struct adkcd_change *c = &plan->changes[i];

        for (k = 0; k < c->n_ops; k++) {
            if (c->ops[k].kind == kind &&
                strcasecmp(c->ops[k].attr, SPN_ATTR) == 0 &&
                adkcd_keys_add(out, c->ops[k].value.data, c->ops[k].value.len,
                               i) != 0)
                return NOMEM(err);
        }
    }
    adkcd_keys_sort(out);
    return ADKCD_OK;
}

/* Does change `change` of the plan have an op of the set ops on s? */
static int
has(const struct adkcd_keys *ops, const char *s, size_t change)
{
    size_t at;

    for (at = adkcd_keys_first(ops, s); adkcd_keys_is(ops, at, s); at++) {
        if (ops->v[at].i == change)
            return 1;
    }
    return 0;
}

/* The file's accounts by DN (without regard to case), sorted. */
static adkcd_status
accounts_by_dn(const struct adkcd_stateplan *sp, struct adkcd_keys *out,
               struct adkcd_err *err)
{
    size_t i;

    for (i = 0; i < sp->sf->n_accounts; i++) {
        if (sp->accts[i] != NULL &&
            adkcd_keys_add(out, sp->accts[i]->dn, strlen(sp->accts[i]->dn),
                           i) != 0)
            return NOMEM(err);
    }
    adkcd_keys_sort(out);
    return ADKCD_OK;
}

/* The plan's change for the file's account i, as an index, or -1. */
static long
change_of(const struct adkcd_stateplan *sp, size_t i)
{
    size_t k;

    for (k = 0; k < sp->plan->n; k++) {
        if (sp->plan->changes[k].group == i)
            return (long)k;
    }
    return -1;
}

const struct adkcd_change *
adkcd_stateplan_change(const struct adkcd_stateplan *sp, size_t i)
{
    long k = change_of(sp, i);

    return k >= 0 ? &sp->plan->changes[k] : NULL;
}

/* Resolve every account; issues for those not found and for two entries
 * that name one object. */
static adkcd_status
resolve(struct adkcd_conn *conn, struct adkcd_stateplan *sp,
        struct adkcd_err *err)
{
    const struct adkcd_statefile *sf = sp->sf;
    const char **names = calloc(sf->n_accounts + 1, sizeof(*names));
    enum adkcd_account_kind *kinds = calloc(sf->n_accounts + 1, sizeof(*kinds));
    struct adkcd_err *errs = calloc(sf->n_accounts + 1, sizeof(*errs));
    struct adkcd_keys by_dn = {NULL, 0, 0, 1};
    adkcd_status st = ADKCD_OK;
    size_t i, run = 0;

    if (names == NULL || kinds == NULL || errs == NULL)
        st = NOMEM(err);
    for (i = 0; st == ADKCD_OK && i < sf->n_accounts; i++) {
        names[i] = sf->accounts[i].name;
        kinds[i] = sf->accounts[i].kind;
    }
    if (st == ADKCD_OK && sf->n_accounts > 0)
        st = adkcd_account_resolve_many(conn, names, kinds, sf->n_accounts,
                                        sp->accts, errs, err);
    for (i = 0; st == ADKCD_OK && i < sf->n_accounts; i++) {
        if (sp->accts[i] == NULL)
            st = add_issue(sp, ADKCD_ISSUE_NOT_FOUND, i, errs[i].status,
                           errs[i].msg, NULL, NULL, NULL, 0, err);
    }
    /* Two entries that name one object: the later ones are refused. */
    if (st == ADKCD_OK)
        st = accounts_by_dn(sp, &by_dn, err);
    for (i = 1; st == ADKCD_OK && i < by_dn.n; i++) {
        char msg[1200];
        size_t later = by_dn.v[i].i, first;

        if (strcmp(by_dn.v[i].key, by_dn.v[i - 1].key) != 0) {
            run = i;
            continue;
        }
        first = by_dn.v[run].i;
        snprintf(msg, sizeof(msg),
                 "%s is the same account as accounts[%zu] (%s): name each "
                 "account once",
                 sp->accts[later]->dn, first + 1, sf->accounts[first].name);
        st = add_issue(sp, ADKCD_ISSUE_SAME_ACCOUNT, later, ADKCD_E_USAGE, msg,
                       NULL, NULL, NULL, 0, err);
        adkcd_account_free(sp->accts[later]);
        sp->accts[later] = NULL;
    }
    adkcd_keys_clear(&by_dn);
    free(names);
    free(kinds);
    free(errs);
    return st;
}

const struct adkcd_principal *
adkcd_stateplan_principal(const struct adkcd_stateplan *sp, const char *sid)
{
    size_t i;

    for (i = 0; i < sp->n_principals; i++) {
        if (sp->principals[i] != NULL &&
            strcmp(sp->principals[i]->sid, sid) == 0)
            return sp->principals[i];
    }
    return NULL;
}

/* The principal resolved for name (any case), or NULL. */
static const struct adkcd_principal *
principal_named(const struct adkcd_stateplan *sp, const char *const *names,
                const char *name)
{
    size_t i;

    for (i = 0; i < sp->n_principals; i++) {
        if (strcasecmp(names[i], name) == 0)
            return sp->principals[i];
    }
    return NULL;
}

/* The SIDs of list into *sids; an issue for each name not resolved. */
static adkcd_status
list_sids(struct adkcd_stateplan *sp, size_t i, const char *what,
          const struct adkcd_sf_list *l, const char *const *names,
          const struct adkcd_err *errs, char ***sids, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t k, j;

    for (k = 0; st == ADKCD_OK && k < l->n; k++) {
        const struct adkcd_principal *p =
            principal_named(sp, names, l->v[k].text);
        char msg[ADKCD_ERR_MSG_SIZE + 64];

        if (p != NULL) {
            if (adkcd_strv_add(sids, p->sid) != 0)
                st = NOMEM(err);
            continue;
        }
        for (j = 0; j < sp->n_principals; j++)
            if (strcasecmp(names[j], l->v[k].text) == 0)
                break;
        snprintf(msg, sizeof(msg), "principal '%s' (rbcd.%s[%zu]): %s",
                 l->v[k].text, what, k + 1,
                 j < sp->n_principals ? errs[j].msg : "not resolved");
        st = add_issue(sp, ADKCD_ISSUE_PRINCIPAL, i,
                       j < sp->n_principals && errs[j].status != ADKCD_OK
                           ? errs[j].status
                           : ADKCD_E_NOTFOUND,
                       msg, NULL, NULL, l->v[k].text, 0, err);
    }
    return st;
}

/* Resolve every principal the rbcd lists name (each name once, in a few
 * searches) and give each account's want the SIDs. */
static adkcd_status
resolve_rbcd(struct adkcd_conn *conn, struct adkcd_stateplan *sp,
             struct adkcd_err *err)
{
    const struct adkcd_statefile *sf = sp->sf;
    const char **names = NULL;
    struct adkcd_err *errs = NULL;
    size_t n = 0, cap = 0, i, k, l;
    adkcd_status st = ADKCD_OK;

    for (i = 0; i < sf->n_accounts; i++) {
        const struct adkcd_sf_set *r = &sf->accounts[i].rbcd;
        const struct adkcd_sf_list *lists[] = {&r->present, &r->absent,
                                               &r->exact};

        for (l = 0; l < 3; l++) {
            for (k = 0; k < lists[l]->n; k++) {
                const char *name = lists[l]->v[k].text;
                size_t j;

                for (j = 0; j < n; j++)
                    if (strcasecmp(names[j], name) == 0)
                        break;
                if (j < n)
                    continue;
                if (n == cap) {
                    const char **v;

                    cap = cap ? 2 * cap : 16;
                    v = realloc(names, cap * sizeof(*v));
                    if (v == NULL) {
                        free(names);
                        return NOMEM(err);
                    }
                    names = v;
                }
                names[n++] = name;
            }
        }
    }
    sp->rbcd_sids = calloc(sf->n_accounts + 1, sizeof(*sp->rbcd_sids));
    if (sp->rbcd_sids == NULL)
        st = NOMEM(err);
    if (st == ADKCD_OK && n > 0) {
        sp->principals = calloc(n, sizeof(*sp->principals));
        errs = calloc(n, sizeof(*errs));
        if (sp->principals == NULL || errs == NULL)
            st = NOMEM(err);
        if (st == ADKCD_OK)
            st = adkcd_principal_resolve_many(conn, names, n, sp->principals,
                                              errs, err);
        if (st == ADKCD_OK)
            sp->n_principals = n;
        for (i = 0; st == ADKCD_OK && i < n; i++) {
            if (sp->principals[i] != NULL &&
                sp->principals[i]->kind == ADKCD_PRINCIPAL_UNKNOWN &&
                adkcd_strv_add(&sp->rbcd_unknown, sp->principals[i]->sid))
                st = NOMEM(err);
        }
    }
    for (i = 0; st == ADKCD_OK && i < sf->n_accounts; i++) {
        const struct adkcd_sf_set *r = &sf->accounts[i].rbcd;
        struct adkcd_want *w = &sp->wants[i];

        if (!r->given)
            continue;
        st = list_sids(sp, i, r->exact.given ? "exact" : "present",
                       r->exact.given ? &r->exact : &r->present, names, errs,
                       &sp->rbcd_sids[i].add, err);
        if (st == ADKCD_OK)
            st = list_sids(sp, i, "absent", &r->absent, names, errs,
                           &sp->rbcd_sids[i].remove, err);
        w->rbcd_edit.add = sp->rbcd_sids[i].add;
        w->rbcd_edit.remove = sp->rbcd_sids[i].remove;
        w->rbcd_edit.exact = r->exact.given;
        w->rbcd_unknown = sp->rbcd_unknown;
    }
    free(names);
    free(errs);
    return st;
}

/* The issue of a SID no object has that account i's rbcd list would add:
 * placed at the list item that names it. */
static adkcd_status
refused_sid(struct adkcd_stateplan *sp, size_t i, const char *sid,
            struct adkcd_err *err)
{
    const struct adkcd_sf_set *r = &sp->sf->accounts[i].rbcd;
    const struct adkcd_sf_list *l = r->exact.given ? &r->exact : &r->present;
    const char *name = sid;
    char msg[600];
    size_t k, j, at = 0;

    for (k = 0; k < l->n && at == 0; k++) {
        for (j = 0; j < sp->n_principals; j++) {
            const struct adkcd_principal *p = sp->principals[j];

            if (p != NULL && strcmp(p->sid, sid) == 0 &&
                strcasecmp(p->input, l->v[k].text) == 0) {
                at = k + 1;
                name = l->v[k].text;
                break;
            }
        }
    }
    if (at > 0)
        snprintf(msg, sizeof(msg),
                 "principal '%s' (rbcd.%s[%zu]): no object has the SID %s: "
                 "it cannot be allowed to delegate (a SID of another domain "
                 "or of a deleted account can only be removed)",
                 name, r->exact.given ? "exact" : "present", at, sid);
    else
        snprintf(msg, sizeof(msg),
                 "rbcd: no object has the SID %s: it cannot be allowed to "
                 "delegate (a SID of another domain or of a deleted account "
                 "can only be removed)",
                 sid);
    return add_issue(sp, ADKCD_ISSUE_PRINCIPAL, i, ADKCD_E_NOTFOUND, msg, NULL,
                     NULL, name, 0, err);
}

/* Does account i have an issue already (a principal not found)? */
static int
issues_at(const struct adkcd_stateplan *sp, size_t i)
{
    size_t k;

    for (k = 0; k < sp->n_issues; k++)
        if (sp->issues[k].account == i)
            return 1;
    return 0;
}

/* Plan every resolved account; issues for what the planner refuses. */
static adkcd_status
plan_accounts(struct adkcd_stateplan *sp, int force, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t i;

    for (i = 0; st == ADKCD_OK && i < sp->sf->n_accounts; i++) {
        struct adkcd_want *w = &sp->wants[i];
        struct adkcd_change *c = NULL;
        struct adkcd_err perr;
        adkcd_status pst;

        if (sp->accts[i] == NULL || issues_at(sp, i))
            continue;
        w->spec = &sp->sf->accounts[i];
        w->acct = sp->accts[i];
        w->force = force;
        adkcd_err_clear(&perr);
        pst = adkcd_want_plan_into(sp->plan, w, &c, &perr);
        if (pst == ADKCD_E_NOMEM) {
            st = NOMEM(err);
        } else if (pst != ADKCD_OK) {
            if (pst == ADKCD_E_NOTFOUND && w->rbcd_refused != NULL)
                st = refused_sid(sp, i, w->rbcd_refused, err);
            else
                st = add_issue(sp,
                               pst == ADKCD_E_ACCESS ? ADKCD_ISSUE_REFUSED
                               : pst == ADKCD_E_NOTFOUND
                                   ? ADKCD_ISSUE_PRINCIPAL
                                   : ADKCD_ISSUE_CONTRADICTION,
                               i, pst, perr.msg, NULL, NULL, NULL, 0, err);
            /* Nothing of a refused account is planned. */
            if (c == NULL && sp->plan->n > 0 &&
                strcasecmp(sp->plan->changes[sp->plan->n - 1].dn,
                           sp->accts[i]->dn) == 0)
                c = &sp->plan->changes[sp->plan->n - 1];
            if (c != NULL)
                adkcd_change_reset(c);
        }
        if (c != NULL)
            c->group = i;
    }
    return st;
}

/* Two entries adding SPNs that a host alias makes one (host/x, http/x). */
static adkcd_status
check_in_file(struct adkcd_stateplan *sp, const struct adkcd_keys *adds,
              const struct adkcd_spn_mappings *m, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t i, k, j;

    for (i = 0; st == ADKCD_OK && i < adds->n; i++) {
        struct adkcd_spn *spn = NULL;
        char **eq = NULL;

        if (adkcd_spn_parse(adds->v[i].key, &spn, NULL) != ADKCD_OK)
            continue;
        st = adkcd_spn_equivalents(spn, m, &eq, err);
        for (k = 1; st == ADKCD_OK && eq != NULL && eq[k] != NULL; k++) {
            /* The entries of that form are adjacent. */
            for (j = adkcd_keys_first(adds, eq[k]);
                 adkcd_keys_is(adds, j, eq[k]); j++) {
                const struct adkcd_change *mine, *theirs;
                char msg[1200];

                if (adds->v[j].i <= adds->v[i].i)
                    continue;
                mine = &sp->plan->changes[adds->v[i].i];
                theirs = &sp->plan->changes[adds->v[j].i];
                snprintf(msg, sizeof(msg),
                         "duplicate SPN in the file: %s (for %s) and %s (for "
                         "%s) are one service to the KDC (host alias in "
                         "sPNMappings)",
                         adds->v[i].key, mine->dn, adds->v[j].key, theirs->dn);
                st = add_issue(sp, ADKCD_ISSUE_SPN_IN_FILE, theirs->group,
                               ADKCD_E_CONFLICT, msg, adds->v[j].key,
                               sp->sf->accounts[mine->group].name,
                               adds->v[i].key, 1, err);
                break;
            }
        }
        adkcd_strv_free(eq);
        adkcd_spn_free(spn);
    }
    return st;
}

/* Every SPN to add, against who holds it (or an alias of it) now. */
static adkcd_status
check_held(struct adkcd_conn *conn, struct adkcd_stateplan *sp,
           const struct adkcd_keys *adds, const struct adkcd_keys *dels,
           const struct adkcd_spn_mappings *m, struct adkcd_err *err)
{
    struct adkcd_scope scope = {1, NULL};
    size_t n_adds = adds->n;
    struct adkcd_spn **spns = calloc(n_adds + 1, sizeof(*spns));
    const char **excl = calloc(n_adds + 1, sizeof(*excl));
    struct adkcd_spn_holders **h = calloc(n_adds + 1, sizeof(*h));
    struct adkcd_keys by_dn = {NULL, 0, 0, 1};
    adkcd_status st = ADKCD_OK;
    size_t i, k;

    if (spns == NULL || excl == NULL || h == NULL)
        st = NOMEM(err);
    if (sp->sf->spn_check == ADKCD_SF_CHECK_DOMAIN) {
        scope.forest = 0;
        scope.domain = adkcd_conn_domain_dns(conn);
    }
    for (i = 0; st == ADKCD_OK && i < n_adds; i++) {
        st = adkcd_spn_parse(adds->v[i].key, &spns[i], err);
        excl[i] = sp->plan->changes[adds->v[i].i].dn;
    }
    if (st == ADKCD_OK)
        st = accounts_by_dn(sp, &by_dn, err);
    if (st == ADKCD_OK && scope.forest) {
        /* The Global Catalog's bind overlaps with building the filters. */
        adkcd_conn_prefetch_gc(conn);
        sp->gc_used = 1;
    }
    if (st == ADKCD_OK)
        st = adkcd_spn_find_holders_many(conn, &scope,
                                         (const struct adkcd_spn *const *)spns,
                                         n_adds, m, excl, h, err);
    sp->spns_checked = n_adds;
    for (i = 0; st == ADKCD_OK && i < n_adds; i++) {
        const struct adkcd_change *c = &sp->plan->changes[adds->v[i].i];

        for (k = 0; st == ADKCD_OK && k < h[i]->n; k++) {
            const struct adkcd_spn_holder *x = &h[i]->v[k];
            size_t at = adkcd_keys_first(&by_dn, x->dn);
            long oc = at < by_dn.n ? change_of(sp, by_dn.v[at].i) : -1;
            struct adkcd_err why;

            /* Let go of by another entry of the file: a move. */
            if (oc >= 0 && has(dels, x->value, (size_t)oc))
                continue;
            adkcd_spn_conflict(x, spns[i]->text, c->dn, &why);
            st = add_issue(sp, ADKCD_ISSUE_SPN_HELD, c->group, ADKCD_E_CONFLICT,
                           why.msg, spns[i]->text, x->dn, x->value,
                           x->via_alias, err);
        }
    }
    for (i = 0; i < n_adds; i++) {
        adkcd_spn_free(spns != NULL ? spns[i] : NULL);
        if (h != NULL)
            adkcd_spn_holders_free(h[i]);
    }
    free(spns);
    free(excl);
    free(h);
    adkcd_keys_clear(&by_dn);
    return st;
}

static int
cmp_issue(const void *a, const void *b)
{
    const struct adkcd_issue *x = a, *y = b;

    /* By account, then in the order found (qsort is not stable). */
    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

adkcd_status
adkcd_stateplan_make(struct adkcd_conn *conn, const struct adkcd_statefile *sf,
                     int force, struct adkcd_stateplan **sp_out,
                     struct adkcd_err *err)
{
    struct adkcd_stateplan *sp = calloc(1, sizeof(*sp));
    struct adkcd_spn_mappings *m = NULL;
    struct adkcd_keys adds = {NULL, 0, 0, 1}, dels = {NULL, 0, 0, 1};
    adkcd_status st = ADKCD_OK;

    *sp_out = NULL;
    if (sp == NULL)
        return NOMEM(err);
    sp->sf = sf;
    sp->accts = calloc(sf->n_accounts + 1, sizeof(*sp->accts));
    sp->wants = calloc(sf->n_accounts + 1, sizeof(*sp->wants));
    if (sp->accts == NULL || sp->wants == NULL)
        st = NOMEM(err);
    if (st == ADKCD_OK)
        st = adkcd_plan_new(&sp->plan, err);
    if (st == ADKCD_OK)
        st = resolve(conn, sp, err);
    if (st == ADKCD_OK)
        st = resolve_rbcd(conn, sp, err);
    if (st == ADKCD_OK)
        st = plan_accounts(sp, force, err);
    if (st == ADKCD_OK)
        st = collect(sp->plan, ADKCD_OP_ADD, &adds, err);
    if (st == ADKCD_OK)
        st = collect(sp->plan, ADKCD_OP_DELETE, &dels, err);
    /* The host aliases, and the checks, only when SPNs are to be added:
     * a file that changes nothing never binds the Global Catalog. */
    if (st == ADKCD_OK && adds.n > 0)
        st = adkcd_spn_read_mappings(conn, &m, err);
    /* Moves: an SPN (or an alias form of it) that one change adds waits
     * for the change that lets go of it; a cycle cannot be ordered. */
    if (st == ADKCD_OK && adds.n > 0) {
        struct adkcd_err oerr;
        adkcd_status ost;
        size_t at = 0;

        adkcd_err_clear(&oerr);
        ost = adkcd_plan_order(sp->plan, SPN_ATTR, adkcd_spn_equiv_values, m,
                               &at, &oerr);
        /* Placed at an entry on the cycle. */
        if (ost == ADKCD_E_USAGE)
            st = add_issue(sp, ADKCD_ISSUE_SPN_CYCLE,
                           sp->plan->changes[at].group, ADKCD_E_USAGE, oerr.msg,
                           NULL, NULL, NULL, 0, err);
        else if (ost != ADKCD_OK) {
            st = ost;
            if (err != NULL)
                *err = oerr;
        }
    }
    if (st == ADKCD_OK && adds.n > 0 && sf->spn_check != ADKCD_SF_CHECK_NONE) {
        st = check_in_file(sp, &adds, m, err);
        if (st == ADKCD_OK)
            st = check_held(conn, sp, &adds, &dels, m, err);
    }
    adkcd_spn_mappings_free(m);
    adkcd_keys_clear(&adds);
    adkcd_keys_clear(&dels);
    if (st == ADKCD_E_NOMEM) {
        adkcd_stateplan_free(sp);
        return st;
    }
    *sp_out = sp;
    if (st != ADKCD_OK)
        return st;
    if (sp->n_issues > 0) {
        qsort(sp->issues, sp->n_issues, sizeof(*sp->issues), cmp_issue);
        st = adkcd_err_set(err, sp->issues[0].status,
                           "%zu problem%s in the file, nothing written; the "
                           "first: %s",
                           sp->n_issues, sp->n_issues == 1 ? "" : "s",
                           sp->issues[0].message);
        /* A safety rule refused an entry: forcing is the caller's remedy. */
        for (size_t k = 0; k < sp->n_issues; k++) {
            if (sp->issues[k].kind == ADKCD_ISSUE_REFUSED) {
                adkcd_err_hint(err, ADKCD_HINT_FORCE);
                break;
            }
        }
    }
    return st;
}

void
adkcd_stateplan_free(struct adkcd_stateplan *sp)
{
    size_t i;

    if (sp == NULL)
        return;
    for (i = 0; i < sp->n_issues; i++) {
        free(sp->issues[i].message);
        free(sp->issues[i].spn);
        free(sp->issues[i].holder);
        free(sp->issues[i].value);
    }
    free(sp->issues);
    for (i = 0; sp->sf != NULL && i < sp->sf->n_accounts; i++) {
        if (sp->wants != NULL) {
            adkcd_want_clear(&sp->wants[i]);
            adkcd_want_free_checked(&sp->wants[i]);
        }
        if (sp->accts != NULL)
            adkcd_account_free(sp->accts[i]);
    }
    for (i = 0;
         sp->sf != NULL && sp->rbcd_sids != NULL && i < sp->sf->n_accounts;
         i++) {
        adkcd_strv_free(sp->rbcd_sids[i].add);
        adkcd_strv_free(sp->rbcd_sids[i].remove);
    }
    free(sp->rbcd_sids);
    adkcd_strv_free(sp->rbcd_unknown);
    for (i = 0; i < sp->n_principals; i++)
        adkcd_principal_free(sp->principals[i]);
    free(sp->principals);
    free(sp->wants);
    free(sp->accts);
    adkcd_plan_free(sp->plan);
    free(sp);
}
