/*
 * adkcd audit (front end): every delegation in the domain or, with -F,
 * the forest, as a table for people or one JSON document.  The library
 * (adkcd/audit.h) reads and judges; this file prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "adkcd/audit.h"
#include "adkcd.h"

/* ---- progress ------------------------------------------------------ */

static void
audit_progress(void *ctx, size_t seen)
{
    cli_progress_line(ctx, "%zu accounts with delegation read", seen);
}

/* ---- text ---------------------------------------------------------- */

static void
put_cell(const char *s, size_t width)
{
    size_t w = cli_text_width(s);

    cli_put_safe(stdout, s);
    while (w++ < width)
        putchar(' ');
}

enum { COL_KIND, COL_ACCOUNT, COL_STATE, COL_TARGET, COL_RISK, N_COLS };

struct row {
    char *col[N_COLS];
};

struct table {
    struct row *v;
    size_t n;
    size_t width[N_COLS];
};

static void
table_free(struct table *t)
{
    size_t i, k;

    for (i = 0; i < t->n; i++)
        for (k = 0; k < N_COLS; k++)
            free(t->v[i].col[k]);
    free(t->v);
}

/* Risk ids joined by ",": the entry's, then the target's; "-" for none. */
static char *
risk_ids(const struct adkcd_audit_entry *e, const struct adkcd_audit_target *t)
{
    size_t len = 2, i;
    char *s;

    for (i = 0; i < e->n_risks; i++)
        len += strlen(e->risks[i].id) + 1;
    for (i = 0; t != NULL && i < t->n_risks; i++)
        len += strlen(t->risks[i].id) + 1;
    s = calloc(1, len);
    if (s == NULL)
        return NULL;
    for (i = 0; i < e->n_risks; i++) {
        if (s[0] != '\0')
            strcat(s, ",");
        strcat(s, e->risks[i].id);
    }
    for (i = 0; t != NULL && i < t->n_risks; i++) {
        if (s[0] != '\0')
            strcat(s, ",");
        strcat(s, t->risks[i].id);
    }
    if (s[0] == '\0')
        strcpy(s, "-");
    return s;
}

/* What the TO / FROM column says for an entry without a target row. */
static const char *
no_target(const struct adkcd_audit_entry *e)
{
    if (e->kind == ADKCD_AUDIT_UNCONSTRAINED)
        return "(any service)";
    if (e->partial && e->kind == ADKCD_AUDIT_RESOURCE_BASED)
        return "(unreadable)";
    if (e->partial)
        return "(not in the Global Catalog)";
    if (e->kind == ADKCD_AUDIT_RESOURCE_BASED)
        return "(nobody)";
    return "(no service)";
}

static int
table_add(struct table *t, const char *own_nc,
          const struct adkcd_audit_entry *e,
          const struct adkcd_audit_target *tg)
{
    struct row *v = realloc(t->v, (t->n + 1) * sizeof(*v));
    struct row *r;
    int ok = 1;
    size_t k;

    if (v == NULL)
        return -1;
    t->v = v;
    r = &v[t->n++];
    memset(r, 0, sizeof(*r));
    r->col[COL_KIND] = strdup(adkcd_audit_kind_name(e->kind));
    /* Another domain's account (-F) carries its domain. */
    if (e->domain[0] != '\0' && strcasecmp(e->domain, own_nc) != 0)
        ok = asprintf(&r->col[COL_ACCOUNT], "%s (%s)", e->sam, e->domain) >= 0;
    else
        r->col[COL_ACCOUNT] = strdup(e->sam);
    if (!ok)
        r->col[COL_ACCOUNT] = NULL;
    ok = asprintf(&r->col[COL_STATE], "%s%s",
                  e->disabled ? "disabled" : "enabled",
                  e->is_rodc ? ", RODC"
                  : e->is_dc ? ", DC"
                             : "") >= 0;
    if (!ok)
        r->col[COL_STATE] = NULL;
    if (tg == NULL)
        r->col[COL_TARGET] = strdup(no_target(e));
    else if (e->kind != ADKCD_AUDIT_RESOURCE_BASED)
        r->col[COL_TARGET] = strdup(tg->value);
    else if (tg->name != NULL)
        ok = asprintf(&r->col[COL_TARGET], "from %s", tg->name) >= 0;
    else
        ok = asprintf(&r->col[COL_TARGET], "from %s (unresolved)", tg->value) >=
             0;
    if (!ok)
        r->col[COL_TARGET] = NULL;
    r->col[COL_RISK] = risk_ids(e, tg);
    for (k = 0; k < N_COLS; k++) {
        size_t w;

        if (r->col[k] == NULL)
            return -1;
        w = cli_text_width(r->col[k]);
        if (w > t->width[k])
            t->width[k] = w;
    }
    return 0;
}

/* The risks of one severity in v, one line each ("Risks:" first once). */
static void
print_risks(const struct adkcd_audit_risk *v, size_t n, int sev, int *any)
{
    size_t j;

    for (j = 0; j < n; j++) {
        if ((int)v[j].severity != sev)
            continue;
        if (!*any)
            cli_printf(stdout, "\nRisks:\n");
        *any = 1;
        cli_printf(stdout, "  %-8s %s: ", adkcd_audit_severity_name(sev),
                   v[j].id);
        cli_put_safe(stdout, v[j].text);
        putchar('\n');
    }
}

/* One finding line per risk (not the "info" ones), most severe first. */
static void
print_findings(const struct adkcd_audit *a)
{
    int sev, any = 0;
    size_t i, k;

    for (sev = ADKCD_SEV_CRITICAL; sev > ADKCD_SEV_INFO; sev--) {
        for (i = 0; i < a->n; i++) {
            const struct adkcd_audit_entry *e = &a->v[i];

            print_risks(e->risks, e->n_risks, sev, &any);
            for (k = 0; k < e->n_targets; k++)
                print_risks(e->targets[k].risks, e->targets[k].n_risks, sev,
                            &any);
        }
    }
}

static void
print_summary(const struct adkcd_audit_counts *n)
{
    int k;

    cli_printf(stdout, "\n%zu %s, %zu %s:", n->entries,
               n->entries == 1 ? "entry" : "entries", n->accounts,
               n->accounts == 1 ? "account" : "accounts");
    for (k = 0; k < ADKCD_AUDIT_N_KINDS; k++)
        cli_printf(stdout, "%s %zu %s", k ? "," : "", n->kinds[k],
                   adkcd_audit_kind_name((enum adkcd_audit_kind)k));
    cli_printf(stdout, "; risks:");
    for (k = ADKCD_SEV_CRITICAL; k > ADKCD_SEV_INFO; k--)
        cli_printf(stdout, "%s %zu %s", k != ADKCD_SEV_CRITICAL ? "," : "",
                   n->severities[k],
                   adkcd_audit_severity_name((enum adkcd_audit_severity)k));
    cli_printf(stdout, "\n");
}

static int
print_text(const struct adkcd_audit *a, const char *own_nc)
{
    static const char *const heads[N_COLS] = {"KIND", "ACCOUNT", "STATE",
                                              "TO / FROM", "RISK"};
    struct adkcd_audit_counts n;
    struct table t;
    size_t i, k;

    adkcd_audit_count(a, &n);
    if (a->n == 0) {
        cli_printf(stdout, "no delegation found in ");
        cli_put_safe(stdout, a->scope);
        cli_printf(stdout, "\n");
        return 0;
    }
    memset(&t, 0, sizeof(t));
    for (k = 0; k < N_COLS; k++)
        t.width[k] = strlen(heads[k]);
    for (i = 0; i < a->n; i++) {
        const struct adkcd_audit_entry *e = &a->v[i];

        if (e->n_targets == 0 && table_add(&t, own_nc, e, NULL) != 0)
            goto nomem;
        for (k = 0; k < e->n_targets; k++)
            if (table_add(&t, own_nc, e, &e->targets[k]) != 0)
                goto nomem;
    }
    cli_printf(stdout, "Delegation in ");
    cli_put_safe(stdout, a->scope);
    cli_printf(stdout, "\n\n");
    for (k = 0; k < N_COLS; k++) {
        if (k + 1 < N_COLS) {
            put_cell(heads[k], t.width[k]);
            cli_printf(stdout, "  ");
        } else {
            cli_printf(stdout, "%s\n", heads[k]);
        }
    }
    for (i = 0; i < t.n; i++) {
        for (k = 0; k < N_COLS; k++) {
            if (k + 1 < N_COLS) {
                put_cell(t.v[i].col[k], t.width[k]);
                cli_printf(stdout, "  ");
            } else {
                cli_put_safe(stdout, t.v[i].col[k]);
                putchar('\n');
            }
        }
    }
    print_findings(a);
    print_summary(&n);
    table_free(&t);
    return 0;
nomem:
    table_free(&t);
    return -1;
}

/* ---- JSON ---------------------------------------------------------- */

static json_t *
json_risks(const struct adkcd_audit_risk *v, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *o = json_object();

        json_object_set_new(o, "id", cli_json_text(v[i].id));
        json_object_set_new(
            o, "severity",
            cli_json_text(adkcd_audit_severity_name(v[i].severity)));
        json_object_set_new(o, "text", cli_json_text(v[i].text));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *
json_string_or_null(const char *s)
{
    return s != NULL ? cli_json_text(s) : json_null();
}

static json_t *
json_entry(const struct adkcd_audit_entry *e)
{
    json_t *o = json_object();
    json_t *services = json_array(), *principals = json_array();
    size_t k;

    json_object_set_new(o, "kind",
                        cli_json_text(adkcd_audit_kind_name(e->kind)));
    json_object_set_new(o, "dn", cli_json_text(e->dn));
    json_object_set_new(o, "sam_account_name", cli_json_text(e->sam));
    json_object_set_new(o, "domain", cli_json_text(e->domain));
    json_object_set_new(o, "object_class",
                        cli_json_text(e->is_computer ? "computer" : "user"));
    json_object_set_new(o, "domain_controller", json_boolean(e->is_dc));
    json_object_set_new(o, "read_only_domain_controller",
                        json_boolean(e->is_rodc));
    json_object_set_new(o, "disabled", json_boolean(e->disabled));
    json_object_set_new(o, "user_account_control", json_integer(e->uac));
    json_object_set_new(o, "flags", front_json_flags(e->uac));
    json_object_set_new(o, "partial", json_boolean(e->partial));
    for (k = 0; k < e->n_targets; k++) {
        const struct adkcd_audit_target *t = &e->targets[k];
        json_t *s = json_object();

        if (e->kind == ADKCD_AUDIT_RESOURCE_BASED) {
            json_object_set_new(s, "sid", cli_json_text(t->value));
            json_object_set_new(s, "name", json_string_or_null(t->name));
            json_object_set_new(s, "dn", json_string_or_null(t->dn));
            json_object_set_new(s, "conditional", json_boolean(t->conditional));
            json_object_set_new(s, "risks", json_risks(t->risks, t->n_risks));
            json_array_append_new(principals, s);
        } else {
            json_object_set_new(s, "service", cli_json_text(t->value));
            json_object_set_new(s, "valid_spn", json_boolean(!t->invalid));
            json_object_set_new(s, "holders", cli_json_strv(t->holders));
            json_object_set_new(s, "domain_controller_holder",
                                json_string_or_null(t->dc_holder));
            json_object_set_new(s, "risks", json_risks(t->risks, t->n_risks));
            json_array_append_new(services, s);
        }
    }
    json_object_set_new(o, "services", services);
    json_object_set_new(o, "principals", principals);
    json_object_set_new(o, "risks", json_risks(e->risks, e->n_risks));
    return o;
}

static json_t *
json_counts(const struct adkcd_audit *a)
{
    struct adkcd_audit_counts n;
    json_t *o = json_object(), *kinds = json_object(), *risks = json_object();
    int k;

    adkcd_audit_count(a, &n);
    json_object_set_new(o, "entries", json_integer((json_int_t)n.entries));
    json_object_set_new(o, "accounts", json_integer((json_int_t)n.accounts));
    for (k = 0; k < ADKCD_AUDIT_N_KINDS; k++)
        json_object_set_new(kinds,
                            adkcd_audit_kind_name((enum adkcd_audit_kind)k),
                            json_integer((json_int_t)n.kinds[k]));
    for (k = ADKCD_SEV_CRITICAL; k >= ADKCD_SEV_INFO; k--)
        json_object_set_new(
            risks, adkcd_audit_severity_name((enum adkcd_audit_severity)k),
            json_integer((json_int_t)n.severities[k]));
    json_object_set_new(o, "kinds", kinds);
    json_object_set_new(o, "risks", risks);
    return o;
}

static void
print_json(struct cli_common *c, const struct adkcd_audit *a, json_t *warnings)
{
    json_t *doc = cli_json_doc(c, "audit");
    json_t *scope = json_object(), *entries = json_array();
    size_t i;

    json_object_set_new(scope, "forest", json_boolean(a->forest));
    json_object_set_new(scope, "description", cli_json_text(a->scope));
    json_object_set_new(scope, "gc_only_domains",
                        cli_json_strv(a->gc_only_domains));
    json_object_set_new(doc, "scope", scope);
    for (i = 0; i < a->n; i++)
        json_array_append_new(entries, json_entry(&a->v[i]));
    json_object_set_new(doc, "entries", entries);
    json_object_set_new(doc, "counts", json_counts(a));
    json_object_set_new(doc, "warnings", warnings);
    cli_json_print(doc);
}

/* ---- the verb ------------------------------------------------------ */

int
cmd_audit(struct cli_common *c, struct args *a)
{
    struct adkcd_audit_opts opts = {a->forest, audit_progress, c};
    struct adkcd_conn *conn = NULL;
    struct adkcd_audit *au = NULL;
    struct adkcd_err err;
    json_t *warnings = NULL;
    size_t i;
    int rc;

    adkcd_err_clear(&err);
    if (a->npos != 0)
        return cli_usage_error(c, "audit takes no arguments (-F for the "
                                  "whole forest)");
    /* The forest is read through the Global Catalog: bind it alongside. */
    c->conn.prefetch_gc = a->forest;
    rc = front_connect(c, &conn);
    if (rc != 0)
        return rc;
    if (adkcd_audit_run(conn, &opts, &au, &err) != ADKCD_OK) {
        cli_progress_done(c);
        rc = cli_fail(c, &err);
        adkcd_conn_free(conn);
        return rc;
    }
    cli_progress_done(c);
    if (c->json)
        warnings = json_array();
    for (i = 0; au->warnings != NULL && au->warnings[i] != NULL; i++)
        front_warn(c, warnings, "%s", au->warnings[i]);
    /* The other domains of the forest: their delegation lists are on their
     * own DCs. */
    for (i = 0; !c->json && au->gc_only_domains != NULL &&
                au->gc_only_domains[i] != NULL;
         i++)
        cli_printf(stderr,
                   "adkcd: hint: adkcd audit --domain %s audits %s "
                   "on one of its DCs\n",
                   au->gc_only_domains[i], au->gc_only_domains[i]);
    fflush(stderr);
    rc = CLI_EXIT_OK;
    if (c->json)
        print_json(c, au, warnings);
    else if (print_text(au, adkcd_conn_default_nc(conn)) != 0)
        rc = front_nomem(c);
    adkcd_audit_free(au);
    adkcd_conn_free(conn);
    return rc;
}
