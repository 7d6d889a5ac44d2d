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
#include "adkcd/spn.h"
#include "adkcd/verify.h"

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

    json_object_set_new(o, "id", cli_json_text(f->id));
    json_object_set_new(o, "verdict",
                        cli_json_text(adkcd_verdict_name(f->verdict)));
    json_object_set_new(o, "message", cli_json_text(f->message));
    front_json_fix(o, &f->fix);
    return o;
}

static json_t *
json_findings(const struct adkcd_findings *fs, int only_problems)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; fs != NULL && i < fs->n; i++) {
        const struct adkcd_finding *f = &fs->v[i];

        if (only_problems && !adkcd_verify_is_cause(f))
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
    cli_printf(stdout, "  %-5s %-20s ",
               as_note ? "note" : verdict_label(f->verdict), f->id);
    cli_put_safe(stdout, f->message);
    cli_printf(stdout, "\n");
    front_print_fix(&f->fix);
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
    int rc = 0;

    adkcd_err_clear(&err);
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
        json_object_set_new(doc, "service", cli_json_text(a->pos[1]));
        json_object_set_new(doc, "user",
                            a->impersonate ? cli_json_text(a->impersonate)
                                           : json_null());
        json_object_set_new(doc, "ok", json_boolean(nfail == 0));
        json_object_set_new(doc, "counts", json_counts(&fs));
        json_object_set_new(doc, "findings", json_findings(&fs, 0));
        cli_json_print(doc);
        goto done;
    }
    cli_printf(stdout, "check: %s -> ", acct->sam);
    cli_put_safe(stdout, a->pos[1]);
    if (a->impersonate != NULL) {
        cli_printf(stdout, ", impersonating ");
        cli_put_safe(stdout, a->impersonate);
    }
    cli_printf(stdout, " (from the directory)\n");
    for (i = 0; i < fs.n; i++)
        print_finding(&fs.v[i], 0);
    cli_printf(stdout, "result: %zu failed, %zu warning%s, %zu passed: %s\n",
               nfail, nwarn, nwarn == 1 ? "" : "s",
               adkcd_findings_count(&fs, ADKCD_PASS),
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
            json_array_append_new(flags, cli_json_text(p));
    }
    json_object_set_new(o, "client", cli_json_text(t->client));
    json_object_set_new(o, "server", cli_json_text(t->server));
    json_object_set_new(o, "flags", flags);
    json_object_set_new(o, "forwardable",
                        json_boolean(t->flags & ADKCD_TKT_FORWARDABLE));
    json_object_set_new(o, "enctype", cli_json_text(t->enctype));
    json_object_set_new(o, "end", json_integer(t->end));
    return o;
}

/* One step of the exchange as JSON: "ok", "ticket", "error", "code". */
static json_t *
json_step(const struct adkcd_verify_step_result *s)
{
    json_t *o = json_object();
    const char *kname = adkcd_krb5_error_name(s->code);

    json_object_set_new(o, "step",
                        cli_json_text(adkcd_verify_step_name(s->id)));
    json_object_set_new(o, "result",
                        cli_json_text(adkcd_verify_outcome_name(s->outcome)));
    json_object_set_new(
        o, "ticket", s->ticket != NULL ? json_ticket(s->ticket) : json_null());
    json_object_set_new(o, "error",
                        s->error ? cli_json_text(s->error) : json_null());
    json_object_set_new(o, "error_code",
                        s->code ? json_integer(s->code) : json_null());
    json_object_set_new(o, "error_name",
                        kname ? cli_json_text(kname) : json_null());
    return o;
}

static void
print_ticket(const struct adkcd_ticket *t)
{
    char flags[256];

    adkcd_ticket_flags_text(t->flags, flags, sizeof(flags));
    cli_put_safe(stdout, t->client);
    cli_printf(stdout, " -> ");
    cli_put_safe(stdout, t->server);
    cli_printf(stdout, ": %s%s (%s)",
               (t->flags & ADKCD_TKT_FORWARDABLE) ? ""
                                                  : "NOT forwardable; flags ",
               flags, t->enctype);
}

/* A step's label and name in text. */
static const char *
step_label(enum adkcd_verdict v)
{
    switch (v) {
    case ADKCD_PASS:
        return "ok";
    case ADKCD_WARN:
        return "WARN";
    case ADKCD_FAIL:
        return "FAIL";
    default:
        return "-";
    }
}

static const char *const step_text_names[ADKCD_VERIFY_NSTEPS] = {
    "TGT",
    "S4U2Self",
    "S4U2Proxy",
};

/* What a step came to when there is neither a ticket to show nor the
 * KDC's word. */
static const char *
step_text(const struct adkcd_verify_step_result *s)
{
    if (s->outcome == ADKCD_VERIFY_NOT_TRIED)
        return "not tried: S4U2Self failed";
    if (s->id == ADKCD_VERIFY_S4U2SELF)
        return "ticket obtained (its flags could not be read)";
    if (s->id == ADKCD_VERIFY_S4U2PROXY)
        return "service ticket obtained";
    return "";
}

static void
print_step(const struct adkcd_verify_step_result *s)
{
    cli_printf(stdout, "  %-5s %-10s ", step_label(s->verdict),
               step_text_names[s->id]);
    if (s->ticket != NULL) {
        print_ticket(s->ticket);
    } else if (s->error != NULL) {
        const char *kname = adkcd_krb5_error_name(s->code);

        cli_printf(stdout, "the KDC said: ");
        cli_put_safe(stdout, s->error);
        if (kname != NULL)
            cli_printf(stdout, " (%s)", kname);
    } else {
        cli_printf(stdout, "%s", step_text(s));
    }
    cli_printf(stdout, "\n");
}

/* Which delegation let S4U2Proxy through: the library's inference from
 * the directory (the KDC does not say). */
static void
print_via(const struct adkcd_verify *v, const char *service)
{
    const char *acct = adkcd_creds_name(v->tgt);

    if (!v->ok || !v->have_findings)
        return;
    cli_printf(stdout, "via: ");
    switch (v->via) {
    case ADKCD_KCD_VIA_CONSTRAINED:
        cli_printf(stdout,
                   "constrained delegation (inferred from the directory: "
                   "the KDC does not say): ");
        cli_put_safe(stdout, service);
        cli_printf(stdout, " is in the msDS-AllowedToDelegateTo of %s", acct);
        break;
    case ADKCD_KCD_VIA_RESOURCE_BASED:
        cli_printf(stdout,
                   "resource-based delegation (inferred from the directory: "
                   "the KDC does not say): the "
                   "msDS-AllowedToActOnBehalfOfOtherIdentity of the "
                   "service's account allows %s, and ",
                   acct);
        if (v->findings.allows & ADKCD_KCD_ALLOWS_CONSTRAINED) {
            cli_printf(stdout,
                       "its msDS-AllowedToDelegateTo lists the service too, "
                       "but takes only a forwardable S4U2Self ticket, which "
                       "this one was not");
        } else {
            cli_put_safe(stdout, service);
            cli_printf(stdout, " is not in its msDS-AllowedToDelegateTo");
        }
        break;
    case ADKCD_KCD_VIA_EITHER:
        cli_printf(stdout,
                   "constrained or resource-based delegation: both allow %s "
                   "(the msDS-AllowedToDelegateTo of %s, and the "
                   "msDS-AllowedToActOnBehalfOfOtherIdentity of the "
                   "service's account), and the KDC does not say which it "
                   "used: Windows KDCs try msDS-AllowedToDelegateTo first, "
                   "Samba's (4.22, as tested) resource-based delegation",
                   acct, acct);
        break;
    default:
        cli_printf(stdout,
                   "unknown: the directory does not explain it (neither "
                   "msDS-AllowedToDelegateTo with a forwardable S4U2Self "
                   "ticket nor resource-based delegation allows %s: changed "
                   "since, or not yet replicated to the DC read?)",
                   acct);
        break;
    }
    cli_printf(stdout, "\n");
}

static void
verify_print(const struct cli_common *c, const struct adkcd_verify *v,
             const char *service)
{
    size_t i;

    cli_printf(stdout, "verify: %s -> ", adkcd_creds_name(v->tgt));
    cli_put_safe(stdout, service);
    cli_printf(stdout, ", impersonating ");
    cli_put_safe(stdout, v->s4u.user);
    cli_printf(stdout, "\n");
    for (i = 0; i < ADKCD_VERIFY_NSTEPS; i++)
        print_step(&v->steps[i]);
    if (v->ok) {
        cli_printf(stdout,
                   "result: the delegation works: %s obtained a service ticket "
                   "for ",
                   adkcd_creds_name(v->tgt));
        cli_put_safe(stdout, service);
        cli_printf(stdout, " in the name of ");
        cli_put_safe(stdout, v->s4u.user);
        cli_printf(stdout, "\n");
    } else {
        cli_printf(stdout, "result: the delegation does not work\nwhy: ");
        cli_put_safe(stdout, v->why ? v->why : "unknown");
        cli_printf(stdout, "\n");
        cli_print_hints(c, stdout, "", v->why_hints);
    }
    print_via(v, service);
    if (v->directory_error != NULL) {
        cli_printf(stdout, "the directory could not be read, so no cause is "
                           "pinpointed: ");
        cli_put_safe(stdout, v->directory_error);
        cli_printf(stdout, "\n");
        return;
    }
    if (!v->have_findings)
        return;
    if (adkcd_verify_ncauses(v) == 0) {
        if (!v->ok)
            cli_printf(
                stdout,
                "the directory shows no cause (a KDC policy, or a "
                "change not yet replicated to the KDC that answered?)\n");
        return;
    }
    cli_printf(stdout,
               v->ok ? "notes from the directory (checks that warn or fail, "
                       "though this KDC issued the ticket):\n"
                     : "from the directory:\n");
    for (i = 0; i < v->findings.n; i++) {
        if (adkcd_verify_is_cause(&v->findings.v[i]))
            print_finding(&v->findings.v[i], v->ok);
    }
}

static void
verify_json(struct cli_common *c, const struct adkcd_verify *v,
            const char *service)
{
    json_t *doc = cli_json_doc(c, "verify"), *steps = json_array();
    size_t i;

    json_object_set_new(doc, "account",
                        v->account ? cli_json_account(v->account)
                                   : json_null());
    json_object_set_new(doc, "principal",
                        cli_json_text(adkcd_creds_principal(v->tgt)));
    json_object_set_new(doc, "service", cli_json_text(service));
    json_object_set_new(doc, "user", cli_json_text(v->s4u.user));
    json_object_set_new(doc, "ok", json_boolean(v->ok));
    json_object_set_new(doc, "via",
                        v->ok && v->have_findings
                            ? cli_json_text(adkcd_kcd_via_name(v->via))
                            : json_null());
    for (i = 0; i < ADKCD_VERIFY_NSTEPS; i++)
        json_array_append_new(steps, json_step(&v->steps[i]));
    json_object_set_new(doc, "steps", steps);
    json_object_set_new(doc, "why",
                        v->why ? cli_json_text(v->why) : json_null());
    json_object_set_new(doc, "why_hints", cli_json_hints(v->why_hints));
    json_object_set_new(doc, "directory_error",
                        v->directory_error ? cli_json_text(v->directory_error)
                                           : json_null());
    json_object_set_new(doc, "causes",
                        v->have_findings ? json_findings(&v->findings, 1)
                                         : json_array());
    cli_json_print(doc);
}

/* The TGT could not be had: say so as the first step and stop. */
static int
verify_no_tgt(struct cli_common *c, struct args *a,
              const struct adkcd_verify *v, const struct adkcd_err *err)
{
    if (c->json) {
        json_t *extra = json_object(), *steps = json_array();

        json_array_append_new(steps, json_step(&v->steps[ADKCD_VERIFY_TGT]));
        json_object_set_new(extra, "service", cli_json_text(a->pos[1]));
        json_object_set_new(extra, "ok", json_false());
        json_object_set_new(extra, "steps", steps);
        return cli_fail_with(c, err, NULL, extra);
    }
    cli_printf(stdout, "verify: %s -> ", a->pos[0]);
    cli_put_safe(stdout, a->pos[1]);
    cli_printf(stdout, "\n  %-5s %-10s ", "FAIL", "TGT");
    cli_put_safe(stdout, err->msg);
    cli_printf(stdout,
               "\nresult: no ticket-granting ticket for %s, so nothing could "
               "be tried\n",
               a->pos[0]);
    return cli_fail(c, err);
}

int
cmd_verify(struct cli_common *c, struct args *a)
{
    struct adkcd_verify v;
    struct adkcd_verify_opts o;
    struct adkcd_err err;
    adkcd_status st;
    int rc = 0;

    adkcd_err_clear(&err);
    if (rc == 0)
        rc = target_args(c, a, 1);
    if (rc != 0)
        return rc;
    memset(&o, 0, sizeof(o));
    o.account = a->pos[0];
    o.kind = a->kind;
    o.service = a->pos[1];
    o.user = a->impersonate;
    o.principal = c->conn.principal;
    o.keytab = c->conn.keytab;
    o.password = c->password;
    o.conn = &c->conn;
    o.log = cli_log;
    o.log_ctx = c;
    st = adkcd_verify_tgt(&o, &v, &err);
    /* The password has done its work: wipe it now, not at exit. */
    cli_common_free(c);
    o.password = NULL;
    if (st != ADKCD_OK) {
        rc = verify_no_tgt(c, a, &v, &err);
        adkcd_verify_clear(&v);
        return rc;
    }
    if (adkcd_verify_run(&o, &v, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
    } else {
        if (c->json)
            verify_json(c, &v, a->pos[1]);
        else
            verify_print(c, &v, a->pos[1]);
        rc = v.ok ? CLI_EXIT_OK : EXIT_DOES_NOT_WORK;
    }
    adkcd_verify_clear(&v);
    return rc;
}
