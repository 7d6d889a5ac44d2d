/*
 * adkcd: the directory as the write engine sees it.
 *
 * A small interface with two implementations: one over libldap on a bound
 * connection (adkcd_dir_over_conn), and a scripted in-memory directory in
 * tests/fake/ that answers with any LDAP result code, times out or drops
 * the connection after the Nth operation, so that the engine's handling of
 * what the real DC cannot produce on demand (a lost compare-and-swap, a
 * refusal in the middle of a batch, a dropped connection) is unit-tested.
 *
 * Requests are asynchronous: submit any number, then take the answers as
 * they come (pipelining over one connection).  Each answer carries its own
 * LDAP result code and diagnostic message, never the connection's "last
 * error", which a later answer would overwrite.
 */
#ifndef ADKCD_DIR_H
#define ADKCD_DIR_H

#include <stddef.h>

#include "adkcd/conn.h"
#include "adkcd/entry.h"
#include "adkcd/plan.h"
#include "adkcd/status.h"

/* The answer to one request. */
struct adkcd_dir_answer {
    int id;                    /* as returned when it was submitted */
    int rc;                    /* LDAP result code; 0: done */
    char *diag;                /* the server's diagnostic message, or NULL */
    struct adkcd_entry *entry; /* a read: the entry, NULL when no such
                                * object (rc 0) */
};

struct adkcd_dir_ops {
    /*
     * Send one modify made of ops, in order, without waiting for the
     * answer.  *id_out names it in the answers.  A non-OK status (with
     * err) means it was not sent: the connection is gone.
     */
    adkcd_status (*submit_modify)(void *ctx, const char *dn,
                                  const struct adkcd_op *ops, size_t n_ops,
                                  int *id_out, struct adkcd_err *err);
    /* Send a base-scope read of attrs (a strv) of dn, without waiting. */
    adkcd_status (*submit_read)(void *ctx, const char *dn, char *const *attrs,
                                int *id_out, struct adkcd_err *err);
    /*
     * Wait up to timeout_ms for the next answer to any request sent, and
     * fill *answer (release with adkcd_dir_answer_clear()).  A non-OK
     * status is about the connection, not a request: ADKCD_E_CONNECT when
     * it is gone or nothing came in time; every request still unanswered
     * then has an unknown outcome.
     */
    adkcd_status (*next_answer)(void *ctx, int timeout_ms,
                                struct adkcd_dir_answer *answer,
                                struct adkcd_err *err);
    /* Release ctx (not the connection it may borrow). */
    void (*free)(void *ctx);
};

struct adkcd_dir {
    const struct adkcd_dir_ops *ops;
    void *ctx;
};

/*
 * The directory behind a bound connection (borrowed: it must outlive the
 * directory).  *dir_out is a new object (adkcd_dir_free()).
 */
adkcd_status
adkcd_dir_over_conn(struct adkcd_conn *conn, struct adkcd_dir **dir_out,
                    struct adkcd_err *err);

/* Release dir (calls its ops' free).  NULL is a no-op. */
void
adkcd_dir_free(struct adkcd_dir *dir);

/* Free what an answer holds and zero it. */
void
adkcd_dir_answer_clear(struct adkcd_dir_answer *answer);

/*
 * Read attrs of dn and wait for it (no other request may be outstanding).
 * *entry_out is NULL when the object does not exist.  ADKCD_E_* from the
 * answer's result code otherwise.
 */
adkcd_status
adkcd_dir_read(struct adkcd_dir *dir, const char *dn, char *const *attrs,
               int timeout_ms, struct adkcd_entry **entry_out,
               struct adkcd_err *err);

/*
 * Read attrs of each of the n objects dns[i], pipelined (at most window
 * requests in flight; 0: 64).  entries_out[i] is NULL when dns[i] does not
 * exist.  On failure every entries_out[i] is NULL.
 */
adkcd_status
adkcd_dir_read_many(struct adkcd_dir *dir, char *const *dns, size_t n,
                    char *const *attrs, int window, int timeout_ms,
                    struct adkcd_entry **entries_out, struct adkcd_err *err);

#endif /* ADKCD_DIR_H */
