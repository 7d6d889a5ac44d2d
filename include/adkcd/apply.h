/*
 * adkcd: applying a plan to the directory.
 *
 * Each change (one object) is sent as one LDAP modify made only of
 * value-level adds and deletes, then read back on the same connection into
 * the images' "read" values.  The after-images keep what the change left;
 * when the read-back differs (another writer changed the object right
 * after), the change's read_differs is set for the caller to report.  A
 * callback runs after each change the server confirmed (the journal hooks in
 * there), so a run cut off half-way has recorded exactly what was applied.
 */
#ifndef ADKCD_APPLY_H
#define ADKCD_APPLY_H

#include "adkcd/conn.h"
#include "adkcd/plan.h"
#include "adkcd/status.h"

/* Called once per confirmed change; a non-OK status stops the run. */
typedef adkcd_status (*adkcd_applied_func)(void *ctx,
                                           const struct adkcd_change *change,
                                           struct adkcd_err *err);

/*
 * Apply every change of plan that has operations, in order.  Changes
 * without operations are skipped (nothing is sent).  On failure the
 * status is the failed change's (CONFLICT for a lost compare-and-swap or a
 * duplicate the server refused, ACCESS for missing rights, ...), or
 * ADKCD_E_PARTIAL when earlier changes were applied (the message says how
 * many, then the cause); each change's "applied" flag tells which.  A
 * change the server accepted but whose read-back failed is "applied".  When
 * the callback fails for a change the server applied (the journal could
 * not be written), the status is ADKCD_E_PARTIAL and the message says so.
 */
adkcd_status
adkcd_apply(struct adkcd_conn *conn, struct adkcd_plan *plan,
            adkcd_applied_func applied, void *ctx, struct adkcd_err *err);

#endif /* ADKCD_APPLY_H */
