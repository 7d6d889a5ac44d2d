/* adkcd: planning one account toward what is wanted of it (pure). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/strv.h"
#include "adkcd/want.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")
#define SPN_ATTR "servicePrincipalName"
#define UAC_ATTR "userAccountControl"

char *const adkcd_want_attrs[] = {SPN_ATTR, UAC_ATTR, ADKCD_DELEG_ATTR, NULL};

void
adkcd_want_clear(struct adkcd_want *w)
{
    adkcd_strv_free(w->spns_before);
    adkcd_strv_free(w->spns_after);
    adkcd_deleg_clear(&w->deleg_before);
    adkcd_deleg_clear(&w->deleg_after);
    w->spns_before = w->spns_after = NULL;
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

    w->deleg_before.uac = u != NULL ? (unsigned)strtoul(u, NULL, 10) : 0;
    /* userAccountControl is a signed 32-bit integer in LDAP syntax. */
    if (u != NULL && u[0] == '-')
        w->deleg_before.uac = (unsigned)(int32_t)strtol(u, NULL, 10);
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

adkcd_status
adkcd_want_plan(void *want, const struct adkcd_entry *now,
                struct adkcd_change *c, struct adkcd_err *err)
{
    struct adkcd_want *w = want;
    adkcd_status st = ADKCD_OK;

    adkcd_want_clear(w);
    if (w->spec->spns.given)
        st = plan_spns(w, now, c, err);
    if (st == ADKCD_OK && w->spec->deleg.given)
        st = plan_deleg(w, now, c, err);
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
    char uac[16];

    if (e == NULL)
        return NULL;
    snprintf(uac, sizeof(uac), "%d", (int32_t)acct->uac);
    if (put(e, SPN_ATTR, acct->spns) != 0 ||
        put(e, ADKCD_DELEG_ATTR, acct->delegate_to) != 0 ||
        (acct->has_uac &&
         adkcd_entry_add(e, UAC_ATTR, uac, strlen(uac)) != 0)) {
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

    if (change_out != NULL)
        *change_out = NULL;
    if (now == NULL)
        return NOMEM(err);
    snprintf(label, sizeof(label), "%s %s", adkcd_account_class(w->acct),
             w->acct->sam);
    st = adkcd_plan_change(plan, w->acct->dn, label, &c, err);
    if (st == ADKCD_OK)
        st = adkcd_want_plan(w, now, c, err);
    if (st == ADKCD_OK)
        st = adkcd_change_set_replan(c, adkcd_want_plan, w, adkcd_want_attrs,
                                     err);
    adkcd_entry_free(now);
    if (st == ADKCD_OK && change_out != NULL)
        *change_out = c;
    return st;
}
