/*
 * adkcd: undoing journaled runs, computed from the operations.
 *
 * LDAP is strict (an add of a value that is there fails with 20, a delete
 * of a value that is not there fails with 16; the tools never ask for
 * permissive modify), so the journaled operations alone say what a change
 * did to each value: present before = the oldest operation on it is a
 * delete, present after = the newest is an add.  A rollback restores, for
 * every value the selected runs touched, the presence it had before the
 * oldest of their changes (undoing them newest first, in the journal's
 * order across interleaved runs).  Changes the server refused are ignored;
 * changes in doubt are judged by the directory's state.  Values the runs
 * never touched are left alone (another writer's SPN stays).  For
 * userAccountControl only the delegation bits go back, by compare-and-swap;
 * the other bits stay as they are now.
 *
 * Drift: the touched values of each object must now be what the newest
 * selected change left, or any state along the chain of changes back to
 * the state before the oldest (partly undone already, e.g. a rollback cut
 * off half-way).  Anything else is refused unless forced.
 *
 * Planning is pure (adkcd_rollback_prepare(), adkcd_rollback_inverse()):
 * the caller reads the objects, and the engine can re-plan one object
 * against a fresh read after a lost compare-and-swap (each change's
 * replan hook).
 */
#ifndef ADKCD_ROLLBACK_H
#define ADKCD_ROLLBACK_H

#include <stddef.h>

#include "adkcd/conn.h"
#include "adkcd/entry.h"
#include "adkcd/journal.h"
#include "adkcd/plan.h"
#include "adkcd/status.h"
#include "adkcd/values.h"

struct adkcd_drift {
    char *dn;
    char *attr;
    char **expected; /* what the runs left of the values they touched */
    char **actual;   /* what is there now of those values */
};

struct adkcd_drifts {
    struct adkcd_drift *v;
    size_t n;
};

/* The selected runs' net effect per object (opaque). */
struct adkcd_rollback;

/*
 * How values of attr compare, for rollback and drift: ADKCD_CMP_NOCASE
 * for servicePrincipalName and msDS-AllowedToDelegateTo (the directory
 * compares them without regard to case), ADKCD_CMP_EXACT for everything
 * else (userAccountControl, security descriptors).  The one table of it.
 */
enum adkcd_cmp
adkcd_attr_cmp(const char *attr);

/*
 * Pure: collect the changes of the runs named in ids (a strv of run ids
 * exactly as in runs, e.g. from adkcd_journal_find()) per object, in the
 * journal's order, leaving out refused changes.  runs is borrowed and must
 * outlive *rb_out.  ADKCD_E_NOTFOUND when an id names no run; ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_rollback_prepare(const struct adkcd_journal_runs *runs, char *const *ids,
                       struct adkcd_rollback **rb_out, struct adkcd_err *err);

/* The number of objects the runs touched. */
size_t
adkcd_rollback_count(const struct adkcd_rollback *rb);

/* The DNs of those objects, a strv in their order (borrowed). */
char *const *
adkcd_rollback_dns(const struct adkcd_rollback *rb);

/* The attributes to read of object i (a strv, borrowed). */
char *const *
adkcd_rollback_attrs(const struct adkcd_rollback *rb, size_t i);

/*
 * Pure: the plan that undoes the runs, given entries[i], the object
 * adkcd_rollback_dns()[i] as it is now with (at least) its
 * adkcd_rollback_attrs() (NULL: the object is gone).  *plan_out holds one
 * change per object (without operations when it is already restored),
 * objects whose inverse deletes values in phase 0, those that add values
 * in phase 1 (an SPN moved between objects leaves its new holder before it
 * returns); each change's replan hook re-derives that object's inverse
 * from a fresh entry (re-checking drift unless force), with rb as context:
 * free rb only after the engine ran.  *drifts_out lists what drifted.
 * With drift and !force: ADKCD_E_CONFLICT (message lists it; the drifted
 * objects get no operations) and *plan_out is still set.
 * ADKCD_E_NOTFOUND when an object is gone (*plan_out NULL).
 */
adkcd_status
adkcd_rollback_inverse(struct adkcd_rollback *rb,
                       struct adkcd_entry *const *entries, int force,
                       struct adkcd_plan **plan_out,
                       struct adkcd_drifts **drifts_out, struct adkcd_err *err);

/* NULL is a no-op. */
void
adkcd_rollback_free(struct adkcd_rollback *rb);

/*
 * adkcd_rollback_prepare(), every object read over conn (one pipelined
 * pass), then adkcd_rollback_inverse(), whose plan the engine applies:
 * *rb_out is its replan hooks' context, to free after the engine ran (it
 * is set whenever prepare succeeded).  Statuses as those.
 */
adkcd_status
adkcd_rollback_plan(struct adkcd_conn *conn,
                    const struct adkcd_journal_runs *runs, char *const *ids,
                    int force, struct adkcd_rollback **rb_out,
                    struct adkcd_plan **plan_out,
                    struct adkcd_drifts **drifts_out, struct adkcd_err *err);

void
adkcd_drifts_free(struct adkcd_drifts *d);

#endif /* ADKCD_ROLLBACK_H */
