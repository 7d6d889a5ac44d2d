/* adkcd: status categories and error details. */
#include <stdio.h>
#include <string.h>

#include "adkcd/status.h"

/* The function itself, not status.h's model of it for the analyzer. */
#undef adkcd_err_set

const char *
adkcd_status_str(adkcd_status status)
{
    switch (status) {
    case ADKCD_OK:
        return "ok";
    case ADKCD_E_USAGE:
        return "usage";
    case ADKCD_E_NOMEM:
        return "no-memory";
    case ADKCD_E_CONNECT:
        return "unreachable";
    case ADKCD_E_AUTH:
        return "authentication";
    case ADKCD_E_ACCESS:
        return "refused";
    case ADKCD_E_NOTFOUND:
        return "not-found";
    case ADKCD_E_CONFLICT:
        return "conflict";
    case ADKCD_E_INVALID:
        return "invalid";
    case ADKCD_E_DIRECTORY:
        return "directory";
    case ADKCD_E_IO:
        return "io";
    case ADKCD_E_PARTIAL:
        return "partial";
    }
    return "unknown";
}

const char *
adkcd_hint_name(unsigned hint)
{
    switch (hint) {
    case ADKCD_HINT_GC:
        return "global-catalog";
    case ADKCD_HINT_FORCE:
        return "force";
    case ADKCD_HINT_FORCE_DRIFT:
        return "force-drift";
    case ADKCD_HINT_CREDENTIALS:
        return "credentials";
    case ADKCD_HINT_PRINCIPAL:
        return "principal";
    case ADKCD_HINT_IMPERSONATE:
        return "impersonate";
    case ADKCD_HINT_REGISTER_SPN:
        return "register-spn";
    case ADKCD_HINT_SERVER:
        return "server";
    }
    return NULL;
}

void
adkcd_err_clear(struct adkcd_err *err)
{
    if (err == NULL)
        return;
    err->status = ADKCD_OK;
    err->ldap_rc = 0;
    err->krb5_rc = 0;
    err->hints = 0;
    err->msg[0] = '\0';
}

/*
 * A message cut to fit its buffer must not end inside a UTF-8 sequence
 * (names and server diagnostics may be non-ASCII): drop the incomplete
 * sequence at the end, if any.
 */
static void
trim_utf8(char *s, int written, size_t size)
{
    size_t n, back = 0;
    unsigned char lead;
    size_t want;

    if (written < 0 || (size_t)written < size)
        return;
    n = strlen(s);
    while (back < n && back < 4 &&
           ((unsigned char)s[n - 1 - back] & 0xC0) == 0x80)
        back++;
    if (back == n)
        return;
    lead = (unsigned char)s[n - 1 - back];
    want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (want > back + 1)
        s[n - 1 - back] = '\0';
}

adkcd_status
adkcd_err_setv(struct adkcd_err *err, adkcd_status status, const char *fmt,
               va_list ap)
{
    if (err == NULL)
        return status;
    err->status = status;
    /* A new error: codes of an earlier one must not linger. */
    err->ldap_rc = 0;
    err->krb5_rc = 0;
    err->hints = 0;
    trim_utf8(err->msg, vsnprintf(err->msg, sizeof(err->msg), fmt, ap),
              sizeof(err->msg));
    return status;
}

adkcd_status
adkcd_err_set(struct adkcd_err *err, adkcd_status status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    adkcd_err_setv(err, status, fmt, ap);
    va_end(ap);
    return status;
}

void
adkcd_err_prefix(struct adkcd_err *err, const char *fmt, ...)
{
    char prefix[ADKCD_ERR_MSG_SIZE];
    char old[ADKCD_ERR_MSG_SIZE];
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    trim_utf8(err->msg,
              snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old),
              sizeof(err->msg));
}

void
adkcd_err_hint(struct adkcd_err *err, unsigned hints)
{
    if (err != NULL)
        err->hints |= hints;
}
