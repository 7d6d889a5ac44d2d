/*
 * adkcd: change sets.
 *
 * A plan is an ordered list of changes, one per object (DN); each change is
 * a list of value-level operations (add this value, delete that value) that
 * is sent as ONE LDAP modify, so an object's change is atomic.  There is no
 * "replace": a single-valued attribute such as userAccountControl changes by
 * deleting the old value and adding the new one in the same modify, which
 * the server only accepts while the old value is still there (a
 * compare-and-swap; it fails with noSuchAttribute otherwise).
 *
 * Each change also carries before- and after-images of the attributes it
 * touches, for the diff, the JSON output and the journal.  Building and
 * rendering a plan is pure: no LDAP.
 */
#ifndef ADKCD_PLAN_H
#define ADKCD_PLAN_H

#include <stddef.h>

#include "adkcd/status.h"
#include "adkcd/values.h"

enum adkcd_op_kind { ADKCD_OP_ADD = 0, ADKCD_OP_DELETE = 1 };

struct adkcd_op {
    enum adkcd_op_kind kind;
    char *attr;
    struct adkcd_val value; /* bytes: may hold NUL (security descriptors) */
};

/* An attribute's values before and after; present==0 means the attribute
 * is absent (which LDAP does not distinguish from "no values"). */
struct adkcd_image {
    char *attr;
    int before_present;
    struct adkcd_vals before;
    int after_present;
    struct adkcd_vals after; /* what the change leaves (before + operations) */
    int read_present;
    int have_read;          /* read back right after the change was applied */
    struct adkcd_vals read; /* the values read back (when have_read) */
};

struct adkcd_change;
struct adkcd_entry;

/*
 * Plan a change again against the object as it is now: after a lost
 * compare-and-swap the engine re-reads the object (the attributes in
 * replan_attrs) and calls this with the change emptied (its dn and label
 * kept).  Pure; nothing planned means there is nothing left to do.
 */
typedef adkcd_status (*adkcd_replan_func)(void *ctx,
                                          const struct adkcd_entry *now,
                                          struct adkcd_change *change,
                                          struct adkcd_err *err);

/* What became of a change (set by the engine). */
enum adkcd_outcome {
    ADKCD_OUT_PLANNED = 0, /* not sent (a dry run, or not run yet) */
    ADKCD_OUT_UNCHANGED,   /* nothing to do (or nothing left on a re-plan) */
    ADKCD_OUT_APPLIED,     /* the server confirmed it */
    ADKCD_OUT_FAILED,      /* the server refused it; nothing of it applied */
    ADKCD_OUT_IN_DOUBT,    /* sent, but the connection was lost before the
                            * answer: it may or may not have been applied */
    ADKCD_OUT_SKIPPED,     /* not sent: stopped after a failure, or the
                            * connection was lost first */
};

struct adkcd_change {
    char *dn;
    char *label; /* a person's name for the object: "computer tmg$" */
    struct adkcd_op *ops;
    size_t n_ops;
    struct adkcd_image *images;
    size_t n_images;
    int applied;      /* set once the server confirmed it */
    int read_differs; /* the read-back differs from the after-images:
                       * another writer changed the object right after */

    /* Set by the planner that made the change. */
    unsigned phase; /* the engine finishes every change of a lower
                     * phase before it sends one of a higher
                     * (moves: removals first) */
    size_t group;   /* the caller's index (e.g. the account of a
                     * state file), for its report */
    size_t *needs;  /* changes (indices in the plan) that must be
                     * applied before this one is sent: it takes
                     * over values they let go of (owned) */
    size_t n_needs;
    adkcd_replan_func replan; /* NULL: a lost compare-and-swap is final */
    void *replan_ctx;         /* borrowed; must outlive the engine's run */
    char **replan_attrs;      /* strv (owned): what replan needs read */

    /* Set by the engine. */
    enum adkcd_outcome outcome;
    adkcd_status status; /* FAILED, IN_DOUBT, SKIPPED: why */
    int ldap_rc;
    char *message;        /* NULL unless status != ADKCD_OK */
    int attempts;         /* modifies sent for it (retries after a lost
                           * compare-and-swap included) */
    unsigned journal_seq; /* its number in the run's journal (0: none) */
};

struct adkcd_plan {
    struct adkcd_change *changes;
    size_t n;
};

adkcd_status
adkcd_plan_new(struct adkcd_plan **plan_out, struct adkcd_err *err);

void
adkcd_plan_free(struct adkcd_plan *plan);

/*
 * The change for dn, created (with label) when the plan has none yet.
 * Borrowed pointer, valid until the plan changes.
 */
adkcd_status
adkcd_plan_change(struct adkcd_plan *plan, const char *dn, const char *label,
                  struct adkcd_change **change_out, struct adkcd_err *err);

/*
 * Make attr hold exactly desired (desired_present==0: absent) given
 * its current values.  Only the difference becomes operations: deletes of
 * values that are not desired (the value exactly as stored), then adds of
 * desired values that are missing (as given).  Values equal under cmp are
 * kept as stored.  Records the images.  An attribute is planned once per
 * change (ADKCD_E_INVALID otherwise).
 */
adkcd_status
adkcd_change_set_vals(struct adkcd_change *change, const char *attr,
                      const struct adkcd_vals *current, int current_present,
                      const struct adkcd_vals *desired, int desired_present,
                      enum adkcd_cmp cmp, struct adkcd_err *err);

/* The same for a text attribute, with strv values. */
adkcd_status
adkcd_change_set_values(struct adkcd_change *change, const char *attr,
                        char *const *current, int current_present,
                        char *const *desired, int desired_present,
                        enum adkcd_cmp cmp, struct adkcd_err *err);

/*
 * Change a single-valued attribute from old_value to new_value by
 * compare-and-swap (delete old, add new, in this order, in the same modify).
 * Nothing is planned when they are equal.
 */
adkcd_status
adkcd_change_swap(struct adkcd_change *change, const char *attr,
                  const char *old_value, const char *new_value,
                  struct adkcd_err *err);

/*
 * The same with bytes.  old NULL: the attribute is absent now (the value
 * is added, which the server refuses if another writer set one first); new
 * NULL: the old value is deleted (absent after).  Values compare exactly.
 */
adkcd_status
adkcd_change_swap_val(struct adkcd_change *change, const char *attr,
                      const struct adkcd_val *old_value,
                      const struct adkcd_val *new_value, struct adkcd_err *err);

/*
 * Guard a modify with the current value of a single-valued attribute:
 * delete value and add it back in the same modify.  The modify then fails
 * (noSuchAttribute) if another writer changed the attribute since it was
 * read, like a compare-and-swap that changes nothing.  Plan it only
 * together with other operations (alone it would be a write that changes
 * nothing).
 */
adkcd_status
adkcd_change_guard(struct adkcd_change *change, const char *attr,
                   const char *value, struct adkcd_err *err);

/*
 * The values that count as one with value for ordering (an SPN and its
 * host-alias forms): *equiv_out is a new strv that includes value itself.
 */
typedef adkcd_status (*adkcd_equiv_func)(void *ctx, const char *value,
                                         char ***equiv_out,
                                         struct adkcd_err *err);

/*
 * Order plan for a unique attribute (servicePrincipalName): a change that
 * adds a value (or, through fn, a value equivalent to it; fn NULL: the
 * value alone, without regard to case) waits for every other change that
 * deletes it, so that a value moved between objects is let go of before it
 * is taken over.  Sets each change's needs and phase (its depth in that
 * order, from 0).  ADKCD_E_USAGE, with the objects named and *cycle_at
 * (may be NULL) the index of a change on it, when the moves form a cycle
 * (values swapped between objects): no order of whole changes avoids a
 * duplicate.
 */
adkcd_status
adkcd_plan_order(struct adkcd_plan *plan, const char *attr, adkcd_equiv_func fn,
                 void *ctx, size_t *cycle_at, struct adkcd_err *err);

/*
 * Let the engine plan change again after a lost compare-and-swap: fn with
 * ctx, against the attributes attrs (a strv, copied) read anew.
 */
adkcd_status
adkcd_change_set_replan(struct adkcd_change *change, adkcd_replan_func fn,
                        void *ctx, char *const *attrs, struct adkcd_err *err);

/* Empty change for planning it again: drop its operations, images and
 * read-back state; keep dn, label, phase, group and the replan hook. */
void
adkcd_change_reset(struct adkcd_change *change);

/* The image of attr in change, or NULL. */
const struct adkcd_image *
adkcd_change_image(const struct adkcd_change *change, const char *attr);

/* Non-zero when no change has any operation (nothing to write). */
int
adkcd_plan_is_empty(const struct adkcd_plan *plan);

/* Number of operations in the whole plan. */
size_t
adkcd_plan_count_ops(const struct adkcd_plan *plan);

/*
 * Render the plan as a diff of the attributes it touches:
 *   dn: CN=iosmdm,CN=Users,DC=mydom,DC=local (user iosmdm)
 *     servicePrincipalName: HOST/iosmdm
 *   + servicePrincipalName: http/iosmdm.mydom.local
 * Values that stay are indented, removed ones start with "- ", added ones
 * with "+ ".  Values are written as LDIF writes them (base64, "attr:: ...",
 * when they hold control characters or would be misread), so a value can
 * never forge a line.  Changes without operations are left out.  *text_out is a
 * new string (free()).
 */
adkcd_status
adkcd_plan_diff(const struct adkcd_plan *plan, char **text_out,
                struct adkcd_err *err);

/*
 * Render the plan as LDIF change records that ldapmodify applies (the
 * compare-and-swap pairs stay in one record, so ldapmodify gets the same
 * safety).  Values that need it are base64-encoded by libldap's LDIF
 * writer.  *text_out is a new string (free()).
 */
adkcd_status
adkcd_plan_ldif(const struct adkcd_plan *plan, char **text_out,
                struct adkcd_err *err);

#endif /* ADKCD_PLAN_H */
