/*
 * adkcd: planning a whole state file against the directory.
 *
 * Every account of the file is resolved (a few batched searches), planned
 * with the one account planner (want.h), and every SPN it would add is
 * checked for a duplicate held elsewhere (the forest through the Global
 * Catalog, or the domain, or not at all: the file's spn_check), host
 * aliases included, in a few batched searches.  An SPN that the file
 * removes from one account and adds to another is a move, not a conflict:
 * the changes that remove SPNs go in an earlier phase than the others.
 *
 * Anything that would make the file fail (an account not found, a
 * conflict, a safety rule) is collected as an issue with a stable kind,
 * the index of the file's account and a message; with any issue, nothing
 * may be written.  The front end words and places them (FILE:LINE:COLUMN).
 */
#ifndef ADKCD_STATEPLAN_H
#define ADKCD_STATEPLAN_H

#include <stddef.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/plan.h"
#include "adkcd/principal.h"
#include "adkcd/statefile.h"
#include "adkcd/want.h"

enum adkcd_issue_kind {
    ADKCD_ISSUE_NOT_FOUND,     /* the account does not resolve */
    ADKCD_ISSUE_SAME_ACCOUNT,  /* two entries name one object */
    ADKCD_ISSUE_SPN_HELD,      /* an SPN to add is held elsewhere */
    ADKCD_ISSUE_SPN_IN_FILE,   /* two entries add SPNs the KDC takes for one
                                * (host alias) */
    ADKCD_ISSUE_REFUSED,       /* a safety rule (without --force) */
    ADKCD_ISSUE_CONTRADICTION, /* the entry cannot apply to the account as
                                * it is (e.g. protocol transition with no
                                * service left, an invalid SPN to add) */
    ADKCD_ISSUE_SPN_CYCLE,     /* SPNs move in a cycle between entries
                                * (swapped): no order of whole changes
                                * avoids a duplicate */
    ADKCD_ISSUE_PRINCIPAL,     /* an rbcd principal does not resolve, or
                                * names a SID no object has to allow */
};

struct adkcd_issue {
    enum adkcd_issue_kind kind;
    size_t account; /* index in the file's accounts */
    adkcd_status status;
    char *message; /* the library's account of it, no command line */
    char *spn;     /* SPN_HELD, SPN_IN_FILE: the SPN to add */
    char *holder;  /* SPN_HELD: the DN holding it; SPN_IN_FILE: the other
                    * entry's account name */
    char *value;   /* the clashing value held */
    int via_alias; /* the clash is through a host alias (KB5008382) */
    size_t order;  /* the order it was found in */
};

struct adkcd_stateplan {
    const struct adkcd_statefile *sf; /* borrowed */
    struct adkcd_account **accts;     /* n_accounts; NULL: unresolved */
    struct adkcd_want *wants;         /* n_accounts */
    struct adkcd_plan *plan;          /* a change per resolved account,
                                       * change->group = its index */
    struct adkcd_issue *issues;
    size_t n_issues;
    /* The principals the rbcd lists name, resolved (each name once;
     * NULL where it did not resolve), for reports. */
    struct adkcd_principal **principals;
    size_t n_principals;
    struct adkcd_rbcd_sids {
        char **add, **remove; /* strvs */
    } * rbcd_sids;            /* per account, for its want's rbcd_edit */
    char **rbcd_unknown;      /* SIDs named that no object has (strv) */
    size_t spns_checked;      /* SPNs checked for duplicates */
    int gc_used;              /* the Global Catalog was asked */
};

/*
 * Plan sf against the directory behind conn (force: allow what the safety
 * checks refuse).  *sp_out is set whenever the status is not NOMEM (free
 * with adkcd_stateplan_free(); it borrows sf, which must outlive it and
 * the engine's run).  ADKCD_OK when there is no issue; otherwise the
 * status of the first issue (NOTFOUND, USAGE, CONFLICT, ACCESS), with a
 * message counting them; a failure of the directory itself (CONNECT,
 * ACCESS, ...) with nothing planned.
 */
adkcd_status
adkcd_stateplan_make(struct adkcd_conn *conn, const struct adkcd_statefile *sf,
                     int force, struct adkcd_stateplan **sp_out,
                     struct adkcd_err *err);

/* The change planned for the file's account i, or NULL. */
const struct adkcd_change *
adkcd_stateplan_change(const struct adkcd_stateplan *sp, size_t i);

void
adkcd_stateplan_free(struct adkcd_stateplan *sp);

/* The resolved principal whose SID is sid, or NULL. */
const struct adkcd_principal *
adkcd_stateplan_principal(const struct adkcd_stateplan *sp, const char *sid);

/* "not-found", "same-account", "spn-held", ... (stable, for JSON). */
const char *
adkcd_issue_kind_str(enum adkcd_issue_kind kind);

#endif /* ADKCD_STATEPLAN_H */
