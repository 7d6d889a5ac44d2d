/*
 * The one account planner (want.h): what a verb or a state-file entry
 * wants of an account, planned against the account's attributes, as first
 * read and again after a lost compare-and-swap.  Pure.
 */
#include "harness.h"

#include "adkcd/want.h"

#define DN "CN=tmg,CN=Computers,DC=x"
#define UAC "userAccountControl"
#define SPN "servicePrincipalName"

struct fx {
    struct adkcd_statefile *sf;
    struct adkcd_sf_account *spec;
    struct adkcd_account acct;
    struct adkcd_want w;
    struct adkcd_plan *plan;
    struct adkcd_change *c;
    struct adkcd_entry *now;
    struct adkcd_err err;
};

static void
setup(struct fx *f, unsigned uac, const char *const *spns,
      const char *const *services)
{
    size_t i;
    char v[16];

    memset(f, 0, sizeof(*f));
    h_err_init(&f->err);
    assert_int_equal(adkcd_statefile_new(&f->sf, &f->err), ADKCD_OK);
    assert_int_equal(adkcd_statefile_add_account(
                         f->sf, "tmg", ADKCD_ACCOUNT_ANY, &f->spec, &f->err),
                     ADKCD_OK);
    f->acct.dn = DN;
    f->acct.sam = "tmg$";
    f->acct.is_computer = 1;
    f->acct.uac = uac;
    f->acct.has_uac = 1;
    f->w.spec = f->spec;
    f->w.acct = &f->acct;
    f->now = adkcd_entry_new(DN);
    snprintf(v, sizeof(v), "%u", uac);
    adkcd_entry_add(f->now, UAC, v, strlen(v));
    for (i = 0; spns != NULL && spns[i] != NULL; i++)
        adkcd_entry_add(f->now, SPN, spns[i], strlen(spns[i]));
    for (i = 0; services != NULL && services[i] != NULL; i++)
        adkcd_entry_add(f->now, ADKCD_DELEG_ATTR, services[i],
                        strlen(services[i]));
    assert_int_equal(adkcd_plan_new(&f->plan, &f->err), ADKCD_OK);
    assert_int_equal(
        adkcd_plan_change(f->plan, DN, "computer tmg$", &f->c, &f->err),
        ADKCD_OK);
}

static void
teardown(struct fx *f)
{
    adkcd_want_clear(&f->w);
    adkcd_plan_free(f->plan);
    adkcd_entry_free(f->now);
    adkcd_statefile_free(f->sf);
}

/* The change's operations as "+attr=value" / "-attr=value". */
static void
check_ops(const struct adkcd_change *c, const char *const *want)
{
    size_t i, n = 0;

    while (want[n] != NULL)
        n++;
    for (i = 0; i < c->n_ops && i < n; i++) {
        char got[300];

        snprintf(got, sizeof(got), "%c%s=%s",
                 c->ops[i].kind == ADKCD_OP_ADD ? '+' : '-', c->ops[i].attr,
                 c->ops[i].value.data);
        if (strcmp(got, want[i]) != 0)
            fail_msg("op %zu is %s, expected %s", i, got, want[i]);
    }
    if (c->n_ops != n)
        fail_msg("%zu ops, expected %zu", c->n_ops, n);
}

static char *list1[] = {"http/a.x", NULL};

static void
test_spns_present_adds_only_what_is_missing(void **state)
{
    struct fx f;
    char *present[] = {"HTTP/A.X", "cifs/b.x", NULL};

    (void)state;
    setup(&f, 4096, (const char *const[]){"http/a.x", NULL}, NULL);
    assert_int_equal(adkcd_want_spec_spns(f.spec, present, NULL, &f.err),
                     ADKCD_OK);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    check_ops(f.c,
              (const char *const[]){"+servicePrincipalName=cifs/b.x", NULL});
    h_assert_strv("before", f.w.spns_before,
                  (const char *const[]){"http/a.x", NULL});
    /* No delegation asked: userAccountControl is not touched. */
    assert_null(adkcd_change_image(f.c, UAC));
    teardown(&f);
}

static void
test_spns_absent_removes_every_spelling(void **state)
{
    struct fx f;

    (void)state;
    setup(&f, 4096, (const char *const[]){"http/a.x", "HTTP/A.X", "x/y", NULL},
          NULL);
    assert_int_equal(adkcd_want_spec_spns(f.spec, NULL, list1, &f.err),
                     ADKCD_OK);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    check_ops(f.c,
              (const char *const[]){"-servicePrincipalName=http/a.x",
                                    "-servicePrincipalName=HTTP/A.X", NULL});
    teardown(&f);
}

static void
test_nothing_to_do_plans_no_operation(void **state)
{
    struct fx f;
    struct adkcd_deleg_request req = {ADKCD_DELEG_ADD,  list1,        0,
                                      ADKCD_DELEG_NONE, ADKCD_PT_ANY, 0};

    (void)state;
    setup(&f, 4096 | 0x1000000, (const char *const[]){"http/a.x", NULL},
          (const char *const[]){"HTTP/a.x", NULL});
    assert_int_equal(adkcd_want_spec_spns(f.spec, list1, NULL, &f.err),
                     ADKCD_OK);
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &req, &f.err), ADKCD_OK);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    assert_int_equal(f.c->n_ops, 0);
    teardown(&f);
}

static void
test_spns_and_delegation_in_one_modify(void **state)
{
    struct fx f;
    struct adkcd_deleg_request req = {ADKCD_DELEG_ADD,  list1,        0,
                                      ADKCD_DELEG_NONE, ADKCD_PT_ANY, 0};
    char *spn[] = {"host/tmg.x", NULL};

    (void)state;
    setup(&f, 4096, NULL, NULL);
    assert_int_equal(adkcd_want_spec_spns(f.spec, spn, NULL, &f.err), ADKCD_OK);
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &req, &f.err), ADKCD_OK);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    check_ops(f.c, (const char *const[]){"+servicePrincipalName=host/tmg.x",
                                         "-userAccountControl=4096",
                                         "+userAccountControl=16781312",
                                         "+msDS-AllowedToDelegateTo=http/a.x",
                                         NULL});
    assert_int_equal(f.w.deleg_after.uac, 16781312u);
    teardown(&f);
}

static void
test_replan_keeps_another_writers_bits(void **state)
{
    struct fx f;
    struct adkcd_deleg_request req = {ADKCD_DELEG_ADD,  list1,        0,
                                      ADKCD_DELEG_NONE, ADKCD_PT_ANY, 0};
    struct adkcd_entry *later = adkcd_entry_new(DN);

    (void)state;
    setup(&f, 4096, NULL, NULL);
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &req, &f.err), ADKCD_OK);
    /* Disabled meanwhile (0x2). */
    adkcd_entry_add(later, UAC, "4098", 4);
    assert_int_equal(adkcd_want_plan(&f.w, later, f.c, &f.err), ADKCD_OK);
    check_ops(f.c, (const char *const[]){"-userAccountControl=4098",
                                         "+userAccountControl=16781314",
                                         "+msDS-AllowedToDelegateTo=http/a.x",
                                         NULL});
    assert_int_equal(f.w.deleg_before.uac, 4098u);
    adkcd_entry_free(later);
    teardown(&f);
}

/* Samba's encoding of O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-N). */
static struct adkcd_val
rbcd_value(unsigned rid)
{
    static const unsigned char head[] = {
        0x01, 0x00, 0x04, 0x80, 0x14, 0,    0,    0, 0,    0,    0,
        0,    0,    0,    0,    0,    0x24, 0,    0, 0,    0x01, 0x02,
        0,    0,    0,    0,    0,    5,    0x20, 0, 0,    0,    0x20,
        0x02, 0,    0,    0x04, 0,    0x2c, 0,    1, 0,    0,    0,
        0,    0,    0x24, 0,    0xff, 0x01, 0x0f, 0, 0x01, 0x05, 0,
        0,    0,    0,    0,    5,    0x15, 0,    0, 0,    1,    0,
        0,    0,    2,    0,    0,    0,    3,    0, 0,    0};
    struct adkcd_val v;

    v.len = sizeof(head) + 4;
    v.data = malloc(v.len + 1);
    assert_non_null(v.data);
    memcpy(v.data, head, sizeof(head));
    v.data[sizeof(head)] = (char)(rid & 0xff);
    v.data[sizeof(head) + 1] = (char)(rid >> 8 & 0xff);
    v.data[sizeof(head) + 2] = 0;
    v.data[sizeof(head) + 3] = 0;
    v.data[v.len] = '\0';
    return v;
}

/* rbcd present: [tmg] planned first against no descriptor, then, after a
 * lost compare-and-swap, against the one another writer set meanwhile:
 * the re-plan keeps the other writer's principal and swaps its value. */
static void
test_rbcd_replan_keeps_another_writers_principal(void **state)
{
    struct fx f;
    char *add[] = {"S-1-5-21-1-2-3-1105", NULL};
    struct adkcd_val theirs = rbcd_value(1106);
    struct adkcd_entry *later = adkcd_entry_new(DN);
    const struct adkcd_image *img;
    struct adkcd_sd sd;

    (void)state;
    setup(&f, 4096, NULL, NULL);
    f.spec->rbcd.given = 1;
    f.w.rbcd_edit.add = add;
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    assert_int_equal(f.c->n_ops, 1); /* add: the attribute was absent */
    assert_int_equal(f.c->ops[0].kind, ADKCD_OP_ADD);
    adkcd_change_reset(f.c);
    adkcd_entry_add(later, UAC, "4096", 4);
    adkcd_entry_add(later, ADKCD_RBCD_ATTR, theirs.data, theirs.len);
    assert_int_equal(adkcd_want_plan(&f.w, later, f.c, &f.err), ADKCD_OK);
    /* compare-and-swap: delete theirs exactly, add theirs + ours */
    assert_int_equal(f.c->n_ops, 2);
    assert_int_equal(f.c->ops[0].kind, ADKCD_OP_DELETE);
    assert_int_equal(f.c->ops[0].value.len, theirs.len);
    assert_memory_equal(f.c->ops[0].value.data, theirs.data, theirs.len);
    assert_int_equal(f.c->ops[1].kind, ADKCD_OP_ADD);
    h_err_init(&f.err);
    assert_int_equal(adkcd_sd_parse((unsigned char *)f.c->ops[1].value.data,
                                    f.c->ops[1].value.len, &sd, &f.err),
                     ADKCD_OK);
    assert_int_equal(sd.n, 2);
    assert_string_equal(sd.aces[0].sid, "S-1-5-21-1-2-3-1106");
    assert_string_equal(sd.aces[1].sid, "S-1-5-21-1-2-3-1105");
    adkcd_sd_clear(&sd);
    img = adkcd_change_image(f.c, ADKCD_RBCD_ATTR);
    assert_non_null(img);
    assert_true(img->before_present && img->after_present);
    assert_true(f.w.rbcd_before_present);
    /* the same again when ours is there already: nothing */
    adkcd_change_reset(f.c);
    adkcd_entry_free(later);
    later = adkcd_entry_new(DN);
    adkcd_entry_add(later, UAC, "4096", 4);
    adkcd_entry_add(later, ADKCD_RBCD_ATTR, f.w.rbcd_after.value.data,
                    f.w.rbcd_after.value.len);
    assert_int_equal(adkcd_want_plan(&f.w, later, f.c, &f.err), ADKCD_OK);
    assert_int_equal(f.c->n_ops, 0);
    free(theirs.data);
    adkcd_entry_free(later);
    teardown(&f);
}

/* Allowing principals to delegate to a DC: refused unless forced;
 * removing them is always allowed. */
static void
test_rbcd_to_dc_refused_unless_forced(void **state)
{
    struct fx f;
    char *add[] = {"S-1-5-21-1-2-3-1105", NULL};
    struct adkcd_val cur = rbcd_value(1105);

    (void)state;
    setup(&f, 0x2000 | 0x80000, NULL, NULL);
    f.spec->rbcd.given = 1;
    f.w.rbcd_edit.add = add;
    h_assert_failed("dc", adkcd_want_plan(&f.w, f.now, f.c, &f.err),
                    ADKCD_E_ACCESS, &f.err, "domain controller", NULL);
    adkcd_change_reset(f.c);
    f.w.force = 1;
    h_err_init(&f.err);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    assert_int_equal(f.c->n_ops, 1);
    adkcd_change_reset(f.c);
    f.w.force = 0;
    f.w.rbcd_edit.add = NULL;
    f.w.rbcd_edit.remove = add;
    adkcd_entry_add(f.now, ADKCD_RBCD_ATTR, cur.data, cur.len);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    assert_int_equal(f.c->n_ops, 1); /* the value deleted: absent after */
    assert_int_equal(f.c->ops[0].kind, ADKCD_OP_DELETE);
    free(cur.data);
    teardown(&f);
}

static void
test_services_only_change_is_guarded(void **state)
{
    struct fx f;
    char *more[] = {"cifs/c.x", NULL};
    struct adkcd_deleg_request req = {ADKCD_DELEG_ADD,  more,          0,
                                      ADKCD_DELEG_NONE, ADKCD_PT_KEEP, 0};

    (void)state;
    setup(&f, 4096, NULL, (const char *const[]){"http/a.x", NULL});
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &req, &f.err), ADKCD_OK);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    check_ops(f.c, (const char *const[]){
                       "-userAccountControl=4096", "+userAccountControl=4096",
                       "+msDS-AllowedToDelegateTo=cifs/c.x", NULL});
    teardown(&f);
}

static void
test_safety_rules_refuse_unless_forced(void **state)
{
    struct fx f;
    struct adkcd_deleg_request req = {
        ADKCD_DELEG_SET, list1, 1, ADKCD_DELEG_CONSTRAINED, ADKCD_PT_KEEP, 0};

    (void)state;
    /* A DC (SERVER_TRUST_ACCOUNT) with its unconstrained delegation. */
    setup(&f, 0x2000 | 0x80000, NULL, NULL);
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &req, &f.err), ADKCD_OK);
    h_assert_failed("dc", adkcd_want_plan(&f.w, f.now, f.c, &f.err),
                    ADKCD_E_ACCESS, &f.err, "domain controller", NULL);
    adkcd_change_reset(f.c);
    f.w.force = 1;
    h_err_init(&f.err);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    assert_true(f.c->n_ops > 0);
    teardown(&f);
}

/*
 * add --any-protocol, as the verbs and state files plan it: a KDC's
 * account is known by its link to a read-only DC, not by its name.
 */
static void
test_safety_krbtgt_by_link(void **state)
{
    struct fx f;
    struct adkcd_deleg_request add = {ADKCD_DELEG_ADD,  list1,        0,
                                      ADKCD_DELEG_NONE, ADKCD_PT_ANY, 0};

    (void)state;
    /* A user merely named krbtgt_12345: an ordinary account. */
    setup(&f, 0x200, NULL, NULL);
    f.acct.sam = "krbtgt_12345";
    f.acct.is_computer = 0;
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &add, &f.err), ADKCD_OK);
    h_assert_ok("named krbtgt_12345", adkcd_want_plan(&f.w, f.now, f.c, &f.err),
                &f.err);
    check_ops(f.c, (const char *const[]){"-userAccountControl=512",
                                         "+userAccountControl=16777728",
                                         "+msDS-AllowedToDelegateTo=http/a.x",
                                         NULL});
    teardown(&f);

    /* An account a read-only DC links to (msDS-KrbTgtLinkBl), whatever
     * its name: refused without --force. */
    setup(&f, 0x202, NULL, NULL);
    f.acct.sam = "kdc4242";
    f.acct.is_computer = 0;
    f.acct.rodc_linked = 1;
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &add, &f.err), ADKCD_OK);
    h_assert_failed("linked", adkcd_want_plan(&f.w, f.now, f.c, &f.err),
                    ADKCD_E_ACCESS, &f.err, "krbtgt", "protocol transition");
    adkcd_change_reset(f.c);
    f.w.force = 1;
    h_err_init(&f.err);
    h_assert_ok("linked, force", adkcd_want_plan(&f.w, f.now, f.c, &f.err),
                &f.err);
    teardown(&f);
}

/* A userAccountControl the planner cannot read is an error, not 0. */
static void
test_uac_malformed(void **state)
{
    struct fx f;
    struct adkcd_deleg_request add = {ADKCD_DELEG_ADD,  list1,        0,
                                      ADKCD_DELEG_NONE, ADKCD_PT_ANY, 0};

    (void)state;
    setup(&f, 0, NULL, NULL);
    adkcd_entry_free(f.now);
    f.now = adkcd_entry_new(DN);
    adkcd_entry_add(f.now, UAC, "4096x", 5);
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &add, &f.err), ADKCD_OK);
    h_assert_failed("malformed", adkcd_want_plan(&f.w, f.now, f.c, &f.err),
                    ADKCD_E_INVALID, &f.err, "not an integer", "4096x");
    teardown(&f);
}

static void
test_spec_of_each_verb(void **state)
{
    struct fx f;
    struct adkcd_deleg_request rm = {ADKCD_DELEG_REMOVE, list1,         0,
                                     ADKCD_DELEG_NONE,   ADKCD_PT_KEEP, 0};
    struct adkcd_deleg_request set = {
        ADKCD_DELEG_SET, NULL, 0, ADKCD_DELEG_UNCONSTRAINED, ADKCD_PT_KEEP, 0};

    (void)state;
    setup(&f, 4096 | 0x1000000, NULL, (const char *const[]){"http/a.x", NULL});
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &rm, &f.err), ADKCD_OK);
    assert_int_equal(f.spec->deleg.services.absent.n, 1);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    /* Nothing left: mode none, protocol transition cleared. */
    check_ops(f.c, (const char *const[]){"-userAccountControl=16781312",
                                         "+userAccountControl=4096",
                                         "-msDS-AllowedToDelegateTo=http/a.x",
                                         NULL});
    teardown(&f);

    setup(&f, 4096, NULL, NULL);
    assert_int_equal(adkcd_want_spec_deleg(f.spec, &set, &f.err), ADKCD_OK);
    assert_true(f.spec->deleg.mode_given);
    assert_false(f.spec->deleg.services.given);
    assert_int_equal(adkcd_want_plan(&f.w, f.now, f.c, &f.err), ADKCD_OK);
    check_ops(f.c, (const char *const[]){"-userAccountControl=4096",
                                         "+userAccountControl=528384", NULL});
    teardown(&f);
}

static void
test_account_entry(void **state)
{
    char *spns[] = {"a/b", "c/d", NULL};
    char *svc[] = {"e/f", NULL};
    struct adkcd_account acct = {0};
    struct adkcd_entry *e;

    (void)state;
    acct.dn = DN;
    acct.uac = 0x81000000u; /* a negative 32-bit integer in LDAP */
    acct.has_uac = 1;
    acct.spns = spns;
    acct.delegate_to = svc;
    e = adkcd_account_entry(&acct);
    assert_non_null(e);
    assert_string_equal(adkcd_entry_str(e, UAC), "-2130706432");
    assert_int_equal(adkcd_entry_vals(e, SPN)->n, 2);
    assert_string_equal(adkcd_entry_str(e, ADKCD_DELEG_ATTR), "e/f");
    assert_int_equal(adkcd_entry_vals(e, "nothing")->n, 0);
    adkcd_entry_free(e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spns_present_adds_only_what_is_missing),
        cmocka_unit_test(test_spns_absent_removes_every_spelling),
        cmocka_unit_test(test_nothing_to_do_plans_no_operation),
        cmocka_unit_test(test_spns_and_delegation_in_one_modify),
        cmocka_unit_test(test_replan_keeps_another_writers_bits),
        cmocka_unit_test(test_services_only_change_is_guarded),
        cmocka_unit_test(test_rbcd_replan_keeps_another_writers_principal),
        cmocka_unit_test(test_rbcd_to_dc_refused_unless_forced),
        cmocka_unit_test(test_safety_rules_refuse_unless_forced),
        cmocka_unit_test(test_safety_krbtgt_by_link),
        cmocka_unit_test(test_uac_malformed),
        cmocka_unit_test(test_spec_of_each_verb),
        cmocka_unit_test(test_account_entry),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
