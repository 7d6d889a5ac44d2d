/*
 * adkcd: an account's outgoing Kerberos delegation, as on the Delegation
 * tab of "Active Directory Users and Computers".
 *
 * The state is two attributes of the account: userAccountControl, where
 * TRUSTED_FOR_DELEGATION (0x80000) is unconstrained delegation and
 * TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000) is protocol transition ("use
 * any authentication protocol"), and msDS-AllowedToDelegateTo, the services
 * of constrained delegation (MS-ADTS 2.2.16, 3.1.1.5.3; MS-SFU 3.2.5.2).
 * The modes are those of the tab's radio buttons: none, unconstrained,
 * constrained (Kerberos only, or any protocol).
 *
 * Computing a desired state and planning it is pure; applying goes through
 * the write engine (engine.h) with compare-and-swap on userAccountControl.
 */
#ifndef ADKCD_DELEG_H
#define ADKCD_DELEG_H

#include "adkcd/account.h"
#include "adkcd/plan.h"
#include "adkcd/status.h"

/* The userAccountControl bits this module manages. */
#define ADKCD_DELEG_UAC_MASK                                                   \
    (ADKCD_UAC_TRUSTED_FOR_DELEGATION |                                        \
     ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION)

#define ADKCD_DELEG_ATTR "msDS-AllowedToDelegateTo"

enum adkcd_deleg_mode {
    ADKCD_DELEG_NONE = 0,
    ADKCD_DELEG_UNCONSTRAINED,
    ADKCD_DELEG_CONSTRAINED,
};

/* What to do with the protocol-transition flag. */
enum adkcd_deleg_pt {
    ADKCD_PT_KEEP = 0, /* leave it as it is */
    ADKCD_PT_ANY,      /* --any-protocol: set it */
    ADKCD_PT_KERBEROS, /* --kerberos-only: clear it */
};

struct adkcd_deleg {
    unsigned uac;
    char **services; /* strv, never NULL (empty vector when absent) */
};

enum adkcd_deleg_verb {
    ADKCD_DELEG_ADD = 0, /* add services; the account becomes constrained */
    ADKCD_DELEG_REMOVE,  /* remove services; none left: mode none */
    ADKCD_DELEG_SET,     /* declare the exact state */
};

struct adkcd_deleg_request {
    enum adkcd_deleg_verb verb;
    char **services;            /* ADD/REMOVE: the services; SET: the list */
    int services_given;         /* SET: --services was given */
    enum adkcd_deleg_mode mode; /* SET only */
    enum adkcd_deleg_pt pt;
    int force; /* --force: allow what the checks refuse */
};

/* "none", "unconstrained" or "constrained". */
const char *
adkcd_deleg_mode_name(enum adkcd_deleg_mode mode);

/*
 * The mode an account is in: unconstrained when TRUSTED_FOR_DELEGATION is
 * set (whatever the services), constrained when it has services, else none.
 */
enum adkcd_deleg_mode
adkcd_deleg_mode_of(const struct adkcd_deleg *d);

/* Non-zero when TRUSTED_TO_AUTH_FOR_DELEGATION is set. */
int
adkcd_deleg_any_protocol(const struct adkcd_deleg *d);

/*
 * A person's summary: "none", "unconstrained (any service)", "constrained
 * (Kerberos only)", "constrained (use any authentication protocol)".
 * Static string.
 */
const char *
adkcd_deleg_describe(const struct adkcd_deleg *d);

/* The account's delegation state (copies; free with adkcd_deleg_clear). */
adkcd_status
adkcd_deleg_from_account(const struct adkcd_account *acct,
                         struct adkcd_deleg *d, struct adkcd_err *err);

void
adkcd_deleg_clear(struct adkcd_deleg *d);

/* What is wrong with a request (adkcd_deleg_check_request()): a stable
 * id, which a front end words in terms of its own options. */
enum adkcd_deleg_problem {
    ADKCD_DP_NONE = 0,
    /* A service is not a valid SPN (the message names it and why). */
    ADKCD_DP_BAD_SERVICE,
    /* ADD or REMOVE without any service. */
    ADKCD_DP_NO_SERVICE,
    /* SET constrained without any service. */
    ADKCD_DP_CONSTRAINED_NO_SERVICES,
    /* SET none or unconstrained with services given. */
    ADKCD_DP_SERVICES_NOT_CONSTRAINED,
    /* SET none or unconstrained with a protocol-transition choice. */
    ADKCD_DP_PT_NOT_CONSTRAINED,
};

/*
 * Check a request before anything is sent: every service is a valid SPN
 * (the DC accepts any string in msDS-AllowedToDelegateTo), the services
 * and the protocol-transition choice fit the verb and mode.  ADKCD_OK, or
 * ADKCD_E_USAGE with a message (which names no option of any tool) and,
 * when problem_out is not NULL, the problem's id in *problem_out
 * (ADKCD_DP_NONE on success).
 */
adkcd_status
adkcd_deleg_check_request(const struct adkcd_deleg_request *req,
                          enum adkcd_deleg_problem *problem_out,
                          struct adkcd_err *err);

/*
 * The state req asks for, from the current one (pure).  As the tab's radio
 * buttons do: ADD makes the account constrained (unconstrained is switched
 * off); REMOVE that leaves no service makes it none and clears protocol
 * transition; SET none clears both flags and the services, SET
 * unconstrained sets TRUSTED_FOR_DELEGATION and clears the rest, SET
 * constrained sets exactly the services given.  Services are compared
 * without regard to case; those already there keep their stored spelling.
 * *want is filled (free with adkcd_deleg_clear()).
 */
adkcd_status
adkcd_deleg_desired(const struct adkcd_deleg *cur,
                    const struct adkcd_deleg_request *req,
                    struct adkcd_deleg *want, struct adkcd_err *err);

/*
 * Refuse, unless force, to give unconstrained delegation or protocol
 * transition to a KDC's own account or a domain controller, writable or
 * read-only (adkcd_uac_is_krbtgt(), adkcd_uac_is_dc()): either lets that
 * account impersonate anyone to anything; and to switch off a domain
 * controller's own unconstrained delegation (which an "add" would do:
 * constrained replaces unconstrained).  ADKCD_E_ACCESS with the reason.
 */
adkcd_status
adkcd_deleg_check_safety(const struct adkcd_account *acct,
                         const struct adkcd_deleg *cur,
                         const struct adkcd_deleg *want, int force,
                         struct adkcd_err *err);

/*
 * Plan going from cur to want on acct: userAccountControl by
 * compare-and-swap, msDS-AllowedToDelegateTo value by value, in one change
 * (one modify).  Nothing is planned when they are equal.
 */
adkcd_status
adkcd_deleg_plan(struct adkcd_plan *plan, const struct adkcd_account *acct,
                 const struct adkcd_deleg *cur, const struct adkcd_deleg *want,
                 struct adkcd_err *err);

/* The same into an existing change (with its label and dn). */
adkcd_status
adkcd_deleg_plan_change(struct adkcd_change *change,
                        const struct adkcd_deleg *cur,
                        const struct adkcd_deleg *want, struct adkcd_err *err);

/*
 * The delegation state change leaves on its account (before: the state it
 * was planned against): what was read back after it was applied, else
 * what it plans.  *after is filled (adkcd_deleg_clear()).  ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_deleg_after_change(const struct adkcd_change *change,
                         const struct adkcd_deleg *before,
                         struct adkcd_deleg *after, struct adkcd_err *err);

/*
 * What an account's delegation state says, by the rules every tool shares
 * (show and add/set warn about these, audit labels its risks with them).
 */
enum adkcd_deleg_finding {
    ADKCD_DF_DC_EXPECTED,        /* a writable DC's unconstrained delegation,
                                  * or a read-only DC's protocol transition
                                  * without any service: as created */
    ADKCD_DF_UNCONSTRAINED,      /* unconstrained on any other account, a
                                  * read-only DC included */
    ADKCD_DF_UNCONSTRAINED_LIST, /* unconstrained with services: the list
                                  * does not limit it */
    ADKCD_DF_PT_ALONE,           /* protocol transition without any service,
                                  * not a read-only DC: no effect yet */
    ADKCD_DF_DISABLED,           /* the account is disabled */
};

#define ADKCD_DF_MAX 5

/* The findings of d on an account whose userAccountControl is uac (d's own
 * uac is its delegation state), in the order above, into out; returns how
 * many (pure). */
size_t
adkcd_deleg_findings(unsigned uac, const struct adkcd_deleg *d,
                     enum adkcd_deleg_finding out[ADKCD_DF_MAX]);

/* A delegated service, by the rules every tool shares. */
enum adkcd_service_finding {
    ADKCD_SVC_OK = 0,
    ADKCD_SVC_INVALID,   /* not an SPN: delegation to it cannot work */
    ADKCD_SVC_UNHELD,    /* no account holds it (or an alias of it) */
    ADKCD_SVC_DUPLICATE, /* several accounts hold it: no ticket for it */
};

/* From whether the value is a valid SPN and how many accounts hold it. */
enum adkcd_service_finding
adkcd_service_finding(int valid, size_t holders);

/*
 * The safety rule of resource-based delegation: allowing principals
 * (adds: some SID becomes allowed) to delegate to a domain controller or a
 * KDC's own account (krbtgt) lets them impersonate any user to its
 * services (the DC's LDAP, SMB, replication: the domain).  ADKCD_E_ACCESS
 * with ADKCD_HINT_FORCE unless force.  Removing principals is always safe.
 */
adkcd_status
adkcd_rbcd_check_safety(const struct adkcd_account *target, int adds, int force,
                        struct adkcd_err *err);

/* What to tell about a principal allowed to delegate (bits). */
#define ADKCD_RBCD_NOTE_DISABLED 0x1u /* its account is disabled */
#define ADKCD_RBCD_NOTE_UNCONSTRAINED                                          \
    0x2u                        /* it has unconstrained                        \
                                 * delegation as well */
#define ADKCD_RBCD_NOTE_DC 0x4u /* it is a domain controller */

/* The notes of a principal with this userAccountControl (has_uac 0: a
 * group or an unknown SID, nothing to note). */
unsigned
adkcd_rbcd_principal_notes(unsigned uac, int has_uac);

#endif /* ADKCD_DELEG_H */
