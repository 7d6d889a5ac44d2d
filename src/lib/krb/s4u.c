/* adkcd: S4U2Self and S4U2Proxy as the delegating account. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "adkcd/s4u.h"
#include "adkcd/strv.h"
#include "creds.h"

struct adkcd_tgt {
    krb5_context ctx;
    krb5_ccache mem_cc; /* made here (destroyed on free), or NULL */
    char *ccname;       /* full name of the ccache holding the TGT */
    char *principal;
    char *name; /* first component */
    char *realm;
    struct adkcd_ticket tkt;
    int from_ccache;  /* the TGT came from the caller's ccache */
    char *src_ccname; /* that ccache, for messages */
    int matches;      /* see adkcd_tgt_matches_account() */
};

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

static void
ticket_clear(struct adkcd_ticket *t)
{
    free(t->client);
    free(t->server);
    free(t->enctype);
    memset(t, 0, sizeof(*t));
}

static adkcd_status
ticket_from_creds(krb5_context ctx, const krb5_creds *c, struct adkcd_ticket *t,
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
        ticket_clear(t);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    return ADKCD_OK;
}

/* ---- the delegating account's TGT ---------------------------------- */

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

static adkcd_status
krb_fail(struct adkcd_err *err, krb5_context ctx, krb5_error_code code,
         adkcd_status st, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static adkcd_status
krb_fail(struct adkcd_err *err, krb5_context ctx, krb5_error_code code,
         adkcd_status st, const char *fmt, ...)
{
    const char *text = krb5_get_error_message(ctx, code);
    char what[512];
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

/* The KDC refused an AS request for p: say why in the admin's terms. */
static adkcd_status
explain_as(struct adkcd_err *err, krb5_context ctx, krb5_error_code code,
           const char *p, int keytab)
{
    switch (code) {
    case KRB5KDC_ERR_PREAUTH_FAILED:
    case KRB5KRB_AP_ERR_BAD_INTEGRITY:
        return krb_fail(err, ctx, code, ADKCD_E_AUTH,
                        keytab ? "the keytab's key for %s is wrong: the "
                                 "account's password changed after the "
                                 "keytab was made (make a new keytab)"
                               : "the password for %s is wrong",
                        p);
    case KRB5KDC_ERR_CLIENT_REVOKED:
        return krb_fail(err, ctx, code, ADKCD_E_AUTH,
                        "the KDC refuses %s a ticket: the account is "
                        "disabled, locked out or expired",
                        p);
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
        return krb_fail(err, ctx, code, ADKCD_E_AUTH,
                        "the KDC knows no principal %s: give the "
                        "account's name (computers end in $) or "
                        "--principal",
                        p);
    case KRB5KDC_ERR_KEY_EXP:
        return krb_fail(err, ctx, code, ADKCD_E_AUTH,
                        "the password of %s has expired", p);
    case KRB5KRB_AP_ERR_SKEW:
        return krb_fail(err, ctx, code, ADKCD_E_AUTH,
                        "clock skew too great between this host and the "
                        "KDC: synchronise the time (chrony/ntpd) before "
                        "getting a ticket for %s",
                        p);
    case KRB5_KDC_UNREACH:
    case KRB5_REALM_CANT_RESOLVE:
    case KRB5_REALM_UNKNOWN:
        return krb_fail(err, ctx, code, ADKCD_E_CONNECT,
                        "no KDC answered for %s: check 'kdc =' in "
                        "krb5.conf or the _kerberos SRV records",
                        p);
    default:
        return krb_fail(err, ctx, code, ADKCD_E_AUTH,
                        "getting a ticket for %s failed", p);
    }
}

/*
 * The principal names ACCOUNT stands for, in the order to try: NAME$ then
 * NAME; NAME$ alone.  DOMAIN\ is dropped.  NULL-free strv.
 */
static adkcd_status
candidates(const char *account, enum adkcd_account_kind kind, char ***out,
           struct adkcd_err *err)
{
    const char *name = account;
    const char *bs = strrchr(account, '\\');
    char **v = NULL;
    size_t n;

    *out = NULL;
    if (bs != NULL)
        name = bs + 1;
    n = strlen(name);
    if (n == 0 || name[0] == '<' || strchr(name, '=') != NULL ||
        strchr(name, '@') != NULL || strchr(name, '/') != NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "cannot tell the Kerberos principal of '%s': "
                             "give --principal (e.g. --principal "
                             "'tmg$@REALM')",
                             account);
    if (name[n - 1] != '$' && kind != ADKCD_ACCOUNT_USER) {
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
    if ((kind != ADKCD_ACCOUNT_COMPUTER || name[n - 1] == '$') &&
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
        st = krb_fail(err, ctx, code, ADKCD_E_AUTH, "cannot read the keytab %s",
                      keytab);
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
                           "%s): give --principal",
                           keytab, want ? want : "the account",
                           list && list[0] ? list : "nothing");
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
set_identity(struct adkcd_tgt *t, krb5_principal p, struct adkcd_err *err)
{
    char *full = NULL;

    if (krb5_unparse_name(t->ctx, p, &full) != 0)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    free(t->principal);
    free(t->name);
    free(t->realm);
    t->principal = strdup(full);
    krb5_free_unparsed_name(t->ctx, full);
    t->name = p->length > 0 ? strndup(p->data[0].data, p->data[0].length)
                            : strdup("");
    t->realm = strndup(p->realm.data, p->realm.length);
    if (t->principal == NULL || t->name == NULL || t->realm == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    return ADKCD_OK;
}

/* A MEMORY ccache of our own holding cred (the TGT) for p. */
static adkcd_status
keep_tgt(struct adkcd_tgt *t, krb5_principal p, krb5_creds *cred,
         struct adkcd_err *err)
{
    krb5_error_code code;
    const char *name;
    size_t n;

    code = krb5_cc_new_unique(t->ctx, "MEMORY", NULL, &t->mem_cc);
    if (code == 0)
        code = krb5_cc_initialize(t->ctx, t->mem_cc, p);
    if (code == 0)
        code = krb5_cc_store_cred(t->ctx, t->mem_cc, cred);
    if (code != 0)
        return krb_fail(err, t->ctx, code, ADKCD_E_AUTH, "%s",
                        "cannot store the ticket in a MEMORY ccache");
    name = krb5_cc_get_name(t->ctx, t->mem_cc);
    n = strlen(name) + sizeof("MEMORY:");
    t->ccname = malloc(n);
    if (t->ccname == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    snprintf(t->ccname, n, "MEMORY:%s", name);
    return ADKCD_OK;
}

/* The caller's ccache: its principal must be the one wanted (when said)
 * and it must hold a TGT that has not expired. */
static adkcd_status
use_default_ccache(struct adkcd_tgt *t, const struct adkcd_tgt_opts *o,
                   struct adkcd_err *err)
{
    krb5_ccache cc = NULL;
    krb5_principal p = NULL;
    krb5_cc_cursor cur;
    krb5_creds cred;
    krb5_timestamp now;
    krb5_error_code code;
    char *full = NULL;
    adkcd_status st = ADKCD_OK;
    int found = 0;

    code = krb5_cc_default(t->ctx, &cc);
    if (code == 0)
        code = krb5_cc_get_full_name(t->ctx, cc, &full);
    if (code != 0) {
        st = krb_fail(err, t->ctx, code, ADKCD_E_AUTH, "%s",
                      "cannot open the default credentials cache");
        goto done;
    }
    t->src_ccname = strdup(full);
    if (t->src_ccname == NULL) {
        st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        goto done;
    }
    code = krb5_cc_get_principal(t->ctx, cc, &p);
    if (code != 0) {
        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "no ticket for %s: give its keys with --keytab "
                           "FILE or --password-stdin, or run 'kinit -f' as "
                           "it first",
                           o->account);
        goto done;
    }
    st = set_identity(t, p, err);
    if (st != ADKCD_OK)
        goto done;
    if (o->principal != NULL) {
        krb5_principal want = NULL;
        int same;

        code = krb5_parse_name(t->ctx, o->principal, &want);
        if (code != 0) {
            st = krb_fail(err, t->ctx, code, ADKCD_E_USAGE,
                          "invalid principal '%s'", o->principal);
            goto done;
        }
        /* AD names ignore case. */
        same = krb5_principal_compare_flags(t->ctx, want, p,
                                            KRB5_PRINCIPAL_COMPARE_CASEFOLD);
        krb5_free_principal(t->ctx, want);
        if (!same) {
            st = adkcd_err_set(err, ADKCD_E_AUTH,
                               "the credentials cache %s holds a ticket "
                               "for %s, not %s: give --keytab or "
                               "--password-stdin",
                               t->src_ccname, t->principal, o->principal);
            goto done;
        }
        t->matches = 1;
    } else {
        /* The ticket must be ACCOUNT's, or the exchange proves nothing
         * about ACCOUNT: check here, before the directory (which may be
         * out of reach) can. */
        char **cands = NULL;
        struct adkcd_err e2;
        size_t i;

        adkcd_err_clear(&e2);
        if (candidates(o->account, o->kind, &cands, &e2) == ADKCD_OK) {
            for (i = 0; cands[i] != NULL && !t->matches; i++)
                t->matches = strcasecmp(cands[i], t->name) == 0;
            if (!t->matches) {
                char *want = join(cands, " or ");

                st = adkcd_err_set(err, ADKCD_E_AUTH,
                                   "the credentials cache %s holds a "
                                   "ticket for %s, not for %s: give the "
                                   "keys of %s with --keytab or "
                                   "--password-stdin, or run 'kinit -f' "
                                   "as it",
                                   t->src_ccname, t->principal,
                                   want ? want : o->account, o->account);
                free(want);
                adkcd_strv_free(cands);
                goto done;
            }
        } else if (e2.status == ADKCD_E_NOMEM) {
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
            goto done;
        }
        adkcd_strv_free(cands);
    }
    krb5_timeofday(t->ctx, &now);
    if (krb5_cc_start_seq_get(t->ctx, cc, &cur) == 0) {
        while (!found && krb5_cc_next_cred(t->ctx, cc, &cur, &cred) == 0) {
            if (adkcd_creds_is_tgt(&cred, p) &&
                (long)cred.times.endtime > (long)now) {
                st = ticket_from_creds(t->ctx, &cred, &t->tkt, err);
                found = 1;
                /* Only the TGT goes into a MEMORY ccache of our own: the
                 * exchange must be made afresh, not answered from tickets
                 * the ccache already holds (an earlier kvno -U -P), and
                 * must not add tickets to the caller's ccache. */
                if (st == ADKCD_OK)
                    st = keep_tgt(t, p, &cred, err);
            }
            krb5_free_cred_contents(t->ctx, &cred);
        }
        krb5_cc_end_seq_get(t->ctx, cc, &cur);
    }
    if (st == ADKCD_OK && !found)
        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "no valid ticket-granting ticket for %s in %s: "
                           "run 'kinit -f %s', or give --keytab or "
                           "--password-stdin",
                           t->principal, t->src_ccname, t->principal);
done:
    krb5_free_string(t->ctx, full);
    krb5_free_principal(t->ctx, p);
    if (cc != NULL)
        krb5_cc_close(t->ctx, cc);
    return st;
}

/* AS exchange for p with the keytab or the password; into a MEMORY
 * ccache. */
static adkcd_status
get_initial(struct adkcd_tgt *t, const struct adkcd_tgt_opts *o,
            krb5_principal p, krb5_error_code *code_out, struct adkcd_err *err)
{
    krb5_get_init_creds_opt *gopt = NULL;
    krb5_keytab kt = NULL;
    krb5_creds cred;
    krb5_error_code code;
    adkcd_status st;

    *code_out = 0;
    memset(&cred, 0, sizeof(cred));
    code = krb5_get_init_creds_opt_alloc(t->ctx, &gopt);
    if (code != 0)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    /* Whatever krb5.conf says: S4U needs a forwardable TGT. */
    krb5_get_init_creds_opt_set_forwardable(gopt, 1);
    if (o->keytab != NULL) {
        code = krb5_kt_resolve(t->ctx, o->keytab, &kt);
        if (code == 0)
            code =
                krb5_get_init_creds_keytab(t->ctx, &cred, p, kt, 0, NULL, gopt);
    } else {
        code = krb5_get_init_creds_password(t->ctx, &cred, p, o->password, NULL,
                                            NULL, 0, NULL, gopt);
    }
    if (kt != NULL)
        krb5_kt_close(t->ctx, kt);
    krb5_get_init_creds_opt_free(t->ctx, gopt);
    if (code != 0) {
        *code_out = code;
        return ADKCD_E_AUTH; /* explained by the caller */
    }
    st = set_identity(t, p, err);
    if (st == ADKCD_OK)
        st = ticket_from_creds(t->ctx, &cred, &t->tkt, err);
    if (st != ADKCD_OK)
        goto done;
    st = keep_tgt(t, p, &cred, err);
done:
    krb5_free_cred_contents(t->ctx, &cred);
    return st;
}

adkcd_status
adkcd_tgt_acquire(const struct adkcd_tgt_opts *o, struct adkcd_tgt **out,
                  struct adkcd_err *err)
{
    struct adkcd_tgt *t;
    char **cands = NULL;
    krb5_error_code code;
    adkcd_status st = ADKCD_OK;
    size_t i;

    *out = NULL;
    if (o->keytab != NULL && o->password != NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--keytab and --password-stdin exclude each "
                             "other");
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    code = krb5_init_context(&t->ctx);
    if (code != 0) {
        free(t);
        return adkcd_err_set(err, ADKCD_E_AUTH,
                             "cannot initialise Kerberos (krb5.conf, "
                             "KRB5_CONFIG?): error %ld",
                             (long)code);
    }
    if (o->keytab == NULL && o->password == NULL) {
        t->from_ccache = 1;
        st = use_default_ccache(t, o, err);
        goto done;
    }
    /* Keys given: the principal is --principal or derived from ACCOUNT. */
    t->matches = 1;
    if (o->principal != NULL) {
        cands = NULL;
        if (adkcd_strv_add(&cands, o->principal) != 0) {
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
            goto done;
        }
    } else {
        st = candidates(o->account, o->kind, &cands, err);
        if (st != ADKCD_OK)
            goto done;
    }
    if (o->keytab != NULL) {
        krb5_principal p = NULL;

        if (o->principal != NULL)
            code = krb5_parse_name(t->ctx, o->principal, &p);
        else
            code = 0;
        if (code != 0) {
            st = krb_fail(err, t->ctx, code, ADKCD_E_USAGE,
                          "invalid principal '%s'", o->principal);
            goto done;
        }
        if (p == NULL) {
            st = pick_from_keytab(t->ctx, o->keytab, cands, &p, err);
            if (st != ADKCD_OK)
                goto done;
        }
        st = get_initial(t, o, p, &code, err);
        if (st != ADKCD_OK && code != 0) {
            char *full = NULL;

            krb5_unparse_name(t->ctx, p, &full);
            st = explain_as(err, t->ctx, code, full ? full : "?", 1);
            krb5_free_unparsed_name(t->ctx, full);
        }
        krb5_free_principal(t->ctx, p);
        goto done;
    }
    for (i = 0; cands[i] != NULL; i++) {
        krb5_principal p = NULL;
        char *full = NULL;

        code = krb5_parse_name(t->ctx, cands[i], &p);
        if (code != 0) {
            st = krb_fail(err, t->ctx, code, ADKCD_E_USAGE,
                          "invalid principal '%s'", cands[i]);
            goto done;
        }
        st = get_initial(t, o, p, &code, err);
        if (st == ADKCD_OK || code == 0) {
            krb5_free_principal(t->ctx, p);
            goto done;
        }
        krb5_unparse_name(t->ctx, p, &full);
        krb5_free_principal(t->ctx, p);
        /* NAME$ unknown: try the user NAME, as ACCOUNT resolves. */
        if (code == KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN && cands[i + 1] != NULL) {
            krb5_free_unparsed_name(t->ctx, full);
            continue;
        }
        if (code == KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN && i > 0) {
            char *all = join(cands, " nor ");

            st = krb_fail(err, t->ctx, code, ADKCD_E_AUTH,
                          "the KDC knows neither %s: give the account's "
                          "name or --principal",
                          all ? all : o->account);
            free(all);
        } else {
            st = explain_as(err, t->ctx, code, full ? full : cands[i], 0);
        }
        krb5_free_unparsed_name(t->ctx, full);
        goto done;
    }
done:
    adkcd_strv_free(cands);
    if (st != ADKCD_OK) {
        adkcd_tgt_free(t);
        return st;
    }
    *out = t;
    return ADKCD_OK;
}

int
adkcd_tgt_from_ccache(const struct adkcd_tgt *t)
{
    return t->from_ccache;
}

int
adkcd_tgt_matches_account(const struct adkcd_tgt *t)
{
    return t->matches;
}

const char *
adkcd_tgt_ccache(const struct adkcd_tgt *t)
{
    return t->ccname;
}

const char *
adkcd_tgt_principal(const struct adkcd_tgt *t)
{
    return t->principal;
}

const char *
adkcd_tgt_name(const struct adkcd_tgt *t)
{
    return t->name;
}

const char *
adkcd_tgt_realm(const struct adkcd_tgt *t)
{
    return t->realm;
}

const struct adkcd_ticket *
adkcd_tgt_ticket(const struct adkcd_tgt *t)
{
    return &t->tkt;
}

void
adkcd_tgt_free(struct adkcd_tgt *t)
{
    if (t == NULL)
        return;
    if (t->mem_cc != NULL)
        krb5_cc_destroy(t->ctx, t->mem_cc);
    ticket_clear(&t->tkt);
    free(t->ccname);
    free(t->src_ccname);
    free(t->principal);
    free(t->name);
    free(t->realm);
    krb5_free_context(t->ctx);
    free(t);
}

/* ---- S4U2Self and S4U2Proxy ---------------------------------------- */

/* The text of a GSSAPI failure: the mechanism's (Kerberos) message when
 * there is one, else the GSSAPI one. */
static char *
gss_text(OM_uint32 major, OM_uint32 minor)
{
    OM_uint32 m, more = 0;
    gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
    char *s = NULL;

    if (minor != 0)
        gss_display_status(&m, minor, GSS_C_MECH_CODE, (gss_OID)gss_mech_krb5,
                           &more, &b);
    else
        gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &more, &b);
    if (b.length > 0)
        s = strndup(b.value, b.length);
    gss_release_buffer(&m, &b);
    return s != NULL ? s : strdup("unknown GSSAPI error");
}

static void
step_fail(struct adkcd_s4u_step *s, OM_uint32 major, OM_uint32 minor)
{
    s->done = 0;
    s->code = (long)(krb5_error_code)minor;
    s->error = gss_text(major, minor);
}

/* name plus "@realm" unless it has a realm. */
static char *
with_realm(const char *name, const char *realm)
{
    size_t n;
    char *s;

    if (strchr(name, '@') != NULL)
        return strdup(name);
    n = strlen(name) + strlen(realm) + 2;
    s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s@%s", name, realm);
    return s;
}

static adkcd_status
import_name(const char *text, gss_name_t *out, struct adkcd_err *err)
{
    OM_uint32 major, minor;
    gss_buffer_desc b;

    b.value = (void *)text;
    b.length = strlen(text);
    major =
        gss_import_name(&minor, &b, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, out);
    if (GSS_ERROR(major)) {
        char *why = gss_text(major, minor);

        adkcd_err_set(err, ADKCD_E_USAGE, "invalid principal '%s': %s", text,
                      why ? why : "?");
        free(why);
        return ADKCD_E_USAGE;
    }
    return ADKCD_OK;
}

/* Store cred into the MEMORY ccache ccname and read back the ticket whose
 * client is client (and server is server, when not NULL; else the first
 * ticket that is not a TGT). */
static adkcd_status
read_ticket(krb5_context ctx, gss_cred_id_t cred, const char *ccname,
            const char *client, const char *server, struct adkcd_ticket *t,
            int *found, struct adkcd_err *err)
{
    gss_key_value_element_desc el = {"ccache", ccname};
    gss_key_value_set_desc store = {1, &el};
    OM_uint32 major, minor;
    krb5_ccache cc = NULL;
    krb5_cc_cursor cur;
    krb5_creds c;
    krb5_principal cp = NULL, sp = NULL;
    adkcd_status st = ADKCD_OK;

    *found = 0;
    major =
        gss_store_cred_into(&minor, cred, GSS_C_INITIATE,
                            (gss_OID)gss_mech_krb5, 1, 0, &store, NULL, NULL);
    if (GSS_ERROR(major))
        return ADKCD_OK; /* nothing to show; the step's result stands */
    if (krb5_cc_resolve(ctx, ccname, &cc) != 0)
        return ADKCD_OK;
    if (krb5_parse_name(ctx, client, &cp) != 0 ||
        (server != NULL && krb5_parse_name(ctx, server, &sp) != 0))
        goto done;
    if (krb5_cc_start_seq_get(ctx, cc, &cur) != 0)
        goto done;
    while (!*found && krb5_cc_next_cred(ctx, cc, &cur, &c) == 0) {
        if (!krb5_is_config_principal(ctx, c.server) &&
            krb5_principal_compare_flags(ctx, c.client, cp,
                                         KRB5_PRINCIPAL_COMPARE_CASEFOLD) &&
            (sp != NULL
                 ? krb5_principal_compare_flags(ctx, c.server, sp,
                                                KRB5_PRINCIPAL_COMPARE_CASEFOLD)
                 : !adkcd_creds_is_tgt(&c, c.client))) {
            st = ticket_from_creds(ctx, &c, t, err);
            *found = st == ADKCD_OK;
        }
        krb5_free_cred_contents(ctx, &c);
    }
    krb5_cc_end_seq_get(ctx, cc, &cur);
done:
    krb5_free_principal(ctx, cp);
    krb5_free_principal(ctx, sp);
    krb5_cc_close(ctx, cc);
    return st;
}

adkcd_status
adkcd_s4u_run(const struct adkcd_tgt *t, const char *user, const char *service,
              struct adkcd_s4u_result *res, struct adkcd_err *err)
{
    gss_key_value_element_desc el;
    gss_key_value_set_desc store = {1, &el};
    gss_OID_set_desc mechs = {1, (gss_OID)gss_mech_krb5};
    gss_cred_id_t self_cred = GSS_C_NO_CREDENTIAL;
    gss_cred_id_t user_cred = GSS_C_NO_CREDENTIAL;
    gss_name_t uname = GSS_C_NO_NAME, sname = GSS_C_NO_NAME;
    gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
    OM_uint32 major, minor;
    krb5_ccache view = NULL;
    char view_name[256] = "";
    adkcd_status st;
    int found;

    memset(res, 0, sizeof(*res));
    res->user = with_realm(user, t->realm);
    res->service = with_realm(service, t->realm);
    if (res->user == NULL || res->service == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    st = import_name(res->user, &uname, err);
    if (st == ADKCD_OK)
        st = import_name(res->service, &sname, err);
    if (st != ADKCD_OK)
        goto done;

    el.key = "ccache";
    el.value = t->ccname;
    major =
        gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs,
                              GSS_C_INITIATE, &store, &self_cred, NULL, NULL);
    if (GSS_ERROR(major)) {
        char *why = gss_text(major, minor);

        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "GSSAPI cannot use the ticket of %s in %s: %s",
                           t->principal, t->ccname, why ? why : "?");
        free(why);
        goto done;
    }
    /* A MEMORY ccache of our own to look at the tickets GSSAPI got. */
    if (krb5_cc_new_unique(t->ctx, "MEMORY", NULL, &view) == 0)
        snprintf(view_name, sizeof(view_name), "MEMORY:%s",
                 krb5_cc_get_name(t->ctx, view));

    /* S4U2Self: a ticket to ourselves in the user's name. */
    major = gss_acquire_cred_impersonate_name(
        &minor, self_cred, uname, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
        &user_cred, NULL, NULL);
    if (GSS_ERROR(major)) {
        step_fail(&res->self, major, minor);
        goto done;
    }
    res->self.done = 1;
    if (view != NULL) {
        st = read_ticket(t->ctx, user_cred, view_name, res->user, NULL,
                         &res->self.tkt, &found, err);
        if (st != ADKCD_OK)
            goto done;
    }

    /* S4U2Proxy: the user's ticket to the service, with the S4U2Self
     * ticket as evidence; the AP-REQ is built, and not sent anywhere. */
    res->proxy_tried = 1;
    major = gss_init_sec_context(&minor, user_cred, &gctx, sname,
                                 (gss_OID)gss_mech_krb5, 0, GSS_C_INDEFINITE,
                                 GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
                                 NULL, &token, NULL, NULL);
    if (GSS_ERROR(major)) {
        step_fail(&res->proxy, major, minor);
        goto done;
    }
    res->proxy.done = 1;
    if (view != NULL) {
        st = read_ticket(t->ctx, user_cred, view_name, res->user, res->service,
                         &res->proxy.tkt, &found, err);
        if (st != ADKCD_OK)
            goto done;
    }
done:
    gss_release_buffer(&minor, &token);
    if (gctx != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&minor, &gctx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &user_cred);
    gss_release_cred(&minor, &self_cred);
    gss_release_name(&minor, &uname);
    gss_release_name(&minor, &sname);
    if (view != NULL)
        krb5_cc_destroy(t->ctx, view);
    return st;
}

int
adkcd_s4u_ok(const struct adkcd_s4u_result *res)
{
    return res->self.done && res->proxy_tried && res->proxy.done;
}

static void
step_clear(struct adkcd_s4u_step *s)
{
    ticket_clear(&s->tkt);
    free(s->error);
    memset(s, 0, sizeof(*s));
}

void
adkcd_s4u_result_clear(struct adkcd_s4u_result *res)
{
    if (res == NULL)
        return;
    free(res->user);
    free(res->service);
    step_clear(&res->self);
    step_clear(&res->proxy);
    memset(res, 0, sizeof(*res));
}

const char *
adkcd_krb5_error_name(long code)
{
    switch ((krb5_error_code)code) {
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
        return "KDC_ERR_C_PRINCIPAL_UNKNOWN";
    case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
        return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
    case KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE:
        return "KDC_ERR_PRINCIPAL_NOT_UNIQUE";
    case KRB5KDC_ERR_POLICY:
        return "KDC_ERR_POLICY";
    case KRB5KDC_ERR_BADOPTION:
        return "KDC_ERR_BADOPTION";
    case KRB5KDC_ERR_ETYPE_NOSUPP:
        return "KDC_ERR_ETYPE_NOSUPP";
    case KRB5KDC_ERR_CLIENT_REVOKED:
        return "KDC_ERR_CLIENT_REVOKED";
    case KRB5KDC_ERR_TGT_REVOKED:
        return "KDC_ERR_TGT_REVOKED";
    case KRB5KDC_ERR_PREAUTH_FAILED:
        return "KDC_ERR_PREAUTH_FAILED";
    case KRB5KDC_ERR_KEY_EXP:
        return "KDC_ERR_KEY_EXPIRED";
    case KRB5KRB_AP_ERR_SKEW:
        return "KRB_AP_ERR_SKEW";
    case KRB5KRB_AP_ERR_TKT_EXPIRED:
        return "KRB_AP_ERR_TKT_EXPIRED";
    case KRB5_KDC_UNREACH:
        return "KDC unreachable";
    default:
        return NULL;
    }
}

static adkcd_status
explained(char **out, struct adkcd_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static adkcd_status
explained(char **out, struct adkcd_err *err, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(out, fmt, ap);
    va_end(ap);
    if (n < 0) {
        *out = NULL;
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_s4u_explain(const struct adkcd_tgt *t, const struct adkcd_s4u_result *res,
                  char **text_out, struct adkcd_err *err)
{
    return adkcd_s4u_explain_facts(t->name, t->tkt.flags,
                                   t->from_ccache ? t->src_ccname : NULL, res,
                                   text_out, err);
}

adkcd_status
adkcd_s4u_explain_facts(const char *acct, unsigned tgt_flags,
                        const char *from_ccache,
                        const struct adkcd_s4u_result *res, char **text_out,
                        struct adkcd_err *err)
{
    krb5_error_code code;
    int inspected = res->self.tkt.client != NULL;

    *text_out = NULL;
    if (adkcd_s4u_ok(res))
        return ADKCD_OK;
    if (!res->self.done) {
        code = (krb5_error_code)res->self.code;
        if (code == KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN)
            return explained(text_out, err,
                             "the KDC knows no user %s: check the name "
                             "given to --impersonate",
                             res->user);
        if (code == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN)
            return explained(text_out, err,
                             "the KDC does not know %s as a service, so "
                             "it cannot issue a ticket to it: a user "
                             "account needs a servicePrincipalName of its "
                             "own for S4U2Self (adspn -S CLASS/HOST on it)",
                             acct);
        if (code == KRB5KDC_ERR_POLICY || code == KRB5KDC_ERR_CLIENT_REVOKED)
            return explained(
                text_out, err,
                "the KDC refuses to issue a ticket in the name of %s: the "
                "user is disabled, locked out or expired, or outside its "
                "logon hours%s%s%s",
                res->user, from_ccache != NULL ? "; or the TGT of " : "",
                from_ccache != NULL ? acct : "",
                from_ccache != NULL
                    ? " in the ccache is no longer honoured (the account "
                      "was disabled after kinit): try again with "
                      "--keytab or --password-stdin"
                    : "");
        return explained(text_out, err,
                         "S4U2Self failed: the KDC would not give %s a "
                         "ticket in the name of %s (%s)",
                         acct, res->user,
                         res->self.error ? res->self.error : "no reason");
    }
    code = (krb5_error_code)res->proxy.code;
    if (code == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN ||
        code == KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE)
        return explained(text_out, err,
                         "the KDC found no single account for %s: no "
                         "account holds this SPN (a typo?), or more than "
                         "one does (a duplicate SPN)",
                         res->service);
    if (code == KRB5KDC_ERR_BADOPTION && !(tgt_flags & ADKCD_TKT_FORWARDABLE)) {
        if (from_ccache != NULL)
            return explained(text_out, err,
                             "the TGT of %s in %s is not forwardable, so "
                             "neither is its S4U2Self ticket, and the KDC "
                             "refuses S4U2Proxy: get it with 'kinit -f' "
                             "(or forwardable = true in krb5.conf), or give "
                             "--keytab or --password-stdin, with which "
                             "adkcd asks for a forwardable one; if it is "
                             "still not forwardable, %s is marked "
                             "sensitive (NOT_DELEGATED)",
                             acct, from_ccache, acct);
        return explained(text_out, err,
                         "the TGT of %s is not forwardable although adkcd "
                         "asked for a forwardable one, so neither is its "
                         "S4U2Self ticket, and the KDC refuses S4U2Proxy: "
                         "the account is marked sensitive (NOT_DELEGATED), "
                         "or the KDC's policy forbids forwardable tickets",
                         acct);
    }
    if (code == KRB5KDC_ERR_BADOPTION && inspected &&
        !(res->self.tkt.flags & ADKCD_TKT_FORWARDABLE))
        return explained(text_out, err,
                         "the S4U2Self ticket is not forwardable, so the "
                         "KDC refuses S4U2Proxy: protocol transition "
                         "(TRUSTED_TO_AUTH_FOR_DELEGATION) is off on %s, "
                         "or %s is sensitive (NOT_DELEGATED) or in "
                         "Protected Users",
                         acct, res->user);
    if (code == KRB5KDC_ERR_BADOPTION && !inspected)
        return explained(text_out, err,
                         "the KDC refused S4U2Proxy to %s: the service is "
                         "not in the msDS-AllowedToDelegateTo of %s, or "
                         "the S4U2Self ticket (which could not be "
                         "inspected) is not forwardable: protocol "
                         "transition off, or %s sensitive or in Protected "
                         "Users",
                         res->service, acct, res->user);
    if (code == KRB5KDC_ERR_BADOPTION)
        return explained(text_out, err,
                         "the KDC refused S4U2Proxy to %s: the service is "
                         "not in the msDS-AllowedToDelegateTo of %s (nor "
                         "does the service's account allow %s by "
                         "resource-based delegation)",
                         res->service, acct, acct);
    return explained(text_out, err, "S4U2Proxy to %s failed: %s", res->service,
                     res->proxy.error ? res->proxy.error : "no reason");
}
