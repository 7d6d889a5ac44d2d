/*
 * adkcd: the principals a resource-based delegation names.
 *
 * msDS-AllowedToActOnBehalfOfOtherIdentity allows SIDs: of accounts (the
 * services that delegate, usually computers) and of groups.  A principal
 * is named in any ACCOUNT form (NAME, NAME$, DOMAIN\NAME, a UPN, a DN,
 * <GUID=...>, <SID=...>), as a group's name, or as a bare SID
 * ("S-1-5-21-...-1105"); it is resolved to its SID, and a SID to the
 * object that has it (for show and the diffs).
 */
#ifndef ADKCD_PRINCIPAL_H
#define ADKCD_PRINCIPAL_H

#include <stddef.h>

#include "adkcd/conn.h"
#include "adkcd/status.h"

enum adkcd_principal_kind {
    ADKCD_PRINCIPAL_UNKNOWN = 0, /* a SID no object of the domain has */
    ADKCD_PRINCIPAL_USER,
    ADKCD_PRINCIPAL_COMPUTER,
    ADKCD_PRINCIPAL_GROUP,
};

struct adkcd_principal {
    char *input; /* as named */
    char *sid;   /* "S-1-5-21-..." */
    char *dn;    /* NULL when kind is UNKNOWN */
    char *sam;   /* sAMAccountName ("tmg$"); NULL when UNKNOWN */
    enum adkcd_principal_kind kind;
    unsigned uac; /* userAccountControl of a user or computer */
    int has_uac;
};

/*
 * Resolve n names.  out and errs have n entries each; on return out[i] is
 * a new principal (adkcd_principal_free()) or NULL, and errs[i] says why
 * not: ADKCD_E_NOTFOUND (no account or group has that name; ambiguous),
 * ADKCD_E_USAGE (malformed).  A bare SID that no object has is resolved
 * to a principal of kind UNKNOWN (the caller decides whether that will
 * do: removing it from a descriptor, yes; allowing it, no).  Accounts are
 * looked up as adkcd_account_resolve_many() does (computer NAME$ first);
 * a name that is no account is looked up as a group.  The status is that
 * of the whole (ADKCD_E_CONNECT, ADKCD_E_NOMEM, ...), every out[i] NULL
 * then.
 */
adkcd_status
adkcd_principal_resolve_many(struct adkcd_conn *conn, const char *const *names,
                             size_t n, struct adkcd_principal **out,
                             struct adkcd_err *errs, struct adkcd_err *err);

/* "computer", "user", "group" or "unknown SID". */
const char *
adkcd_principal_kind_str(enum adkcd_principal_kind kind);

void
adkcd_principal_free(struct adkcd_principal *p);

#endif /* ADKCD_PRINCIPAL_H */
