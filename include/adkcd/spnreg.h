/*
 * adkcd: SPNs in the directory.
 *
 * Who holds an SPN (alias-aware, domain or forest), setspn -Q style
 * queries, duplicate scans, and the plans that add or delete an SPN on an
 * account.  Searches are paged and stream their results.
 */
#ifndef ADKCD_SPNREG_H
#define ADKCD_SPNREG_H

#include <stddef.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/plan.h"
#include "adkcd/spn.h"
#include "adkcd/status.h"

/* Where to look. */
struct adkcd_scope {
    int forest;         /* the whole forest, through the Global Catalog */
    const char *domain; /* one domain, by DNS or NetBIOS name (-T) */
};

/*
 * A person's name for the scope ("domain DC=mydom,DC=local", "forest (Global
 * Catalog)") after resolving it; *text_out is a new string (free()).
 * ADKCD_E_NOTFOUND when -T names no domain of the forest.
 */
adkcd_status
adkcd_scope_describe(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                     char **text_out, struct adkcd_err *err);

/* Read the forest's sPNMappings (may hold no mapping at all). */
adkcd_status
adkcd_spn_read_mappings(struct adkcd_conn *conn,
                        struct adkcd_spn_mappings **m_out,
                        struct adkcd_err *err);

struct adkcd_spn_holder {
    char *dn;      /* the other account */
    char *value;   /* the value it holds that clashes */
    int via_alias; /* the clash is through a host alias (KB5008382) */
};

struct adkcd_spn_holders {
    struct adkcd_spn_holder *v;
    size_t n;
};

/*
 * Every account other than exclude_dn that holds spn or one of its alias
 * equivalents (m, may be NULL) within scope.  *h_out is always set on
 * success (n may be 0); free with adkcd_spn_holders_free().
 */
adkcd_status
adkcd_spn_find_holders(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                       const struct adkcd_spn *spn,
                       const struct adkcd_spn_mappings *m,
                       const char *exclude_dn, struct adkcd_spn_holders **h_out,
                       struct adkcd_err *err);

/*
 * adkcd_spn_find_holders() for n SPNs at once, with a few searches (their
 * equivalents OR-ed, up to 100 filter terms a search): h_out[i] (an
 * array of n owned by the caller) gets exactly what adkcd_spn_find_holders()
 * gives for spns[i] and exclude_dns[i] (exclude_dns may be NULL, and any
 * of its entries NULL: nothing excluded).  On success every h_out[i] is
 * set (free each with adkcd_spn_holders_free()); on failure every h_out[i]
 * is NULL.  Errors: those of the searches (ADKCD_E_CONNECT, ADKCD_E_ACCESS,
 * ADKCD_E_DIRECTORY), ADKCD_E_NOTFOUND for a -T domain that does not
 * exist, ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_spn_find_holders_many(struct adkcd_conn *conn,
                            const struct adkcd_scope *scope,
                            const struct adkcd_spn *const *spns, size_t n,
                            const struct adkcd_spn_mappings *m,
                            const char *const *exclude_dns,
                            struct adkcd_spn_holders **h_out,
                            struct adkcd_err *err);

void
adkcd_spn_holders_free(struct adkcd_spn_holders *h);

/*
 * The duplicate-SPN rule, decided once for every tool: spn may be added to
 * the account dn only when no other account of scope holds it or, since
 * KB5008382, an alias form of it (m: the forest's sPNMappings).  *h_out
 * (may be NULL; adkcd_spn_holders_free()) gets the holders either way.
 * ADKCD_E_CONFLICT, with the holder (and how many there are), when one
 * holds it; errors of the search otherwise.
 */
adkcd_status
adkcd_spn_check_unique(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                       const struct adkcd_spn *spn,
                       const struct adkcd_spn_mappings *m, const char *dn,
                       struct adkcd_spn_holders **h_out, struct adkcd_err *err);

/*
 * The conflict of holder h with adding spn (its text) to dn, as
 * ADKCD_E_CONFLICT in err: the one wording of the rule, for single SPNs
 * and whole state files alike.  Returns ADKCD_E_CONFLICT.
 */
adkcd_status
adkcd_spn_conflict(const struct adkcd_spn_holder *h, const char *spn,
                   const char *dn, struct adkcd_err *err);

/* Called per matching account: its DN, all its SPNs, the matching ones. */
typedef adkcd_status (*adkcd_spn_query_func)(void *ctx, const char *dn,
                                             char *const *spns,
                                             char *const *matched,
                                             struct adkcd_err *err);

/*
 * setspn -Q: every account holding an SPN that matches pattern ('*' is a
 * wildcard, matching is case-insensitive).  *count_out (may be NULL) is the
 * number of accounts reported.
 */
adkcd_status
adkcd_spn_query(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                const char *pattern, adkcd_spn_query_func fn, void *ctx,
                size_t *count_out, struct adkcd_err *err);

/* Progress: SPNs read so far. */
typedef void (*adkcd_progress_func)(void *ctx, size_t seen);

/* A duplicate: one SPN (in lower case) and every DN holding it (a DN may
 * appear twice when one account holds the value in two spellings). */
typedef adkcd_status (*adkcd_spn_dup_func)(void *ctx, const char *spn,
                                           char *const *dns,
                                           char *const *values,
                                           struct adkcd_err *err);

/*
 * setspn -X: SPNs registered more than once (case-insensitively) in scope.
 * Memory is proportional to the number of SPNs.  *count_out (may be NULL)
 * is the number of duplicated SPNs, *seen_out (may be NULL) the number of
 * SPNs read.
 */
adkcd_status
adkcd_spn_duplicates(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                     adkcd_progress_func progress, void *progress_ctx,
                     adkcd_spn_dup_func fn, void *ctx, size_t *count_out,
                     size_t *seen_out, struct adkcd_err *err);

/*
 * setspn -R: the HOST/ SPNs a computer must have, from its names:
 * HOST/NAME and HOST/<dNSHostName> (or NAME.<domain> when dNSHostName is
 * not set).  ADKCD_E_USAGE for a user account.  *spns_out is a new strv.
 */
adkcd_status
adkcd_spn_reset_names(struct adkcd_conn *conn, const struct adkcd_account *acct,
                      char ***spns_out, struct adkcd_err *err);

#endif /* ADKCD_SPNREG_H */
