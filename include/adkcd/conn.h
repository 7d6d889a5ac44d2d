/*
 * adkcd: the connection to a domain controller.
 *
 * Finds a DC (explicit URI, ldap.conf's URI, or DNS SRV records), gets
 * Kerberos credentials (default ccache, keytab or password into a MEMORY
 * ccache), binds with SASL GSSAPI requiring integrity and confidentiality
 * (or over verified TLS), and reads the rootDSE once.  Forest-wide reads go
 * to the Global Catalog of the same DC through a second connection opened on
 * first use.  Nothing is ever sent over an unprotected connection.
 */
#ifndef ADKCD_CONN_H
#define ADKCD_CONN_H

#include "adkcd/status.h"

struct adkcd_conn;

struct adkcd_conn_opts {
    const char *uri;       /* -H: one URI or a space-separated list; NULL:
                            * ldap.conf URI, then DNS SRV */
    const char *domain;    /* DNS domain for SRV discovery; NULL: the
                            * default realm of krb5.conf */
    const char *keytab;    /* get a TGT from this keytab (with principal) */
    const char *principal; /* client principal for keytab or password */
    const char *password;  /* get a TGT with this password (the caller
                            * wipes it); never from argv */
    const char *ccache;    /* bind with the TGT in this ccache (e.g. the
                            * "MEMORY:..." of adkcd_creds_ccache()) instead
                            * of the default one; excludes keytab and
                            * password */
    int starttls;          /* StartTLS, then bind over the TLS layer */
    int timeout;           /* network timeout in seconds; 0: 10: the
                            * longest wait for one answer of DNS, the KDC
                            * or the DC (connect, each step of the bind,
                            * each search, each modify and read-back) */
    int prefetch_gc;       /* the caller will search the forest: bind the
                            * Global Catalog alongside the DC */
};

/* Receives progress and diagnostics (e.g. "trying ldap://dc2"); the library
 * never prints.  level: 0 info, 1 verbose. */
typedef void (*adkcd_log_func)(void *ctx, int level, const char *msg);

/*
 * Connect and bind.  On success *conn_out owns the connection (free with
 * adkcd_conn_free()).  Statuses: ADKCD_E_USAGE (bad options),
 * ADKCD_E_CONNECT (no DC reachable, KDC unreachable), ADKCD_E_AUTH (no
 * ticket, expired ticket, clock skew, unknown server principal, refused
 * credentials, no protection available), ADKCD_E_DIRECTORY.
 */
adkcd_status
adkcd_conn_open(const struct adkcd_conn_opts *opts, adkcd_log_func log,
                void *log_ctx, struct adkcd_conn **conn_out,
                struct adkcd_err *err);

/* Unbind and free; destroys a MEMORY ccache made here.  NULL is a no-op. */
void
adkcd_conn_free(struct adkcd_conn *conn);

/*
 * Borrowed strings, valid until adkcd_conn_free().  May be "" when the DC
 * did not publish the value.
 */
const char *
adkcd_conn_uri(const struct adkcd_conn *conn); /* the URI bound */
const char *
adkcd_conn_default_nc(const struct adkcd_conn *conn); /* DC=mydom,DC=local */
const char *
adkcd_conn_config_nc(const struct adkcd_conn *conn);
const char *
adkcd_conn_root_nc(const struct adkcd_conn *conn); /* forest root domain */
const char *
adkcd_conn_dns_host_name(const struct adkcd_conn *conn);
const char *
adkcd_conn_domain_dns(const struct adkcd_conn *conn); /* mydom.local */

/* Security strength factor of the SASL layer (56 or more), or 0 when TLS
 * protects the connection instead. */
int
adkcd_conn_ssf(const struct adkcd_conn *conn);

/*
 * The bound identity as the server sees it (LDAP "Who am I?", e.g.
 * "u:MYDOM\Administrator"), asked on first use; where the server does not
 * implement it (Samba), "krb5:" and the ticket's principal.  Borrowed.
 */
adkcd_status
adkcd_conn_identity(struct adkcd_conn *conn, const char **identity_out,
                    struct adkcd_err *err);

/*
 * Start binding the Global Catalog in the background now, so that it
 * overlaps with what the caller does before its first forest-wide search
 * (a command that finds it has nothing to do then never binds it, unlike
 * the prefetch_gc option).  A no-op when it is bound or being bound.
 */
void
adkcd_conn_prefetch_gc(struct adkcd_conn *conn);

/* Non-zero when the rootDSE lists the control OID. */
int
adkcd_conn_supports_control(const struct adkcd_conn *conn, const char *oid);

#endif /* ADKCD_CONN_H */
