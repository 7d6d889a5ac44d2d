/*
 * adkcd apply and export: a state file for many accounts, planned as a
 * whole, shown as one diff, applied through the engine as one journaled
 * run; and the directory's state as such a file.  Parses, calls the
 * library, prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adkcd.h"
#include "adkcd/sd.h"
#include "adkcd/engine.h"
#include "adkcd/export.h"
#include "adkcd/journal.h"
#include "adkcd/stateplan.h"
#include "adkcd/statefile.h"
#include "adkcd/strv.h"

/* The largest state file read (the parser's own limit is lower). */
#define MAX_FILE (64u << 20)

/* Read all of path ("-": standard input). */
static adkcd_status
read_all(const char *path, char **text_out, size_t *len_out,
         struct adkcd_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    size_t len = 0, cap = 0, got;
    char *text = NULL;

    *text_out = NULL;
    *len_out = 0;
    if (f == NULL)
        return adkcd_err_set(err, ADKCD_E_IO, "%s: %s", path, strerror(errno));
    for (;;) {
        if (cap - len < 65536) {
            char *nt;

            cap = cap ? 2 * cap : 65536;
            nt = cap <= MAX_FILE + 65536 ? realloc(text, cap) : NULL;
            if (nt == NULL) {
                free(text);
                if (f != stdin)
                    fclose(f);
                return cap > MAX_FILE + 65536
                           ? adkcd_err_set(err, ADKCD_E_USAGE,
                                           "%s: larger than %u MiB", path,
                                           MAX_FILE >> 20)
                           : adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
            }
            text = nt;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;

        free(text);
        if (f != stdin)
            fclose(f);
        return adkcd_err_set(err, ADKCD_E_IO, "%s: %s", path, strerror(e));
    }
    if (f != stdin)
        fclose(f);
    *text_out = text;
    *len_out = len;
    return ADKCD_OK;
}

static const char *
shown_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

/* FILE:LINE:COLUMN: message (escaped), on stderr. */
static void
print_at(struct cli_common *c, const char *file, struct adkcd_sf_pos pos,
         const char *msg)
{
    if (pos.line > 0)
        cli_printf(stderr, "%s:%u:%u: ", file, pos.line, pos.column);
    else
        cli_printf(stderr, "%s: ", file);
    cli_put_safe(stderr, msg);
    fputc('\n', stderr);
    (void)c;
}

static json_t *
json_pos(struct adkcd_sf_pos pos)
{
    return pos.line > 0 ? json_pack("{s:i,s:i}", "line", (int)pos.line,
                                    "column", (int)pos.column)
                        : json_null();
}

/* The file does not validate: every problem, exit 3, nothing sent. */
static int
report_invalid(struct cli_common *c, const char *file,
               const struct adkcd_sf_errors *errs, const struct adkcd_err *err)
{
    json_t *arr = c->json ? json_array() : NULL;
    size_t i;

    for (i = 0; i < errs->n; i++) {
        print_at(c, file, errs->v[i].pos, errs->v[i].msg);
        if (arr != NULL) {
            json_t *o = json_object();

            json_object_set_new(o, "position", json_pos(errs->v[i].pos));
            json_object_set_new(o, "message", cli_json_text(errs->v[i].msg));
            json_array_append_new(arr, o);
        }
    }
    if (errs->more > 0)
        cli_printf(stderr, "%s: ... and %zu more problems\n", file, errs->more);
    if (!c->json) {
        cli_printf(stderr, "adkcd: %s: %zu problem%s, nothing written\n", file,
                   errs->n + errs->more, errs->n + errs->more == 1 ? "" : "s");
        return CLI_EXIT_USAGE;
    }
    {
        /* The lines above said it all on stderr; the JSON says it too. */
        struct cli_common quiet = *c;
        FILE *saved = stderr;
        int rc;

        stderr = fopen("/dev/null", "w");
        if (stderr == NULL)
            stderr = saved;
        rc = cli_fail_with(&quiet, err, "problems", arr);
        if (stderr != saved) {
            fclose(stderr);
            stderr = saved;
        }
        return rc;
    }
}

/* Plan-time problems: each placed at its account, exit by the first. */
static int
report_issues(struct cli_common *c, const char *file,
              const struct adkcd_statefile *sf,
              const struct adkcd_stateplan *sp, const struct adkcd_err *err)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < sp->n_issues; i++) {
        const struct adkcd_issue *is = &sp->issues[i];
        const struct adkcd_sf_account *a = &sf->accounts[is->account];
        char msg[ADKCD_ERR_MSG_SIZE + 600];
        json_t *o = json_object();

        snprintf(msg, sizeof(msg), "accounts[%zu] (%s): %s", is->account + 1,
                 a->name, is->message);
        if (!c->json)
            print_at(c, file, a->name_pos, msg);
        json_object_set_new(o, "index",
                            json_integer((json_int_t)is->account + 1));
        json_object_set_new(o, "account", cli_json_text(a->name));
        json_object_set_new(o, "position", json_pos(a->name_pos));
        json_object_set_new(o, "kind",
                            cli_json_text(adkcd_issue_kind_str(is->kind)));
        json_object_set_new(o, "status",
                            cli_json_text(adkcd_status_str(is->status)));
        json_object_set_new(o, "message", cli_json_text(is->message));
        if (is->spn != NULL)
            json_object_set_new(o, "spn", cli_json_text(is->spn));
        if (is->holder != NULL)
            json_object_set_new(o, "holder", cli_json_text(is->holder));
        if (is->value != NULL)
            json_object_set_new(o, "value", cli_json_text(is->value));
        if (is->kind == ADKCD_ISSUE_SPN_HELD ||
            is->kind == ADKCD_ISSUE_SPN_IN_FILE)
            json_object_set_new(o, "via_alias", json_boolean(is->via_alias));
        json_array_append_new(arr, o);
    }
    return cli_fail_with(c, err, "problems", arr);
}

/* What the file changes of account i, as JSON. */
static json_t *
json_account(struct adkcd_conn *conn, const struct adkcd_stateplan *sp,
             size_t i, int dry_run)
{
    const struct adkcd_sf_account *a = &sp->sf->accounts[i];
    const struct adkcd_want *w = &sp->wants[i];
    const struct adkcd_change *ch = adkcd_stateplan_change(sp, i);
    int changed = ch != NULL && (ch->n_ops > 0 || ch->attempts > 0) &&
                  ch->outcome != ADKCD_OUT_UNCHANGED;
    json_t *o = json_object();

    json_object_set_new(o, "index", json_integer((json_int_t)i + 1));
    json_object_set_new(o, "account", cli_json_text(a->name));
    json_object_set_new(o, "position", json_pos(a->name_pos));
    json_object_set_new(o, "dn",
                        sp->accts[i] != NULL ? cli_json_text(sp->accts[i]->dn)
                                             : json_null());
    json_object_set_new(o, "label", cli_json_text(ch != NULL ? ch->label : ""));
    json_object_set_new(o, "changed", json_boolean(changed));
    json_object_set_new(o, "outcome",
                        cli_json_text(ch == NULL || !changed ? "unchanged"
                                      : dry_run
                                          ? "planned"
                                          : adkcd_outcome_str(ch->outcome)));
    json_object_set_new(o, "error",
                        ch != NULL && ch->message != NULL
                            ? cli_json_text(ch->message)
                            : json_null());
    json_object_set_new(o, "attempts",
                        json_integer(ch != NULL ? ch->attempts : 0));
    if (a->spns.given)
        json_object_set_new(o, "spns",
                            json_pack("{s:o,s:o}", "before",
                                      cli_json_strv(w->spns_before), "after",
                                      cli_json_strv(w->spns_after)));
    if (a->deleg.given)
        json_object_set_new(
            o, "delegation",
            json_pack("{s:o,s:o}", "before", front_json_deleg(&w->deleg_before),
                      "after", front_json_deleg(&w->deleg_after)));
    if (a->rbcd.given)
        json_object_set_new(o, "rbcd", front_json_rbcd(conn, w));
    return o;
}

/* Progress on a terminal: "N/M changes". */
static void
progress(void *ctx, size_t done, size_t total)
{
    struct cli_common *c = ctx;

    cli_progress_changes(c, done, total);
}

int
cmd_apply(struct cli_common *c, struct args *a)
{
    struct adkcd_statefile *sf = NULL;
    struct adkcd_sf_errors *errs = NULL;
    struct adkcd_stateplan *sp = NULL;
    struct adkcd_conn *conn = NULL;
    struct adkcd_journal *j = NULL;
    struct adkcd_engine_opts o;
    struct adkcd_engine_result res;
    struct adkcd_err err;
    const char *file;
    FILE *report;
    char *text = NULL, *jpath = NULL;
    size_t len = 0, i, n_changed = 0;
    adkcd_status st;
    int rc = 0, changed;
    json_t *warnings = NULL;

    adkcd_err_clear(&err);
    memset(&o, 0, sizeof(o));
    memset(&res, 0, sizeof(res));
    if (a->npos != 1)
        return cli_usage_error(c, "apply needs one FILE (or - for standard "
                                  "input)");
    file = shown_name(a->pos[0]);
    /* Everything local first: the file read and validated whole, the
     * journal named, before the network is touched. */
    st = read_all(a->pos[0], &text, &len, &err);
    if (st == ADKCD_OK)
        st = adkcd_statefile_parse(text, len, &sf, &errs, &err);
    if (st != ADKCD_OK) {
        rc = errs != NULL ? report_invalid(c, file, errs, &err)
                          : cli_fail(c, &err);
        goto cleanup;
    }
    if (!c->dry_run && cli_journal_check(c, &err) != ADKCD_OK) {
        rc = cli_fail(c, &err);
        goto cleanup;
    }
    rc = front_connect(c, &conn);
    if (rc != 0)
        goto cleanup;
    st = adkcd_stateplan_make(conn, sf, a->req.force, &sp, &err);
    if (st != ADKCD_OK) {
        rc = sp != NULL && sp->n_issues > 0
                 ? report_issues(c, file, sf, sp, &err)
                 : cli_fail(c, &err);
        goto cleanup;
    }
    changed = !adkcd_plan_is_empty(sp->plan);
    for (i = 0; i < sp->plan->n; i++)
        n_changed += sp->plan->changes[i].n_ops > 0;
    if (changed && !c->dry_run) {
        /* The journal must be writable before anything is written. */
        st =
            cli_journal_open(c, conn, a->argc, a->argv, NULL, &j, &jpath, &err);
        if (st != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto cleanup;
        }
        o.stop_on_error = a->stop_on_error;
        o.progress = progress;
        o.progress_ctx = c;
        st = adkcd_engine_apply_conn(conn, sp->plan, j, &o, &res, &err);
        cli_progress_done(c);
        cli_note_read_back(c, &res);
    }
    /* What rbcd add would warn about, for each account whose resource-based
     * delegation the file changes. */
    warnings = c->json ? json_array() : NULL;
    for (i = 0; i < sf->n_accounts; i++) {
        const struct adkcd_change *ch = adkcd_stateplan_change(sp, i);

        if (sf->accounts[i].rbcd.given && sp->accts[i] != NULL && ch != NULL &&
            adkcd_change_image(ch, ADKCD_RBCD_ATTR) != NULL &&
            sp->wants[i].rbcd_after.changed)
            front_rbcd_warnings(c, warnings, conn, &sp->wants[i],
                                sp->accts[i]->sam);
    }
    if (c->json) {
        json_t *doc = cli_json_doc(c, "apply");
        json_t *accts = json_array();

        json_object_set_new(doc, "file", cli_json_text(file));
        json_object_set_new(doc, "changed", json_boolean(changed));
        json_object_set_new(doc, "dry_run", json_boolean(c->dry_run));
        json_object_set_new(
            doc, "applied",
            json_boolean(changed && !c->dry_run && res.applied > 0));
        for (i = 0; i < sf->n_accounts; i++)
            json_array_append_new(accts, json_account(conn, sp, i, c->dry_run));
        json_object_set_new(doc, "accounts", accts);
        json_object_set_new(
            doc, "counts",
            json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "accounts",
                      (int)sf->n_accounts, "to_change", (int)n_changed,
                      "applied", (int)res.applied, "failed", (int)res.failed,
                      "in_doubt", (int)res.in_doubt, "skipped",
                      (int)res.skipped, "retried", (int)res.retried));
        cli_json_run(doc, j, jpath, changed && !c->dry_run);
        json_object_set_new(doc, "read_back_error", cli_json_read_back(&res));
        json_object_set_new(doc, "warnings", warnings);
        warnings = NULL;
        if (st != ADKCD_OK)
            json_object_set_new(doc, "error",
                                json_pack("{s:s,s:o}", "status",
                                          adkcd_status_str(st), "message",
                                          cli_json_text(err.msg)));
        cli_json_print(doc);
    } else if (!changed) {
        cli_printf(
            stdout,
            "unchanged: the %zu account%s of %s already are as it says\n",
            sf->n_accounts, sf->n_accounts == 1 ? "" : "s", file);
    } else {
        if (cli_print_plan(c, sp->plan, &err) != ADKCD_OK) {
            rc = cli_fail(c, &err);
            goto cleanup;
        }
        /* With --ldif, standard output is LDIF alone. */
        report = c->ldif ? stderr : stdout;
        /* The diff shows descriptors as SDDL: name the principals. */
        for (i = 0; i < sf->n_accounts; i++) {
            if (sf->accounts[i].rbcd.given && sp->accts[i] != NULL &&
                sp->wants[i].rbcd_after.changed)
                front_rbcd_print(report, conn, &sp->wants[i],
                                 sp->accts[i]->sam);
        }
        if (c->dry_run) {
            cli_printf(report,
                       "dry run: %zu of %zu accounts would change; nothing "
                       "written\n",
                       n_changed, sf->n_accounts);
        } else {
            for (i = 0; i < sp->plan->n; i++) {
                const struct adkcd_change *ch = &sp->plan->changes[i];

                if (ch->outcome == ADKCD_OUT_APPLIED ||
                    ch->outcome == ADKCD_OUT_UNCHANGED ||
                    ch->outcome == ADKCD_OUT_PLANNED)
                    continue;
                cli_printf(report, "%s: %s (%s)",
                           adkcd_outcome_str(ch->outcome), ch->label, ch->dn);
                if (ch->message != NULL) {
                    fputs(": ", report);
                    cli_put_safe(report, ch->message);
                }
                fputc('\n', report);
            }
            cli_printf(report,
                       "Applied %zu of %zu changes (run %s, journal %s)\n",
                       res.applied, n_changed, adkcd_journal_run_id(j), jpath);
        }
    }
    if (st != ADKCD_OK) {
        if (c->json)
            rc = cli_exit_code(st);
        else
            rc = cli_fail(c, &err);
        front_rbcd_refusals(c, sp->plan);
        goto cleanup;
    }
    cli_note_read_differs(c, sp->plan);
    rc = c->dry_run && c->detailed_exitcode && changed ? CLI_EXIT_PENDING
                                                       : CLI_EXIT_OK;
cleanup:
    adkcd_journal_close(j, rc == CLI_EXIT_OK ? ADKCD_OK : ADKCD_E_DIRECTORY);
    json_decref(warnings);
    free(jpath);
    free(text);
    adkcd_stateplan_free(sp);
    adkcd_statefile_free(sf);
    adkcd_sf_errors_free(errs);
    adkcd_conn_free(conn);
    return rc;
}

/* Why an account's delegation is left out of an export. */
static const char *
gap_words(enum adkcd_export_gap g)
{
    switch (g) {
    case ADKCD_GAP_UNCONSTRAINED_EXTRA:
        return ": unconstrained delegation with services or protocol "
               "transition as well cannot be written as a state file: its "
               "delegation is left out (applying the file leaves it as it is)";
    case ADKCD_GAP_ORPHAN_PT:
        return ": protocol transition without any service cannot be written "
               "as a state file: its delegation is left out (applying the "
               "file leaves it as it is)";
    case ADKCD_GAP_RBCD_COMPLEX:
        break;
    }
    return ": its resource-based delegation descriptor holds more than a "
           "list of principals can say (deny, conditional or object ACEs, "
           "or no DACL): its rbcd is left out (applying the file leaves it "
           "as it is; see adkcd rbcd show)";
}

int
cmd_export(struct cli_common *c, struct args *a)
{
    struct adkcd_conn *conn = NULL;
    struct adkcd_statefile *sf = NULL;
    struct adkcd_export_gaps *gaps = NULL;
    enum adkcd_account_kind *kinds = NULL;
    struct adkcd_err err;
    char *text = NULL;
    int rc = 0, i;
    size_t k;

    adkcd_err_clear(&err);
    for (i = 0; rc == 0 && i < a->npos; i++) {
        if (adkcd_account_check_name(a->pos[i], strlen(a->pos[i]), &err) !=
            ADKCD_OK)
            rc = cli_fail(c, &err);
    }
    if (rc != 0)
        return rc;
    kinds = calloc((size_t)a->npos + 1, sizeof(*kinds));
    if (kinds == NULL)
        return front_nomem(c);
    for (i = 0; i < a->npos; i++)
        kinds[i] = a->kind;
    rc = front_connect(c, &conn);
    if (rc == 0 &&
        (adkcd_export(conn, (const char *const *)a->pos, kinds, (size_t)a->npos,
                      &sf, &gaps, &err) != ADKCD_OK ||
         adkcd_statefile_write(sf, &text, &err) != ADKCD_OK))
        rc = cli_fail(c, &err);
    if (rc == 0) {
        for (k = 0; k < gaps->n; k++) {
            cli_printf(stderr, "adkcd: warning: ");
            cli_put_safe(stderr, gaps->v[k].dn);
            cli_printf(stderr, "%s\n", gap_words(gaps->v[k].gap));
        }
        fputs(text, stdout);
    }
    free(text);
    free(kinds);
    adkcd_export_gaps_free(gaps);
    adkcd_statefile_free(sf);
    adkcd_conn_free(conn);
    return rc;
}
