/* adkcd: planning one account toward what is wanted of it (pure). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/spn.h"
#include "adkcd/strv.h"
#include "adkcd/want.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")
#define SPN_ATTR "servicePrincipalName"
#define UAC_ATTR ADKCD_UAC_ATTR

char *const adkcd_want_attrs[] = {SPN_ATTR, UAC_ATTR, ADKCD_DELEG_ATTR,
                                  ADKCD_RBCD_ATTR, NULL};

void
adkcd_want_clear(struct adkcd_want *w)
{
    adkcd_strv_free(w->spns_before);
    adkcd_strv_free(w->spns_after);
    adkcd_deleg_clear(&w->deleg_before);
    adkcd_deleg_clear(&w->deleg_after);
    w->spns_before = w->spns_after = NULL;
    free(w->rbcd_before.data);
    w->rbcd_before.data = NULL;
    w->rbcd_before.len = 0;
    w->rbcd_before_present = 0;
    adkcd_sd_edit_result_clear(&w->rbcd_after);
}

/* attr of now as a strv (empty, never NULL, when absent). */
static char **
text_of(const struct adkcd_entry *now, const char *attr)
{
    return adkcd_vals_to_strv(adkcd_entry_vals(now, attr));
}

static adkcd_status
plan_spns(struct adkcd_want *w, const struct adkcd_entry *now,
          struct adkcd_change *c, struct adkcd_err *err)
{
    int changed = 0; /* the images say it */
    adkcd_status st;

    w->spns_before = text_of(now, SPN_ATTR);
    if (w->spns_before == NULL)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "%s: a servicePrincipalName value is not text",
                             c->dn);
    st = adkcd_statefile_spns_desired(w->spns_before, &w->spec->spns,
                                      &w->spns_after, &changed, err);
    /* Planned even when nothing changes: the image says what is there. */
    if (st != ADKCD_OK)
        return st;
    return adkcd_change_set_values(
        c, SPN_ATTR, w->spns_before, w->spns_before[0] != NULL, w->spns_after,
        w->spns_after[0] != NULL, ADKCD_CMP_NOCASE, err);
}

static adkcd_status
plan_deleg(struct adkcd_want *w, const struct adkcd_entry *now,
           struct adkcd_change *c, struct adkcd_err *err)
{
    const char *u = adkcd_entry_str(now, UAC_ATTR);
    struct adkcd_account acct = *w->acct;
    int changed = 0; /* the plan says it */
    adkcd_status st;

    if (u != NULL && adkcd_uac_parse(u, &w->deleg_before.uac) != 0)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "%s: its %s is not an integer: %s", c->dn,
                             UAC_ATTR, u);
    w->deleg_before.services = text_of(now, ADKCD_DELEG_ATTR);
    if (w->deleg_before.services == NULL)
        return adkcd_err_set(err, ADKCD_E_INVALID, "%s: a %s value is not text",
                             c->dn, ADKCD_DELEG_ATTR);
    st = adkcd_statefile_deleg_desired(&w->deleg_before, &w->spec->deleg,
                                       &w->deleg_after, &changed, err);
    if (st != ADKCD_OK)
        return st;
    /* The safety rules judge the account as it is now. */
    acct.uac = w->deleg_before.uac;
    st = adkcd_deleg_check_safety(&acct, &w->deleg_before, &w->deleg_after,
                                  w->force, err);
    if (st != ADKCD_OK)
        return st;
    return adkcd_deleg_plan_change(c, &w->deleg_before, &w->deleg_after, err);
}

static adkcd_status
plan_rbcd(struct adkcd_want *w, const struct adkcd_entry *now,
          struct adkcd_change *c, struct adkcd_err *err)
{
    const struct adkcd_vals *v = adkcd_entry_vals(now, ADKCD_RBCD_ATTR);
    const struct adkcd_val *cur = v != NULL && v->n > 0 ? &v->v[0] : NULL;
    const char *u = adkcd_entry_str(now, UAC_ATTR);
    struct adkcd_account acct = *w->acct;
    adkcd_status st;
    size_t i;

    if (cur != NULL) {
        w->rbcd_before.data = malloc(cur->len + 1);
        if (w->rbcd_before.data == NULL)
            return NOMEM(err);
        memcpy(w->rbcd_before.data, cur->data, cur->len);
        w->rbcd_before.data[cur->len] = '\0';
        w->rbcd_before.len = cur->len;
        w->rbcd_before_present = 1;
    }
    st = adkcd_sd_edit(cur, &w->rbcd_edit, &w->rbcd_after, err);
    if (st != ADKCD_OK) {
        adkcd_err_prefix(err, "%s: %s", c->dn, ADKCD_RBCD_ATTR);
        return st;
    }
    for (i = 0; w->rbcd_after.added != NULL && w->rbcd_after.added[i] != NULL;
         i++) {
        long at = w->rbcd_unknown != NULL
                      ? adkcd_strv_find_nocase(w->rbcd_unknown,
                                               w->rbcd_after.added[i])
                      : -1;

        if (at >= 0)
            w->rbcd_refused = w->rbcd_unknown[at];
        if (at >= 0)
            return adkcd_err_set(
                err, ADKCD_E_NOTFOUND,
                "rbcd: no object has the SID %s: it cannot be allowed to "
                "delegate (a SID of another domain or of a deleted account "
                "can only be removed)",
                w->rbcd_after.added[i]);
    }
    /* The safety rules judge the account as it is now. */
    if (u != NULL && adkcd_uac_parse(u, &acct.uac) != 0)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "%s: its %s is not an integer: %s", c->dn,
                             UAC_ATTR, u);
    st = adkcd_rbcd_check_safety(&acct, w->rbcd_after.added != NULL, w->force,
                                 err);
    if (st != ADKCD_OK)
        return st;
    return adkcd_change_swap_val(
        c, ADKCD_RBCD_ATTR, cur,
        w->rbcd_after.present ? &w->rbcd_after.value : NULL, err);
}

void
adkcd_want_free_checked(struct adkcd_want *w)
{
    adkcd_strv_free(w->checked_adds);
    w->checked_adds = NULL;
}

/* What is added must be a valid SPN: an exact list may keep malformed
 * values the account holds, never write new ones (the DC takes any
 * string as a service). */
static adkcd_status
adds_are_spns(const struct adkcd_change *c, struct adkcd_err *err)
{
    struct adkcd_err why;
    size_t i;

    for (i = 0; i < c->n_ops; i++) {
        const struct adkcd_op *op = &c->ops[i];

        if (op->kind != ADKCD_OP_ADD ||
            (strcasecmp(op->attr, SPN_ATTR) != 0 &&
             strcasecmp(op->attr, ADKCD_DELEG_ATTR) != 0))
            continue;
        adkcd_err_clear(&why);
        if (adkcd_spn_check(op->value.data, &why) != ADKCD_OK)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "%s cannot be added to %s of %s: %s",
                                 op->value.data, op->attr, c->dn, why.msg);
    }
    return ADKCD_OK;
}

/* A re-plan may add only SPNs that were checked for holders elsewhere. */
static adkcd_status
only_checked(const struct adkcd_want *w, const struct adkcd_change *c,
             struct adkcd_err *err)
{
    size_t i;

    for (i = 0; w->checked_adds != NULL && i < c->n_ops; i++) {
        const struct adkcd_op *op = &c->ops[i];

        if (op->kind == ADKCD_OP_ADD && strcasecmp(op->attr, SPN_ATTR) == 0 &&
            adkcd_strv_find_nocase(w->checked_adds, op->value.data) < 0)
            return adkcd_err_set(err, ADKCD_E_CONFLICT,
                                 "%s changed while it was being written: %s "
                                 "would now be added, which was not checked "
                                 "for duplicates; nothing of it was written, "
                                 "run again",
                                 c->dn, op->value.data);
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_want_plan(void *want, const struct adkcd_entry *now,
                struct adkcd_change *c, struct adkcd_err *err)
{
    struct adkcd_want *w = want;
    adkcd_status st = ADKCD_OK;

    adkcd_want_clear(w);
    w->rbcd_refused = NULL;
    if (w->spec->spns.given)
        st = plan_spns(w, now, c, err);
    if (st == ADKCD_OK && w->spec->deleg.given)
        st = plan_deleg(w, now, c, err);
    if (st == ADKCD_OK && w->spec->rbcd.given)
        st = plan_rbcd(w, now, c, err);
    if (st == ADKCD_OK)
        st = adds_are_spns(c, err);
    if (st == ADKCD_OK)
        st = only_checked(w, c, err);
    return st;
}

/* Add the values of v (a strv) to attr of e. */
static int
put(struct adkcd_entry *e, const char *attr, char *const *v)
{
    size_t i;

    for (i = 0; v != NULL && v[i] != NULL; i++) {
        if (adkcd_entry_add(e, attr, v[i], strlen(v[i])) != 0)
            return -1;
    }
    return 0;
}

struct adkcd_entry *
adkcd_account_entry(const struct adkcd_account *acct)
{
    struct adkcd_entry *e = adkcd_entry_new(acct->dn);
    char uac[ADKCD_UAC_STRLEN];

    if (e == NULL)
        return NULL;
    adkcd_uac_format(acct->uac, uac);
    if (put(e, SPN_ATTR, acct->spns) != 0 ||
        put(e, ADKCD_DELEG_ATTR, acct->delegate_to) != 0 ||
        (acct->has_uac &&
         adkcd_entry_add(e, UAC_ATTR, uac, strlen(uac)) != 0) ||
        (acct->rbcd_present && acct->rbcd.data != NULL &&
         adkcd_entry_add(e, ADKCD_RBCD_ATTR, acct->rbcd.data, acct->rbcd.len) !=
             0)) {
        adkcd_entry_free(e);
        return NULL;
    }
    return e;
}

adkcd_status
adkcd_want_spec_spns(struct adkcd_sf_account *spec, char *const *present,
                     char *const *absent, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;

    spec->spns.given = 1;
    if (present != NULL)
        st = adkcd_sf_list_set(&spec->spns.present, present, err);
    if (st == ADKCD_OK && absent != NULL)
        st = adkcd_sf_list_set(&spec->spns.absent, absent, err);
    return st;
}

adkcd_status
adkcd_want_spec_deleg(struct adkcd_sf_account *spec,
                      const struct adkcd_deleg_request *req,
                      struct adkcd_err *err)
{
    struct adkcd_sf_deleg *d = &spec->deleg;

    d->given = 1;
    d->pt = req->pt;
    switch (req->verb) {
    case ADKCD_DELEG_ADD:
        d->services.given = 1;
        return adkcd_sf_list_set(&d->services.present, req->services, err);
    case ADKCD_DELEG_REMOVE:
        d->services.given = 1;
        return adkcd_sf_list_set(&d->services.absent, req->services, err);
    case ADKCD_DELEG_SET:
        d->mode_given = 1;
        d->mode = req->mode;
        if (!req->services_given)
            return ADKCD_OK;
        d->services.given = 1;
        return adkcd_sf_list_set(&d->services.exact, req->services, err);
    }
    return adkcd_err_set(err, ADKCD_E_USAGE, "unknown delegation verb");
}

adkcd_status
adkcd_want_plan_into(struct adkcd_plan *plan, struct adkcd_want *w,
                     struct adkcd_change **change_out, struct adkcd_err *err)
{
    struct adkcd_entry *now = adkcd_account_entry(w->acct);
    struct adkcd_change *c = NULL;
    char label[600];
    adkcd_status st;
    size_t i;

    if (change_out != NULL)
        *change_out = NULL;
    if (now == NULL)
        return NOMEM(err);
    snprintf(label, sizeof(label), "%s %s", adkcd_account_class(w->acct),
             w->acct->sam);
    st = adkcd_plan_change(plan, w->acct->dn, label, &c, err);
    adkcd_want_free_checked(w);
    if (st == ADKCD_OK)
        st = adkcd_want_plan(w, now, c, err);
    /* What this first plan adds is what the caller checks. */
    for (i = 0; st == ADKCD_OK && i < c->n_ops; i++) {
        if (c->ops[i].kind == ADKCD_OP_ADD &&
            strcasecmp(c->ops[i].attr, SPN_ATTR) == 0 &&
            adkcd_strv_add(&w->checked_adds, c->ops[i].value.data) != 0)
            st = NOMEM(err);
    }
    if (st == ADKCD_OK && w->checked_adds == NULL)
        w->checked_adds = calloc(1, sizeof(char *));
    if (st == ADKCD_OK && w->checked_adds == NULL)
        st = NOMEM(err);
    if (st == ADKCD_OK)
        st = adkcd_change_set_replan(c, adkcd_want_plan, w, adkcd_want_attrs,
                                     err);
    adkcd_entry_free(now);
    if (st == ADKCD_OK && change_out != NULL)
        *change_out = c;
    return st;
}
