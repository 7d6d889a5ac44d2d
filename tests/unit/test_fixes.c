/*
 * adkcd unit tests: the words of check's and verify's fixes (the front
 * end's src/adkcd/fixes.c), from a fix id and its data.
 */
#include "harness.h"

#include "adkcd.h"
#include "adkcd/kcdcheck.h"

#define SVC "http/iosmdm.mydom.local"

struct fix_case {
    const char *name;
    struct adkcd_fix fix;
    const char *text; /* NULL: no text */
};

static char *one[] = {SVC, NULL};
static char *two[] = {"cifs/fs1.mydom.local", SVC, NULL};
static char *odd[] = {"cifs/a b", "it's", NULL};

static void
test_text(void **state)
{
    static const struct fix_case cases[] = {
        {"none", {ADKCD_FIX_NONE, "tmg", NULL, SVC, NULL, NULL, 0, 0}, NULL},
        {"enable account",
         {ADKCD_FIX_ENABLE_ACCOUNT, "tmg", "tmg$", SVC, NULL, NULL, 0, 0},
         "enable tmg$: samba-tool user enable 'tmg$', or Enable-ADAccount on "
         "Windows"},
        {"clear sensitive",
         {ADKCD_FIX_CLEAR_SENSITIVE, "tmg", "tmg$", SVC, NULL, NULL, 0, 0},
         "clear \"Account is sensitive and cannot be delegated\" on tmg$ "
         "(userAccountControl 0x100000): a delegating service must not be "
         "marked sensitive"},
        {"own SPN",
         {ADKCD_FIX_ADD_OWN_SPN, "svcweb", NULL, SVC, NULL, NULL, 0, 0},
         "register an SPN of its own on it: adspn -S CLASS/HOST svcweb"},
        {"constrained only",
         {ADKCD_FIX_CONSTRAINED_ONLY, "tmg", NULL, SVC, NULL, two, 0, 0},
         "keep constrained delegation only: adkcd set tmg --mode constrained "
         "--services cifs/fs1.mydom.local," SVC},
        {"mode none",
         {ADKCD_FIX_MODE_NONE, "tmg", NULL, SVC, NULL, NULL, 0, 0},
         "adkcd set tmg --mode none"},
        {"set constrained",
         {ADKCD_FIX_SET_CONSTRAINED, "tmg", NULL, SVC, NULL, one, 1, 0},
         "adkcd set tmg --mode constrained --services " SVC " --any-protocol"},
        {"set constrained, Kerberos only",
         {ADKCD_FIX_SET_CONSTRAINED, "tmg", NULL, SVC, NULL, one, 0, 0},
         "adkcd set tmg --mode constrained --services " SVC},
        {"add service",
         {ADKCD_FIX_ADD_SERVICE, "tmg", NULL, SVC, NULL, NULL, 1, 0},
         "adkcd add tmg " SVC " --any-protocol"},
        {"add service, Kerberos only",
         {ADKCD_FIX_ADD_SERVICE, "tmg", NULL, SVC, NULL, NULL, 0, 0},
         "adkcd add tmg " SVC},
        {"any protocol",
         {ADKCD_FIX_ANY_PROTOCOL, "tmg", NULL, SVC, NULL, NULL, 1, 0},
         "adkcd add tmg " SVC " --any-protocol"},
        {"any protocol, if impersonating",
         {ADKCD_FIX_ANY_PROTOCOL, "tmg", NULL, SVC, NULL, NULL, 1, 1},
         "if it impersonates users: adkcd add tmg " SVC " --any-protocol"},
        {"replace a value",
         {ADKCD_FIX_REPLACE_VALUE, "tmg", NULL, SVC, "http/iosmdm.mydom.locl",
          two, 0, 0},
         "adkcd set tmg --mode constrained --services "
         "cifs/fs1.mydom.local," SVC " (or, if the typo is in the service "
         "asked for, ask for http/iosmdm.mydom.locl)"},
        {"replace a value with a realm",
         {ADKCD_FIX_REPLACE_VALUE, "tmg", NULL, SVC, NULL, one, 0, 0},
         "adkcd set tmg --mode constrained --services " SVC},
        {"ask for",
         {ADKCD_FIX_ASK_FOR, "tmg", NULL, "http/iosmdm.mydom.locl", SVC, NULL,
          0, 0},
         "ask for " SVC ": http/iosmdm.mydom.locl is held by no account, so "
         "the typo is in the service asked for, not in the list"},
        {"register SPN",
         {ADKCD_FIX_REGISTER_SPN, "tmg", NULL, SVC, NULL, NULL, 0, 0},
         "check the spelling, or register the SPN on the service's account: "
         "adspn -S " SVC " ACCOUNT"},
        {"duplicate",
         {ADKCD_FIX_REMOVE_DUPLICATE, "tmg", NULL, SVC,
          "HTTP/iosmdm.mydom.local", NULL, 0, 0},
         "keep it on the one account that runs the service: 'adspn -X' lists "
         "duplicates, 'adspn -D HTTP/iosmdm.mydom.local ACCOUNT' removes it "
         "from the others"},
        {"DC service",
         {ADKCD_FIX_AVOID_DC_SERVICE, "tmg", NULL, SVC, NULL, NULL, 0, 0},
         "delegate to a service on a member server; if it must stay, mark "
         "privileged accounts \"sensitive and cannot be delegated\" or add "
         "them to Protected Users"},
        {"name user",
         {ADKCD_FIX_NAME_USER, "tmg", NULL, SVC, NULL, NULL, 0, 0},
         "give the user's sAMAccountName or UPN to --impersonate"},
        {"enable user",
         {ADKCD_FIX_ENABLE_USER, "tmg", "alice", SVC, NULL, NULL, 0, 0},
         "enable alice (samba-tool user enable alice, or Enable-ADAccount), "
         "or impersonate an enabled user"},
        {"user sensitive",
         {ADKCD_FIX_CLEAR_USER_SENSITIVE, "tmg", "alice", SVC, NULL, NULL, 0,
          0},
         "clear \"Account is sensitive and cannot be delegated\" on alice "
         "(userAccountControl 0x100000) if it may be delegated; privileged "
         "accounts should keep it"},
        {"protected user",
         {ADKCD_FIX_LEAVE_PROTECTED_USERS, "tmg", "alice", SVC, NULL, NULL, 0,
          0},
         "take alice out of Protected Users if it may be delegated "
         "(privileged accounts should stay in it)"},
        /* Resource-based delegation on Samba's KDC: the flag alone, which
         * adkcd sets only with services. */
        {"protocol transition only",
         {ADKCD_FIX_PROTOCOL_TRANSITION_ONLY, "tmg", "tmg$", SVC, NULL, NULL, 0,
          0},
         "for Samba's KDC, allow protocol transition on tmg$ without adding "
         "services (TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000): samba-tool "
         "delegation for-any-protocol 'tmg$' on (or, from Windows, "
         "Set-ADAccountControl 'tmg$' -TrustedToAuthForDelegation $true)"},
        /* Words for a shell: quoted where they need it. */
        {"a $ in the account",
         {ADKCD_FIX_ADD_SERVICE, "tmg$", NULL, SVC, NULL, NULL, 0, 0},
         "adkcd add 'tmg$' " SVC},
        {"a quote in the account",
         {ADKCD_FIX_MODE_NONE, "CN=o'neil,CN=Computers,DC=mydom,DC=local", NULL,
          SVC, NULL, NULL, 0, 0},
         "adkcd set 'CN=o'\\''neil,CN=Computers,DC=mydom,DC=local' --mode "
         "none"},
        {"an empty account",
         {ADKCD_FIX_MODE_NONE, "", NULL, SVC, NULL, NULL, 0, 0},
         "adkcd set '' --mode none"},
        {"a list that needs quotes",
         {ADKCD_FIX_SET_CONSTRAINED, "tmg", NULL, SVC, NULL, odd, 0, 0},
         "adkcd set tmg --mode constrained --services 'cifs/a b,it'\\''s'"},
        {"a user to quote",
         {ADKCD_FIX_ENABLE_USER, "tmg", "al ice$", SVC, NULL, NULL, 0, 0},
         "enable al ice$ (samba-tool user enable 'al ice$', or "
         "Enable-ADAccount), or impersonate an enabled user"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++) {
        char *got = front_fix_text(&cases[i].fix);

        if (cases[i].text == NULL ? got != NULL
                                  : got == NULL || strcmp(got, cases[i].text))
            fail_msg("%s: \"%s\", expected \"%s\"", cases[i].name, h_esc(got),
                     h_esc(cases[i].text));
        free(got);
    }
    assert_null(front_fix_text(NULL));
}

/* "fix" and "fix_id" of a finding's JSON. */
static void
test_json(void **state)
{
    struct adkcd_fix add = {
        ADKCD_FIX_ADD_SERVICE, "tmg", NULL, SVC, NULL, NULL, 1, 0};
    struct adkcd_fix none = {ADKCD_FIX_NONE, NULL, NULL, NULL,
                             NULL,           NULL, 0,    0};
    json_t *o = json_object();

    (void)state;
    front_json_fix(o, &add);
    assert_string_equal(json_string_value(json_object_get(o, "fix")),
                        "adkcd add tmg " SVC " --any-protocol");
    assert_string_equal(json_string_value(json_object_get(o, "fix_id")),
                        "add-service");
    front_json_fix(o, &none);
    assert_true(json_is_null(json_object_get(o, "fix")));
    assert_true(json_is_null(json_object_get(o, "fix_id")));
    json_decref(o);
}

/* Every id has a stable name, and each name is different. */
static void
test_names(void **state)
{
    const char *seen[64];
    int id, j, n = 0;

    (void)state;
    assert_null(adkcd_fix_name(ADKCD_FIX_NONE));
    for (id = ADKCD_FIX_NONE + 1; id <= ADKCD_FIX_PROTOCOL_TRANSITION_ONLY;
         id++) {
        const char *name = adkcd_fix_name((enum adkcd_fix_id)id);

        assert_non_null(name);
        for (j = 0; j < n; j++)
            assert_string_not_equal(seen[j], name);
        seen[n++] = name;
    }
    assert_null(adkcd_fix_name((enum adkcd_fix_id)999));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
