/* Unit tests: account name checks (the part of account resolution that
 * needs no directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adkcd/account.h"

/* Check name (len bytes) and expect status and, when given, a message
 * fragment. */
static void
check(const char *name, size_t len, adkcd_status want, const char *msg)
{
    struct adkcd_err err;
    adkcd_status st;

    adkcd_err_clear(&err);
    st = adkcd_account_check_name(name, len, &err);
    assert_int_equal(st, want);
    if (want == ADKCD_OK) {
        assert_string_equal(err.msg, "");
    } else {
        assert_int_equal(err.status, want);
        assert_non_null(strstr(err.msg, msg));
    }
}

static void
test_names_accepted(void **state)
{
    (void)state;
    /* Filter metacharacters are not refused here: they are escaped when
     * searched, so they simply find nothing (see t_bad_input.sh). */
    check("iosmdm", 6, ADKCD_OK, NULL);
    check("tmg$", 4, ADKCD_OK, NULL);
    check("MYDOM\\iosmdm", 12, ADKCD_OK, NULL);
    check("x)(objectClass=*", 16, ADKCD_OK, NULL);
    check("CN=a,CN=Users,DC=mydom,DC=local", 31, ADKCD_OK, NULL);
    check("caf\xc3\xa9", 5, ADKCD_OK, NULL);
    check("<GUID=5a9e0b36-8b43-4c36-9e3b-0e2f6f1b7f11>", 43, ADKCD_OK, NULL);
    check("<SID=S-1-5-21-1-2-3-1104>", 25, ADKCD_OK, NULL);
}

static void
test_extended_dn_syntax(void **state)
{
    (void)state;
    /* Checked before anything is sent, like every other local check. */
    check("<GUID=not-a-guid>", 17, ADKCD_E_USAGE,
          "malformed GUID 'not-a-guid'");
    check("<SID=S-1-x>", 11, ADKCD_E_USAGE, "malformed SID 'S-1-x'");
    check("<SID=S-1-5--1>", 14, ADKCD_E_USAGE, "malformed SID");
    check("<FOO=S-1-5-21-1>", 16, ADKCD_E_USAGE,
          "expected <GUID=...> or <SID=S-1-...>");
    check("<GUID=5a9e0b36-8b43-4c36-9e3b-0e2f6f1b7f11", 42, ADKCD_E_USAGE,
          "expected <GUID=...>");
}

static void
test_names_refused(void **state)
{
    (void)state;
    check("", 0, ADKCD_E_USAGE, "empty account name");
    check(NULL, 0, ADKCD_E_USAGE, "empty account name");
    /* An embedded NUL, as a name read from a file or a pipe could hold. */
    check("ios\0mdm", 7, ADKCD_E_USAGE, "NUL byte at position 4");
    /* A C1 control (CSI, U+009B) drives a terminal as ESC [ does. */
    check("a\xc2\x9b"
          "31m",
          6, ADKCD_E_USAGE, "control character (U+009B) at position 2");
    check("\0", 1, ADKCD_E_USAGE, "empty account name");
    check("ios\x01mdm", 7, ADKCD_E_USAGE,
          "control character (0x01) at "
          "position 4");
    check("ios\nmdm", 7, ADKCD_E_USAGE, "control character (0x0a)");
    check("ios\x7fmdm", 7, ADKCD_E_USAGE, "control character (0x7f)");
}

static void
test_name_too_long(void **state)
{
    char name[1100];

    (void)state;
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    check(name, sizeof(name) - 1, ADKCD_E_USAGE, "too long");
    check(name, 1024, ADKCD_OK, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_accepted),
        cmocka_unit_test(test_names_refused),
        cmocka_unit_test(test_name_too_long),
        cmocka_unit_test(test_extended_dn_syntax),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
