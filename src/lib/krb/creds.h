/*
 * adkcd internal: Kerberos credentials for the bind.
 *
 * Either the caller's default ccache (checked for a valid TGT so that the
 * user gets "run kinit" rather than a GSSAPI error), or a TGT obtained here
 * from a keytab or a password into a MEMORY ccache that GSSAPI is pointed
 * at for this process.
 */
#ifndef ADKCD_CREDS_H
#define ADKCD_CREDS_H

#include "adkcd/conn.h"
#include "adkcd/status.h"

struct adkcd_creds;

adkcd_status
adkcd_creds_acquire(const struct adkcd_conn_opts *opts,
                    struct adkcd_creds **creds_out, struct adkcd_err *err);

/* The client principal ("administrator@MYDOM.LOCAL"); borrowed. */
const char *
adkcd_creds_principal(const struct adkcd_creds *creds);

void
adkcd_creds_free(struct adkcd_creds *creds);

/*
 * Point the calling thread's GSSAPI at the MEMORY ccache made here (MIT's
 * gss_krb5_ccache_name() is per thread); a no-op for the default ccache.
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

#include <krb5.h>

/* Non-zero when c is the TGT of p's realm (krbtgt/REALM@REALM). */
int
adkcd_creds_is_tgt(const krb5_creds *c, krb5_const_principal p);

/* The default realm from krb5.conf, or NULL (free()). */
char *
adkcd_creds_default_realm(void);

#endif /* ADKCD_CREDS_H */
