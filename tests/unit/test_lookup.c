/*
 * adkcd unit tests: batched lookups (src/lib/directory/lookup.h): chunking,
 * filter terms, and the decisions per name and per SPN that
 * adkcd_account_resolve() and adkcd_account_resolve_many(), and
 * adkcd_spn_find_holders() and adkcd_spn_find_holders_many(), share.  The
 * searches themselves need a DC: tests/integration/t_batch_lookup.sh.
 */
#include "harness.h"

#include "lookup.h"
#include "adkcd/account.h"
#include "adkcd/spnreg.h"

#define BASE "DC=mydom,DC=local"

static void
test_chunk_end(void **state)
{
    size_t terms[] = {2, 2, 1, 2, 1, 5, 1};
    size_t n = N_ELEMS(terms);

    (void)state;
    /* Whole items only, as many as fit. */
    assert_int_equal(adkcd_lookup_chunk_end(terms, 0, n, 4), 2);
    assert_int_equal(adkcd_lookup_chunk_end(terms, 2, n, 4), 5);
    /* An item larger than max still makes a chunk of its own. */
    assert_int_equal(adkcd_lookup_chunk_end(terms, 5, n, 4), 6);
    assert_int_equal(adkcd_lookup_chunk_end(terms, 6, n, 4), 7);
    assert_int_equal(adkcd_lookup_chunk_end(terms, 0, n, 100), n);
    assert_int_equal(adkcd_lookup_chunk_end(terms, n, n, 4), n);
}

static void
test_chunks_cover_everything(void **state)
{
    size_t terms[450], i, end, chunks = 0, covered = 0;

    (void)state;
    for (i = 0; i < N_ELEMS(terms); i++)
        terms[i] = 1 + i % 2; /* NAME: NAME$ and NAME; NAME$: one */
    for (i = 0; i < N_ELEMS(terms); i = end) {
        size_t used = 0, j;

        end = adkcd_lookup_chunk_end(terms, i, N_ELEMS(terms),
                                     ADKCD_LOOKUP_CHUNK);
        assert_true(end > i);
        for (j = i; j < end; j++)
            used += terms[j];
        assert_true(used <= ADKCD_LOOKUP_CHUNK);
        covered += end - i;
        chunks++;
    }
    assert_int_equal(covered, N_ELEMS(terms));
    assert_int_equal(chunks, 7); /* 675 terms, 100 a filter at most */
}

static void
test_filter_terms_escaped(void **state)
{
    struct buf b = {0};
    char *s;

    (void)state;
    buf_puts(&b, "(|");
    adkcd_lookup_term(&b, "sAMAccountName", "x)(objectClass=*");
    adkcd_lookup_term(&b, "sAMAccountName", "a\\b$");
    adkcd_lookup_term(&b, "userPrincipalName", "u@mydom.local");
    buf_puts(&b, ")");
    s = buf_take(&b);
    assert_string_equal(s, "(|(sAMAccountName=x\\29\\28objectClass=\\2A)"
                           "(sAMAccountName=a\\5Cb$)"
                           "(userPrincipalName=u@mydom.local))");
    free(s);
}

static struct adkcd_account *
acct(const char *cn, const char *sam)
{
    struct adkcd_account *a = calloc(1, sizeof(*a));

    assert_non_null(a);
    assert_true(asprintf(&a->dn, "CN=%s,CN=Users," BASE, cn) > 0);
    a->sam = strdup(sam);
    assert_non_null(a->sam);
    return a;
}

static void
test_sam_wanted(void **state)
{
    (void)state;
    assert_true(adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_ANY, "WEB$"));
    assert_true(adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_ANY, "web"));
    assert_false(adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_ANY, "web1"));
    assert_false(adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_ANY, "we"));
    assert_true(
        adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_COMPUTER, "web$"));
    assert_false(
        adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_COMPUTER, "web"));
    assert_false(adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_USER, "web$"));
    assert_true(adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_USER, "Web"));
    /* NAME$ is the computer whatever the kind. */
    assert_true(adkcd_account_sam_wanted("web$", ADKCD_ACCOUNT_USER, "web$"));
    assert_false(adkcd_account_sam_wanted("web$", ADKCD_ACCOUNT_ANY, "web"));
    assert_false(adkcd_account_sam_wanted("web", ADKCD_ACCOUNT_ANY, NULL));
}

static void
test_pick_sam_computer_first(void **state)
{
    struct adkcd_account *c[2];
    struct adkcd_err err;
    char how[200];
    size_t pick = 99;

    (void)state;
    c[0] = acct("web-user", "web");
    c[1] = acct("web", "WEB$");
    h_err_init(&err);
    h_assert_ok("ANY",
                adkcd_account_pick_sam("web", ADKCD_ACCOUNT_ANY, BASE, c, 2,
                                       &pick, how, sizeof(how), &err),
                &err);
    assert_int_equal(pick, 1);
    assert_string_equal(how, "computer web$");
    h_assert_ok("USER",
                adkcd_account_pick_sam("web", ADKCD_ACCOUNT_USER, BASE, c, 1,
                                       &pick, how, sizeof(how), &err),
                &err);
    assert_int_equal(pick, 0);
    assert_string_equal(how, "user web");
    /* Only the user: the sentence says why. */
    h_assert_ok("ANY, user only",
                adkcd_account_pick_sam("web", ADKCD_ACCOUNT_ANY, BASE, c, 1,
                                       &pick, how, sizeof(how), &err),
                &err);
    assert_string_equal(how, "user web, as no computer web$ exists");
    adkcd_account_free(c[0]);
    adkcd_account_free(c[1]);
}

static void
test_pick_sam_not_found_and_ambiguous(void **state)
{
    struct adkcd_account *c[3];
    struct adkcd_err err;
    char how[200];
    size_t pick;
    adkcd_status st;

    (void)state;
    h_err_init(&err);
    st = adkcd_account_pick_sam("nope", ADKCD_ACCOUNT_ANY, BASE, NULL, 0, &pick,
                                how, sizeof(how), &err);
    h_assert_failed("none", st, ADKCD_E_NOTFOUND, &err,
                    "no computer 'nope$' or user 'nope' in " BASE, NULL);
    h_err_init(&err);
    st = adkcd_account_pick_sam("nope$", ADKCD_ACCOUNT_ANY, BASE, NULL, 0,
                                &pick, how, sizeof(how), &err);
    h_assert_failed("none$", st, ADKCD_E_NOTFOUND, &err,
                    "no computer account 'nope$' in " BASE, NULL);
    h_err_init(&err);
    st = adkcd_account_pick_sam("nope", ADKCD_ACCOUNT_USER, BASE, NULL, 0,
                                &pick, how, sizeof(how), &err);
    h_assert_failed("none -U", st, ADKCD_E_NOTFOUND, &err,
                    "no user account 'nope' in " BASE, NULL);
    /* Two users and no computer: ambiguous, every candidate listed. */
    c[0] = acct("a", "dup");
    c[1] = acct("b", "DUP");
    h_err_init(&err);
    st = adkcd_account_pick_sam("dup", ADKCD_ACCOUNT_ANY, BASE, c, 2, &pick,
                                how, sizeof(how), &err);
    h_assert_failed(
        "two users", st, ADKCD_E_NOTFOUND, &err,
        "dup is ambiguous: it matches 2 accounts (CN=a,CN=Users," BASE
        "; CN=b,CN=Users," BASE ")",
        NULL);
    /* ... but one computer wins over them. */
    c[2] = acct("dup", "dup$");
    h_err_init(&err);
    h_assert_ok("computer wins",
                adkcd_account_pick_sam("dup", ADKCD_ACCOUNT_ANY, BASE, c, 3,
                                       &pick, how, sizeof(how), &err),
                &err);
    assert_int_equal(pick, 2);
    adkcd_account_free(c[0]);
    adkcd_account_free(c[1]);
    adkcd_account_free(c[2]);
}

static void
test_pick_one(void **state)
{
    struct adkcd_account *c[2];
    struct adkcd_err err;
    size_t pick = 9;
    adkcd_status st;

    (void)state;
    h_err_init(&err);
    st =
        adkcd_account_pick_one("with UPN 'u@x' in " BASE, NULL, 0, &pick, &err);
    h_assert_failed("none", st, ADKCD_E_NOTFOUND, &err,
                    "no account with UPN 'u@x' in " BASE, NULL);
    c[0] = acct("a", "a");
    c[1] = acct("b", "b");
    h_assert_ok("one", adkcd_account_pick_one("x", c, 1, &pick, &err), &err);
    assert_int_equal(pick, 0);
    h_err_init(&err);
    st = adkcd_account_pick_one("with UPN 'u@x'", c, 2, &pick, &err);
    h_assert_failed("two", st, ADKCD_E_NOTFOUND, &err,
                    "with UPN 'u@x' is ambiguous: it matches 2 accounts", NULL);
    adkcd_account_free(c[0]);
    adkcd_account_free(c[1]);
}

static void
test_holders_match(void **state)
{
    char *equiv[] = {"http/web.mydom.local", "host/web.mydom.local", NULL};
    char *values[] = {"HOST/web.mydom.local", "cifs/web.mydom.local",
                      "HTTP/WEB.mydom.local", NULL};
    struct adkcd_spn_holders *h = calloc(1, sizeof(*h));
    struct adkcd_err err;

    (void)state;
    assert_non_null(h);
    h_err_init(&err);
    h_assert_ok("match",
                adkcd_spn_holders_match(h, equiv, "http/web.mydom.local", NULL,
                                        "CN=web," BASE, values, &err),
                &err);
    /* In the entry's value order; an alias is flagged, a case change is
     * not. */
    assert_int_equal(h->n, 2);
    assert_string_equal(h->v[0].value, "HOST/web.mydom.local");
    assert_true(h->v[0].via_alias);
    assert_string_equal(h->v[1].value, "HTTP/WEB.mydom.local");
    assert_false(h->v[1].via_alias);
    /* The account that will hold the SPN is not its own duplicate. */
    h_assert_ok("excluded",
                adkcd_spn_holders_match(h, equiv, "http/web.mydom.local",
                                        "cn=WEB," BASE, "CN=web," BASE, values,
                                        &err),
                &err);
    assert_int_equal(h->n, 2);
    h_assert_ok("no values",
                adkcd_spn_holders_match(h, equiv, "http/web.mydom.local", NULL,
                                        "CN=x," BASE, NULL, &err),
                &err);
    assert_int_equal(h->n, 2);
    adkcd_spn_holders_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_end),
        cmocka_unit_test(test_chunks_cover_everything),
        cmocka_unit_test(test_filter_terms_escaped),
        cmocka_unit_test(test_sam_wanted),
        cmocka_unit_test(test_pick_sam_computer_first),
        cmocka_unit_test(test_pick_sam_not_found_and_ambiguous),
        cmocka_unit_test(test_pick_one),
        cmocka_unit_test(test_holders_match),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
