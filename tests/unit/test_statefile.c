/* adkcd unit tests: the desired-state file (adkcd/statefile.h). */
#include "harness.h"

#include "adkcd/deleg.h"
#include "adkcd/statefile.h"

#define UAC_T4D ADKCD_UAC_TRUSTED_FOR_DELEGATION
#define UAC_PT ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION

/* A pointer that parse must overwrite. */
static struct adkcd_statefile sentinel_sf;
static struct adkcd_sf_errors sentinel_errs;

/* Parse len bytes of text (strlen when len is 0) and expect success. */
static struct adkcd_statefile *
parse_ok(const char *text, size_t len)
{
    struct adkcd_statefile *sf = &sentinel_sf;
    struct adkcd_sf_errors *errs = &sentinel_errs;
    struct adkcd_err err;
    adkcd_status st;

    h_err_init(&err);
    st =
        adkcd_statefile_parse(text, len ? len : strlen(text), &sf, &errs, &err);
    if (st != ADKCD_OK && errs != NULL && errs != &sentinel_errs && errs->n > 0)
        fail_msg("parse: %u:%u: %s", errs->v[0].pos.line, errs->v[0].pos.column,
                 h_esc(errs->v[0].msg));
    h_assert_ok("parse", st, &err);
    assert_null(errs);
    assert_non_null(sf);
    assert_ptr_not_equal(sf, &sentinel_sf);
    return sf;
}

/* Parse and expect ADKCD_E_USAGE; returns the errors (the caller frees). */
static struct adkcd_sf_errors *
parse_bad(const char *text, size_t len)
{
    struct adkcd_statefile *sf = &sentinel_sf;
    struct adkcd_sf_errors *errs = &sentinel_errs;
    struct adkcd_err err;
    adkcd_status st;

    h_err_init(&err);
    st =
        adkcd_statefile_parse(text, len ? len : strlen(text), &sf, &errs, &err);
    h_assert_failed(h_esc(text), st, ADKCD_E_USAGE, &err, "the state file has",
                    NULL);
    /* Nothing is half-returned. */
    assert_null(sf);
    assert_non_null(errs);
    assert_ptr_not_equal(errs, &sentinel_errs);
    assert_true(errs->n > 0);
    return errs;
}

struct bad_case {
    const char *text;
    size_t len; /* 0: strlen(text) */
    unsigned line, column;
    const char *phrase1, *phrase2;
};

/* Each case holds one error, at its place, with its phrases. */
static void
check_bad(const struct bad_case *c)
{
    struct adkcd_sf_errors *errs = parse_bad(c->text, c->len);
    size_t i;

    for (i = 0; i < errs->n; i++) {
        if (strstr(errs->v[i].msg, c->phrase1) != NULL &&
            (c->phrase2 == NULL || strstr(errs->v[i].msg, c->phrase2) != NULL))
            break;
    }
    if (i == errs->n)
        fail_msg("%s: no error with \"%s\"; first: %u:%u: %s", h_esc(c->text),
                 c->phrase1, errs->v[0].pos.line, errs->v[0].pos.column,
                 h_esc(errs->v[0].msg));
    if (errs->v[i].pos.line != c->line || errs->v[i].pos.column != c->column)
        fail_msg("%s: error \"%s\" at %u:%u, expected %u:%u", h_esc(c->text),
                 h_esc(errs->v[i].msg), errs->v[i].pos.line,
                 errs->v[i].pos.column, c->line, c->column);
    if (errs->n != 1)
        fail_msg("%s: %zu errors, expected 1 (second: %s)", h_esc(c->text),
                 errs->n, h_esc(errs->v[1].msg));
    adkcd_sf_errors_free(errs);
}

/* The texts of a list, as a NULL-terminated array for h_assert_strv. */
static void
assert_list(const char *what, const struct adkcd_sf_list *l,
            const char *const *want)
{
    char **v = NULL;
    size_t i;

    assert_true(l->given);
    for (i = 0; i < l->n; i++)
        assert_int_equal(adkcd_strv_add(&v, l->v[i].text), 0);
    h_assert_strv(what, v, want);
    adkcd_strv_free(v);
}

/* ------------------------------------------------------------------ */
/* Parsing good files                                                 */
/* ------------------------------------------------------------------ */

static const char example[] = "version: 1\n"
                              "spn_check: forest            # optional\n"
                              "accounts:\n"
                              "  - account: iosmdm\n"
                              "    spns:\n"
                              "      present: [http/iosmdm.mydom.local]\n"
                              "      absent: [http/old.mydom.local]\n"
                              "  - account: tmg\n"
                              "    type: computer\n"
                              "    delegation:\n"
                              "      mode: constrained\n"
                              "      protocol_transition: true\n"
                              "      services:\n"
                              "        present: [http/iosmdm.mydom.local]\n";

static void
test_parse_example(void **state)
{
    static const char *const present[] = {"http/iosmdm.mydom.local", NULL};
    static const char *const absent[] = {"http/old.mydom.local", NULL};
    struct adkcd_statefile *sf = parse_ok(example, 0);
    const struct adkcd_sf_account *a;

    (void)state;
    assert_int_equal(sf->version, 1);
    assert_true(sf->spn_check_given);
    assert_int_equal(sf->spn_check, ADKCD_SF_CHECK_FOREST);
    assert_int_equal(sf->spn_check_pos.line, 2);
    assert_int_equal(sf->accounts_pos.line, 3);
    assert_int_equal(sf->n_accounts, 2);

    a = &sf->accounts[0];
    assert_string_equal(a->name, "iosmdm");
    assert_int_equal(a->pos.line, 4);
    assert_int_equal(a->pos.column, 5);
    assert_int_equal(a->name_pos.line, 4);
    assert_int_equal(a->name_pos.column, 14);
    assert_int_equal(a->kind, ADKCD_ACCOUNT_ANY);
    assert_true(a->spns.given);
    assert_int_equal(a->spns.pos.line, 5);
    assert_list("present", &a->spns.present, present);
    assert_list("absent", &a->spns.absent, absent);
    assert_false(a->spns.exact.given);
    assert_int_equal(a->spns.present.pos.line, 6);
    assert_int_equal(a->spns.present.pos.column, 7);
    assert_int_equal(a->spns.present.v[0].pos.line, 6);
    assert_int_equal(a->spns.present.v[0].pos.column, 17);
    assert_false(a->deleg.given);

    a = &sf->accounts[1];
    assert_string_equal(a->name, "tmg");
    assert_int_equal(a->kind, ADKCD_ACCOUNT_COMPUTER);
    assert_int_equal(a->kind_pos.line, 9);
    assert_false(a->spns.given);
    assert_true(a->deleg.given);
    assert_true(a->deleg.mode_given);
    assert_int_equal(a->deleg.mode, ADKCD_DELEG_CONSTRAINED);
    assert_int_equal(a->deleg.mode_pos.line, 11);
    assert_int_equal(a->deleg.pt, ADKCD_PT_ANY);
    assert_int_equal(a->deleg.pt_pos.line, 12);
    assert_true(a->deleg.services.given);
    assert_list("services", &a->deleg.services.present, present);
    assert_int_equal(a->deleg.services.present.v[0].pos.line, 14);
    adkcd_statefile_free(sf);
}

static void
test_parse_json(void **state)
{
    static const char json[] =
        "{\"version\": 1, \"spn_check\": \"none\", \"accounts\": [\n"
        " {\"account\": \"MYDOM\\\\svc sql\", \"type\": \"user\",\n"
        "  \"spns\": {\"exact\": []},\n"
        "  \"delegation\": {\"mode\": \"none\", \"protocol_transition\": "
        "false}},\n"
        " {\"account\": \"<SID=S-1-5-21-1-2-3-1104>\",\n"
        "  \"delegation\": {\"services\": {\"exact\": [\"cifs/fs1\"]}}}\n"
        "]}\n";
    struct adkcd_statefile *sf = parse_ok(json, 0);
    static const char *const none[] = {NULL};

    (void)state;
    assert_int_equal(sf->spn_check, ADKCD_SF_CHECK_NONE);
    assert_int_equal(sf->n_accounts, 2);
    assert_string_equal(sf->accounts[0].name, "MYDOM\\svc sql");
    assert_int_equal(sf->accounts[0].kind, ADKCD_ACCOUNT_USER);
    assert_list("exact", &sf->accounts[0].spns.exact, none);
    assert_int_equal(sf->accounts[0].deleg.mode, ADKCD_DELEG_NONE);
    assert_int_equal(sf->accounts[0].deleg.pt, ADKCD_PT_KERBEROS);
    assert_int_equal(sf->accounts[1].name_pos.line, 5);
    assert_int_equal(sf->accounts[1].deleg.services.exact.n, 1);
    adkcd_statefile_free(sf);
}

static void
test_parse_minimal_and_forms(void **state)
{
    struct adkcd_statefile *sf;

    (void)state;
    /* No account at all is a file that changes nothing. */
    sf = parse_ok("version: 1\naccounts: []\n", 0);
    assert_int_equal(sf->n_accounts, 0);
    assert_false(sf->spn_check_given);
    adkcd_statefile_free(sf);
    /* A byte-order mark, a document marker, standard tags, block lists,
     * a plain number as a name (sAMAccountName 1234). */
    sf = parse_ok("\xef\xbb\xbf---\nversion: !!int 1\naccounts:\n"
                  "- account: 1234\n  spns: !!map\n    absent:\n"
                  "    - !!str HTTP/a\n    - 'http/b'\n"
                  "- account: \"caf\xc3\xa9\"\n  spns: {}\n...\n",
                  0);
    assert_int_equal(sf->n_accounts, 2);
    assert_string_equal(sf->accounts[0].name, "1234");
    assert_int_equal(sf->accounts[0].spns.absent.n, 2);
    assert_string_equal(sf->accounts[0].spns.absent.v[0].text, "HTTP/a");
    assert_string_equal(sf->accounts[1].name, "caf\xc3\xa9");
    assert_true(sf->accounts[1].spns.given);
    assert_false(sf->accounts[1].spns.present.given);
    adkcd_statefile_free(sf);
    /* An SPN moved between two accounts is a move, not a conflict. */
    sf = parse_ok("version: 1\naccounts:\n"
                  "- {account: a, spns: {absent: [http/x]}}\n"
                  "- {account: b, spns: {present: [HTTP/X]}}\n",
                  0);
    adkcd_statefile_free(sf);
    /* What a directory may hold, as an export writes it: a malformed
     * service (the DC takes any string), spellings that differ only in
     * case (Samba keeps both), a malformed SPN to remove. */
    sf = parse_ok("version: 1\naccounts:\n"
                  "- {account: a, spns: {exact: [http/x, HTTP/x]},"
                  " delegation: {mode: constrained, services:"
                  " {exact: [garbage value, cifs/y]}}}\n"
                  "- {account: b, spns: {absent: [http/x@MYDOM]}}\n",
                  0);
    assert_int_equal(sf->accounts[0].spns.exact.n, 2);
    assert_string_equal(sf->accounts[0].deleg.services.exact.v[0].text,
                        "garbage value");
    adkcd_statefile_free(sf);
    /* The same name with another type is another account; delegating to
     * one service from two accounts is fine. */
    sf = parse_ok("version: 1\naccounts:\n"
                  "- {account: tmg, type: computer,"
                  " delegation: {services: {present: [http/s]}}}\n"
                  "- {account: tmg, type: user,"
                  " delegation: {services: {present: [http/s]}}}\n",
                  0);
    adkcd_statefile_free(sf);
}

/* ------------------------------------------------------------------ */
/* Parsing bad files: one error each, at its place                    */
/* ------------------------------------------------------------------ */

#define ACC "version: 1\naccounts:\n- account: a\n"

static void
test_parse_bad(void **state)
{
    static const struct bad_case cases[] = {
        /* YAML syntax (libyaml's problem and mark). */
        {"version: 1\naccounts: [a, b\n", 0, 3, 1, "YAML syntax error",
         "flow sequence"},
        {"version: 1\n  bad: indent\n", 0, 2, 6, "YAML syntax error", NULL},
        {"version: 1\naccounts: []\n\x01\n", 0, 3, 1, "YAML syntax error",
         "control characters"},
        /* Bytes. */
        {"version: 1\naccounts: [x\0]\n", 24, 2, 13, "a NUL byte", NULL},
        {"version: 1\naccounts:\n- account: caf\xe9\n", 0, 3, 15,
         "invalid UTF-8 (byte 0xe9)", NULL},
        {"version: 1\n# \xc0\xaf overlong\naccounts: []\n", 0, 2, 3,
         "invalid UTF-8", NULL},
        {"version: 1\n# \xed\xa0\x80 surrogate\naccounts: []\n", 0, 2, 3,
         "invalid UTF-8", NULL},
        {"\xff\xfev\0e\0r\0", 8, 1, 1, "invalid UTF-8", NULL},
        /* Documents. */
        {"", 0, 1, 1, "the file is empty", NULL},
        {"# only a comment\n", 0, 1, 1, "the file is empty", NULL},
        {"version: 1\naccounts: []\n---\nversion: 1\n", 0, 3, 1,
         "a second YAML document", NULL},
        /* version */
        {"accounts: []\n", 0, 1, 1, "version is missing", NULL},
        {"version: 2\naccounts: []\n", 0, 1, 10, "unsupported version 2", NULL},
        {"version: '1'\naccounts: []\n", 0, 1, 10, "expected the number 1",
         "a string"},
        {"version: [1]\naccounts: []\n", 0, 1, 10, "expected the number 1",
         "a list"},
        /* Unknown and duplicate keys, at every level. */
        {"version: 1\naccount: []\naccounts: []\n", 0, 2, 1,
         "unknown key 'account'", "allowed: version, spn_check, accounts"},
        {ACC "  spn: [http/x]\n", 0, 4, 3, "accounts[1]: unknown key 'spn'",
         "allowed: account, type, spns, delegation"},
        {ACC "  spns: {add: [http/x]}\n", 0, 4, 10,
         "accounts[1].spns: unknown key 'add'",
         "allowed: present, absent, exact"},
        {ACC "  delegation: {Mode: none}\n", 0, 4, 16,
         "accounts[1].delegation: unknown key 'Mode'",
         "allowed: mode, protocol_transition, services"},
        {ACC "  delegation: {services: {all: []}}\n", 0, 4, 27,
         "accounts[1].delegation.services: unknown key 'all'", NULL},
        {"version: 1\nversion: 1\naccounts: []\n", 0, 2, 1,
         "duplicate key 'version' (first at line 1, column 1)", NULL},
        {ACC "  type: user\n  type: user\n", 0, 5, 3,
         "accounts[1]: duplicate key 'type'", NULL},
        {ACC "  spns: {present: [], present: []}\n", 0, 4, 23,
         "duplicate key 'present'", NULL},
        {"version: 1\naccounts: []\n[a]: b\n", 0, 3, 1,
         "a key must be a name, not a list", NULL},
        /* Wrong types. */
        {"[]\n", 0, 1, 1, "the file: expected a mapping", "not a list"},
        {"version: 1\naccounts: tmg\n", 0, 2, 11,
         "accounts: expected a list of accounts", "not a string"},
        {"version: 1\naccounts:\n- tmg\n", 0, 3, 3,
         "accounts[1]: expected a mapping", NULL},
        {"version: 1\naccounts:\n- account: [a]\n", 0, 3, 12,
         "accounts[1].account: expected a string, not a list", NULL},
        {"version: 1\naccounts:\n- account:\n", 0, 3, 11,
         "accounts[1].account: expected a string, not nothing (null)", NULL},
        {ACC "  spns: [http/x]\n", 0, 4, 9,
         "accounts[1].spns: expected a mapping", NULL},
        {ACC "  spns: {present: http/x}\n", 0, 4, 19,
         "accounts[1].spns.present: expected a list of SPNs", NULL},
        {ACC "  spns: {present: [[http/x]]}\n", 0, 4, 20,
         "accounts[1].spns.present[1]: expected a string, not a list", NULL},
        {ACC "  spns: {present: [http/a, ~]}\n", 0, 4, 28,
         "present[2]: expected a string, not nothing", NULL},
        {ACC "  delegation: [none]\n", 0, 4, 15,
         "accounts[1].delegation: expected a mapping", NULL},
        /* Booleans: true and false only. */
        {ACC "  delegation: {mode: constrained, protocol_transition: yes, "
             "services: {present: [http/s]}}\n",
         0, 4, 56, "protocol_transition: expected true or false, not 'yes'",
         NULL},
        {ACC "  delegation: {protocol_transition: 'true'}\n", 0, 4, 37,
         "not the string 'true'", "without quotes"},
        {ACC "  delegation: {protocol_transition: True}\n", 0, 4, 37,
         "not 'True'", NULL},
        {ACC "  delegation: {protocol_transition: 1}\n", 0, 4, 37,
         "expected true or false, not '1'", NULL},
        /* Words. */
        {ACC "  delegation: {mode: full}\n", 0, 4, 22,
         "accounts[1].delegation.mode: 'full' is not a delegation mode",
         "none, unconstrained or constrained"},
        {ACC "  type: group\n", 0, 4, 9,
         "accounts[1].type: 'group' is not an account type",
         "computer or user"},
        {ACC "  type: Computer\n", 0, 4, 9, "'Computer' is not an account type",
         NULL},
        {"version: 1\nspn_check: everywhere\naccounts: []\n", 0, 2, 12,
         "spn_check: 'everywhere' is not an SPN check",
         "forest, domain or none"},
        /* Account names. */
        {"version: 1\naccounts:\n- type: user\n", 0, 3, 3,
         "accounts[1]: 'account' is missing", NULL},
        {"version: 1\naccounts:\n- account: ''\n", 0, 3, 12,
         "accounts[1].account: empty account name", NULL},
        {"version: 1\naccounts:\n- account: \"a\\x01b\"\n", 0, 3, 12,
         "accounts[1].account: account name contains a control character",
         NULL},
        {"version: 1\naccounts:\n- account: \"a\\0b\"\n", 0, 3, 12,
         "a NUL character", NULL},
        {"version: 1\naccounts:\n- account: <GUID=nope>\n", 0, 3, 12,
         "malformed GUID 'nope'", NULL},
        /* SPNs and services to add are checked as SPNs; absent and exact
         * lists may name malformed values a directory holds (checked when
         * planned if they are to be added), but nothing empty or with a
         * control character. */
        {ACC "  spns: {present: ['http//x']}\n", 0, 4, 20,
         "accounts[1].spns.present[1]: invalid SPN 'http//x'", NULL},
        {ACC "  delegation: {services: {present: [\"http/a b\"]}}\n", 0, 4, 37,
         "accounts[1].delegation.services.present[1]: invalid SPN", NULL},
        {ACC "  spns: {absent: ['']}\n", 0, 4, 19,
         "accounts[1].spns.absent[1]: '' is empty or holds a control", NULL},
        {ACC "  delegation: {services: {exact: [\"a\\tb\"]}}\n", 0, 4, 35,
         "services.exact[1]: 'a\\x09b' is empty or holds a control", NULL},
        {ACC "  spns: {exact: [a/b, c/d, a/b]}\n", 0, 4, 28,
         "exact[3]: 'a/b' is listed twice (also at line 4, column 18)", NULL},
        {ACC "  spns: {present: [http/x, HTTP/X]}\n", 0, 4, 28,
         "present[2]: 'HTTP/X' is listed twice (also at line 4, column 20",
         NULL},
        /* Across accounts. */
        {"version: 1\naccounts:\n- account: tmg\n- account: TMG\n", 0, 4, 12,
         "accounts[2]: account 'TMG' is already at accounts[1] (line 3)", NULL},
        {"version: 1\naccounts:\n- {account: a, spns: {present: [http/x]}}\n"
         "- {account: b, spns: {exact: [HTTP/X]}}\n",
         0, 4, 31, "accounts[2].spns: 'HTTP/X' is also wanted by accounts[1]",
         "line 3, column 33"},
        /* One set, one meaning. */
        {ACC "  spns: {present: [http/a], exact: [http/b]}\n", 0, 4, 29,
         "spns.exact: exact cannot be combined with present or absent", NULL},
        {ACC "  spns: {present: [http/a], absent: [HTTP/A]}\n", 0, 4, 38,
         "spns.absent[1]: 'HTTP/A' is also present (line 4, column 20)", NULL},
        /* A delegation that contradicts itself. */
        {ACC "  delegation: {mode: none, services: {present: [http/s]}}\n", 0,
         4, 28, "delegation.services: mode none delegates to no list", NULL},
        {ACC "  delegation: {mode: unconstrained, services: {exact: "
             "[http/s]}}\n",
         0, 4, 37, "mode unconstrained delegates to no list", NULL},
        {ACC "  delegation: {mode: none, protocol_transition: true}\n", 0, 4,
         28, "protocol_transition: true needs mode constrained", NULL},
        {ACC "  delegation: {mode: constrained, services: {exact: []}}\n", 0, 4,
         46, "exact: [] with mode constrained", NULL},
        {ACC "  delegation: {protocol_transition: true, services: {exact: "
             "[]}}\n",
         0, 4, 16, "protocol_transition: true with services exact: []", NULL},
        /* YAML features we refuse. */
        {"version: 1\naccounts:\n- account: tmg\n  spns: &s {}\n", 0, 4, 9,
         "anchors and aliases are not supported", NULL},
        {"version: 1\naccounts: !accounts []\n", 0, 2, 11,
         "tag '!accounts' is not supported", NULL},
        {"version: 1\naccounts:\n- account: !!binary dG1n\n", 0, 3, 12,
         "tag 'tag:yaml.org,2002:binary' is not supported", NULL},
        {"version: 1\naccounts: !!map []\n", 0, 2, 11, "tag !!map on a list",
         NULL},
        {"version: !!int one\naccounts: []\n", 0, 1, 10,
         "'one' does not fit its tag !!int", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_bad(&cases[i]);
}

/* rbcd: principals present/absent or exact; names checked as accounts,
 * repeats without regard to case; written back by the emitter. */
static void
test_parse_rbcd(void **state)
{
    static const struct bad_case cases[] = {
        {ACC "  rbcd: tmg\n", 0, 4, 9, "accounts[1].rbcd: expected", NULL},
        {ACC "  rbcd: {present: tmg}\n", 0, 4, 19,
         "accounts[1].rbcd.present: expected a list of principals", NULL},
        {ACC "  rbcd: {present: [tmg, TMG]}\n", 0, 4, 25,
         "'TMG' is listed twice", "names compare without regard to case"},
        {ACC "  rbcd: {present: [tmg], absent: [tmg]}\n", 0, 4, 35,
         "accounts[1].rbcd.absent[1]: 'tmg' is also present", NULL},
        {ACC "  rbcd: {present: [a], exact: [b]}\n", 0, 4, 24,
         "exact cannot be combined", NULL},
        {ACC "  rbcd: {present: ['<GUID=zz>']}\n", 0, 4, 20,
         "accounts[1].rbcd.present[1]", NULL},
        {ACC "  rbcd: {wanted: [a]}\n", 0, 4, 10, "unknown key 'wanted'", NULL},
    };
    struct adkcd_statefile *sf;
    struct adkcd_err err;
    char *text = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_bad(&cases[i]);
    sf = parse_ok(ACC "  rbcd: {present: [tmg, 'web1$'], absent: "
                      "[S-1-5-21-1-2-3-4]}\n"
                      "- account: b\n  rbcd: {exact: []}\n",
                  0);
    assert_int_equal(sf->n_accounts, 2);
    assert_true(sf->accounts[0].rbcd.given);
    assert_list("present", &sf->accounts[0].rbcd.present,
                (const char *const[]){"tmg", "web1$", NULL});
    assert_list("absent", &sf->accounts[0].rbcd.absent,
                (const char *const[]){"S-1-5-21-1-2-3-4", NULL});
    assert_true(sf->accounts[1].rbcd.exact.given);
    assert_int_equal(sf->accounts[1].rbcd.exact.n, 0);
    assert_false(sf->accounts[1].spns.given);
    h_err_init(&err);
    h_assert_ok("write", adkcd_statefile_write(sf, &text, &err), &err);
    assert_non_null(strstr(text, "rbcd:"));
    adkcd_statefile_free(sf);
    sf = parse_ok(text, 0);
    assert_list("present again", &sf->accounts[0].rbcd.present,
                (const char *const[]){"tmg", "web1$", NULL});
    assert_true(sf->accounts[1].rbcd.exact.given);
    adkcd_statefile_free(sf);
    free(text);
}

static void
test_parse_bad_alias(void **state)
{
    struct adkcd_sf_errors *errs =
        parse_bad("version: 1\naccounts:\n- account: &n tmg\n"
                  "- account: *n\n",
                  0);

    (void)state;
    /* The anchor, then the alias (not also a type error for the alias). */
    assert_int_equal(errs->n, 2);
    h_assert_contains("alias", errs->v[1].msg,
                      "aliases are not supported (*n)");
    assert_int_equal(errs->v[1].pos.line, 4);
    adkcd_sf_errors_free(errs);
}

/* Every problem is reported, in file order, not just the first. */
static void
test_parse_collects_all(void **state)
{
    static const char text[] = "version: 3\n"
                               "accounts:\n"
                               "- account: a\n"
                               "  spns: {present: [bad, http/ok]}\n"
                               "  delegation: {mode: nope}\n"
                               "- account: ''\n"
                               "  colour: blue\n";
    struct adkcd_sf_errors *errs = parse_bad(text, 0);
    static const unsigned lines[] = {1, 4, 5, 6, 7};
    size_t i;

    (void)state;
    if (errs->n != N_ELEMS(lines))
        fail_msg("%zu errors, expected %zu", errs->n, N_ELEMS(lines));
    for (i = 0; i < errs->n; i++)
        assert_int_equal(errs->v[i].pos.line, lines[i]);
    assert_int_equal(errs->more, 0);
    adkcd_sf_errors_free(errs);
}

static void
test_parse_error_cap(void **state)
{
    struct adkcd_sf_errors *errs;
    char *text = malloc(150 * 32 + 64);
    size_t i, o;

    (void)state;
    assert_non_null(text);
    o = (size_t)sprintf(text, "version: 1\naccounts:\n");
    for (i = 0; i < 150; i++)
        o += (size_t)sprintf(text + o, "- {account: a%zu, x: 1}\n", i);
    errs = parse_bad(text, o);
    assert_int_equal(errs->n, ADKCD_SF_MAX_ERRORS);
    assert_int_equal(errs->more, 50);
    adkcd_sf_errors_free(errs);
    free(text);
}

static void
test_parse_limits(void **state)
{
    struct adkcd_sf_errors *errs;
    char *text;
    size_t i, o;

    (void)state;
    /* Nesting. */
    text = malloc(200);
    assert_non_null(text);
    o = (size_t)sprintf(text, "version: 1\naccounts: ");
    for (i = 0; i < 40; i++)
        text[o++] = '[';
    text[o] = '\0';
    errs = parse_bad(text, o);
    assert_int_equal(errs->n, 1);
    h_assert_contains("depth", errs->v[0].msg, "nested deeper than 16");
    adkcd_sf_errors_free(errs);
    free(text);

    /* A value too long. */
    text = malloc(ADKCD_SF_MAX_SCALAR + 100);
    assert_non_null(text);
    o = (size_t)sprintf(text, "version: 1\naccounts:\n- account: ");
    memset(text + o, 'a', ADKCD_SF_MAX_SCALAR + 1);
    o += ADKCD_SF_MAX_SCALAR + 1;
    text[o] = '\0';
    errs = parse_bad(text, o);
    h_assert_contains("long", errs->v[0].msg, "value longer than 4096");
    adkcd_sf_errors_free(errs);
    free(text);

    /* The whole file: refused before it is read. */
    text = calloc(1, (size_t)ADKCD_SF_MAX_BYTES + 1);
    assert_non_null(text);
    errs = parse_bad(text, (size_t)ADKCD_SF_MAX_BYTES + 1);
    h_assert_contains("size", errs->v[0].msg, "larger than");
    adkcd_sf_errors_free(errs);
    free(text);
}

static void
test_parse_nomem_free_null(void **state)
{
    struct adkcd_statefile *sf = &sentinel_sf;
    struct adkcd_sf_errors *errs = &sentinel_errs;

    (void)state;
    adkcd_statefile_free(NULL);
    adkcd_sf_errors_free(NULL);
    /* err may be NULL; NULL text is the empty file. */
    assert_int_equal(adkcd_statefile_parse(NULL, 0, &sf, &errs, NULL),
                     ADKCD_E_USAGE);
    assert_null(sf);
    assert_non_null(errs);
    adkcd_sf_errors_free(errs);
    /* Messages never carry control characters. */
    errs = parse_bad("version: 1\naccounts: []\n\"\\e[2J\": x\n", 0);
    assert_null(strchr(errs->v[0].msg, '\x1b'));
    h_assert_contains("escaped", errs->v[0].msg, "\\x1b[2J");
    adkcd_sf_errors_free(errs);
}

/* ------------------------------------------------------------------ */
/* Writing, and the round trip                                        */
/* ------------------------------------------------------------------ */

static void
assert_list_equal(const struct adkcd_sf_list *a, const struct adkcd_sf_list *b)
{
    size_t i;

    assert_int_equal(a->given, b->given);
    assert_int_equal(a->n, b->n);
    for (i = 0; i < a->n; i++)
        assert_string_equal(a->v[i].text, b->v[i].text);
}

static void
assert_set_equal(const struct adkcd_sf_set *a, const struct adkcd_sf_set *b)
{
    assert_int_equal(a->given, b->given);
    assert_list_equal(&a->present, &b->present);
    assert_list_equal(&a->absent, &b->absent);
    assert_list_equal(&a->exact, &b->exact);
}

/* Equal but for the positions. */
static void
assert_sf_equal(const struct adkcd_statefile *a,
                const struct adkcd_statefile *b)
{
    size_t i;

    assert_int_equal(a->version, b->version);
    assert_int_equal(a->spn_check_given, b->spn_check_given);
    assert_int_equal(a->spn_check, b->spn_check);
    assert_int_equal(a->n_accounts, b->n_accounts);
    for (i = 0; i < a->n_accounts; i++) {
        const struct adkcd_sf_account *x = &a->accounts[i],
                                      *y = &b->accounts[i];

        assert_string_equal(x->name, y->name);
        assert_int_equal(x->kind, y->kind);
        assert_set_equal(&x->spns, &y->spns);
        assert_int_equal(x->deleg.given, y->deleg.given);
        assert_int_equal(x->deleg.mode_given, y->deleg.mode_given);
        assert_int_equal(x->deleg.mode, y->deleg.mode);
        assert_int_equal(x->deleg.pt, y->deleg.pt);
        assert_set_equal(&x->deleg.services, &y->deleg.services);
    }
}

/* write(sf), parse it, and expect sf back; returns the text. */
static char *
round_trip(const struct adkcd_statefile *sf)
{
    struct adkcd_statefile *back;
    struct adkcd_err err;
    char *text = (char *)"sentinel";

    h_err_init(&err);
    h_assert_ok("write", adkcd_statefile_write(sf, &text, &err), &err);
    assert_non_null(text);
    back = parse_ok(text, 0);
    assert_sf_equal(sf, back);
    adkcd_statefile_free(back);
    return text;
}

static void
test_round_trip_parsed(void **state)
{
    struct adkcd_statefile *sf = parse_ok(example, 0);
    char *text;

    (void)state;
    text = round_trip(sf);
    h_assert_text("written", text,
                  "version: 1\n"
                  "spn_check: forest\n"
                  "accounts:\n"
                  "- account: iosmdm\n"
                  "  spns:\n"
                  "    present:\n"
                  "    - http/iosmdm.mydom.local\n"
                  "    absent:\n"
                  "    - http/old.mydom.local\n"
                  "- account: tmg\n"
                  "  type: computer\n"
                  "  delegation:\n"
                  "    mode: constrained\n"
                  "    protocol_transition: true\n"
                  "    services:\n"
                  "      present:\n"
                  "      - http/iosmdm.mydom.local\n");
    free(text);
    adkcd_statefile_free(sf);
}

/* Export: names and values that need quoting come back as they were. */
static void
test_round_trip_export(void **state)
{
    static const char *const names[] = {
        "svc sql",
        "MYDOM\\svc",
        "o'brien \"x\"",
        "a #b",
        "a: b",
        "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
        "true",
        "null",
        "~",
        "0123",
        "1e3",
        "-x",
        "[x]",
        "{x}",
        "*x",
        "&x",
        "!x",
        "%x",
        "@x",
        "`x",
        "yes",
        " lead",
        "trail ",
        "CN=a\\, b,OU=x,DC=mydom,DC=local",
        "<GUID=5a9e0b36-8b43-4c36-9e3b-0e2f6f1b7f11>",
        "x\xc2\xa0y",
        "- a",
        "? a",
        "a|b>c",
        "'",
        "\"",
        "#",
        ".inf",
        "user@mydom.local",
        NULL};
    /* SPNs are printable ASCII, but the name after the second '/' may
     * hold what YAML gives a meaning. */
    static const char *const spns[] = {
        "http/a:8080",  "MSSQLSvc/sql1:SQLEXPRESS",
        "host/x/a#b",   "host/x/[a]",
        "host/x/{a},b", "host/x/'\"",
        "1/x",          "host/x/*&!%|>",
        "host/x/a:b",   "host/x/-",
        "host/x/#",     NULL};
    static const char *const services[] = {"cifs/fs1.mydom.local", "http/x:443",
                                           NULL};
    char *const none[] = {NULL};
    struct adkcd_statefile *sf = NULL;
    struct adkcd_sf_account *a;
    struct adkcd_err err;
    char *text;
    size_t i;

    (void)state;
    h_err_init(&err);
    h_assert_ok("new", adkcd_statefile_new(&sf, &err), &err);
    sf->spn_check_given = 1;
    sf->spn_check = ADKCD_SF_CHECK_DOMAIN;
    for (i = 0; names[i] != NULL; i++) {
        h_assert_ok("add",
                    adkcd_statefile_add_account(sf, names[i],
                                                i % 3 == 0 ? ADKCD_ACCOUNT_ANY
                                                : i % 3 == 1
                                                    ? ADKCD_ACCOUNT_COMPUTER
                                                    : ADKCD_ACCOUNT_USER,
                                                &a, &err),
                    &err);
        a->spns.given = 1;
        a->deleg.given = 1;
        if (i == 0) {
            h_assert_ok("spns",
                        adkcd_sf_list_set(&a->spns.exact, (char **)spns, &err),
                        &err);
            a->deleg.mode_given = 1;
            a->deleg.mode = ADKCD_DELEG_CONSTRAINED;
            a->deleg.pt = ADKCD_PT_ANY;
            a->deleg.services.given = 1;
            h_assert_ok("services",
                        adkcd_sf_list_set(&a->deleg.services.exact,
                                          (char **)services, &err),
                        &err);
        } else {
            h_assert_ok("spns", adkcd_sf_list_set(&a->spns.exact, none, &err),
                        &err);
            a->deleg.mode_given = 1;
            a->deleg.mode =
                i % 2 ? ADKCD_DELEG_NONE : ADKCD_DELEG_UNCONSTRAINED;
        }
    }
    text = round_trip(sf);
    /* Strings that would read as something else are quoted. */
    h_assert_contains("true", text, "account: 'true'");
    h_assert_contains("0123", text, "account: '0123'");
    h_assert_contains("unicode", text, "caf\xc3\xa9 \xe6\x97\xa5");
    h_assert_contains("empty", text, "exact: []");
    free(text);
    adkcd_statefile_free(sf);
}

static void
test_write_invalid(void **state)
{
    struct adkcd_statefile *sf = NULL;
    struct adkcd_sf_account *a;
    struct adkcd_err err;
    char *text = (char *)"sentinel";

    (void)state;
    h_err_init(&err);
    assert_int_equal(adkcd_statefile_new(&sf, &err), ADKCD_OK);
    assert_int_equal(
        adkcd_statefile_add_account(sf, "bad\xff", ADKCD_ACCOUNT_ANY, &a, &err),
        ADKCD_OK);
    h_assert_failed("write", adkcd_statefile_write(sf, &text, &err),
                    ADKCD_E_INVALID, &err, "cannot write the state file", NULL);
    assert_null(text);
    adkcd_statefile_free(sf);
}

/* ------------------------------------------------------------------ */
/* The SPNs wanted                                                    */
/* ------------------------------------------------------------------ */

struct spns_case {
    const char *what;
    const char *spec; /* the "spns" mapping, flow style; NULL: not given */
    const char *cur[6];
    const char *want[6];
    int changed;
};

static void
check_spns(const struct spns_case *c)
{
    char text[512], **cur = NULL, **want = (char **)"x";
    struct adkcd_statefile *sf;
    struct adkcd_err err;
    int changed = -1;
    size_t i;

    if (c->spec != NULL)
        snprintf(text, sizeof(text),
                 "version: 1\naccounts:\n- {account: a, "
                 "spns: %s}\n",
                 c->spec);
    else
        snprintf(text, sizeof(text), "version: 1\naccounts:\n- account: a\n");
    sf = parse_ok(text, 0);
    for (i = 0; c->cur[i] != NULL; i++)
        assert_int_equal(adkcd_strv_add(&cur, c->cur[i]), 0);
    h_err_init(&err);
    h_assert_ok(c->what,
                adkcd_statefile_spns_desired(cur, &sf->accounts[0].spns, &want,
                                             &changed, &err),
                &err);
    assert_non_null(want);
    h_assert_strv(c->what, want, c->want);
    if (changed != c->changed)
        fail_msg("%s: changed %d, expected %d", c->what, changed, c->changed);
    adkcd_strv_free(want);
    adkcd_strv_free(cur);
    adkcd_statefile_free(sf);
}

static void
test_spns_desired(void **state)
{
    static const struct spns_case cases[] = {
        {"not given", NULL, {"http/a", NULL}, {"http/a", NULL}, 0},
        {"not given, none held", NULL, {NULL}, {NULL}, 0},
        {"empty set", "{}", {"http/a", NULL}, {"http/a", NULL}, 0},
        {"present adds",
         "{present: [http/b]}",
         {"http/a", NULL},
         {"http/a", "http/b", NULL},
         1},
        {"present held in another spelling",
         "{present: [HTTP/A]}",
         {"http/a", NULL},
         {"http/a", NULL},
         0},
        {"present on nothing",
         "{present: [http/b, http/c]}",
         {NULL},
         {"http/b", "http/c", NULL},
         1},
        {"absent removes every spelling",
         "{absent: [http/a]}",
         {"HTTP/A", "host/x", "http/a", NULL},
         {"host/x", NULL},
         1},
        {"absent not held",
         "{absent: [http/z]}",
         {"http/a", NULL},
         {"http/a", NULL},
         0},
        {"absent then present",
         "{present: [http/n], absent: [http/o]}",
         {"http/o", "http/k", NULL},
         {"http/k", "http/n", NULL},
         1},
        {"present keeps duplicates it does not name",
         "{present: [http/n]}",
         {"http/k", "HTTP/K", NULL},
         {"http/k", "HTTP/K", "http/n", NULL},
         1},
        {"exact same",
         "{exact: [http/a, host/b]}",
         {"host/b", "http/a", NULL},
         {"host/b", "http/a", NULL},
         0},
        {"exact keeps the stored spelling",
         "{exact: [HTTP/A]}",
         {"http/a", NULL},
         {"http/a", NULL},
         0},
        {"exact prefers the file's spelling among several",
         "{exact: [HTTP/A]}",
         {"http/a", "HTTP/A", NULL},
         {"HTTP/A", NULL},
         1},
        {"exact adds and removes",
         "{exact: [http/a, http/new]}",
         {"host/old", "http/a", NULL},
         {"http/a", "http/new", NULL},
         1},
        {"exact empty", "{exact: []}", {"http/a", "host/b", NULL}, {NULL}, 1},
        {"exact empty on nothing", "{exact: []}", {NULL}, {NULL}, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_spns(&cases[i]);
}

/* ------------------------------------------------------------------ */
/* The delegation wanted                                              */
/* ------------------------------------------------------------------ */

struct deleg_case {
    const char *what;
    const char *spec; /* the "delegation" mapping; NULL: not given */
    unsigned cur_uac;
    const char *cur[4];
    adkcd_status st;
    unsigned want_uac; /* of the delegation bits */
    const char *want[4];
    int changed;
};

static void
check_deleg(const struct deleg_case *c)
{
    char text[512];
    struct adkcd_statefile *sf;
    struct adkcd_deleg cur = {0}, want = {0};
    struct adkcd_err err;
    int changed = -1;
    size_t i;
    adkcd_status st;

    if (c->spec != NULL)
        snprintf(text, sizeof(text),
                 "version: 1\naccounts:\n- {account: a, "
                 "delegation: %s}\n",
                 c->spec);
    else
        snprintf(text, sizeof(text), "version: 1\naccounts:\n- account: a\n");
    sf = parse_ok(text, 0);
    /* Bits outside delegation are kept as they are. */
    cur.uac = c->cur_uac | ADKCD_UAC_WORKSTATION_TRUST_ACCOUNT;
    cur.services = calloc(1, sizeof(char *));
    assert_non_null(cur.services);
    for (i = 0; c->cur[i] != NULL; i++)
        assert_int_equal(adkcd_strv_add(&cur.services, c->cur[i]), 0);
    h_err_init(&err);
    st = adkcd_statefile_deleg_desired(&cur, &sf->accounts[0].deleg, &want,
                                       &changed, &err);
    if (c->st != ADKCD_OK) {
        h_assert_failed(c->what, st, c->st, &err, "delegation.", NULL);
        assert_null(want.services);
    } else {
        h_assert_ok(c->what, st, &err);
        assert_non_null(want.services);
        if (want.uac != (c->want_uac | ADKCD_UAC_WORKSTATION_TRUST_ACCOUNT))
            fail_msg("%s: uac 0x%x, expected 0x%x", c->what, want.uac,
                     c->want_uac | ADKCD_UAC_WORKSTATION_TRUST_ACCOUNT);
        h_assert_strv(c->what, want.services, c->want);
        if (changed != c->changed)
            fail_msg("%s: changed %d, expected %d", c->what, changed,
                     c->changed);
    }
    adkcd_deleg_clear(&want);
    adkcd_deleg_clear(&cur);
    adkcd_statefile_free(sf);
}

static void
test_deleg_desired(void **state)
{
    static const struct deleg_case cases[] = {
        {"not given",
         NULL,
         UAC_PT,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/a", NULL},
         0},
        {"empty mapping", "{}", UAC_T4D, {NULL}, ADKCD_OK, UAC_T4D, {NULL}, 0},
        /* mode: adkcd set --mode. */
        {"mode none",
         "{mode: none}",
         UAC_PT,
         {"http/a", NULL},
         ADKCD_OK,
         0,
         {NULL},
         1},
        {"mode none already",
         "{mode: none, protocol_transition: false}",
         0,
         {NULL},
         ADKCD_OK,
         0,
         {NULL},
         0},
        {"mode unconstrained",
         "{mode: unconstrained}",
         UAC_PT,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_T4D,
         {NULL},
         1},
        {"mode constrained exact",
         "{mode: constrained, services: {exact: "
         "[HTTP/A, http/b]}}",
         UAC_T4D,
         {"http/a", "http/old", NULL},
         ADKCD_OK,
         0,
         {"http/a", "http/b", NULL},
         1},
        {"mode constrained keeps pt",
         "{mode: constrained}",
         UAC_PT,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/a", NULL},
         0},
        {"mode constrained with present (the brief's example)",
         "{mode: constrained, protocol_transition: true, services: {present: "
         "[http/b]}}",
         0,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/a", "http/b", NULL},
         1},
        {"mode constrained, present and absent",
         "{mode: constrained, services: {present: [http/b], absent: "
         "[http/a]}}",
         UAC_PT,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/b", NULL},
         1},
        {"mode constrained, nothing left",
         "{mode: constrained}",
         UAC_T4D,
         {NULL},
         ADKCD_E_USAGE,
         0,
         {NULL},
         0},
        {"mode constrained, absent takes the last",
         "{mode: constrained, services: {absent: [http/a]}}",
         0,
         {"http/a", NULL},
         ADKCD_E_USAGE,
         0,
         {NULL},
         0},
        /* exact without mode: as mode constrained. */
        {"exact alone",
         "{services: {exact: [http/b]}}",
         UAC_T4D | UAC_PT,
         {NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/b", NULL},
         1},
        {"exact alone, kerberos only",
         "{protocol_transition: false, services: {exact: [http/a]}}",
         UAC_PT,
         {"HTTP/A", NULL},
         ADKCD_OK,
         0,
         {"HTTP/A", NULL},
         1},
        {"exact [] on constrained",
         "{services: {exact: []}}",
         UAC_PT,
         {"http/a", "http/b", NULL},
         ADKCD_OK,
         0,
         {NULL},
         1},
        {"exact [] on unconstrained",
         "{services: {exact: []}}",
         UAC_T4D,
         {NULL},
         ADKCD_OK,
         UAC_T4D,
         {NULL},
         0},
        {"exact [] on none",
         "{services: {exact: []}}",
         0,
         {NULL},
         ADKCD_OK,
         0,
         {NULL},
         0},
        /* present/absent without mode: adkcd add, then adkcd remove. */
        {"present: add makes it constrained",
         "{services: {present: [http/b]}}",
         UAC_T4D,
         {NULL},
         ADKCD_OK,
         0,
         {"http/b", NULL},
         1},
        {"present held in another spelling",
         "{services: {present: [HTTP/A]}}",
         0,
         {"http/a", NULL},
         ADKCD_OK,
         0,
         {"http/a", NULL},
         0},
        {"present with pt",
         "{protocol_transition: true, services: {present: "
         "[http/a]}}",
         0,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/a", NULL},
         1},
        {"absent: remove",
         "{services: {absent: [HTTP/A]}}",
         UAC_PT,
         {"http/a", "http/b", NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/b", NULL},
         1},
        {"absent of the last: none, pt cleared",
         "{services: {absent: [http/a]}}",
         UAC_PT,
         {"http/a", NULL},
         ADKCD_OK,
         0,
         {NULL},
         1},
        {"absent on unconstrained keeps it",
         "{services: {absent: [http/a]}}",
         UAC_T4D,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_T4D,
         {NULL},
         1},
        {"present then absent",
         "{services: {present: [http/n], absent: [http/o]}}",
         0,
         {"http/o", NULL},
         ADKCD_OK,
         0,
         {"http/n", NULL},
         1},
        /* protocol_transition alone. */
        {"pt true on constrained",
         "{protocol_transition: true}",
         0,
         {"http/a", NULL},
         ADKCD_OK,
         UAC_PT,
         {"http/a", NULL},
         1},
        {"pt true on none",
         "{protocol_transition: true}",
         0,
         {NULL},
         ADKCD_E_USAGE,
         0,
         {NULL},
         0},
        {"pt true on unconstrained",
         "{protocol_transition: true}",
         UAC_T4D,
         {NULL},
         ADKCD_E_USAGE,
         0,
         {NULL},
         0},
        {"pt false on constrained",
         "{protocol_transition: false}",
         UAC_PT,
         {"http/a", NULL},
         ADKCD_OK,
         0,
         {"http/a", NULL},
         1},
        {"pt false clears a stray flag",
         "{protocol_transition: false}",
         UAC_T4D | UAC_PT,
         {NULL},
         ADKCD_OK,
         UAC_T4D,
         {NULL},
         1},
        {"pt true, absent takes the last",
         "{protocol_transition: true, services: {absent: [http/a]}}",
         UAC_PT,
         {"http/a", NULL},
         ADKCD_E_USAGE,
         0,
         {NULL},
         0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N_ELEMS(cases); i++)
        check_deleg(&cases[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_example),
        cmocka_unit_test(test_parse_json),
        cmocka_unit_test(test_parse_minimal_and_forms),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_rbcd),
        cmocka_unit_test(test_parse_bad_alias),
        cmocka_unit_test(test_parse_collects_all),
        cmocka_unit_test(test_parse_error_cap),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_parse_nomem_free_null),
        cmocka_unit_test(test_round_trip_parsed),
        cmocka_unit_test(test_round_trip_export),
        cmocka_unit_test(test_write_invalid),
        cmocka_unit_test(test_spns_desired),
        cmocka_unit_test(test_deleg_desired),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
