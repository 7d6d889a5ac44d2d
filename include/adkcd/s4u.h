/*
 * adkcd: proving a constrained delegation with the real Kerberos exchange.
 *
 * Acting as the delegating account (tmg$): get its TGT (keytab or password
 * into a MEMORY ccache, or a ccache the caller has), then, through MIT's
 * GSSAPI, S4U2Self for the user (gss_acquire_cred_impersonate_name) and
 * S4U2Proxy to the service (gss_init_sec_context), the exchange of
 * MS-SFU 3.1.5.1 and 3.1.5.2 that `kvno -U USER -P SERVICE` also makes.
 * Every step's ticket (flags, enctype, lifetime) or the KDC's error is kept
 * for the caller to show; a refusal by the KDC is a result, not an error.
 */
#ifndef ADKCD_S4U_H
#define ADKCD_S4U_H

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
 * joined by ", " into buf (always terminated). */
void
adkcd_ticket_flags_text(unsigned flags, char *buf, size_t size);

struct adkcd_tgt;

struct adkcd_tgt_opts {
    const char *account;   /* ACCOUNT as typed: tmg, tmg$, MYDOM\tmg */
    const char *principal; /* --principal, or NULL: from account/keytab */
    const char *keytab;    /* its keys, or NULL */
    const char *password;  /* its password, or NULL; neither: the default
                            * ccache must hold its TGT */
    enum adkcd_account_kind kind; /* -C: NAME$ only; -U: NAME only */
};

/*
 * The delegating account's forwardable TGT.  Without --principal the
 * principal is ACCOUNT's name: with a keytab, the first of NAME$ and NAME
 * it has keys for; with a password, NAME$ and then NAME if the KDC knows
 * no NAME$ (as ACCOUNT resolves: computer first); -C or -U keep only
 * NAME$ or NAME.  From the default ccache, its principal must be one of
 * these names (or --principal), so that the exchange is made as ACCOUNT.
 * Statuses: ADKCD_E_AUTH with the KDC's answer in the admin's terms (wrong
 * password or key, account disabled or locked, unknown principal, no usable
 * ticket in the ccache), ADKCD_E_CONNECT (KDC unreachable), ADKCD_E_USAGE (an
 * ACCOUNT from which no principal follows, e.g. a DN, without --principal).
 */
adkcd_status
adkcd_tgt_acquire(const struct adkcd_tgt_opts *opts, struct adkcd_tgt **out,
                  struct adkcd_err *err);

/* The MEMORY ccache holding the TGT, and nothing else (a TGT taken from
 * the default ccache is copied there alone, so that the exchange is made
 * afresh and adds nothing to the caller's ccache); pass it as
 * adkcd_conn_opts.ccache to bind LDAP with the same identity. */
const char *
adkcd_tgt_ccache(const struct adkcd_tgt *t);

/* "tmg$@MYDOM.LOCAL" */
const char *
adkcd_tgt_principal(const struct adkcd_tgt *t);

/* The principal's first component ("tmg$") and realm. */
const char *
adkcd_tgt_name(const struct adkcd_tgt *t);
const char *
adkcd_tgt_realm(const struct adkcd_tgt *t);

/* The TGT itself (krbtgt/REALM@REALM). */
const struct adkcd_ticket *
adkcd_tgt_ticket(const struct adkcd_tgt *t);

/* Non-zero when the TGT was taken from the default ccache rather than
 * obtained here (its flags are then kinit's doing). */
int
adkcd_tgt_from_ccache(const struct adkcd_tgt *t);

/* Non-zero when the principal is known to be ACCOUNT's (derived from
 * its name, or given by --principal); zero only for an ACCOUNT that names
 * no principal (a DN, GUID, SID) with the default ccache, which only the
 * directory can then confirm. */
int
adkcd_tgt_matches_account(const struct adkcd_tgt *t);

/* Destroys a MEMORY ccache made here. */
void
adkcd_tgt_free(struct adkcd_tgt *t);

struct adkcd_s4u_step {
    int done;                /* the ticket was obtained */
    struct adkcd_ticket tkt; /* when done */
    long code;               /* the Kerberos error (krb5_error_code), 0 */
    char *error;             /* its text, or NULL */
};

struct adkcd_s4u_result {
    char *user;    /* the principal impersonated, "alice@MYDOM.LOCAL" */
    char *service; /* the target principal */
    struct adkcd_s4u_step self;  /* S4U2Self: the user's ticket to us */
    int proxy_tried;             /* S4U2Self succeeded, so it was tried */
    struct adkcd_s4u_step proxy; /* S4U2Proxy: the user's ticket to the
                                  * service */
};

/*
 * Impersonate user (a name; "@REALM" of the TGT is added when it has no
 * realm) to service (an SPN) with the TGT.  ADKCD_OK whenever the exchange
 * ran, whatever the KDC answered (see res); an error only for bad names or
 * local failures.  Free res with adkcd_s4u_result_clear().
 */
adkcd_status
adkcd_s4u_run(const struct adkcd_tgt *t, const char *user, const char *service,
              struct adkcd_s4u_result *res, struct adkcd_err *err);

/* Non-zero when the service ticket was obtained. */
int
adkcd_s4u_ok(const struct adkcd_s4u_result *res);

void
adkcd_s4u_result_clear(struct adkcd_s4u_result *res);

/* The protocol's name of a Kerberos error ("KDC_ERR_BADOPTION"), or NULL
 * when it is not a KDC error this module explains. */
const char *
adkcd_krb5_error_name(long code);

/*
 * What the KDC's answers mean, in the admin's terms: NULL when the
 * delegation works, else one or two sentences naming the possible causes
 * (which the directory checks of kcdcheck.h then narrow down).  account
 * is the delegating account's name for the text.  Static-free: *text_out
 * is a new string.
 */
adkcd_status
adkcd_s4u_explain(const struct adkcd_tgt *t, const struct adkcd_s4u_result *res,
                  char **text_out, struct adkcd_err *err);

/*
 * The same from plain facts (pure, for tests): account ("tmg$"), the
 * TGT's flags, and the ccache it came from when it was not obtained here
 * (NULL otherwise).
 */
adkcd_status
adkcd_s4u_explain_facts(const char *account, unsigned tgt_flags,
                        const char *from_ccache,
                        const struct adkcd_s4u_result *res, char **text_out,
                        struct adkcd_err *err);

#endif /* ADKCD_S4U_H */
