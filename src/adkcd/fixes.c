/*
 * adkcd front end: the words of the fixes of check and verify, with the
 * commands that carry them out.  The library says which fix it is (enum
 * adkcd_fix_id) and with what data; only the front end names tools and
 * options (adkcd, adspn, samba-tool).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd.h"
#include "adkcd/kcdcheck.h"

/* s, or "?" for a datum the library could not give. */
static const char *
or_unknown(const char *s)
{
    return s != NULL ? s : "?";
}

/*
 * A word for a shell command line: as it is when it holds only characters
 * no shell treats specially, else in single quotes ("'tmg$'").
 */
static void
put_word(FILE *f, const char *s)
{
    static const char plain[] = "_./:@%+=,-";
    const char *p;
    int quote;

    s = or_unknown(s);
    quote = *s == '\0';
    for (p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr(plain, c) != NULL))
            quote = 1;
    }
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (p = s; *p != '\0'; p++) {
        if (*p == '\'')
            fputs("'\\''", f);
        else
            fputc(*p, f);
    }
    fputc('\'', f);
}

/* "--services a,b" (one shell word). */
static void
put_services(FILE *f, char *const *v)
{
    char *list = NULL;
    size_t len = 0, i;
    FILE *m = open_memstream(&list, &len);

    if (m == NULL) {
        fputs("--services ?", f);
        return;
    }
    for (i = 0; v != NULL && v[i] != NULL; i++)
        fprintf(m, "%s%s", i == 0 ? "" : ",", v[i]);
    fclose(m);
    fputs("--services ", f);
    put_word(f, list);
    free(list);
}

/* "adkcd add ACCOUNT SERVICE[ --any-protocol]" */
static void
put_add(FILE *f, const struct adkcd_fix *x)
{
    fputs("adkcd add ", f);
    put_word(f, x->account);
    fputc(' ', f);
    put_word(f, x->service);
    if (x->any_protocol)
        fputs(" --any-protocol", f);
}

/* "adkcd set ACCOUNT --mode constrained --services LIST" */
static void
put_set_constrained(FILE *f, const struct adkcd_fix *x)
{
    fputs("adkcd set ", f);
    put_word(f, x->account);
    fputs(" --mode constrained ", f);
    put_services(f, x->services);
}

static void
put_fix(FILE *f, const struct adkcd_fix *x)
{
    const char *sam = or_unknown(x->sam);

    switch (x->id) {
    case ADKCD_FIX_NONE:
        break;
    case ADKCD_FIX_ENABLE_ACCOUNT:
        fprintf(f, "enable %s: samba-tool user enable ", sam);
        put_word(f, x->sam);
        fputs(", or Enable-ADAccount on Windows", f);
        break;
    case ADKCD_FIX_CLEAR_SENSITIVE:
        fprintf(f,
                "clear \"Account is sensitive and cannot be delegated\" on %s "
                "(userAccountControl 0x100000): a delegating service must "
                "not be marked sensitive",
                sam);
        break;
    case ADKCD_FIX_ADD_OWN_SPN:
        fputs("register an SPN of its own on it: adspn -S CLASS/HOST ", f);
        put_word(f, x->account);
        break;
    case ADKCD_FIX_CONSTRAINED_ONLY:
        fputs("keep constrained delegation only: ", f);
        put_set_constrained(f, x);
        break;
    case ADKCD_FIX_MODE_NONE:
        fputs("adkcd set ", f);
        put_word(f, x->account);
        fputs(" --mode none", f);
        break;
    case ADKCD_FIX_SET_CONSTRAINED:
        put_set_constrained(f, x);
        if (x->any_protocol)
            fputs(" --any-protocol", f);
        break;
    case ADKCD_FIX_ADD_SERVICE:
        put_add(f, x);
        break;
    case ADKCD_FIX_ANY_PROTOCOL:
        if (x->if_impersonating)
            fputs("if it impersonates users: ", f);
        fputs("adkcd add ", f);
        put_word(f, x->account);
        fputc(' ', f);
        put_word(f, x->service);
        fputs(" --any-protocol", f);
        break;
    case ADKCD_FIX_REPLACE_VALUE:
        put_set_constrained(f, x);
        if (x->value != NULL)
            fprintf(f,
                    " (or, if the typo is in the service asked for, ask for "
                    "%s)",
                    x->value);
        break;
    case ADKCD_FIX_ASK_FOR:
        fprintf(f,
                "ask for %s: %s is held by no account, so the typo is in the "
                "service asked for, not in the list",
                or_unknown(x->value), or_unknown(x->service));
        break;
    case ADKCD_FIX_REGISTER_SPN:
        fputs("check the spelling, or register the SPN on the service's "
              "account: adspn -S ",
              f);
        put_word(f, x->service);
        fputs(" ACCOUNT", f);
        break;
    case ADKCD_FIX_REMOVE_DUPLICATE:
        fputs("keep it on the one account that runs the service: 'adspn -X' "
              "lists duplicates, 'adspn -D ",
              f);
        put_word(f, x->value);
        fputs(" ACCOUNT' removes it from the others", f);
        break;
    case ADKCD_FIX_AVOID_DC_SERVICE:
        fputs("delegate to a service on a member server; if it must stay, "
              "mark privileged accounts \"sensitive and cannot be "
              "delegated\" or add them to Protected Users",
              f);
        break;
    case ADKCD_FIX_NAME_USER:
        fputs("give the user's sAMAccountName or UPN to --impersonate", f);
        break;
    case ADKCD_FIX_ENABLE_USER:
        fprintf(f, "enable %s (samba-tool user enable ", sam);
        put_word(f, x->sam);
        fputs(", or Enable-ADAccount), or impersonate an enabled user", f);
        break;
    case ADKCD_FIX_CLEAR_USER_SENSITIVE:
        fprintf(f,
                "clear \"Account is sensitive and cannot be delegated\" on %s "
                "(userAccountControl 0x100000) if it may be delegated; "
                "privileged accounts should keep it",
                sam);
        break;
    case ADKCD_FIX_LEAVE_PROTECTED_USERS:
        fprintf(f,
                "take %s out of Protected Users if it may be delegated "
                "(privileged accounts should stay in it)",
                sam);
        break;
    case ADKCD_FIX_PROTOCOL_TRANSITION_ONLY:
        /* adkcd sets the flag only with services to delegate to. */
        fprintf(f,
                "for Samba's KDC, allow protocol transition on %s without "
                "adding services (TRUSTED_TO_AUTH_FOR_DELEGATION "
                "0x1000000): samba-tool delegation for-any-protocol ",
                sam);
        put_word(f, x->sam);
        fputs(" on (or, from Windows, Set-ADAccountControl ", f);
        put_word(f, x->sam);
        fputs(" -TrustedToAuthForDelegation $true)", f);
        break;
    }
}

char *
front_fix_text(const struct adkcd_fix *fix)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m;

    if (fix == NULL || fix->id == ADKCD_FIX_NONE)
        return NULL;
    m = open_memstream(&text, &len);
    if (m == NULL)
        return NULL;
    put_fix(m, fix);
    if (fclose(m) != 0 || len == 0) {
        free(text);
        return NULL;
    }
    return text;
}

void
front_print_fix(const struct adkcd_fix *fix)
{
    char *text = front_fix_text(fix);

    if (text == NULL)
        return;
    cli_printf(stdout, "        fix: ");
    cli_put_safe(stdout, text);
    cli_printf(stdout, "\n");
    free(text);
}

void
front_json_fix(json_t *finding, const struct adkcd_fix *fix)
{
    char *text = front_fix_text(fix);
    const char *id = fix != NULL ? adkcd_fix_name(fix->id) : NULL;

    json_object_set_new(finding, "fix", cli_json_text(text));
    json_object_set_new(finding, "fix_id",
                        id != NULL ? cli_json_text(id) : json_null());
    free(text);
}
