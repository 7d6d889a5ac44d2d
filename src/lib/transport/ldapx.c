/* adkcd internal: helpers over libldap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/strv.h"
#include "ldapx.h"

static adkcd_status
category(int rc)
{
    switch (rc) {
    case LDAP_CONSTRAINT_VIOLATION: /* 19: e.g. duplicate SPN */
    case LDAP_NO_SUCH_ATTRIBUTE:    /* 16: compare-and-swap lost */
    case LDAP_TYPE_OR_VALUE_EXISTS: /* 20 */
    case LDAP_ALREADY_EXISTS:       /* 68 */
        return ADKCD_E_CONFLICT;
    case LDAP_INSUFFICIENT_ACCESS:  /* 50 */
    case LDAP_UNWILLING_TO_PERFORM: /* 53 */
    case LDAP_STRONG_AUTH_REQUIRED: /* 8 */
    case LDAP_CONFIDENTIALITY_REQUIRED:
        return ADKCD_E_ACCESS;
    case LDAP_NO_SUCH_OBJECT: /* 32 */
        return ADKCD_E_NOTFOUND;
    case LDAP_INVALID_DN_SYNTAX: /* 34: a name taken for a DN is none */
        return ADKCD_E_USAGE;
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
    case LDAP_TIMEOUT:
    case LDAP_UNAVAILABLE:
    case LDAP_BUSY:
        return ADKCD_E_CONNECT;
    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INAPPROPRIATE_AUTH:
        return ADKCD_E_AUTH;
    case LDAP_NO_MEMORY:
        return ADKCD_E_NOMEM;
    default:
        return ADKCD_E_DIRECTORY;
    }
}

/* "what: Constraint violation (LDAP 19): 0000202F: ..." from one result. */
static adkcd_status
format_error(struct adkcd_err *err, int rc, const char *diag, const char *what)
{
    adkcd_status st = category(rc);
    size_t n = diag != NULL ? strlen(diag) : 0;

    /* Samba ends some diagnostics with a newline. */
    while (n > 0 &&
           (diag[n - 1] == '\n' || diag[n - 1] == '\r' || diag[n - 1] == ' '))
        n--;
    if (n > 0)
        adkcd_err_set(err, st, "%s: %s (LDAP %d): %.*s", what,
                      ldap_err2string(rc), rc, (int)n, diag);
    else
        adkcd_err_set(err, st, "%s: %s (LDAP %d)", what, ldap_err2string(rc),
                      rc);
    if (err != NULL)
        err->ldap_rc = rc;
    return st;
}

adkcd_status
adkcd_ldapx_error(struct adkcd_err *err, LDAP *ld, int rc, const char *fmt, ...)
{
    char what[512];
    char *diag = NULL;
    adkcd_status st;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (rc == LDAP_TIMEOUT || rc == LDAP_SERVER_DOWN) {
        /* Lost in the middle: say so, with the wait, rather than the bare
         * "Timed out (LDAP -5)".  Every caller of this function reads
         * (searches, base reads, "Who am I?"): the engine's writes report
         * their own outcomes, so nothing was written by this request. */
        struct timeval *tv = NULL;
        int secs = 0;

        if (ld != NULL &&
            ldap_get_option(ld, LDAP_OPT_TIMEOUT, (void *)&tv) ==
                LDAP_OPT_SUCCESS &&
            tv != NULL)
            secs = (int)tv->tv_sec;
        ldap_memfree(tv);
        if (rc == LDAP_TIMEOUT)
            adkcd_err_set(err, ADKCD_E_CONNECT,
                          "%s: no answer from the server within %d s (%s, "
                          "LDAP %d): the DC is hung or overloaded; nothing "
                          "was written",
                          what, secs, ldap_err2string(rc), rc);
        else
            adkcd_err_set(err, ADKCD_E_CONNECT,
                          "%s: the connection to the server was lost (%s, "
                          "LDAP %d); nothing was written",
                          what, ldap_err2string(rc), rc);
        if (err != NULL)
            err->ldap_rc = rc;
        return ADKCD_E_CONNECT;
    }
    if (ld != NULL)
        ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, (void *)&diag);
    st = format_error(err, rc, diag, what);
    ldap_memfree(diag);
    return st;
}

adkcd_status
adkcd_ldapx_error_rc(struct adkcd_err *err, int rc, const char *diag,
                     const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return format_error(err, rc, diag, what);
}

char *
adkcd_ldapx_filter_escape(const char *value)
{
    struct berval in, out = {0, NULL};
    char *copy;

    /* libldap hands back no buffer at all for an empty value. */
    if (value[0] == '\0')
        return strdup("");
    in.bv_val = (char *)value;
    in.bv_len = strlen(value);
    if (ldap_bv2escaped_filter_value(&in, &out) != 0)
        return NULL;
    /* Hand back memory that free() may release. */
    copy = strndup(out.bv_val, out.bv_len);
    ber_memfree(out.bv_val);
    return copy;
}

char *
adkcd_ldapx_value(LDAP *ld, LDAPMessage *entry, const char *attr)
{
    struct berval **vals = ldap_get_values_len(ld, entry, attr);
    char *s = NULL;

    if (vals != NULL && vals[0] != NULL)
        s = strndup(vals[0]->bv_val, vals[0]->bv_len);
    ldap_value_free_len(vals);
    return s;
}

static adkcd_status
append_bervals(struct berval **vals, struct adkcd_vals *v,
               struct adkcd_err *err)
{
    size_t i;

    for (i = 0; vals != NULL && vals[i] != NULL; i++) {
        if (adkcd_vals_add(v, vals[i]->bv_val, vals[i]->bv_len) != 0)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    return ADKCD_OK;
}

/*
 * When an attribute has more values than the DC's MaxValRange (1500 on
 * Windows), AD returns "attr;range=0-1499" instead of "attr" and the client
 * asks for the next range (MS-ADTS 3.1.1.3.1.3.3).  Find such a description
 * in entry (the first one; *desc_out NULL when there is none); return
 * the upper bound, or -1 when the last range ("-*") is in or none is.
 */
static long
range_desc(LDAP *ld, LDAPMessage *entry, const char *attr, char **desc_out)
{
    BerElement *ber = NULL;
    size_t alen = strlen(attr);
    char *a;
    long hi = -1;
    int found = 0;

    *desc_out = NULL;
    for (a = ldap_first_attribute(ld, entry, &ber); a != NULL;
         a = ldap_next_attribute(ld, entry, ber)) {
        /* The first description only: a flag of its own, as any bound
         * (even a malformed "range=0--2") may come from the server. */
        if (!found && strncasecmp(a, attr, alen) == 0 &&
            strncasecmp(a + alen, ";range=", 7) == 0) {
            const char *dash = strchr(a + alen + 7, '-');

            found = 1;
            *desc_out = strdup(a);
            hi = (dash != NULL && dash[1] != '*') ? strtol(dash + 1, NULL, 10)
                                                  : -1;
        }
        ldap_memfree(a);
    }
    ber_free(ber, 0);
    return hi;
}

adkcd_status
adkcd_ldapx_vals(LDAP *ld, LDAPMessage *entry, const char *attr,
                 struct adkcd_vals *values_out, int *present_out,
                 struct adkcd_err *err)
{
    struct berval **vals;
    struct adkcd_vals v = {0, NULL};
    char *desc = NULL, *dn = NULL;
    long hi;
    adkcd_status st = ADKCD_OK;

    values_out->n = 0;
    values_out->v = NULL;
    if (present_out != NULL)
        *present_out = 0;
    vals = ldap_get_values_len(ld, entry, attr);
    if (vals != NULL) {
        st = append_bervals(vals, &v, err);
        ldap_value_free_len(vals);
        if (st == ADKCD_OK) {
            *values_out = v;
            if (present_out != NULL)
                *present_out = 1;
        } else {
            adkcd_vals_clear(&v);
        }
        return st;
    }
    hi = range_desc(ld, entry, attr, &desc);
    if (desc == NULL)
        return ADKCD_OK; /* absent */
    dn = ldap_get_dn(ld, entry);
    vals = ldap_get_values_len(ld, entry, desc);
    st = append_bervals(vals, &v, err);
    ldap_value_free_len(vals);
    while (st == ADKCD_OK && hi >= 0) {
        char req[256];
        char *attrs[2] = {req, NULL};
        LDAPMessage *res = NULL, *e = NULL;

        snprintf(req, sizeof(req), "%s;range=%ld-*", attr, hi + 1);
        st = adkcd_ldapx_read(ld, dn, "(objectClass=*)", attrs, &res, &e, err);
        if (st == ADKCD_OK && e == NULL)
            st = adkcd_err_set(err, ADKCD_E_DIRECTORY,
                               "%s vanished while reading %s", dn, attr);
        free(desc);
        desc = NULL;
        if (st == ADKCD_OK) {
            long prev = hi;

            hi = range_desc(ld, e, attr, &desc);
            /* Each range must move on, or a broken server loops us. */
            if (hi >= 0 && hi <= prev)
                st = adkcd_err_set(err, ADKCD_E_DIRECTORY,
                                   "%s: the server returned the range of %s "
                                   "ending at %ld again",
                                   dn, attr, hi);
            vals = desc != NULL && st == ADKCD_OK
                       ? ldap_get_values_len(ld, e, desc)
                       : NULL;
            if (st == ADKCD_OK)
                st = append_bervals(vals, &v, err);
            ldap_value_free_len(vals);
            if (desc == NULL)
                hi = -1;
        }
        ldap_msgfree(res);
    }
    free(desc);
    ldap_memfree(dn);
    if (st != ADKCD_OK) {
        adkcd_vals_clear(&v);
        return st;
    }
    *values_out = v;
    if (present_out != NULL)
        *present_out = 1;
    return ADKCD_OK;
}

adkcd_status
adkcd_ldapx_values(LDAP *ld, LDAPMessage *entry, const char *attr,
                   char ***values_out, int *present_out, struct adkcd_err *err)
{
    struct adkcd_vals v = {0, NULL};
    int present = 0;
    adkcd_status st;

    *values_out = NULL;
    if (present_out != NULL)
        *present_out = 0;
    st = adkcd_ldapx_vals(ld, entry, attr, &v, &present, err);
    if (st != ADKCD_OK)
        return st;
    if (present) {
        /* A text attribute: a NUL byte inside a value is not text, and a
         * C string would silently cut it there. */
        *values_out = adkcd_vals_to_strv(&v);
        if (*values_out == NULL)
            st = adkcd_err_set(err, ADKCD_E_INVALID,
                               "a value of %s holds a NUL byte, or out of "
                               "memory",
                               attr);
        if (*values_out != NULL && (*values_out)[0] == NULL) {
            free(*values_out);
            *values_out = NULL;
        }
    }
    if (st == ADKCD_OK && present_out != NULL)
        *present_out = present;
    adkcd_vals_clear(&v);
    return st;
}

adkcd_status
adkcd_ldapx_read(LDAP *ld, const char *dn, const char *filter, char **attrs,
                 LDAPMessage **res_out, LDAPMessage **entry_out,
                 struct adkcd_err *err)
{
    LDAPMessage *res = NULL;
    int rc;

    *res_out = NULL;
    *entry_out = NULL;
    rc = ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, filter, attrs, 0, NULL,
                           NULL, NULL, 0, &res);
    if (rc == LDAP_NO_SUCH_OBJECT) {
        ldap_msgfree(res);
        return ADKCD_OK;
    }
    if (rc != LDAP_SUCCESS) {
        ldap_msgfree(res);
        return adkcd_ldapx_error(err, ld, rc, "reading %s",
                                 dn[0] != '\0' ? dn : "the rootDSE");
    }
    *res_out = res;
    *entry_out = ldap_first_entry(ld, res);
    return ADKCD_OK;
}

adkcd_status
adkcd_ldapx_search_paged(LDAP *ld, const char *base, int scope,
                         const char *filter, char **attrs, int page_size,
                         adkcd_ldapx_entry_func fn, void *ctx,
                         struct adkcd_err *err)
{
    struct berval cookie = {0, NULL};
    adkcd_status st = ADKCD_OK;
    int rc, more = 1;

    if (page_size <= 0)
        page_size = 500;
    while (more && st == ADKCD_OK) {
        LDAPControl *page = NULL, **rctrls = NULL;
        LDAPControl *sctrls[2] = {NULL, NULL};
        LDAPMessage *res = NULL, *e;
        ber_int_t count = 0;
        int err_rc = LDAP_SUCCESS;

        rc = ldap_create_page_control(ld, page_size,
                                      cookie.bv_val ? &cookie : NULL, 1, &page);
        if (rc != LDAP_SUCCESS) {
            st = adkcd_ldapx_error(err, ld, rc, "creating a paged search");
            break;
        }
        sctrls[0] = page;
        rc = ldap_search_ext_s(ld, base, scope, filter, attrs, 0, sctrls, NULL,
                               NULL, 0, &res);
        ldap_control_free(page);
        /* The cookie has been sent; the response carries the next one. */
        if (cookie.bv_val != NULL) {
            ber_memfree(cookie.bv_val);
            cookie.bv_val = NULL;
            cookie.bv_len = 0;
        }
        if (rc != LDAP_SUCCESS && rc != LDAP_PARTIAL_RESULTS &&
            rc != LDAP_REFERRAL) {
            ldap_msgfree(res);
            st = adkcd_ldapx_error(err, ld, rc, "searching %s for %s",
                                   base[0] ? base : "the forest", filter);
            break;
        }
        for (e = ldap_first_entry(ld, res); e != NULL && st == ADKCD_OK;
             e = ldap_next_entry(ld, e))
            st = fn(ctx, ld, e, err);
        more = 0;
        if (st == ADKCD_OK &&
            ldap_parse_result(ld, res, &err_rc, NULL, NULL, NULL, &rctrls, 0) ==
                LDAP_SUCCESS &&
            rctrls != NULL) {
            LDAPControl *c =
                ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);

            if (c != NULL &&
                ldap_parse_pageresponse_control(ld, c, &count, &cookie) ==
                    LDAP_SUCCESS &&
                cookie.bv_val != NULL && cookie.bv_len > 0)
                more = 1;
        }
        ldap_controls_free(rctrls);
        ldap_msgfree(res);
    }
    if (cookie.bv_val != NULL)
        ber_memfree(cookie.bv_val);
    return st;
}
