/*
 * Test driver: batched lookups against a DC, one by one or in one batch,
 * printed the same way so that a script can compare the two.
 *
 *   t_resolve_many [-H URI] accounts one|many  < lines "KIND NAME"
 *       (KIND: any, computer, user)
 *   t_resolve_many [-H URI] holders  one|many [--forest]
 *                                              < lines "SPN<TAB>EXCLUDE_DN"
 *       (EXCLUDE_DN may be empty)
 *
 * Output, one line per input line:
 *   accounts: NAME | ok | DN | how           or  NAME | STATUS | message
 *   holders:  SPN | DN=VALUE[ alias]; ...    (in the order found)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/spn.h"
#include "adkcd/spnreg.h"
#include "adkcd/status.h"
#include "adkcd/strv.h"

static int
die(const char *what, const struct adkcd_err *err)
{
    fprintf(stderr, "t_resolve_many: %s: %s: %s\n", what,
            adkcd_status_str(err->status), err->msg);
    return 1;
}

static char **
read_lines(size_t *n_out)
{
    char **v = NULL, *line = NULL;
    size_t cap = 0, n = 0;
    ssize_t len;

    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        if (adkcd_strv_add(&v, line) != 0)
            exit(1);
        n++;
    }
    free(line);
    *n_out = n;
    return v;
}

static void
print_account(const char *name, const struct adkcd_account *a,
              const struct adkcd_err *e)
{
    if (a != NULL)
        printf("%s | ok | %s | %s\n", name, a->dn, a->how);
    else
        printf("%s | %s | %s\n", name, adkcd_status_str(e->status), e->msg);
}

static int
accounts(struct adkcd_conn *conn, int many)
{
    size_t n, i;
    char **lines = read_lines(&n);
    const char **names = calloc(n + 1, sizeof(*names));
    enum adkcd_account_kind *kinds = calloc(n + 1, sizeof(*kinds));
    struct adkcd_account **accts = calloc(n + 1, sizeof(*accts));
    struct adkcd_err *errs = calloc(n + 1, sizeof(*errs));
    struct adkcd_err err;
    int rc = 0;

    adkcd_err_clear(&err);
    if (names == NULL || kinds == NULL || accts == NULL || errs == NULL)
        return 1;
    for (i = 0; i < n; i++) {
        char *sp = strchr(lines[i], ' ');

        names[i] = sp != NULL ? sp + 1 : "";
        kinds[i] = strncmp(lines[i], "computer ", 9) == 0
                       ? ADKCD_ACCOUNT_COMPUTER
                   : strncmp(lines[i], "user ", 5) == 0 ? ADKCD_ACCOUNT_USER
                                                        : ADKCD_ACCOUNT_ANY;
    }
    if (many) {
        if (adkcd_account_resolve_many(conn, names, kinds, n, accts, errs,
                                       &err) != ADKCD_OK)
            return die("adkcd_account_resolve_many", &err);
    } else {
        for (i = 0; i < n; i++) {
            adkcd_err_clear(&errs[i]);
            (void)adkcd_account_resolve(conn, names[i], kinds[i], &accts[i],
                                        &errs[i]);
        }
    }
    for (i = 0; i < n; i++) {
        print_account(lines[i], accts[i], &errs[i]);
        adkcd_account_free(accts[i]);
    }
    adkcd_strv_free(lines);
    free(names);
    free(kinds);
    free(accts);
    free(errs);
    return rc;
}

static int
holders(struct adkcd_conn *conn, int many, int forest)
{
    struct adkcd_scope scope = {forest, NULL};
    struct adkcd_spn_mappings *m = NULL;
    size_t n, i, k;
    char **lines = read_lines(&n);
    const struct adkcd_spn **spns = calloc(n + 1, sizeof(*spns));
    const char **excl = calloc(n + 1, sizeof(*excl));
    struct adkcd_spn_holders **h = calloc(n + 1, sizeof(*h));
    struct adkcd_err err;

    adkcd_err_clear(&err);
    if (spns == NULL || excl == NULL || h == NULL)
        return 1;
    if (adkcd_spn_read_mappings(conn, &m, &err) != ADKCD_OK)
        return die("adkcd_spn_read_mappings", &err);
    for (i = 0; i < n; i++) {
        char *tab = strchr(lines[i], '\t');
        struct adkcd_spn *s = NULL;

        if (tab != NULL) {
            *tab = '\0';
            excl[i] = tab[1] != '\0' ? tab + 1 : NULL;
        }
        if (adkcd_spn_parse(lines[i], &s, &err) != ADKCD_OK)
            return die(lines[i], &err);
        spns[i] = s;
    }
    if (many) {
        if (adkcd_spn_find_holders_many(conn, &scope, spns, n, m, excl, h,
                                        &err) != ADKCD_OK)
            return die("adkcd_spn_find_holders_many", &err);
    } else {
        for (i = 0; i < n; i++)
            if (adkcd_spn_find_holders(conn, &scope, spns[i], m, excl[i], &h[i],
                                       &err) != ADKCD_OK)
                return die("adkcd_spn_find_holders", &err);
    }
    for (i = 0; i < n; i++) {
        printf("%s |", lines[i]);
        for (k = 0; k < h[i]->n; k++)
            printf("%s %s=%s%s", k ? ";" : "", h[i]->v[k].dn, h[i]->v[k].value,
                   h[i]->v[k].via_alias ? " alias" : "");
        printf("\n");
        adkcd_spn_holders_free(h[i]);
        adkcd_spn_free((struct adkcd_spn *)spns[i]);
    }
    adkcd_spn_mappings_free(m);
    adkcd_strv_free(lines);
    free(spns);
    free(excl);
    free(h);
    return 0;
}

int
main(int argc, char **argv)
{
    struct adkcd_conn_opts opts = {0};
    struct adkcd_conn *conn = NULL;
    struct adkcd_err err;
    int i = 1, rc, forest = 0;

    adkcd_err_clear(&err);
    if (argc > 2 && strcmp(argv[1], "-H") == 0) {
        opts.uri = argv[2];
        i = 3;
    }
    if (argc < i + 2) {
        fprintf(stderr, "usage: t_resolve_many [-H URI] accounts|holders "
                        "one|many [--forest]\n");
        return 2;
    }
    forest = argc > i + 2 && strcmp(argv[i + 2], "--forest") == 0;
    opts.prefetch_gc = forest;
    if (adkcd_conn_open(&opts, NULL, NULL, &conn, &err) != ADKCD_OK)
        return die("connect", &err);
    if (strcmp(argv[i], "accounts") == 0)
        rc = accounts(conn, strcmp(argv[i + 1], "many") == 0);
    else
        rc = holders(conn, strcmp(argv[i + 1], "many") == 0, forest);
    adkcd_conn_free(conn);
    return rc;
}
