/* adkcd: the proof of a delegation with the KDC, step by step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/verify.h"

static const char *const step_names[ADKCD_VERIFY_NSTEPS] = {
    "tgt",
    "s4u2self",
    "s4u2proxy",
};

const char *
adkcd_verify_step_name(enum adkcd_verify_step s)
{
    return (unsigned)s < ADKCD_VERIFY_NSTEPS ? step_names[s] : "?";
}

const char *
adkcd_verify_outcome_name(enum adkcd_verify_outcome o)
{
    switch (o) {
    case ADKCD_VERIFY_OK:
        return "ok";
    case ADKCD_VERIFY_NOT_FORWARDABLE:
        return "not-forwardable";
    case ADKCD_VERIFY_FAILED:
        return "failed";
    default:
        return "not-tried";
    }
}

int
adkcd_verify_is_cause(const struct adkcd_finding *f)
{
    return f->verdict == ADKCD_FAIL || f->verdict == ADKCD_WARN;
}

size_t
adkcd_verify_ncauses(const struct adkcd_verify *v)
{
    size_t i, n = 0;

    if (!v->have_findings)
        return 0;
    for (i = 0; i < v->findings.n; i++)
        n += adkcd_verify_is_cause(&v->findings.v[i]) != 0;
    return n;
}

/* A ticket to show: NULL when none was read. */
static const struct adkcd_ticket *
shown(const struct adkcd_ticket *t)
{
    return t != NULL && t->client != NULL ? t : NULL;
}

void
adkcd_verify_steps(const struct adkcd_ticket *tgt, long tgt_code,
                   const char *tgt_error, const struct adkcd_s4u_result *res,
                   struct adkcd_verify_step_result steps[ADKCD_VERIFY_NSTEPS])
{
    struct adkcd_verify_step_result *t = &steps[ADKCD_VERIFY_TGT];
    struct adkcd_verify_step_result *s = &steps[ADKCD_VERIFY_S4U2SELF];
    struct adkcd_verify_step_result *p = &steps[ADKCD_VERIFY_S4U2PROXY];
    int ok = res != NULL && adkcd_s4u_ok(res);
    size_t i;

    memset(steps, 0, ADKCD_VERIFY_NSTEPS * sizeof(*steps));
    for (i = 0; i < ADKCD_VERIFY_NSTEPS; i++) {
        steps[i].id = (enum adkcd_verify_step)i;
        steps[i].outcome = ADKCD_VERIFY_NOT_TRIED;
        steps[i].verdict = ADKCD_SKIP;
    }
    if (tgt == NULL) {
        t->outcome = ADKCD_VERIFY_FAILED;
        t->verdict = ADKCD_FAIL;
        t->code = tgt_code;
        t->error = tgt_error;
        return;
    }
    /* S4U2Proxy needs a forwardable TGT. */
    t->ticket = shown(tgt);
    t->outcome = (tgt->flags & ADKCD_TKT_FORWARDABLE)
                     ? ADKCD_VERIFY_OK
                     : ADKCD_VERIFY_NOT_FORWARDABLE;
    t->verdict = t->outcome == ADKCD_VERIFY_OK ? ADKCD_PASS : ADKCD_FAIL;
    if (res == NULL)
        return;

    s->ticket = shown(&res->self.tkt);
    s->code = res->self.code;
    s->error = res->self.error;
    if (!res->self.done) {
        s->outcome = ADKCD_VERIFY_FAILED;
        s->verdict = ADKCD_FAIL;
    } else if (s->ticket != NULL &&
               !(s->ticket->flags & ADKCD_TKT_FORWARDABLE)) {
        /* A ticket whose flags could not be read counts as obtained; one
         * without the flag fails S4U2Proxy, unless the KDC gave the
         * service ticket all the same (resource-based delegation). */
        s->outcome = ADKCD_VERIFY_NOT_FORWARDABLE;
        s->verdict = ok ? ADKCD_WARN : ADKCD_FAIL;
    } else {
        s->outcome = ADKCD_VERIFY_OK;
        s->verdict = ADKCD_PASS;
    }

    if (!res->proxy_tried)
        return;
    p->ticket = shown(&res->proxy.tkt);
    p->code = res->proxy.code;
    p->error = res->proxy.error;
    p->outcome = res->proxy.done ? ADKCD_VERIFY_OK : ADKCD_VERIFY_FAILED;
    p->verdict = res->proxy.done ? ADKCD_PASS : ADKCD_FAIL;
}

adkcd_status
adkcd_verify_owner(const char *account, const struct adkcd_account *acct,
                   const char *principal, const char *name, int matches,
                   const char *directory_error, struct adkcd_err *err)
{
    if (acct == NULL) {
        if (matches)
            return ADKCD_OK;
        /* Only the directory could say whose ticket this is. */
        adkcd_err_set(err, ADKCD_E_USAGE,
                      "cannot tell whether the ticket of %s is %s's without "
                      "the directory (%s): give the principal",
                      principal, account,
                      directory_error ? directory_error : "not reachable");
        adkcd_err_hint(err, ADKCD_HINT_PRINCIPAL);
        return ADKCD_E_USAGE;
    }
    /* The keys must be ACCOUNT's, or the exchange proves nothing about
     * it. */
    if (strcasecmp(acct->sam, name) != 0) {
        adkcd_err_set(err, ADKCD_E_USAGE,
                      "the ticket is for %s, but %s is %s %s: give the keys "
                      "of %s, or its principal",
                      principal, account, adkcd_account_class(acct), acct->sam,
                      acct->sam);
        adkcd_err_hint(err, ADKCD_HINT_CREDENTIALS | ADKCD_HINT_PRINCIPAL);
        return ADKCD_E_USAGE;
    }
    return ADKCD_OK;
}

static void
set_steps(struct adkcd_verify *v)
{
    adkcd_verify_steps(adkcd_creds_ticket(v->tgt), 0, NULL,
                       v->stopped == ADKCD_VERIFY_RAN ? &v->s4u : NULL,
                       v->steps);
}

adkcd_status
adkcd_verify_tgt(const struct adkcd_verify_opts *o, struct adkcd_verify *v,
                 struct adkcd_err *err)
{
    struct adkcd_creds_opts co;
    adkcd_status st;

    memset(v, 0, sizeof(*v));
    memset(&co, 0, sizeof(co));
    co.account = o->account;
    co.kind = o->kind;
    co.principal = o->principal;
    co.keytab = o->keytab;
    co.password = o->password;
    /* The KDC is waited for as long as the directory is (--timeout). */
    co.timeout = o->conn != NULL ? o->conn->timeout : 0;
    /* The exchange is made afresh with the TGT alone, and adds nothing to
     * the caller's ccache. */
    co.own_ccache = 1;
    st = adkcd_creds_acquire(&co, &v->tgt, err);
    if (st != ADKCD_OK) {
        v->stopped = ADKCD_VERIFY_STOP_TGT;
        v->tgt_error = strdup(err != NULL ? err->msg : "");
        adkcd_verify_steps(NULL, err != NULL ? err->krb5_rc : 0, v->tgt_error,
                           NULL, v->steps);
        return st;
    }
    set_steps(v);
    return ADKCD_OK;
}

/* Step 2: the directory, read as the delegating account: ACCOUNT, whose
 * the TGT must be, and the user's name for S4U2Self.  Out of reach: noted
 * in v->directory_error, and the exchange goes on. */
static adkcd_status
read_directory(const struct adkcd_verify_opts *o, struct adkcd_verify *v,
               struct adkcd_err *err)
{
    struct adkcd_conn_opts co;
    struct adkcd_err e2;
    adkcd_status st;

    memset(&co, 0, sizeof(co));
    if (o->conn != NULL)
        co = *o->conn;
    co.keytab = NULL;
    co.password = NULL;
    co.principal = NULL;
    co.ccache = adkcd_creds_ccache(v->tgt);
    adkcd_err_clear(&e2);
    if (adkcd_conn_open(&co, o->log, o->log_ctx, &v->conn, &e2) != ADKCD_OK) {
        v->directory_error = strdup(e2.msg);
        if (v->directory_error == NULL)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        return ADKCD_OK;
    }
    st = adkcd_account_resolve(v->conn, o->account, o->kind, &v->account, err);
    if (st != ADKCD_OK) {
        v->stopped = ADKCD_VERIFY_STOP_ACCOUNT;
        return st;
    }
    /* The user: S4U2Self wants its principal name, sAMAccountName@REALM.
     * Not found: the name as given, and the KDC will say. */
    adkcd_kcd_resolve_user(v->conn, o->user, &v->user_account, &e2);
    return ADKCD_OK;
}

/* The S4U2Self ticket, S4U2Proxy's evidence: 1 forwardable, 0 not, -1
 * when its flags could not be read. */
static int
evidence_fwd(const struct adkcd_verify *v)
{
    const struct adkcd_ticket *t = &v->s4u.self.tkt;

    if (!v->s4u.self.done || t->client == NULL)
        return -1;
    return (t->flags & ADKCD_TKT_FORWARDABLE) != 0;
}

/* The name S4U2Self asks for: the directory's sAMAccountName@REALM, or
 * the name as given. */
static char *
user_principal(const struct adkcd_verify_opts *o, const struct adkcd_verify *v)
{
    const char *realm = adkcd_creds_realm(v->tgt);
    size_t n;
    char *s;

    if (v->user_account == NULL)
        return strdup(o->user);
    n = strlen(v->user_account->sam) + strlen(realm) + 2;
    s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s@%s", v->user_account->sam, realm);
    return s;
}

adkcd_status
adkcd_verify_run(const struct adkcd_verify_opts *o, struct adkcd_verify *v,
                 struct adkcd_err *err)
{
    struct adkcd_kcd_check_opts ko;
    struct adkcd_err e2;
    adkcd_status st;
    char *user = NULL;

    if (v->tgt == NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "adkcd_verify_run() needs the TGT of "
                             "adkcd_verify_tgt()");
    if (o->user == NULL || o->service == NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "verify needs a user to impersonate and a "
                             "service");
    /* 2. The directory, as that account; the TGT must be ACCOUNT's. */
    st = read_directory(o, v, err);
    if (st != ADKCD_OK)
        goto stopped;
    st = adkcd_verify_owner(
        o->account, v->account, adkcd_creds_principal(v->tgt),
        adkcd_creds_name(v->tgt), adkcd_creds_matches_account(v->tgt),
        v->directory_error, err);
    if (st != ADKCD_OK) {
        v->stopped = ADKCD_VERIFY_STOP_OWNER;
        goto stopped;
    }

    /* 3. S4U2Self and S4U2Proxy, and what the answers mean. */
    user = user_principal(o, v);
    if (user == NULL) {
        st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        v->stopped = ADKCD_VERIFY_STOP_EXCHANGE;
        goto stopped;
    }
    st = adkcd_s4u_run(v->tgt, user, o->service, &v->s4u, err);
    free(user);
    if (st == ADKCD_OK)
        st = adkcd_s4u_explain(v->tgt, &v->s4u, &v->why, &v->why_hints, err);
    if (st != ADKCD_OK) {
        v->stopped = ADKCD_VERIFY_STOP_EXCHANGE;
        goto stopped;
    }
    v->ok = adkcd_s4u_ok(&v->s4u);
    set_steps(v);

    /* 4. What the directory says: the causes, or notes after a success.
     * A failed read is noted, not an error: the exchange's result
     * stands. */
    if (v->conn != NULL) {
        memset(&ko, 0, sizeof(ko));
        ko.service = o->service;
        ko.impersonate = o->user;
        ko.need_protocol_transition = 1; /* S4U2Self is protocol
                                          * transition */
        ko.user_account = v->user_account;
        adkcd_err_clear(&e2);
        if (adkcd_kcd_check(v->conn, v->account, &ko, &v->findings, &e2) ==
            ADKCD_OK) {
            v->have_findings = 1;
            if (v->ok)
                v->via = adkcd_kcd_via(v->findings.allows, evidence_fwd(v));
        } else {
            v->directory_error = strdup(e2.msg);
            if (v->directory_error == NULL)
                return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        }
    }
    return ADKCD_OK;
stopped:
    set_steps(v);
    return st;
}

void
adkcd_verify_clear(struct adkcd_verify *v)
{
    if (v == NULL)
        return;
    adkcd_s4u_result_clear(&v->s4u);
    adkcd_findings_clear(&v->findings);
    adkcd_account_free(v->account);
    adkcd_account_free(v->user_account);
    adkcd_conn_free(v->conn);
    adkcd_creds_free(v->tgt);
    free(v->directory_error);
    free(v->why);
    free(v->tgt_error);
    memset(v, 0, sizeof(*v));
}
