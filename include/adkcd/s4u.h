/*
 * adkcd: proving a constrained delegation with the real Kerberos exchange.
 *
 * Acting as the delegating account (tmg$), with its TGT (creds.h), through
 * MIT's GSSAPI: S4U2Self for the user (gss_acquire_cred_impersonate_name) and
 * S4U2Proxy to the service (gss_init_sec_context), the exchange of
 * MS-SFU 3.1.5.1 and 3.1.5.2 that `kvno -U USER -P SERVICE` also makes.
 * Every step's ticket (flags, enctype, lifetime) or the KDC's error is kept
 * for the caller to show; a refusal by the KDC is a result, not an error.
 */
#ifndef ADKCD_S4U_H
#define ADKCD_S4U_H

#include "adkcd/creds.h"
#include "adkcd/status.h"

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
adkcd_s4u_run(const struct adkcd_creds *tgt, const char *user,
              const char *service, struct adkcd_s4u_result *res,
              struct adkcd_err *err);

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
 * is a new string.  *hints_out (hints_out may be NULL) gets the
 * ADKCD_HINT_* bits of what the caller's user can do, which the text
 * leaves to the front end to word (status.h); 0 with no explanation.
 */
adkcd_status
adkcd_s4u_explain(const struct adkcd_creds *tgt,
                  const struct adkcd_s4u_result *res, char **text_out,
                  unsigned *hints_out, struct adkcd_err *err);

/*
 * The same from plain facts (pure, for tests): account ("tmg$"), the
 * TGT's flags, and the ccache it came from when it was not obtained here
 * (NULL otherwise).
 */
adkcd_status
adkcd_s4u_explain_facts(const char *account, unsigned tgt_flags,
                        const char *from_ccache,
                        const struct adkcd_s4u_result *res, char **text_out,
                        unsigned *hints_out, struct adkcd_err *err);

#endif /* ADKCD_S4U_H */
