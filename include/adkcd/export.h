/*
 * adkcd: the directory's SPNs and delegation as a state file (statefile.h)
 * with exact lists, so that applying it changes nothing, and applying an
 * old one restores what it held.
 */
#ifndef ADKCD_EXPORT_H
#define ADKCD_EXPORT_H

#include <stddef.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/statefile.h"

/* What an export cannot say exactly: that account's delegation is left
 * out of the file (applying it leaves it as it is), for the caller to warn
 * about. */
enum adkcd_export_gap {
    /* Unconstrained with services or protocol transition as well (the
     * file's "mode: unconstrained" clears both). */
    ADKCD_GAP_UNCONSTRAINED_EXTRA,
    /* Protocol transition without any service ("mode: none" clears it). */
    ADKCD_GAP_ORPHAN_PT,
    /* A resource-based delegation descriptor that a list of principals
     * cannot say: deny, conditional or object ACEs, ACE types not
     * interpreted, no DACL, or a value that does not parse (its rbcd is
     * left out). */
    ADKCD_GAP_RBCD_COMPLEX,
};

struct adkcd_export_gaps {
    struct adkcd_export_gap_item {
        enum adkcd_export_gap gap;
        char *dn;
    } * v;
    size_t n;
};

/*
 * Export the n accounts named (names as ACCOUNT forms, kinds may be NULL),
 * or with n == 0 every account of the DC's domain that has any delegation
 * (a flag or msDS-AllowedToDelegateTo), in the directory's order.  Each
 * entry names the account by its sAMAccountName (users with "type: user",
 * as NAME alone would find a computer NAME$ first), with "spns: exact" and
 * "delegation" (mode, protocol_transition, services: exact for
 * constrained), and "rbcd: exact" with the principals the account's
 * msDS-AllowedToActOnBehalfOfOtherIdentity allows (a computer as NAME$,
 * a user or a group by its name when that name finds it again, else by
 * its SID; every account that has the attribute is exported when n is
 * 0).  *sf_out (adkcd_statefile_free()) and *gaps_out
 * (adkcd_export_gaps_free(); n may be 0) are new.  ADKCD_E_NOTFOUND when a
 * name does not resolve (the message lists them), search failures.
 */
adkcd_status
adkcd_export(struct adkcd_conn *conn, const char *const *names,
             const enum adkcd_account_kind *kinds, size_t n,
             struct adkcd_statefile **sf_out,
             struct adkcd_export_gaps **gaps_out, struct adkcd_err *err);

void
adkcd_export_gaps_free(struct adkcd_export_gaps *gaps);

#endif /* ADKCD_EXPORT_H */
