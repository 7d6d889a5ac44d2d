/* adkcd unit tests: change sets (adkcd/plan.h). */
#include "harness.h"

#include <ldap.h>
#include <ldif.h>

#include "adkcd/plan.h"
#include "adkcd/strv.h"

#define SPN "servicePrincipalName"
#define UAC "userAccountControl"
#define A2D "msDS-AllowedToDelegateTo"

#define DN_IOSMDM "CN=iosmdm,CN=Users,DC=mydom,DC=local"
#define DN_TMG "CN=TMG,CN=Computers,DC=mydom,DC=local"

static struct adkcd_plan *
new_plan(void)
{
    struct adkcd_plan *plan = (struct adkcd_plan *)&plan;
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("plan_new", adkcd_plan_new(&plan, &err), &err);
    assert_non_null(plan);
    assert_ptr_not_equal(plan, (struct adkcd_plan *)&plan);
    assert_int_equal(plan->n, 0);
    return plan;
}

static struct adkcd_change *
new_change(struct adkcd_plan *plan, const char *dn, const char *label)
{
    struct adkcd_change *c = NULL;
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("plan_change", adkcd_plan_change(plan, dn, label, &c, &err),
                &err);
    assert_non_null(c);
    return c;
}

/*
 * Fail unless the operations of c are exactly want: strings "+value" (an
 * ADD) or "-value" (a DELETE), all on attr, in order.
 */
static void
assert_ops(const char *what, const struct adkcd_change *c, const char *attr,
           const char *const *want)
{
    size_t i, n_want = 0;

    while (want[n_want] != NULL)
        n_want++;
    for (i = 0; i < c->n_ops && i < n_want; i++) {
        const struct adkcd_op *op = &c->ops[i];
        char kind = op->kind == ADKCD_OP_ADD      ? '+'
                    : op->kind == ADKCD_OP_DELETE ? '-'
                                                  : '?';

        if (kind != want[i][0] || strcmp(op->value.data, want[i] + 1) != 0)
            fail_msg("%s: op %zu is %c\"%s\", expected %c\"%s\"", what, i, kind,
                     h_esc(op->value.data), want[i][0], h_esc(want[i] + 1));
        if (strcmp(op->attr, attr) != 0)
            fail_msg("%s: op %zu is on \"%s\", expected \"%s\"", what, i,
                     op->attr, attr);
    }
    if (c->n_ops != n_want)
        fail_msg("%s: %zu ops, expected %zu", what, c->n_ops, n_want);
}

/* ------------------------------------------------------------------ */
/* adkcd_change_set_values                                             */
/* ------------------------------------------------------------------ */

#define MAXV 8

struct set_case {
    const char *name;
    enum adkcd_cmp cmp;
    const char *current[MAXV];
    int current_present;
    const char *desired[MAXV];
    int desired_present;
    const char *ops[MAXV]; /* "+v" / "-v" */
    const char *after[MAXV];
    int after_present;
};

/* A strv copy of a NULL-terminated array, or NULL for "no vector" when
 * as_null and the array is empty. */
static char **
vec(const char *const *src, int as_null)
{
    char **v = NULL;
    size_t i;

    if (src[0] == NULL && as_null)
        return NULL;
    v = adkcd_strv_dup(NULL);
    assert_non_null(v);
    for (i = 0; src[i] != NULL; i++)
        assert_int_equal(adkcd_strv_add(&v, src[i]), 0);
    return v;
}

static void
check_set_values(const struct set_case *k, int empty_as_null)
{
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c = new_change(plan, DN_IOSMDM, "user iosmdm");
    char **current = vec(k->current, empty_as_null);
    char **desired = vec(k->desired, empty_as_null);
    const struct adkcd_image *img;
    struct adkcd_err err;
    char what[200];

    snprintf(what, sizeof(what), "set_values(%s%s)", k->name,
             empty_as_null ? "" : ", empty vectors");
    h_err_init(&err);
    h_assert_ok(what,
                adkcd_change_set_values(c, SPN, current, k->current_present,
                                        desired, k->desired_present, k->cmp,
                                        &err),
                &err);
    assert_ops(what, c, SPN, k->ops);
    assert_int_equal(adkcd_plan_count_ops(plan), c->n_ops);
    assert_int_equal(adkcd_plan_is_empty(plan) != 0, c->n_ops == 0);

    /* The images. */
    assert_int_equal(c->n_images, 1);
    img = adkcd_change_image(c, SPN);
    assert_non_null(img);
    assert_ptr_equal(adkcd_change_image(c, "SERVICEPRINCIPALNAME"), img);
    assert_null(adkcd_change_image(c, UAC));
    assert_string_equal(img->attr, SPN);
    if (img->before_present != k->current_present)
        fail_msg("%s: before_present %d, expected %d", what,
                 img->before_present, k->current_present);
    h_assert_vals(what, &img->before, k->current);
    if (current != NULL)
        assert_ptr_not_equal(img->before.v, (void *)current);
    if (img->after_present != k->after_present)
        fail_msg("%s: after_present %d, expected %d", what, img->after_present,
                 k->after_present);
    h_assert_vals(what, &img->after, k->after);

    /* The inputs are the caller's: freeing them leaves the plan intact
     * (valgrind/ASan check the plan below). */
    adkcd_strv_free(current);
    adkcd_strv_free(desired);
    img = adkcd_change_image(c, SPN);
    h_assert_vals(what, &img->before, k->current);
    h_assert_vals(what, &img->after, k->after);
    adkcd_plan_free(plan);
}

static void
test_set_values(void **state)
{
    static const struct set_case cases[] = {
        {"adding a present value, in another case: no op",
         ADKCD_CMP_NOCASE,
         {"HTTP/X", "host/x", NULL},
         1,
         {"HTTP/X", "host/x", "http/x", NULL},
         1,
         {NULL},
         {"HTTP/X", "host/x", NULL},
         1},
        {"adding a new value: one ADD as given",
         ADKCD_CMP_NOCASE,
         {"host/x", NULL},
         1,
         {"host/x", "HTTP/Iosmdm.mydom.local", NULL},
         1,
         {"+HTTP/Iosmdm.mydom.local", NULL},
         {"host/x", "HTTP/Iosmdm.mydom.local", NULL},
         1},
        {"adding to an absent attribute",
         ADKCD_CMP_NOCASE,
         {NULL},
         0,
         {"http/x", NULL},
         1,
         {"+http/x", NULL},
         {"http/x", NULL},
         1},
        {"deleting: the value exactly as stored",
         ADKCD_CMP_NOCASE,
         {"HTTP/X", "host/x", NULL},
         1,
         {"host/x", NULL},
         1,
         {"-HTTP/X", NULL},
         {"host/x", NULL},
         1},
        {"both spellings stored: both deleted",
         ADKCD_CMP_NOCASE,
         {"HTTP/X", "host/x", "http/x", NULL},
         1,
         {"host/x", NULL},
         1,
         {"-HTTP/X", "-http/x", NULL},
         {"host/x", NULL},
         1},
        {"desired_present=0: all deleted",
         ADKCD_CMP_NOCASE,
         {"a", "b", NULL},
         1,
         {NULL},
         0,
         {"-a", "-b", NULL},
         {NULL},
         0},
        {"desired_present=0 ignores desired",
         ADKCD_CMP_NOCASE,
         {"a", "b", NULL},
         1,
         {"a", NULL},
         0,
         {"-a", "-b", NULL},
         {NULL},
         0},
        {"deleting the last value",
         ADKCD_CMP_NOCASE,
         {"a", NULL},
         1,
         {NULL},
         1,
         {"-a", NULL},
         {NULL},
         0},
        {"repeated desired values are added once",
         ADKCD_CMP_NOCASE,
         {NULL},
         0,
         {"http/x", "HTTP/X", "http/x", NULL},
         1,
         {"+http/x", NULL},
         {"http/x", NULL},
         1},
        {"deletes first, then adds; kept values stay in place",
         ADKCD_CMP_NOCASE,
         {"a", "b", NULL},
         1,
         {"c", "B", "d", NULL},
         1,
         {"-a", "+c", "+d", NULL},
         {"b", "c", "d", NULL},
         1},
        {"same values in another order: nothing",
         ADKCD_CMP_NOCASE,
         {"a", "b", NULL},
         1,
         {"b", "a", NULL},
         1,
         {NULL},
         {"a", "b", NULL},
         1},
        {"absent stays absent",
         ADKCD_CMP_NOCASE,
         {NULL},
         0,
         {NULL},
         0,
         {NULL},
         {NULL},
         0},
        {"exact: another case is another value",
         ADKCD_CMP_EXACT,
         {"HTTP/X", NULL},
         1,
         {"http/x", NULL},
         1,
         {"-HTTP/X", "+http/x", NULL},
         {"http/x", NULL},
         1},
        {"exact: repeats collapse, case variants do not",
         ADKCD_CMP_EXACT,
         {NULL},
         0,
         {"a", "A", "a", NULL},
         1,
         {"+a", "+A", NULL},
         {"a", "A", NULL},
         1},
        {"exact: present value",
         ADKCD_CMP_EXACT,
         {"4096", NULL},
         1,
         {"4096", NULL},
         1,
         {NULL},
         {"4096", NULL},
         1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        /* Empty vectors given as NULL, then as {NULL}. */
        check_set_values(&cases[i], 1);
        check_set_values(&cases[i], 0);
    }
}

/* Two attributes in one change: one image each, ops in call order. */
static void
test_set_values_two_attributes(void **state)
{
    static const char *const cur_spn[] = {"host/x", NULL};
    static const char *const want_spn[] = {"host/x", "http/x", NULL};
    static const char *const cur_a2d[] = {"cifs/fs1", "cifs/fs2", NULL};
    static const char *const want_a2d[] = {"cifs/fs2", NULL};
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c = new_change(plan, DN_TMG, "computer tmg$");
    struct adkcd_err err;
    const struct adkcd_image *img;

    (void)state;
    h_err_init(&err);
    h_assert_ok("spn",
                adkcd_change_set_values(c, SPN, (char *const *)cur_spn, 1,
                                        (char *const *)want_spn, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    h_assert_ok("a2d",
                adkcd_change_set_values(c, A2D, (char *const *)cur_a2d, 1,
                                        (char *const *)want_a2d, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    assert_int_equal(c->n_ops, 2);
    assert_int_equal(c->ops[0].kind, ADKCD_OP_ADD);
    assert_string_equal(c->ops[0].attr, SPN);
    assert_string_equal(c->ops[0].value.data, "http/x");
    assert_int_equal(c->ops[1].kind, ADKCD_OP_DELETE);
    assert_string_equal(c->ops[1].attr, A2D);
    assert_string_equal(c->ops[1].value.data, "cifs/fs1");
    assert_int_equal(c->n_images, 2);
    img = adkcd_change_image(c, A2D);
    assert_non_null(img);
    h_assert_vals("a2d before", &img->before, cur_a2d);
    h_assert_vals("a2d after", &img->after, want_a2d);
    img = adkcd_change_image(c, SPN);
    assert_non_null(img);
    h_assert_vals("spn after", &img->after, want_spn);
    assert_int_equal(adkcd_plan_count_ops(plan), 2);
    adkcd_plan_free(plan);
}

/* ------------------------------------------------------------------ */
/* adkcd_change_swap                                                   */
/* ------------------------------------------------------------------ */

struct swap_case {
    const char *old_value, *new_value;
    const char *ops[3];
};

static void
check_swap(const struct swap_case *k)
{
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c = new_change(plan, DN_TMG, "computer tmg$");
    const char *before[] = {k->old_value, NULL};
    const char *after[] = {k->ops[0] != NULL ? k->new_value : k->old_value,
                           NULL};
    const struct adkcd_image *img;
    struct adkcd_err err;
    char what[200];

    snprintf(what, sizeof(what), "swap(\"%s\", \"%s\")", k->old_value,
             k->new_value);
    h_err_init(&err);
    h_assert_ok(what,
                adkcd_change_swap(c, UAC, k->old_value, k->new_value, &err),
                &err);
    assert_ops(what, c, UAC, k->ops);
    img = adkcd_change_image(c, UAC);
    assert_non_null(img);
    assert_int_equal(img->before_present, 1);
    h_assert_vals(what, &img->before, before);
    assert_int_equal(img->after_present, 1);
    h_assert_vals(what, &img->after, after);
    adkcd_plan_free(plan);
}

static void
test_swap(void **state)
{
    static const struct swap_case cases[] = {
        {"4096", "4096", {NULL}},
        {"4096", "528384", {"-4096", "+528384", NULL}},
        {"528384", "4096", {"-528384", "+4096", NULL}},
        /* Exact comparison: a case change is a change. */
        {"abc", "ABC", {"-abc", "+ABC", NULL}},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_swap(&cases[i]);
}

/* ------------------------------------------------------------------ */
/* adkcd_plan_change, adkcd_plan_is_empty, adkcd_plan_count_ops        */
/* ------------------------------------------------------------------ */

static void
test_plan_change(void **state)
{
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *a, *a2, *b;
    size_t ia;

    (void)state;
    a = new_change(plan, "CN=A,DC=mydom,DC=local", "user a");
    assert_int_equal(plan->n, 1);
    assert_string_equal(a->dn, "CN=A,DC=mydom,DC=local");
    assert_string_equal(a->label, "user a");
    assert_int_equal(a->n_ops, 0);
    assert_int_equal(a->n_images, 0);
    assert_int_equal(a->applied, 0);

    /* The same DN in another case: the same change, first label kept. */
    a2 = new_change(plan, "cn=a,dc=MYDOM,dc=local", "other");
    assert_ptr_equal(a2, a);
    assert_int_equal(plan->n, 1);
    assert_string_equal(a2->dn, "CN=A,DC=mydom,DC=local");
    assert_string_equal(a2->label, "user a");

    /* Another DN: a new change (the array may move). */
    b = new_change(plan, "CN=B,DC=mydom,DC=local", NULL);
    assert_int_equal(plan->n, 2);
    assert_string_equal(b->label, "");
    a = new_change(plan, "CN=A,DC=MYDOM,DC=LOCAL", "x");
    assert_int_equal(plan->n, 2);
    ia = (size_t)(a - plan->changes);
    assert_int_equal(ia, 0);
    assert_ptr_equal(new_change(plan, "CN=B,DC=mydom,DC=local", "y"),
                     &plan->changes[1]);
    adkcd_plan_free(plan);
}

static void
test_plan_free_null(void **state)
{
    (void)state;
    adkcd_plan_free(NULL);
}

static void
test_plan_empty_and_count(void **state)
{
    static const char *const one[] = {"a", NULL};
    static const char *const two[] = {"b", "c", NULL};
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_err err;

    (void)state;
    h_err_init(&err);
    assert_true(adkcd_plan_is_empty(plan));
    assert_int_equal(adkcd_plan_count_ops(plan), 0);

    /* A change without operations. */
    c = new_change(plan, "CN=A", "a");
    h_assert_ok("no-op", adkcd_change_swap(c, UAC, "512", "512", &err), &err);
    assert_true(adkcd_plan_is_empty(plan));
    assert_int_equal(adkcd_plan_count_ops(plan), 0);

    c = new_change(plan, "CN=B", "b");
    h_assert_ok("one",
                adkcd_change_set_values(c, SPN, NULL, 0, (char *const *)one, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    assert_false(adkcd_plan_is_empty(plan));
    assert_int_equal(adkcd_plan_count_ops(plan), 1);

    c = new_change(plan, "CN=C", "c");
    h_assert_ok("two",
                adkcd_change_set_values(c, SPN, NULL, 0, (char *const *)two, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    assert_false(adkcd_plan_is_empty(plan));
    assert_int_equal(adkcd_plan_count_ops(plan), 3);
    adkcd_plan_free(plan);
}

/* ------------------------------------------------------------------ */
/* Plans used by the diff and LDIF tests                               */
/* ------------------------------------------------------------------ */

/* Add http/iosmdm.mydom.local next to HOST/iosmdm. */
static struct adkcd_plan *
plan_add(void)
{
    static const char *const cur[] = {"HOST/iosmdm", NULL};
    static const char *const want[] = {"HOST/iosmdm", "http/iosmdm.mydom.local",
                                       NULL};
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c = new_change(plan, DN_IOSMDM, "user iosmdm");
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("plan_add",
                adkcd_change_set_values(c, SPN, (char *const *)cur, 1,
                                        (char *const *)want, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    return plan;
}

/* Delete http/iosmdm.mydom.local (stored as HTTP/iosmdm.mydom.local) and
 * http/iosmdm. */
static struct adkcd_plan *
plan_delete(void)
{
    static const char *const cur[] = {"HOST/iosmdm", "HTTP/iosmdm.mydom.local",
                                      "http/iosmdm", NULL};
    static const char *const want[] = {"HOST/iosmdm", NULL};
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c = new_change(plan, DN_IOSMDM, "user iosmdm");
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("plan_delete",
                adkcd_change_set_values(c, SPN, (char *const *)cur, 1,
                                        (char *const *)want, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    return plan;
}

/* TRUSTED_TO_AUTH_FOR_DELEGATION on a workstation account, by CAS. */
static struct adkcd_plan *
plan_swap(void)
{
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c = new_change(plan, DN_TMG, "computer tmg$");
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("plan_swap",
                adkcd_change_swap(c, UAC, "4096", "16781312", &err), &err);
    return plan;
}

/* Three changes: a no-op one (left out), then two with operations. */
static struct adkcd_plan *
plan_two(void)
{
    static const char *const a2d_cur[] = {"cifs/fs1.mydom.local", NULL};
    static const char *const a2d_want[] = {"cifs/fs1.mydom.local",
                                           "http/iosmdm.mydom.local",
                                           "HTTP/IOSMDM.mydom.local", NULL};
    static const char *const spn_cur[] = {"HOST/TMG", NULL};
    static const char *const spn_want[] = {"HOST/TMG", "host/tmg", NULL};
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_err err;

    h_err_init(&err);
    c = new_change(plan, "CN=Idle,CN=Users,DC=mydom,DC=local", "user idle");
    h_assert_ok("noop",
                adkcd_change_set_values(c, SPN, (char *const *)spn_cur, 1,
                                        (char *const *)spn_want, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    assert_int_equal(c->n_ops, 0);
    c = new_change(plan, DN_TMG, "computer tmg$");
    h_assert_ok("a2d",
                adkcd_change_set_values(c, A2D, (char *const *)a2d_cur, 1,
                                        (char *const *)a2d_want, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    h_assert_ok("uac", adkcd_change_swap(c, UAC, "4096", "16781312", &err),
                &err);
    c = new_change(plan, DN_IOSMDM, "");
    h_assert_ok("spn",
                adkcd_change_set_values(c, SPN, (char *const *)spn_want, 1,
                                        NULL, 0, ADKCD_CMP_NOCASE, &err),
                &err);
    return plan;
}

/* ------------------------------------------------------------------ */
/* adkcd_plan_diff                                                     */
/* ------------------------------------------------------------------ */

static void
check_diff(const char *what, struct adkcd_plan *plan, const char *want)
{
    struct adkcd_err err;
    char *text = (char *)&text;

    h_err_init(&err);
    h_assert_ok(what, adkcd_plan_diff(plan, &text, &err), &err);
    assert_non_null(text);
    h_assert_text(what, text, want);
    free(text);
    adkcd_plan_free(plan);
}

static void
test_diff(void **state)
{
    (void)state;
    check_diff("add", plan_add(),
               "dn: " DN_IOSMDM " (user iosmdm)\n"
               "  " SPN ": HOST/iosmdm\n"
               "+ " SPN ": http/iosmdm.mydom.local\n");
    check_diff("delete", plan_delete(),
               "dn: " DN_IOSMDM " (user iosmdm)\n"
               "  " SPN ": HOST/iosmdm\n"
               "- " SPN ": HTTP/iosmdm.mydom.local\n"
               "- " SPN ": http/iosmdm\n");
    check_diff("swap", plan_swap(),
               "dn: " DN_TMG " (computer tmg$)\n"
               "- " UAC ": 4096\n"
               "+ " UAC ": 16781312\n");
    /* The no-op change is left out; an empty label gets no "()". */
    check_diff("two", plan_two(),
               "dn: " DN_TMG " (computer tmg$)\n"
               "  " A2D ": cifs/fs1.mydom.local\n"
               "+ " A2D ": http/iosmdm.mydom.local\n"
               "- " UAC ": 4096\n"
               "+ " UAC ": 16781312\n"
               "dn: " DN_IOSMDM "\n"
               "- " SPN ": HOST/TMG\n"
               "- " SPN ": host/tmg\n");
}

/* With exact comparison, values that differ only in case are different
 * values, and the diff marks each exactly as planned. */
static void
test_diff_exact_case(void **state)
{
    static const char *const cur[] = {"HTTP/X", "http/x", NULL};
    static const char *const want[] = {"http/x", "Http/X", NULL};
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c = new_change(plan, DN_TMG, "computer tmg$");
    struct adkcd_err err;

    (void)state;
    h_err_init(&err);
    h_assert_ok("set_values",
                adkcd_change_set_values(c, A2D, (char *const *)cur, 1,
                                        (char *const *)want, 1, ADKCD_CMP_EXACT,
                                        &err),
                &err);
    check_diff("exact case", plan,
               "dn: " DN_TMG " (computer tmg$)\n"
               "- " A2D ": HTTP/X\n"
               "  " A2D ": http/x\n"
               "+ " A2D ": Http/X\n");
}

static void
test_diff_empty(void **state)
{
    struct adkcd_plan *plan;
    struct adkcd_change *c;
    struct adkcd_err err;

    (void)state;
    check_diff("no changes", new_plan(), "");

    plan = new_plan();
    c = new_change(plan, DN_TMG, "computer tmg$");
    h_err_init(&err);
    h_assert_ok("noop", adkcd_change_swap(c, UAC, "4096", "4096", &err), &err);
    check_diff("only a no-op change", plan, "");
}

/* ------------------------------------------------------------------ */
/* adkcd_plan_ldif                                                     */
/* ------------------------------------------------------------------ */

/*
 * Read text back with libldap's own LDIF parser (as ldapmodify does) and
 * check that it holds one modify record per change of plan that has
 * operations, with the change's DN and its operations in order (grouped
 * into mods), and nothing else.
 */
static void
check_roundtrip(const char *what, const struct adkcd_plan *plan,
                const char *text)
{
    char *copy = strdup(text);
    LDIFFP *fp;
    unsigned long lineno = 0;
    char *rec = NULL;
    int reclen = 0;
    size_t i;

    assert_non_null(copy);
    if (copy[0] == '\0') {
        /* Nothing to read back: the plan must have nothing to write. */
        assert_true(adkcd_plan_is_empty(plan));
        free(copy);
        return;
    }
    fp = ldif_open_mem(copy, strlen(copy), "r");
    assert_non_null(fp);
    for (i = 0; i < plan->n; i++) {
        const struct adkcd_change *c = &plan->changes[i];
        LDIFRecord lr;
        struct berval rbuf;
        size_t m, k = 0;
        int rc;

        if (c->n_ops == 0)
            continue;
        rc = ldif_read_record(fp, &lineno, &rec, &reclen);
        if (rc <= 0)
            fail_msg("%s: no LDIF record for %s", what, c->dn);
        memset(&lr, 0, sizeof(lr));
        rbuf.bv_val = rec;
        rbuf.bv_len = strlen(rec);
        rc = ldap_parse_ldif_record(&rbuf, lineno, &lr, "test_plan", 0);
        if (rc != 0)
            fail_msg("%s: libldap cannot parse the record for %s (rc %d)", what,
                     c->dn, rc);
        assert_int_equal(lr.lr_op, LDAP_REQ_MODIFY);
        assert_int_equal(lr.lr_dn.bv_len, strlen(c->dn));
        assert_memory_equal(lr.lr_dn.bv_val, c->dn, lr.lr_dn.bv_len);
        assert_null(lr.lr_ctrls);
        assert_non_null(lr.lrop_mods);
        for (m = 0; lr.lrop_mods[m] != NULL; m++) {
            const LDAPMod *mod = lr.lrop_mods[m];
            int mop = mod->mod_op & LDAP_MOD_OP;
            size_t v;

            assert_true(mod->mod_op & LDAP_MOD_BVALUES);
            assert_non_null(mod->mod_bvalues);
            assert_non_null(mod->mod_bvalues[0]);
            for (v = 0; mod->mod_bvalues[v] != NULL; v++, k++) {
                const struct berval *bv = mod->mod_bvalues[v];
                const struct adkcd_op *op;

                if (k >= c->n_ops)
                    fail_msg("%s: more values than ops for %s", what, c->dn);
                op = &c->ops[k];
                assert_int_equal(mop, op->kind == ADKCD_OP_ADD
                                          ? LDAP_MOD_ADD
                                          : LDAP_MOD_DELETE);
                assert_string_equal(mod->mod_type, op->attr);
                if (bv->bv_len != op->value.len ||
                    memcmp(bv->bv_val, op->value.data, bv->bv_len) != 0)
                    fail_msg("%s: value %zu of %s reads back as \"%.*s\", "
                             "expected \"%s\"",
                             what, k, c->dn, (int)bv->bv_len, bv->bv_val,
                             h_esc(op->value.data));
            }
            /* Consecutive mods differ (else they would share a block). */
            if (m > 0) {
                const LDAPMod *prev = lr.lrop_mods[m - 1];

                assert_false((prev->mod_op & LDAP_MOD_OP) == mop &&
                             strcmp(prev->mod_type, mod->mod_type) == 0);
            }
        }
        if (k != c->n_ops)
            fail_msg("%s: %zu values read back for %s, expected %zu", what, k,
                     c->dn, c->n_ops);
        ldap_ldif_record_done(&lr);
    }
    if (ldif_read_record(fp, &lineno, &rec, &reclen) > 0)
        fail_msg("%s: an extra LDIF record: %s", what, rec);
    ber_memfree(rec);
    ldif_close(fp);
    free(copy);
}

static void
check_ldif(const char *what, struct adkcd_plan *plan, const char *want)
{
    struct adkcd_err err;
    char *text = (char *)&text;

    h_err_init(&err);
    h_assert_ok(what, adkcd_plan_ldif(plan, &text, &err), &err);
    assert_non_null(text);
    h_assert_text(what, text, want);
    check_roundtrip(what, plan, text);
    free(text);
    adkcd_plan_free(plan);
}

static void
test_ldif(void **state)
{
    (void)state;
    check_ldif("add", plan_add(),
               "dn: " DN_IOSMDM "\n"
               "changetype: modify\n"
               "add: " SPN "\n" SPN ": http/iosmdm.mydom.local\n"
               "-\n");
    /* Several values of one kind share a block. */
    check_ldif("delete", plan_delete(),
               "dn: " DN_IOSMDM "\n"
               "changetype: modify\n"
               "delete: " SPN "\n" SPN ": HTTP/iosmdm.mydom.local\n" SPN
               ": http/iosmdm\n"
               "-\n");
    /* Compare-and-swap: delete block, then add block, in one record. */
    check_ldif("swap", plan_swap(),
               "dn: " DN_TMG "\n"
               "changetype: modify\n"
               "delete: " UAC "\n" UAC ": 4096\n"
               "-\n"
               "add: " UAC "\n" UAC ": 16781312\n"
               "-\n");
    /* Two records, a blank line between them; the no-op change is left
     * out. */
    check_ldif("two", plan_two(),
               "dn: " DN_TMG "\n"
               "changetype: modify\n"
               "add: " A2D "\n" A2D ": http/iosmdm.mydom.local\n"
               "-\n"
               "delete: " UAC "\n" UAC ": 4096\n"
               "-\n"
               "add: " UAC "\n" UAC ": 16781312\n"
               "-\n"
               "\n"
               "dn: " DN_IOSMDM "\n"
               "changetype: modify\n"
               "delete: " SPN "\n" SPN ": HOST/TMG\n" SPN ": host/tmg\n"
               "-\n");
}

static void
test_ldif_empty(void **state)
{
    struct adkcd_plan *plan;
    struct adkcd_change *c;
    struct adkcd_err err;

    (void)state;
    check_ldif("no changes", new_plan(), "");

    plan = new_plan();
    c = new_change(plan, DN_TMG, "computer tmg$");
    h_err_init(&err);
    h_assert_ok("noop", adkcd_change_swap(c, UAC, "4096", "4096", &err), &err);
    check_ldif("only a no-op change", plan, "");
}

/*
 * Values (and DNs) that are not safe as LDIF text are written base64
 * ("attr:: ...") by libldap's ldif_put_wrap(): non-ASCII bytes, a leading
 * or trailing space, a leading ':' or '<', control characters.  Long
 * values are not folded.
 */
static void
test_ldif_base64(void **state)
{
    static const char *const add[] = {
        "http/x\xc3\xa9", " http/x", "trail ", ":x", "<x", "a\nb", NULL};
    static const char *const cur[] = {"http/iosmdm", NULL};
    char *desired = NULL, *want = NULL;
    char **dv = NULL;
    struct adkcd_plan *plan;
    struct adkcd_change *c;
    struct adkcd_err err;
    size_t i;

    (void)state;
    for (i = 0; add[i] != NULL; i++)
        assert_int_equal(adkcd_strv_add(&dv, add[i]), 0);
    /* A 300-character value stays on one line. */
    desired = malloc(301);
    assert_non_null(desired);
    memset(desired, 'v', 300);
    desired[300] = '\0';
    assert_int_equal(adkcd_strv_add(&dv, desired), 0);

    plan = new_plan();
    c = new_change(plan, "CN=Jos\xc3\xa9,CN=Users,DC=mydom,DC=local",
                   "user jos\xc3\xa9");
    h_err_init(&err);
    h_assert_ok("set_values",
                adkcd_change_set_values(c, A2D, (char *const *)cur, 1, dv, 1,
                                        ADKCD_CMP_NOCASE, &err),
                &err);
    adkcd_strv_free(dv);

    want = malloc(2048);
    assert_non_null(want);
    snprintf(want, 2048,
             "dn:: Q049Sm9zw6ksQ049VXNlcnMsREM9bXlkb20sREM9bG9jYWw=\n"
             "changetype: modify\n"
             "delete: " A2D "\n" A2D ": http/iosmdm\n"
             "-\n"
             "add: " A2D "\n" A2D ":: aHR0cC94w6k=\n" A2D
             ":: IGh0dHAveA==\n" A2D ":: dHJhaWwg\n" A2D ":: Ong=\n" A2D
             ":: PHg=\n" A2D ":: YQpi\n" A2D ": %s\n"
             "-\n",
             desired);
    free(desired);
    check_ldif("base64", plan, want);
    free(want);
}

/* A value with a newline cannot forge a diff line: it is shown base64. */
static void
test_diff_value_cannot_forge_lines(void **state)
{
    char *cur[] = {"ok", NULL};
    char *want[] = {"ok", "x\n+ servicePrincipalName: evil", NULL};
    struct adkcd_plan *plan = NULL;
    struct adkcd_change *c = NULL;
    char *text = NULL;

    (void)state;
    assert_int_equal(adkcd_plan_new(&plan, NULL), ADKCD_OK);
    assert_int_equal(adkcd_plan_change(plan, "CN=a", "user a", &c, NULL),
                     ADKCD_OK);
    assert_int_equal(adkcd_change_set_values(c, "msDS-AllowedToDelegateTo", cur,
                                             1, want, 1, ADKCD_CMP_NOCASE,
                                             NULL),
                     ADKCD_OK);
    assert_int_equal(adkcd_plan_diff(plan, &text, NULL), ADKCD_OK);
    assert_string_equal(text, "dn: CN=a (user a)\n"
                              "  msDS-AllowedToDelegateTo: ok\n"
                              "+ msDS-AllowedToDelegateTo:: "
                              "eAorIHNlcnZpY2VQcmluY2lwYWxOYW1lOiBldmls\n");
    free(text);
    adkcd_plan_free(plan);
}

/* Planning one attribute twice in a change is refused: the images would
 * no longer show every operation. */
static void
test_attribute_planned_twice(void **state)
{
    char *cur[] = {"A", NULL};
    char *want1[] = {"A", "B", NULL};
    char *want2[] = {"A", "C", NULL};
    struct adkcd_plan *plan = NULL;
    struct adkcd_change *c = NULL;
    struct adkcd_err err;

    (void)state;
    adkcd_err_clear(&err);
    assert_int_equal(adkcd_plan_new(&plan, NULL), ADKCD_OK);
    assert_int_equal(adkcd_plan_change(plan, "CN=a", "", &c, NULL), ADKCD_OK);
    assert_int_equal(adkcd_change_set_values(c, "x", cur, 1, want1, 1,
                                             ADKCD_CMP_EXACT, NULL),
                     ADKCD_OK);
    assert_int_equal(adkcd_change_set_values(c, "X", cur, 1, want2, 1,
                                             ADKCD_CMP_EXACT, &err),
                     ADKCD_E_INVALID);
    assert_non_null(strstr(err.msg, "planned twice"));
    assert_int_equal(adkcd_change_swap(c, "x", "A", "C", NULL),
                     ADKCD_E_INVALID);
    assert_int_equal(adkcd_plan_count_ops(plan), 1);
    adkcd_plan_free(plan);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_set_values_two_attributes),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_plan_change),
        cmocka_unit_test(test_plan_free_null),
        cmocka_unit_test(test_plan_empty_and_count),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_diff_exact_case),
        cmocka_unit_test(test_diff_empty),
        cmocka_unit_test(test_ldif),
        cmocka_unit_test(test_ldif_empty),
        cmocka_unit_test(test_ldif_base64),
        cmocka_unit_test(test_diff_value_cannot_forge_lines),
        cmocka_unit_test(test_attribute_planned_twice),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
