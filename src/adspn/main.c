/*
 * adspn: setspn for Linux.  Parses the command line, calls libadkcd, and
 * prints; every decision is made in the library.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/engine.h"
#include "adkcd/journal.h"
#include "adkcd/plan.h"
#include "adkcd/spn.h"
#include "adkcd/spnreg.h"
#include "adkcd/statefile.h"
#include "adkcd/strv.h"
#include "adkcd/want.h"
#include "common.h"

/* The setspn flags: a letter after '-' or '/', any case. */
static const struct cli_option adspn_options[] = {
    {"R", 0, "ACCOUNT", "reset the HOST/ SPNs of a computer from its names"},
    {"A", 0, "SPN ACCOUNT", "add SPN to ACCOUNT (no client-side check)"},
    {"S", 0, "SPN ACCOUNT",
     "add SPN after checking for duplicates (forest, or -T DOMAIN), "
     "host aliases included"},
    {"D", 0, "SPN ACCOUNT", "delete SPN from ACCOUNT"},
    {"L", 0, "ACCOUNT", "list the SPNs of ACCOUNT"},
    {"Q", 0, "PATTERN", "accounts holding SPNs matching PATTERN ('*' wild)"},
    {"X", 0, NULL, "SPNs registered more than once"},
    {"F", 0, NULL,
     "forest scope (Global Catalog) for -Q and -X; -S always checks the "
     "forest unless -T"},
    {"T", 0, "DOMAIN", "scope -S, -Q and -X to DOMAIN (DNS or NetBIOS name)"},
    {"C", 0, NULL, "ACCOUNT is a computer (NAME$)"},
    {"U", 0, NULL, "ACCOUNT is a user"},
    {"P", 0, NULL, "no progress on stderr"},
    {NULL, 0, NULL, NULL},
};

struct args {
    char mode; /* R A S D L Q X */
    int forest;
    const char *domain; /* -T */
    enum adkcd_account_kind kind;
    const char *spn;
    const char *account;
    const char *pattern;
    int argc;
    char **argv;
};

static void
usage(FILE *f)
{
    const struct cli_option *o;

    fprintf(f, "Usage: adspn [OPTIONS] [-C|-U] -S [-T DOMAIN] SPN ACCOUNT\n"
               "       adspn [OPTIONS] [-C|-U] -A|-D SPN ACCOUNT\n"
               "       adspn [OPTIONS] [-C|-U] -L ACCOUNT\n"
               "       adspn [OPTIONS] -R COMPUTER\n"
               "       adspn [OPTIONS] [-F | -T DOMAIN] -Q PATTERN | -X\n"
               "\n"
               "Manage service principal names in Active Directory, as setspn "
               "does,\nover LDAP with Kerberos (SASL GSSAPI, sign and seal).\n"
               "\n"
               "setspn flags (any case, '-' or '/'):\n");
    for (o = adspn_options; o->long_name != NULL; o++) {
        char left[40];

        snprintf(left, sizeof(left), "-%s%s%s", o->long_name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        fprintf(f, "  %-30s %s\n", left, o->help);
    }
    fprintf(f, "\nCommon options:\n");
    cli_print_options(f, cli_common_options);
    fprintf(f, "\nACCOUNT: NAME (computer NAME$ if it exists, else user NAME), "
               "NAME$,\n  DOMAIN\\NAME, user@upn, a DN, <GUID=...> or "
               "<SID=...>.\n"
               "SPN: class/host[:port][/name], compared without regard to "
               "case.\n"
               "\nExit status: 0 ok or unchanged, 1 error, 2 changes pending "
               "(--dry-run\n--detailed-exitcode), 3 usage, 4 not found or "
               "ambiguous, 5 conflict,\n6 credentials, 7 unreachable, 8 "
               "refused by the server, 9 partly applied.\nSee adspn(1).\n");
}

/* Is a an setspn flag ("-s", "/S")?  Returns the upper-case letter. */
static char
spn_flag(const char *a)
{
    if ((a[0] == '-' || a[0] == '/') && a[1] != '\0' && a[2] == '\0') {
        char l = (char)toupper((unsigned char)a[1]);

        if (strchr("RASDLQXFTCUP?", l) != NULL)
            return l;
    }
    return 0;
}

static int
parse(int argc, char **argv, struct cli_common *c, struct args *a)
{
    const char *pos[8];
    int npos = 0, i, r, only_pos = 0, want;
    struct adkcd_err err;

    adkcd_err_clear(&err);
    for (i = 1; i < argc; i++) {
        char f;

        if (!only_pos && strcmp(argv[i], "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (!only_pos) {
            r = cli_common_parse(c, argc, argv, &i, usage, &err);
            if (r < 0)
                return cli_usage_error(c, "%s", err.msg);
            if (r == 1)
                continue;
            f = spn_flag(argv[i]);
            if (f == '?') {
                usage(stdout);
                exit(CLI_EXIT_OK);
            }
            if (f != 0) {
                switch (f) {
                case 'F':
                    a->forest = 1;
                    break;
                case 'T':
                    if (i + 1 >= argc)
                        return cli_usage_error(c, "-T needs a DOMAIN");
                    a->domain = argv[++i];
                    break;
                case 'C':
                case 'U':
                    if (a->kind != ADKCD_ACCOUNT_ANY &&
                        a->kind != (f == 'C' ? ADKCD_ACCOUNT_COMPUTER
                                             : ADKCD_ACCOUNT_USER))
                        return cli_usage_error(c, "-C and -U exclude each "
                                                  "other");
                    a->kind =
                        f == 'C' ? ADKCD_ACCOUNT_COMPUTER : ADKCD_ACCOUNT_USER;
                    break;
                case 'P':
                    c->no_progress = 1;
                    break;
                default:
                    if (a->mode != 0 && a->mode != f)
                        return cli_usage_error(c,
                                               "-%c and -%c exclude each "
                                               "other",
                                               a->mode, f);
                    a->mode = f;
                }
                continue;
            }
            if ((argv[i][0] == '-' && argv[i][1] != '\0') ||
                (argv[i][0] == '/' && argv[i][1] != '\0' && argv[i][2] == '\0'))
                return cli_usage_error(c, "unknown option '%s'", argv[i]);
        }
        if (npos == (int)(sizeof(pos) / sizeof(pos[0])))
            return cli_usage_error(c, "too many arguments");
        pos[npos++] = argv[i];
    }
    if (a->mode == 0)
        return cli_usage_error(c, "say what to do: one of -S, -A, -D, -L, "
                                  "-Q, -X, -R");
    want = strchr("ASD", a->mode) ? 2 : strchr("RLQ", a->mode) ? 1 : 0;
    if (npos < want)
        return cli_usage_error(c, "-%c needs %s", a->mode,
                               want == 2        ? "SPN and ACCOUNT"
                               : a->mode == 'Q' ? "a PATTERN"
                                                : "an ACCOUNT");
    if (npos > want)
        return cli_usage_error(c, "unexpected argument '%s' for -%c", pos[want],
                               a->mode);
    if ((a->forest || a->domain) && strchr("SQX", a->mode) == NULL)
        return cli_usage_error(c, "-F and -T apply to -S, -Q and -X only");
    if (a->forest && a->domain != NULL)
        return cli_usage_error(c, "-F and -T exclude each other (the forest, "
                                  "or one domain)");
    if ((c->dry_run || c->ldif) && strchr("ASDR", a->mode) == NULL)
        return cli_usage_error(c, "--dry-run and --ldif apply to changes "
                                  "(-S, -A, -D, -R)");
    if (a->mode == 'R' && a->kind == ADKCD_ACCOUNT_USER)
        return cli_usage_error(c, "-R resets a computer's SPNs: -U does not "
                                  "apply");
    if (want == 2) {
        a->spn = pos[0];
        a->account = pos[1];
    } else if (want == 1 && a->mode == 'Q') {
        a->pattern = pos[0];
    } else if (want == 1) {
        a->account = pos[0];
    }
    if (a->mode == 'R')
        a->kind = ADKCD_ACCOUNT_COMPUTER;
    r = cli_common_finish(c, &err) == ADKCD_OK ? 0 : -1;
    if (r != 0)
        return cli_usage_error(c, "%s", err.msg);
    return 0;
}

/* Values in a but not in b (case-insensitive). */
/* A directory value on stdout, control characters escaped. */
static void
print_value(const char *before, const char *value, const char *after)
{
    fputs(before, stdout);
    cli_put_safe(stdout, value);
    fputs(after, stdout);
}

static json_t *
json_minus(char *const *a, char *const *b)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; a != NULL && a[i] != NULL; i++) {
        if (adkcd_strv_find_nocase(b, a[i]) < 0)
            json_array_append_new(arr, cli_json_text(a[i]));
    }
    return arr;
}

static int
cmd_list(struct cli_common *c, struct adkcd_conn *conn, struct args *a)
{
    struct adkcd_account *acct = NULL;
    struct adkcd_err err;
    size_t i;

    adkcd_err_clear(&err);
    if (adkcd_account_resolve(conn, a->account, a->kind, &acct, &err) !=
        ADKCD_OK)
        return cli_fail(c, &err);
    adkcd_strv_sort_nocase(acct->spns);
    if (c->json) {
        json_t *doc = cli_json_doc(c, "list");

        json_object_set_new(doc, "account", cli_json_account(acct));
        json_object_set_new(doc, "spns", cli_json_strv(acct->spns));
        cli_json_print(doc);
    } else {
        cli_printf(stdout, "Registered ServicePrincipalNames for %s (%s):\n",
                   acct->dn, acct->how);
        for (i = 0; acct->spns != NULL && acct->spns[i] != NULL; i++)
            print_value("\t", acct->spns[i], "\n");
    }
    adkcd_account_free(acct);
    return CLI_EXIT_OK;
}

struct query_out {
    struct cli_common *c;
    json_t *accounts;
};

static adkcd_status
print_match(void *ctx, const char *dn, char *const *spns, char *const *matched,
            struct adkcd_err *err)
{
    struct query_out *q = ctx;
    char **sorted = adkcd_strv_dup(spns);
    size_t i;

    (void)err;
    if (sorted == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    adkcd_strv_sort_nocase(sorted);
    if (q->accounts != NULL) {
        json_t *o = json_object();

        json_object_set_new(o, "dn", cli_json_text(dn));
        json_object_set_new(o, "matched", cli_json_strv(matched));
        json_object_set_new(o, "spns", cli_json_strv(sorted));
        json_array_append_new(q->accounts, o);
    } else {
        cli_progress_done(q->c);
        print_value("", dn, "\n");
        for (i = 0; sorted[i] != NULL; i++)
            print_value("\t", sorted[i], "\n");
        fflush(stdout);
    }
    adkcd_strv_free(sorted);
    return ADKCD_OK;
}

static int
cmd_query(struct cli_common *c, struct adkcd_conn *conn, struct args *a)
{
    struct adkcd_scope scope = {a->forest, a->domain};
    struct query_out q = {c, NULL};
    struct adkcd_err err;
    char *where = NULL;
    size_t count = 0;
    adkcd_status st;

    adkcd_err_clear(&err);
    st = adkcd_scope_describe(conn, &scope, &where, &err);
    if (st != ADKCD_OK)
        return cli_fail(c, &err);
    if (c->json)
        q.accounts = json_array();
    else
        cli_printf(stdout, "Checking %s\n", where);
    st = adkcd_spn_query(conn, &scope, a->pattern, print_match, &q, &count,
                         &err);
    if (st != ADKCD_OK) {
        json_decref(q.accounts);
        free(where);
        return cli_fail(c, &err);
    }
    if (c->json) {
        json_t *doc = cli_json_doc(c, "query");

        json_object_set_new(doc, "pattern", cli_json_text(a->pattern));
        json_object_set_new(doc, "scope", cli_json_text(where));
        json_object_set_new(doc, "found", json_boolean(count > 0));
        json_object_set_new(doc, "accounts", q.accounts);
        cli_json_print(doc);
    } else {
        cli_printf(stdout, "\n%s\n",
                   count > 0 ? "Existing SPN found!" : "No such SPN found.");
    }
    free(where);
    /* Like grep: nothing found is a distinct, scriptable outcome. */
    return count > 0 ? CLI_EXIT_OK : CLI_EXIT_NOTFOUND;
}

static adkcd_status
print_dup(void *ctx, const char *spn, char *const *dns, char *const *values,
          struct adkcd_err *err)
{
    struct query_out *q = ctx;
    size_t i;

    (void)err;
    if (q->accounts != NULL) {
        json_t *o = json_object(), *h = json_array();

        json_object_set_new(o, "spn", cli_json_text(spn));
        for (i = 0; dns[i] != NULL; i++) {
            json_t *x = json_object();

            json_object_set_new(x, "dn", cli_json_text(dns[i]));
            json_object_set_new(x, "value", cli_json_text(values[i]));
            json_array_append_new(h, x);
        }
        json_object_set_new(o, "holders", h);
        json_array_append_new(q->accounts, o);
        return ADKCD_OK;
    }
    cli_progress_done(q->c);
    print_value("", spn, " is registered on these accounts:\n");
    for (i = 0; dns[i] != NULL; i++) {
        print_value("\t", dns[i], " (as ");
        print_value("", values[i], ")\n");
    }
    return ADKCD_OK;
}

static int
cmd_duplicates(struct cli_common *c, struct adkcd_conn *conn, struct args *a)
{
    struct adkcd_scope scope = {a->forest, a->domain};
    struct query_out q = {c, NULL};
    struct adkcd_err err;
    char *where = NULL;
    size_t count = 0, seen = 0;
    adkcd_status st;

    adkcd_err_clear(&err);
    st = adkcd_scope_describe(conn, &scope, &where, &err);
    if (st != ADKCD_OK)
        return cli_fail(c, &err);
    if (c->json)
        q.accounts = json_array();
    else
        cli_printf(stdout, "Checking %s\n", where);
    st = adkcd_spn_duplicates(conn, &scope, cli_progress, c, print_dup, &q,
                              &count, &seen, &err);
    cli_progress_done(c);
    if (st != ADKCD_OK) {
        json_decref(q.accounts);
        free(where);
        return cli_fail(c, &err);
    }
    if (c->json) {
        json_t *doc = cli_json_doc(c, "duplicates");

        json_object_set_new(doc, "scope", cli_json_text(where));
        json_object_set_new(doc, "spns_read", json_integer((json_int_t)seen));
        json_object_set_new(doc, "duplicates", q.accounts);
        cli_json_print(doc);
    } else {
        cli_printf(stdout,
                   "Found %zu group%s of duplicate SPNs (%zu SPNs read).\n",
                   count, count == 1 ? "" : "s", seen);
    }
    free(where);
    /* Duplicates found is a conflict: monitoring can alert on it. */
    return count > 0 ? CLI_EXIT_CONFLICT : CLI_EXIT_OK;
}

/* -S: refuse when another account holds the SPN or a host alias of it. */
static adkcd_status
check_duplicates(struct adkcd_conn *conn, struct args *a,
                 const struct adkcd_spn *spn, const struct adkcd_account *acct,
                 json_t **conflicts_out, struct adkcd_err *err)
{
    struct adkcd_scope scope = {a->domain == NULL, a->domain};
    struct adkcd_spn_mappings *m = NULL;
    struct adkcd_spn_holders *h = NULL;
    adkcd_status st;
    size_t i;

    /* The library decides; the holders are shown in the JSON. */
    *conflicts_out = NULL;
    st = adkcd_spn_read_mappings(conn, &m, err);
    if (st == ADKCD_OK)
        st = adkcd_spn_check_unique(conn, &scope, spn, m, acct->dn, &h, err);
    if (h != NULL && h->n > 0) {
        json_t *arr = json_array();

        for (i = 0; i < h->n; i++) {
            json_t *o = json_object();

            json_object_set_new(o, "dn", cli_json_text(h->v[i].dn));
            json_object_set_new(o, "value", cli_json_text(h->v[i].value));
            json_object_set_new(o, "via_alias",
                                json_boolean(h->v[i].via_alias));
            json_array_append_new(arr, o);
        }
        *conflicts_out = arr;
    }
    adkcd_spn_holders_free(h);
    adkcd_spn_mappings_free(m);
    return st;
}

static const char *
op_name(char mode)
{
    return mode == 'D' ? "delete" : mode == 'R' ? "reset" : "add";
}

static int
cmd_change(struct cli_common *c, struct adkcd_conn *conn, struct args *a)
{
    struct adkcd_account *acct = NULL;
    struct adkcd_spn *spn = NULL;
    struct adkcd_plan *plan = NULL;
    struct adkcd_journal *j = NULL;
    struct adkcd_err err;
    struct adkcd_engine_result res = {0};
    const struct adkcd_image *img;
    char *jpath = NULL;
    json_t *conflicts = NULL;
    char **spns = NULL, **before = NULL, **after = NULL;
    struct adkcd_statefile *sf = NULL;
    struct adkcd_sf_account *spec = NULL;
    struct adkcd_want want = {0};
    adkcd_status st;
    int rc = CLI_EXIT_OK, changed;
    size_t i;

    adkcd_err_clear(&err);
    st = adkcd_account_resolve(conn, a->account, a->kind, &acct, &err);
    if (st == ADKCD_OK && a->mode == 'R') {
        st = adkcd_spn_reset_names(conn, acct, &spns, &err);
    } else if (st == ADKCD_OK) {
        st = adkcd_spn_parse(a->spn, &spn, &err);
        if (st == ADKCD_OK && adkcd_strv_add(&spns, a->spn) != 0)
            st = adkcd_err_set(&err, ADKCD_E_NOMEM, "out of memory");
    }
    if (st == ADKCD_OK)
        st = adkcd_statefile_new(&sf, &err);
    if (st == ADKCD_OK)
        st = adkcd_statefile_add_account(
            sf, a->account != NULL ? a->account : "", a->kind, &spec, &err);
    if (st == ADKCD_OK)
        st = adkcd_want_spec_spns(spec, a->mode == 'D' ? NULL : spns,
                                  a->mode == 'D' ? spns : NULL, &err);
    if (st == ADKCD_OK)
        st = adkcd_plan_new(&plan, &err);
    if (st == ADKCD_OK) {
        want.spec = spec;
        want.acct = acct;
        st = adkcd_want_plan_into(plan, &want, NULL, &err);
    }
    /* The forest-wide check only when the SPN is to be added. */
    if (st == ADKCD_OK && a->mode == 'S' && !adkcd_plan_is_empty(plan)) {
        if (a->domain == NULL)
            adkcd_conn_prefetch_gc(conn);
        st = check_duplicates(conn, a, spn, acct, &conflicts, &err);
    }
    if (st != ADKCD_OK) {
        rc = cli_fail_with(c, &err, "conflicts", conflicts);
        conflicts = NULL;
        goto cleanup;
    }
    changed = !adkcd_plan_is_empty(plan);
    before = adkcd_strv_dup(acct->spns);
    if (changed && !c->dry_run) {
        if (c->ldif) {
            if (cli_print_plan(c, plan, &err) != ADKCD_OK) {
                rc = cli_fail(c, &err);
                goto cleanup;
            }
        }
        /* The journal must be writable before anything is written. */
        st =
            cli_journal_open(c, conn, a->argc, a->argv, NULL, &j, &jpath, &err);
        if (st == ADKCD_OK)
            st = adkcd_engine_apply_conn(conn, plan, j, NULL, &res, &err);
        cli_note_read_back(c, &res);
        if (st == ADKCD_E_CONFLICT && a->mode == 'D' && err.ldap_rc == 19)
            /* Seen on Samba 4.17: a value that another account also holds
             * (a duplicate made past the DC's check) cannot be deleted by
             * value from either holder; Windows DCs delete it. */
            adkcd_err_prefix(&err, "the DC refused to delete the value; if "
                                   "another account holds it too (see "
                                   "adspn -X), Samba 4.17 refuses this: "
                                   "remove it with samba-tool spn delete on "
                                   "the DC");
        if (st != ADKCD_OK) {
            /* Say whether the server took the change: a failed read-back
             * comes after a write. */
            rc = cli_fail_with(c, &err, "applied",
                               json_boolean(plan->changes[0].applied));
            if (plan->changes[0].applied && !c->json)
                cli_printf(stderr, "adspn: the change was applied; check it "
                                   "with adspn -L\n");
            goto cleanup;
        }
    }
    cli_note_read_differs(c, plan);
    img = adkcd_change_image(&plan->changes[0], "servicePrincipalName");
    if (c->json) {
        json_t *doc = cli_json_change_doc(c, op_name(a->mode), changed, acct);

        json_object_set_new(doc, "attribute",
                            json_string("servicePrincipalName"));
        json_object_set_new(doc, "spns", cli_json_strv(spns));
        json_object_set_new(doc, "before", cli_json_vals(&img->before));
        /* What the DC holds now: the read-back when there was a write. */
        json_object_set_new(
            doc, "after",
            cli_json_vals(img->have_read ? &img->read : &img->after));
        json_object_set_new(doc, "read_back_differs",
                            json_boolean(plan->changes[0].read_differs));
        after = adkcd_vals_to_strv(&img->after);
        json_object_set_new(doc, "added", json_minus(after, before));
        json_object_set_new(doc, "removed", json_minus(before, after));
        cli_json_run(doc, j, jpath, changed && !c->dry_run);
        cli_json_print(doc);
    } else if (!changed) {
        for (i = 0; spns[i] != NULL; i++)
            cli_printf(stdout, "unchanged: %s %s %s\n", acct->dn,
                       a->mode == 'D' ? "does not hold" : "already holds",
                       spns[i]);
    } else if (c->dry_run) {
        if (!c->ldif)
            cli_printf(stdout, "Account: %s\n", acct->how);
        if (cli_print_plan(c, plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto cleanup;
        }
        if (!c->ldif)
            cli_printf(stdout, "dry run: nothing written\n");
    } else if (!c->ldif) {
        cli_printf(stdout, "%s ServicePrincipalNames for %s (%s)\n",
                   a->mode == 'D' ? "Unregistering" : "Registering", acct->dn,
                   acct->how);
        if (cli_print_plan(c, plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto cleanup;
        }
        cli_printf(stdout, "Updated object (run %s, journal %s)\n",
                   adkcd_journal_run_id(j), jpath);
    }
    if (c->dry_run && c->detailed_exitcode && changed)
        rc = CLI_EXIT_PENDING;
cleanup:
    adkcd_journal_close(j, rc == CLI_EXIT_OK ? ADKCD_OK : ADKCD_E_DIRECTORY);
    free(jpath);
    json_decref(conflicts);
    adkcd_strv_free(spns);
    adkcd_strv_free(before);
    adkcd_strv_free(after);
    adkcd_plan_free(plan);
    adkcd_want_clear(&want);
    adkcd_want_free_checked(&want);
    adkcd_statefile_free(sf);
    adkcd_spn_free(spn);
    adkcd_account_free(acct);
    return rc;
}

int
main(int argc, char **argv)
{
    struct cli_common c = {.tool = "adspn"};
    struct args a = {0};
    struct adkcd_conn *conn = NULL;
    struct adkcd_err err;
    int rc;

    adkcd_err_clear(&err);
    a.argc = argc;
    a.argv = argv;
    cli_prescan(&c, argc, argv);
    rc = parse(argc, argv, &c, &a);
    if (rc != 0) {
        cli_common_free(&c);
        return rc;
    }
    /* Validate everything local before touching the network. */
    if (a.spn != NULL && adkcd_spn_check(a.spn, &err) != ADKCD_OK) {
        cli_common_free(&c);
        return cli_fail(&c, &err);
    }
    if (strchr("ASDR", a.mode) != NULL && !c.dry_run &&
        cli_journal_check(&c, &err) != ADKCD_OK) {
        cli_common_free(&c);
        return cli_fail(&c, &err);
    }
    if (a.pattern != NULL &&
        adkcd_spn_pattern_check(a.pattern, &err) != ADKCD_OK) {
        cli_common_free(&c);
        return cli_fail(&c, &err);
    }
    if (a.account != NULL &&
        adkcd_account_check_name(a.account, strlen(a.account), &err) !=
            ADKCD_OK) {
        cli_common_free(&c);
        return cli_fail(&c, &err);
    }
    /* -F -Q and -F -X search the forest: bind the Global Catalog alongside
     * the DC.  -S binds it only once it knows the SPN is to be added (an
     * SPN already held needs no forest-wide check). */
    c.conn.prefetch_gc = a.forest;
    if (cli_connect(&c, &conn, &err) != ADKCD_OK)
        return cli_fail(&c, &err);
    switch (a.mode) {
    case 'L':
        rc = cmd_list(&c, conn, &a);
        break;
    case 'Q':
        rc = cmd_query(&c, conn, &a);
        break;
    case 'X':
        rc = cmd_duplicates(&c, conn, &a);
        break;
    default:
        rc = cmd_change(&c, conn, &a);
        break;
    }
    adkcd_conn_free(conn);
    return rc;
}
