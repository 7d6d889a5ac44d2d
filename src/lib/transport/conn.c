/* adkcd: the connection to a domain controller. */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>
#include <sasl/sasl.h>

#include "adkcd/conn.h"
#include "adkcd/creds.h"
#include "adkcd/strv.h"
#include "discover.h"
#include "krbx.h"
#include "ldapx.h"

/* Below this SSF a SASL layer gives integrity only (1) or nothing (0).
 * 56 is the traditional floor for "confidentiality" in Cyrus SASL. */
#define MIN_SSF 56

struct adkcd_conn {
    LDAP *ld;
    LDAP *gc;            /* Global Catalog connection, opened on first use */
    pthread_t gc_thread; /* binding the GC in the background (prefetch) */
    LDAP *gc_pending;    /* the thread's handle, published after the join */
    int gc_started;
    adkcd_status gc_status;
    struct adkcd_err gc_err;
    int gc_failed; /* the GC bind failed: gc_err says why */
    struct adkcd_creds *creds;
    char *uri;    /* the URI that bound */
    char *scheme; /* "ldap" or "ldaps" */
    char *host;   /* the DC's name, as used for ldap/HOST */
    int starttls;
    int timeout;
    int ssf;
    char *default_nc, *config_nc, *root_nc, *dns_host_name, *domain_dns;
    char **controls;
    char *identity;
    adkcd_log_func log;
    void *log_ctx;
};

static void
logf_(struct adkcd_conn *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
logf_(struct adkcd_conn *c, int level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (c->log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    c->log(c->log_ctx, level, buf);
}

/*
 * Cyrus SASL's first sasl_client_init() dlopen()s every plugin in its
 * directory (NTLM, SCRAM with libcrypto, sasldb with libdb, ...): about
 * half of this tool's instructions.  Only GSSAPI is ever used here, so the
 * first init is ours, with a verify-file callback that skips the others;
 * libldap's own init later only bumps Cyrus' reference count.
 */
static int
sasl_verify_file(void *ctx, const char *file, sasl_verify_type_t type)
{
    const char *base = strrchr(file, '/');

    (void)ctx;
    if (type != SASL_VRFY_PLUGIN)
        return SASL_OK;
    base = base != NULL ? base + 1 : file;
    return strncmp(base, "libgssapiv2.", 12) == 0 ? SASL_OK : SASL_CONTINUE;
}

/* Mutexes for Cyrus, of the same kind libldap installs after us (a
 * malloc'd pthread mutex), so that either side may lock the other's. */
static void *
sasl_mutex_new(void)
{
    pthread_mutex_t *m = malloc(sizeof(*m));

    if (m != NULL && pthread_mutex_init(m, NULL) != 0) {
        free(m);
        m = NULL;
    }
    return m;
}

static int
sasl_mutex_lock(void *m)
{
    return pthread_mutex_lock(m) == 0 ? SASL_OK : SASL_FAIL;
}

static int
sasl_mutex_unlock(void *m)
{
    return pthread_mutex_unlock(m) == 0 ? SASL_OK : SASL_FAIL;
}

static void
sasl_mutex_free(void *m)
{
    pthread_mutex_destroy(m);
    free(m);
}

static sasl_callback_t sasl_global_callbacks[] = {
    /* Cyrus keeps callbacks as int (*)(void); the cast through void
     * (*)(void) is the documented-safe way to say so. */
    {SASL_CB_VERIFYFILE, (int (*)(void))(void (*)(void))sasl_verify_file, NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

static void
sasl_init_once(void)
{
    sasl_set_mutex(sasl_mutex_new, sasl_mutex_lock, sasl_mutex_unlock,
                   sasl_mutex_free);
    /* On failure libldap's own init loads everything, as usual. */
    (void)sasl_client_init(sasl_global_callbacks);
}

/*
 * SASL interaction: GSSAPI may ask for an authorization identity; we want
 * none (act as the ticket's principal).  Anything that would need a prompt
 * (a password) is refused: the library never prompts.
 */
static int
interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
    sasl_interact_t *i;

    (void)ld;
    (void)flags;
    (void)defaults;
    for (i = in; i->id != SASL_CB_LIST_END; i++) {
        if (i->id == SASL_CB_USER || i->id == SASL_CB_AUTHNAME) {
            i->result = "";
            i->len = 0;
        } else {
            return LDAP_UNAVAILABLE;
        }
    }
    return LDAP_SUCCESS;
}

static void
copy_tls_option(LDAP *ld, int option)
{
    char *value = NULL;

    if (ldap_get_option(NULL, option, &value) == LDAP_OPT_SUCCESS &&
        value != NULL)
        ldap_set_option(ld, option, value);
    ldap_memfree(value);
}

/* Open and bind one LDAP handle to uri. */
static adkcd_status
bind_uri(struct adkcd_conn *c, const char *uri, const char *host, LDAP **ld_out,
         int *ssf_out, struct adkcd_err *err)
{
    LDAP *ld = NULL;
    struct timeval tv;
    int version = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;
    int cbinding = LDAP_OPT_X_SASL_CBINDING_TLS_ENDPOINT;
    int rc, tls;
    ber_len_t ssf = 0;
    char *diag = NULL;
    adkcd_status st;

    *ld_out = NULL;
    rc = ldap_initialize(&ld, uri);
    if (rc != LDAP_SUCCESS)
        return adkcd_err_set(err, ADKCD_E_USAGE, "invalid LDAP URI '%s': %s",
                             uri, ldap_err2string(rc));
    tv.tv_sec = c->timeout;
    tv.tv_usec = 0;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    /* Never chase a referral: it would send our bind (and our searches)
     * to a server the caller did not name. */
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    /* NETWORK_TIMEOUT bounds the TCP connect; TIMEOUT bounds each wait
     * for an answer of a synchronous call (the bind's steps, every
     * ldap_search_ext_s), which then fails with LDAP_TIMEOUT. */
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    /* Don't let GSSAPI canonicalise the host through reverse DNS: the
     * service ticket is for ldap/<the name we were given>. */
    ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
    tls = c->starttls || strncasecmp(uri, "ldaps://", 8) == 0;
    if (tls) {
        /* Verify the certificate whatever ldap.conf's TLS_REQCERT says.
         * A handle's own TLS context does not inherit the CA settings of
         * ldap.conf / LDAPTLS_CACERT, so hand them over explicitly. */
        copy_tls_option(ld, LDAP_OPT_X_TLS_CACERTFILE);
        copy_tls_option(ld, LDAP_OPT_X_TLS_CACERTDIR);
        ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
        ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
        /* AD refuses a SASL security layer inside TLS; TLS protects.  It
         * then wants the GSSAPI exchange bound to this TLS channel (LDAP
         * channel binding, tls-server-end-point, RFC 5929), as Samba does
         * with "ldap server require strong auth = yes". */
        ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, "maxssf=0");
        ldap_set_option(ld, LDAP_OPT_X_SASL_CBINDING, &cbinding);
    } else {
        /* Require sign and seal: never send anything in the clear. */
        ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, "minssf=56");
    }
    if (c->starttls) {
        rc = ldap_start_tls_s(ld, NULL, NULL);
        if (rc != LDAP_SUCCESS) {
            ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, (void *)&diag);
            st = adkcd_err_set(err, ADKCD_E_CONNECT,
                               "StartTLS with %s failed: %s%s%s (is the "
                               "DC's CA in TLS_CACERT of ldap.conf or "
                               "LDAPTLS_CACERT?)",
                               uri, ldap_err2string(rc), diag ? ": " : "",
                               diag ? diag : "");
            ldap_memfree(diag);
            ldap_unbind_ext_s(ld, NULL, NULL);
            return st;
        }
    }
    /* The service ticket first, with a deadline: GSSAPI would ask the KDC
     * itself without one (creds.h). */
    st = adkcd_creds_service_ticket(c->creds, "ldap", host, c->timeout, err);
    if (st != ADKCD_OK) {
        if (err != NULL && st == ADKCD_E_CONNECT) {
            char why[ADKCD_ERR_MSG_SIZE];

            snprintf(why, sizeof(why), "%s", err->msg);
            adkcd_err_set(err, st, "binding to %s: %s; nothing was written",
                          uri, why);
        }
        ldap_unbind_ext_s(ld, NULL, NULL);
        return st;
    }
    /* Every answer of the bind is waited for up to LDAP_OPT_TIMEOUT. */
    rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL,
                                      LDAP_SASL_QUIET, interact, NULL);
    if (rc == LDAP_TIMEOUT) {
        /* Connected, then no answer: a hung DC (or one too busy). */
        ldap_unbind_ext_s(ld, NULL, NULL);
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "no answer from %s within %d s during the "
                             "Kerberos (SASL GSSAPI) bind: the DC is hung or "
                             "overloaded; nothing was written",
                             host, c->timeout);
    }
    if (rc != LDAP_SUCCESS) {
        ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, (void *)&diag);
        st = adkcd_creds_explain_bind(err, rc, diag, host);
        if (rc == LDAP_STRONG_AUTH_REQUIRED && tls)
            /* Samba's default "ldap server require strong auth = yes"
             * wants a SASL layer, and refuses one inside TLS: GSSAPI over
             * TLS only works with allow_sasl_over_tls (as on Windows). */
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "%s refuses a Kerberos bind inside TLS (%s): "
                               "use ldap:// without StartTLS (the "
                               "connection is then sealed by Kerberos), or "
                               "on a Samba DC set 'ldap server require "
                               "strong auth = allow_sasl_over_tls'",
                               uri, diag ? diag : "strong auth required");
        if (rc == LDAP_SERVER_DOWN && tls)
            adkcd_err_set(err, ADKCD_E_CONNECT,
                          "cannot reach %s over TLS (down, or the "
                          "certificate did not verify: check TLS_CACERT / "
                          "LDAPTLS_CACERT)",
                          uri);
        ldap_memfree(diag);
        ldap_unbind_ext_s(ld, NULL, NULL);
        return st;
    }
    ldap_get_option(ld, LDAP_OPT_X_SASL_SSF, &ssf);
    if (tls && ldap_tls_inplace(ld)) {
        ssf = 0; /* TLS protects; libldap does not tell its strength */
    } else if (ssf < MIN_SSF) {
        ldap_unbind_ext_s(ld, NULL, NULL);
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "the bind to %s has no confidentiality (SSF "
                             "%lu): refusing to send anything over it",
                             uri, (unsigned long)ssf);
    }
    *ssf_out = (int)ssf;
    *ld_out = ld;
    return ADKCD_OK;
}

static int
is_builtin_default(const char *uri)
{
    LDAPURLDesc *u = NULL;
    int dflt;

    if (ldap_url_parse(uri, &u) != LDAP_URL_SUCCESS)
        return 0;
    dflt = u->lud_next == NULL && strcasecmp(u->lud_scheme, "ldap") == 0 &&
           u->lud_host != NULL && strcasecmp(u->lud_host, "localhost") == 0 &&
           (u->lud_port == 0 || u->lud_port == LDAP_PORT);
    ldap_free_urldesc(u);
    return dflt;
}

/* The candidate URIs, in order. */
static adkcd_status
candidates(const struct adkcd_conn_opts *opts, int timeout, char ***uris_out,
           struct adkcd_err *err)
{
    char **uris = NULL, **hosts = NULL;
    char *list = NULL, *conf = NULL, *tok, *save = NULL, *realm = NULL;
    char *domain = NULL;
    adkcd_status st = ADKCD_OK;
    size_t i;

    *uris_out = NULL;
    if (opts->uri != NULL && opts->uri[0] != '\0') {
        list = strdup(opts->uri);
    } else {
        /* URI from ldap.conf / LDAPURI, as the OpenLDAP tools do.  When
         * nothing is configured libldap reports its built-in default,
         * ldap://localhost, which can never be a DC we should use. */
        ldap_get_option(NULL, LDAP_OPT_URI, &conf);
        if (conf != NULL && conf[0] != '\0' && !is_builtin_default(conf))
            list = strdup(conf);
        ldap_memfree(conf);
    }
    if (list != NULL) {
        for (tok = strtok_r(list, " ,\t", &save); tok != NULL;
             tok = strtok_r(NULL, " ,\t", &save)) {
            LDAPURLDesc *u = NULL;

            if (ldap_url_parse(tok, &u) != LDAP_URL_SUCCESS ||
                (strcasecmp(u->lud_scheme, "ldap") != 0 &&
                 strcasecmp(u->lud_scheme, "ldaps") != 0) ||
                u->lud_host == NULL || u->lud_host[0] == '\0') {
                ldap_free_urldesc(u);
                st = adkcd_err_set(err, ADKCD_E_USAGE,
                                   "invalid LDAP URI '%s' (expected "
                                   "ldap://HOST[:PORT] or ldaps://HOST)",
                                   tok);
                break;
            }
            ldap_free_urldesc(u);
            if (adkcd_strv_add(&uris, tok) != 0) {
                st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
                break;
            }
        }
        free(list);
        if (st == ADKCD_OK && uris == NULL)
            st = adkcd_err_set(err, ADKCD_E_USAGE, "empty LDAP URI");
        goto done;
    }
    if (opts->domain != NULL) {
        domain = strdup(opts->domain);
    } else {
        realm = adkcd_creds_default_realm();
        if (realm != NULL) {
            for (i = 0; realm[i] != '\0'; i++)
                realm[i] = (char)tolower((unsigned char)realm[i]);
        }
        domain = realm;
        realm = NULL;
    }
    if (domain == NULL) {
        st = adkcd_err_set(err, ADKCD_E_USAGE,
                           "no server given: name a DC or a domain, or set "
                           "URI in ldap.conf (no default realm in krb5.conf "
                           "either)");
        adkcd_err_hint(err, ADKCD_HINT_SERVER);
        goto done;
    }
    st = adkcd_discover_dcs(domain, timeout, &hosts, err);
    for (i = 0; st == ADKCD_OK && hosts[i] != NULL; i++) {
        char uri[1100];

        snprintf(uri, sizeof(uri), "ldap://%s", hosts[i]);
        if (adkcd_strv_add(&uris, uri) != 0)
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    /* Discovery fails rather than find no DC; said here too, so that the
     * caller's loop over the URIs never meets a NULL vector. */
    if (st == ADKCD_OK && uris == NULL) {
        st = adkcd_err_set(err, ADKCD_E_CONNECT,
                           "no DC found for %s (name a DC)", domain);
        adkcd_err_hint(err, ADKCD_HINT_SERVER);
    }
done:
    free(domain);
    adkcd_strv_free(hosts);
    if (st != ADKCD_OK) {
        adkcd_strv_free(uris);
        return st;
    }
    *uris_out = uris;
    return ADKCD_OK;
}

/* DC=mydom,DC=local -> mydom.local ("" when the DN is not a domain's). */
static char *
dn_to_dns(const char *dn)
{
    char *dns = NULL, *copy;

    if (ldap_dn2domain(dn, &dns) != 0 || dns == NULL)
        return strdup("");
    copy = strdup(dns);
    ldap_memfree(dns);
    return copy;
}

static adkcd_status
read_rootdse(struct adkcd_conn *c, struct adkcd_err *err)
{
    char *attrs[] = {"defaultNamingContext",    "configurationNamingContext",
                     "rootDomainNamingContext", "dnsHostName",
                     "supportedControl",        NULL};
    LDAPMessage *res = NULL, *e = NULL;
    adkcd_status st;

    st = adkcd_ldapx_read(c->ld, "", "(objectClass=*)", attrs, &res, &e, err);
    if (st != ADKCD_OK)
        return st;
    if (e == NULL) {
        ldap_msgfree(res);
        return adkcd_err_set(err, ADKCD_E_DIRECTORY,
                             "%s returned no rootDSE: is it an Active "
                             "Directory DC?",
                             c->uri);
    }
    c->default_nc = adkcd_ldapx_value(c->ld, e, "defaultNamingContext");
    c->config_nc = adkcd_ldapx_value(c->ld, e, "configurationNamingContext");
    c->root_nc = adkcd_ldapx_value(c->ld, e, "rootDomainNamingContext");
    c->dns_host_name = adkcd_ldapx_value(c->ld, e, "dnsHostName");
    st = adkcd_ldapx_values(c->ld, e, "supportedControl", &c->controls, NULL,
                            err);
    ldap_msgfree(res);
    if (st != ADKCD_OK)
        return st;
    if (c->default_nc == NULL || c->config_nc == NULL)
        return adkcd_err_set(err, ADKCD_E_DIRECTORY,
                             "the rootDSE of %s names no "
                             "defaultNamingContext/configurationNamingContext"
                             ": is it an Active Directory DC?",
                             c->uri);
    if (c->root_nc == NULL)
        c->root_nc = strdup(c->default_nc);
    if (c->dns_host_name == NULL)
        c->dns_host_name = strdup(c->host);
    c->domain_dns = dn_to_dns(c->default_nc);
    if (c->root_nc == NULL || c->dns_host_name == NULL || c->domain_dns == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return ADKCD_OK;
}

static void
gc_uri(const struct adkcd_conn *c, char *uri, size_t size)
{
    /* The Global Catalog of the same DC: 3268, or 3269 over TLS. */
    snprintf(uri, size, "%s://%s:%d", c->scheme, c->host,
             strcasecmp(c->scheme, "ldaps") == 0 ? 3269 : 3268);
}

static void *
gc_bind_thread(void *arg)
{
    struct adkcd_conn *c = arg;
    char uri[1100];
    int ssf = 0;

    gc_uri(c, uri, sizeof(uri));
    adkcd_err_clear(&c->gc_err);
    c->gc_status = adkcd_creds_use_in_thread(c->creds, &c->gc_err);
    /* Only gc_pending and gc_status/gc_err are the thread's: the main
     * thread reads them after pthread_join(). */
    if (c->gc_status == ADKCD_OK)
        c->gc_status =
            bind_uri(c, uri, c->host, &c->gc_pending, &ssf, &c->gc_err);
    return NULL;
}

/*
 * Bind the Global Catalog of c->host on a second thread, so that its bind
 * overlaps with the DC's (the client-side GSSAPI work and the round trips
 * run side by side).  Without a thread the GC is bound on first use.
 */
static void
prefetch_gc(struct adkcd_conn *c)
{
    char uri[1100];
    char **mechs = NULL;

    if (c->gc != NULL || c->gc_started)
        return;
    /* The one-time set-up of libldap and Cyrus SASL is not thread-safe:
     * asking for the SASL mechanisms does it here, on this thread. */
    ldap_get_option(NULL, LDAP_OPT_X_SASL_MECHLIST, &mechs);
    gc_uri(c, uri, sizeof(uri));
    logf_(c, 1, "connecting to the Global Catalog %s", uri);
    if (pthread_create(&c->gc_thread, NULL, gc_bind_thread, c) == 0)
        c->gc_started = 1;
}

void
adkcd_conn_prefetch_gc(struct adkcd_conn *c)
{
    if (!c->gc_failed)
        prefetch_gc(c);
}

/* Wait for a prefetch and drop what it got (the DC it was for failed). */
static void
discard_gc(struct adkcd_conn *c)
{
    if (c->gc_started) {
        pthread_join(c->gc_thread, NULL);
        c->gc_started = 0;
        c->gc = c->gc_pending;
        c->gc_pending = NULL;
    }
    if (c->gc != NULL) {
        ldap_unbind_ext_s(c->gc, NULL, NULL);
        c->gc = NULL;
    }
}

/* The bind's credentials (creds.h), and this thread's GSSAPI pointed at
 * them. */
static adkcd_status
get_creds(const struct adkcd_conn_opts *opts, struct adkcd_creds **out,
          struct adkcd_err *err)
{
    struct adkcd_creds_opts co;
    adkcd_status st;

    memset(&co, 0, sizeof(co));
    co.principal = opts->principal;
    co.keytab = opts->keytab;
    co.password = opts->password;
    co.ccache = opts->ccache;
    co.timeout = opts->timeout;
    st = adkcd_creds_acquire(&co, out, err);
    if (st == ADKCD_OK)
        st = adkcd_creds_use_in_thread(*out, err);
    if (st != ADKCD_OK) {
        adkcd_creds_free(*out);
        *out = NULL;
    }
    return st;
}

adkcd_status
adkcd_conn_open(const struct adkcd_conn_opts *opts, adkcd_log_func log,
                void *log_ctx, struct adkcd_conn **conn_out,
                struct adkcd_err *err)
{
    struct adkcd_conn *c = NULL;
    char **uris = NULL;
    char tried[ADKCD_ERR_MSG_SIZE] = "";
    adkcd_status st;
    size_t i;

    static pthread_once_t sasl_once = PTHREAD_ONCE_INIT;

    *conn_out = NULL;
    /* Before libldap's first call, which initialises Cyrus SASL. */
    pthread_once(&sasl_once, sasl_init_once);
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    c->log = log;
    c->log_ctx = log_ctx;
    c->starttls = opts->starttls;
    c->timeout = opts->timeout > 0 ? opts->timeout : 10;
    st = candidates(opts, c->timeout, &uris, err);
    if (st == ADKCD_OK)
        st = get_creds(opts, &c->creds, err);
    for (i = 0; st == ADKCD_OK && uris[i] != NULL; i++) {
        LDAPURLDesc *u = NULL;

        if (ldap_url_parse(uris[i], &u) != LDAP_URL_SUCCESS) {
            st = adkcd_err_set(err, ADKCD_E_USAGE, "invalid LDAP URI '%s'",
                               uris[i]);
            break;
        }
        free(c->host);
        free(c->scheme);
        c->host = strdup(u->lud_host);
        c->scheme = strdup(u->lud_scheme);
        ldap_free_urldesc(u);
        if (c->host == NULL || c->scheme == NULL) {
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
            break;
        }
        if (opts->prefetch_gc)
            prefetch_gc(c);
        logf_(c, 1, "connecting to %s", uris[i]);
        st = bind_uri(c, uris[i], c->host, &c->ld, &c->ssf, err);
        if (st != ADKCD_OK)
            discard_gc(c);
        if (st == ADKCD_E_CONNECT && uris[i + 1] != NULL) {
            /* Fall over to the next DC, remembering why. */
            size_t used = strlen(tried);

            snprintf(tried + used, sizeof(tried) - used, "%s%s",
                     used ? "; " : "", err ? err->msg : uris[i]);
            logf_(c, 0, "%s: trying the next DC", err ? err->msg : uris[i]);
            st = ADKCD_OK;
            continue;
        }
        if (st == ADKCD_OK) {
            c->uri = strdup(uris[i]);
            if (c->uri == NULL)
                st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        }
        break;
    }
    if (st == ADKCD_E_CONNECT && tried[0] != '\0')
        adkcd_err_prefix(err, "no DC reachable (%s)", tried);
    adkcd_strv_free(uris);
    if (st == ADKCD_OK)
        st = read_rootdse(c, err);
    if (st != ADKCD_OK) {
        adkcd_conn_free(c);
        return st;
    }
    if (c->ssf > 0)
        logf_(c, 1, "bound to %s as %s (SASL sign and seal, SSF %d)", c->uri,
              adkcd_creds_principal(c->creds), c->ssf);
    else
        logf_(c, 1, "bound to %s as %s (TLS, certificate verified)", c->uri,
              adkcd_creds_principal(c->creds));
    *conn_out = c;
    return ADKCD_OK;
}

void
adkcd_conn_free(struct adkcd_conn *c)
{
    if (c == NULL)
        return;
    if (c->gc_started) {
        pthread_join(c->gc_thread, NULL);
        c->gc = c->gc_pending;
    }
    if (c->ld != NULL)
        ldap_unbind_ext_s(c->ld, NULL, NULL);
    if (c->gc != NULL)
        ldap_unbind_ext_s(c->gc, NULL, NULL);
    adkcd_creds_free(c->creds);
    free(c->uri);
    free(c->scheme);
    free(c->host);
    free(c->default_nc);
    free(c->config_nc);
    free(c->root_nc);
    free(c->dns_host_name);
    free(c->domain_dns);
    adkcd_strv_free(c->controls);
    free(c->identity);
    free(c);
}

LDAP *
adkcd_conn_ldap(struct adkcd_conn *c)
{
    return c->ld;
}

int
adkcd_conn_timeout(const struct adkcd_conn *c)
{
    return c->timeout;
}

void
adkcd_conn_log(struct adkcd_conn *c, int level, const char *msg)
{
    if (c->log != NULL)
        c->log(c->log_ctx, level, msg);
}

/* Remember why the GC bind failed, for this and every later call. */
static adkcd_status
gc_fail(struct adkcd_conn *c, adkcd_status st, struct adkcd_err *err)
{
    adkcd_err_prefix(&c->gc_err, "Global Catalog (forest-wide search)");
    c->gc_err.hints |= ADKCD_HINT_GC;
    c->gc_err.status = st;
    c->gc_failed = 1;
    if (err != NULL)
        *err = c->gc_err;
    return st;
}

adkcd_status
adkcd_conn_gc(struct adkcd_conn *c, LDAP **ld_out, struct adkcd_err *err)
{
    adkcd_status st;

    *ld_out = NULL;
    /* One failed bind is enough: do not pay its timeout again for every
     * forest-wide search of this run. */
    if (c->gc_failed) {
        if (err != NULL)
            *err = c->gc_err;
        return c->gc_err.status;
    }
    if (!c->gc_started && c->gc == NULL)
        prefetch_gc(c);
    if (c->gc_started) {
        pthread_join(c->gc_thread, NULL);
        c->gc_started = 0;
        c->gc = c->gc_pending;
        c->gc_pending = NULL;
        st = c->gc_status;
        if (st != ADKCD_OK) {
            return gc_fail(c, st, err);
        }
    } else if (c->gc == NULL) {
        /* The thread could not be started: bind here. */
        char uri[1100];
        int ssf = 0;

        gc_uri(c, uri, sizeof(uri));
        adkcd_err_clear(&c->gc_err);
        st = bind_uri(c, uri, c->host, &c->gc, &ssf, &c->gc_err);
        if (st != ADKCD_OK) {
            return gc_fail(c, st, err);
        }
    }
    *ld_out = c->gc;
    return ADKCD_OK;
}

const char *
adkcd_conn_uri(const struct adkcd_conn *c)
{
    return c->uri;
}

const char *
adkcd_conn_default_nc(const struct adkcd_conn *c)
{
    return c->default_nc;
}

const char *
adkcd_conn_config_nc(const struct adkcd_conn *c)
{
    return c->config_nc;
}

const char *
adkcd_conn_root_nc(const struct adkcd_conn *c)
{
    return c->root_nc;
}

const char *
adkcd_conn_dns_host_name(const struct adkcd_conn *c)
{
    return c->dns_host_name;
}

const char *
adkcd_conn_domain_dns(const struct adkcd_conn *c)
{
    return c->domain_dns;
}

int
adkcd_conn_ssf(const struct adkcd_conn *c)
{
    return c->ssf;
}

int
adkcd_conn_supports_control(const struct adkcd_conn *c, const char *oid)
{
    return adkcd_strv_find_nocase(c->controls, oid) >= 0;
}

adkcd_status
adkcd_conn_identity(struct adkcd_conn *c, const char **identity_out,
                    struct adkcd_err *err)
{
    struct berval *id = NULL;
    int rc;

    *identity_out = NULL;
    if (c->identity == NULL) {
        rc = ldap_whoami_s(c->ld, &id, NULL, NULL);
        if (rc == LDAP_SUCCESS && id != NULL && id->bv_len > 0) {
            c->identity = strndup(id->bv_val, id->bv_len);
        } else if (rc == LDAP_SUCCESS || rc == LDAP_PROTOCOL_ERROR ||
                   rc == LDAP_UNWILLING_TO_PERFORM ||
                   rc == LDAP_UNAVAILABLE_CRITICAL_EXTENSION) {
            /* Samba does not implement "Who am I?" (RFC 4532; Windows
             * does): the identity is then the ticket's principal. */
            size_t n = strlen(adkcd_creds_principal(c->creds)) + 6;

            c->identity = malloc(n);
            if (c->identity != NULL)
                snprintf(c->identity, n, "krb5:%s",
                         adkcd_creds_principal(c->creds));
        } else {
            ber_bvfree(id);
            return adkcd_ldapx_error(err, c->ld, rc, "asking who we are");
        }
        ber_bvfree(id);
        if (c->identity == NULL)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    *identity_out = c->identity;
    return ADKCD_OK;
}
