/*
 * adkcd: does a constrained delegation work?  The directory's answer.
 *
 * Given the delegating account (tmg$), the service it should reach
 * (http/iosmdm.mydom.local) and optionally the user it impersonates
 * (alice), read the directory and decide every condition of S4U2Self and
 * S4U2Proxy that LDAP can decide (MS-SFU 3.2.5.1.2, 3.2.5.2.1):
 *
 *   id                  what it checks
 *   account-enabled     the delegating account is not disabled
 *   account-sensitive   the delegating account is not NOT_DELEGATED (its
 *                       own TGT would not be forwardable)
 *   mode                constrained delegation is configured (not none;
 *                       unconstrained alone does not allow S4U2Proxy)
 *   service-listed      the service is in msDS-AllowedToDelegateTo
 *                       (case-insensitive), or the closest near miss
 *   protocol-transition TRUSTED_TO_AUTH_FOR_DELEGATION is set (needed for
 *                       S4U2Self tickets to be forwardable)
 *   service-holder      exactly one account holds the service SPN
 *                       (forest-wide, alias-aware: http/x via host/x)
 *   service-dc          the service belongs to a domain controller (warn)
 *   resource-based      the service's account allows the delegating
 *                       account through msDS-AllowedToActOnBehalfOfOtherIdentity
 *   user-found          the impersonated user exists
 *   user-enabled        ... is not disabled
 *   user-sensitive      ... is not "sensitive and cannot be delegated"
 *                       (NOT_DELEGATED 0x100000)
 *   user-protected      ... is not a member of Protected Users
 *
 * Each finding is pass, warn, fail or skip (not decidable, e.g. the user
 * checks without a user), with a sentence for a person and, for warn and
 * fail, what to do.  The library never prints.
 */
#ifndef ADKCD_KCDCHECK_H
#define ADKCD_KCDCHECK_H

#include <stddef.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/status.h"

enum adkcd_verdict {
    ADKCD_PASS = 0,
    ADKCD_WARN,
    ADKCD_FAIL,
    ADKCD_SKIP,
};

struct adkcd_finding {
    const char *id;           /* one of the ids above (static) */
    enum adkcd_verdict verdict;
    char *message;            /* what was found, one sentence */
    char *fix;                /* what to do (warn/fail), or NULL */
};

struct adkcd_findings {
    struct adkcd_finding *v;  /* in the order of the table above */
    size_t n;
};

struct adkcd_kcd_check_opts {
    const char *service;      /* the SPN to reach (required) */
    const char *impersonate;  /* the user, or NULL: user-* are skipped */
    int need_protocol_transition; /* fail (not warn) when the flag is off:
                                   * the caller impersonates by S4U2Self */
};

/* "pass", "warn", "fail", "skip". */
const char *
adkcd_verdict_name(enum adkcd_verdict v);

/*
 * Check acct (resolved and read by the caller) against opts.  Directory
 * reads that are refused become findings of verdict skip with the reason,
 * not errors.  ADKCD_E_USAGE when the service is not a valid SPN or the
 * user name is not a valid account name; ADKCD_E_DIRECTORY/CONNECT when
 * the directory cannot be read at all.  *out is filled (free with
 * adkcd_findings_clear()) on success.
 */
adkcd_status
adkcd_kcd_check(struct adkcd_conn *conn, const struct adkcd_account *acct,
                const struct adkcd_kcd_check_opts *opts,
                struct adkcd_findings *out, struct adkcd_err *err);

/* The finding with this id, or NULL. */
const struct adkcd_finding *
adkcd_findings_get(const struct adkcd_findings *f, const char *id);

/* The number of findings with verdict v. */
size_t
adkcd_findings_count(const struct adkcd_findings *f, enum adkcd_verdict v);

void
adkcd_findings_clear(struct adkcd_findings *f);

/*
 * The value of list closest to want (case-insensitive edit distance), when
 * it is a near miss: at most a third of want's length apart and not equal.
 * NULL otherwise.  Borrowed from list.  Pure; used for "did you mean".
 */
const char *
adkcd_near_miss(const char *want, char *const *list);

/* Case-insensitive Levenshtein distance (bytes). */
size_t
adkcd_edit_distance(const char *a, const char *b);

#endif /* ADKCD_KCDCHECK_H */
