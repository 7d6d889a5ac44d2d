/*
 * adkcd: does a constrained delegation work?  The proof with the KDC, for
 * adkcd verify: the steps, their order and the rules between them.
 *
 * 1. The delegating account's forwardable TGT (creds.h, with ACCOUNT: a
 *    ccache's TGT must be ACCOUNT's before anything is asked), copied
 *    into a MEMORY ccache of its own.  Without it nothing is tried.
 * 2. The directory, read with that TGT (no other credentials): ACCOUNT
 *    resolved, and the TGT must be ACCOUNT's (the principal's name is its
 *    sAMAccountName), or the exchange proves nothing about it; the user's
 *    principal for S4U2Self is its sAMAccountName@REALM.  A directory out
 *    of reach does not stop the exchange, unless only the directory could
 *    tell whose the TGT is.
 * 3. S4U2Self and S4U2Proxy (s4u.h), and what the KDC's answers mean.
 * 4. The directory's checks (kcdcheck.h): on failure the causes, after a
 *    success notes (this KDC issued the ticket; another may not), and
 *    which delegation let S4U2Proxy through, as far as the directory and
 *    the S4U2Self ticket tell (the KDC does not say: adkcd_kcd_via()).
 *
 * Results carry stable ids (steps, outcomes, where a run stopped) that
 * the front end words.
 */
#ifndef ADKCD_VERIFY_H
#define ADKCD_VERIFY_H

#include <stddef.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/creds.h"
#include "adkcd/kcdcheck.h"
#include "adkcd/s4u.h"
#include "adkcd/status.h"

/* The steps of the exchange, in order. */
enum adkcd_verify_step {
    ADKCD_VERIFY_TGT = 0,   /* "tgt": the account's own TGT */
    ADKCD_VERIFY_S4U2SELF,  /* "s4u2self": the user's ticket to it */
    ADKCD_VERIFY_S4U2PROXY, /* "s4u2proxy": the user's ticket to the
                             * service */
};
#define ADKCD_VERIFY_NSTEPS 3

/* What a step came to. */
enum adkcd_verify_outcome {
    ADKCD_VERIFY_OK = 0,          /* "ok" */
    ADKCD_VERIFY_NOT_FORWARDABLE, /* "not-forwardable": a ticket,
                                   * without the flag S4U needs */
    ADKCD_VERIFY_FAILED,          /* "failed" */
    ADKCD_VERIFY_NOT_TRIED,       /* "not-tried": an earlier step
                                   * failed */
};

/* Where a run stopped with an error (the error's origin); the steps that
 * were not reached have no result. */
enum adkcd_verify_stop {
    ADKCD_VERIFY_RAN = 0,       /* not stopped: the exchange ran, whatever
                                 * the KDC answered (see ok) */
    ADKCD_VERIFY_STOP_TGT,      /* no TGT: the tgt step failed, and err
                                 * says why (krb5_rc: the KDC's code) */
    ADKCD_VERIFY_STOP_ACCOUNT,  /* ACCOUNT could not be resolved */
    ADKCD_VERIFY_STOP_OWNER,    /* the TGT is not ACCOUNT's, or whose it
                                 * is cannot be told without the
                                 * directory */
    ADKCD_VERIFY_STOP_EXCHANGE, /* a local failure before or during the
                                 * exchange (bad names, GSSAPI, memory) */
};

struct adkcd_verify_step_result {
    enum adkcd_verify_step id;
    enum adkcd_verify_outcome outcome;
    enum adkcd_verdict verdict;        /* pass, fail; warn for a not forwardable
                                        * S4U2Self ticket when the service ticket
                                        * came all the same; skip: not tried */
    const struct adkcd_ticket *ticket; /* NULL when none could be read;
                                        * borrowed from the run */
    long code;                         /* the Kerberos error, or 0 */
    const char *error;                 /* its text, or NULL; borrowed */
};

struct adkcd_verify_opts {
    const char *account;          /* ACCOUNT as typed */
    enum adkcd_account_kind kind; /* -C, -U */
    const char *service;          /* the SPN delegated to */
    const char *user;             /* --impersonate USER */
    const char *principal;        /* ACCOUNT's keys (creds.h): --principal, */
    const char *keytab;           /* --keytab, */
    const char *password;         /* --password-stdin; none: the default
                                   * ccache must hold ACCOUNT's TGT */
    const struct adkcd_conn_opts *conn; /* how to reach the directory;
                                         * its credentials are ignored:
                                         * the TGT of step 1 binds */
    adkcd_log_func log;                 /* for adkcd_conn_open() */
    void *log_ctx;
};

struct adkcd_verify {
    enum adkcd_verify_stop stopped;
    struct adkcd_creds *tgt;            /* step 1, or NULL */
    struct adkcd_conn *conn;            /* the directory as ACCOUNT, or
                                         * NULL */
    struct adkcd_account *account;      /* ACCOUNT, or NULL (the
                                         * directory was not read) */
    struct adkcd_account *user_account; /* the user, when the directory
                                         * has it */
    char *directory_error;              /* why the directory could not
                                         * be read, or NULL */
    struct adkcd_s4u_result s4u;        /* steps 2 and 3 */
    int ok;                             /* the service ticket came */
    char *why;                          /* what the KDC's answers mean,
                                         * or NULL when ok */
    unsigned why_hints;                 /* ADKCD_HINT_* bits of why,
                                         * for the front end to word */
    struct adkcd_findings findings;     /* the directory's checks */
    int have_findings;
    enum adkcd_kcd_via via; /* after a success with findings: which
                             * delegation let S4U2Proxy through, an
                             * inference; ADKCD_KCD_VIA_UNKNOWN
                             * otherwise */
    char *tgt_error;        /* why there is no TGT */
    struct adkcd_verify_step_result steps[ADKCD_VERIFY_NSTEPS];
};

/*
 * Step 1: the delegating account's TGT.  Zeroes *v first; clear it with
 * adkcd_verify_clear() whatever the status.  After it returns the
 * password is no longer needed.  On failure v->stopped is
 * ADKCD_VERIFY_STOP_TGT, v->steps[ADKCD_VERIFY_TGT] says so, and the
 * status and err are adkcd_creds_acquire()'s.
 */
adkcd_status
adkcd_verify_tgt(const struct adkcd_verify_opts *o, struct adkcd_verify *v,
                 struct adkcd_err *err);

/*
 * Steps 2 to 4, after adkcd_verify_tgt() succeeded.  ADKCD_OK whenever
 * the exchange ran, whatever the KDC answered: v->ok, v->steps, v->why,
 * and the directory's findings (have_findings) or v->directory_error.  An
 * error stops the run: v->stopped says where; ADKCD_E_USAGE when the TGT
 * is not ACCOUNT's, ACCOUNT's resolution's status (ADKCD_E_NOTFOUND...),
 * or the exchange's (ADKCD_E_USAGE for a bad name, ADKCD_E_AUTH,
 * ADKCD_E_NOMEM).
 */
adkcd_status
adkcd_verify_run(const struct adkcd_verify_opts *o, struct adkcd_verify *v,
                 struct adkcd_err *err);

/* Frees what v holds and zeroes it; NULL is a no-op. */
void
adkcd_verify_clear(struct adkcd_verify *v);

/* Stable names for JSON: "tgt", "s4u2self", "s4u2proxy"; "ok",
 * "not-forwardable", "failed", "not-tried". */
const char *
adkcd_verify_step_name(enum adkcd_verify_step s);
const char *
adkcd_verify_outcome_name(enum adkcd_verify_outcome o);

/* Non-zero when f is a cause (or, after a success, a note): it fails or
 * warns. */
int
adkcd_verify_is_cause(const struct adkcd_finding *f);

/* How many of v's findings are causes (0 without findings). */
size_t
adkcd_verify_ncauses(const struct adkcd_verify *v);

/*
 * The steps' results from plain facts (pure, for tests): the TGT (NULL
 * when there is none: the tgt step failed with tgt_code and tgt_error),
 * and the exchange's result (NULL when it was not reached).  The tickets,
 * errors and texts are borrowed from the arguments.
 */
void
adkcd_verify_steps(const struct adkcd_ticket *tgt, long tgt_code,
                   const char *tgt_error, const struct adkcd_s4u_result *res,
                   struct adkcd_verify_step_result steps[ADKCD_VERIFY_NSTEPS]);

/*
 * The rule that the TGT must be ACCOUNT's (pure, for tests).  acct is
 * ACCOUNT as the directory has it, or NULL when the directory could not
 * be read (directory_error says why, or NULL); principal and name are the
 * TGT's ("tmg$@MYDOM.LOCAL", "tmg$"); matches is
 * adkcd_creds_matches_account().  ADKCD_OK, or ADKCD_E_USAGE with what to
 * give instead (hints ADKCD_HINT_PRINCIPAL, ADKCD_HINT_CREDENTIALS).
 */
adkcd_status
adkcd_verify_owner(const char *account, const struct adkcd_account *acct,
                   const char *principal, const char *name, int matches,
                   const char *directory_error, struct adkcd_err *err);

#endif /* ADKCD_VERIFY_H */
