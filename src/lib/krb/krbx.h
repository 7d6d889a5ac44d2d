/*
 * adkcd internal: what the library's other modules need of the Kerberos
 * credentials (adkcd/creds.h) beyond the public API: GSSAPI pointed at
 * them, a failed GSSAPI bind explained, krb5 errors copied into a
 * struct adkcd_err, tickets read from krb5_creds.
 */
#ifndef ADKCD_KRBX_H
#define ADKCD_KRBX_H

#include <krb5.h>

#include "adkcd/creds.h"
#include "adkcd/status.h"

/*
 * Point the calling thread's GSSAPI at the credentials' ccache (MIT's
 * gss_krb5_ccache_name() is per thread); a no-op for the default ccache
 * used in place.  ADKCD_E_AUTH when GSSAPI refuses.
 */
adkcd_status
adkcd_creds_use_in_thread(const struct adkcd_creds *creds,
                          struct adkcd_err *err);

/*
 * Turn a failed SASL/GSSAPI bind's diagnostic into an actionable message:
 * clock skew, KDC unreachable, unknown server principal, expired ticket.
 * host is the DC's name used for the service ticket.
 */
adkcd_status
adkcd_creds_explain_bind(struct adkcd_err *err, int ldap_rc, const char *diag,
                         const char *host);

/* The default realm from krb5.conf, or NULL (free()). */
char *
adkcd_creds_default_realm(void);

/* The credentials' krb5 context, for the S4U exchange made with them. */
krb5_context
adkcd_creds_context(const struct adkcd_creds *creds);

/* Non-zero when c is the TGT of p's realm (krbtgt/REALM@REALM). */
int
adkcd_krbx_is_tgt(const krb5_creds *c, krb5_const_principal p);

/*
 * Set err to st with "WHAT (the krb5 text)", WHAT from fmt, and krb5_rc
 * to code; the text is freed the krb5 way.  Returns st.
 */
adkcd_status
adkcd_krbx_fail(struct adkcd_err *err, krb5_context ctx, krb5_error_code code,
                adkcd_status st, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#ifdef __clang_analyzer__
/* For scan-build (scripts/check-analysis), as status.h models
 * adkcd_err_set(): the analyzer does not follow a call into a variadic
 * function, so it is told that the status returned is st and
 * "return adkcd_krbx_fail(...)" fails on every path.  creds.c, which
 * defines the function, #undefs this before the definition. */
#define adkcd_krbx_fail(err, ctx, code, st, fmt...)                            \
    (adkcd_krbx_fail((err), (ctx), (code), (st), fmt), (st))
#endif

/* Fill t (new strings) from c: client, server, flags, the ticket's own
 * enctype, lifetime.  ADKCD_E_NOMEM. */
adkcd_status
adkcd_krbx_ticket(krb5_context ctx, const krb5_creds *c, struct adkcd_ticket *t,
                  struct adkcd_err *err);

/* Free t's strings and zero it. */
void
adkcd_krbx_ticket_clear(struct adkcd_ticket *t);

#endif /* ADKCD_KRBX_H */
