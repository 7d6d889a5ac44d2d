/*
 * adkcd: undoing journaled runs.
 *
 * A rollback restores, for every object the runs touched, the values the
 * attributes had before the oldest of those runs: runs are undone newest
 * first, as one run.  It refuses an object that drifted, i.e. whose current
 * values are neither what the runs left (the recorded after-state) nor what
 * was there before (already rolled back, e.g. by a rollback cut off
 * half-way), unless forced.  For userAccountControl only the delegation
 * bits count: bits the runs did not manage are left as they are now.
 */
#ifndef ADKCD_ROLLBACK_H
#define ADKCD_ROLLBACK_H

#include <stddef.h>

#include "adkcd/conn.h"
#include "adkcd/journal.h"
#include "adkcd/plan.h"
#include "adkcd/status.h"

struct adkcd_drift {
    char *dn;
    char *attr;
    char **expected; /* what the run left (strv) */
    char **actual;   /* what is there now (strv) */
};

struct adkcd_drifts {
    struct adkcd_drift *v;
    size_t n;
};

/*
 * The plan that undoes the runs named in ids (a strv of run ids as found by
 * adkcd_journal_find) against the directory as it is now.  *plan_out holds
 * one change per object (value-level, compare-and-swap on
 * userAccountControl); *drifts_out lists what drifted (n may be 0).  With
 * drift and !force the status is ADKCD_E_CONFLICT with a message listing
 * it, and *plan_out is still set.  ADKCD_E_NOTFOUND when an object is gone.
 */
adkcd_status
adkcd_rollback_plan(struct adkcd_conn *conn,
                    const struct adkcd_journal_runs *runs, char *const *ids,
                    int force, struct adkcd_plan **plan_out,
                    struct adkcd_drifts **drifts_out, struct adkcd_err *err);

void
adkcd_drifts_free(struct adkcd_drifts *d);

#endif /* ADKCD_ROLLBACK_H */
