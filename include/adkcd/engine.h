/*
 * adkcd: the write engine.  Every command that writes (adspn, adkcd
 * add/remove/set, rollback, apply) goes through it:
 *
 *   plan (pure) -> diff -> journal -> apply -> read back
 *               -> on a lost compare-and-swap: re-read and re-plan only
 *                  that object, journal, send again
 *
 * A plan holds one change per object; a change is one LDAP modify made of
 * value-level adds and deletes, so each object changes atomically.  The
 * engine pipelines the modifies over one connection with a bounded window,
 * takes each answer by itself (its own result code and diagnostic), and
 * keeps going after a failure unless told to stop.
 *
 * The journal is a write-ahead log: the changes about to be sent are
 * recorded (one write and one fsync for a whole batch) before they are
 * sent, and their outcomes (applied, refused) after, so that at any cut-off
 * point (the DC gone, this process killed) the journal says exactly which
 * changes were applied, which were not, and which were in flight with no
 * answer (in doubt: rollback then judges them by the directory's state).
 */
#ifndef ADKCD_ENGINE_H
#define ADKCD_ENGINE_H

#include <stddef.h>

#include "adkcd/dir.h"
#include "adkcd/plan.h"
#include "adkcd/status.h"

struct adkcd_journal;

/* Modifies in flight at once by default. */
#define ADKCD_ENGINE_WINDOW 64

/* How many modifies a change whose compare-and-swap keeps being lost gets
 * in all before the engine gives up on it. */
#define ADKCD_ENGINE_RETRIES 8

struct adkcd_engine_opts {
    int window;        /* modifies in flight; 0: ADKCD_ENGINE_WINDOW */
    int retries;       /* attempts in all; 0: ADKCD_ENGINE_RETRIES */
    int timeout_ms;    /* for one answer; 0: 60 s (adkcd_engine_apply_conn:
                        * the connection's network timeout) */
    int stop_on_error; /* send nothing more after the first refusal */
    int no_read_back;  /* skip the read-back (the fake's tests) */
    struct adkcd_journal *journal; /* NULL: no journal */
    /* Progress: changes answered so far of the total to send. */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
    /* Back-off before a retry (ms); NULL: nanosleep.  Tests pass a
     * function that does not sleep. */
    void (*sleep_ms)(void *ctx, unsigned ms);
    void *sleep_ctx;
    /* After a journal write failed (a full disk), the journal text of the
     * applied changes whose outcome it could not record
     * (adkcd_journal_unwritten()), borrowed for the call, so that a person
     * sees what the directory now holds.  NULL: dropped, except in
     * adkcd_engine_apply_conn(), which then hands it to the connection's
     * log, one line per call. */
    void (*unjournaled)(void *ctx, const char *text);
    void *unjournaled_ctx;
};

/* Counts of the outcomes (enum adkcd_outcome) after a run. */
struct adkcd_engine_result {
    size_t applied, unchanged, failed, in_doubt, skipped;
    size_t retried; /* lost compare-and-swaps that were re-planned */
    size_t read_differs;
    /* The read-back after the writes failed (the writes stand): its
     * status (ADKCD_OK when it did not fail) and message. */
    adkcd_status read_back_status;
    char read_back_msg[ADKCD_ERR_MSG_SIZE];
};

/*
 * Apply every change of plan that has operations, phase by phase, and set
 * each change's outcome, status, message, attempts and read-back images.
 * Changes without operations are UNCHANGED and nothing is sent for them.
 *
 * Returns ADKCD_OK when every change is APPLIED or UNCHANGED; otherwise
 * ADKCD_E_PARTIAL when some changes were applied (or may have been: in
 * doubt) and others not, else the status of the first failure (CONFLICT:
 * a duplicate the server refused or a compare-and-swap lost on every
 * attempt; ACCESS; CONNECT: the connection was lost; IO: the journal could
 * not be written, in which case nothing more is sent).  err's message
 * summarises; the changes say which did what.  When every change was
 * applied but the server stopped answering (or the connection dropped)
 * during the read-back, ADKCD_E_CONNECT, with a message that says the
 * changes were applied and journaled (result->read_back_status says it
 * too); any other read-back failure is reported in
 * result->read_back_status beside an ADKCD_OK.  When every
 * change was applied but the journal could not record their outcomes,
 * ADKCD_E_PARTIAL (and opts->unjournaled is given what the journal lacks).
 */
adkcd_status
adkcd_engine_apply(struct adkcd_dir *dir, struct adkcd_plan *plan,
                   const struct adkcd_engine_opts *opts,
                   struct adkcd_engine_result *result, struct adkcd_err *err);

/*
 * The same over a bound connection's directory (adkcd_dir_over_conn()),
 * journaling into j (NULL: no journal; it overrides opts->journal); opts
 * NULL means the defaults.
 */
adkcd_status
adkcd_engine_apply_conn(struct adkcd_conn *conn, struct adkcd_plan *plan,
                        struct adkcd_journal *j,
                        const struct adkcd_engine_opts *opts,
                        struct adkcd_engine_result *result,
                        struct adkcd_err *err);

/* "applied", "failed", "in-doubt", ... (stable, for JSON). */
const char *
adkcd_outcome_str(enum adkcd_outcome outcome);

#endif /* ADKCD_ENGINE_H */
