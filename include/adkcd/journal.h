/*
 * adkcd: the journal of applied changes, and reading it back.
 *
 * Every run of adspn or adkcd that writes gets a run id (a UUID) and
 * appends to one journal, an LDIF file (mode 0600, fsync'ed after every
 * record): a change is recorded only once the server has confirmed it, so
 * a run cut off half-way records exactly what was applied.
 *
 * Layout (docs/journal.md): a run header of "# key: value" comment lines,
 * then for each applied change a block of comment lines with the object's
 * before- and after-values of the attributes the change touched, followed
 * by the change itself as an LDIF "changetype: modify" record, exactly as
 * it was sent (value-level add/delete; compare-and-swap pairs included), so
 * that ldapmodify can replay it.  A run ends with "# end: ID STATUS".
 * Blocks of concurrent runs may interleave; every block names its run.
 *
 *   # run: 0d6f...
 *   # time: 2026-11-24T14:00:00Z
 *   # tool: adkcd
 *   # server: ldap://dc1.mydom.local
 *   # identity: u:MYDOM\Administrator
 *   # command: adkcd add tmg http/iosmdm.mydom.local --any-protocol
 *   # rollback-of: ID ID            (rollback runs only)
 *
 *   # change: 0d6f... 1
 *   # label: computer tmg$
 *   # attrs: userAccountControl msDS-AllowedToDelegateTo
 *   # before: userAccountControl: 4096
 *   # after: userAccountControl: 16781312
 *   # after: msDS-AllowedToDelegateTo: http/iosmdm.mydom.local
 *   dn: CN=tmg,CN=Computers,DC=mydom,DC=local
 *   changetype: modify
 *   ...
 *
 *   # end: 0d6f... ok
 *
 * An attribute listed in "attrs" with no "before:" ("after:") line was
 * absent before (after).  Values that LDIF would base64-encode are written
 * "attr:: BASE64" after the "# before: " / "# after: " prefix.
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
 * Append change (its images and its operations) under an exclusive lock,
 * with the run header first when this is the run's first change, then
 * fsync.  Matches adkcd_applied_func, so it can be given to adkcd_apply()
 * with the journal as ctx.  ADKCD_E_IO on failure.
 */
adkcd_status
adkcd_journal_record(void *j, const struct adkcd_change *change,
                     struct adkcd_err *err);

/*
 * End the run: "# end: ID ok" (status ADKCD_OK) or "# end: ID failed",
 * only when something was recorded.  Then close and free.  NULL is a no-op.
 */
void
adkcd_journal_close(struct adkcd_journal *j, adkcd_status status);

/* A change as read back from the journal. */
struct adkcd_journal_change {
    char *run_id;
    unsigned seq;
    unsigned long line; /* of its "# change:" line: the journal's order
                         * of changes, across interleaved runs */
    char *dn;
    char *label;
    struct adkcd_image *images; /* attr, before(_present), after(_present) */
    size_t n_images;
    struct adkcd_op *ops; /* as sent, in order */
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
    struct adkcd_journal_change *changes; /* in journal order */
    size_t n_changes;
};

struct adkcd_journal_runs {
    struct adkcd_journal_run *v; /* in the order their headers appear */
    size_t n;
};

/*
 * Read the whole journal.  A journal that does not exist yet is empty (not
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
 * accepted), or NULL. */
const struct adkcd_journal_run *
adkcd_journal_find(const struct adkcd_journal_runs *runs, const char *id);

#endif /* ADKCD_JOURNAL_H */
