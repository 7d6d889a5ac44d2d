/* adkcd internal: Kerberos credentials for the bind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <ldap.h>

#include "creds.h"

struct adkcd_creds {
    krb5_context ctx;
    krb5_ccache mem_cc; /* a MEMORY ccache made here, or NULL */
    char ccname[256];   /* "MEMORY:..." when mem_cc is set, or the
                         * caller's ccache (opts->ccache) */
    char *principal;
};

/* Copy a krb5 error text into err, freeing it the krb5 way. */
static adkcd_status
krb_error(struct adkcd_err *err, krb5_context ctx, krb5_error_code code,
          adkcd_status st, const char *what)
{
    const char *text = krb5_get_error_message(ctx, code);

    adkcd_err_set(err, st, "%s: %s", what, text);
    if (err != NULL)
        err->krb5_rc = code;
    krb5_free_error_message(ctx, text);
    return st;
}

static adkcd_status
set_names(struct adkcd_creds *c, krb5_principal p, struct adkcd_err *err)
{
    char *name = NULL;
    krb5_error_code code;

    code = krb5_unparse_name(c->ctx, p, &name);
    if (code != 0)
        return krb_error(err, c->ctx, code, ADKCD_E_AUTH,
                         "reading the client principal");
    c->principal = strdup(name);
    krb5_free_unparsed_name(c->ctx, name);
    if (c->principal == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return ADKCD_OK;
}

int
adkcd_creds_is_tgt(const krb5_creds *c, krb5_const_principal p)
{
    const krb5_principal s = c->server;

    return s->length == 2 && s->data[0].length == 6 &&
           memcmp(s->data[0].data, "krbtgt", 6) == 0 &&
           s->data[1].length == p->realm.length &&
           memcmp(s->data[1].data, p->realm.data, p->realm.length) == 0;
}

/*
 * Make sure the default ccache holds a TGT that has not expired, so that a
 * missing or stale ticket gets "run kinit" instead of a GSSAPI error.
 */
static adkcd_status
check_default_ccache(struct adkcd_creds *c, const char *name,
                     struct adkcd_err *err)
{
    krb5_ccache cc = NULL;
    krb5_principal p = NULL;
    krb5_cc_cursor cur;
    krb5_creds cred;
    krb5_error_code code;
    krb5_timestamp now;
    char *ccname = NULL;
    adkcd_status st = ADKCD_OK;
    int found = 0;
    long end = 0;

    code = name != NULL ? krb5_cc_resolve(c->ctx, name, &cc)
                        : krb5_cc_default(c->ctx, &cc);
    if (code != 0)
        return krb_error(err, c->ctx, code, ADKCD_E_AUTH,
                         "opening the default credentials cache");
    krb5_cc_get_full_name(c->ctx, cc, &ccname);
    code = krb5_cc_get_principal(c->ctx, cc, &p);
    if (code != 0) {
        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "no Kerberos ticket in %s: run 'kinit "
                           "USER@REALM' first, or give --keytab/--principal "
                           "or --principal with --password-stdin",
                           ccname ? ccname : "the default ccache");
        goto cleanup;
    }
    st = set_names(c, p, err);
    if (st != ADKCD_OK)
        goto cleanup;
    krb5_timeofday(c->ctx, &now);
    code = krb5_cc_start_seq_get(c->ctx, cc, &cur);
    if (code == 0) {
        while (krb5_cc_next_cred(c->ctx, cc, &cur, &cred) == 0) {
            if (adkcd_creds_is_tgt(&cred, p)) {
                found = 1;
                if ((long)cred.times.endtime > end)
                    end = (long)cred.times.endtime;
            }
            krb5_free_cred_contents(c->ctx, &cred);
        }
        krb5_cc_end_seq_get(c->ctx, cc, &cur);
    }
    if (!found) {
        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "no ticket-granting ticket for %s in %s: run "
                           "'kinit %s'",
                           c->principal, ccname ? ccname : "the ccache",
                           c->principal);
    } else if (end <= (long)now) {
        char when[64];
        time_t t = (time_t)end;
        struct tm tm;

        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
                 gmtime_r(&t, &tm));
        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "the Kerberos ticket of %s expired at %s: run "
                           "'kinit %s' again",
                           c->principal, when, c->principal);
    }
cleanup:
    krb5_free_string(c->ctx, ccname);
    krb5_free_principal(c->ctx, p);
    krb5_cc_close(c->ctx, cc);
    return st;
}

/* Get a forwardable TGT from a keytab or a password into a MEMORY ccache
 * and point this process's GSSAPI at it. */
static adkcd_status
get_tgt(struct adkcd_creds *c, const struct adkcd_conn_opts *opts,
        struct adkcd_err *err)
{
    krb5_principal p = NULL;
    krb5_keytab kt = NULL;
    krb5_get_init_creds_opt *gopt = NULL;
    krb5_creds cred;
    krb5_error_code code;
    const char *name = NULL;
    adkcd_status st = ADKCD_OK;
    int have_cred = 0;

    memset(&cred, 0, sizeof(cred));
    code = krb5_parse_name(c->ctx, opts->principal, &p);
    if (code != 0) {
        char what[600];

        snprintf(what, sizeof(what), "invalid principal '%s'", opts->principal);
        return krb_error(err, c->ctx, code, ADKCD_E_USAGE, what);
    }
    st = set_names(c, p, err);
    if (st != ADKCD_OK)
        goto cleanup;
    code = krb5_get_init_creds_opt_alloc(c->ctx, &gopt);
    if (code != 0) {
        st = krb_error(err, c->ctx, code, ADKCD_E_NOMEM, "krb5");
        goto cleanup;
    }
    krb5_get_init_creds_opt_set_forwardable(gopt, 1);
    if (opts->keytab != NULL) {
        code = krb5_kt_resolve(c->ctx, opts->keytab, &kt);
        if (code == 0)
            code =
                krb5_get_init_creds_keytab(c->ctx, &cred, p, kt, 0, NULL, gopt);
    } else {
        code = krb5_get_init_creds_password(c->ctx, &cred, p, opts->password,
                                            NULL, NULL, 0, NULL, gopt);
    }
    if (code != 0) {
        adkcd_status cat = ADKCD_E_AUTH;

        if (code == KRB5_KDC_UNREACH || code == KRB5_REALM_CANT_RESOLVE ||
            code == KRB5_REALM_UNKNOWN)
            cat = ADKCD_E_CONNECT;
        char what[600];

        snprintf(what, sizeof(what), "getting a ticket for %s", c->principal);
        st = krb_error(err, c->ctx, code, cat, what);
        if (code == KRB5KRB_AP_ERR_SKEW)
            adkcd_err_prefix(err, "clock skew: set this host's time "
                                  "(chrony/ntpd) to the DC's");
        goto cleanup;
    }
    have_cred = 1;
    code = krb5_cc_new_unique(c->ctx, "MEMORY", NULL, &c->mem_cc);
    if (code == 0)
        code = krb5_cc_initialize(c->ctx, c->mem_cc, p);
    if (code == 0)
        code = krb5_cc_store_cred(c->ctx, c->mem_cc, &cred);
    if (code != 0) {
        st = krb_error(err, c->ctx, code, ADKCD_E_AUTH,
                       "storing the ticket in a MEMORY ccache");
        goto cleanup;
    }
    name = krb5_cc_get_name(c->ctx, c->mem_cc);
    snprintf(c->ccname, sizeof(c->ccname), "MEMORY:%s", name);
    st = adkcd_creds_use_in_thread(c, err);
cleanup:
    if (have_cred)
        krb5_free_cred_contents(c->ctx, &cred);
    if (kt != NULL)
        krb5_kt_close(c->ctx, kt);
    krb5_get_init_creds_opt_free(c->ctx, gopt);
    krb5_free_principal(c->ctx, p);
    return st;
}

adkcd_status
adkcd_creds_acquire(const struct adkcd_conn_opts *opts,
                    struct adkcd_creds **creds_out, struct adkcd_err *err)
{
    struct adkcd_creds *c = NULL;
    krb5_error_code code;
    adkcd_status st;

    *creds_out = NULL;
    if (opts->ccache != NULL &&
        (opts->keytab != NULL || opts->password != NULL))
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "a ccache excludes --keytab and "
                             "--password-stdin");
    if (opts->ccache != NULL &&
        strlen(opts->ccache) >= sizeof(((struct adkcd_creds *)0)->ccname))
        return adkcd_err_set(err, ADKCD_E_USAGE, "ccache name too long");
    if ((opts->keytab != NULL || opts->password != NULL) &&
        opts->principal == NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--keytab and --password-stdin need "
                             "--principal");
    if (opts->keytab != NULL && opts->password != NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--keytab and --password-stdin exclude each "
                             "other");
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    code = krb5_init_context(&c->ctx);
    if (code != 0) {
        free(c);
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "cannot initialise Kerberos (krb5.conf, "
                             "KRB5_CONFIG?): error %ld",
                             (long)code);
    }
    if (opts->keytab != NULL || opts->password != NULL) {
        st = get_tgt(c, opts, err);
    } else {
        st = check_default_ccache(c, opts->ccache, err);
        if (st == ADKCD_OK && opts->ccache != NULL) {
            snprintf(c->ccname, sizeof(c->ccname), "%s", opts->ccache);
            st = adkcd_creds_use_in_thread(c, err);
        }
    }
    if (st != ADKCD_OK) {
        adkcd_creds_free(c);
        return st;
    }
    *creds_out = c;
    return ADKCD_OK;
}

adkcd_status
adkcd_creds_use_in_thread(const struct adkcd_creds *c, struct adkcd_err *err)
{
    OM_uint32 minor;

    if (c->ccname[0] == '\0')
        return ADKCD_OK;
    /* Cyrus SASL's GSSAPI plugin uses MIT's GSSAPI in this process: point
     * it at our ccache rather than changing KRB5CCNAME for everyone. */
    if (gss_krb5_ccache_name(&minor, c->ccname, NULL) != GSS_S_COMPLETE)
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "cannot point GSSAPI at the MEMORY ccache");
    return ADKCD_OK;
}

const char *
adkcd_creds_principal(const struct adkcd_creds *creds)
{
    return creds->principal;
}

void
adkcd_creds_free(struct adkcd_creds *creds)
{
    if (creds == NULL)
        return;
    if (creds->mem_cc != NULL)
        krb5_cc_destroy(creds->ctx, creds->mem_cc);
    free(creds->principal);
    krb5_free_context(creds->ctx);
    free(creds);
}

char *
adkcd_creds_default_realm(void)
{
    krb5_context ctx = NULL;
    char *realm = NULL, *copy = NULL;

    if (krb5_init_context(&ctx) != 0)
        return NULL;
    if (krb5_get_default_realm(ctx, &realm) == 0) {
        copy = strdup(realm);
        krb5_free_default_realm(ctx, realm);
    }
    krb5_free_context(ctx);
    return copy;
}

static adkcd_status
explain(struct adkcd_err *err, int ldap_rc, const char *d, const char *host);

adkcd_status
adkcd_creds_explain_bind(struct adkcd_err *err, int ldap_rc, const char *diag,
                         const char *host)
{
    const char *d = diag != NULL ? diag : "";
    adkcd_status st = explain(err, ldap_rc, d, host);

    if (err != NULL)
        err->ldap_rc = ldap_rc;
    return st;
}

static adkcd_status
explain(struct adkcd_err *err, int ldap_rc, const char *d, const char *host)
{
    /* The GSSAPI minor status text ends up in the SASL diagnostic. */
    if (strstr(d, "Server not found in Kerberos database") != NULL ||
        strstr(d, "not found in Kerberos database") != NULL)
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "the KDC knows no service principal "
                             "ldap/%s: connect by the DC's DNS name (as in "
                             "its SPNs), not by an IP address or alias (%s)",
                             host, d);
    if (strstr(d, "Clock skew") != NULL || strstr(d, "clock skew") != NULL)
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "clock skew too great between this host and "
                             "the KDC: synchronise the time (chrony/ntpd) "
                             "(%s)",
                             d);
    if (strstr(d, "Cannot contact any KDC") != NULL ||
        strstr(d, "Cannot find KDC") != NULL)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "the KDC is unreachable: check 'kdc =' in "
                             "krb5.conf or the _kerberos SRV records (%s)",
                             d);
    if (strstr(d, "expired") != NULL)
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "the Kerberos ticket has expired: run kinit "
                             "again (%s)",
                             d);
    if (strstr(d, "No Kerberos credentials") != NULL ||
        strstr(d, "No credentials cache") != NULL ||
        strstr(d, "credentials cache file") != NULL)
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "no Kerberos ticket: run 'kinit USER@REALM' "
                             "first (%s)",
                             d);
    if (strstr(d, "SASL(-4)") != NULL)
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "the SASL GSSAPI mechanism is not available: "
                             "install libsasl2-modules-gssapi-mit (%s)",
                             d);
    if (ldap_rc == LDAP_SERVER_DOWN || ldap_rc == LDAP_CONNECT_ERROR ||
        ldap_rc == LDAP_TIMEOUT)
        return adkcd_err_set(err, ADKCD_E_CONNECT, "cannot reach %s: %s%s%s",
                             host, ldap_err2string(ldap_rc), d[0] ? ": " : "",
                             d);
    return adkcd_err_set(err, ADKCD_E_AUTH,
                         "SASL GSSAPI bind to %s failed: %s%s%s", host,
                         ldap_err2string(ldap_rc), d[0] ? ": " : "", d);
}
