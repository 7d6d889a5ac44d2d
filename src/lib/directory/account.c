/* adkcd: finding the account an SPN or a delegation belongs to. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uuid/uuid.h>

#include "adkcd/account.h"
#include "adkcd/strv.h"
#include "ldapx.h"

static char *account_attrs[] = {"sAMAccountName",
                                "userPrincipalName",
                                "dNSHostName",
                                "objectClass",
                                "userAccountControl",
                                "servicePrincipalName",
                                "msDS-AllowedToDelegateTo",
                                NULL};

/* Matches users, computers, gMSAs and other security principals that can
 * hold SPNs (they all derive from the user class). */
#define ACCOUNT_FILTER "(objectClass=user)"

void
adkcd_account_free(struct adkcd_account *a)
{
    if (a == NULL)
        return;
    free(a->input);
    free(a->dn);
    free(a->sam);
    free(a->upn);
    free(a->dns_host_name);
    free(a->how);
    adkcd_strv_free(a->spns);
    adkcd_strv_free(a->delegate_to);
    free(a);
}

const char *
adkcd_account_class(const struct adkcd_account *a)
{
    return a->is_computer ? "computer" : "user";
}

static adkcd_status check_extended_dn(const char *name, struct adkcd_err *err);

adkcd_status
adkcd_account_check_name(const char *name, size_t len, struct adkcd_err *err)
{
    size_t i;

    if (name == NULL || len == 0 || name[0] == '\0')
        return adkcd_err_set(err, ADKCD_E_USAGE, "empty account name");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c == '\0')
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "account name contains a NUL byte at "
                                 "position %zu",
                                 i + 1);
        if (c < 0x20 || c == 0x7f)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "account name contains a control character "
                                 "(0x%02x) at position %zu",
                                 c, i + 1);
    }
    if (len > 1024)
        return adkcd_err_set(err, ADKCD_E_USAGE, "account name too long");
    if (name[0] == '<')
        return check_extended_dn(name, err);
    return ADKCD_OK;
}

/* Fill a from an entry; replaces what a held. */
static adkcd_status
fill(LDAP *ld, LDAPMessage *e, struct adkcd_account *a, struct adkcd_err *err)
{
    char **classes = NULL, *dn, *uac;
    adkcd_status st;

    dn = ldap_get_dn(ld, e);
    free(a->dn);
    a->dn = dn != NULL ? strdup(dn) : NULL;
    ldap_memfree(dn);
    free(a->sam);
    a->sam = adkcd_ldapx_value(ld, e, "sAMAccountName");
    free(a->upn);
    a->upn = adkcd_ldapx_value(ld, e, "userPrincipalName");
    free(a->dns_host_name);
    a->dns_host_name = adkcd_ldapx_value(ld, e, "dNSHostName");
    uac = adkcd_ldapx_value(ld, e, "userAccountControl");
    a->has_uac = uac != NULL;
    /* userAccountControl is a signed 32-bit integer in LDAP. */
    a->uac = uac != NULL ? (unsigned)strtol(uac, NULL, 10) : 0;
    free(uac);
    st = adkcd_ldapx_values(ld, e, "objectClass", &classes, NULL, err);
    if (st != ADKCD_OK)
        return st;
    a->is_computer = adkcd_strv_find_nocase(classes, "computer") >= 0;
    adkcd_strv_free(classes);
    adkcd_strv_free(a->spns);
    a->spns = NULL;
    st = adkcd_ldapx_values(ld, e, "servicePrincipalName", &a->spns,
                            &a->spns_present, err);
    if (st != ADKCD_OK)
        return st;
    adkcd_strv_free(a->delegate_to);
    a->delegate_to = NULL;
    st = adkcd_ldapx_values(ld, e, "msDS-AllowedToDelegateTo", &a->delegate_to,
                            &a->delegate_to_present, err);
    if (st != ADKCD_OK)
        return st;
    if (a->dn == NULL || a->sam == NULL)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "the account entry has no sAMAccountName");
    return ADKCD_OK;
}

/* Search base/scope/filter; results in *res_out. */
static adkcd_status
search(LDAP *ld, const char *base, int scope, const char *filter,
       LDAPMessage **res_out, struct adkcd_err *err)
{
    int rc;

    *res_out = NULL;
    rc = ldap_search_ext_s(ld, base, scope, filter, account_attrs, 0, NULL,
                           NULL, NULL, 0, res_out);
    if (rc == LDAP_NO_SUCH_OBJECT)
        return ADKCD_OK; /* the caller sees no entries */
    if (rc != LDAP_SUCCESS)
        return adkcd_ldapx_error(err, ld, rc, "searching %s for %s", base,
                                 filter);
    return ADKCD_OK;
}

/* List the DNs of res for an "ambiguous" message. */
static adkcd_status
ambiguous(LDAP *ld, LDAPMessage *res, const char *what, struct adkcd_err *err)
{
    char list[700] = "";
    LDAPMessage *e;
    size_t used;

    for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e)) {
        char *dn = ldap_get_dn(ld, e);

        used = strlen(list);
        snprintf(list + used, sizeof(list) - used, "%s%s", used ? "; " : "",
                 dn ? dn : "?");
        ldap_memfree(dn);
    }
    return adkcd_err_set(err, ADKCD_E_NOTFOUND,
                         "%s is ambiguous: it matches %d accounts (%s); "
                         "give a DN, a UPN or <SID=...>",
                         what, ldap_count_entries(ld, res), list);
}

/* Resolve from a search that must yield exactly one entry. */
static adkcd_status
one(LDAP *ld, const char *base, int scope, const char *filter, const char *what,
    const char *how, struct adkcd_account *a, struct adkcd_err *err)
{
    LDAPMessage *res = NULL, *e;
    adkcd_status st;
    int n;

    st = search(ld, base, scope, filter, &res, err);
    if (st != ADKCD_OK)
        return st;
    n = res != NULL ? ldap_count_entries(ld, res) : 0;
    if (n == 0)
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND, "no account %s", what);
    else if (n > 1)
        st = ambiguous(ld, res, what, err);
    if (st == ADKCD_OK) {
        e = ldap_first_entry(ld, res);
        st = fill(ld, e, a, err);
        if (st == ADKCD_OK) {
            a->how = strdup(how);
            if (a->how == NULL)
                st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        }
    }
    ldap_msgfree(res);
    return st;
}

static int
valid_sid(const char *s)
{
    /* S-1-<authority>-<sub>... : digits separated by single dashes. */
    if (strncasecmp(s, "S-1-", 4) != 0)
        return 0;
    s += 4;
    if (!isdigit((unsigned char)*s))
        return 0;
    for (; *s != '\0'; s++) {
        if (*s == '-' && !isdigit((unsigned char)s[1]))
            return 0;
        if (*s != '-' && !isdigit((unsigned char)*s))
            return 0;
    }
    return 1;
}

/* Check the syntax of <GUID=...> / <SID=...>. */
static adkcd_status
check_extended_dn(const char *name, struct adkcd_err *err)
{
    size_t len = strlen(name);
    char inner[256];
    uuid_t u;

    /* The inner part is len - 7 bytes for <GUID=...>, len - 6 for
     * <SID=...>: both must fit with their NUL. */
    if (len < 8 || name[len - 1] != '>' || len - 6 >= sizeof(inner) ||
        (strncasecmp(name, "<GUID=", 6) != 0 &&
         strncasecmp(name, "<SID=", 5) != 0))
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "malformed '%s': expected <GUID=...> or "
                             "<SID=S-1-...>",
                             name);
    if (strncasecmp(name, "<GUID=", 6) == 0) {
        memcpy(inner, name + 6, len - 7);
        inner[len - 7] = '\0';
        if (uuid_parse(inner, u) != 0)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "malformed GUID '%s' (expected "
                                 "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                                 inner);
    } else {
        memcpy(inner, name + 5, len - 6);
        inner[len - 6] = '\0';
        if (!valid_sid(inner))
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "malformed SID '%s' (expected "
                                 "S-1-5-21-...)",
                                 inner);
    }
    return ADKCD_OK;
}

/* <GUID=...> / <SID=...>: AD accepts these as search bases (MS-ADTS
 * 3.1.1.3.1.2.4, extended DN forms). */
static adkcd_status
by_extended_dn(LDAP *ld, const char *name, struct adkcd_account *a,
               struct adkcd_err *err)
{
    char what[300];
    adkcd_status st = check_extended_dn(name, err);

    if (st != ADKCD_OK)
        return st;
    snprintf(what, sizeof(what), "with %s", name);
    return one(ld, name, LDAP_SCOPE_BASE, ACCOUNT_FILTER, what, name, a, err);
}

/* DOMAIN\NAME: DOMAIN must be this DC's domain (NetBIOS or DNS name). */
static adkcd_status
check_domain(struct adkcd_conn *conn, const char *domain, struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    char base[1200], filter[1200];
    char *attrs[] = {"nETBIOSName", "dnsRoot", NULL};
    char *nc = adkcd_ldapx_filter_escape(adkcd_conn_default_nc(conn));
    LDAPMessage *res = NULL, *e;
    char *nb = NULL, *dns = NULL;
    adkcd_status st;
    int rc, match = 0;

    if (nc == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    snprintf(base, sizeof(base), "CN=Partitions,%s",
             adkcd_conn_config_nc(conn));
    snprintf(filter, sizeof(filter), "(&(objectClass=crossRef)(nCName=%s))",
             nc);
    free(nc);
    rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_ONELEVEL, filter, attrs, 0,
                           NULL, NULL, NULL, 0, &res);
    if (rc != LDAP_SUCCESS) {
        ldap_msgfree(res);
        return adkcd_ldapx_error(err, ld, rc, "reading the domain's names");
    }
    e = ldap_first_entry(ld, res);
    if (e != NULL) {
        nb = adkcd_ldapx_value(ld, e, "nETBIOSName");
        dns = adkcd_ldapx_value(ld, e, "dnsRoot");
    }
    match = (nb != NULL && strcasecmp(nb, domain) == 0) ||
            (dns != NULL && strcasecmp(dns, domain) == 0) ||
            strcasecmp(adkcd_conn_domain_dns(conn), domain) == 0;
    st = match ? ADKCD_OK
               : adkcd_err_set(err, ADKCD_E_NOTFOUND,
                               "domain '%s' is not the domain of %s (%s, "
                               "%s): connect to a DC of '%s' with -H or "
                               "--domain",
                               domain, adkcd_conn_uri(conn), nb ? nb : "?",
                               adkcd_conn_domain_dns(conn), domain);
    free(nb);
    free(dns);
    ldap_msgfree(res);
    return st;
}

/* A plain NAME or NAME$: one search for both NAME$ and NAME, then choose
 * the computer first, as setspn does. */
static adkcd_status
by_sam(LDAP *ld, const char *base, const char *name,
       enum adkcd_account_kind kind, struct adkcd_account *a,
       struct adkcd_err *err)
{
    size_t len = strlen(name);
    int dollar = len > 1 && name[len - 1] == '$';
    char *esc = NULL, *filter = NULL, *bare = NULL, *comp = NULL;
    char how[1200], what[1200];
    LDAPMessage *res = NULL, *e, *pick_c = NULL, *pick_u = NULL;
    int n_c = 0, n_u = 0;
    adkcd_status st;

    bare = strndup(name, dollar ? len - 1 : len);
    comp = malloc(len + 2);
    if (bare == NULL || comp == NULL) {
        st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        goto cleanup;
    }
    snprintf(comp, len + 2, "%s$", bare);
    esc = adkcd_ldapx_filter_escape(bare);
    filter = esc != NULL ? malloc(2 * strlen(esc) + 128) : NULL;
    if (filter == NULL) {
        st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        goto cleanup;
    }
    if (dollar || kind == ADKCD_ACCOUNT_COMPUTER)
        sprintf(filter, "(&%s(sAMAccountName=%s$))", ACCOUNT_FILTER, esc);
    else if (kind == ADKCD_ACCOUNT_USER)
        sprintf(filter, "(&%s(sAMAccountName=%s))", ACCOUNT_FILTER, esc);
    else
        sprintf(filter, "(&%s(|(sAMAccountName=%s$)(sAMAccountName=%s)))",
                ACCOUNT_FILTER, esc, esc);
    st = search(ld, base, LDAP_SCOPE_SUBTREE, filter, &res, err);
    if (st != ADKCD_OK)
        goto cleanup;
    for (e = res ? ldap_first_entry(ld, res) : NULL; e != NULL;
         e = ldap_next_entry(ld, e)) {
        char *sam = adkcd_ldapx_value(ld, e, "sAMAccountName");

        if (sam != NULL && strcasecmp(sam, comp) == 0) {
            n_c++;
            pick_c = e;
        } else if (sam != NULL && strcasecmp(sam, bare) == 0) {
            n_u++;
            pick_u = e;
        }
        free(sam);
    }
    if (kind == ADKCD_ACCOUNT_USER && !dollar) {
        pick_c = NULL;
        n_c = 0;
    }
    if (dollar || kind == ADKCD_ACCOUNT_COMPUTER) {
        pick_u = NULL;
        n_u = 0;
    }
    if (n_c > 1 || (n_c == 0 && n_u > 1)) {
        st = ambiguous(ld, res, name, err);
        goto cleanup;
    }
    if (pick_c != NULL) {
        snprintf(how, sizeof(how), "computer %s", comp);
        e = pick_c;
    } else if (pick_u != NULL) {
        if (kind == ADKCD_ACCOUNT_ANY)
            snprintf(how, sizeof(how), "user %s, as no computer %s exists",
                     bare, comp);
        else
            snprintf(how, sizeof(how), "user %s", bare);
        e = pick_u;
    } else {
        if (dollar || kind == ADKCD_ACCOUNT_COMPUTER)
            snprintf(what, sizeof(what), "no computer account '%s' in %s", comp,
                     base);
        else if (kind == ADKCD_ACCOUNT_USER)
            snprintf(what, sizeof(what), "no user account '%s' in %s", bare,
                     base);
        else
            snprintf(what, sizeof(what), "no computer '%s' or user '%s' in %s",
                     comp, bare, base);
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND, "%s", what);
        goto cleanup;
    }
    st = fill(ld, e, a, err);
    if (st == ADKCD_OK) {
        a->how = strdup(how);
        if (a->how == NULL)
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
cleanup:
    ldap_msgfree(res);
    free(esc);
    free(filter);
    free(bare);
    free(comp);
    return st;
}

static int
looks_like_dn(const char *name)
{
    LDAPDN dn = NULL;
    int ok;

    if (strchr(name, '=') == NULL)
        return 0;
    ok = ldap_str2dn(name, &dn, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
         dn != NULL;
    ldap_dnfree(dn);
    return ok;
}

adkcd_status
adkcd_account_resolve(struct adkcd_conn *conn, const char *name,
                      enum adkcd_account_kind kind,
                      struct adkcd_account **acct_out, struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    const char *base = adkcd_conn_default_nc(conn);
    struct adkcd_account *a = NULL;
    const char *bs;
    char what[1200];
    adkcd_status st;

    *acct_out = NULL;
    st = adkcd_account_check_name(name, name ? strlen(name) : 0, err);
    if (st != ADKCD_OK)
        return st;
    a = calloc(1, sizeof(*a));
    if (a == NULL || (a->input = strdup(name)) == NULL) {
        free(a);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    bs = strchr(name, '\\');
    if (name[0] == '<') {
        st = by_extended_dn(ld, name, a, err);
    } else if (bs != NULL) {
        char *domain = strndup(name, (size_t)(bs - name));

        if (domain == NULL)
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        else if (domain[0] == '\0' || bs[1] == '\0')
            st = adkcd_err_set(err, ADKCD_E_USAGE,
                               "malformed '%s': expected DOMAIN\\NAME", name);
        else
            st = check_domain(conn, domain, err);
        free(domain);
        if (st == ADKCD_OK)
            st = by_sam(ld, base, bs + 1, kind, a, err);
    } else if (looks_like_dn(name)) {
        snprintf(what, sizeof(what), "at DN '%s'", name);
        st = one(ld, name, LDAP_SCOPE_BASE, ACCOUNT_FILTER, what, name, a, err);
    } else if (strchr(name, '@') != NULL) {
        char *esc = adkcd_ldapx_filter_escape(name);
        char *filter = esc ? malloc(strlen(esc) + 64) : NULL;

        if (filter == NULL) {
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        } else {
            sprintf(filter, "(&%s(userPrincipalName=%s))", ACCOUNT_FILTER, esc);
            snprintf(what, sizeof(what), "with UPN '%s' in %s", name, base);
            st = one(ld, base, LDAP_SCOPE_SUBTREE, filter, what, "UPN", a, err);
        }
        free(esc);
        free(filter);
    } else {
        st = by_sam(ld, base, name, kind, a, err);
    }
    /* -C / -U also hold for DNs, UPNs and SIDs. */
    if (st == ADKCD_OK && kind == ADKCD_ACCOUNT_COMPUTER && !a->is_computer)
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND,
                           "%s is a user account, not a computer account",
                           a->dn);
    if (st == ADKCD_OK && kind == ADKCD_ACCOUNT_USER && a->is_computer)
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND,
                           "%s is a computer account, not a user account",
                           a->dn);
    if (st == ADKCD_OK && (name[0] == '<' || looks_like_dn(name) ||
                           (bs == NULL && strchr(name, '@') != NULL))) {
        /* Say what the object turned out to be. */
        char how[1200];

        snprintf(how, sizeof(how), "%s %s", adkcd_account_class(a), a->sam);
        free(a->how);
        a->how = strdup(how);
        if (a->how == NULL)
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    if (st != ADKCD_OK) {
        adkcd_account_free(a);
        return st;
    }
    *acct_out = a;
    return ADKCD_OK;
}

adkcd_status
adkcd_account_reload(struct adkcd_conn *conn, struct adkcd_account *a,
                     struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    LDAPMessage *res = NULL, *e = NULL;
    adkcd_status st;

    st = adkcd_ldapx_read(ld, a->dn, ACCOUNT_FILTER, account_attrs, &res, &e,
                          err);
    if (st == ADKCD_OK && e == NULL)
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND, "%s no longer exists", a->dn);
    if (st == ADKCD_OK)
        st = fill(ld, e, a, err);
    ldap_msgfree(res);
    return st;
}
