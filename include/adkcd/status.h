/*
 * adkcd: status categories and error details.
 *
 * Every library call that can fail returns an adkcd_status category (which
 * the front ends map to an exit code) and fills a caller-owned
 * struct adkcd_err with the detail a person needs to act on.  There is no
 * global "last error".
 */
#ifndef ADKCD_STATUS_H
#define ADKCD_STATUS_H

#include <stdarg.h>

typedef enum {
    /* Success. */
    ADKCD_OK = 0,
    /* The request itself is malformed (bad SPN, bad account syntax, bad
     * option combination): fix the command line; nothing was sent. */
    ADKCD_E_USAGE,
    /* Out of memory: nothing sensible to do but retry. */
    ADKCD_E_NOMEM,
    /* No server could be reached (DNS, TCP, TLS): check the URI, DNS SRV
     * records, network and firewall. */
    ADKCD_E_CONNECT,
    /* Credentials are missing, expired or refused (no ticket, clock skew,
     * unknown server principal, wrong password): kinit or fix the keytab. */
    ADKCD_E_AUTH,
    /* The server refused the operation (insufficient rights, constraint the
     * server enforces, unwilling to perform): ask for rights or change the
     * request. */
    ADKCD_E_ACCESS,
    /* The account (or another named object) does not exist, or the name
     * matches more than one object: use a more precise name. */
    ADKCD_E_NOTFOUND,
    /* The change would conflict with the directory's state: a duplicate SPN
     * held elsewhere, or another writer changed the value first. */
    ADKCD_E_CONFLICT,
    /* A value read from the server or a file is not what it must be. */
    ADKCD_E_INVALID,
    /* Any other directory error (protocol error, unexpected result code). */
    ADKCD_E_DIRECTORY,
    /* Local I/O failed (journal, files, terminal). */
    ADKCD_E_IO,
    /* Part of a change set was applied and the rest was not: see the
     * message for what was applied. */
    ADKCD_E_PARTIAL,
} adkcd_status;

/* Room for the detail of a failure; owned by the caller. */
#define ADKCD_ERR_MSG_SIZE 1024

/*
 * What a person can do about a failure (or a finding) that lies with the
 * program that called the library: an option to give, another command to
 * run.  The library words its message without them and sets these bits;
 * each front end words them in its own terms ("TOOL: hint: ...").  The
 * bits and their names (adkcd_hint_name()) are stable: JSON output lists
 * the names.
 */
enum adkcd_hint {
    /* The Global Catalog (forest-wide search) could not be had: search
     * without it, or use a DC that is a Global Catalog. */
    ADKCD_HINT_GC = 1u << 0,
    /* A safety check refused: the caller may override it. */
    ADKCD_HINT_FORCE = 1u << 1,
    /* A rollback refused because the objects drifted since the run:
     * overriding restores the earlier values anyway. */
    ADKCD_HINT_FORCE_DRIFT = 1u << 2,
    /* Give the keys of the principal: a keytab, or its password. */
    ADKCD_HINT_CREDENTIALS = 1u << 3,
    /* Name the Kerberos principal explicitly. */
    ADKCD_HINT_PRINCIPAL = 1u << 4,
    /* Check the name of the user to impersonate. */
    ADKCD_HINT_IMPERSONATE = 1u << 5,
    /* Register an SPN on the account (a user needs one for S4U2Self). */
    ADKCD_HINT_REGISTER_SPN = 1u << 6,
    /* Name a DC (an LDAP URI) or a domain to connect to. */
    ADKCD_HINT_SERVER = 1u << 7,
};

/* Every hint bit, lowest first. */
#define ADKCD_HINT_FIRST ADKCD_HINT_GC
#define ADKCD_HINT_LAST ADKCD_HINT_SERVER

struct adkcd_err {
    adkcd_status status;
    int ldap_rc;    /* LDAP result code when one was involved, else 0 */
    long krb5_rc;   /* krb5/GSS code when one was involved, else 0 */
    unsigned hints; /* ADKCD_HINT_* bits, set by the code that failed */
    char msg[ADKCD_ERR_MSG_SIZE];
};

/*
 * Short stable name of a status ("ok", "usage", "not-found", ...), used in
 * JSON output.  Never NULL.
 */
const char *
adkcd_status_str(adkcd_status status);

/*
 * Short stable name of one hint bit ("global-catalog", "force", ...), used
 * in JSON output; NULL for anything but a single known bit.
 */
const char *
adkcd_hint_name(unsigned hint);

/*
 * Reset err to "no error".  err may be NULL.
 */
void
adkcd_err_clear(struct adkcd_err *err);

/*
 * Record a failure: sets err->status and formats err->msg, and resets
 * ldap_rc, krb5_rc and hints (a new error keeps nothing of an earlier
 * one; set hints after the call).  Returns status,
 * so that callers can write "return adkcd_err_set(err, ADKCD_E_USAGE, ...)".
 * err may be NULL (the status is still returned).
 */
adkcd_status
adkcd_err_set(struct adkcd_err *err, adkcd_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

adkcd_status
adkcd_err_setv(struct adkcd_err *err, adkcd_status status, const char *fmt,
               va_list ap) __attribute__((format(printf, 3, 0)));

#ifdef __clang_analyzer__
/* For scan-build (scripts/check-analysis), which reads one file at a time
 * and does not follow a call into a variadic function: the status returned
 * is the one given, so "return NOMEM(err)" fails on every path. */
#define adkcd_err_set(err, status, fmt...)                                     \
    (adkcd_err_set((err), (status), fmt), (status))
#endif

/*
 * Put a prefix in front of an existing message ("resolving tmg: ...").
 * Keeps the status, the codes and the hints.  err may be NULL.  (It
 * returns nothing on purpose: with err NULL there is no status to return,
 * so callers return their own.)
 */
void
adkcd_err_prefix(struct adkcd_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Add hint bits (ADKCD_HINT_*) to the failure just recorded in err.  err
 * may be NULL.
 */
void
adkcd_err_hint(struct adkcd_err *err, unsigned hints);

#endif /* ADKCD_STATUS_H */
