/*
 * adkcd: every Kerberos delegation in a domain or forest, with risk
 * labels (adkcd audit).
 *
 * An entry is one account and one kind of delegation; an account with
 * several kinds (constrained and resource-based, say) has one entry per
 * kind.  The kinds:
 *
 *   unconstrained            TRUSTED_FOR_DELEGATION (0x80000)
 *   constrained              msDS-AllowedToDelegateTo, Kerberos only
 *   constrained-any-protocol msDS-AllowedToDelegateTo with
 *                            TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000), or
 *                            that flag alone
 *   resource-based           msDS-AllowedToActOnBehalfOfOtherIdentity: the
 *                            principals its security descriptor allows to
 *                            delegate to this account's services
 *
 * Risk labels (stable ids; the severity is that of the case):
 *
 *   dc-expected              info: unconstrained delegation on a (writable)
 *                            domain controller, SERVER_TRUST_ACCOUNT, as
 *                            every DC has; protocol transition without any
 *                            service on a read-only DC, as every RODC has
 *   unconstrained            high: unconstrained delegation on anything
 *                            else, read-only DCs included
 *   protocol-transition      medium: may impersonate any user to its
 *                            services without that user's password
 *   delegation-to-dc         critical: a service held by a domain controller
 *   delegation-to-krbtgt     critical: krbtgt/... or a service of krbtgt
 *   service-unheld           medium: a service no account holds (stale, typo)
 *   service-duplicate        low: a service several accounts hold
 *   service-invalid          low: a value that is not an SPN
 *   rbcd-on-dc               critical: resource-based delegation to a DC
 *   rbcd-broad-principal     high (critical on a DC): Everyone,
 *                            Authenticated Users, Domain Users, Domain
 *                            Computers... may delegate to the account
 *   rbcd-unresolved          low: an allowed SID that names no object
 *   rbcd-conditional         medium: allowed by a conditional ACE, whose
 *                            condition is not evaluated
 *   rbcd-unknown-ace         low: the DACL holds ACEs of a type not
 *                            interpreted (listed, not dropped)
 *   rbcd-unreadable          high: the descriptor cannot be parsed, so who
 *                            may delegate is unknown
 *
 * Searches of the DC's domain are sent unpaged and paged only when the
 * DC limits the result (Samba answers paged searches several times
 * slower); the holders of all services are looked up together, 100
 * filter terms a search.  In the forest (through the Global Catalog) only
 * userAccountControl is replicated: msDS-AllowedToDelegateTo and
 * msDS-AllowedToActOnBehalfOfOtherIdentity are not in the partial
 * attribute set, so for domains other than the DC's own only
 * unconstrained delegation and protocol transition can be seen, and the
 * result says so (entries marked partial, and a warning per domain).
 */
#ifndef ADKCD_AUDIT_H
#define ADKCD_AUDIT_H

#include <stddef.h>

#include "adkcd/conn.h"
#include "adkcd/sd.h"
#include "adkcd/spnreg.h"
#include "adkcd/status.h"
#include "adkcd/uac.h"

enum adkcd_audit_kind {
    ADKCD_AUDIT_UNCONSTRAINED = 0,
    ADKCD_AUDIT_CONSTRAINED,
    ADKCD_AUDIT_CONSTRAINED_ANY,
    ADKCD_AUDIT_RESOURCE_BASED,
};

#define ADKCD_AUDIT_N_KINDS 4

enum adkcd_audit_severity {
    ADKCD_SEV_INFO = 0, /* not a risk: what is expected */
    ADKCD_SEV_LOW,
    ADKCD_SEV_MEDIUM,
    ADKCD_SEV_HIGH,
    ADKCD_SEV_CRITICAL,
};

#define ADKCD_AUDIT_N_SEVERITIES 5

struct adkcd_audit_risk {
    const char *id; /* a label above (static) */
    enum adkcd_audit_severity severity;
    char *text; /* this case, one sentence */
};

/*
 * A service of constrained delegation, or a principal that
 * resource-based delegation allows.  The fact fields are what the
 * directory said; adkcd_audit_assess() turns them into risks.
 */
struct adkcd_audit_target {
    char *value; /* the service as stored, or the allowed SID */
    /* constrained */
    int invalid;     /* value is not a well-formed SPN (not looked up) */
    char **holders;  /* DNs holding it or an alias of it (strv; NULL:
                      * none) */
    char *dc_holder; /* a holder that is a domain controller, or NULL */
    int krbtgt;      /* krbtgt/..., or held by a krbtgt account */
    /* resource-based */
    char *name;      /* sAMAccountName, else the well-known name, or NULL */
    char *dn;        /* the object the SID names, or NULL */
    int conditional; /* allowed or not by a conditional ACE's condition */
    struct adkcd_audit_risk *risks;
    size_t n_risks;
};

struct adkcd_audit_entry {
    enum adkcd_audit_kind kind;
    char *dn;
    char *sam;    /* sAMAccountName ("tmg$") */
    char *domain; /* the naming context of its domain */
    int is_computer;
    int is_dc;    /* SERVER_TRUST_ACCOUNT or PARTIAL_SECRETS_ACCOUNT */
    int is_rodc;  /* PARTIAL_SECRETS_ACCOUNT: a read-only DC */
    int disabled; /* ACCOUNTDISABLE */
    unsigned uac;
    int partial; /* the targets could not be read (another domain
                  * seen through the Global Catalog, or an
                  * unreadable descriptor): n_targets says
                  * nothing */
    struct adkcd_audit_target *targets; /* sorted by value, case-insensitive */
    size_t n_targets;
    /* resource-based: why the descriptor could not be read (partial is
     * set), or NULL; the ACEs of its DACL not interpreted */
    char *unreadable;
    struct adkcd_sd_unknown_ace *unknown_aces;
    size_t n_unknown_aces;
    struct adkcd_audit_risk *risks; /* about the entry as a whole */
    size_t n_risks;
};

struct adkcd_audit {
    int forest;
    char *scope;                 /* "domain DC=mydom,DC=local", "forest DC=...
                                  * (Global Catalog)" */
    struct adkcd_audit_entry *v; /* sorted: kind, sAMAccountName, DN */
    size_t n;
    char **warnings;        /* what could not be read (strv; NULL: none) */
    char **gc_only_domains; /* forest: the other domains, seen only
                             * through the Global Catalog, to audit on one
                             * of their DCs (DNS names; strv; NULL: none) */
};

struct adkcd_audit_opts {
    int forest;                   /* -F: the forest, through the GC */
    adkcd_progress_func progress; /* accounts read so far; may be NULL */
    void *progress_ctx;
};

/* "unconstrained", "constrained", "constrained-any-protocol",
 * "resource-based". */
const char *
adkcd_audit_kind_name(enum adkcd_audit_kind kind);

/* "info", "low", "medium", "high", "critical". */
const char *
adkcd_audit_severity_name(enum adkcd_audit_severity sev);

/* What a risk label means, in general (for a legend); NULL for an unknown
 * id. */
const char *
adkcd_audit_risk_explain(const char *id);

/*
 * Audit the DC's domain, or with opts->forest the forest.  On success
 * *out is new (adkcd_audit_free()); what could not be read is in its
 * warnings, not an error.  Errors: those of the searches (ADKCD_E_CONNECT,
 * ADKCD_E_ACCESS, ADKCD_E_DIRECTORY), ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_audit_run(struct adkcd_conn *conn, const struct adkcd_audit_opts *opts,
                struct adkcd_audit **out, struct adkcd_err *err);

/*
 * (Re)compute the risks of every entry from its facts, then sort the
 * entries and their targets (pure; adkcd_audit_run() calls it).
 * adkcd_audit_run() fills the facts; a test may fill them by hand.
 */
adkcd_status
adkcd_audit_assess(struct adkcd_audit *a, struct adkcd_err *err);

/* The number of entries of each kind, of risks of each severity, and of
 * distinct accounts (by DN). */
struct adkcd_audit_counts {
    size_t entries;
    size_t accounts;
    size_t kinds[ADKCD_AUDIT_N_KINDS];
    size_t severities[ADKCD_AUDIT_N_SEVERITIES];
};

void
adkcd_audit_count(const struct adkcd_audit *a,
                  struct adkcd_audit_counts *counts);

void
adkcd_audit_free(struct adkcd_audit *a);

#endif /* ADKCD_AUDIT_H */
