/*
 * adkcd rbcd show|add|remove|set: resource-based constrained delegation,
 * the principals an account's msDS-AllowedToActOnBehalfOfOtherIdentity
 * allows to delegate to its services.  A change is a one-account state
 * file ("rbcd: present / absent / exact"), planned and written by the
 * library's one planner and engine, as adkcd apply writes it; this file
 * only parses the command line and words the results.
 */
#include <stdlib.h>
#include <string.h>

#include "adkcd.h"
#include "adkcd/deleg.h"
#include "adkcd/engine.h"
#include "adkcd/journal.h"
#include "adkcd/principal.h"
#include "adkcd/sd.h"
#include "adkcd/stateplan.h"
#include "adkcd/statefile.h"
#include "adkcd/strv.h"

/* SIDs named: principals resolved from them, for the output. */
struct names {
    char **sids;
    struct adkcd_principal **p; /* parallel to sids; NULL: not resolved */
    size_t n;
};

static void
names_free(struct names *nm)
{
    size_t i;

    for (i = 0; i < nm->n; i++)
        adkcd_principal_free(nm->p[i]);
    free(nm->p);
    adkcd_strv_free(nm->sids);
    memset(nm, 0, sizeof(*nm));
}

/* Add the SIDs allowed by the descriptor v (may be NULL) to sids. */
static int
collect_sids(const struct adkcd_val *v, char ***sids)
{
    struct adkcd_sd sd;
    size_t i;
    int rc = 0;

    if (v == NULL || v->data == NULL)
        return 0;
    if (adkcd_sd_parse((const unsigned char *)v->data, v->len, &sd, NULL) !=
        ADKCD_OK)
        return 0;
    for (i = 0; i < sd.n; i++) {
        if (sd.aces[i].sid != NULL &&
            adkcd_sd_ace_role(&sd.aces[i]) != ADKCD_SD_ROLE_NONE &&
            adkcd_strv_find_nocase(*sids, sd.aces[i].sid) < 0 &&
            adkcd_strv_add(sids, sd.aces[i].sid) != 0)
            rc = -1;
    }
    adkcd_sd_clear(&sd);
    return rc;
}

/* Resolve the SIDs of nm (a read of each; a SID no object has stays
 * unresolved). */
static adkcd_status
names_resolve(struct adkcd_conn *conn, struct names *nm, struct adkcd_err *err)
{
    struct adkcd_err *errs;
    adkcd_status st;

    /* NULL is the empty vector. */
    if (nm->sids == NULL)
        return ADKCD_OK;
    nm->n = adkcd_strv_len(nm->sids);
    if (nm->n == 0)
        return ADKCD_OK;
    nm->p = calloc(nm->n, sizeof(*nm->p));
    errs = calloc(nm->n, sizeof(*errs));
    if (nm->p == NULL || errs == NULL) {
        free(errs);
        nm->n = 0;
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    st = adkcd_principal_resolve_many(conn, (const char *const *)nm->sids,
                                      nm->n, nm->p, errs, err);
    free(errs);
    return st;
}

static const struct adkcd_principal *
names_get(const struct names *nm, const char *sid)
{
    size_t i;

    for (i = 0; i < nm->n; i++)
        if (strcmp(nm->sids[i], sid) == 0)
            return nm->p[i];
    return NULL;
}

/* "computer tmg$" / "group webservers" / "unknown SID", for a SID. */
static void
word_principal(const struct adkcd_principal *p, const char *sid, char *out,
               size_t size)
{
    const char *wk = adkcd_sid_well_known(sid);

    if (p != NULL && p->kind != ADKCD_PRINCIPAL_UNKNOWN)
        snprintf(out, size, "%s %s", adkcd_principal_kind_str(p->kind), p->sam);
    else if (wk != NULL)
        snprintf(out, size, "%s", wk);
    else
        snprintf(out, size, "unknown SID (no object of the domain has it)");
}

static json_t *
json_principal(const struct names *nm, const char *sid)
{
    const struct adkcd_principal *p = names_get(nm, sid);
    json_t *o = json_object();
    json_t *notes = json_array();
    unsigned n = p != NULL ? adkcd_rbcd_principal_notes(p->uac, p->has_uac) : 0;

    json_object_set_new(o, "sid", cli_json_text(sid));
    json_object_set_new(o, "kind",
                        cli_json_text(adkcd_principal_kind_str(
                            p != NULL ? p->kind : ADKCD_PRINCIPAL_UNKNOWN)));
    json_object_set_new(o, "name",
                        p != NULL && p->sam != NULL ? cli_json_text(p->sam)
                                                    : json_null());
    json_object_set_new(o, "dn",
                        p != NULL && p->dn != NULL ? cli_json_text(p->dn)
                                                   : json_null());
    if (n & ADKCD_RBCD_NOTE_DISABLED)
        json_array_append_new(notes, json_string("disabled"));
    if (n & ADKCD_RBCD_NOTE_UNCONSTRAINED)
        json_array_append_new(notes, json_string("unconstrained"));
    if (n & ADKCD_RBCD_NOTE_DC)
        json_array_append_new(notes, json_string("domain-controller"));
    json_object_set_new(o, "notes", notes);
    return o;
}

/* Warnings about a principal allowed (or to be). */
static void
warn_principal(struct cli_common *c, json_t *warnings, const struct names *nm,
               const char *sid, const char *target)
{
    const struct adkcd_principal *p = names_get(nm, sid);
    unsigned n = p != NULL ? adkcd_rbcd_principal_notes(p->uac, p->has_uac) : 0;

    if (adkcd_sid_is_broad(sid))
        front_warn(c, warnings,
                   "%s (%s) stands for every account of its kind: all of them "
                   "may impersonate any user to %s's services",
                   adkcd_sid_well_known(sid), sid, target);
    if (n & ADKCD_RBCD_NOTE_DISABLED)
        front_warn(c, warnings,
                   "%s (%s) is disabled: it cannot get tickets, so it cannot "
                   "delegate to %s while it stays so",
                   p->sam, sid, target);
    if (n & ADKCD_RBCD_NOTE_DC)
        front_warn(c, warnings,
                   "%s (%s) is a domain controller: it may impersonate any "
                   "user to %s's services",
                   p->sam, sid, target);
    if (n & ADKCD_RBCD_NOTE_UNCONSTRAINED)
        front_warn(c, warnings,
                   "%s (%s) also has unconstrained delegation "
                   "(TRUSTED_FOR_DELEGATION 0x80000): it can pass on, to any "
                   "service, the tickets users send it",
                   p->sam, sid);
}

/* What a descriptor holds besides plain allows: denies, conditional ACEs,
 * types not interpreted (kept by every edit; said so). */
static void
warn_descriptor(struct cli_common *c, json_t *warnings,
                const struct adkcd_val *v, const char *target)
{
    struct adkcd_sd sd;
    size_t i, deny = 0, cond = 0, unknown = 0;

    if (v == NULL || v->data == NULL ||
        adkcd_sd_parse((const unsigned char *)v->data, v->len, &sd, NULL) !=
            ADKCD_OK)
        return;
    for (i = 0; i < sd.n; i++) {
        switch (adkcd_sd_ace_role(&sd.aces[i])) {
        case ADKCD_SD_ROLE_DENY:
            deny++;
            break;
        case ADKCD_SD_ROLE_COND_ALLOW:
        case ADKCD_SD_ROLE_COND_DENY:
            cond++;
            break;
        case ADKCD_SD_ROLE_UNKNOWN:
            unknown++;
            break;
        default:
            break;
        }
    }
    adkcd_sd_clear(&sd);
    if (deny > 0)
        front_warn(c, warnings,
                   "the descriptor of %s has %zu deny ACE%s, kept as they "
                   "are: a principal denied before it is allowed cannot "
                   "delegate",
                   target, deny, deny == 1 ? "" : "s");
    if (cond > 0)
        front_warn(c, warnings,
                   "the descriptor of %s has %zu conditional ACE%s, kept as "
                   "they are: whether they apply is decided by the KDC from "
                   "their condition",
                   target, cond, cond == 1 ? "" : "s");
    if (unknown > 0)
        front_warn(c, warnings,
                   "the descriptor of %s has %zu ACE%s of a type adkcd does "
                   "not interpret, kept as they are",
                   target, unknown, unknown == 1 ? "" : "s");
}

/* The principals allowed by descriptor v, as "tmg$, web1$" (or "none"). */
static void
print_allowed(const struct adkcd_val *v, const struct names *nm)
{
    struct adkcd_sd sd;
    char **sids = NULL;
    size_t i;

    if (v == NULL || v->data == NULL) {
        cli_printf(stdout, "none");
        return;
    }
    if (adkcd_sd_parse((const unsigned char *)v->data, v->len, &sd, NULL) !=
        ADKCD_OK) {
        cli_printf(stdout, "(unreadable descriptor)");
        return;
    }
    if (adkcd_sd_allowed_sids(&sd, &sids, NULL) != ADKCD_OK)
        sids = NULL;
    for (i = 0; sids != NULL && sids[i] != NULL; i++) {
        const struct adkcd_principal *p = names_get(nm, sids[i]);

        const char *wk = adkcd_sid_well_known(sids[i]);

        cli_printf(stdout, "%s%s", i > 0 ? ", " : "",
                   p != NULL && p->sam != NULL ? p->sam
                   : wk != NULL                ? wk
                                               : sids[i]);
    }
    if (sids == NULL || sids[0] == NULL)
        cli_printf(stdout, "none");
    adkcd_strv_free(sids);
    adkcd_sd_clear(&sd);
}

/* The descriptor v as JSON: present, sddl, principals allowed. */
static json_t *
json_descriptor(const struct adkcd_val *v, int present, const struct names *nm)
{
    json_t *o = json_object(), *arr = json_array();
    struct adkcd_sd sd;
    struct adkcd_sd_access acc;
    char *sddl = NULL;
    size_t i;

    json_object_set_new(o, "present", json_boolean(present));
    if (!present || v == NULL || v->data == NULL) {
        json_object_set_new(o, "sddl", json_null());
        json_object_set_new(o, "principals", arr);
        return o;
    }
    if (adkcd_sd_to_sddl((const unsigned char *)v->data, v->len, &sddl, NULL) ==
        ADKCD_OK)
        json_object_set_new(o, "sddl", cli_json_text(sddl));
    else
        json_object_set_new(o, "sddl", json_null());
    free(sddl);
    if (adkcd_sd_parse((const unsigned char *)v->data, v->len, &sd, NULL) ==
        ADKCD_OK) {
        if (adkcd_sd_allowed(&sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc, NULL) ==
            ADKCD_OK) {
            for (i = 0; i < acc.n_grants; i++) {
                json_t *p = json_principal(nm, acc.grants[i].sid);

                json_object_set_new(p, "conditional",
                                    json_boolean(acc.grants[i].conditional));
                json_array_append_new(arr, p);
            }
            adkcd_sd_access_clear(&acc);
        }
        adkcd_sd_clear(&sd);
    }
    json_object_set_new(o, "principals", arr);
    return o;
}

/* The principals a change allows and allows no more, one a line: "+ computer
 * tmg$  S-1-5-21-...". */
static void
print_changes(FILE *f, const struct adkcd_want *w, const struct names *nm,
              const char *indent)
{
    char *const *lists[2] = {w->rbcd_after.added, w->rbcd_after.removed};
    size_t l, k;

    for (l = 0; l < 2; l++) {
        for (k = 0; lists[l] != NULL && lists[l][k] != NULL; k++) {
            char who[300];

            word_principal(names_get(nm, lists[l][k]), lists[l][k], who,
                           sizeof(who));
            cli_printf(f, "%s%c %s  %s\n", indent, l == 0 ? '+' : '-', who,
                       lists[l][k]);
        }
    }
}

/* ---- show ------------------------------------------------------------ */

static int
rbcd_show(struct cli_common *c, struct args *a)
{
    struct adkcd_conn *conn = NULL;
    struct adkcd_account *acct = NULL;
    struct names nm = {NULL, NULL, 0};
    json_t *warnings = NULL;
    struct adkcd_err err;
    struct adkcd_sd sd;
    int rc = 0, parsed = 0;
    size_t i;

    adkcd_err_clear(&err);
    memset(&sd, 0, sizeof(sd));
    if (a->npos != 2)
        return cli_usage_error(c, "rbcd show needs exactly one ACCOUNT");
    if (adkcd_account_check_name(a->pos[1], strlen(a->pos[1]), &err) !=
        ADKCD_OK)
        return cli_fail(c, &err);
    warnings = c->json ? json_array() : NULL;
    rc = front_connect(c, &conn);
    if (rc != 0)
        goto done;
    if (adkcd_account_resolve(conn, a->pos[1], a->kind, &acct, &err) !=
        ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto done;
    }
    if (acct->rbcd_present) {
        if (adkcd_sd_parse((const unsigned char *)acct->rbcd.data,
                           acct->rbcd.len, &sd, &err) != ADKCD_OK) {
            adkcd_err_prefix(&err, "%s: %s", acct->dn, ADKCD_RBCD_ATTR);
            rc = cli_fail(c, &err);
            goto done;
        }
        parsed = 1;
    }
    if (collect_sids(acct->rbcd_present ? &acct->rbcd : NULL, &nm.sids) != 0 ||
        names_resolve(conn, &nm, &err) != ADKCD_OK) {
        rc = err.status == ADKCD_E_NOMEM || err.status == ADKCD_OK
                 ? front_nomem(c)
                 : cli_fail(c, &err);
        goto done;
    }
    for (i = 0; i < nm.n; i++)
        warn_principal(c, warnings, &nm, nm.sids[i], acct->sam);
    warn_descriptor(c, warnings, acct->rbcd_present ? &acct->rbcd : NULL,
                    acct->sam);
    if (c->json) {
        json_t *doc = cli_json_doc(c, "rbcd show");
        json_t *aces = json_array();

        json_object_set_new(doc, "account", cli_json_account(acct));
        json_object_update_new(
            doc, json_descriptor(acct->rbcd_present ? &acct->rbcd : NULL,
                                 acct->rbcd_present, &nm));
        for (i = 0; parsed && i < sd.n; i++) {
            static const char *const roles[] = {"none",
                                                "allow",
                                                "deny",
                                                "conditional-allow",
                                                "conditional-deny",
                                                "unknown"};
            json_t *o = json_object();

            json_object_set_new(o, "index", json_integer((json_int_t)i + 1));
            json_object_set_new(o, "type", json_integer(sd.aces[i].type));
            json_object_set_new(o, "mask", json_integer(sd.aces[i].mask));
            json_object_set_new(
                o, "role", json_string(roles[adkcd_sd_ace_role(&sd.aces[i])]));
            json_object_set_new(o, "sid",
                                sd.aces[i].sid != NULL
                                    ? cli_json_text(sd.aces[i].sid)
                                    : json_null());
            json_array_append_new(aces, o);
        }
        json_object_set_new(doc, "aces", aces);
        json_object_set_new(doc, "owner",
                            parsed && sd.owner != NULL ? cli_json_text(sd.owner)
                                                       : json_null());
        json_object_set_new(doc, "warnings", warnings);
        warnings = NULL;
        cli_json_print(doc);
        goto done;
    }
    cli_printf(stdout, "Account: %s\n", acct->how);
    if (!acct->rbcd_present) {
        cli_printf(stdout,
                   "resource-based delegation: none (%s is not set): no "
                   "account may delegate to its services this way\n",
                   ADKCD_RBCD_ATTR);
        goto done;
    }
    {
        struct adkcd_sd_access acc;
        char *sddl = NULL;

        if (adkcd_sd_allowed(&sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc, &err) !=
            ADKCD_OK) {
            rc = front_nomem(c);
            goto done;
        }
        cli_printf(stdout,
                   "resource-based delegation: %zu principal%s may delegate "
                   "to its services\n",
                   acc.n_grants, acc.n_grants == 1 ? "" : "s");
        for (i = 0; i < acc.n_grants; i++) {
            char who[300];

            word_principal(names_get(&nm, acc.grants[i].sid), acc.grants[i].sid,
                           who, sizeof(who));
            cli_printf(stdout, "  %s  %s%s\n", who, acc.grants[i].sid,
                       acc.grants[i].conditional
                           ? "  (conditional: if the ACE's condition holds)"
                           : "");
        }
        adkcd_sd_access_clear(&acc);
        if (adkcd_sd_to_sddl((const unsigned char *)acct->rbcd.data,
                             acct->rbcd.len, &sddl, NULL) == ADKCD_OK)
            cli_printf(stdout, "descriptor: %s\n", sddl);
        free(sddl);
    }

done:
    json_decref(warnings);
    adkcd_sd_clear(&sd);
    names_free(&nm);
    adkcd_account_free(acct);
    adkcd_conn_free(conn);
    return rc;
}

/* ---- add / remove / set ------------------------------------------------ */

/* The principals of a want's descriptors, before and after, named. */
static adkcd_status
want_names(struct adkcd_conn *conn, const struct adkcd_want *w,
           struct names *nm, struct adkcd_err *err)
{
    const struct adkcd_sd_edit_result *r = &w->rbcd_after;

    if (collect_sids(w->rbcd_before_present ? &w->rbcd_before : NULL,
                     &nm->sids) != 0 ||
        collect_sids(r->present ? &r->value : NULL, &nm->sids) != 0)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return names_resolve(conn, nm, err);
}

json_t *
front_json_rbcd(struct adkcd_conn *conn, const struct adkcd_want *w)
{
    struct names nm = {NULL, NULL, 0};
    const struct adkcd_sd_edit_result *r = &w->rbcd_after;
    json_t *o = json_object(), *added = json_array(), *removed = json_array();
    size_t i;

    (void)want_names(conn, w, &nm, NULL); /* else named by SID alone */
    json_object_set_new(
        o, "before",
        json_descriptor(&w->rbcd_before, w->rbcd_before_present, &nm));
    json_object_set_new(o, "after",
                        json_descriptor(&r->value, r->present, &nm));
    for (i = 0; r->added != NULL && r->added[i] != NULL; i++)
        json_array_append_new(added, json_principal(&nm, r->added[i]));
    for (i = 0; r->removed != NULL && r->removed[i] != NULL; i++)
        json_array_append_new(removed, json_principal(&nm, r->removed[i]));
    json_object_set_new(o, "added", added);
    json_object_set_new(o, "removed", removed);
    names_free(&nm);
    return o;
}

void
front_rbcd_print(FILE *f, struct adkcd_conn *conn, const struct adkcd_want *w,
                 const char *target)
{
    struct names nm = {NULL, NULL, 0};

    (void)want_names(conn, w, &nm, NULL); /* else named by SID alone */
    cli_printf(f, "resource-based delegation of %s:\n", target);
    print_changes(f, w, &nm, "  ");
    names_free(&nm);
}

void
front_rbcd_refusals(const struct cli_common *c, const struct adkcd_plan *plan)
{
    size_t i;

    for (i = 0; plan != NULL && i < plan->n; i++) {
        const struct adkcd_change *ch = &plan->changes[i];

        /* Samba: "attribute '...' ... can only be modified as system"
         * (LDAP 19, its schema's systemOnly). */
        if (ch->outcome == ADKCD_OUT_FAILED && ch->ldap_rc == 19 &&
            ch->message != NULL && strstr(ch->message, "as system") != NULL &&
            adkcd_change_image(ch, ADKCD_RBCD_ATTR) != NULL) {
            if (!c->json)
                cli_printf(stderr,
                           "%s: hint: Samba DCs refuse LDAP writes of %s: "
                           "their schema marks the attribute system-only "
                           "(Windows DCs accept them); see docs/rbcd.md\n",
                           c->tool, ADKCD_RBCD_ATTR);
            return;
        }
    }
}

void
front_rbcd_warnings(struct cli_common *c, json_t *warnings,
                    struct adkcd_conn *conn, const struct adkcd_want *w,
                    const char *target)
{
    struct names nm = {NULL, NULL, 0};
    char *const *added = w->rbcd_after.added;
    size_t k;

    if (added == NULL || added[0] == NULL) {
        warn_descriptor(c, warnings,
                        w->rbcd_before_present ? &w->rbcd_before : NULL,
                        target);
        return;
    }
    nm.sids = adkcd_strv_dup(added);
    if (nm.sids != NULL && names_resolve(conn, &nm, NULL) == ADKCD_OK)
        for (k = 0; added[k] != NULL; k++)
            warn_principal(c, warnings, &nm, added[k], target);
    warn_descriptor(c, warnings,
                    w->rbcd_before_present ? &w->rbcd_before : NULL, target);
    names_free(&nm);
}

static int
rbcd_change(struct cli_common *c, struct args *a, const char *sub)
{
    struct adkcd_conn *conn = NULL;
    struct adkcd_statefile *sf = NULL;
    struct adkcd_sf_account *spec = NULL;
    struct adkcd_stateplan *sp = NULL;
    struct adkcd_journal *j = NULL;
    struct adkcd_engine_result res;
    struct names nm = {NULL, NULL, 0};
    json_t *warnings = NULL;
    struct adkcd_err err;
    char **principals = NULL;
    char *jpath = NULL;
    const struct adkcd_change *ch;
    const struct adkcd_want *w;
    adkcd_status st;
    int rc = 0, changed, i;
    size_t k;

    adkcd_err_clear(&err);
    memset(&res, 0, sizeof(res));
    if (strcmp(sub, "set") != 0 && a->npos < 3)
        return cli_usage_error(c,
                               "rbcd %s needs ACCOUNT and at least one "
                               "PRINCIPAL",
                               sub);
    if (a->npos < 2)
        return cli_usage_error(c, "rbcd set needs ACCOUNT (and the "
                                  "principals, none to remove them all)");
    /* Everything local is checked before the network is touched. */
    for (i = 1; i < a->npos; i++) {
        if (adkcd_account_check_name(a->pos[i], strlen(a->pos[i]), &err) !=
            ADKCD_OK) {
            adkcd_strv_free(principals);
            return cli_fail(c, &err);
        }
        if (i > 1 && adkcd_strv_add(&principals, a->pos[i]) != 0) {
            adkcd_strv_free(principals);
            return front_nomem(c);
        }
    }
    warnings = c->json ? json_array() : NULL;
    if (!c->dry_run && cli_journal_check(c, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto done;
    }
    st = adkcd_statefile_new(&sf, &err);
    if (st == ADKCD_OK)
        st = adkcd_statefile_add_account(sf, a->pos[1], a->kind, &spec, &err);
    if (st == ADKCD_OK) {
        static char *const none[] = {NULL};
        struct adkcd_sf_list *l = strcmp(sub, "add") == 0 ? &spec->rbcd.present
                                  : strcmp(sub, "remove") == 0
                                      ? &spec->rbcd.absent
                                      : &spec->rbcd.exact;

        spec->rbcd.given = 1;
        st = adkcd_sf_list_set(l, principals != NULL ? principals : none, &err);
    }
    if (st != ADKCD_OK) {
        rc = front_nomem(c);
        goto done;
    }
    rc = front_connect(c, &conn);
    if (rc != 0)
        goto done;
    st = adkcd_stateplan_make(conn, sf, a->req.force, &sp, &err);
    if (st != ADKCD_OK) {
        /* The first issue is the whole story of a one-account file. */
        if (sp != NULL && sp->n_issues > 0) {
            json_t *arr = json_array();

            for (k = 0; k < sp->n_issues; k++) {
                if (!c->json && k > 0) {
                    cli_printf(stderr, "adkcd: ");
                    cli_put_safe(stderr, sp->issues[k].message);
                    fputc('\n', stderr);
                }
                json_array_append_new(
                    arr,
                    json_pack("{s:s,s:o}", "kind",
                              adkcd_issue_kind_str(sp->issues[k].kind),
                              "message", cli_json_text(sp->issues[k].message)));
            }
            adkcd_err_set(&err, sp->issues[0].status, "%s",
                          sp->issues[0].message);
            if (sp->issues[0].kind == ADKCD_ISSUE_REFUSED)
                adkcd_err_hint(&err, ADKCD_HINT_FORCE);
            rc = cli_fail_with(c, &err, "problems", arr);
        } else {
            rc = cli_fail(c, &err);
        }
        goto done;
    }
    ch = adkcd_stateplan_change(sp, 0);
    w = &sp->wants[0];
    changed = !adkcd_plan_is_empty(sp->plan);
    if (changed && !c->dry_run) {
        st =
            cli_journal_open(c, conn, a->argc, a->argv, NULL, &j, &jpath, &err);
        if (st == ADKCD_OK)
            st = adkcd_engine_apply_conn(conn, sp->plan, j, NULL, &res, &err);
        cli_note_read_back(c, &res);
        if (st != ADKCD_OK) {
            rc = cli_fail_with(c, &err, "applied",
                               json_boolean(ch != NULL && ch->applied));
            front_rbcd_refusals(c, sp->plan);
            goto done;
        }
        changed = ch != NULL && ch->outcome == ADKCD_OUT_APPLIED;
    }
    /* Names for the output: every SID before and after. */
    /* The change is made: a failure to name the principals leaves them
     * named by their SIDs, it does not fail the command. */
    (void)want_names(conn, w, &nm, NULL);
    front_rbcd_warnings(c, warnings, conn, w, sp->accts[0]->sam);
    if (c->json) {
        json_t *doc =
            cli_json_change_doc(c,
                                strcmp(sub, "add") == 0      ? "rbcd add"
                                : strcmp(sub, "remove") == 0 ? "rbcd remove"
                                                             : "rbcd set",
                                changed, sp->accts[0]);

        json_object_update_new(doc, front_json_rbcd(conn, w));
        json_object_set_new(doc, "attempts",
                            json_integer(ch != NULL ? ch->attempts : 0));
        json_object_set_new(doc, "read_back_differs",
                            json_boolean(ch != NULL && ch->read_differs));
        cli_json_run(doc, j, jpath, changed && !c->dry_run);
        json_object_set_new(doc, "warnings", warnings);
        warnings = NULL;
        cli_json_print(doc);
    } else if (!changed) {
        cli_printf(stdout,
                   "unchanged: %s %s already allows (resource-based "
                   "delegation): ",
                   adkcd_account_class(sp->accts[0]), sp->accts[0]->sam);
        print_allowed(w->rbcd_before_present ? &w->rbcd_before : NULL, &nm);
        cli_printf(stdout, "\n");
    } else if (c->ldif) {
        if (cli_print_plan(c, sp->plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto done;
        }
        if (!c->dry_run)
            cli_printf(stderr, "adkcd: applied (run %s, journal %s)\n",
                       adkcd_journal_run_id(j), jpath);
    } else {
        cli_printf(stdout, "Account: %s\n", sp->accts[0]->how);
        cli_printf(stdout, "resource-based delegation: ");
        print_allowed(w->rbcd_before_present ? &w->rbcd_before : NULL, &nm);
        cli_printf(stdout, " -> ");
        print_allowed(w->rbcd_after.present ? &w->rbcd_after.value : NULL, &nm);
        cli_printf(stdout, "\n");
        print_changes(stdout, w, &nm, "  ");
        if (cli_print_plan(c, sp->plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto done;
        }
        if (c->dry_run)
            cli_printf(stdout, "dry run: nothing written\n");
        else
            cli_printf(stdout, "Updated object (run %s, journal %s)\n",
                       adkcd_journal_run_id(j), jpath);
    }
    if (ch != NULL)
        cli_note_read_differs(c, sp->plan);
    rc = c->dry_run && c->detailed_exitcode && changed ? CLI_EXIT_PENDING
                                                       : CLI_EXIT_OK;
done:
    adkcd_journal_close(j, rc == CLI_EXIT_OK || rc == CLI_EXIT_PENDING
                               ? ADKCD_OK
                               : ADKCD_E_DIRECTORY);
    json_decref(warnings);
    free(jpath);
    names_free(&nm);
    adkcd_strv_free(principals);
    adkcd_stateplan_free(sp);
    adkcd_statefile_free(sf);
    adkcd_conn_free(conn);
    return rc;
}

int
cmd_rbcd(struct cli_common *c, struct args *a)
{
    const char *sub = a->npos > 0 ? a->pos[0] : NULL;

    if (sub == NULL)
        return cli_usage_error(c, "rbcd needs show, add, remove or set, then "
                                  "ACCOUNT");
    if (strcmp(sub, "show") == 0) {
        if (c->dry_run || c->ldif || a->req.force)
            return cli_usage_error(c, "rbcd show only reads: it takes no "
                                      "--dry-run, --ldif or --force");
        return rbcd_show(c, a);
    }
    if (strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0 ||
        strcmp(sub, "set") == 0)
        return rbcd_change(c, a, sub);
    return cli_usage_error(c,
                           "unknown rbcd command '%s' (show, add, remove or "
                           "set)",
                           sub);
}
