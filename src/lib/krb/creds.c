/* adkcd: Kerberos credentials, the one place a TGT is had. */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <ldap.h>

#include "adkcd/creds.h"
#include "adkcd/strv.h"
#include "krbx.h"

/* What to do, said the same way wherever Kerberos is explained. */
#define SKEW_FIX                                                               \
    "clock skew too great between this host and the KDC: synchronise the "     \
    "time (chrony/ntpd)"
#define KDC_FIX "check 'kdc =' in krb5.conf or the _kerberos SRV records"

static int
run_bounded(void (*run)(void *), void (*free_job)(void *), void *job,
            int timeout_s);

struct adkcd_creds {
    krb5_context ctx;
    krb5_ccache mem_cc; /* a MEMORY ccache made here, or NULL */
    char *ccname;       /* the ccache holding the TGT, or NULL: the
                         * default ccache, used in place */
    char *src_ccname;   /* the ccache the TGT was taken from, or NULL */
    char *principal;
    char *name; /* first component */
    char *realm;
    struct adkcd_ticket tkt;
    int matches; /* see adkcd_creds_matches_account() */
};

/* ---- tickets ------------------------------------------------------- */

static const struct {
    unsigned bit;
    const char *word;
} ticket_flags[] = {
    {ADKCD_TKT_FORWARDABLE, "forwardable"},
    {ADKCD_TKT_FORWARDED, "forwarded"},
    {ADKCD_TKT_PROXIABLE, "proxiable"},
    {ADKCD_TKT_RENEWABLE, "renewable"},
    {ADKCD_TKT_INITIAL, "initial"},
    {ADKCD_TKT_PRE_AUTHENT, "pre-authent"},
    {ADKCD_TKT_OK_AS_DELEGATE, "ok-as-delegate"},
    {ADKCD_TKT_ENC_PA_REP, "enc-pa-rep"},
    {0, NULL},
};

void
adkcd_ticket_flags_text(unsigned flags, char *buf, size_t size)
{
    size_t i, used = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    for (i = 0; ticket_flags[i].word != NULL; i++) {
        int n;

        if (!(flags & ticket_flags[i].bit))
            continue;
        n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                     ticket_flags[i].word);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, size, "none");
}

void
adkcd_krbx_ticket_clear(struct adkcd_ticket *t)
{
    free(t->client);
    free(t->server);
    free(t->enctype);
    memset(t, 0, sizeof(*t));
}

adkcd_status
adkcd_krbx_ticket(krb5_context ctx, const krb5_creds *c, struct adkcd_ticket *t,
                  struct adkcd_err *err)
{
    char *cl = NULL, *sv = NULL;
    char et[64];
    krb5_ticket *tkt = NULL;
    krb5_enctype enctype = c->keyblock.enctype;

    memset(t, 0, sizeof(*t));
    /* The ticket's own enctype (the service key's), not the session key's. */
    if (krb5_decode_ticket(&c->ticket, &tkt) == 0) {
        enctype = tkt->enc_part.enctype;
        krb5_free_ticket(ctx, tkt);
    }
    if (krb5_enctype_to_name(enctype, FALSE, et, sizeof(et)) != 0)
        snprintf(et, sizeof(et), "enctype %d", (int)enctype);
    if (krb5_unparse_name(ctx, c->client, &cl) != 0 ||
        krb5_unparse_name(ctx, c->server, &sv) != 0) {
        krb5_free_unparsed_name(ctx, cl);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    t->client = strdup(cl);
    t->server = strdup(sv);
    t->enctype = strdup(et);
    krb5_free_unparsed_name(ctx, cl);
    krb5_free_unparsed_name(ctx, sv);
    t->flags = c->ticket_flags;
    t->start =
        (long)(c->times.starttime ? c->times.starttime : c->times.authtime);
    t->end = (long)c->times.endtime;
    if (t->client == NULL || t->server == NULL || t->enctype == NULL) {
        adkcd_krbx_ticket_clear(t);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    return ADKCD_OK;
}

int
adkcd_krbx_is_tgt(const krb5_creds *c, krb5_const_principal p)
{
    const krb5_principal s = c->server;

    return s->length == 2 && s->data[0].length == 6 &&
           memcmp(s->data[0].data, "krbtgt", 6) == 0 &&
           s->data[1].length == p->realm.length &&
           memcmp(s->data[1].data, p->realm.data, p->realm.length) == 0;
}

/* ---- errors -------------------------------------------------------- */

/* adkcd_krbx_fail() is defined at the end of this file, after the calls
 * that krbx.h's model of it (for the analyzer) serves. */

/*
 * The KDC refused an AS request for p (with a keytab's key, or a
 * password): say why in the admin's terms.  The one explanation of a
 * refused TGT, for every path that gets one.
 */
static adkcd_status
explain_as(struct adkcd_err *err, krb5_context ctx, krb5_error_code code,
           const char *p, int keytab)
{
    switch (code) {
    case KRB5KDC_ERR_PREAUTH_FAILED:
    case KRB5KRB_AP_ERR_BAD_INTEGRITY:
        return adkcd_krbx_fail(
            err, ctx, code, ADKCD_E_AUTH,
            keytab ? "the keytab's key for %s is wrong: the account's "
                     "password changed after the keytab was made, or the key "
                     "was made with another salt (make a new keytab; "
                     "ktutil's 'addent -f' asks the KDC for the salt)"
                   : "the password for %s is wrong",
            p);
    case KRB5KDC_ERR_CLIENT_REVOKED:
        return adkcd_krbx_fail(err, ctx, code, ADKCD_E_AUTH,
                               "the KDC refuses %s a ticket: the account is "
                               "disabled, locked out or expired",
                               p);
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
        adkcd_krbx_fail(err, ctx, code, ADKCD_E_AUTH,
                        "the KDC knows no principal %s: give the account's "
                        "name (computers end in $) or the principal",
                        p);
        adkcd_err_hint(err, ADKCD_HINT_PRINCIPAL);
        return ADKCD_E_AUTH;
    case KRB5KDC_ERR_KEY_EXP:
        return adkcd_krbx_fail(err, ctx, code, ADKCD_E_AUTH,
                               "the password of %s has expired", p);
    case KRB5KRB_AP_ERR_SKEW:
        return adkcd_krbx_fail(err, ctx, code, ADKCD_E_AUTH,
                               SKEW_FIX " before getting a ticket for %s", p);
    case KRB5_KDC_UNREACH:
    case KRB5_REALM_CANT_RESOLVE:
    case KRB5_REALM_UNKNOWN:
        return adkcd_krbx_fail(err, ctx, code, ADKCD_E_CONNECT,
                               "no KDC answered for %s: " KDC_FIX, p);
    default:
        return adkcd_krbx_fail(err, ctx, code, ADKCD_E_AUTH,
                               "getting a ticket for %s failed", p);
    }
}

/* ---- principals ---------------------------------------------------- */

/* v's strings joined by sep (free()), or NULL when out of memory. */
static char *
join(char *const *v, const char *sep)
{
    size_t i, n = 1;
    char *s;

    for (i = 0; v != NULL && v[i] != NULL; i++)
        n += strlen(v[i]) + strlen(sep);
    s = malloc(n);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (i = 0; v != NULL && v[i] != NULL; i++) {
        if (i > 0)
            strcat(s, sep);
        strcat(s, v[i]);
    }
    return s;
}

/*
 * The principal names ACCOUNT stands for, in the order to try: NAME$ then
 * NAME; NAME$ alone (-C); NAME alone (-U, or NAME$ typed).  DOMAIN\ is
 * dropped.  ADKCD_E_USAGE for a name from which no principal follows.
 */
static adkcd_status
candidates(const char *account, enum adkcd_account_kind kind, char ***out,
           struct adkcd_err *err)
{
    const char *name = account;
    const char *bs = strrchr(account, '\\');
    char **v = NULL;
    size_t n;
    int ends_in_dollar;

    *out = NULL;
    if (bs != NULL)
        name = bs + 1;
    n = strlen(name);
    if (n == 0 || name[0] == '<' || strchr(name, '=') != NULL ||
        strchr(name, '@') != NULL || strchr(name, '/') != NULL) {
        adkcd_err_set(err, ADKCD_E_USAGE,
                      "cannot tell the Kerberos principal of '%s': give the "
                      "principal",
                      account);
        adkcd_err_hint(err, ADKCD_HINT_PRINCIPAL);
        return ADKCD_E_USAGE;
    }
    ends_in_dollar = name[n - 1] == '$';
    if (!ends_in_dollar && kind != ADKCD_ACCOUNT_USER) {
        char *dollar = malloc(n + 2);

        if (dollar == NULL)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        memcpy(dollar, name, n);
        memcpy(dollar + n, "$", 2);
        if (adkcd_strv_add(&v, dollar) != 0) {
            free(dollar);
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        }
        free(dollar);
    }
    if ((kind != ADKCD_ACCOUNT_COMPUTER || ends_in_dollar) &&
        adkcd_strv_add(&v, name) != 0) {
        adkcd_strv_free(v);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    *out = v;
    return ADKCD_OK;
}

/* The keytab entry (principal with realm) for the first candidate that
 * the keytab has keys for. */
static adkcd_status
pick_from_keytab(krb5_context ctx, const char *keytab, char *const *cands,
                 krb5_principal *p_out, struct adkcd_err *err)
{
    krb5_keytab kt = NULL;
    krb5_kt_cursor cur;
    krb5_keytab_entry e;
    krb5_error_code code;
    char **have = NULL;
    krb5_principal *found = NULL;
    size_t nc = adkcd_strv_len(cands), i, best = (size_t)-1;
    adkcd_status st = ADKCD_OK;

    *p_out = NULL;
    found = calloc(nc + 1, sizeof(*found));
    if (found == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    code = krb5_kt_resolve(ctx, keytab, &kt);
    if (code == 0)
        code = krb5_kt_start_seq_get(ctx, kt, &cur);
    if (code != 0) {
        st = adkcd_krbx_fail(err, ctx, code, ADKCD_E_AUTH,
                             "cannot read the keytab %s", keytab);
        goto done;
    }
    while (krb5_kt_next_entry(ctx, kt, &e, &cur) == 0) {
        char *full = NULL;

        if (e.principal->length == 1) {
            const krb5_data *c0 = &e.principal->data[0];

            for (i = 0; i < nc; i++) {
                if (found[i] == NULL && strlen(cands[i]) == c0->length &&
                    strncasecmp(cands[i], c0->data, c0->length) == 0)
                    krb5_copy_principal(ctx, e.principal, &found[i]);
            }
        }
        if (krb5_unparse_name(ctx, e.principal, &full) == 0) {
            if (adkcd_strv_find_nocase(have, full) < 0 &&
                adkcd_strv_add(&have, full) != 0) {
                krb5_free_unparsed_name(ctx, full);
                krb5_free_keytab_entry_contents(ctx, &e);
                krb5_kt_end_seq_get(ctx, kt, &cur);
                st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
                goto done;
            }
            krb5_free_unparsed_name(ctx, full);
        }
        krb5_free_keytab_entry_contents(ctx, &e);
    }
    krb5_kt_end_seq_get(ctx, kt, &cur);
    for (i = 0; i < nc; i++) {
        if (found[i] != NULL) {
            best = i;
            break;
        }
    }
    if (best == (size_t)-1) {
        char *list = join(have, ", ");
        char *want = join(cands, " or ");

        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "the keytab %s holds no key for %s (it holds: "
                           "%s): give the principal",
                           keytab, want ? want : "the account",
                           list && list[0] ? list : "nothing");
        adkcd_err_hint(err, ADKCD_HINT_PRINCIPAL);
        free(list);
        free(want);
        goto done;
    }
    *p_out = found[best];
    found[best] = NULL;
done:
    for (i = 0; i < nc; i++) {
        if (found[i] != NULL)
            krb5_free_principal(ctx, found[i]);
    }
    free(found);
    adkcd_strv_free(have);
    if (kt != NULL)
        krb5_kt_close(ctx, kt);
    return st;
}

static adkcd_status
set_identity(struct adkcd_creds *c, krb5_const_principal p,
             struct adkcd_err *err)
{
    char *full = NULL;
    krb5_error_code code;

    code = krb5_unparse_name(c->ctx, p, &full);
    if (code != 0)
        return adkcd_krbx_fail(err, c->ctx, code, ADKCD_E_AUTH, "%s",
                               "reading the client principal");
    free(c->principal);
    free(c->name);
    free(c->realm);
    c->principal = strdup(full);
    krb5_free_unparsed_name(c->ctx, full);
    c->name = p->length > 0 ? strndup(p->data[0].data, p->data[0].length)
                            : strdup("");
    c->realm = strndup(p->realm.data, p->realm.length);
    if (c->principal == NULL || c->name == NULL || c->realm == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return ADKCD_OK;
}

/* A MEMORY ccache of our own holding cred (the TGT) for p. */
static adkcd_status
keep_tgt(struct adkcd_creds *c, krb5_principal p, krb5_creds *cred,
         struct adkcd_err *err)
{
    krb5_error_code code;
    const char *name;
    size_t n;

    code = krb5_cc_new_unique(c->ctx, "MEMORY", NULL, &c->mem_cc);
    if (code == 0)
        code = krb5_cc_initialize(c->ctx, c->mem_cc, p);
    if (code == 0)
        code = krb5_cc_store_cred(c->ctx, c->mem_cc, cred);
    if (code != 0)
        return adkcd_krbx_fail(err, c->ctx, code, ADKCD_E_AUTH, "%s",
                               "cannot store the ticket in a MEMORY ccache");
    name = krb5_cc_get_name(c->ctx, c->mem_cc);
    n = strlen(name) + sizeof("MEMORY:");
    free(c->ccname);
    c->ccname = malloc(n);
    if (c->ccname == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    snprintf(c->ccname, n, "MEMORY:%s", name);
    return ADKCD_OK;
}

/* ---- a TGT a ccache holds ------------------------------------------ */

/*
 * The principal of the ccache must be the one asked for: --principal, or
 * one of ACCOUNT's names, or else the exchange proves nothing about
 * ACCOUNT.  Checked here, before anything is asked of the directory
 * (which may be out of reach).
 */
static adkcd_status
check_owner(struct adkcd_creds *c, const struct adkcd_creds_opts *o,
            krb5_const_principal p, struct adkcd_err *err)
{
    char **cands = NULL;
    struct adkcd_err e2;
    size_t i;

    if (o->principal != NULL) {
        krb5_principal want = NULL;
        krb5_error_code code;
        int same;

        code = krb5_parse_name(c->ctx, o->principal, &want);
        if (code != 0)
            return adkcd_krbx_fail(err, c->ctx, code, ADKCD_E_USAGE,
                                   "invalid principal '%s'", o->principal);
        /* AD names ignore case. */
        same = krb5_principal_compare_flags(c->ctx, want, p,
                                            KRB5_PRINCIPAL_COMPARE_CASEFOLD);
        krb5_free_principal(c->ctx, want);
        if (!same) {
            adkcd_err_set(err, ADKCD_E_AUTH,
                          "the credentials cache %s holds a ticket for %s, "
                          "not %s: give the keys of %s",
                          c->src_ccname, c->principal, o->principal,
                          o->principal);
            adkcd_err_hint(err, ADKCD_HINT_CREDENTIALS);
            return ADKCD_E_AUTH;
        }
        c->matches = 1;
        return ADKCD_OK;
    }
    if (o->account == NULL) {
        c->matches = 1;
        return ADKCD_OK;
    }
    adkcd_err_clear(&e2);
    if (candidates(o->account, o->kind, &cands, &e2) != ADKCD_OK) {
        /* A DN, GUID or SID: only the directory can tell. */
        if (e2.status == ADKCD_E_NOMEM)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        return ADKCD_OK;
    }
    for (i = 0; cands[i] != NULL && !c->matches; i++)
        c->matches = strcasecmp(cands[i], c->name) == 0;
    if (!c->matches) {
        char *want = join(cands, " or ");

        adkcd_err_set(err, ADKCD_E_AUTH,
                      "the credentials cache %s holds a ticket for %s, not "
                      "for %s: give the keys of %s, or run 'kinit -f' as it",
                      c->src_ccname, c->principal, want ? want : o->account,
                      o->account);
        adkcd_err_hint(err, ADKCD_HINT_CREDENTIALS);
        free(want);
    }
    adkcd_strv_free(cands);
    return c->matches ? ADKCD_OK : ADKCD_E_AUTH;
}

/*
 * The ccache's TGT: it must be there and unexpired, so that a missing or
 * stale ticket gets "run kinit" instead of a GSSAPI or KDC error later.
 * The advice names the account when the credentials are an account's
 * (adkcd verify), the user's own kinit otherwise.
 */
static adkcd_status
use_ccache(struct adkcd_creds *c, const struct adkcd_creds_opts *o,
           struct adkcd_err *err)
{
    krb5_ccache cc = NULL;
    krb5_principal p = NULL;
    krb5_cc_cursor cur;
    krb5_creds cred, best;
    krb5_timestamp now;
    krb5_error_code code;
    char *full = NULL;
    adkcd_status st = ADKCD_OK;
    int found = 0;

    memset(&best, 0, sizeof(best));
    code = o->ccache != NULL ? krb5_cc_resolve(c->ctx, o->ccache, &cc)
                             : krb5_cc_default(c->ctx, &cc);
    if (code != 0)
        return adkcd_krbx_fail(err, c->ctx, code, ADKCD_E_AUTH,
                               "cannot open the credentials cache %s",
                               o->ccache ? o->ccache : "(the default)");
    if (krb5_cc_get_full_name(c->ctx, cc, &full) == 0)
        c->src_ccname = strdup(full);
    else
        c->src_ccname = strdup(o->ccache ? o->ccache : "the default ccache");
    if (c->src_ccname == NULL) {
        st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        goto done;
    }
    code = krb5_cc_get_principal(c->ctx, cc, &p);
    if (code != 0) {
        if (o->account != NULL)
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "no ticket for %s: give its keys, or run "
                               "'kinit -f' as it first",
                               o->account);
        else
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "no Kerberos ticket in %s: run 'kinit "
                               "USER@REALM' first, or give a principal and "
                               "its keys",
                               c->src_ccname);
        adkcd_err_hint(err, ADKCD_HINT_CREDENTIALS);
        goto done;
    }
    st = set_identity(c, p, err);
    if (st == ADKCD_OK)
        st = check_owner(c, o, p, err);
    if (st != ADKCD_OK)
        goto done;
    /* The TGT that lasts longest. */
    if (krb5_cc_start_seq_get(c->ctx, cc, &cur) == 0) {
        while (krb5_cc_next_cred(c->ctx, cc, &cur, &cred) == 0) {
            if (adkcd_krbx_is_tgt(&cred, p) &&
                (!found || cred.times.endtime > best.times.endtime)) {
                if (found)
                    krb5_free_cred_contents(c->ctx, &best);
                best = cred;
                found = 1;
                continue;
            }
            krb5_free_cred_contents(c->ctx, &cred);
        }
        krb5_cc_end_seq_get(c->ctx, cc, &cur);
    }
    krb5_timeofday(c->ctx, &now);
    if (!found) {
        if (o->account != NULL)
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "no valid ticket-granting ticket for %s in "
                               "%s: run 'kinit -f %s', or give its keys",
                               c->principal, c->src_ccname, c->principal);
        else
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "no ticket-granting ticket for %s in %s: run "
                               "'kinit %s'",
                               c->principal, c->src_ccname, c->principal);
        if (o->account != NULL)
            adkcd_err_hint(err, ADKCD_HINT_CREDENTIALS);
        goto done;
    }
    if ((long)best.times.endtime <= (long)now) {
        char when[64];
        time_t t = (time_t)best.times.endtime;
        struct tm tm;

        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
                 gmtime_r(&t, &tm));
        if (o->account != NULL)
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "the Kerberos ticket of %s in %s expired at "
                               "%s: run 'kinit -f %s' again, or give its "
                               "keys",
                               c->principal, c->src_ccname, when, c->principal);
        else
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "the Kerberos ticket of %s expired at %s: run "
                               "'kinit %s' again",
                               c->principal, when, c->principal);
        if (o->account != NULL)
            adkcd_err_hint(err, ADKCD_HINT_CREDENTIALS);
        goto done;
    }
    st = adkcd_krbx_ticket(c->ctx, &best, &c->tkt, err);
    if (st != ADKCD_OK)
        goto done;
    if (o->own_ccache) {
        /* Only the TGT goes into a MEMORY ccache of our own: what is done
         * with it must ask the KDC afresh, not be answered from tickets
         * the ccache already holds (an earlier kvno -U -P), and must not
         * add tickets to the caller's ccache. */
        st = keep_tgt(c, p, &best, err);
    } else if (o->ccache != NULL) {
        c->ccname = strdup(o->ccache);
        if (c->ccname == NULL)
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
done:
    if (found)
        krb5_free_cred_contents(c->ctx, &best);
    krb5_free_string(c->ctx, full);
    krb5_free_principal(c->ctx, p);
    if (cc != NULL)
        krb5_cc_close(c->ctx, cc);
    return st;
}

/* ---- a TGT obtained here ------------------------------------------- */

/* An AS exchange on a thread of its own (run_bounded(), below), for a
 * forwardable TGT: the same wait for a KDC that never answers as the
 * bind's service ticket. */
struct as_job {
    krb5_context ctx; /* the job's own */
    char *principal;
    char *keytab;   /* or NULL */
    char *password; /* or NULL: a copy, wiped when the job is freed */
    krb5_creds cred;
    int have_cred;
    krb5_error_code code;
    char *msg; /* krb5's text for code, from the job's context */
};

static void
as_job_free(void *arg)
{
    struct as_job *job = arg;

    if (job == NULL)
        return;
    if (job->have_cred)
        krb5_free_cred_contents(job->ctx, &job->cred);
    if (job->password != NULL) {
        explicit_bzero(job->password, strlen(job->password));
        free(job->password);
    }
    free(job->principal);
    free(job->keytab);
    free(job->msg);
    if (job->ctx != NULL)
        krb5_free_context(job->ctx);
    free(job);
}

static void
as_run(void *arg)
{
    struct as_job *job = arg;
    krb5_get_init_creds_opt *gopt = NULL;
    krb5_principal p = NULL;
    krb5_keytab kt = NULL;
    krb5_error_code code;

    code = krb5_parse_name(job->ctx, job->principal, &p);
    if (code == 0)
        code = krb5_get_init_creds_opt_alloc(job->ctx, &gopt);
    /* Whatever krb5.conf says: S4U needs a forwardable TGT, and the
     * connection's ticket is one too. */
    if (code == 0)
        krb5_get_init_creds_opt_set_forwardable(gopt, 1);
    if (code == 0 && job->keytab != NULL) {
        code = krb5_kt_resolve(job->ctx, job->keytab, &kt);
        if (code == 0)
            code = krb5_get_init_creds_keytab(job->ctx, &job->cred, p, kt, 0,
                                              NULL, gopt);
    } else if (code == 0) {
        code = krb5_get_init_creds_password(
            job->ctx, &job->cred, p, job->password, NULL, NULL, 0, NULL, gopt);
    }
    job->have_cred = code == 0;
    job->code = code;
    if (code != 0) {
        const char *text = krb5_get_error_message(job->ctx, code);

        job->msg = strdup(text);
        krb5_free_error_message(job->ctx, text);
    }
    if (kt != NULL)
        krb5_kt_close(job->ctx, kt);
    krb5_get_init_creds_opt_free(job->ctx, gopt);
    krb5_free_principal(job->ctx, p);
}

/* AS exchange for p with the keytab or the password, for a forwardable
 * TGT into a MEMORY ccache, waiting at most o->timeout for the KDC.  A
 * refusal by the KDC: *code_out (its text in c->ctx), and the caller
 * explains it. */
static adkcd_status
get_initial(struct adkcd_creds *c, const struct adkcd_creds_opts *o,
            krb5_principal p, krb5_error_code *code_out, struct adkcd_err *err)
{
    struct as_job *job = calloc(1, sizeof(*job));
    char *name = NULL;
    adkcd_status st;
    int r;

    *code_out = 0;
    if (job == NULL || krb5_unparse_name(c->ctx, p, &name) != 0) {
        free(job);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    job->principal = strdup(name);
    job->keytab = o->keytab != NULL ? strdup(o->keytab) : NULL;
    job->password = o->password != NULL ? strdup(o->password) : NULL;
    if (job->principal == NULL || (o->keytab != NULL && job->keytab == NULL) ||
        (o->password != NULL && job->password == NULL) ||
        krb5_init_context(&job->ctx) != 0) {
        as_job_free(job);
        krb5_free_unparsed_name(c->ctx, name);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    r = run_bounded(as_run, as_job_free, job, o->timeout);
    if (r == 0) {
        st = adkcd_err_set(err, ADKCD_E_CONNECT,
                           "no answer from the KDC within %d s while getting "
                           "a ticket for %s (" KDC_FIX ")",
                           o->timeout > 0 ? o->timeout : 10, name);
        krb5_free_unparsed_name(c->ctx, name);
        return st;
    }
    krb5_free_unparsed_name(c->ctx, name);
    if (r < 0)
        as_run(job); /* no thread: without a deadline, as kinit does */
    if (job->code != 0) {
        *code_out = job->code;
        /* The job's words (they name the realm, the KDC) for the caller's
         * explanation, which reads them from c->ctx. */
        if (job->msg != NULL)
            krb5_set_error_message(c->ctx, job->code, "%s", job->msg);
        as_job_free(job);
        return ADKCD_E_AUTH; /* explained by the caller */
    }
    st = set_identity(c, p, err);
    if (st == ADKCD_OK)
        st = adkcd_krbx_ticket(c->ctx, &job->cred, &c->tkt, err);
    if (st == ADKCD_OK)
        st = keep_tgt(c, p, &job->cred, err);
    as_job_free(job);
    return st;
}

/* The TGT for p, or the KDC's refusal explained. */
static adkcd_status
get_explained(struct adkcd_creds *c, const struct adkcd_creds_opts *o,
              krb5_principal p, krb5_error_code *code_out,
              struct adkcd_err *err)
{
    adkcd_status st = get_initial(c, o, p, code_out, err);

    if (st != ADKCD_OK && *code_out != 0) {
        char *full = NULL;

        krb5_unparse_name(c->ctx, p, &full);
        st = explain_as(err, c->ctx, *code_out, full ? full : "?",
                        o->keytab != NULL);
        krb5_free_unparsed_name(c->ctx, full);
    }
    return st;
}

static adkcd_status
use_keys(struct adkcd_creds *c, const struct adkcd_creds_opts *o,
         struct adkcd_err *err)
{
    char **cands = NULL;
    krb5_principal p = NULL;
    krb5_error_code code;
    adkcd_status st = ADKCD_OK;
    size_t i;

    c->matches = 1; /* --principal, or derived from ACCOUNT */
    if (o->principal != NULL) {
        code = krb5_parse_name(c->ctx, o->principal, &p);
        if (code != 0)
            return adkcd_krbx_fail(err, c->ctx, code, ADKCD_E_USAGE,
                                   "invalid principal '%s'", o->principal);
        st = get_explained(c, o, p, &code, err);
        krb5_free_principal(c->ctx, p);
        return st;
    }
    st = candidates(o->account, o->kind, &cands, err);
    if (st != ADKCD_OK)
        return st;
    if (o->keytab != NULL) {
        st = pick_from_keytab(c->ctx, o->keytab, cands, &p, err);
        if (st == ADKCD_OK)
            st = get_explained(c, o, p, &code, err);
        krb5_free_principal(c->ctx, p);
        goto done;
    }
    for (i = 0; cands[i] != NULL; i++) {
        code = krb5_parse_name(c->ctx, cands[i], &p);
        if (code != 0) {
            st = adkcd_krbx_fail(err, c->ctx, code, ADKCD_E_USAGE,
                                 "invalid principal '%s'", cands[i]);
            goto done;
        }
        st = get_initial(c, o, p, &code, err);
        /* NAME$ unknown: try the user NAME, as ACCOUNT resolves. */
        if (st != ADKCD_OK && code == KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN &&
            cands[i + 1] != NULL) {
            krb5_free_principal(c->ctx, p);
            p = NULL;
            continue;
        }
        if (st != ADKCD_OK && code == KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN &&
            i > 0) {
            char *all = join(cands, " nor ");

            st = adkcd_krbx_fail(err, c->ctx, code, ADKCD_E_AUTH,
                                 "the KDC knows neither %s: give the "
                                 "account's name or the principal",
                                 all ? all : o->account);
            adkcd_err_hint(err, ADKCD_HINT_PRINCIPAL);
            free(all);
        } else if (st != ADKCD_OK && code != 0) {
            char *full = NULL;

            krb5_unparse_name(c->ctx, p, &full);
            st = explain_as(err, c->ctx, code, full ? full : cands[i], 0);
            krb5_free_unparsed_name(c->ctx, full);
        }
        krb5_free_principal(c->ctx, p);
        goto done;
    }
done:
    adkcd_strv_free(cands);
    return st;
}

/* ---- the API ------------------------------------------------------- */

adkcd_status
adkcd_creds_acquire(const struct adkcd_creds_opts *o, struct adkcd_creds **out,
                    struct adkcd_err *err)
{
    struct adkcd_creds *c;
    krb5_error_code code;
    adkcd_status st;
    int keys = o->keytab != NULL || o->password != NULL;

    *out = NULL;
    if (o->ccache != NULL && keys)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "a credentials cache excludes a keytab and a "
                             "password");
    if (keys && o->principal == NULL && o->account == NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "a keytab or a password needs a principal");
    if (o->keytab != NULL && o->password != NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "a keytab and a password exclude each other");
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
    st = keys ? use_keys(c, o, err) : use_ccache(c, o, err);
    if (st != ADKCD_OK) {
        adkcd_creds_free(c);
        return st;
    }
    *out = c;
    return ADKCD_OK;
}

void
adkcd_creds_free(struct adkcd_creds *c)
{
    if (c == NULL)
        return;
    if (c->mem_cc != NULL)
        krb5_cc_destroy(c->ctx, c->mem_cc);
    adkcd_krbx_ticket_clear(&c->tkt);
    free(c->ccname);
    free(c->src_ccname);
    free(c->principal);
    free(c->name);
    free(c->realm);
    krb5_free_context(c->ctx);
    free(c);
}

const char *
adkcd_creds_principal(const struct adkcd_creds *c)
{
    return c->principal;
}

const char *
adkcd_creds_name(const struct adkcd_creds *c)
{
    return c->name;
}

const char *
adkcd_creds_realm(const struct adkcd_creds *c)
{
    return c->realm;
}

const struct adkcd_ticket *
adkcd_creds_ticket(const struct adkcd_creds *c)
{
    return &c->tkt;
}

const char *
adkcd_creds_ccache(const struct adkcd_creds *c)
{
    return c->ccname;
}

const char *
adkcd_creds_from_ccache(const struct adkcd_creds *c)
{
    return c->src_ccname;
}

int
adkcd_creds_matches_account(const struct adkcd_creds *c)
{
    return c->matches;
}

krb5_context
adkcd_creds_context(const struct adkcd_creds *c)
{
    return c->ctx;
}

/* ---- for the bind -------------------------------------------------- */

adkcd_status
adkcd_creds_use_in_thread(const struct adkcd_creds *c, struct adkcd_err *err)
{
    OM_uint32 minor;

    if (c->ccname == NULL)
        return ADKCD_OK;
    /* Cyrus SASL's GSSAPI plugin uses MIT's GSSAPI in this process: point
     * it at our ccache rather than changing KRB5CCNAME for everyone. */
    if (gss_krb5_ccache_name(&minor, c->ccname, NULL) != GSS_S_COMPLETE)
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "cannot point GSSAPI at the MEMORY ccache");
    return ADKCD_OK;
}

/* ---- a service ticket, with a deadline ----------------------------- */

/*
 * A Kerberos job on a thread of its own, waited for at most timeout_s
 * (monotonic) seconds.  MIT krb5 before 1.22 (request_timeout) has no
 * bound on a KDC exchange: a KDC that takes requests and never answers
 * (a hung DC: its KDC is the same process as its LDAP) is retried for
 * 30 s and more.  A job owns everything it touches: copies of its
 * strings, its own krb5 context (MIT contexts are not thread-safe), its
 * own ccache handle (a MEMORY ccache is reference-counted by krb5, so the
 * caller may destroy its own handle meanwhile) and its result slot.  One
 * that misses the deadline is left to finish alone and frees itself and
 * its job; the caller never touches either again, whether it reports the
 * failure and exits or falls over to the next DC.
 *
 * Shared between the two threads: done and abandoned, under mu.  run,
 * free_job and job are set before pthread_create(); the job's results
 * are read by the caller only after pthread_join().  Who frees is settled
 * under mu: the caller (after the join) when the job was done in time,
 * the thread when it was abandoned.
 */
struct bounded {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    int abandoned;
    void (*run)(void *job);
    void (*free_job)(void *job);
    void *job;
};

static void
bounded_free(struct bounded *b)
{
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
}

/*
 * The process's exit while an abandoned job still runs.  exit() runs the
 * libraries' destructors, krb5's among them (MIT's krb5int_lib_fini(),
 * run at exit on Linux), which destroy the global mutexes and tables a
 * job inside krb5 still uses: a job that wakes up then (its KDC answers,
 * or krb5 moves on to the next try) may abort in krb5 and turn the
 * process's exit status into a crash.  So the first abandoned job
 * registers a handler, run at exit before those destructors (it is
 * registered after them), that ends the process at once with the status
 * given to exit() while any abandoned job still runs: stdio is flushed,
 * and nothing is left undone but the teardown of memory and mutexes the
 * process gives back anyway (and handlers registered before the first
 * abandoned job: adkcd's tools register none).  A job counts itself out
 * after its last krb5 call, under the same mutex the handler reads the
 * count under.
 */
static pthread_mutex_t abandoned_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned abandoned_running; /* under abandoned_mu */
static pthread_once_t abandoned_once = PTHREAD_ONCE_INIT;

#ifdef __GLIBC__
static void
exit_past_abandoned(int status, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&abandoned_mu);
    if (abandoned_running > 0) {
        fflush(NULL);
        _exit(status);
    }
    pthread_mutex_unlock(&abandoned_mu);
}
#endif

static void
abandoned_exit_handler(void)
{
#ifdef __GLIBC__
    on_exit(exit_past_abandoned, NULL);
#endif
}

static void *
bounded_thread(void *arg)
{
    struct bounded *b = arg;
    int abandoned;

    b->run(b->job);
    pthread_mutex_lock(&b->mu);
    b->done = 1;
    abandoned = b->abandoned;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    if (abandoned) {
        b->free_job(b->job); /* its last krb5 calls */
        pthread_mutex_lock(&abandoned_mu);
        abandoned_running--;
        pthread_mutex_unlock(&abandoned_mu);
        bounded_free(b);
    }
    return NULL;
}

/* b's mutex, and a condition variable on the monotonic clock (a clock
 * step must not stretch or cut the deadline); non-zero when either
 * cannot be had. */
static int
bounded_init(struct bounded *b)
{
    pthread_condattr_t ca;
    int rc;

    if (pthread_condattr_init(&ca) != 0)
        return -1;
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&b->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        return -1;
    if (pthread_mutex_init(&b->mu, NULL) != 0) {
        pthread_cond_destroy(&b->cv);
        return -1;
    }
    return 0;
}

/* Run job: 1 when it finished in time (its results are the caller's, as
 * is the job), 0 when it did not (the job is no longer the caller's), -1
 * when no thread could be started (nothing ran; the job is the
 * caller's). */
static int
run_bounded(void (*run)(void *), void (*free_job)(void *), void *job,
            int timeout_s)
{
    struct bounded *b = calloc(1, sizeof(*b));
    pthread_t th;
    sigset_t all, old;
    struct timespec deadline;
    int rc = 0, started, done;

    if (b == NULL)
        return -1;
    if (bounded_init(b) != 0) {
        free(b);
        return -1;
    }
    if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) {
        bounded_free(b);
        return -1;
    }
    b->run = run;
    b->free_job = free_job;
    b->job = job;
    deadline.tv_sec += timeout_s > 0 ? timeout_s : 10;
    /* The thread takes no signal: an asynchronous one goes to the
     * caller's threads, as if there were no helper, and a write to a KDC
     * that closed the connection fails with EPIPE there rather than
     * raise SIGPIPE. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    started = pthread_create(&th, NULL, bounded_thread, b) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!started) {
        bounded_free(b);
        return -1;
    }
    pthread_mutex_lock(&b->mu);
    /* Only 0 (woken, perhaps spuriously) waits again: ETIMEDOUT, or any
     * error, ends the wait rather than spin. */
    while (!b->done && rc == 0)
        rc = pthread_cond_timedwait(&b->cv, &b->mu, &deadline);
    done = b->done;
    if (!done) {
        b->abandoned = 1; /* from here b and job are the thread's */
        /* Counted before the thread can read abandoned, and so before
         * it counts itself out. */
        pthread_mutex_lock(&abandoned_mu);
        abandoned_running++;
        pthread_mutex_unlock(&abandoned_mu);
    }
    pthread_mutex_unlock(&b->mu);
    if (!done) {
        pthread_once(&abandoned_once, abandoned_exit_handler);
        pthread_detach(th);
        return 0;
    }
    pthread_join(th, NULL);
    bounded_free(b);
    return 1;
}

/* Get a service ticket into a ccache (the bind's ldap/HOST). */
struct tgs_job {
    char *ccname; /* NULL: the default ccache */
    char *service;
    char *host;
    krb5_error_code code;
};

static void
tgs_job_free(void *arg)
{
    struct tgs_job *job = arg;

    if (job == NULL)
        return;
    free(job->ccname);
    free(job->service);
    free(job->host);
    free(job);
}

static void
tgs_run(void *arg)
{
    struct tgs_job *job = arg;
    krb5_context ctx = NULL;
    krb5_ccache cc = NULL;
    krb5_principal client = NULL, server = NULL;
    krb5_creds in, *out = NULL;
    krb5_error_code code;

    memset(&in, 0, sizeof(in));
    code = krb5_init_context(&ctx);
    if (code != 0) {
        job->code = code;
        return;
    }
    code = job->ccname != NULL ? krb5_cc_resolve(ctx, job->ccname, &cc)
                               : krb5_cc_default(ctx, &cc);
    if (code == 0)
        code = krb5_cc_get_principal(ctx, cc, &client);
    /* The name GSSAPI will ask for: the same call on the same host name
     * (the bind sets NOCANON), so the same cache entry. */
    if (code == 0)
        code = krb5_sname_to_principal(ctx, job->host, job->service,
                                       KRB5_NT_SRV_HST, &server);
    if (code == 0) {
        in.client = client;
        in.server = server;
        code = krb5_get_credentials(ctx, 0, cc, &in, &out);
    }
    job->code = code;
    krb5_free_creds(ctx, out);
    krb5_free_principal(ctx, server);
    krb5_free_principal(ctx, client);
    if (cc != NULL)
        krb5_cc_close(ctx, cc);
    krb5_free_context(ctx);
}

adkcd_status
adkcd_creds_service_ticket(const struct adkcd_creds *c, const char *service,
                           const char *host, int timeout_s,
                           struct adkcd_err *err)
{
    struct tgs_job *job = calloc(1, sizeof(*job));
    int r;

    if (job == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    job->ccname = c->ccname != NULL ? strdup(c->ccname) : NULL;
    job->service = strdup(service);
    job->host = strdup(host);
    if (job->service == NULL || job->host == NULL ||
        (c->ccname != NULL && job->ccname == NULL)) {
        tgs_job_free(job);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    r = run_bounded(tgs_run, tgs_job_free, job, timeout_s);
    if (r == 0)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "no answer from the KDC within %d s while "
                             "getting a ticket for %s/%s (" KDC_FIX ")",
                             timeout_s > 0 ? timeout_s : 10, service, host);
    /* Any answer, even a refusal (an unknown server principal, clock
     * skew, a KDC that refused the connection), is left to the bind to
     * meet again and explain in the words the admin knows; without a
     * thread GSSAPI asks the KDC itself, without a deadline. */
    tgs_job_free(job);
    return ADKCD_OK;
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
        return adkcd_err_set(err, ADKCD_E_AUTH, SKEW_FIX " (%s)", d);
    if (strstr(d, "Cannot contact any KDC") != NULL ||
        strstr(d, "Cannot find KDC") != NULL)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "the KDC is unreachable: " KDC_FIX " (%s)", d);
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

/* ---- errors (the definition) --------------------------------------- */

/* The function itself, not krbx.h's model of it for the analyzer: last in
 * the file, so that every call above keeps the model. */
#undef adkcd_krbx_fail

adkcd_status
adkcd_krbx_fail(struct adkcd_err *err, krb5_context ctx, krb5_error_code code,
                adkcd_status st, const char *fmt, ...)
{
    const char *text = krb5_get_error_message(ctx, code);
    char what[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    adkcd_err_set(err, st, "%s (%s)", what, text);
    if (err != NULL)
        err->krb5_rc = code;
    krb5_free_error_message(ctx, text);
    return st;
}
