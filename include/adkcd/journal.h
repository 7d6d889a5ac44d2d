/*
 * adkcd: the journal of changes, a write-ahead log, and reading it back.
 *
 * Every run of adspn or adkcd that writes gets a run id (a UUID) and
 * appends to one journal, an LDIF file (mode 0600).  The changes about to
 * be sent are recorded first (adkcd_journal_intend(): one write and one
 * fsync for a batch), their outcomes after (adkcd_journal_outcome(),
 * written with the next batch, a flush or the close), so that wherever a
 * run is cut off, the journal says which changes were applied, which were
 * refused and which were in flight without an answer (in doubt).
 *
 * Layout (docs/journal.md): a run header of "# key: value" comment lines,
 * then for each change its number, its label and the change itself as an
 * LDIF "changetype: modify" record exactly as it is sent (value-level
 * add/delete, compare-and-swap pairs included), so that ldapmodify can
 * replay it.  Outcome lines name changes by number; a run ends with
 * "# end: ID STATUS".  Blocks of concurrent runs may interleave; every
 * block names its run.
 *
 *   # run: 0d6f...
 *   # time: 2026-11-24T14:00:00Z
 *   # tool: adkcd
 *   # server: ldap://dc1.mydom.local
 *   # identity: u:MYDOM\Administrator
 *   # command: adkcd add tmg http/iosmdm.mydom.local --any-protocol
 *   # format: 2
 *   # rollback-of: ID ID            (rollback runs only)
 *
 *   # change: 0d6f... 1
 *   # label: computer tmg$
 *   dn: CN=tmg,CN=Computers,DC=mydom,DC=local
 *   changetype: modify
 *   ...
 *
 *   # applied: 0d6f... 1-3 7
 *   # failed: 0d6f... 5
 *   # in-doubt: 0d6f... 9
 *
 *   # end: 0d6f... ok
 *
 * Journals written before format 2 (no "# format:" line) hold only changes
 * written once the server had confirmed them, with "# attrs:", "# before:"
 * and "# after:" image lines: they load, their changes applied.
 */
#ifndef ADKCD_JOURNAL_H
#define ADKCD_JOURNAL_H

#include <stddef.h>

#include "adkcd/plan.h"
#include "adkcd/status.h"

/* A journal open for appending one run. */
struct adkcd_journal;

/*
 * The default journal: $XDG_STATE_HOME/adkcd/journal.ldif, or
 * $HOME/.local/state/adkcd/journal.ldif.  *path_out is a new string.
 * ADKCD_E_IO when neither variable is set.
 */
adkcd_status
adkcd_journal_default_path(char **path_out, struct adkcd_err *err);

/*
 * Open path for appending a run (creating it with mode 0600, and its
 * directory with 0700 when it is the default one).  Nothing is written
 * until the first change is recorded.  Fails with ADKCD_E_IO (message
 * names the file and the reason) when the journal cannot be written: call
 * this before writing anything to the directory.  tool is "adspn" or
 * "adkcd", command the command line as typed (argv joined, shell-quoted
 * where needed), server the URI, identity the bound identity, rollback_of
 * the ids a rollback undoes (NULL otherwise).  The strings are copied.
 */
adkcd_status
adkcd_journal_open(const char *path, const char *tool, const char *command,
                   const char *server, const char *identity,
                   const char *rollback_of, struct adkcd_journal **j_out,
                   struct adkcd_err *err);

/* The run id (36 characters), valid until adkcd_journal_close(). */
const char *
adkcd_journal_run_id(const struct adkcd_journal *j);

/*
 * Record changes BEFORE they are sent: in one write under an exclusive
 * lock, then one fsync: the run header when this is the run's first write,
 * the outcomes noted since the last write, then one block per change with
 * operations (its modify record exactly as it will be sent).  Sets each
 * such change's journal_seq (1, 2, ... within the run; 0 for a change
 * without operations, which is not written).  Until an outcome is
 * recorded, a change reads back as in doubt.  The changes are borrowed.
 * ADKCD_E_IO (message names the file) when the journal cannot be
 * written: nothing of the batch is then on disk and no journal_seq is
 * set; ADKCD_E_INVALID on an attribute name LDIF cannot hold.
 */
adkcd_status
adkcd_journal_intend(struct adkcd_journal *j,
                     struct adkcd_change *const *changes, size_t n,
                     struct adkcd_err *err);

/*
 * Note the outcome of a change recorded with adkcd_journal_intend(), from
 * c->outcome: ADKCD_OUT_APPLIED, ADKCD_OUT_FAILED (refused: nothing of it
 * applied; ADKCD_OUT_SKIPPED, recorded but never sent, counts as failed)
 * or ADKCD_OUT_IN_DOUBT (sent, no answer).  Buffered: written with the
 * next intend, flush or close.  ADKCD_E_INVALID when c was not recorded in
 * this run or has no such outcome; ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_journal_outcome(struct adkcd_journal *j, const struct adkcd_change *c,
                      struct adkcd_err *err);

/*
 * Write the outcomes noted so far (nothing when none is), then fsync.
 * ADKCD_E_IO on failure (the outcomes stay noted for the next write).
 */
adkcd_status
adkcd_journal_flush(struct adkcd_journal *j, struct adkcd_err *err);

/*
 * What the journal lacks after a failed write (a full disk): when changes
 * the server confirmed have their "applied" outcome noted but not on disk
 * (the journal then shows them in doubt), *text_out is journal text for
 * them, to be shown to a person so that nothing is lost: each such change
 * of changes as its block ("# change: ID SEQ", "# label:", the LDIF modify
 * record exactly as sent), then the outcome lines not written ("# applied:
 * ID 1-3", and any other outcome noted).  *text_out is NULL when no
 * applied change lacks its outcome.  The caller frees it.  ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_journal_unwritten(const struct adkcd_journal *j,
                        struct adkcd_change *const *changes, size_t n,
                        char **text_out, struct adkcd_err *err);

/*
 * End the run: the outcomes still noted, then "# end: ID ok" (status
 * ADKCD_OK) or "# end: ID failed", only when something was written.  Then
 * close and free.  Errors are not reported (the run then reads back as
 * incomplete, its changes without an outcome in doubt).  NULL is a no-op.
 */
void
adkcd_journal_close(struct adkcd_journal *j, adkcd_status status);

/* What became of a journaled change. */
enum adkcd_journal_state {
    ADKCD_JOURNAL_APPLIED = 0, /* an "applied" outcome, or a legacy
                                * (format 1) block: written after the
                                * server confirmed it */
    ADKCD_JOURNAL_FAILED = 1,  /* refused (or never sent): nothing of it
                                * was applied */
    ADKCD_JOURNAL_IN_DOUBT = 2 /* sent without an answer, or recorded with
                                * no outcome (the run was cut off): the
                                * directory's state decides */
};

/* A change as read back from the journal. */
struct adkcd_journal_change {
    char *run_id;
    unsigned seq;
    unsigned long line; /* of its "# change:" line: the journal's order
                         * of changes, across interleaved runs */
    char *dn;
    char *label;
    enum adkcd_journal_state state;
    /* The attributes the change touched.  Legacy blocks: the recorded
     * images (before- and after-values).  Write-ahead blocks: one per
     * attribute of the operations, names only (no values, *_present 0).
     * Rollback does not use them: the operations say what was done. */
    struct adkcd_image *images;
    size_t n_images;
    struct adkcd_op *ops; /* as sent, in order; values are bytes */
    size_t n_ops;
};

struct adkcd_journal_run {
    char *id;
    char *time; /* ISO 8601 UTC */
    char *tool;
    char *server;
    char *identity;
    char *command;
    char *rollback_of; /* or NULL */
    char *status;      /* "ok", "failed", or "incomplete" (no end line) */
    unsigned format;   /* 1: legacy (changes written once applied), 2:
                        * write-ahead (intents and outcomes) */
    struct adkcd_journal_change *changes; /* in journal order */
    size_t n_changes;
};

struct adkcd_journal_index;

struct adkcd_journal_runs {
    struct adkcd_journal_run *v; /* in the order their headers appear */
    size_t n;
    struct adkcd_journal_index *index; /* private: the runs by id (NULL in
                                        * runs built by hand) */
};

/*
 * Read the whole journal, in time linear in its size (runs are filed by a
 * hash of their ids).  A journal that does not exist yet is empty (not
 * an error).  ADKCD_E_IO when it cannot be read; ADKCD_E_INVALID when it is
 * malformed (the message gives the line).  Free with
 * adkcd_journal_runs_free().
 */
adkcd_status
adkcd_journal_load(const char *path, struct adkcd_journal_runs **runs_out,
                   struct adkcd_err *err);

void
adkcd_journal_runs_free(struct adkcd_journal_runs *runs);

/* The run with this id (a unique prefix of at least 8 characters is
 * accepted; case is ignored), or NULL.  O(log n) on loaded runs. */
const struct adkcd_journal_run *
adkcd_journal_find(const struct adkcd_journal_runs *runs, const char *id);

#endif /* ADKCD_JOURNAL_H */
