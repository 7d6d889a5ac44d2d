/* adkcd: an account's outgoing Kerberos delegation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/deleg.h"
#include "adkcd/spn.h"
#include "adkcd/strv.h"
#include "buf.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

const char *
adkcd_deleg_mode_name(enum adkcd_deleg_mode mode)
{
    switch (mode) {
    case ADKCD_DELEG_NONE:
        return "none";
    case ADKCD_DELEG_UNCONSTRAINED:
        return "unconstrained";
    case ADKCD_DELEG_CONSTRAINED:
        return "constrained";
    }
    return "none";
}

enum adkcd_deleg_mode
adkcd_deleg_mode_of(const struct adkcd_deleg *d)
{
    /* The KDC honours TRUSTED_FOR_DELEGATION whatever else is set. */
    if (d->uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION)
        return ADKCD_DELEG_UNCONSTRAINED;
    if (adkcd_strv_len(d->services) > 0)
        return ADKCD_DELEG_CONSTRAINED;
    return ADKCD_DELEG_NONE;
}

int
adkcd_deleg_any_protocol(const struct adkcd_deleg *d)
{
    return (d->uac & ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) != 0;
}

const char *
adkcd_deleg_describe(const struct adkcd_deleg *d)
{
    switch (adkcd_deleg_mode_of(d)) {
    case ADKCD_DELEG_UNCONSTRAINED:
        return "unconstrained (any service)";
    case ADKCD_DELEG_CONSTRAINED:
        return adkcd_deleg_any_protocol(d)
                   ? "constrained (use any authentication protocol)"
                   : "constrained (Kerberos only)";
    case ADKCD_DELEG_NONE:
        break;
    }
    return "none";
}

void
adkcd_deleg_clear(struct adkcd_deleg *d)
{
    adkcd_strv_free(d->services);
    d->services = NULL;
    d->uac = 0;
}

adkcd_status
adkcd_deleg_from_account(const struct adkcd_account *acct,
                         struct adkcd_deleg *d, struct adkcd_err *err)
{
    d->uac = acct->uac;
    d->services = adkcd_strv_dup(acct->delegate_to);
    return d->services != NULL ? ADKCD_OK : NOMEM(err);
}

/* A problem of the request: its id, and a message naming no option. */
static adkcd_status
problem(enum adkcd_deleg_problem *out, enum adkcd_deleg_problem id,
        struct adkcd_err *err, const char *msg)
{
    if (out != NULL)
        *out = id;
    return adkcd_err_set(err, ADKCD_E_USAGE, "%s", msg);
}

adkcd_status
adkcd_deleg_check_request(const struct adkcd_deleg_request *req,
                          enum adkcd_deleg_problem *problem_out,
                          struct adkcd_err *err)
{
    size_t i;
    adkcd_status st;

    if (problem_out != NULL)
        *problem_out = ADKCD_DP_NONE;
    for (i = 0; req->services != NULL && req->services[i] != NULL; i++) {
        st = adkcd_spn_check(req->services[i], err);
        if (st != ADKCD_OK) {
            if (problem_out != NULL)
                *problem_out = ADKCD_DP_BAD_SERVICE;
            adkcd_err_prefix(err, "service %zu", i + 1);
            return st;
        }
    }
    switch (req->verb) {
    case ADKCD_DELEG_ADD:
    case ADKCD_DELEG_REMOVE:
        if (adkcd_strv_len(req->services) == 0)
            return problem(problem_out, ADKCD_DP_NO_SERVICE, err,
                           "name at least one SERVICE (an SPN such as "
                           "http/iosmdm.mydom.local)");
        break;
    case ADKCD_DELEG_SET:
        if (req->mode == ADKCD_DELEG_CONSTRAINED &&
            adkcd_strv_len(req->services) == 0)
            return problem(problem_out, ADKCD_DP_CONSTRAINED_NO_SERVICES, err,
                           "constrained delegation needs at least one "
                           "service");
        if (req->mode != ADKCD_DELEG_CONSTRAINED && req->services_given)
            return problem(problem_out, ADKCD_DP_SERVICES_NOT_CONSTRAINED, err,
                           "a list of services goes with constrained "
                           "delegation only");
        if (req->mode != ADKCD_DELEG_CONSTRAINED && req->pt != ADKCD_PT_KEEP)
            return problem(problem_out, ADKCD_DP_PT_NOT_CONSTRAINED, err,
                           "a protocol-transition choice goes with "
                           "constrained delegation only");
        break;
    }
    return ADKCD_OK;
}

/* v plus the values of add not in v (nocase), minus those in del. */
static adkcd_status
merge(char *const *v, char *const *add, char *const *del, char ***out,
      struct adkcd_err *err)
{
    char **r = NULL;
    size_t i;

    *out = NULL;
    for (i = 0; v != NULL && v[i] != NULL; i++) {
        if (adkcd_strv_find_nocase(del, v[i]) >= 0 ||
            adkcd_strv_find_nocase(r, v[i]) >= 0)
            continue;
        if (adkcd_strv_add(&r, v[i]) != 0)
            goto nomem;
    }
    for (i = 0; add != NULL && add[i] != NULL; i++) {
        if (adkcd_strv_find_nocase(r, add[i]) >= 0)
            continue;
        if (adkcd_strv_add(&r, add[i]) != 0)
            goto nomem;
    }
    if (r == NULL)
        r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NOMEM(err);
    *out = r;
    return ADKCD_OK;
nomem:
    adkcd_strv_free(r);
    return NOMEM(err);
}

static unsigned
with_pt(unsigned uac, enum adkcd_deleg_pt pt)
{
    if (pt == ADKCD_PT_ANY)
        return uac | ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION;
    if (pt == ADKCD_PT_KERBEROS)
        return uac & ~ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION;
    return uac;
}

adkcd_status
adkcd_deleg_desired(const struct adkcd_deleg *cur,
                    const struct adkcd_deleg_request *req,
                    struct adkcd_deleg *want, struct adkcd_err *err)
{
    char *const none[] = {NULL};
    unsigned uac = cur->uac;
    adkcd_status st = ADKCD_OK;

    want->uac = 0;
    want->services = NULL;
    switch (req->verb) {
    case ADKCD_DELEG_ADD:
        /* Constrained is a radio button: it switches unconstrained off. */
        st = merge(cur->services, req->services, NULL, &want->services, err);
        uac &= ~ADKCD_UAC_TRUSTED_FOR_DELEGATION;
        uac = with_pt(uac, req->pt);
        break;
    case ADKCD_DELEG_REMOVE:
        st = merge(cur->services, NULL, req->services, &want->services, err);
        /* No service left: the mode is none, and protocol transition
         * without services would only be a trap for later. */
        if (st == ADKCD_OK && want->services[0] == NULL &&
            !(uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION))
            uac &= ~ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION;
        break;
    case ADKCD_DELEG_SET:
        switch (req->mode) {
        case ADKCD_DELEG_NONE:
            st = merge(none, NULL, NULL, &want->services, err);
            uac &= ~ADKCD_DELEG_UAC_MASK;
            break;
        case ADKCD_DELEG_UNCONSTRAINED:
            st = merge(none, NULL, NULL, &want->services, err);
            uac &= ~ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION;
            uac |= ADKCD_UAC_TRUSTED_FOR_DELEGATION;
            break;
        case ADKCD_DELEG_CONSTRAINED: {
            /* Exactly the services given; those already there keep their
             * stored spelling, so that nothing is rewritten for case. */
            char **keep = NULL;
            size_t i;

            for (i = 0; st == ADKCD_OK && cur->services != NULL &&
                        cur->services[i] != NULL;
                 i++) {
                if (adkcd_strv_find_nocase(req->services, cur->services[i]) >=
                        0 &&
                    adkcd_strv_add(&keep, cur->services[i]) != 0)
                    st = NOMEM(err);
            }
            if (st == ADKCD_OK)
                st = merge(keep, req->services, NULL, &want->services, err);
            adkcd_strv_free(keep);
            uac &= ~ADKCD_UAC_TRUSTED_FOR_DELEGATION;
            uac = with_pt(uac, req->pt);
            break;
        }
        }
        break;
    }
    if (st != ADKCD_OK) {
        adkcd_deleg_clear(want);
        return st;
    }
    want->uac = uac;
    return ADKCD_OK;
}

adkcd_status
adkcd_deleg_check_safety(const struct adkcd_account *acct,
                         const struct adkcd_deleg *cur,
                         const struct adkcd_deleg *want, int force,
                         struct adkcd_err *err)
{
    unsigned gained = want->uac & ~cur->uac & ADKCD_DELEG_UAC_MASK;
    const char *what;
    const char *who;

    if (force)
        return ADKCD_OK;
    /* A DC's own delegation is the domain's business: the KDC and
     * replication rely on it, and constrained delegation replaces it. */
    if (adkcd_uac_is_dc(acct->uac) &&
        (cur->uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION) &&
        !(want->uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION)) {
        adkcd_err_set(err, ADKCD_E_ACCESS,
                      "refusing to switch off unconstrained delegation of a "
                      "domain controller (%s): domain controllers need it",
                      acct->dn);
        adkcd_err_hint(err, ADKCD_HINT_FORCE);
        return ADKCD_E_ACCESS;
    }
    if (gained == 0)
        return ADKCD_OK;
    if (adkcd_uac_is_dc(acct->uac))
        who = "a domain controller";
    else if (adkcd_uac_is_krbtgt(acct->sam, acct->rodc_linked))
        who = "a KDC's own account (krbtgt)";
    else
        return ADKCD_OK;
    what = (gained & ADKCD_UAC_TRUSTED_FOR_DELEGATION)
               ? "unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000)"
               : "protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION "
                 "0x1000000)";
    adkcd_err_set(err, ADKCD_E_ACCESS,
                  "refusing to give %s to %s (%s): it could then impersonate "
                  "any user to the services it may reach",
                  what, who, acct->dn);
    adkcd_err_hint(err, ADKCD_HINT_FORCE);
    return ADKCD_E_ACCESS;
}

adkcd_status
adkcd_deleg_plan(struct adkcd_plan *plan, const struct adkcd_account *acct,
                 const struct adkcd_deleg *cur, const struct adkcd_deleg *want,
                 struct adkcd_err *err)
{
    struct adkcd_change *c = NULL;
    char label[600];
    adkcd_status st;

    snprintf(label, sizeof(label), "%s %s", adkcd_account_class(acct),
             acct->sam);
    st = adkcd_plan_change(plan, acct->dn, label, &c, err);
    if (st != ADKCD_OK)
        return st;
    return adkcd_deleg_plan_change(c, cur, want, err);
}

adkcd_status
adkcd_deleg_plan_change(struct adkcd_change *c, const struct adkcd_deleg *cur,
                        const struct adkcd_deleg *want, struct adkcd_err *err)
{
    char oldv[ADKCD_UAC_STRLEN], newv[ADKCD_UAC_STRLEN];
    adkcd_status st;
    struct adkcd_change probe;

    adkcd_uac_format(cur->uac, oldv);
    adkcd_uac_format(want->uac, newv);
    /* Do the services really change?  Spellings that differ only in case
     * are one service, and a guard alone would change nothing. */
    memset(&probe, 0, sizeof(probe));
    probe.dn = c->dn;
    st = adkcd_change_set_values(
        &probe, ADKCD_DELEG_ATTR, cur->services, cur->services[0] != NULL,
        want->services, want->services[0] != NULL, ADKCD_CMP_NOCASE, err);
    /* The flags are part of the state the services were planned against:
     * swap them, or at least guard them, so that the modify fails (and is
     * retried) when another writer changed them in between. */
    if (st == ADKCD_OK && cur->uac != want->uac)
        st = adkcd_change_swap(c, ADKCD_UAC_ATTR, oldv, newv, err);
    else if (st == ADKCD_OK && probe.n_ops > 0)
        st = adkcd_change_guard(c, ADKCD_UAC_ATTR, oldv, err);
    adkcd_change_reset(&probe);
    if (st == ADKCD_OK)
        st = adkcd_change_set_values(
            c, ADKCD_DELEG_ATTR, cur->services, cur->services[0] != NULL,
            want->services, want->services[0] != NULL, ADKCD_CMP_NOCASE, err);
    return st;
}

adkcd_status
adkcd_deleg_after_change(const struct adkcd_change *c,
                         const struct adkcd_deleg *before,
                         struct adkcd_deleg *after, struct adkcd_err *err)
{
    const struct adkcd_image *u = adkcd_change_image(c, ADKCD_UAC_ATTR);
    const struct adkcd_image *s = adkcd_change_image(c, ADKCD_DELEG_ATTR);
    /* What the DC holds: the read-back after a write, else the plan. */
    const struct adkcd_vals *uv = u == NULL      ? NULL
                                  : u->have_read ? &u->read
                                                 : &u->after;
    const struct adkcd_vals *sv = s == NULL      ? NULL
                                  : s->have_read ? &s->read
                                                 : &s->after;

    after->services = NULL;
    if (uv == NULL || uv->n == 0 ||
        adkcd_uac_parse(uv->v[0].data, &after->uac) != 0)
        after->uac = before->uac;
    after->services =
        s != NULL ? adkcd_vals_to_strv(sv) : adkcd_strv_dup(before->services);
    if (after->services == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return ADKCD_OK;
}

size_t
adkcd_deleg_findings(unsigned uac, const struct adkcd_deleg *d,
                     enum adkcd_deleg_finding out[ADKCD_DF_MAX])
{
    enum adkcd_deleg_mode mode = adkcd_deleg_mode_of(d);
    size_t n = 0;

    if (mode == ADKCD_DELEG_UNCONSTRAINED) {
        /* Only a writable DC is meant to have it: a read-only DC exists to
         * hold no secret worth stealing. */
        out[n++] = adkcd_uac_is_writable_dc(uac) ? ADKCD_DF_DC_EXPECTED
                                                 : ADKCD_DF_UNCONSTRAINED;
        if (d->services[0] != NULL)
            out[n++] = ADKCD_DF_UNCONSTRAINED_LIST;
    }
    /* A read-only DC's account is created with protocol transition and no
     * service (userAccountControl 0x5001000). */
    if (mode == ADKCD_DELEG_NONE && adkcd_deleg_any_protocol(d))
        out[n++] =
            adkcd_uac_is_rodc(uac) ? ADKCD_DF_DC_EXPECTED : ADKCD_DF_PT_ALONE;
    if (adkcd_uac_is_disabled(uac))
        out[n++] = ADKCD_DF_DISABLED;
    return n;
}

enum adkcd_service_finding
adkcd_service_finding(int valid, size_t holders)
{
    if (!valid)
        return ADKCD_SVC_INVALID;
    if (holders == 0)
        return ADKCD_SVC_UNHELD;
    return holders > 1 ? ADKCD_SVC_DUPLICATE : ADKCD_SVC_OK;
}

adkcd_status
adkcd_rbcd_check_safety(const struct adkcd_account *t, int adds, int force,
                        struct adkcd_err *err)
{
    const char *who;

    if (force || !adds)
        return ADKCD_OK;
    if (adkcd_uac_is_dc(t->uac))
        who = "a domain controller";
    else if (adkcd_uac_is_krbtgt(t->sam, t->rodc_linked))
        who = "a KDC's own account (krbtgt)";
    else
        return ADKCD_OK;
    adkcd_err_set(err, ADKCD_E_ACCESS,
                  "refusing to allow resource-based delegation to %s (%s): "
                  "the principals allowed could impersonate any user to its "
                  "services",
                  who, t->dn);
    adkcd_err_hint(err, ADKCD_HINT_FORCE);
    return ADKCD_E_ACCESS;
}

unsigned
adkcd_rbcd_principal_notes(unsigned uac, int has_uac)
{
    unsigned notes = 0;

    if (!has_uac)
        return 0;
    if (adkcd_uac_is_disabled(uac))
        notes |= ADKCD_RBCD_NOTE_DISABLED;
    if (adkcd_uac_is_dc(uac))
        notes |= ADKCD_RBCD_NOTE_DC;
    else if (uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION)
        notes |= ADKCD_RBCD_NOTE_UNCONSTRAINED;
    return notes;
}
