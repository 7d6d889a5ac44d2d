/*
 * adkcd: Kerberos credentials, the one place a TGT is had.
 *
 * Every path that needs a ticket-granting ticket gets it here: the
 * connection's bind (conn.h: the default ccache, a keytab or a password)
 * and adkcd verify's TGT as the delegating account (verify.h).  The
 * TGT is either one a ccache already holds (checked: it must be there and
 * unexpired, and be the principal asked for), or one obtained here from a
 * keytab or a password with an AS exchange, forwardable whatever
 * krb5.conf says, into a MEMORY ccache of its own.  The KDC's refusals
 * are explained once, in the admin's terms (wrong password, stale keytab,
 * disabled account, unknown principal, clock skew, KDC unreachable).
 */
#ifndef ADKCD_CREDS_H
#define ADKCD_CREDS_H

#include <stddef.h>

#include "adkcd/account.h"
#include "adkcd/status.h"

/* Ticket flags (RFC 4120 5.3, as MIT numbers them in krb5_creds). */
#define ADKCD_TKT_FORWARDABLE 0x40000000u
#define ADKCD_TKT_FORWARDED 0x20000000u
#define ADKCD_TKT_PROXIABLE 0x10000000u
#define ADKCD_TKT_RENEWABLE 0x00800000u
#define ADKCD_TKT_INITIAL 0x00400000u
#define ADKCD_TKT_PRE_AUTHENT 0x00200000u
#define ADKCD_TKT_OK_AS_DELEGATE 0x00040000u
#define ADKCD_TKT_ENC_PA_REP 0x00010000u

struct adkcd_ticket {
    char *client; /* "alice@MYDOM.LOCAL" */
    char *server; /* "http/iosmdm.mydom.local@MYDOM.LOCAL" */
    unsigned flags;
    char *enctype; /* "aes256-cts-hmac-sha1-96" */
    long start;    /* seconds since the epoch */
    long end;
};

/* The flags set in flags as words ("forwardable", "renewable", ...),
 * joined by ", " into buf (always terminated); "none" for none. */
void
adkcd_ticket_flags_text(unsigned flags, char *buf, size_t size);

struct adkcd_creds;

struct adkcd_creds_opts {
    const char *principal; /* --principal, or NULL: derived from account
                            * (keys given), or the ccache's */
    const char *keytab;    /* get a TGT with its keys, or NULL */
    const char *password;  /* get a TGT with it, or NULL (the caller owns
                            * and wipes it) */
    const char *ccache;    /* neither keytab nor password: the TGT in this
                            * ccache; NULL: the default ccache */
    const char *account;   /* NULL, or the account the credentials must
                            * be (ACCOUNT as typed: tmg, tmg$, MYDOM\tmg) */
    enum adkcd_account_kind kind; /* with account: -C NAME$ only, -U NAME
                                   * only */
    int own_ccache;               /* a TGT taken from a ccache is copied
                                   * alone into a MEMORY ccache of its own */
    int timeout;                  /* seconds the KDC is waited for when a
                                   * TGT is got here; 0: 10 */
};

/*
 * Get the TGT.  With a keytab or a password, an AS exchange for a
 * forwardable TGT into a MEMORY ccache made here; the principal is
 * --principal, or else follows from account: with a keytab the first of
 * NAME$ and NAME it has keys for, with a password NAME$ and then NAME if
 * the KDC knows no NAME$ (as ACCOUNT resolves: computer first); kind -C
 * or -U keeps only NAME$ or NAME.  Without keys, the ccache (or the
 * default one) must hold an unexpired TGT of --principal, or of one of
 * ACCOUNT's names, so that what is done with it is done as ACCOUNT; an
 * ACCOUNT that names no principal (a DN, GUID, SID) is left to the
 * directory (adkcd_creds_matches_account()).  *out is set on success
 * only.  Statuses: ADKCD_E_USAGE (options that exclude each other, keys
 * without a principal, an invalid principal), ADKCD_E_AUTH with the KDC's
 * refusal in the admin's terms (wrong password or key, account disabled
 * or locked, unknown principal, clock skew; no ticket, an expired one or
 * another principal's in the ccache), ADKCD_E_CONNECT (no KDC answered,
 * or none within opts->timeout: the exchange runs on a thread of its own,
 * left to finish alone when it misses the deadline),
 * ADKCD_E_NOMEM; err->krb5_rc holds the Kerberos code when there is one.
 */
adkcd_status
adkcd_creds_acquire(const struct adkcd_creds_opts *opts,
                    struct adkcd_creds **out, struct adkcd_err *err);

/* Destroys a MEMORY ccache made here.  NULL is a no-op. */
void
adkcd_creds_free(struct adkcd_creds *creds);

/* The client principal ("tmg$@MYDOM.LOCAL"); borrowed until
 * adkcd_creds_free(), as are the strings below. */
const char *
adkcd_creds_principal(const struct adkcd_creds *creds);

/* The principal's first component ("tmg$") and its realm. */
const char *
adkcd_creds_name(const struct adkcd_creds *creds);
const char *
adkcd_creds_realm(const struct adkcd_creds *creds);

/* The TGT itself (krbtgt/REALM@REALM): flags, enctype, lifetime. */
const struct adkcd_ticket *
adkcd_creds_ticket(const struct adkcd_creds *creds);

/* The ccache holding the TGT ("MEMORY:..." when made here or with
 * own_ccache; pass it as adkcd_conn_opts.ccache to bind with the same
 * identity), or NULL for the default ccache used in place. */
const char *
adkcd_creds_ccache(const struct adkcd_creds *creds);

/* The ccache the TGT was taken from ("FILE:/tmp/krb5cc_0"), or NULL when
 * it was obtained here from a keytab or a password (its flags are then
 * adkcd's doing, not kinit's). */
const char *
adkcd_creds_from_ccache(const struct adkcd_creds *creds);

/* Non-zero when the principal is known to be the account's (given by
 * --principal or derived from its name), or when no account was given;
 * zero only for an account that names no principal (a DN, GUID, SID)
 * with a TGT from a ccache, which only the directory can confirm. */
int
adkcd_creds_matches_account(const struct adkcd_creds *creds);

/*
 * Get a ticket for service/host (e.g. "ldap", "dc1.mydom.local") into the
 * credentials' ccache, waiting at most timeout_s seconds for the KDC, so
 * that a GSSAPI bind that follows finds it there instead of asking a KDC
 * that may never answer (MIT krb5 retries for 30 s or more).  The request
 * runs on a thread of its own; one that misses the deadline is left to
 * finish alone.  Returns ADKCD_OK when the KDC answered in time, even
 * with a refusal (the bind meets it again and explains it), or when no
 * thread could be started; ADKCD_E_CONNECT when it did not answer in
 * time; ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_creds_service_ticket(const struct adkcd_creds *creds, const char *service,
                           const char *host, int timeout_s,
                           struct adkcd_err *err);

#endif /* ADKCD_CREDS_H */
