/*
 * adkcd check and verify: does a constrained delegation work?  check asks
 * the directory (kcdcheck.h); verify makes the real Kerberos exchange as
 * the delegating account (s4u.h) and, when it fails, asks the directory
 * why.  Parsing and printing only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd.h"
#include "adkcd/account.h"
#include "adkcd/kcdcheck.h"
#include "adkcd/s4u.h"
#include "adkcd/spn.h"

/* Exit status when the delegation does not work (a check failed, or the
 * KDC refused a step): "refused". */
#define EXIT_DOES_NOT_WORK CLI_EXIT_REFUSED

/* ACCOUNT and SERVICE, checked before anything is sent. */
static int
target_args(struct cli_common *c, struct args *a, int need_user)
{
    struct adkcd_err err;
    struct adkcd_spn *spn = NULL;

    adkcd_err_clear(&err);
    if (a->npos != 2)
        return cli_usage_error(c,
                               "%s takes ACCOUNT and SERVICE (e.g. %s "
                               "tmg http/iosmdm.mydom.local%s)",
                               a->verb, a->verb,
                               need_user ? " --impersonate alice" : "");
    if (need_user && a->impersonate == NULL)
        return cli_usage_error(c, "verify needs --impersonate USER: the "
                                  "user whose ticket ACCOUNT asks for "
                                  "(S4U2Self)");
    if (adkcd_account_check_name(a->pos[0], strlen(a->pos[0]), &err) !=
        ADKCD_OK)
        return cli_fail(c, &err);
    if (a->impersonate != NULL &&
        adkcd_account_check_name(a->impersonate, strlen(a->impersonate),
                                 &err) != ADKCD_OK) {
        adkcd_err_prefix(&err, "--impersonate");
        return cli_fail(c, &err);
    }
    if (adkcd_spn_parse(a->pos[1], &spn, &err) != ADKCD_OK) {
        adkcd_err_prefix(&err, "SERVICE");
        return cli_fail(c, &err);
    }
    adkcd_spn_free(spn);
    return 0;
}

/* ---- findings ------------------------------------------------------ */

static json_t *
json_finding(const struct adkcd_finding *f)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_string(f->id));
    json_object_set_new(o, "verdict",
                        json_string(adkcd_verdict_name(f->verdict)));
    json_object_set_new(o, "message", json_string(f->message));
    json_object_set_new(o, "fix", f->fix ? json_string(f->fix) : json_null());
    return o;
}

static json_t *
json_findings(const struct adkcd_findings *fs, int only_problems)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; fs != NULL && i < fs->n; i++) {
        const struct adkcd_finding *f = &fs->v[i];

        if (only_problems && f->verdict != ADKCD_FAIL &&
            f->verdict != ADKCD_WARN)
            continue;
        json_array_append_new(arr, json_finding(f));
    }
    return arr;
}

static json_t *
json_counts(const struct adkcd_findings *fs)
{
    json_t *o = json_object();
    enum adkcd_verdict v;

    for (v = ADKCD_PASS; v <= ADKCD_SKIP; v++)
        json_object_set_new(
            o, adkcd_verdict_name(v),
            json_integer((json_int_t)adkcd_findings_count(fs, v)));
    return o;
}

static const char *
verdict_label(enum adkcd_verdict v)
{
    switch (v) {
    case ADKCD_PASS:
        return "pass";
    case ADKCD_WARN:
        return "WARN";
    case ADKCD_FAIL:
        return "FAIL";
    default:
        return "skip";
    }
}

static void
print_finding(const struct adkcd_finding *f, int as_note)
{
    printf("  %-5s %-20s ", as_note ? "note" : verdict_label(f->verdict),
           f->id);
    cli_put_safe(stdout, f->message);
    printf("\n");
    if (f->fix != NULL) {
        printf("        fix: ");
        cli_put_safe(stdout, f->fix);
        printf("\n");
    }
}

/* ---- check --------------------------------------------------------- */

int
cmd_check(struct cli_common *c, struct args *a)
{
    struct adkcd_conn *conn = NULL;
    struct adkcd_account *acct = NULL;
    struct adkcd_findings fs = {NULL, 0};
    struct adkcd_kcd_check_opts o;
    struct adkcd_err err;
    size_t i, nfail, nwarn;
    int rc;

    adkcd_err_clear(&err);
    rc = front_only_for(c, a, 0, 0, 0, 1, 0);
    if (rc == 0)
        rc = target_args(c, a, 0);
    if (rc != 0)
        return rc;
    rc = front_connect(c, &conn);
    if (rc != 0)
        return rc;
    if (adkcd_account_resolve(conn, a->pos[0], a->kind, &acct, &err) !=
        ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto done;
    }
    memset(&o, 0, sizeof(o));
    o.service = a->pos[1];
    o.impersonate = a->impersonate;
    /* With a user, the question is "can ACCOUNT impersonate USER", which
     * is S4U2Self: protocol transition is then required. */
    o.need_protocol_transition = a->impersonate != NULL;
    if (adkcd_kcd_check(conn, acct, &o, &fs, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto done;
    }
    nfail = adkcd_findings_count(&fs, ADKCD_FAIL);
    nwarn = adkcd_findings_count(&fs, ADKCD_WARN);
    rc = nfail ? EXIT_DOES_NOT_WORK : CLI_EXIT_OK;
    if (c->json) {
        json_t *doc = cli_json_doc(c, "check");

        json_object_set_new(doc, "account", cli_json_account(acct));
        json_object_set_new(doc, "service", json_string(a->pos[1]));
        json_object_set_new(doc, "user",
                            a->impersonate ? json_string(a->impersonate)
                                           : json_null());
        json_object_set_new(doc, "ok", json_boolean(nfail == 0));
        json_object_set_new(doc, "counts", json_counts(&fs));
        json_object_set_new(doc, "findings", json_findings(&fs, 0));
        cli_json_print(doc);
        goto done;
    }
    printf("check: %s -> ", acct->sam);
    cli_put_safe(stdout, a->pos[1]);
    if (a->impersonate != NULL) {
        printf(", impersonating ");
        cli_put_safe(stdout, a->impersonate);
    }
    printf(" (from the directory)\n");
    for (i = 0; i < fs.n; i++)
        print_finding(&fs.v[i], 0);
    printf("result: %zu failed, %zu warning%s, %zu passed: %s\n", nfail, nwarn,
           nwarn == 1 ? "" : "s", adkcd_findings_count(&fs, ADKCD_PASS),
           nfail   ? "the delegation will not work"
           : nwarn ? "nothing stops the delegation; see the warnings"
                   : "nothing stops the delegation");
done:
    adkcd_findings_clear(&fs);
    adkcd_account_free(acct);
    adkcd_conn_free(conn);
    return rc;
}

/* ---- verify -------------------------------------------------------- */

static json_t *
json_ticket(const struct adkcd_ticket *t)
{
    json_t *o = json_object(), *flags = json_array();
    char buf[256], *p, *save = NULL;

    adkcd_ticket_flags_text(t->flags, buf, sizeof(buf));
    for (p = strtok_r(buf, ", ", &save); p != NULL;
         p = strtok_r(NULL, ", ", &save)) {
        if (strcmp(p, "none") != 0)
            json_array_append_new(flags, json_string(p));
    }
    json_object_set_new(o, "client", json_string(t->client));
    json_object_set_new(o, "server", json_string(t->server));
    json_object_set_new(o, "flags", flags);
    json_object_set_new(o, "forwardable",
                        json_boolean(t->flags & ADKCD_TKT_FORWARDABLE));
    json_object_set_new(o, "enctype", json_string(t->enctype));
    json_object_set_new(o, "end", json_integer(t->end));
    return o;
}

/* One step of the exchange as JSON: "ok", "ticket", "error", "code". */
static json_t *
json_step(const char *name, const char *result, const struct adkcd_ticket *t,
          long code, const char *error)
{
    json_t *o = json_object();
    const char *kname = adkcd_krb5_error_name(code);

    json_object_set_new(o, "step", json_string(name));
    json_object_set_new(o, "result", json_string(result));
    json_object_set_new(o, "ticket",
                        t != NULL && t->client != NULL ? json_ticket(t)
                                                       : json_null());
    json_object_set_new(o, "error", error ? json_string(error) : json_null());
    json_object_set_new(o, "error_code",
                        code ? json_integer(code) : json_null());
    json_object_set_new(o, "error_name",
                        kname ? json_string(kname) : json_null());
    return o;
}

static void
print_ticket(const struct adkcd_ticket *t)
{
    char flags[256];

    adkcd_ticket_flags_text(t->flags, flags, sizeof(flags));
    cli_put_safe(stdout, t->client);
    printf(" -> ");
    cli_put_safe(stdout, t->server);
    printf(": %s%s (%s)",
           (t->flags & ADKCD_TKT_FORWARDABLE) ? "" : "NOT forwardable; flags ",
           flags, t->enctype);
}

static void
print_step(const char *label, const char *name, const char *result,
           const struct adkcd_ticket *t, long code, const char *error)
{
    printf("  %-5s %-10s ", label, name);
    if (t != NULL && t->client != NULL) {
        print_ticket(t);
    } else if (error != NULL) {
        const char *kname = adkcd_krb5_error_name(code);

        printf("the KDC said: ");
        cli_put_safe(stdout, error);
        if (kname != NULL)
            printf(" (%s)", kname);
    } else {
        printf("%s", result);
    }
    printf("\n");
}

struct verify_run {
    struct cli_common *c;
    struct args *a;
    struct adkcd_tgt *tgt;
    struct adkcd_conn *conn;
    struct adkcd_account *acct;
    struct adkcd_account *user_acct; /* the user, when the directory has it */
    char *user;                      /* the name used for S4U2Self */
    char *ldap_error; /* why the directory could not be read, or NULL */
    struct adkcd_s4u_result res;
    struct adkcd_findings fs;
    int have_findings;
    char *why;
};

static void
verify_run_free(struct verify_run *r)
{
    adkcd_s4u_result_clear(&r->res);
    adkcd_findings_clear(&r->fs);
    adkcd_account_free(r->acct);
    adkcd_account_free(r->user_acct);
    adkcd_conn_free(r->conn);
    adkcd_tgt_free(r->tgt);
    free(r->user);
    free(r->ldap_error);
    free(r->why);
}

/* The directory, read as the delegating account: the account itself, the
 * user's name for S4U2Self.  A failure here does not stop the exchange. */
static int
verify_directory(struct verify_run *r)
{
    struct cli_common *c = r->c;
    struct adkcd_conn_opts o = c->conn;
    struct adkcd_err err;
    size_t n;

    adkcd_err_clear(&err);
    o.keytab = NULL;
    o.password = NULL;
    o.principal = NULL;
    o.ccache = adkcd_tgt_ccache(r->tgt);
    if (adkcd_conn_open(&o, cli_log, c, &r->conn, &err) != ADKCD_OK) {
        r->ldap_error = strdup(err.msg);
        return 0;
    }
    if (adkcd_account_resolve(r->conn, r->a->pos[0], r->a->kind, &r->acct,
                              &err) != ADKCD_OK)
        return cli_fail(c, &err);
    /* The keys must be ACCOUNT's, or the exchange proves nothing about
     * it. */
    if (strcasecmp(r->acct->sam, adkcd_tgt_name(r->tgt)) != 0) {
        adkcd_err_set(&err, ADKCD_E_USAGE,
                      "the ticket is for %s, but %s is %s %s: give the "
                      "keys of %s (--keytab, --password-stdin or "
                      "--principal)",
                      adkcd_tgt_principal(r->tgt), r->a->pos[0],
                      adkcd_account_class(r->acct), r->acct->sam, r->acct->sam);
        return cli_fail(c, &err);
    }
    /* S4U2Self wants the user's principal name: sAMAccountName@REALM.
     * Not found: the name as given, and the KDC will say. */
    if (adkcd_kcd_resolve_user(r->conn, r->a->impersonate, &r->user_acct,
                               &err) == ADKCD_OK) {
        const struct adkcd_account *u = r->user_acct;

        n = strlen(u->sam) + strlen(adkcd_tgt_realm(r->tgt)) + 2;
        r->user = malloc(n);
        if (r->user == NULL)
            return front_nomem(c);
        snprintf(r->user, n, "%s@%s", u->sam, adkcd_tgt_realm(r->tgt));
    }
    return 0;
}

/* The outcome of the TGT and S4U2Self steps, for text and JSON alike:
 * "ok", "not-forwardable" (a ticket, without the flag), "failed". */
static const char *
tgt_result(const struct adkcd_ticket *tgt)
{
    return (tgt->flags & ADKCD_TKT_FORWARDABLE) ? "ok" : "not-forwardable";
}

static const char *
self_result(const struct adkcd_s4u_result *res)
{
    if (!res->self.done)
        return "failed";
    /* A ticket whose flags could not be read counts as obtained. */
    if (res->self.tkt.client != NULL &&
        !(res->self.tkt.flags & ADKCD_TKT_FORWARDABLE))
        return "not-forwardable";
    return "ok";
}

static void
verify_print(struct verify_run *r, int ok)
{
    const struct adkcd_ticket *tgt = adkcd_tgt_ticket(r->tgt);
    const struct adkcd_s4u_result *res = &r->res;
    size_t i;

    printf("verify: %s -> ", adkcd_tgt_name(r->tgt));
    cli_put_safe(stdout, r->a->pos[1]);
    printf(", impersonating ");
    cli_put_safe(stdout, res->user);
    printf("\n");
    print_step(strcmp(tgt_result(tgt), "ok") == 0 ? "ok" : "FAIL", "TGT", "",
               tgt, 0, NULL);
    print_step(strcmp(self_result(res), "ok") == 0       ? "ok"
               : strcmp(self_result(res), "failed") == 0 ? "FAIL"
               : ok                                      ? "WARN"
                                                         : "FAIL",
               "S4U2Self", "ticket obtained (its flags could not be read)",
               &res->self.tkt, res->self.code, res->self.error);
    if (res->proxy_tried)
        print_step(res->proxy.done ? "ok" : "FAIL", "S4U2Proxy",
                   "service ticket obtained", &res->proxy.tkt, res->proxy.code,
                   res->proxy.error);
    else
        printf("  %-5s %-10s not tried: S4U2Self failed\n", "-", "S4U2Proxy");
    if (ok) {
        printf("result: the delegation works: %s obtained a service ticket "
               "for ",
               adkcd_tgt_name(r->tgt));
        cli_put_safe(stdout, r->a->pos[1]);
        printf(" in the name of ");
        cli_put_safe(stdout, res->user);
        printf("\n");
    } else {
        printf("result: the delegation does not work\nwhy: ");
        cli_put_safe(stdout, r->why ? r->why : "unknown");
        printf("\n");
    }
    if (r->ldap_error != NULL) {
        printf("the directory could not be read, so no cause is "
               "pinpointed: ");
        cli_put_safe(stdout, r->ldap_error);
        printf("\n");
        return;
    }
    if (!r->have_findings)
        return;
    if (adkcd_findings_count(&r->fs, ADKCD_FAIL) +
            adkcd_findings_count(&r->fs, ADKCD_WARN) ==
        0) {
        if (!ok)
            printf("the directory shows no cause (a KDC policy, or a "
                   "change not yet replicated to the KDC that answered?)\n");
        return;
    }
    /* After a success a failed check is not a failure here (this KDC
     * issued the ticket), but may be on another (Protected Users on a
     * Windows DC): a note. */
    printf(ok ? "notes from the directory (checks that warn or fail, "
                "though this KDC issued the ticket):\n"
              : "from the directory:\n");
    for (i = 0; i < r->fs.n; i++) {
        if (r->fs.v[i].verdict == ADKCD_FAIL ||
            r->fs.v[i].verdict == ADKCD_WARN)
            print_finding(&r->fs.v[i], ok);
    }
}

static void
verify_json(struct verify_run *r, int ok)
{
    const struct adkcd_ticket *tgt = adkcd_tgt_ticket(r->tgt);
    const struct adkcd_s4u_result *res = &r->res;
    json_t *doc = cli_json_doc(r->c, "verify"), *steps = json_array();

    json_object_set_new(doc, "account",
                        r->acct ? cli_json_account(r->acct) : json_null());
    json_object_set_new(doc, "principal",
                        json_string(adkcd_tgt_principal(r->tgt)));
    json_object_set_new(doc, "service", json_string(r->a->pos[1]));
    json_object_set_new(doc, "user", json_string(res->user));
    json_object_set_new(doc, "ok", json_boolean(ok));
    json_array_append_new(steps,
                          json_step("tgt", tgt_result(tgt), tgt, 0, NULL));
    json_array_append_new(steps, json_step("s4u2self", self_result(res),
                                           &res->self.tkt, res->self.code,
                                           res->self.error));
    json_array_append_new(steps, json_step("s4u2proxy",
                                           !res->proxy_tried ? "not-tried"
                                           : res->proxy.done ? "ok"
                                                             : "failed",
                                           &res->proxy.tkt, res->proxy.code,
                                           res->proxy.error));
    json_object_set_new(doc, "steps", steps);
    json_object_set_new(doc, "why", r->why ? json_string(r->why) : json_null());
    json_object_set_new(doc, "directory_error",
                        r->ldap_error ? json_string(r->ldap_error)
                                      : json_null());
    json_object_set_new(doc, "causes",
                        r->have_findings ? json_findings(&r->fs, 1)
                                         : json_array());
    cli_json_print(doc);
}

/* The TGT could not be had: say so as the first step and stop. */
static int
verify_no_tgt(struct cli_common *c, struct args *a, const struct adkcd_err *err)
{
    if (c->json) {
        json_t *extra = json_object(), *steps = json_array(),
               *step = json_step("tgt", "failed", NULL, err->krb5_rc, err->msg);

        json_array_append_new(steps, step);
        json_object_set_new(extra, "service", json_string(a->pos[1]));
        json_object_set_new(extra, "ok", json_false());
        json_object_set_new(extra, "steps", steps);
        return cli_fail_with(c, err, NULL, extra);
    }
    printf("verify: %s -> ", a->pos[0]);
    cli_put_safe(stdout, a->pos[1]);
    printf("\n  %-5s %-10s ", "FAIL", "TGT");
    cli_put_safe(stdout, err->msg);
    printf("\nresult: no ticket-granting ticket for %s, so nothing could "
           "be tried\n",
           a->pos[0]);
    return cli_fail(c, err);
}

int
cmd_verify(struct cli_common *c, struct args *a)
{
    struct verify_run r;
    struct adkcd_tgt_opts to;
    struct adkcd_kcd_check_opts ko;
    struct adkcd_err err;
    adkcd_status st;
    int rc, ok;

    memset(&r, 0, sizeof(r));
    r.c = c;
    r.a = a;
    adkcd_err_clear(&err);
    rc = front_only_for(c, a, 0, 0, 0, 1, 0);
    if (rc == 0)
        rc = target_args(c, a, 1);
    if (rc != 0)
        return rc;

    /* 1. The delegating account's TGT. */
    memset(&to, 0, sizeof(to));
    to.account = a->pos[0];
    to.principal = c->conn.principal;
    to.keytab = c->conn.keytab;
    to.password = c->password;
    to.kind = a->kind;
    st = adkcd_tgt_acquire(&to, &r.tgt, &err);
    /* The password has done its work: wipe it now, not at exit. */
    cli_common_free(c);
    if (st != ADKCD_OK)
        return verify_no_tgt(c, a, &err);

    /* 2. The directory, as that account. */
    rc = verify_directory(&r);
    if (rc != 0)
        goto done;
    if (r.conn == NULL && !adkcd_tgt_matches_account(r.tgt)) {
        /* Only the directory could say whose ticket this is. */
        adkcd_err_set(&err, ADKCD_E_USAGE,
                      "cannot tell whether the ticket of %s is %s's "
                      "without the directory (%s): give --principal",
                      adkcd_tgt_principal(r.tgt), a->pos[0],
                      r.ldap_error ? r.ldap_error : "not reachable");
        rc = cli_fail(c, &err);
        goto done;
    }

    /* 3. S4U2Self and S4U2Proxy. */
    st = adkcd_s4u_run(r.tgt, r.user ? r.user : a->impersonate, a->pos[1],
                       &r.res, &err);
    if (st != ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto done;
    }
    ok = adkcd_s4u_ok(&r.res);
    if (adkcd_s4u_explain(r.tgt, &r.res, &r.why, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto done;
    }

    /* 4. What the directory says (the causes, or notes on success). */
    if (r.conn != NULL) {
        memset(&ko, 0, sizeof(ko));
        ko.service = a->pos[1];
        ko.impersonate = a->impersonate;
        ko.need_protocol_transition = 1;
        ko.user_account = r.user_acct;
        if (adkcd_kcd_check(r.conn, r.acct, &ko, &r.fs, &err) == ADKCD_OK) {
            r.have_findings = 1;
        } else {
            r.ldap_error = strdup(err.msg);
            adkcd_err_clear(&err);
        }
    }
    if (c->json)
        verify_json(&r, ok);
    else
        verify_print(&r, ok);
    rc = ok ? CLI_EXIT_OK : EXIT_DOES_NOT_WORK;
done:
    verify_run_free(&r);
    return rc;
}
