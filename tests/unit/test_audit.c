/*
 * adkcd unit tests: the risk rules of adkcd audit (adkcd/audit.h).
 * adkcd_audit_assess() judges from the facts adkcd_audit_run() reads, so
 * the facts are filled by hand here; reading them needs a DC and is covered
 * by tests/integration/t_kcd_audit.sh.
 */
#include "harness.h"

#include "adkcd/account.h"
#include "adkcd/audit.h"

#define DOM "DC=mydom,DC=local"
#define DC_DN "CN=DC1,OU=Domain Controllers," DOM

static char *
dup(const char *s)
{
    char *c = strdup(s);

    assert_non_null(c);
    return c;
}

static struct adkcd_audit *
audit_new(int forest)
{
    struct adkcd_audit *a = calloc(1, sizeof(*a));

    assert_non_null(a);
    a->forest = forest;
    a->scope = dup(forest ? "forest " DOM " (Global Catalog)" : "domain " DOM);
    return a;
}

/* An entry for account sam (CN=<sam without $>,CN=Computers). */
static struct adkcd_audit_entry *
add_entry(struct adkcd_audit *a, enum adkcd_audit_kind kind, const char *sam,
          unsigned uac)
{
    struct adkcd_audit_entry *v = realloc(a->v, (a->n + 1) * sizeof(*v));
    struct adkcd_audit_entry *e;
    char dn[256];

    assert_non_null(v);
    a->v = v;
    e = &v[a->n++];
    memset(e, 0, sizeof(*e));
    snprintf(dn, sizeof(dn), "CN=%.*s,CN=Computers," DOM,
             (int)strcspn(sam, "$"), sam);
    e->kind = kind;
    e->dn = dup(dn);
    e->sam = dup(sam);
    e->domain = dup(DOM);
    e->is_computer = 1;
    e->uac = uac;
    e->is_dc = (uac & (ADKCD_UAC_SERVER_TRUST_ACCOUNT |
                       ADKCD_UAC_PARTIAL_SECRETS_ACCOUNT)) != 0;
    e->is_rodc = (uac & ADKCD_UAC_PARTIAL_SECRETS_ACCOUNT) != 0;
    e->disabled = (uac & ADKCD_UAC_ACCOUNTDISABLE) != 0;
    return e;
}

/* A target; holders is a NULL-terminated list (NULL for none). */
static struct adkcd_audit_target *
add_target(struct adkcd_audit_entry *e, const char *value,
           const char *const *holders)
{
    struct adkcd_audit_target *v =
        realloc(e->targets, (e->n_targets + 1) * sizeof(*v));
    struct adkcd_audit_target *t;
    size_t i;

    assert_non_null(v);
    e->targets = v;
    t = &v[e->n_targets++];
    memset(t, 0, sizeof(*t));
    t->value = dup(value);
    for (i = 0; holders != NULL && holders[i] != NULL; i++)
        assert_int_equal(adkcd_strv_add(&t->holders, holders[i]), 0);
    return t;
}

/* "id:severity,id:severity" of a risk list, for comparisons. */
static const char *
risks_str(const struct adkcd_audit_risk *v, size_t n)
{
    static char buf[4][512];
    static unsigned next;
    char *s = buf[next++ % 4];
    size_t i;

    s[0] = '\0';
    for (i = 0; i < n; i++) {
        if (i > 0)
            strcat(s, ",");
        strcat(s, v[i].id);
        strcat(s, ":");
        strcat(s, adkcd_audit_severity_name(v[i].severity));
        /* Every label has a text and an explanation for the legend. */
        assert_non_null(v[i].text);
        assert_true(v[i].text[0] != '\0');
        if (adkcd_audit_risk_explain(v[i].id) == NULL)
            fail_msg("risk %s has no explanation", v[i].id);
    }
    return s;
}

#define ENTRY_RISKS(e) risks_str((e)->risks, (e)->n_risks)
#define TARGET_RISKS(t) risks_str((t)->risks, (t)->n_risks)

static void
assess(struct adkcd_audit *a)
{
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("assess", adkcd_audit_assess(a, &err), &err);
}

/* The entry of kind for sam after sorting. */
static struct adkcd_audit_entry *
find(struct adkcd_audit *a, enum adkcd_audit_kind kind, const char *sam)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        if (a->v[i].kind == kind && strcmp(a->v[i].sam, sam) == 0)
            return &a->v[i];
    fail_msg("no %s entry for %s", adkcd_audit_kind_name(kind), sam);
    return NULL;
}

static void
test_names(void **state)
{
    (void)state;
    assert_string_equal(adkcd_audit_kind_name(ADKCD_AUDIT_UNCONSTRAINED),
                        "unconstrained");
    assert_string_equal(adkcd_audit_kind_name(ADKCD_AUDIT_CONSTRAINED),
                        "constrained");
    assert_string_equal(adkcd_audit_kind_name(ADKCD_AUDIT_CONSTRAINED_ANY),
                        "constrained-any-protocol");
    assert_string_equal(adkcd_audit_kind_name(ADKCD_AUDIT_RESOURCE_BASED),
                        "resource-based");
    assert_string_equal(adkcd_audit_kind_name((enum adkcd_audit_kind)9),
                        "unknown");
    assert_string_equal(adkcd_audit_severity_name(ADKCD_SEV_INFO), "info");
    assert_string_equal(adkcd_audit_severity_name(ADKCD_SEV_CRITICAL),
                        "critical");
    assert_null(adkcd_audit_risk_explain("no-such-label"));
    assert_null(adkcd_audit_risk_explain(NULL));
    h_assert_contains("dc-expected", adkcd_audit_risk_explain("dc-expected"),
                      "expected: a domain controller's own delegation");
    h_assert_contains("rbcd-conditional",
                      adkcd_audit_risk_explain("rbcd-conditional"),
                      "conditional ACE");
    h_assert_contains("rbcd-unknown-ace",
                      adkcd_audit_risk_explain("rbcd-unknown-ace"),
                      "does not interpret");
    h_assert_contains("rbcd-unreadable",
                      adkcd_audit_risk_explain("rbcd-unreadable"),
                      "cannot be parsed");
}

static void
test_unconstrained(void **state)
{
    struct adkcd_audit *a = audit_new(0);

    (void)state;
    add_entry(a, ADKCD_AUDIT_UNCONSTRAINED, "DC1$", 0x82000);
    /* A read-only DC (PARTIAL_SECRETS_ACCOUNT | WORKSTATION_TRUST_ACCOUNT,
     * with TRUSTED_FOR_DELEGATION): not expected, it defeats the RODC. */
    add_entry(a, ADKCD_AUDIT_UNCONSTRAINED, "RODC1$", 0x5081000);
    add_entry(a, ADKCD_AUDIT_UNCONSTRAINED, "unc$", 0x81000);
    add_entry(a, ADKCD_AUDIT_UNCONSTRAINED, "old$", 0x81002); /* disabled */
    assess(a);
    assert_string_equal(ENTRY_RISKS(find(a, ADKCD_AUDIT_UNCONSTRAINED, "DC1$")),
                        "dc-expected:info");
    assert_string_equal(
        find(a, ADKCD_AUDIT_UNCONSTRAINED, "DC1$")->risks[0].text,
        "expected: domain controller");
    assert_true(find(a, ADKCD_AUDIT_UNCONSTRAINED, "RODC1$")->is_dc);
    assert_string_equal(
        ENTRY_RISKS(find(a, ADKCD_AUDIT_UNCONSTRAINED, "RODC1$")),
        "unconstrained:high");
    h_assert_contains(
        "rodc", find(a, ADKCD_AUDIT_UNCONSTRAINED, "RODC1$")->risks[0].text,
        "RODC1$ is a read-only domain controller trusted for "
        "unconstrained delegation");
    h_assert_contains(
        "rodc", find(a, ADKCD_AUDIT_UNCONSTRAINED, "RODC1$")->risks[0].text,
        "defeats the isolation");
    assert_string_equal(ENTRY_RISKS(find(a, ADKCD_AUDIT_UNCONSTRAINED, "unc$")),
                        "unconstrained:high");
    h_assert_contains("text",
                      find(a, ADKCD_AUDIT_UNCONSTRAINED, "unc$")->risks[0].text,
                      "unc$ receives the forwardable TGT");
    /* Disabled accounts are listed and judged the same. */
    assert_true(find(a, ADKCD_AUDIT_UNCONSTRAINED, "old$")->disabled);
    assert_string_equal(ENTRY_RISKS(find(a, ADKCD_AUDIT_UNCONSTRAINED, "old$")),
                        "unconstrained:high");
    adkcd_audit_free(a);
}

static void
test_constrained_services(void **state)
{
    static const char *const one[] = {"CN=web,CN=Computers," DOM, NULL};
    static const char *const two[] = {"CN=a,CN=Users," DOM,
                                      "CN=b,CN=Users," DOM, NULL};
    static const char *const dc[] = {DC_DN, NULL};
    struct adkcd_audit *a = audit_new(0);
    struct adkcd_audit_entry *e;
    struct adkcd_audit_target *t;

    (void)state;
    e = add_entry(a, ADKCD_AUDIT_CONSTRAINED, "kcd$", 0x1000);
    add_target(e, "http/web.mydom.local", one);
    add_target(e, "http/typo.mydom.local", NULL);
    add_target(e, "http/dup.mydom.local", two);
    t = add_target(e, "nonsense", NULL);
    t->invalid = 1;
    t = add_target(e, "ldap/dc1.mydom.local", dc);
    t->dc_holder = dup(DC_DN);
    t = add_target(e, "krbtgt/MYDOM.LOCAL", NULL);
    t->krbtgt = 1;
    t = add_target(e, "kadmin/changepw", dc);
    t->krbtgt = 1;
    assess(a);
    e = find(a, ADKCD_AUDIT_CONSTRAINED, "kcd$");
    /* Kerberos only: no risk of its own. */
    assert_string_equal(ENTRY_RISKS(e), "");
    assert_int_equal(e->n_targets, 7);
    /* Sorted by value, case-insensitively. */
    assert_string_equal(e->targets[0].value, "http/dup.mydom.local");
    assert_string_equal(TARGET_RISKS(&e->targets[0]), "service-duplicate:low");
    assert_string_equal(e->targets[1].value, "http/typo.mydom.local");
    assert_string_equal(TARGET_RISKS(&e->targets[1]), "service-unheld:medium");
    h_assert_contains("unheld", e->targets[1].risks[0].text,
                      "no account in the domain holds http/typo");
    assert_string_equal(e->targets[2].value, "http/web.mydom.local");
    assert_string_equal(TARGET_RISKS(&e->targets[2]), "");
    assert_string_equal(e->targets[3].value, "kadmin/changepw");
    assert_string_equal(TARGET_RISKS(&e->targets[3]),
                        "delegation-to-krbtgt:critical");
    assert_string_equal(e->targets[4].value, "krbtgt/MYDOM.LOCAL");
    assert_string_equal(TARGET_RISKS(&e->targets[4]),
                        "delegation-to-krbtgt:critical");
    assert_string_equal(e->targets[5].value, "ldap/dc1.mydom.local");
    assert_string_equal(TARGET_RISKS(&e->targets[5]),
                        "delegation-to-dc:critical");
    h_assert_contains("dc", e->targets[5].risks[0].text, DC_DN);
    assert_string_equal(e->targets[6].value, "nonsense");
    assert_string_equal(TARGET_RISKS(&e->targets[6]), "service-invalid:low");
    adkcd_audit_free(a);
}

static void
test_protocol_transition(void **state)
{
    static const char *const one[] = {"CN=iosmdm,CN=Users," DOM, NULL};
    struct adkcd_audit *a = audit_new(1);
    struct adkcd_audit_entry *e;

    (void)state;
    e = add_entry(a, ADKCD_AUDIT_CONSTRAINED_ANY, "tmg$", 0x1001000);
    add_target(e, "http/iosmdm.mydom.local", one);
    add_target(e, "http/gone.mydom.local", NULL);
    add_entry(a, ADKCD_AUDIT_CONSTRAINED_ANY, "flagonly$", 0x1001000);
    e = add_entry(a, ADKCD_AUDIT_CONSTRAINED_ANY, "child$", 0x1001000);
    e->partial = 1; /* another domain: services not in the GC */
    /* A read-only DC's account as created (0x5001000): expected; with a
     * service it is protocol transition like any other. */
    add_entry(a, ADKCD_AUDIT_CONSTRAINED_ANY, "RODC1$", 0x5001000);
    e = add_entry(a, ADKCD_AUDIT_CONSTRAINED_ANY, "RODC2$", 0x5001000);
    add_target(e, "http/iosmdm.mydom.local", one);
    assess(a);
    e = find(a, ADKCD_AUDIT_CONSTRAINED_ANY, "tmg$");
    assert_string_equal(ENTRY_RISKS(e), "protocol-transition:medium");
    assert_string_equal(TARGET_RISKS(&e->targets[0]), "service-unheld:medium");
    /* The forest was searched: the text says so. */
    h_assert_contains("unheld", e->targets[0].risks[0].text,
                      "no account in the forest holds");
    assert_string_equal(TARGET_RISKS(&e->targets[1]), "");
    assert_string_equal(
        ENTRY_RISKS(find(a, ADKCD_AUDIT_CONSTRAINED_ANY, "flagonly$")),
        "protocol-transition:low");
    assert_string_equal(
        ENTRY_RISKS(find(a, ADKCD_AUDIT_CONSTRAINED_ANY, "child$")),
        "protocol-transition:medium");
    assert_string_equal(
        ENTRY_RISKS(find(a, ADKCD_AUDIT_CONSTRAINED_ANY, "RODC1$")),
        "dc-expected:info");
    h_assert_contains(
        "rodc", find(a, ADKCD_AUDIT_CONSTRAINED_ANY, "RODC1$")->risks[0].text,
        "expected: read-only domain controller");
    assert_string_equal(
        ENTRY_RISKS(find(a, ADKCD_AUDIT_CONSTRAINED_ANY, "RODC2$")),
        "protocol-transition:medium");
    adkcd_audit_free(a);
}

static void
test_resource_based(void **state)
{
    struct adkcd_audit *a = audit_new(0);
    struct adkcd_audit_entry *e;
    struct adkcd_audit_target *t;

    (void)state;
    e = add_entry(a, ADKCD_AUDIT_RESOURCE_BASED, "web$", 0x1000);
    t = add_target(e, "S-1-5-21-1-2-3-1105", NULL);
    t->dn = dup("CN=tmg,CN=Computers," DOM);
    t->name = dup("tmg$");
    add_target(e, "S-1-5-11", NULL);
    add_target(e, "S-1-5-21-1-2-3-515", NULL);
    add_target(e, "S-1-5-21-1-2-3-99999", NULL);
    add_target(e, "S-1-5-32-544", NULL); /* well-known, not broad */
    e = add_entry(a, ADKCD_AUDIT_RESOURCE_BASED, "DC1$", 0x82000);
    add_target(e, "S-1-1-0", NULL);
    e = add_entry(a, ADKCD_AUDIT_RESOURCE_BASED, "empty$", 0x1000);
    /* Allowed by conditional ACEs: a resolved account, and a broad group
     * (both labels). */
    e = add_entry(a, ADKCD_AUDIT_RESOURCE_BASED, "cond$", 0x1000);
    t = add_target(e, "S-1-5-21-1-2-3-1105", NULL);
    t->dn = dup("CN=tmg,CN=Computers," DOM);
    t->name = dup("tmg$");
    t->conditional = 1;
    t = add_target(e, "S-1-5-11", NULL);
    t->conditional = 1;
    /* A descriptor that could not be parsed. */
    e = add_entry(a, ADKCD_AUDIT_RESOURCE_BASED, "garbage$", 0x1000);
    e->partial = 1;
    e->unreadable = dup("security descriptor truncated: 8 bytes, the "
                        "header alone is 20");
    /* ACEs of types not interpreted (and one SID still allowed). */
    e = add_entry(a, ADKCD_AUDIT_RESOURCE_BASED, "odd$", 0x1000);
    e->unknown_aces = calloc(2, sizeof(*e->unknown_aces));
    assert_non_null(e->unknown_aces);
    e->n_unknown_aces = 2;
    e->unknown_aces[0].index = 0;
    e->unknown_aces[0].type = 0x11;
    e->unknown_aces[1].index = 3;
    e->unknown_aces[1].type = 0x04;
    t = add_target(e, "S-1-5-21-1-2-3-1105", NULL);
    t->dn = dup("CN=tmg,CN=Computers," DOM);
    assess(a);
    e = find(a, ADKCD_AUDIT_RESOURCE_BASED, "web$");
    assert_string_equal(ENTRY_RISKS(e), "");
    assert_string_equal(e->targets[0].value, "S-1-5-11");
    assert_string_equal(TARGET_RISKS(&e->targets[0]),
                        "rbcd-broad-principal:high");
    h_assert_contains("broad", e->targets[0].risks[0].text,
                      "S-1-5-11 (Authenticated Users) may delegate to web$");
    assert_string_equal(e->targets[1].value, "S-1-5-21-1-2-3-1105");
    assert_string_equal(TARGET_RISKS(&e->targets[1]), "");
    assert_string_equal(e->targets[2].value, "S-1-5-21-1-2-3-515");
    assert_string_equal(TARGET_RISKS(&e->targets[2]),
                        "rbcd-broad-principal:high");
    assert_string_equal(e->targets[3].value, "S-1-5-21-1-2-3-99999");
    assert_string_equal(TARGET_RISKS(&e->targets[3]), "rbcd-unresolved:low");
    assert_string_equal(e->targets[4].value, "S-1-5-32-544");
    assert_string_equal(TARGET_RISKS(&e->targets[4]), "");
    e = find(a, ADKCD_AUDIT_RESOURCE_BASED, "DC1$");
    assert_string_equal(ENTRY_RISKS(e), "rbcd-on-dc:critical");
    assert_string_equal(TARGET_RISKS(&e->targets[0]),
                        "rbcd-broad-principal:critical");
    e = find(a, ADKCD_AUDIT_RESOURCE_BASED, "empty$");
    assert_string_equal(ENTRY_RISKS(e), "");
    assert_int_equal(e->n_targets, 0);
    e = find(a, ADKCD_AUDIT_RESOURCE_BASED, "cond$");
    assert_string_equal(ENTRY_RISKS(e), "");
    assert_string_equal(e->targets[0].value, "S-1-5-11");
    assert_string_equal(TARGET_RISKS(&e->targets[0]),
                        "rbcd-broad-principal:high,rbcd-conditional:medium");
    assert_string_equal(TARGET_RISKS(&e->targets[1]),
                        "rbcd-conditional:medium");
    h_assert_contains("conditional", e->targets[1].risks[0].text,
                      "tmg$ may delegate to cond$ when the condition of a "
                      "conditional ACE holds");
    e = find(a, ADKCD_AUDIT_RESOURCE_BASED, "garbage$");
    assert_string_equal(ENTRY_RISKS(e), "rbcd-unreadable:high");
    h_assert_contains("unreadable", e->risks[0].text,
                      "msDS-AllowedToActOnBehalfOfOtherIdentity of garbage$ "
                      "could not be parsed (security descriptor truncated: 8 "
                      "bytes, the header alone is 20): who may delegate to "
                      "it is unknown");
    e = find(a, ADKCD_AUDIT_RESOURCE_BASED, "odd$");
    assert_string_equal(ENTRY_RISKS(e), "rbcd-unknown-ace:low");
    h_assert_contains("unknown", e->risks[0].text,
                      "holds ACEs of a type adkcd does not interpret (ACE 0 "
                      "of type 0x11, ACE 3 of type 0x04): whom they allow is "
                      "not listed");
    assert_string_equal(TARGET_RISKS(&e->targets[0]), "");
    adkcd_audit_free(a);
}

/* Sorted by kind, then name without regard to case; assessing twice gives
 * the same risks, not twice as many; the counts. */
static void
test_order_counts_idempotent(void **state)
{
    struct adkcd_audit *a = audit_new(0);
    struct adkcd_audit_counts n;
    struct adkcd_audit_entry *e;

    (void)state;
    e = add_entry(a, ADKCD_AUDIT_RESOURCE_BASED, "both$", 0x1000);
    add_target(e, "S-1-5-11", NULL);
    e = add_entry(a, ADKCD_AUDIT_CONSTRAINED, "both$", 0x1000);
    add_target(e, "http/x.mydom.local", NULL);
    add_entry(a, ADKCD_AUDIT_UNCONSTRAINED, "zed$", 0x81000);
    add_entry(a, ADKCD_AUDIT_UNCONSTRAINED, "Alpha$", 0x81002);
    add_entry(a, ADKCD_AUDIT_UNCONSTRAINED, "DC1$", 0x82000);
    assess(a);
    assess(a);
    assert_int_equal(a->n, 5);
    assert_int_equal(a->v[0].kind, ADKCD_AUDIT_UNCONSTRAINED);
    assert_string_equal(a->v[0].sam, "Alpha$");
    assert_string_equal(a->v[1].sam, "DC1$");
    assert_string_equal(a->v[2].sam, "zed$");
    assert_int_equal(a->v[3].kind, ADKCD_AUDIT_CONSTRAINED);
    assert_int_equal(a->v[4].kind, ADKCD_AUDIT_RESOURCE_BASED);
    assert_string_equal(ENTRY_RISKS(&a->v[0]), "unconstrained:high");
    assert_string_equal(TARGET_RISKS(&a->v[3].targets[0]),
                        "service-unheld:medium");

    adkcd_audit_count(a, &n);
    assert_int_equal(n.entries, 5);
    assert_int_equal(n.accounts, 4); /* both$ twice */
    assert_int_equal(n.kinds[ADKCD_AUDIT_UNCONSTRAINED], 3);
    assert_int_equal(n.kinds[ADKCD_AUDIT_CONSTRAINED], 1);
    assert_int_equal(n.kinds[ADKCD_AUDIT_CONSTRAINED_ANY], 0);
    assert_int_equal(n.kinds[ADKCD_AUDIT_RESOURCE_BASED], 1);
    assert_int_equal(n.severities[ADKCD_SEV_INFO], 1);
    assert_int_equal(n.severities[ADKCD_SEV_HIGH], 3);
    assert_int_equal(n.severities[ADKCD_SEV_MEDIUM], 1);
    assert_int_equal(n.severities[ADKCD_SEV_CRITICAL], 0);
    adkcd_audit_free(a);
    adkcd_audit_free(NULL);
}

static void
test_empty(void **state)
{
    struct adkcd_audit *a = audit_new(0);
    struct adkcd_audit_counts n;

    (void)state;
    assess(a);
    adkcd_audit_count(a, &n);
    assert_int_equal(n.entries, 0);
    assert_int_equal(n.accounts, 0);
    adkcd_audit_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_unconstrained),
        cmocka_unit_test(test_constrained_services),
        cmocka_unit_test(test_protocol_transition),
        cmocka_unit_test(test_resource_based),
        cmocka_unit_test(test_order_counts_idempotent),
        cmocka_unit_test(test_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
