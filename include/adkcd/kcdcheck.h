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
 *   account-spn         the KDC knows the delegating account as a service
 *                       (a computer, or a user with an SPN): S4U2Self
 *                       asks for a ticket to it
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
 *                       account through
 *                       msDS-AllowedToActOnBehalfOfOtherIdentity
 *   user-found          the impersonated user exists
 *   user-enabled        ... is not disabled
 *   user-sensitive      ... is not "sensitive and cannot be delegated"
 *                       (NOT_DELEGATED 0x100000)
 *   user-protected      ... is not a member of Protected Users
 *
 * Each finding is pass, warn, fail or skip (not decidable, e.g. the user
 * checks without a user), with a sentence for a person and, for warn and
 * fail, what to do: a fix id and its data (struct adkcd_fix), which each
 * front end words with its own commands.  The library never prints, and
 * names no tool.
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

/*
 * What to do about a finding: stable ids, each with the data of struct
 * adkcd_fix it uses.  "account" is the delegating account as the caller
 * named it (for commands), "sam" the sAMAccountName the fix is about.
 */
enum adkcd_fix_id {
    /* Nothing to do (pass, skip). */
    ADKCD_FIX_NONE = 0,
    /* Enable the delegating account: sam. */
    ADKCD_FIX_ENABLE_ACCOUNT,
    /* Clear NOT_DELEGATED on the delegating account: sam. */
    ADKCD_FIX_CLEAR_SENSITIVE,
    /* Register an SPN of its own on the delegating user account. */
    ADKCD_FIX_ADD_OWN_SPN,
    /* Switch unconstrained delegation off, keeping the list: services. */
    ADKCD_FIX_CONSTRAINED_ONLY,
    /* No delegation of its own: resource-based delegation does it. */
    ADKCD_FIX_MODE_NONE,
    /* Constrained delegation to exactly services (any_protocol). */
    ADKCD_FIX_SET_CONSTRAINED,
    /* Add the service to the list (any_protocol). */
    ADKCD_FIX_ADD_SERVICE,
    /* Allow protocol transition for the service; if_impersonating: needed
     * only if the account impersonates users. */
    ADKCD_FIX_ANY_PROTOCOL,
    /* Correct a listed value in place, the list becoming services; value
     * (or NULL): the near miss, which may be the right name instead. */
    ADKCD_FIX_REPLACE_VALUE,
    /* The typo is in the service asked for (service): value is the right
     * one. */
    ADKCD_FIX_ASK_FOR,
    /* Check the spelling, or register the service on its account. */
    ADKCD_FIX_REGISTER_SPN,
    /* A duplicate SPN: keep value on one account only. */
    ADKCD_FIX_REMOVE_DUPLICATE,
    /* Delegate to a member server's service, or protect privileged
     * accounts. */
    ADKCD_FIX_AVOID_DC_SERVICE,
    /* Name an existing user (sAMAccountName or UPN) to impersonate. */
    ADKCD_FIX_NAME_USER,
    /* Enable the user, or impersonate another: sam. */
    ADKCD_FIX_ENABLE_USER,
    /* Clear NOT_DELEGATED on the user if it may be delegated: sam. */
    ADKCD_FIX_CLEAR_USER_SENSITIVE,
    /* Take the user out of Protected Users if it may be delegated: sam. */
    ADKCD_FIX_LEAVE_PROTECTED_USERS,
    /* Set TRUSTED_TO_AUTH_FOR_DELEGATION alone on the delegating account
     * (sam), adding no service to its list: resource-based delegation
     * allows it, and a KDC that wants a forwardable S4U2Self ticket for
     * that (Samba's) needs the flag. */
    ADKCD_FIX_PROTOCOL_TRANSITION_ONLY,
};

/* A finding's fix: its id and the data to word it (owned by the finding).
 * account and service are set for every fix; the others as the id says,
 * NULL or 0 otherwise. */
struct adkcd_fix {
    enum adkcd_fix_id id;
    char *account;        /* the delegating account as named (ACCOUNT) */
    char *sam;            /* the account the fix is about */
    char *service;        /* the service asked for */
    char *value;          /* a value, as the id says */
    char **services;      /* the list to set (strv), as the id says */
    int any_protocol;     /* with protocol transition */
    int if_impersonating; /* needed only if it impersonates users */
};

struct adkcd_finding {
    const char *id; /* one of the ids above (static) */
    enum adkcd_verdict verdict;
    char *message;        /* what was found, one sentence */
    struct adkcd_fix fix; /* what to do (warn/fail); id NONE otherwise */
};

/* Which delegation allows the account to the service, as the directory
 * says: the bits of adkcd_findings.allows. */
/* The service is a value of the account's msDS-AllowedToDelegateTo. */
#define ADKCD_KCD_ALLOWS_CONSTRAINED 0x1u
/* The msDS-AllowedToActOnBehalfOfOtherIdentity of the one account that
 * holds the service allows the account. */
#define ADKCD_KCD_ALLOWS_RESOURCE_BASED 0x2u

struct adkcd_findings {
    struct adkcd_finding *v; /* in the order of the table above */
    size_t n;
    unsigned allows; /* ADKCD_KCD_ALLOWS_* bits; 0: neither */
};

struct adkcd_kcd_check_opts {
    const char *service;          /* the SPN to reach (required) */
    const char *impersonate;      /* the user, or NULL: user-* are skipped */
    int need_protocol_transition; /* fail (not warn) when the flag is off:
                                   * the caller impersonates by S4U2Self */
    const struct adkcd_account
        *user_account; /* impersonate, already
                        * resolved by adkcd_kcd_resolve_user()
                        * (borrowed), or NULL: resolved here */
};

/*
 * The user to impersonate, as check and verify look for it: a user account
 * first (S4U2Self names a user), then any account (a computer can be
 * impersonated too).  Statuses of adkcd_account_resolve().
 */
adkcd_status
adkcd_kcd_resolve_user(struct adkcd_conn *conn, const char *name,
                       struct adkcd_account **out, struct adkcd_err *err);

/* "pass", "warn", "fail", "skip". */
const char *
adkcd_verdict_name(enum adkcd_verdict v);

/* The stable name of a fix id, for JSON: "enable-account",
 * "add-service", ...; NULL for ADKCD_FIX_NONE. */
const char *
adkcd_fix_name(enum adkcd_fix_id id);

/*
 * Check acct (resolved and read by the caller) against opts.  It reads:
 * the holders of the service forest-wide through the Global Catalog,
 * host-alias aware (sPNMappings), or in this domain only when the GC
 * cannot be searched (service-holder then says so); the holder's
 * userAccountControl and msDS-AllowedToActOnBehalfOfOtherIdentity, and
 * acct's objectSid to compare with it; the user (a user account first,
 * then any account), its tokenGroups and the domain's SID for Protected
 * Users (memberOf when tokenGroups cannot be read).  It works with the
 * rights of an ordinary account, e.g. the delegating account itself.
 * Directory reads that are refused become findings of verdict skip with
 * the reason, not errors.  ADKCD_E_USAGE when the service is not a valid
 * SPN or the user name is not a valid account name (nothing is sent);
 * ADKCD_E_CONNECT when the connection to the DC is lost; ADKCD_E_NOMEM.
 * *out is filled (free with adkcd_findings_clear()) on success.
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
 * The pure half of adkcd_kcd_check(): what it read, and the decision.
 * adkcd_kcd_check() fills this from the directory and calls
 * adkcd_kcd_decide(); tests (and other callers that already hold the
 * facts) call adkcd_kcd_decide() directly.  Every pointer is borrowed.
 */

/* Resource-based delegation on the service's account. */
enum adkcd_kcd_rbcd {
    ADKCD_RBCD_UNKNOWN = 0, /* not read: rbcd_note says why */
    ADKCD_RBCD_NOT_SET,     /* msDS-AllowedToActOnBehalfOfOtherIdentity empty */
    ADKCD_RBCD_ALLOWS,      /* its DACL allows the delegating account's SID */
    ADKCD_RBCD_OTHERS,      /* set, but for other accounts only */
};

/* One account that holds the service (as adkcd_spn_find_holders() gives:
 * an account may appear once per matching value). */
struct adkcd_kcd_holder {
    const char *dn;
    const char *value; /* the SPN as the account holds it */
    int via_alias;     /* it holds the host-alias target ("host/x" for
                        * "http/x"), which the KDC uses only when no
                        * account holds the SPN itself */
};

struct adkcd_kcd_facts {
    /* The question. */
    const char *service;          /* the SPN to reach */
    const char *user;             /* the name given for the user, or NULL */
    int need_protocol_transition; /* as in adkcd_kcd_check_opts */

    /* The delegating account. */
    const char *account;     /* its sAMAccountName, for messages ("tmg$") */
    const char *account_arg; /* as the caller named it, for the fixes'
                              * commands ("tmg"): adkcd_fix.account */
    unsigned uac;
    int has_uac;              /* 0: userAccountControl could not be read */
    char *const *delegate_to; /* msDS-AllowedToDelegateTo (strv, may be NULL) */
    int is_computer;          /* objectClass computer */
    size_t n_spns;            /* its servicePrincipalName values */

    /* Who holds the service. */
    int holders_read;         /* 0: not read; holders_note says why */
    int holders_domain_only;  /* only this domain was searched; holders_note
                               * says why the forest could not be */
    const char *holders_note; /* or NULL */
    const struct adkcd_kcd_holder *holders;
    size_t n_holders;

    /* The one account the KDC would use for the service, when there is
     * exactly one (see adkcd_kcd_holder.via_alias). */
    const char *holder_sam; /* NULL when not read */
    unsigned holder_uac;
    int holder_has_uac; /* 0: holder_note says why */
    const char *holder_note;
    enum adkcd_kcd_rbcd rbcd;
    const char *rbcd_note; /* UNKNOWN: why; OTHERS: which, or NULL */

    /* The user (when user is not NULL). */
    int user_found; /* 1 found, 0 no such account, -1 could not
                     * look (user_note says why in both cases) */
    const char *user_note;
    const char *user_sam;
    const char *user_dn;
    unsigned user_uac;
    int user_protected; /* 1 in Protected Users, 0 not, -1 unknown */
    const char *user_protected_note; /* how it was decided, or why not */
};

/*
 * The findings for facts, in the order of the table at the top (pure).
 * The verdicts (the KDC's rules of MS-SFU 3.2.5, as Windows DCs and
 * Samba's KDC apply them):
 *
 *   account-enabled     fail when disabled (its TGT is refused)
 *   account-sensitive   fail when NOT_DELEGATED (its own tickets are not
 *                       forwardable); warn when resource-based delegation
 *                       allows it (Windows KDCs accept non-forwardable
 *                       tickets for it; Samba's, 4.22 as tested, does not)
 *   account-spn         pass for a computer or an account with an SPN;
 *                       fail for a user account without one (S4U2Self
 *                       gets KDC_ERR_S_PRINCIPAL_UNKNOWN)
 *   mode                pass constrained; warn when TRUSTED_FOR_DELEGATION
 *                       is set as well; fail none or unconstrained alone,
 *                       unless resource-based delegation allows it (none:
 *                       pass, unconstrained: warn, as it is not needed)
 *   service-listed      pass when listed (case-insensitive, whole value:
 *                       the KDC compares the SPN it is asked for, without
 *                       realm, to each value, so "http/x@REALM" never
 *                       matches); fail otherwise, naming the near miss or
 *                       the value with a realm; pass when resource-based
 *                       delegation allows it instead
 *   protocol-transition pass when set; when resource-based delegation
 *                       allows the account, warn with
 *                       need_protocol_transition (Windows KDCs accept the
 *                       non-forwardable S4U2Self ticket for it, MS-SFU
 *                       3.1.5.2.1; Samba's KDC, 4.22 as tested, refuses
 *                       it), pass without (a Kerberos user's ticket is
 *                       forwardable); else fail with
 *                       need_protocol_transition, warn without
 *   service-holder      pass for one account; fail for none ("Server not
 *                       found") or several (duplicate SPN); warn for none
 *                       when only this domain could be searched; skip when
 *                       not read
 *   service-dc          warn when the holder is a domain controller,
 *                       writable or read-only (adkcd_uac_is_dc()), pass
 *                       otherwise, skip without a single holder
 *   resource-based      pass when the holder's descriptor allows the
 *                       account (Windows KDCs honour it, and Samba's
 *                       from 4.19; 4.17's does not), skip otherwise (not
 *                       set, other accounts only, not read)
 *   user-found          pass, fail (no such account), skip (no user, or
 *                       the lookup failed)
 *   user-enabled        fail when disabled
 *   user-sensitive      fail when NOT_DELEGATED (resource-based included)
 *   user-protected      fail when in Protected Users (Windows DCs refuse;
 *                       Samba's KDC, 4.17 to 4.22 as tested, does not
 *                       enforce it), skip when it could not be decided
 *
 * out->allows gets the ADKCD_KCD_ALLOWS_* bits: the service is listed
 * (the whole value, ignoring case, as service-listed compares), and
 * resource-based passes.
 *
 * *out is filled on success (free with adkcd_findings_clear()); only
 * ADKCD_E_NOMEM fails.
 */
adkcd_status
adkcd_kcd_decide(const struct adkcd_kcd_facts *facts,
                 struct adkcd_findings *out, struct adkcd_err *err);

/*
 * Which delegation let a successful S4U2Proxy through.  The KDC does not
 * say; it is inferred from the directory (adkcd_findings.allows) and the
 * S4U2Self ticket that was the evidence.
 */
enum adkcd_kcd_via {
    ADKCD_KCD_VIA_UNKNOWN = 0,    /* "unknown": the directory does not
                                   * explain it (changed since it was read,
                                   * or not yet replicated to the DC
                                   * read?) */
    ADKCD_KCD_VIA_CONSTRAINED,    /* "constrained": msDS-AllowedToDelegateTo
                                   * alone allows it */
    ADKCD_KCD_VIA_RESOURCE_BASED, /* "resource-based": resource-based
                                   * delegation alone allows it, or the
                                   * evidence was not forwardable, which
                                   * only resource-based delegation takes */
    ADKCD_KCD_VIA_EITHER,         /* "either": both allow it, and which the
                                   * KDC used depends on the KDC: Windows
                                   * KDCs try msDS-AllowedToDelegateTo
                                   * first (MS-SFU 3.2.5.2.1, 3.2.5.2.3),
                                   * Samba's (4.22, as seen in its log)
                                   * resource-based delegation first */
};

/*
 * The inference (pure): allows is adkcd_findings.allows; evidence_fwd is
 * 1 when the S4U2Self ticket was forwardable, 0 when not, -1 when its
 * flags could not be read (taken as forwardable: the KDC took it).
 */
enum adkcd_kcd_via
adkcd_kcd_via(unsigned allows, int evidence_fwd);

/* "unknown", "constrained", "resource-based", "either": for JSON. */
const char *
adkcd_kcd_via_name(enum adkcd_kcd_via via);

/*
 * The value of list closest to want (case-insensitive edit distance), when
 * it is a near miss: at most a third of want's length apart and not equal.
 * NULL otherwise.  Borrowed from list.  Pure; used for "did you mean".
 */
const char *
adkcd_near_miss(const char *want, char *const *list);

/* Case-insensitive (ASCII) Levenshtein distance in bytes; SIZE_MAX when
 * out of memory. */
size_t
adkcd_edit_distance(const char *a, const char *b);

#endif /* ADKCD_KCDCHECK_H */
