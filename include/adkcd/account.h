/*
 * adkcd: finding the account an SPN or a delegation belongs to.
 *
 * ACCOUNT may be NAME (a computer NAME$ if one exists, else a user NAME),
 * NAME$, DOMAIN\NAME, a UPN (user@dom), a DN, <GUID=...> or <SID=...>.
 * Every value put into a filter is escaped (RFC 4515), so a name such as
 * "x)(objectClass=*" finds nothing rather than everything.
 */
#ifndef ADKCD_ACCOUNT_H
#define ADKCD_ACCOUNT_H

#include "adkcd/conn.h"
#include "adkcd/status.h"
#include "adkcd/uac.h"
#include "adkcd/values.h" /* the bits of uac, and what they make an account */

enum adkcd_account_kind {
    ADKCD_ACCOUNT_ANY = 0,  /* computer first, then user (setspn) */
    ADKCD_ACCOUNT_COMPUTER, /* -C */
    ADKCD_ACCOUNT_USER,     /* -U */
};

struct adkcd_account {
    char *input; /* what the user typed */
    char *dn;
    char *sam;           /* sAMAccountName ("tmg$") */
    char *upn;           /* userPrincipalName or NULL */
    char *dns_host_name; /* dNSHostName or NULL */
    int is_computer;     /* objectClass includes computer */
    char *how;           /* why this object was chosen, for the output:
                          * "computer tmg$", "user iosmdm, as no
                          * computer iosmdm$ exists" */
    unsigned uac;        /* userAccountControl */
    int has_uac;
    int rodc_linked; /* msDS-KrbTgtLinkBl is set: a read-only DC's krbtgt
                      * (adkcd_uac_is_krbtgt()) */
    char **spns;     /* servicePrincipalName values (strv, may be NULL) */
    int spns_present;
    char **delegate_to; /* msDS-AllowedToDelegateTo (strv, may be NULL) */
    int delegate_to_present;
    char *sid;             /* objectSid as "S-1-5-21-..." (NULL: none) */
    struct adkcd_val rbcd; /* msDS-AllowedToActOnBehalfOfOtherIdentity */
    int rbcd_present;      /* (its one value, a security descriptor) */
};

/*
 * Resolve name in the DC's domain.  On success *acct_out is a new object
 * (adkcd_account_free()).  ADKCD_E_NOTFOUND when nothing matches or more
 * than one object does (the message says what was tried, or lists the
 * candidates); ADKCD_E_USAGE for a name that cannot be an account (empty,
 * control characters, a malformed GUID/SID/DN).
 */
adkcd_status
adkcd_account_resolve(struct adkcd_conn *conn, const char *name,
                      enum adkcd_account_kind kind,
                      struct adkcd_account **acct_out, struct adkcd_err *err);

/*
 * Resolve n names at once, each exactly as adkcd_account_resolve() would
 * resolve it alone (the same account and "how", or the same error), with a
 * few searches: names and UPNs are looked up together, up to 100 filter
 * terms a search; DNs and <GUID=...>/<SID=...> are a base read
 * each.  kinds (may be NULL: ADKCD_ACCOUNT_ANY for all) has n entries.
 * Memory is proportional to the names asked.
 *
 * accts_out and errs have n entries each, owned by the caller.  On return
 * accts_out[i] is NULL or a new account (adkcd_account_free()), and
 * errs[i].status says why name i was not resolved: ADKCD_E_NOTFOUND (not
 * found, ambiguous, another domain), ADKCD_E_USAGE (malformed name),
 * ADKCD_E_DIRECTORY for a refused read of that name; ADKCD_OK when
 * accts_out[i] is set.  The status returned is ADKCD_OK when every name
 * was looked up (whatever each found), else a failure of the whole
 * (ADKCD_E_CONNECT, ADKCD_E_AUTH, ADKCD_E_ACCESS, ADKCD_E_DIRECTORY of a
 * batched search, ADKCD_E_NOMEM) in err, with every accts_out[i] NULL.
 */
adkcd_status
adkcd_account_resolve_many(struct adkcd_conn *conn, const char *const *names,
                           const enum adkcd_account_kind *kinds, size_t n,
                           struct adkcd_account **accts_out,
                           struct adkcd_err *errs, struct adkcd_err *err);

/* Read the account's attributes again (after a write, on the same
 * connection).  ADKCD_E_NOTFOUND when it vanished. */
adkcd_status
adkcd_account_reload(struct adkcd_conn *conn, struct adkcd_account *acct,
                     struct adkcd_err *err);

/* "computer" or "user". */
const char *
adkcd_account_class(const struct adkcd_account *acct);

void
adkcd_account_free(struct adkcd_account *acct);

/*
 * Check a name before anything is sent: no NUL inside the given length,
 * no control characters, and a well-formed <GUID=...> / <SID=...>.  len is the
 * byte count of name, so callers that got the name from a file or a pipe can
 * catch an embedded NUL.  ADKCD_E_USAGE with a message on failure.
 */
adkcd_status
adkcd_account_check_name(const char *name, size_t len, struct adkcd_err *err);

#endif /* ADKCD_ACCOUNT_H */
