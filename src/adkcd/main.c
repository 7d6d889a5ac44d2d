/*
 * adkcd: the delegation editor.  Parses the command line, calls libadkcd,
 * and prints; every decision is made in the library.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/deleg.h"
#include "adkcd/engine.h"
#include "adkcd/journal.h"
#include "adkcd/plan.h"
#include "adkcd/rollback.h"
#include "adkcd/spn.h"
#include "adkcd/spnreg.h"
#include "adkcd/statefile.h"
#include "adkcd/strv.h"
#include "adkcd/want.h"
#include "adkcd.h"
#include "common.h"

static const struct cli_option adkcd_options[] = {
    {"any-protocol", 0, NULL,
     "add/set: use any authentication protocol (protocol transition, "
     "TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000)"},
    {"kerberos-only", 0, NULL,
     "add/set: Kerberos only (clears TRUSTED_TO_AUTH_FOR_DELEGATION)"},
    {"mode", 0, "MODE", "set: none, unconstrained or constrained"},
    {"services", 0, "S1,S2,...",
     "set: the exact services of constrained "
     "delegation"},
    {"force", 0, NULL,
     "allow what the safety checks refuse (delegation for krbtgt or a DC, "
     "or to one by rbcd; rollback of drifted objects)"},
    {"computer", 'C', NULL, "ACCOUNT is a computer (NAME$)"},
    {"user", 'U', NULL, "ACCOUNT is a user"},
    {"impersonate", 0, "USER",
     "check, verify: the user to impersonate (S4U2Self)"},
    {"stop-on-error", 0, NULL,
     "apply: send nothing more after the first change the server refuses"},
    {"forest", 'F', NULL,
     "audit: the whole forest, through the Global "
     "Catalog"},
    {NULL, 0, NULL, NULL},
};

struct verb {
    const char *name;
    const char *synopsis;
    const char *help;
    int (*run)(struct cli_common *c, struct args *a);
    unsigned takes; /* TAKES_*: the verb options it takes */
};

/* The options of the verbs each verb takes (one table: the usage errors
 * for the others come from it). */
#define TAKES_IMPERSONATE 0x1u /* --impersonate */
#define TAKES_FOREST 0x2u      /* -F */
#define TAKES_STOP 0x4u        /* --stop-on-error */
#define TAKES_PT 0x8u          /* --any-protocol, --kerberos-only */
#define TAKES_MODE 0x10u       /* --mode, --services */
#define TAKES_FORCE 0x20u      /* --force */
#define TAKES_KIND 0x40u       /* -C, -U */
#define TAKES_DRY 0x80u        /* --dry-run, --ldif (changes only) */
#define NO_JSON 0x100u         /* its output is not a JSON document */

static const struct verb verbs[];

static void
usage(FILE *f)
{
    const struct verb *v;

    fprintf(f, "Usage: adkcd [OPTIONS] VERB [ARGS] [OPTIONS]\n\n"
               "Edit an Active Directory account's Kerberos delegation, as "
               "the Delegation tab\nof \"Active Directory Users and "
               "Computers\" does, with dry-run diffs, a journal\nand exact "
               "rollback.\n\nVerbs:\n");
    for (v = verbs; v->name != NULL; v++)
        fprintf(f, "  %-58s\n      %s\n", v->synopsis, v->help);
    fprintf(f, "\nOptions of the verbs:\n");
    cli_print_options(f, adkcd_options);
    fprintf(f, "\nCommon options:\n");
    cli_print_options(f, cli_common_options);
    fprintf(f, "\nACCOUNT: NAME (computer NAME$ if it exists, else user NAME), "
               "NAME$,\n  DOMAIN\\NAME, user@upn, a DN, <GUID=...> or "
               "<SID=...>.\nSERVICE: an SPN, class/host[:port][/name].\n"
               "PRINCIPAL (rbcd): an ACCOUNT, a group's name, or a SID "
               "S-1-5-21-....\n"
               "\nExit status: 0 ok or unchanged, 1 error, 2 changes pending "
               "(--dry-run\n--detailed-exitcode), 3 usage, 4 not found, 5 "
               "conflict or drift, 6 credentials,\n7 unreachable, 8 refused "
               "(by the server or a safety check; check, verify:\nthe "
               "delegation does not work), 9 partly applied.  See adkcd(1).\n"
               "Diagnosing a delegation: docs/troubleshooting.md.  State files "
               "(apply,\nexport): docs/state-file.md.  Resource-based "
               "delegation: docs/rbcd.md.\n");
}

/* ---- parsing ------------------------------------------------------- */

int
front_nomem(const struct cli_common *c)
{
    struct adkcd_err err;

    adkcd_err_set(&err, ADKCD_E_NOMEM, "out of memory");
    return cli_fail(c, &err);
}

/* Split "a,b,c"; an empty element is kept, so that "a,,b" or "a," is
 * refused as an empty SPN rather than silently read as "a,b". */
static int
split_services(const char *list, char ***out)
{
    const char *p = list, *comma;

    for (;;) {
        char *item;

        comma = strchr(p, ',');
        item = strndup(p, comma != NULL ? (size_t)(comma - p) : strlen(p));
        if (item == NULL || adkcd_strv_add(out, item) != 0) {
            free(item);
            return -1;
        }
        free(item);
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

/* An option of the verbs; 1 taken, 0 not ours, -1 usage error (printed). */
static int
verb_option(struct cli_common *c, struct args *a, int argc, char **argv, int *i)
{
    const char *o = argv[*i];
    const char *val = NULL;
    const char *eq = strchr(o, '=');
    size_t n = eq != NULL ? (size_t)(eq - o) : strlen(o);

#define IS(lit) (n == strlen(lit) && strncmp(o, lit, n) == 0)
    if (eq != NULL && !IS("--mode") && !IS("--services") &&
        (IS("--any-protocol") || IS("--kerberos-only") || IS("--force") ||
         IS("--computer") || IS("--user"))) {
        /* "--force=no" must not mean --force. */
        cli_usage_error(c, "%.*s takes no value", (int)n, o);
        return -1;
    }
    if (IS("--any-protocol") || IS("--kerberos-only")) {
        enum adkcd_deleg_pt pt =
            IS("--any-protocol") ? ADKCD_PT_ANY : ADKCD_PT_KERBEROS;

        if (a->req.pt != ADKCD_PT_KEEP && a->req.pt != pt) {
            cli_usage_error(c, "--any-protocol and --kerberos-only exclude "
                               "each other");
            return -1;
        }
        a->req.pt = pt;
        return 1;
    }
    if (IS("--force")) {
        a->req.force = 1;
        return 1;
    }
    if (strcmp(o, "-C") == 0 || IS("--computer") || strcmp(o, "-U") == 0 ||
        IS("--user")) {
        enum adkcd_account_kind k = (o[1] == 'C' || IS("--computer"))
                                        ? ADKCD_ACCOUNT_COMPUTER
                                        : ADKCD_ACCOUNT_USER;

        if (a->kind != ADKCD_ACCOUNT_ANY && a->kind != k) {
            cli_usage_error(c, "--computer and --user exclude each other");
            return -1;
        }
        a->kind = k;
        return 1;
    }
    if (IS("--stop-on-error")) {
        if (eq != NULL) {
            cli_usage_error(c, "%.*s takes no value", (int)n, o);
            return -1;
        }
        a->stop_on_error = 1;
        return 1;
    }
    if (strcmp(o, "-F") == 0 || IS("--forest")) {
        if (eq != NULL) {
            cli_usage_error(c, "%.*s takes no value", (int)n, o);
            return -1;
        }
        a->forest = 1;
        return 1;
    }
    if (IS("--impersonate")) {
        if (eq != NULL) {
            val = eq + 1;
        } else if (*i + 1 < argc) {
            val = argv[++*i];
        } else {
            cli_usage_error(c, "--impersonate needs a user");
            return -1;
        }
        if (val[0] == '\0') {
            cli_usage_error(c, "--impersonate needs a user, not ''");
            return -1;
        }
        a->impersonate = val;
        return 1;
    }
    if (IS("--mode") || IS("--services")) {
        if (eq != NULL) {
            val = eq + 1;
        } else if (*i + 1 < argc) {
            val = argv[++*i];
        } else {
            cli_usage_error(c, "%.*s needs a value", (int)n, o);
            return -1;
        }
        if (IS("--mode")) {
            if (strcmp(val, "none") == 0)
                a->req.mode = ADKCD_DELEG_NONE;
            else if (strcmp(val, "unconstrained") == 0)
                a->req.mode = ADKCD_DELEG_UNCONSTRAINED;
            else if (strcmp(val, "constrained") == 0)
                a->req.mode = ADKCD_DELEG_CONSTRAINED;
            else {
                cli_usage_error(c,
                                "--mode takes none, unconstrained or "
                                "constrained, not '%s'",
                                val);
                return -1;
            }
            a->mode_given = 1;
        } else {
            a->req.services_given = 1;
            if (split_services(val, &a->req.services) != 0) {
                front_nomem(c);
                return -1;
            }
        }
        return 1;
    }
#undef IS
    return 0;
}

/* The verb called name; NULL for none (name NULL too). */
static const struct verb *
find_verb(const char *name)
{
    const struct verb *v;

    if (name == NULL)
        return NULL;
    for (v = verbs; v->name != NULL; v++) {
        if (strcmp(v->name, name) == 0)
            return v;
    }
    return NULL;
}

static int
parse(int argc, char **argv, struct cli_common *c, struct args *a)
{
    struct adkcd_err err;
    int i, r, only_pos = 0;

    adkcd_err_clear(&err);
    for (i = 1; i < argc; i++) {
        if (!only_pos && strcmp(argv[i], "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (!only_pos && argv[i][0] == '-' && argv[i][1] != '\0') {
            r = cli_common_parse(c, argc, argv, &i, usage, &err);
            if (r < 0)
                return cli_usage_error(c, "%s", err.msg);
            if (r == 1)
                continue;
            r = verb_option(c, a, argc, argv, &i);
            if (r < 0)
                return CLI_EXIT_USAGE;
            if (r == 1)
                continue;
            return cli_usage_error(c, "unknown option '%s'", argv[i]);
        }
        if (a->verb == NULL) {
            a->verb = argv[i];
            continue;
        }
        if (a->npos == (int)(sizeof(a->pos) / sizeof(a->pos[0])))
            return cli_usage_error(c, "too many arguments");
        a->pos[a->npos++] = argv[i];
    }
    if (a->verb == NULL)
        return cli_usage_error(c, "say what to do: show, add, remove, set, "
                                  "rbcd, apply, export, history, rollback, "
                                  "check, verify or audit");
    if (find_verb(a->verb) == NULL)
        return cli_usage_error(c,
                               "unknown verb '%s' (show, add, remove, "
                               "set, rbcd, apply, export, history, "
                               "rollback, check, verify, audit)",
                               a->verb);
    /* verify acts as ACCOUNT: its keys, its principal by default. */
    c->principal_from_account = strcmp(a->verb, "verify") == 0;
    if (cli_common_finish(c, &err) != ADKCD_OK)
        return cli_usage_error(c, "%s", err.msg);
    return 0;
}

/* ---- output helpers ------------------------------------------------ */

json_t *
front_json_flags(unsigned uac)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; adkcd_uac_flags[i].name != NULL; i++) {
        if (uac & adkcd_uac_flags[i].bit)
            json_array_append_new(a, cli_json_text(adkcd_uac_flags[i].name));
    }
    return a;
}

json_t *
front_json_deleg(const struct adkcd_deleg *d)
{
    json_t *o = json_object();

    json_object_set_new(
        o, "mode",
        cli_json_text(adkcd_deleg_mode_name(adkcd_deleg_mode_of(d))));
    json_object_set_new(o, "protocol_transition",
                        json_boolean(adkcd_deleg_any_protocol(d)));
    json_object_set_new(o, "services", cli_json_strv(d->services));
    json_object_set_new(o, "user_account_control", json_integer(d->uac));
    json_object_set_new(o, "flags", front_json_flags(d->uac));
    return o;
}

/* "+TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000)" per changed managed bit. */
static void
print_flag_changes(unsigned from, unsigned to)
{
    size_t i;
    int any = 0;

    for (i = 0; adkcd_uac_flags[i].name != NULL; i++) {
        unsigned bit = adkcd_uac_flags[i].bit;

        if (((from ^ to) & bit) == 0)
            continue;
        cli_printf(stdout, "%s%s%s (0x%x)",
                   any ? ", " : "flags: ", (to & bit) ? "+" : "-",
                   adkcd_uac_flags[i].name, bit);
        any = 1;
    }
    if (any)
        cli_printf(stdout, "\n");
}

/* Warnings go to stderr and, with --json, into the document. */
void
front_warn(struct cli_common *c, json_t *warnings, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_printf(stderr, "%s: warning: ", c->tool);
    cli_put_safe(stderr, msg);
    fputc('\n', stderr);
    if (warnings != NULL)
        json_array_append_new(warnings, cli_json_text(msg));
}

/* The state an applied (or planned) change leaves, from its images. */

/* The shared rules find unconstrained delegation a risk in the state
 * after (its uac is the account's whole userAccountControl). */
static int
gives_unconstrained(const struct adkcd_deleg *after)
{
    enum adkcd_deleg_finding f[ADKCD_DF_MAX];
    size_t i, n = adkcd_deleg_findings(after->uac, after, f);

    for (i = 0; i < n; i++) {
        if (f[i] == ADKCD_DF_UNCONSTRAINED)
            return 1;
    }
    return 0;
}

int
front_connect(struct cli_common *c, struct adkcd_conn **conn)
{
    struct adkcd_err err;

    adkcd_err_clear(&err);
    if (cli_connect(c, conn, &err) != ADKCD_OK)
        return cli_fail(c, &err);
    return 0;
}

/* ---- show ---------------------------------------------------------- */

/* Services no account holds (alias-aware, forest-wide): likely typos. */
static void
warn_unheld(struct cli_common *c, struct adkcd_conn *conn,
            const struct adkcd_deleg *d, json_t *warnings)
{
    struct adkcd_scope forest = {1, NULL};
    struct adkcd_spn_mappings *m = NULL;
    struct adkcd_err err;
    size_t i;

    adkcd_err_clear(&err);
    if (adkcd_spn_read_mappings(conn, &m, &err) != ADKCD_OK) {
        front_warn(c, warnings, "could not check the services: %s", err.msg);
        return;
    }
    for (i = 0; d->services[i] != NULL; i++) {
        struct adkcd_spn *spn = NULL;
        struct adkcd_spn_holders *h = NULL;

        if (adkcd_spn_parse(d->services[i], &spn, &err) != ADKCD_OK) {
            front_warn(c, warnings, "service %s is not a valid SPN: %s",
                       d->services[i], err.msg);
            continue;
        }
        if (adkcd_spn_find_holders(conn, &forest, spn, m, NULL, &h, &err) !=
            ADKCD_OK)
            front_warn(c, warnings, "could not check service %s: %s",
                       d->services[i], err.msg);
        else if (adkcd_service_finding(1, h->n) == ADKCD_SVC_UNHELD)
            front_warn(
                c, warnings,
                "service %s is held by no account in the forest (a typo?): "
                "delegation to it cannot work",
                d->services[i]);
        else if (adkcd_service_finding(1, h->n) == ADKCD_SVC_DUPLICATE)
            front_warn(
                c, warnings,
                "service %s is held by %zu accounts (duplicate SPN): the KDC "
                "cannot issue tickets for it",
                d->services[i], h->n);
        adkcd_spn_holders_free(h);
        adkcd_spn_free(spn);
    }
    adkcd_spn_mappings_free(m);
}

static void
warn_state(struct cli_common *c, const struct adkcd_account *acct,
           const struct adkcd_deleg *d, json_t *warnings)
{
    enum adkcd_deleg_finding f[ADKCD_DF_MAX];
    size_t i, n = adkcd_deleg_findings(acct->uac, d, f);

    /* The library's findings (the rules audit uses too), worded here. */
    for (i = 0; i < n; i++) {
        switch (f[i]) {
        case ADKCD_DF_DC_EXPECTED:
            break;
        case ADKCD_DF_UNCONSTRAINED:
            front_warn(c, warnings,
                       "unconstrained delegation (TRUSTED_FOR_DELEGATION "
                       "0x80000): %s can impersonate its users to any "
                       "service; prefer constrained delegation",
                       acct->sam);
            break;
        case ADKCD_DF_UNCONSTRAINED_LIST:
            front_warn(c, warnings,
                       "msDS-AllowedToDelegateTo is set as well, but with "
                       "TRUSTED_FOR_DELEGATION the account may delegate to "
                       "any service: the list does not limit it");
            break;
        case ADKCD_DF_PT_ALONE:
            front_warn(c, warnings,
                       "TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000) is set "
                       "without any service: it has no effect until services "
                       "are added");
            break;
        case ADKCD_DF_DISABLED:
            front_warn(c, warnings,
                       "the account is disabled (ACCOUNTDISABLE 0x2): it can "
                       "delegate nothing");
            break;
        }
    }
}

static int
cmd_show(struct cli_common *c, struct args *a)
{
    struct adkcd_conn *conn = NULL;
    struct adkcd_account *acct = NULL;
    struct adkcd_deleg d = {0, NULL};
    struct adkcd_err err;
    json_t *warnings = c->json ? json_array() : NULL;
    char *flags = NULL;
    int rc = 0;
    size_t i;

    adkcd_err_clear(&err);
    if (a->npos != 1) {
        json_decref(warnings);
        return cli_usage_error(c, "show needs exactly one ACCOUNT");
    }
    if (rc == 0 && adkcd_account_check_name(a->pos[0], strlen(a->pos[0]),
                                            &err) != ADKCD_OK)
        rc = cli_fail(c, &err);
    c->conn.prefetch_gc = 1; /* the services are checked forest-wide */
    if (rc == 0)
        rc = front_connect(c, &conn);
    if (rc != 0) {
        json_decref(warnings);
        adkcd_conn_free(conn);
        return rc;
    }
    if (adkcd_account_resolve(conn, a->pos[0], a->kind, &acct, &err) !=
            ADKCD_OK ||
        adkcd_deleg_from_account(acct, &d, &err) != ADKCD_OK ||
        adkcd_uac_describe(d.uac, &flags, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto cleanup;
    }
    if (!c->json) {
        cli_printf(stdout, "%s (%s)\n", acct->how, acct->dn);
        cli_printf(stdout, "delegation: %s\n", adkcd_deleg_describe(&d));
        cli_printf(stdout, "services:%s\n", d.services[0] ? "" : " none");
        for (i = 0; d.services[i] != NULL; i++) {
            putchar('\t');
            cli_put_safe(stdout, d.services[i]);
            putchar('\n');
        }
        cli_printf(stdout, "userAccountControl: %u: %s\n", d.uac, flags);
        fflush(stdout);
    }
    warn_state(c, acct, &d, warnings);
    if (d.services[0] != NULL)
        warn_unheld(c, conn, &d, warnings);
    if (c->json) {
        json_t *doc = cli_json_doc(c, "show");

        json_object_set_new(doc, "account", cli_json_account(acct));
        json_object_set_new(doc, "dn", cli_json_text(acct->dn));
        json_object_set_new(doc, "object_class",
                            cli_json_text(adkcd_account_class(acct)));
        json_object_set_new(doc, "delegation", front_json_deleg(&d));
        json_object_set_new(doc, "disabled",
                            json_boolean(adkcd_uac_is_disabled(acct->uac)));
        json_object_set_new(doc, "warnings", warnings);
        warnings = NULL;
        cli_json_print(doc);
    }
    rc = CLI_EXIT_OK;
cleanup:
    json_decref(warnings);
    free(flags);
    adkcd_deleg_clear(&d);
    adkcd_account_free(acct);
    adkcd_conn_free(conn);
    return rc;
}

/* ---- add / remove / set -------------------------------------------- */

/* A malformed request in adkcd's options; NULL: the library's message
 * says it (a bad SPN). */
static const char *
request_problem(enum adkcd_deleg_problem p)
{
    switch (p) {
    case ADKCD_DP_NONE:
    case ADKCD_DP_BAD_SERVICE:
        return NULL;
    case ADKCD_DP_NO_SERVICE:
        return "name at least one SERVICE (an SPN such as "
               "http/iosmdm.mydom.local)";
    case ADKCD_DP_CONSTRAINED_NO_SERVICES:
        return "--mode constrained needs --services S1,S2,...";
    case ADKCD_DP_SERVICES_NOT_CONSTRAINED:
        return "--services goes with --mode constrained only";
    case ADKCD_DP_PT_NOT_CONSTRAINED:
        return "--any-protocol and --kerberos-only go with --mode "
               "constrained only";
    }
    return NULL;
}

static int
cmd_change(struct cli_common *c, struct args *a)
{
    struct adkcd_conn *conn = NULL;
    struct adkcd_account *acct = NULL;
    struct adkcd_journal *j = NULL;
    struct adkcd_plan *plan = NULL;
    struct adkcd_deleg before = {0, NULL}, after = {0, NULL};
    struct adkcd_statefile *sf = NULL;
    struct adkcd_sf_account *spec = NULL;
    struct adkcd_want want;
    struct adkcd_err err;
    struct adkcd_engine_result res = {0};
    enum adkcd_deleg_problem problem;
    json_t *warnings = c->json ? json_array() : NULL;
    char *jpath = NULL;
    int rc = 0, attempts = 0, changed = 0, check_services = 0;
    adkcd_status st;
    int i;

    adkcd_err_clear(&err);
    memset(&want, 0, sizeof(want));
    if (a->req.verb == ADKCD_DELEG_SET) {
        if (a->npos != 1)
            rc = cli_usage_error(c, "set needs exactly one ACCOUNT");
        else if (!a->mode_given)
            rc = cli_usage_error(c, "set needs --mode none|unconstrained|"
                                    "constrained");
    } else if (a->npos < 2) {
        rc = cli_usage_error(c, "%s needs ACCOUNT and at least one SERVICE",
                             a->verb);
    } else {
        for (i = 1; i < a->npos; i++) {
            if (adkcd_strv_add(&a->req.services, a->pos[i]) != 0)
                rc = front_nomem(c);
        }
    }
    /* The protocol-transition options of remove are the library's rule
     * (request_problem()). */
    /* Everything local is checked before the network is touched. */
    if (rc == 0 &&
        adkcd_deleg_check_request(&a->req, &problem, &err) != ADKCD_OK) {
        const char *words = request_problem(problem);

        if (words != NULL)
            adkcd_err_set(&err, ADKCD_E_USAGE, "%s", words);
        rc = cli_fail(c, &err);
    }
    if (rc == 0 && (adkcd_account_check_name(a->pos[0], strlen(a->pos[0]),
                                             &err) != ADKCD_OK ||
                    (!c->dry_run && cli_journal_check(c, &err) != ADKCD_OK)))
        rc = cli_fail(c, &err);
    if (rc == 0)
        rc = front_connect(c, &conn);
    if (rc != 0)
        goto cleanup;
    st = adkcd_account_resolve(conn, a->pos[0], a->kind, &acct, &err);
    if (st == ADKCD_OK)
        st = adkcd_statefile_new(&sf, &err);
    if (st == ADKCD_OK)
        st = adkcd_statefile_add_account(sf, a->pos[0], a->kind, &spec, &err);
    if (st == ADKCD_OK)
        st = adkcd_want_spec_deleg(spec, &a->req, &err);
    if (st == ADKCD_OK)
        st = adkcd_plan_new(&plan, &err);
    if (st == ADKCD_OK) {
        want.spec = spec;
        want.acct = acct;
        want.force = a->req.force;
        st = adkcd_want_plan_into(plan, &want, NULL, &err);
    }
    /* Services added are checked forest-wide for typos afterwards: bind
     * the Global Catalog now, alongside the write, and only when there is
     * something to write (a command with nothing to do binds none). */
    check_services = st == ADKCD_OK && !adkcd_plan_is_empty(plan) &&
                     a->req.verb != ADKCD_DELEG_REMOVE &&
                     a->req.services != NULL;
    if (check_services)
        adkcd_conn_prefetch_gc(conn);
    /* The journal must be writable before anything is written. */
    if (st == ADKCD_OK && !c->dry_run && !adkcd_plan_is_empty(plan))
        st =
            cli_journal_open(c, conn, a->argc, a->argv, NULL, &j, &jpath, &err);
    if (st == ADKCD_OK && !c->dry_run && !adkcd_plan_is_empty(plan))
        st = adkcd_engine_apply_conn(conn, plan, j, NULL, &res, &err);
    cli_note_read_back(c, &res);
    if (st != ADKCD_OK) {
        int applied = plan != NULL && plan->n > 0 && plan->changes[0].applied;

        rc = cli_fail_with(c, &err, "applied", json_boolean(applied));
        goto cleanup;
    }
    attempts = plan->changes[0].attempts > 0 ? plan->changes[0].attempts : 1;
    /* The state the final plan started from (re-read after a lost
     * compare-and-swap). */
    before.uac = want.deleg_before.uac;
    before.services = adkcd_strv_dup(want.deleg_before.services);
    if (before.services == NULL) {
        rc = front_nomem(c);
        goto cleanup;
    }
    changed = !adkcd_plan_is_empty(plan);
    cli_note_read_differs(c, plan);
    if (adkcd_deleg_after_change(&plan->changes[0], &before, &after, &err) !=
        ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto cleanup;
    }
    if (check_services) {
        struct adkcd_deleg asked = {0, a->req.services};

        warn_unheld(c, conn, &asked, warnings);
    }
    if (changed && gives_unconstrained(&after))
        front_warn(
            c, warnings,
            "%s unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000): "
            "%s can impersonate its users to any service",
            c->dry_run ? "this would give" : "gave", acct->sam);
    if (c->json) {
        json_t *doc = cli_json_change_doc(c, a->verb, changed, acct);

        json_object_set_new(doc, "before", front_json_deleg(&before));
        json_object_set_new(doc, "after", front_json_deleg(&after));
        json_object_set_new(doc, "attempts", json_integer(attempts));
        json_object_set_new(doc, "read_back_differs",
                            json_boolean(plan->changes[0].read_differs));
        cli_json_run(doc, j, jpath, changed && !c->dry_run);
        json_object_set_new(doc, "warnings", warnings);
        warnings = NULL;
        cli_json_print(doc);
    } else if (!changed) {
        cli_printf(stdout, "unchanged: %s already has that delegation: %s\n",
                   acct->how, adkcd_deleg_describe(&before));
    } else if (c->ldif) {
        if (cli_print_plan(c, plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto cleanup;
        }
        if (!c->dry_run)
            cli_printf(stderr, "adkcd: applied (run %s, journal %s)\n",
                       adkcd_journal_run_id(j), jpath);
    } else {
        cli_printf(stdout, "Account: %s\n", acct->how);
        cli_printf(stdout, "delegation: %s -> %s\n",
                   adkcd_deleg_describe(&before), adkcd_deleg_describe(&after));
        if (cli_print_plan(c, plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto cleanup;
        }
        print_flag_changes(before.uac, after.uac);
        if (c->dry_run)
            cli_printf(stdout, "dry run: nothing written\n");
        else
            cli_printf(stdout, "Updated object (run %s, journal %s)\n",
                       adkcd_journal_run_id(j), jpath);
    }
    rc = c->dry_run && c->detailed_exitcode && changed ? CLI_EXIT_PENDING
                                                       : CLI_EXIT_OK;
cleanup:
    adkcd_journal_close(j, rc == CLI_EXIT_OK || rc == CLI_EXIT_PENDING
                               ? ADKCD_OK
                               : ADKCD_E_DIRECTORY);
    json_decref(warnings);
    free(jpath);
    adkcd_deleg_clear(&before);
    adkcd_deleg_clear(&after);
    adkcd_plan_free(plan);
    adkcd_want_clear(&want);
    adkcd_want_free_checked(&want);
    adkcd_statefile_free(sf);
    adkcd_account_free(acct);
    adkcd_conn_free(conn);
    return rc;
}

static int
cmd_add(struct cli_common *c, struct args *a)
{
    a->req.verb = ADKCD_DELEG_ADD;
    return cmd_change(c, a);
}

static int
cmd_remove(struct cli_common *c, struct args *a)
{
    a->req.verb = ADKCD_DELEG_REMOVE;
    return cmd_change(c, a);
}

static int
cmd_set(struct cli_common *c, struct args *a)
{
    a->req.verb = ADKCD_DELEG_SET;
    return cmd_change(c, a);
}

/* ---- history ------------------------------------------------------- */

/* The accounts (labels) and attributes a run touched. */
static void
run_summary(const struct adkcd_journal_run *r, enum adkcd_journal_state state,
            char ***accounts, char ***attrs, size_t *count)
{
    size_t i, k;

    *count = 0;
    for (i = 0; i < r->n_changes; i++) {
        const struct adkcd_journal_change *ch = &r->changes[i];
        const char *who = ch->label && ch->label[0] ? ch->label : ch->dn;

        if (ch->state != state)
            continue;
        (*count)++;
        if (adkcd_strv_find_nocase(*accounts, who) < 0 &&
            adkcd_strv_add(accounts, who) != 0)
            return;
        for (k = 0; attrs != NULL && k < ch->n_images; k++) {
            if (adkcd_strv_find_nocase(*attrs, ch->images[k].attr) < 0 &&
                adkcd_strv_add(attrs, ch->images[k].attr) != 0)
                return;
        }
    }
}

static adkcd_status
load_journal(struct cli_common *c, struct adkcd_journal_runs **runs,
             char **path, struct adkcd_err *err)
{
    adkcd_status st;

    st = cli_journal_path(c, path, err);
    if (st == ADKCD_OK)
        st = adkcd_journal_load(*path, runs, err);
    return st;
}

static int
cmd_history(struct cli_common *c, struct args *a)
{
    struct adkcd_journal_runs *runs = NULL;
    struct adkcd_err err;
    char *path = NULL;
    json_t *list = NULL;
    size_t i;
    int rc;

    adkcd_err_clear(&err);
    if (a->npos != 0)
        return cli_usage_error(c, "history takes no arguments");
    if (load_journal(c, &runs, &path, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
        free(path);
        return rc;
    }
    if (c->json)
        list = json_array();
    else if (runs->n == 0)
        cli_printf(stdout, "no runs in %s\n", path);
    else
        cli_printf(stdout, "%-36s  %-20s  %-5s  %-10s  %s\n", "RUN", "TIME",
                   "TOOL", "STATUS", "ACCOUNTS: ATTRIBUTES");
    for (i = 0; i < runs->n; i++) {
        const struct adkcd_journal_run *r = &runs->v[i];
        char **accounts = NULL, **attrs = NULL, **doubt = NULL;
        char **failed = NULL;
        size_t k, n_applied, n_doubt, n_failed;

        /* What a run did is what was applied; changes in doubt (sent, no
         * answer) and refused ones are listed apart. */
        run_summary(r, ADKCD_JOURNAL_APPLIED, &accounts, &attrs, &n_applied);
        run_summary(r, ADKCD_JOURNAL_IN_DOUBT, &doubt, NULL, &n_doubt);
        run_summary(r, ADKCD_JOURNAL_FAILED, &failed, NULL, &n_failed);
        if (c->json) {
            json_t *o = json_object();

            json_object_set_new(o, "id", cli_json_text(r->id));
            json_object_set_new(o, "time", cli_json_text(r->time));
            json_object_set_new(o, "tool", cli_json_text(r->tool));
            json_object_set_new(o, "status", cli_json_text(r->status));
            json_object_set_new(o, "server", cli_json_text(r->server));
            json_object_set_new(o, "identity", cli_json_text(r->identity));
            json_object_set_new(o, "command", cli_json_text(r->command));
            json_object_set_new(o, "rollback_of",
                                r->rollback_of ? cli_json_text(r->rollback_of)
                                               : json_null());
            json_object_set_new(o, "accounts", cli_json_strv(accounts));
            json_object_set_new(o, "attributes", cli_json_strv(attrs));
            json_object_set_new(o, "changes",
                                json_integer((json_int_t)n_applied));
            json_object_set_new(o, "in_doubt",
                                json_integer((json_int_t)n_doubt));
            json_object_set_new(o, "in_doubt_accounts", cli_json_strv(doubt));
            json_object_set_new(o, "failed",
                                json_integer((json_int_t)n_failed));
            json_object_set_new(o, "failed_accounts", cli_json_strv(failed));
            json_array_append_new(list, o);
        } else {
            cli_printf(stdout, "%-36s  %-20s  %-5s  %-10s  ", r->id, r->time,
                       r->tool, r->status);
            for (k = 0; accounts != NULL && accounts[k] != NULL; k++)
                cli_printf(stdout, "%s%s", k ? ", " : "", accounts[k]);
            cli_printf(stdout, ":");
            for (k = 0; attrs != NULL && attrs[k] != NULL; k++)
                cli_printf(stdout, " %s", attrs[k]);
            if (r->rollback_of != NULL)
                cli_printf(stdout, " (rollback of %s)", r->rollback_of);
            if (n_doubt > 0)
                cli_printf(stdout, " (%zu in doubt)", n_doubt);
            if (n_failed > 0)
                cli_printf(stdout, " (%zu refused or not sent)", n_failed);
            cli_printf(stdout, "\n");
        }
        adkcd_strv_free(accounts);
        adkcd_strv_free(attrs);
        adkcd_strv_free(doubt);
        adkcd_strv_free(failed);
    }
    if (c->json) {
        json_t *doc = cli_json_doc(c, "history");

        json_object_set_new(doc, "journal", cli_json_text(path));
        json_object_set_new(doc, "runs", list);
        cli_json_print(doc);
    }
    adkcd_journal_runs_free(runs);
    free(path);
    return CLI_EXIT_OK;
}

/* ---- rollback ------------------------------------------------------ */

static json_t *
json_drifts(const struct adkcd_drifts *d)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; d != NULL && i < d->n; i++) {
        json_t *o = json_object();

        json_object_set_new(o, "dn", cli_json_text(d->v[i].dn));
        json_object_set_new(o, "attribute", cli_json_text(d->v[i].attr));
        json_object_set_new(o, "run_left", cli_json_strv(d->v[i].expected));
        json_object_set_new(o, "now", cli_json_strv(d->v[i].actual));
        json_array_append_new(a, o);
    }
    return a;
}

static int
cmd_rollback(struct cli_common *c, struct args *a)
{
    struct adkcd_journal_runs *runs = NULL;
    struct adkcd_conn *conn = NULL;
    struct adkcd_journal *j = NULL;
    struct adkcd_plan *plan = NULL;
    struct adkcd_drifts *drifts = NULL;
    struct adkcd_rollback *rb = NULL;
    struct adkcd_err err;
    struct adkcd_engine_result res = {0};
    char **ids = NULL;
    char *path = NULL, *jpath = NULL, *of = NULL;
    size_t i, oflen = 1;
    int rc, changed;
    adkcd_status st;

    adkcd_err_clear(&err);
    if (a->npos == 0)
        return cli_usage_error(c, "rollback needs RUN-ID... or last");
    /* The journal is read, and the runs found, before connecting. */
    if (load_journal(c, &runs, &path, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto cleanup;
    }
    rc = 0;
    for (i = 0; rc == 0 && i < (size_t)a->npos; i++) {
        const struct adkcd_journal_run *r;

        if (strcmp(a->pos[i], "last") == 0)
            r = runs->n > 0 ? &runs->v[runs->n - 1] : NULL;
        else
            r = adkcd_journal_find(runs, a->pos[i]);
        if (r == NULL) {
            adkcd_err_set(&err, ADKCD_E_NOTFOUND,
                          "no run '%s' in %s (adkcd history lists them; a "
                          "prefix must be at least 8 characters and "
                          "unique)",
                          a->pos[i], path);
            rc = cli_fail(c, &err);
        } else if (adkcd_strv_find_nocase(ids, r->id) < 0) {
            if (adkcd_strv_add(&ids, r->id) != 0)
                rc = front_nomem(c);
            oflen += strlen(r->id) + 1;
        }
    }
    if (rc == 0) {
        of = calloc(1, oflen);
        if (of == NULL)
            rc = front_nomem(c);
        for (i = 0; of != NULL && ids != NULL && ids[i] != NULL; i++) {
            if (i > 0)
                strcat(of, " ");
            strcat(of, ids[i]);
        }
    }
    if (rc == 0 && !c->dry_run && cli_journal_check(c, &err) != ADKCD_OK)
        rc = cli_fail(c, &err);
    if (rc == 0)
        rc = front_connect(c, &conn);
    if (rc != 0)
        goto cleanup;
    st = adkcd_rollback_plan(conn, runs, ids, a->req.force, &rb, &plan, &drifts,
                             &err);
    for (i = 0; drifts != NULL && i < drifts->n && a->req.force; i++)
        cli_printf(stderr,
                   "adkcd: warning: %s %s drifted since the run; "
                   "--force restores it anyway\n",
                   drifts->v[i].dn, drifts->v[i].attr);
    if (st == ADKCD_OK && !c->dry_run && !adkcd_plan_is_empty(plan))
        st = cli_journal_open(c, conn, a->argc, a->argv, of, &j, &jpath, &err);
    if (st == ADKCD_OK && !c->dry_run && !adkcd_plan_is_empty(plan))
        st = adkcd_engine_apply_conn(conn, plan, j, NULL, &res, &err);
    cli_note_read_back(c, &res);
    if (st != ADKCD_OK) {
        json_t *extra = json_object(), *dns = json_array();
        int any = 0;

        for (i = 0; plan != NULL && i < plan->n; i++) {
            if (plan->changes[i].applied) {
                json_array_append_new(dns, cli_json_text(plan->changes[i].dn));
                any = 1;
            }
        }
        json_object_set_new(extra, "applied", json_boolean(any));
        json_object_set_new(extra, "applied_dns", dns);
        json_object_set_new(extra, "drifts", json_drifts(drifts));
        json_object_set_new(extra, "run_id",
                            j != NULL && any
                                ? cli_json_text(adkcd_journal_run_id(j))
                                : json_null());
        rc = cli_fail_with(c, &err, NULL, extra);
        goto cleanup;
    }
    changed = !adkcd_plan_is_empty(plan);
    cli_note_read_differs(c, plan);
    if (c->json) {
        json_t *doc = cli_json_doc(c, "rollback");
        json_t *objs = json_array();

        for (i = 0; i < plan->n; i++) {
            const struct adkcd_change *ch = &plan->changes[i];
            json_t *o = json_object(), *im = json_object();
            size_t k;

            json_object_set_new(o, "dn", cli_json_text(ch->dn));
            json_object_set_new(o, "label", cli_json_text(ch->label));
            json_object_set_new(o, "changed", json_boolean(ch->n_ops > 0));
            for (k = 0; k < ch->n_images; k++) {
                json_t *x = json_object();

                json_object_set_new(x, "before",
                                    cli_json_vals(&ch->images[k].before));
                json_object_set_new(x, "after",
                                    cli_json_vals(&ch->images[k].after));
                json_object_set_new(im, ch->images[k].attr, x);
            }
            json_object_set_new(o, "attributes", im);
            json_array_append_new(objs, o);
        }
        json_object_set_new(doc, "runs", cli_json_strv(ids));
        json_object_set_new(doc, "changed", json_boolean(changed));
        json_object_set_new(doc, "dry_run", json_boolean(c->dry_run));
        json_object_set_new(doc, "applied",
                            json_boolean(changed && !c->dry_run));
        json_object_set_new(doc, "objects", objs);
        json_object_set_new(doc, "drifts", json_drifts(drifts));
        cli_json_run(doc, j, jpath, changed && !c->dry_run);
        cli_json_print(doc);
    } else if (!changed) {
        cli_printf(stdout,
                   "unchanged: the directory already holds what was there "
                   "before %s\n",
                   of);
    } else {
        if (!c->ldif)
            cli_printf(stdout, "Rolling back %s\n", of);
        if (cli_print_plan(c, plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto cleanup;
        }
        if (!c->ldif && c->dry_run)
            cli_printf(stdout, "dry run: nothing written\n");
        else if (!c->ldif)
            cli_printf(stdout, "Rolled back (run %s, journal %s)\n",
                       adkcd_journal_run_id(j), jpath);
    }
    rc = c->dry_run && c->detailed_exitcode && changed ? CLI_EXIT_PENDING
                                                       : CLI_EXIT_OK;
cleanup:
    adkcd_journal_close(j, rc == CLI_EXIT_OK ? ADKCD_OK : ADKCD_E_DIRECTORY);
    adkcd_drifts_free(drifts);
    adkcd_plan_free(plan);
    adkcd_rollback_free(rb);
    adkcd_journal_runs_free(runs);
    adkcd_strv_free(ids);
    free(of);
    free(path);
    free(jpath);
    adkcd_conn_free(conn);
    return rc;
}

static const struct verb verbs[] = {
    {"show", "show ACCOUNT",
     "mode, services, flags, and warnings (unconstrained, unheld services, "
     "disabled)",
     cmd_show, TAKES_KIND},
    {"add", "add ACCOUNT SERVICE... [--any-protocol | --kerberos-only]",
     "add services: constrained delegation (switches unconstrained off)",
     cmd_add, TAKES_PT | TAKES_FORCE | TAKES_KIND | TAKES_DRY},
    {"remove", "remove ACCOUNT SERVICE...",
     "remove services; none left: mode none, protocol transition cleared",
     cmd_remove, TAKES_FORCE | TAKES_KIND | TAKES_DRY},
    {"set",
     "set ACCOUNT --mode none|unconstrained|constrained [--services S,...]",
     "declare the exact state; only the difference is written", cmd_set,
     TAKES_PT | TAKES_MODE | TAKES_FORCE | TAKES_KIND | TAKES_DRY},
    {"history", "history", "list the journaled runs (adspn's too)", cmd_history,
     0},
    {"rollback", "rollback RUN-ID...|last [--force]",
     "undo runs exactly, newest first, as one run; refuses drifted objects",
     cmd_rollback, TAKES_FORCE | TAKES_DRY},
    {"apply", "apply FILE|- [--stop-on-error] [--force]",
     "make many accounts what a state file says, as one journaled run",
     cmd_apply, TAKES_STOP | TAKES_FORCE | TAKES_DRY},
    {"export", "export [ACCOUNT...]",
     "SPNs and delegation as a state file (none named: all delegating)",
     cmd_export, TAKES_KIND | NO_JSON},
    {"rbcd", "rbcd show|add|remove|set ACCOUNT [PRINCIPAL...]",
     "resource-based delegation: who may delegate to ACCOUNT's services",
     cmd_rbcd, TAKES_FORCE | TAKES_KIND | TAKES_DRY},
    {"check", "check ACCOUNT SERVICE [--impersonate USER]",
     "diagnose a delegation from the directory alone: pass/warn/fail",
     cmd_check, TAKES_IMPERSONATE | TAKES_KIND},
    {"verify",
     "verify ACCOUNT SERVICE --impersonate USER [--keytab F | "
     "--password-stdin]",
     "prove it: S4U2Self then S4U2Proxy as ACCOUNT; explain a failure",
     cmd_verify, TAKES_IMPERSONATE | TAKES_KIND},
    {"audit", "audit [-F]",
     "every delegation in the domain (-F: forest), with risk labels", cmd_audit,
     TAKES_FOREST},
    {NULL, NULL, NULL, NULL, 0},
};

/* Refuse the options of the verbs that verb v does not take. */
static int
check_takes(struct cli_common *c, const struct args *a, const struct verb *v)
{
    char with_dry[128] = "";
    const struct verb *w;

    if (!(v->takes & TAKES_PT) && a->req.pt != ADKCD_PT_KEEP)
        return cli_usage_error(c,
                               "%s takes neither --any-protocol nor "
                               "--kerberos-only",
                               a->verb);
    if (!(v->takes & TAKES_MODE) && (a->mode_given || a->req.services_given))
        return cli_usage_error(c, "--mode and --services go with set only");
    if (!(v->takes & TAKES_FORCE) && a->req.force)
        return cli_usage_error(c, "%s takes no --force", a->verb);
    if (!(v->takes & TAKES_KIND) && a->kind != ADKCD_ACCOUNT_ANY)
        return cli_usage_error(c, "%s takes no --computer/--user", a->verb);
    if (!(v->takes & TAKES_DRY) && (c->dry_run || c->ldif)) {
        for (w = verbs; w->name != NULL; w++) {
            if (w->takes & TAKES_DRY)
                snprintf(with_dry + strlen(with_dry),
                         sizeof(with_dry) - strlen(with_dry), "%s%s",
                         with_dry[0] ? ", " : "", w->name);
        }
        return cli_usage_error(c, "--dry-run and --ldif apply to changes (%s)",
                               with_dry);
    }
    if (a->impersonate != NULL && !(v->takes & TAKES_IMPERSONATE))
        return cli_usage_error(c,
                               "--impersonate goes with check and verify, "
                               "not %s",
                               a->verb);
    if (a->forest && !(v->takes & TAKES_FOREST))
        return cli_usage_error(c, "-F/--forest goes with audit, not %s",
                               a->verb);
    if ((v->takes & NO_JSON) && c->json) {
        c->json = 0; /* the refusal itself in text */
        return cli_usage_error(c,
                               "%s prints a state file (YAML), which apply "
                               "reads as it is: --json does not apply",
                               a->verb);
    }
    if (a->stop_on_error && !(v->takes & TAKES_STOP))
        return cli_usage_error(c, "--stop-on-error goes with apply, not %s",
                               a->verb);
    return 0;
}

int
main(int argc, char **argv)
{
    struct cli_common c = {.tool = "adkcd"};
    struct args a;
    const struct verb *v;
    int rc;

    memset(&a, 0, sizeof(a));
    a.argc = argc;
    a.argv = argv;
    cli_prescan(&c, argc, argv);
    rc = parse(argc, argv, &c, &a);
    /* parse() returns 0 only with a known verb. */
    v = rc == 0 ? find_verb(a.verb) : NULL;
    if (v != NULL) {
        rc = check_takes(&c, &a, v);
        if (rc == 0)
            rc = v->run(&c, &a);
    }
    cli_common_free(&c);
    adkcd_strv_free(a.req.services);
    return rc;
}
