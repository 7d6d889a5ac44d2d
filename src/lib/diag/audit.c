/*
 * adkcd: every Kerberos delegation in a domain or forest, with risk labels.
 *
 * Two steps.  adkcd_audit_run() reads: one paged search for the accounts
 * that delegate (either flag, either attribute), then what the directory
 * says about every distinct service (its holders, alias-aware, all
 * services with a few searches of up to 100 OR-ed terms each) and, once
 * per distinct SID, the object it names, and once the domain controllers
 * and krbtgt accounts.  adkcd_audit_assess() then
 * judges, without LDAP, from those facts alone, so the rules are tested
 * without a directory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/account.h"
#include "adkcd/audit.h"
#include "adkcd/deleg.h"
#include "adkcd/sd.h"
#include "adkcd/spn.h"
#include "adkcd/spnreg.h"
#include "adkcd/strv.h"
#include "buf.h"
#include "ldapx.h"
#include "lookup.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

#define RBCD_ATTR "msDS-AllowedToActOnBehalfOfOtherIdentity"
#define A2D_ATTR "msDS-AllowedToDelegateTo"

/* The bitwise-AND matching rule (LDAP_MATCHING_RULE_BIT_AND). */
#define BIT_AND "1.2.840.113556.1.4.803"

static const char *const kind_names[ADKCD_AUDIT_N_KINDS] = {
    "unconstrained",
    "constrained",
    "constrained-any-protocol",
    "resource-based",
};

static const char *const severity_names[ADKCD_AUDIT_N_SEVERITIES] = {
    "info", "low", "medium", "high", "critical",
};

/* The labels, in general terms (the man page has the same list). */
static const struct {
    const char *id;
    const char *text;
} risk_table[] = {
    {"dc-expected", "expected: a domain controller's own delegation "
                    "(every writable DC is trusted for unconstrained "
                    "delegation; every read-only DC has protocol "
                    "transition without any service)"},
    {"unconstrained", "unconstrained delegation on an account that is not a "
                      "writable domain controller: it receives the TGT of "
                      "every user who authenticates to it and may use it "
                      "anywhere (on a read-only DC, that defeats the "
                      "isolation it exists for)"},
    {"protocol-transition", "protocol transition: the account can "
                            "impersonate any user to its services without "
                            "that user's password or ticket"},
    {"delegation-to-dc", "delegation to a service of a domain controller: "
                         "as the service name in a ticket is not protected, "
                         "that reaches ldap/ and cifs/ of the DC too, i.e. "
                         "the domain"},
    {"delegation-to-krbtgt", "delegation to krbtgt: tickets for it are TGTs "
                             "of the impersonated users"},
    {"service-unheld", "a service that no account holds: stale or "
                       "misspelled; whoever registers it on an account they "
                       "control receives the delegated tickets"},
    {"service-duplicate", "a service held by several accounts: the KDC "
                          "cannot issue tickets for it"},
    {"service-invalid", "a value that is not an SPN: delegation to it "
                        "cannot work"},
    {"rbcd-on-dc", "resource-based delegation to a domain controller: the "
                   "principals allowed can impersonate anyone to it"},
    {"rbcd-broad-principal", "resource-based delegation allowed to a broad "
                             "group (Everyone, Authenticated Users, Domain "
                             "Users, Domain Computers...): any member can "
                             "impersonate anyone to the account"},
    {"rbcd-unresolved", "resource-based delegation allowed to a SID that "
                        "names no object: a deleted account, or one of "
                        "another forest"},
    {"rbcd-conditional", "resource-based delegation allowed by a "
                         "conditional ACE: whether the principal may "
                         "delegate depends on a condition adkcd does not "
                         "evaluate"},
    {"rbcd-unknown-ace", "the resource-based delegation descriptor holds "
                         "ACEs of a type adkcd does not interpret: whom "
                         "they allow is not listed"},
    {"rbcd-unreadable", "the resource-based delegation descriptor cannot "
                        "be parsed: who may delegate to the account is "
                        "unknown"},
};

const char *
adkcd_audit_kind_name(enum adkcd_audit_kind kind)
{
    if ((unsigned)kind >= ADKCD_AUDIT_N_KINDS)
        return "unknown";
    return kind_names[kind];
}

const char *
adkcd_audit_severity_name(enum adkcd_audit_severity sev)
{
    if ((unsigned)sev >= ADKCD_AUDIT_N_SEVERITIES)
        return "unknown";
    return severity_names[sev];
}

const char *
adkcd_audit_risk_explain(const char *id)
{
    size_t i;

    for (i = 0; id != NULL && i < sizeof(risk_table) / sizeof(risk_table[0]);
         i++)
        if (strcmp(risk_table[i].id, id) == 0)
            return risk_table[i].text;
    return NULL;
}

/* ---- the model ----------------------------------------------------- */

static void
risks_clear(struct adkcd_audit_risk **v, size_t *n)
{
    size_t i;

    for (i = 0; i < *n; i++)
        free((*v)[i].text);
    free(*v);
    *v = NULL;
    *n = 0;
}

static void
target_clear(struct adkcd_audit_target *t)
{
    free(t->value);
    adkcd_strv_free(t->holders);
    free(t->dc_holder);
    free(t->name);
    free(t->dn);
    risks_clear(&t->risks, &t->n_risks);
}

static void
entry_clear(struct adkcd_audit_entry *e)
{
    size_t i;

    free(e->dn);
    free(e->sam);
    free(e->domain);
    for (i = 0; i < e->n_targets; i++)
        target_clear(&e->targets[i]);
    free(e->targets);
    free(e->unreadable);
    free(e->unknown_aces);
    risks_clear(&e->risks, &e->n_risks);
}

void
adkcd_audit_free(struct adkcd_audit *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->n; i++)
        entry_clear(&a->v[i]);
    free(a->v);
    free(a->scope);
    adkcd_strv_free(a->warnings);
    adkcd_strv_free(a->gc_only_domains);
    free(a);
}

static adkcd_status
risk_add(struct adkcd_audit_risk **v, size_t *n, const char *id,
         enum adkcd_audit_severity sev, struct adkcd_err *err, const char *fmt,
         ...) __attribute__((format(printf, 6, 7)));

static adkcd_status
risk_add(struct adkcd_audit_risk **v, size_t *n, const char *id,
         enum adkcd_audit_severity sev, struct adkcd_err *err, const char *fmt,
         ...)
{
    struct adkcd_audit_risk *nv = realloc(*v, (*n + 1) * sizeof(*nv));
    char *text = NULL;
    va_list ap;
    int len;

    if (nv == NULL)
        return NOMEM(err);
    *v = nv;
    va_start(ap, fmt);
    len = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NOMEM(err);
    nv[*n].id = id;
    nv[*n].severity = sev;
    nv[*n].text = text;
    (*n)++;
    return ADKCD_OK;
}

/* A new zeroed entry at the end of a->v, or NULL. */
static struct adkcd_audit_entry *
entry_new(struct adkcd_audit *a)
{
    struct adkcd_audit_entry *v = realloc(a->v, (a->n + 1) * sizeof(*v));

    if (v == NULL)
        return NULL;
    a->v = v;
    memset(&v[a->n], 0, sizeof(v[a->n]));
    return &v[a->n++];
}

/* A new target with a copy of value, or NULL. */
static struct adkcd_audit_target *
target_new(struct adkcd_audit_entry *e, const char *value)
{
    struct adkcd_audit_target *v =
        realloc(e->targets, (e->n_targets + 1) * sizeof(*v));
    char *copy = strdup(value);

    if (v == NULL || copy == NULL) {
        free(copy);
        if (v != NULL)
            e->targets = v;
        return NULL;
    }
    e->targets = v;
    memset(&v[e->n_targets], 0, sizeof(v[e->n_targets]));
    v[e->n_targets].value = copy;
    return &v[e->n_targets++];
}

/* ---- judging (pure) ------------------------------------------------ */

/* The shared rule (adkcd_deleg_findings()) says e's state is as a DC's
 * is created. */
static int
expected(const struct adkcd_audit_entry *e)
{
    enum adkcd_deleg_finding f[ADKCD_DF_MAX];
    char *none[] = {NULL};
    struct adkcd_deleg d = {e->uac, none};
    size_t i, n = adkcd_deleg_findings(e->uac, &d, f);

    for (i = 0; i < n; i++) {
        if (f[i] == ADKCD_DF_DC_EXPECTED)
            return 1;
    }
    return 0;
}

static adkcd_status
assess_service(const struct adkcd_audit *a, struct adkcd_audit_entry *e,
               struct adkcd_audit_target *t, struct adkcd_err *err)
{
    size_t holders = adkcd_strv_len(t->holders);
    enum adkcd_service_finding f = adkcd_service_finding(!t->invalid, holders);

    if (f == ADKCD_SVC_INVALID)
        return risk_add(
            &t->risks, &t->n_risks, "service-invalid", ADKCD_SEV_LOW, err,
            "%s is not a valid SPN: delegation to it cannot work", t->value);
    if (t->krbtgt)
        return risk_add(&t->risks, &t->n_risks, "delegation-to-krbtgt",
                        ADKCD_SEV_CRITICAL, err,
                        "%s is the KDC's own service (krbtgt): %s can obtain "
                        "TGTs of the users it impersonates",
                        t->value, e->sam);
    if (t->dc_holder != NULL) {
        adkcd_status st = risk_add(
            &t->risks, &t->n_risks, "delegation-to-dc", ADKCD_SEV_CRITICAL, err,
            "%s is a service of domain controller %s: %s can impersonate "
            "users to it and, as the service name in a ticket is not "
            "protected, to any other service of that DC (ldap/, cifs/, "
            "host/)",
            t->value, t->dc_holder, e->sam);

        if (st != ADKCD_OK)
            return st;
    }
    if (f == ADKCD_SVC_UNHELD)
        return risk_add(&t->risks, &t->n_risks, "service-unheld",
                        ADKCD_SEV_MEDIUM, err,
                        "no account in the %s holds %s or an alias of it: "
                        "stale or misspelled, and whoever registers it on an "
                        "account they control receives the delegated "
                        "tickets",
                        a->forest ? "forest" : "domain", t->value);
    if (f == ADKCD_SVC_DUPLICATE)
        return risk_add(&t->risks, &t->n_risks, "service-duplicate",
                        ADKCD_SEV_LOW, err,
                        "%s is held by %zu accounts (duplicate SPN): the KDC "
                        "cannot issue tickets for it",
                        t->value, holders);
    return ADKCD_OK;
}

static adkcd_status
assess_principal(const struct adkcd_audit *a, struct adkcd_audit_entry *e,
                 struct adkcd_audit_target *t, struct adkcd_err *err)
{
    const char *wk = adkcd_sid_well_known(t->value);
    adkcd_status st = ADKCD_OK;

    if (adkcd_sid_is_broad(t->value))
        st = risk_add(&t->risks, &t->n_risks, "rbcd-broad-principal",
                      e->is_dc ? ADKCD_SEV_CRITICAL : ADKCD_SEV_HIGH, err,
                      "%s (%s) may delegate to %s: any account in it can "
                      "impersonate any user to %s's services",
                      t->value, wk, e->sam, e->sam);
    else if (t->dn == NULL && wk == NULL)
        st = risk_add(&t->risks, &t->n_risks, "rbcd-unresolved", ADKCD_SEV_LOW,
                      err,
                      "%s names no object in the %s: a deleted account, "
                      "or one of another forest",
                      t->value, a->forest ? "forest" : "domain");
    /* The condition (claims, group membership, device...) is in the ACE's
     * ApplicationData; the KDC evaluates it, adkcd does not. */
    if (st == ADKCD_OK && t->conditional)
        st = risk_add(&t->risks, &t->n_risks, "rbcd-conditional",
                      ADKCD_SEV_MEDIUM, err,
                      "%s may delegate to %s when the condition of a "
                      "conditional ACE holds, which adkcd does not "
                      "evaluate: read the descriptor",
                      t->name != NULL ? t->name : t->value, e->sam);
    return st;
}

/* One risk for the ACEs of a descriptor that are not interpreted. */
static adkcd_status
assess_unknown_aces(struct adkcd_audit_entry *e, struct adkcd_err *err)
{
    struct buf list = {0};
    adkcd_status st;
    char *text;
    size_t i;

    for (i = 0; i < e->n_unknown_aces; i++)
        buf_printf(&list, "%sACE %zu of type 0x%02x", i > 0 ? ", " : "",
                   e->unknown_aces[i].index, e->unknown_aces[i].type);
    text = buf_take(&list);
    if (text == NULL)
        return NOMEM(err);
    st =
        risk_add(&e->risks, &e->n_risks, "rbcd-unknown-ace", ADKCD_SEV_LOW, err,
                 "the %s of %s holds %s of a type adkcd does not "
                 "interpret (%s): whom %s is not listed; read the "
                 "descriptor",
                 RBCD_ATTR, e->sam, e->n_unknown_aces == 1 ? "an ACE" : "ACEs",
                 text, e->n_unknown_aces == 1 ? "it allows" : "they allow");
    free(text);
    return st;
}

static adkcd_status
assess_entry(const struct adkcd_audit *a, struct adkcd_audit_entry *e,
             struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t i;

    risks_clear(&e->risks, &e->n_risks);
    for (i = 0; i < e->n_targets; i++)
        risks_clear(&e->targets[i].risks, &e->targets[i].n_risks);
    switch (e->kind) {
    case ADKCD_AUDIT_UNCONSTRAINED:
        /* Only a writable DC (SERVER_TRUST_ACCOUNT) is meant to have it:
         * Samba refuses TRUSTED_FOR_DELEGATION with
         * PARTIAL_SECRETS_ACCOUNT, as a read-only DC exists to hold no
         * secret worth stealing. */
        if (expected(e))
            st = risk_add(&e->risks, &e->n_risks, "dc-expected", ADKCD_SEV_INFO,
                          err, "expected: domain controller");
        else if (e->is_rodc)
            st = risk_add(&e->risks, &e->n_risks, "unconstrained",
                          ADKCD_SEV_HIGH, err,
                          "%s is a read-only domain controller trusted for "
                          "unconstrained delegation: it receives the "
                          "forwardable TGTs of the users who authenticate "
                          "to it and can use them anywhere, which defeats "
                          "the isolation a read-only DC exists for",
                          e->sam);
        else
            st = risk_add(&e->risks, &e->n_risks, "unconstrained",
                          ADKCD_SEV_HIGH, err,
                          "%s receives the forwardable TGT of every user who "
                          "authenticates to it and can use it for any "
                          "service: prefer constrained delegation",
                          e->sam);
        break;
    case ADKCD_AUDIT_CONSTRAINED_ANY:
        /* A read-only DC's account is created with
         * TRUSTED_TO_AUTH_FOR_DELEGATION (userAccountControl 0x5001000)
         * and no service. */
        if (e->n_targets == 0 && !e->partial && expected(e))
            st = risk_add(&e->risks, &e->n_risks, "dc-expected", ADKCD_SEV_INFO,
                          err,
                          "expected: read-only domain controller (protocol "
                          "transition without any service)");
        else if (e->n_targets > 0 || e->partial)
            st = risk_add(&e->risks, &e->n_risks, "protocol-transition",
                          ADKCD_SEV_MEDIUM, err,
                          "%s can impersonate any user to its services "
                          "without that user's password or ticket "
                          "(TRUSTED_TO_AUTH_FOR_DELEGATION)",
                          e->sam);
        else
            st = risk_add(&e->risks, &e->n_risks, "protocol-transition",
                          ADKCD_SEV_LOW, err,
                          "TRUSTED_TO_AUTH_FOR_DELEGATION is set on %s "
                          "without any service: no effect until services "
                          "are added, then it can impersonate any user to "
                          "them",
                          e->sam);
        for (i = 0; st == ADKCD_OK && i < e->n_targets; i++)
            st = assess_service(a, e, &e->targets[i], err);
        break;
    case ADKCD_AUDIT_CONSTRAINED:
        for (i = 0; st == ADKCD_OK && i < e->n_targets; i++)
            st = assess_service(a, e, &e->targets[i], err);
        break;
    case ADKCD_AUDIT_RESOURCE_BASED:
        if (e->is_dc)
            st = risk_add(&e->risks, &e->n_risks, "rbcd-on-dc",
                          ADKCD_SEV_CRITICAL, err,
                          "resource-based delegation on domain controller "
                          "%s: the principals it allows can impersonate any "
                          "user, administrators included, to it",
                          e->sam);
        /* Not knowing who may delegate is not "nobody may". */
        if (st == ADKCD_OK && e->unreadable != NULL)
            st = risk_add(&e->risks, &e->n_risks, "rbcd-unreadable",
                          ADKCD_SEV_HIGH, err,
                          "%s of %s could not be parsed (%s): who may "
                          "delegate to it is unknown, and the KDC may read "
                          "it differently",
                          RBCD_ATTR, e->sam, e->unreadable);
        if (st == ADKCD_OK && e->n_unknown_aces > 0)
            st = assess_unknown_aces(e, err);
        for (i = 0; st == ADKCD_OK && i < e->n_targets; i++)
            st = assess_principal(a, e, &e->targets[i], err);
        break;
    }
    return st;
}

static int
cmp_nocase_null(const char *x, const char *y)
{
    return strcasecmp(x != NULL ? x : "", y != NULL ? y : "");
}

static int
cmp_target(const void *p, const void *q)
{
    const struct adkcd_audit_target *x = p, *y = q;
    int c = strcasecmp(x->value, y->value);

    return c != 0 ? c : strcmp(x->value, y->value);
}

static int
cmp_entry(const void *p, const void *q)
{
    const struct adkcd_audit_entry *x = p, *y = q;
    int c;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    c = cmp_nocase_null(x->sam, y->sam);
    if (c == 0)
        c = cmp_nocase_null(x->dn, y->dn);
    return c;
}

adkcd_status
adkcd_audit_assess(struct adkcd_audit *a, struct adkcd_err *err)
{
    adkcd_status st;
    size_t i;

    for (i = 0; i < a->n; i++) {
        struct adkcd_audit_entry *e = &a->v[i];

        if (e->n_targets > 1)
            qsort(e->targets, e->n_targets, sizeof(*e->targets), cmp_target);
        st = assess_entry(a, e, err);
        if (st != ADKCD_OK)
            return st;
    }
    /* No two entries share kind and DN, so the order is total. */
    if (a->n > 1)
        qsort(a->v, a->n, sizeof(*a->v), cmp_entry);
    return ADKCD_OK;
}

void
adkcd_audit_count(const struct adkcd_audit *a,
                  struct adkcd_audit_counts *counts)
{
    size_t i, j, k;

    memset(counts, 0, sizeof(*counts));
    for (i = 0; i < a->n; i++) {
        const struct adkcd_audit_entry *e = &a->v[i];
        int seen = 0;

        counts->entries++;
        if ((unsigned)e->kind < ADKCD_AUDIT_N_KINDS)
            counts->kinds[e->kind]++;
        for (j = 0; j < i && !seen; j++)
            seen = cmp_nocase_null(a->v[j].dn, e->dn) == 0;
        if (!seen)
            counts->accounts++;
        for (j = 0; j < e->n_risks; j++)
            if ((unsigned)e->risks[j].severity < ADKCD_AUDIT_N_SEVERITIES)
                counts->severities[e->risks[j].severity]++;
        for (k = 0; k < e->n_targets; k++)
            for (j = 0; j < e->targets[k].n_risks; j++)
                if ((unsigned)e->targets[k].risks[j].severity <
                    ADKCD_AUDIT_N_SEVERITIES)
                    counts->severities[e->targets[k].risks[j].severity]++;
    }
}

/* ---- reading ------------------------------------------------------- */

struct run {
    struct adkcd_conn *conn;
    struct adkcd_audit *a;
    const struct adkcd_audit_opts *opts;
    const char *own_nc; /* the DC's domain */
    char **domain_ncs;  /* forest: every domain's naming context */
    char **dc_dns;      /* domain controllers (in scope) */
    char **krbtgt_dns;  /* krbtgt, and the read-only DCs' krbtgt_NNNNN */
    size_t seen;
};

static adkcd_status
warn(struct adkcd_audit *a, struct adkcd_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static adkcd_status
warn(struct adkcd_audit *a, struct adkcd_err *err, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    int len, rc;

    va_start(ap, fmt);
    len = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NOMEM(err);
    rc = adkcd_strv_add(&a->warnings, msg);
    free(msg);
    return rc == 0 ? ADKCD_OK : NOMEM(err);
}

/* The account fields every entry of one object shares. */
struct account_facts {
    char *dn, *sam;
    unsigned uac;
    int is_computer;
};

static void
facts_clear(struct account_facts *f)
{
    ldap_memfree(f->dn);
    free(f->sam);
    memset(f, 0, sizeof(*f));
}

static adkcd_status
facts_read(LDAP *ld, LDAPMessage *e, struct account_facts *f,
           struct adkcd_err *err)
{
    char **classes = NULL;
    char *uac;
    adkcd_status st;

    memset(f, 0, sizeof(*f));
    f->dn = ldap_get_dn(ld, e);
    if (f->dn == NULL)
        return NOMEM(err);
    f->sam = adkcd_ldapx_value(ld, e, "sAMAccountName");
    uac = adkcd_ldapx_value(ld, e, ADKCD_UAC_ATTR);
    (void)adkcd_uac_parse(uac, &f->uac);
    free(uac);
    st = adkcd_ldapx_values(ld, e, "objectClass", &classes, NULL, err);
    f->is_computer = adkcd_strv_find_nocase(classes, "computer") >= 0;
    adkcd_strv_free(classes);
    /* An object without sAMAccountName (not an account) shows its DN. */
    if (st == ADKCD_OK && f->sam == NULL) {
        f->sam = strdup(f->dn);
        if (f->sam == NULL)
            st = NOMEM(err);
    }
    return st;
}

static struct adkcd_audit_entry *
entry_for(struct adkcd_audit *a, enum adkcd_audit_kind kind,
          const struct account_facts *f, const char *domain)
{
    struct adkcd_audit_entry *e = entry_new(a);

    if (e == NULL)
        return NULL;
    e->kind = kind;
    e->dn = strdup(f->dn);
    e->sam = strdup(f->sam);
    e->domain = strdup(domain);
    e->is_computer = f->is_computer;
    e->is_dc = adkcd_uac_is_dc(f->uac);
    e->is_rodc = adkcd_uac_is_rodc(f->uac);
    e->disabled = adkcd_uac_is_disabled(f->uac);
    e->uac = f->uac;
    if (e->dn == NULL || e->sam == NULL || e->domain == NULL)
        return NULL; /* freed with the audit */
    return e;
}

/* The resource-based entry: the SIDs the descriptor allows. */
static adkcd_status
add_rbcd(struct run *r, const struct account_facts *f,
         const struct berval *sdval, struct adkcd_err *err)
{
    struct adkcd_audit_entry *e;
    struct adkcd_audit_target *t;
    struct adkcd_sd sd;
    struct adkcd_sd_access acc;
    struct adkcd_err perr;
    adkcd_status st;
    size_t i;

    e = entry_for(r->a, ADKCD_AUDIT_RESOURCE_BASED, f, r->own_nc);
    if (e == NULL)
        return NOMEM(err);
    adkcd_err_clear(&perr);
    memset(&acc, 0, sizeof(acc));
    st = adkcd_sd_parse((const unsigned char *)sdval->bv_val, sdval->bv_len,
                        &sd, &perr);
    /* The KDC asks for the control access right (see sd.h). */
    if (st == ADKCD_OK)
        st = adkcd_sd_allowed(&sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc, &perr);
    adkcd_sd_clear(&sd);
    if (st != ADKCD_OK) {
        /* Listed, judged (rbcd-unreadable) and said: one bad value does
         * not stop the audit. */
        e->partial = 1;
        if (st == ADKCD_E_NOMEM)
            return NOMEM(err);
        e->unreadable = strdup(perr.msg);
        if (e->unreadable == NULL)
            return NOMEM(err);
        return warn(r->a, err, "%s: %s could not be read: %s", f->dn, RBCD_ATTR,
                    perr.msg);
    }
    for (i = 0; i < acc.n_grants; i++) {
        t = target_new(e, acc.grants[i].sid);
        if (t == NULL) {
            adkcd_sd_access_clear(&acc);
            return NOMEM(err);
        }
        t->conditional = acc.grants[i].conditional;
    }
    /* The entry takes the list of ACEs not interpreted. */
    e->unknown_aces = acc.unknown;
    e->n_unknown_aces = acc.n_unknown;
    acc.unknown = NULL;
    acc.n_unknown = 0;
    adkcd_sd_access_clear(&acc);
    return ADKCD_OK;
}

/* One account of the DC's domain: an entry per kind it has. */
static adkcd_status
domain_entry(void *vctx, LDAP *ld, LDAPMessage *m, struct adkcd_err *err)
{
    struct run *r = vctx;
    struct account_facts f;
    struct adkcd_audit_entry *e;
    struct berval **sd = NULL;
    char **services = NULL;
    adkcd_status st;
    size_t i;

    st = facts_read(ld, m, &f, err);
    if (st == ADKCD_OK)
        st = adkcd_ldapx_values(ld, m, A2D_ATTR, &services, NULL, err);
    if (st == ADKCD_OK && (f.uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION) &&
        entry_for(r->a, ADKCD_AUDIT_UNCONSTRAINED, &f, r->own_nc) == NULL)
        st = NOMEM(err);
    /* Protocol transition without services is still listed: the flag is
     * set, and adding a service makes it bite. */
    if (st == ADKCD_OK &&
        ((services != NULL && services[0] != NULL) ||
         (f.uac & ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION))) {
        e = entry_for(r->a,
                      (f.uac & ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION)
                          ? ADKCD_AUDIT_CONSTRAINED_ANY
                          : ADKCD_AUDIT_CONSTRAINED,
                      &f, r->own_nc);
        if (e == NULL)
            st = NOMEM(err);
        for (i = 0; st == ADKCD_OK && services != NULL && services[i] != NULL;
             i++)
            if (target_new(e, services[i]) == NULL)
                st = NOMEM(err);
    }
    /* A security descriptor is binary: read it as bervals, not strings. */
    if (st == ADKCD_OK) {
        sd = ldap_get_values_len(ld, m, RBCD_ATTR);
        if (sd != NULL && sd[0] != NULL)
            st = add_rbcd(r, &f, sd[0], err);
        ldap_value_free_len(sd);
    }
    adkcd_strv_free(services);
    facts_clear(&f);
    r->seen++;
    if (st == ADKCD_OK && r->opts->progress != NULL)
        r->opts->progress(r->opts->progress_ctx, r->seen);
    return st;
}

/* The naming context of the domain dn is in: the longest of ncs that dn
 * ends with at an RDN boundary (DC=child,DC=mydom,DC=local is in the
 * child domain, not in DC=mydom,DC=local), or NULL. */
static const char *
domain_of(char *const *ncs, const char *dn)
{
    size_t i, dl = strlen(dn), best_len = 0;
    const char *best = NULL;

    for (i = 0; ncs != NULL && ncs[i] != NULL; i++) {
        size_t nl = strlen(ncs[i]);

        if (nl == 0 || nl > dl || nl <= best_len)
            continue;
        if (strcasecmp(dn + dl - nl, ncs[i]) != 0)
            continue;
        if (nl < dl && dn[dl - nl - 1] != ',')
            continue;
        best = ncs[i];
        best_len = nl;
    }
    return best;
}

/*
 * One account seen through the Global Catalog.  Those of the DC's own
 * domain were read in full from the DC; for the others only the flags are
 * in the Global Catalog's partial attribute set.
 */
static adkcd_status
gc_entry(void *vctx, LDAP *ld, LDAPMessage *m, struct adkcd_err *err)
{
    struct run *r = vctx;
    struct account_facts f;
    struct adkcd_audit_entry *e;
    const char *domain;
    adkcd_status st;

    st = facts_read(ld, m, &f, err);
    domain = st == ADKCD_OK ? domain_of(r->domain_ncs, f.dn) : NULL;
    if (st == ADKCD_OK && domain != NULL &&
        strcasecmp(domain, r->own_nc) == 0) {
        facts_clear(&f);
        return ADKCD_OK;
    }
    if (domain == NULL)
        domain = "";
    if (st == ADKCD_OK && (f.uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION) &&
        entry_for(r->a, ADKCD_AUDIT_UNCONSTRAINED, &f, domain) == NULL)
        st = NOMEM(err);
    if (st == ADKCD_OK && (f.uac & ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION)) {
        e = entry_for(r->a, ADKCD_AUDIT_CONSTRAINED_ANY, &f, domain);
        if (e == NULL)
            st = NOMEM(err);
        else
            e->partial = 1; /* its services are not in the GC */
    }
    facts_clear(&f);
    r->seen++;
    if (st == ADKCD_OK && r->opts->progress != NULL)
        r->opts->progress(r->opts->progress_ctx, r->seen);
    return st;
}

/* The Global Catalog.  When it cannot be had, the connection's error
 * says so and carries ADKCD_HINT_GC, which the front end words. */
static adkcd_status
audit_gc(struct run *r, LDAP **ld_out, struct adkcd_err *err)
{
    return adkcd_conn_gc(r->conn, ld_out, err);
}

/* Every domain of the forest: the crossRefs with FLAG_CR_NTDS_DOMAIN (2)
 * in CN=Partitions.  ncs and dns are parallel. */
static adkcd_status
read_domains(struct run *r, char ***ncs_out, char ***dns_out,
             struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(r->conn);
    char *attrs[] = {"nCName", "dnsRoot", NULL};
    char *base = NULL;
    char **ncs = NULL, **dns = NULL;
    LDAPMessage *res = NULL, *e;
    adkcd_status st = ADKCD_OK;
    int rc;

    *ncs_out = NULL;
    *dns_out = NULL;
    if (asprintf(&base, "CN=Partitions,%s", adkcd_conn_config_nc(r->conn)) < 0)
        return NOMEM(err);
    rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_ONELEVEL,
                           "(&(objectClass=crossRef)(systemFlags:" BIT_AND
                           ":=2))",
                           attrs, 0, NULL, NULL, NULL, 0, &res);
    if (rc != LDAP_SUCCESS)
        st = adkcd_ldapx_error(err, ld, rc,
                               "reading the forest's domains "
                               "in %s",
                               base);
    for (e = st == ADKCD_OK ? ldap_first_entry(ld, res) : NULL;
         e != NULL && st == ADKCD_OK; e = ldap_next_entry(ld, e)) {
        char *nc = adkcd_ldapx_value(ld, e, "nCName");
        char *dns_root = adkcd_ldapx_value(ld, e, "dnsRoot");

        if (nc != NULL &&
            (adkcd_strv_add(&ncs, nc) != 0 ||
             adkcd_strv_add(&dns, dns_root != NULL ? dns_root : nc) != 0))
            st = NOMEM(err);
        free(nc);
        free(dns_root);
    }
    ldap_msgfree(res);
    free(base);
    if (st != ADKCD_OK) {
        adkcd_strv_free(ncs);
        adkcd_strv_free(dns);
        return st;
    }
    *ncs_out = ncs;
    *dns_out = dns;
    return ADKCD_OK;
}

/* The forest part: other domains' accounts through the Global Catalog,
 * and a warning per other domain for what the GC cannot show. */
static adkcd_status
audit_forest(struct run *r, struct adkcd_err *err)
{
    char *attrs[] = {"sAMAccountName", "userAccountControl", "objectClass",
                     NULL};
    char **dns = NULL;
    LDAP *gc = NULL;
    adkcd_status st;
    size_t i;

    st = read_domains(r, &r->domain_ncs, &dns, err);
    if (st == ADKCD_OK)
        st = audit_gc(r, &gc, err);
    /* Only the flags: a filter on an attribute the GC does not hold
     * matches nothing there. */
    if (st == ADKCD_OK)
        st = adkcd_ldapx_search_paged(
            gc, "", LDAP_SCOPE_SUBTREE,
            "(|(userAccountControl:" BIT_AND ":=524288)"
            "(userAccountControl:" BIT_AND ":=16777216))",
            attrs, 500, gc_entry, r, err);
    /* dns and r->domain_ncs are parallel (read_domains()). */
    for (i = 0; st == ADKCD_OK && dns != NULL && dns[i] != NULL; i++) {
        if (strcasecmp(r->domain_ncs[i], r->own_nc) == 0)
            continue;
        st = warn(r->a, err,
                  "domain %s (%s): only unconstrained delegation and "
                  "protocol transition can be seen through the Global "
                  "Catalog, as %s and %s are not in its partial attribute "
                  "set; audit it on one of its DCs",
                  dns[i], r->domain_ncs[i], A2D_ATTR, RBCD_ATTR);
        if (st == ADKCD_OK &&
            adkcd_strv_add(&r->a->gc_only_domains, dns[i]) != 0)
            st = NOMEM(err);
    }
    adkcd_strv_free(dns);
    return st;
}

static adkcd_status
krbtgt_add(struct run *r, const char *dn, struct adkcd_err *err)
{
    if (adkcd_strv_find_nocase(r->krbtgt_dns, dn) >= 0)
        return ADKCD_OK;
    return adkcd_strv_add(&r->krbtgt_dns, dn) == 0 ? ADKCD_OK : NOMEM(err);
}

/* Domain controllers and krbtgt accounts in scope. */
static adkcd_status
special_entry(void *vctx, LDAP *ld, LDAPMessage *m, struct adkcd_err *err)
{
    struct run *r = vctx;
    struct account_facts f;
    char **links = NULL, **backlinks = NULL;
    adkcd_status st;
    size_t i;

    st = facts_read(ld, m, &f, err);
    if (st == ADKCD_OK && adkcd_uac_is_dc(f.uac) &&
        adkcd_strv_add(&r->dc_dns, f.dn) != 0)
        st = NOMEM(err);
    /* A KDC's account (adkcd_uac_is_krbtgt()): the domain's krbtgt, or
     * one a read-only DC links to.  The RODC's msDS-KrbTgtLink names it,
     * and it carries the back link msDS-KrbTgtLinkBl; either is enough,
     * as the Global Catalog may lack one. */
    if (st == ADKCD_OK)
        st = adkcd_ldapx_values(ld, m, ADKCD_KRBTGT_LINK_BL_ATTR, &backlinks,
                                NULL, err);
    if (st == ADKCD_OK &&
        adkcd_uac_is_krbtgt(f.sam, backlinks != NULL && backlinks[0] != NULL))
        st = krbtgt_add(r, f.dn, err);
    if (st == ADKCD_OK && adkcd_uac_is_rodc(f.uac))
        st = adkcd_ldapx_values(ld, m, ADKCD_KRBTGT_LINK_ATTR, &links, NULL,
                                err);
    for (i = 0; st == ADKCD_OK && links != NULL && links[i] != NULL; i++)
        st = krbtgt_add(r, links[i], err);
    adkcd_strv_free(links);
    adkcd_strv_free(backlinks);
    facts_clear(&f);
    return st;
}

static adkcd_status
read_specials(struct run *r, struct adkcd_err *err)
{
    char *attrs[] = {"sAMAccountName",
                     ADKCD_UAC_ATTR,
                     "objectClass",
                     ADKCD_KRBTGT_LINK_ATTR,
                     ADKCD_KRBTGT_LINK_BL_ATTR,
                     NULL};
    LDAP *ld = adkcd_conn_ldap(r->conn);
    const char *base = r->own_nc;
    adkcd_status st = ADKCD_OK;

    if (r->a->forest) {
        st = audit_gc(r, &ld, err);
        base = "";
    }
    /* Writable and read-only DCs (whose msDS-KrbTgtLink names their
     * krbtgt), the krbtgt, and the accounts an RODC links to. */
    if (st == ADKCD_OK)
        st = adkcd_lookup_search(ld, base, LDAP_SCOPE_SUBTREE,
                                 "(|" ADKCD_UAC_DC_TERMS ADKCD_UAC_KRBTGT_TERMS
                                 ")",
                                 attrs, special_entry, r, err);
    return st;
}

/* What the directory says about one service, looked up once. */
struct service_facts {
    const char *value; /* borrowed from a target */
    int invalid, krbtgt;
    char **holders;
    char *dc_holder;
    struct adkcd_spn *spn; /* parsed, when its holders are looked up */
};

static int
cmp_service(const void *p, const void *q)
{
    const struct service_facts *x = p, *y = q;

    return strcasecmp(x->value, y->value);
}

/* Parse sf's value: a malformed one is not looked up (service-invalid),
 * nor krbtgt/REALM, which is no account's SPN: the KDC knows it by
 * itself. */
static adkcd_status
service_parse(struct service_facts *sf, struct adkcd_err *err)
{
    struct adkcd_err perr;

    adkcd_err_clear(&perr);
    if (adkcd_spn_parse(sf->value, &sf->spn, &perr) != ADKCD_OK) {
        sf->invalid = 1;
        return perr.status == ADKCD_E_NOMEM ? NOMEM(err) : ADKCD_OK;
    }
    if (strcasecmp(sf->spn->svc_class, "krbtgt") == 0) {
        sf->krbtgt = 1;
        adkcd_spn_free(sf->spn);
        sf->spn = NULL;
    }
    return ADKCD_OK;
}

/* The facts of a service from its holders: their DNs, each once, whether
 * one is a DC or a krbtgt account. */
static adkcd_status
service_holders(struct run *r, struct service_facts *sf,
                const struct adkcd_spn_holders *h, struct adkcd_err *err)
{
    size_t i;

    for (i = 0; i < h->n; i++) {
        const char *dn = h->v[i].dn;

        if (adkcd_strv_find_nocase(sf->holders, dn) >= 0)
            continue;
        if (adkcd_strv_add(&sf->holders, dn) != 0)
            return NOMEM(err);
        if (sf->dc_holder == NULL &&
            adkcd_strv_find_nocase(r->dc_dns, dn) >= 0) {
            sf->dc_holder = strdup(dn);
            if (sf->dc_holder == NULL)
                return NOMEM(err);
        }
        if (adkcd_strv_find_nocase(r->krbtgt_dns, dn) >= 0)
            sf->krbtgt = 1;
    }
    return ADKCD_OK;
}

static int
has_targets(const struct adkcd_audit *a, int rbcd)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        if (a->v[i].n_targets > 0 &&
            (a->v[i].kind == ADKCD_AUDIT_RESOURCE_BASED) == rbcd)
            return 1;
    return 0;
}

/* *dst = a copy of src, when src is set (else *dst is left alone). */
static adkcd_status
dup_opt(char **dst, const char *src, struct adkcd_err *err)
{
    if (src == NULL)
        return ADKCD_OK;
    *dst = strdup(src);
    return *dst != NULL ? ADKCD_OK : NOMEM(err);
}

/* The holders of every service of constrained delegation: each distinct
 * service (case-insensitive) once, all of them with a few searches
 * (adkcd_spn_find_holders_many()). */
static adkcd_status
lookup_services(struct run *r, struct adkcd_err *err)
{
    struct adkcd_scope scope = {r->a->forest, NULL};
    struct adkcd_spn_mappings *m = NULL;
    struct service_facts *cache = NULL, key, *sf;
    const struct adkcd_spn **spns = NULL;
    struct adkcd_spn_holders **hs = NULL;
    size_t n_cache = 0, n_spns = 0, n_all = 0, i, k, c;
    adkcd_status st;

    if (!has_targets(r->a, 0))
        return ADKCD_OK;
    st = read_specials(r, err);
    if (st == ADKCD_OK)
        st = adkcd_spn_read_mappings(r->conn, &m, err);
    for (i = 0; i < r->a->n; i++)
        if (r->a->v[i].kind != ADKCD_AUDIT_RESOURCE_BASED)
            n_all += r->a->v[i].n_targets;
    cache = st == ADKCD_OK ? calloc(n_all, sizeof(*cache)) : NULL;
    if (st == ADKCD_OK && cache == NULL)
        st = NOMEM(err);
    for (i = 0; st == ADKCD_OK && i < r->a->n; i++) {
        if (r->a->v[i].kind == ADKCD_AUDIT_RESOURCE_BASED)
            continue;
        for (k = 0; k < r->a->v[i].n_targets; k++)
            cache[n_cache++].value = r->a->v[i].targets[k].value;
    }
    /* The distinct services. */
    if (st == ADKCD_OK && n_cache > 0) {
        qsort(cache, n_cache, sizeof(*cache), cmp_service);
        for (i = 1, c = 1; i < n_cache; i++)
            if (strcasecmp(cache[c - 1].value, cache[i].value) != 0)
                cache[c++] = cache[i];
        n_cache = c;
    }
    spns = st == ADKCD_OK ? calloc(n_cache + 1, sizeof(*spns)) : NULL;
    hs = st == ADKCD_OK ? calloc(n_cache + 1, sizeof(*hs)) : NULL;
    if (st == ADKCD_OK && (spns == NULL || hs == NULL))
        st = NOMEM(err);
    for (c = 0; st == ADKCD_OK && c < n_cache; c++) {
        st = service_parse(&cache[c], err);
        if (st == ADKCD_OK && cache[c].spn != NULL)
            spns[n_spns++] = cache[c].spn;
    }
    if (st == ADKCD_OK) {
        st = adkcd_spn_find_holders_many(r->conn, &scope, spns, n_spns, m, NULL,
                                         hs, err);
        if (st != ADKCD_OK)
            adkcd_err_prefix(err, "looking up the holders of %zu services",
                             n_spns);
    }
    for (c = 0, k = 0; st == ADKCD_OK && c < n_cache; c++)
        if (cache[c].spn != NULL)
            st = service_holders(r, &cache[c], hs[k++], err);
    /* Every target gets the facts of its service. */
    for (i = 0; st == ADKCD_OK && i < r->a->n; i++) {
        struct adkcd_audit_entry *e = &r->a->v[i];

        if (e->kind == ADKCD_AUDIT_RESOURCE_BASED)
            continue;
        for (k = 0; st == ADKCD_OK && k < e->n_targets; k++) {
            struct adkcd_audit_target *t = &e->targets[k];

            key.value = t->value;
            sf = bsearch(&key, cache, n_cache, sizeof(*cache), cmp_service);
            if (sf == NULL)
                continue; /* cannot happen: every value is in the cache */
            t->invalid = sf->invalid;
            t->krbtgt = sf->krbtgt;
            if (sf->holders != NULL) {
                t->holders = adkcd_strv_dup(sf->holders);
                if (t->holders == NULL)
                    st = NOMEM(err);
            }
            if (st == ADKCD_OK)
                st = dup_opt(&t->dc_holder, sf->dc_holder, err);
        }
    }
    for (c = 0; c < n_spns; c++)
        adkcd_spn_holders_free(hs != NULL ? hs[c] : NULL);
    for (c = 0; c < n_cache; c++) {
        adkcd_strv_free(cache[c].holders);
        free(cache[c].dc_holder);
        adkcd_spn_free(cache[c].spn);
    }
    free(hs);
    free(spns);
    free(cache);
    adkcd_spn_mappings_free(m);
    return st;
}

/* The object a SID names: the DC accepts "<SID=S-1-...>" as a base DN
 * (MS-ADTS 3.1.1.3.1.2.4); in the forest, the Global Catalog as well. */
static adkcd_status
sid_lookup(struct run *r, const char *sid, char **dn_out, char **sam_out,
           struct adkcd_err *err)
{
    char *attrs[] = {"sAMAccountName", NULL};
    char base[256];
    LDAPMessage *res = NULL, *e = NULL;
    LDAP *ld = adkcd_conn_ldap(r->conn);
    adkcd_status st;
    char *dn;

    *dn_out = NULL;
    *sam_out = NULL;
    snprintf(base, sizeof(base), "<SID=%s>", sid);
    st = adkcd_ldapx_read(ld, base, "(objectClass=*)", attrs, &res, &e, err);
    if (st == ADKCD_OK && e == NULL && r->a->forest) {
        ldap_msgfree(res);
        res = NULL;
        st = audit_gc(r, &ld, err);
        if (st == ADKCD_OK)
            st = adkcd_ldapx_read(ld, base, "(objectClass=*)", attrs, &res, &e,
                                  err);
    }
    if (st == ADKCD_OK && e != NULL) {
        dn = ldap_get_dn(ld, e);
        *dn_out = dn != NULL ? strdup(dn) : NULL;
        ldap_memfree(dn);
        *sam_out = adkcd_ldapx_value(ld, e, "sAMAccountName");
        if (*dn_out == NULL)
            st = NOMEM(err);
    }
    ldap_msgfree(res);
    if (st != ADKCD_OK) {
        free(*dn_out);
        free(*sam_out);
        *dn_out = NULL;
        *sam_out = NULL;
        adkcd_err_prefix(err, "resolving %s", sid);
    }
    return st;
}

/* The principals resource-based delegation allows, each SID once. */
static adkcd_status
resolve_principals(struct run *r, struct adkcd_err *err)
{
    struct principal {
        const char *sid; /* borrowed from the first target */
        char *dn, *name;
    } *cache = NULL;
    size_t n_cache = 0, i, k, c;
    adkcd_status st = ADKCD_OK;

    for (i = 0; st == ADKCD_OK && i < r->a->n; i++) {
        struct adkcd_audit_entry *e = &r->a->v[i];

        if (e->kind != ADKCD_AUDIT_RESOURCE_BASED)
            continue;
        for (k = 0; st == ADKCD_OK && k < e->n_targets; k++) {
            struct adkcd_audit_target *t = &e->targets[k];
            const char *wk;

            for (c = 0; c < n_cache; c++)
                if (strcmp(cache[c].sid, t->value) == 0)
                    break;
            if (c == n_cache) {
                struct principal *nc =
                    realloc(cache, (n_cache + 1) * sizeof(*nc));

                if (nc == NULL) {
                    st = NOMEM(err);
                    break;
                }
                cache = nc;
                memset(&cache[c], 0, sizeof(cache[c]));
                cache[c].sid = t->value;
                n_cache++;
                st = sid_lookup(r, t->value, &cache[c].dn, &cache[c].name, err);
                /* A group or a foreign principal may have no
                 * sAMAccountName; a well-known SID reads better. */
                wk = adkcd_sid_well_known(t->value);
                if (st == ADKCD_OK && cache[c].name == NULL)
                    st = dup_opt(&cache[c].name, wk, err);
            }
            if (st != ADKCD_OK)
                break;
            st = dup_opt(&t->dn, cache[c].dn, err);
            if (st == ADKCD_OK)
                st = dup_opt(&t->name, cache[c].name, err);
        }
    }
    for (c = 0; c < n_cache; c++) {
        free(cache[c].dn);
        free(cache[c].name);
    }
    free(cache);
    return st;
}

adkcd_status
adkcd_audit_run(struct adkcd_conn *conn, const struct adkcd_audit_opts *opts,
                struct adkcd_audit **out, struct adkcd_err *err)
{
    char *attrs[] = {"sAMAccountName", "userAccountControl",
                     "objectClass",    A2D_ATTR,
                     RBCD_ATTR,        NULL};
    struct run r;
    adkcd_status st;
    int len;

    *out = NULL;
    memset(&r, 0, sizeof(r));
    r.conn = conn;
    r.opts = opts;
    r.own_nc = adkcd_conn_default_nc(conn);
    if (r.own_nc[0] == '\0')
        return adkcd_err_set(err, ADKCD_E_DIRECTORY,
                             "the DC's rootDSE names no "
                             "defaultNamingContext: connect to a domain "
                             "controller of the domain to audit");
    r.a = calloc(1, sizeof(*r.a));
    if (r.a == NULL)
        return NOMEM(err);
    r.a->forest = opts->forest;
    if (opts->forest)
        len = asprintf(&r.a->scope, "forest %s (Global Catalog)",
                       adkcd_conn_root_nc(conn)[0] ? adkcd_conn_root_nc(conn)
                                                   : r.own_nc);
    else
        len = asprintf(&r.a->scope, "domain %s", r.own_nc);
    if (len < 0) {
        r.a->scope = NULL;
        st = NOMEM(err);
        goto cleanup;
    }
    /* Every account with either flag or either attribute, in full from the
     * DC (the attributes are not all in the Global Catalog).  Unpaged
     * unless the DC limits the result (see adkcd_lookup_search()): the
     * entries are kept in the audit anyway. */
    st =
        adkcd_lookup_search(adkcd_conn_ldap(conn), r.own_nc, LDAP_SCOPE_SUBTREE,
                            "(|(userAccountControl:" BIT_AND ":=524288)"
                            "(userAccountControl:" BIT_AND ":=16777216)"
                            "(" A2D_ATTR "=*)(" RBCD_ATTR "=*))",
                            attrs, domain_entry, &r, err);
    if (st == ADKCD_OK && opts->forest)
        st = audit_forest(&r, err);
    if (st == ADKCD_OK)
        st = lookup_services(&r, err);
    if (st == ADKCD_OK && has_targets(r.a, 1))
        st = resolve_principals(&r, err);
    if (st == ADKCD_OK)
        st = adkcd_audit_assess(r.a, err);
cleanup:
    adkcd_strv_free(r.domain_ncs);
    adkcd_strv_free(r.dc_dns);
    adkcd_strv_free(r.krbtgt_dns);
    if (st != ADKCD_OK) {
        adkcd_err_prefix(err, "audit of the %s",
                         opts->forest ? "forest" : "domain");
        adkcd_audit_free(r.a);
        return st;
    }
    *out = r.a;
    return ADKCD_OK;
}
