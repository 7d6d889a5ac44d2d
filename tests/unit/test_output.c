/*
 * adkcd unit tests: the one text output helper (cli_printf): the format's
 * own newlines and tabs make the lines; every value is written with its
 * control bytes escaped (newlines too), so that a directory value can
 * neither drive the terminal nor forge a line; the conversions print as
 * printf prints them.
 */
#include "harness.h"

#include "common.h"

/* What cli_printf writes for fmt and its arguments. */
#define PRINTED(buf, ...)                                                      \
    do {                                                                       \
        FILE *f_ = tmpfile();                                                  \
        size_t n_;                                                             \
        assert_non_null(f_);                                                   \
        cli_printf(f_, __VA_ARGS__);                                           \
        rewind(f_);                                                            \
        n_ = fread(buf, 1, sizeof(buf) - 1, f_);                               \
        buf[n_] = '\0';                                                        \
        fclose(f_);                                                            \
    } while (0)

static void
test_values_escaped_format_kept(void **state)
{
    char out[512];

    (void)state;
    PRINTED(out, "dn: %s\n", "CN=x\ndn: CN=forged");
    assert_string_equal(out, "dn: CN=x\\x0adn: CN=forged\n");
    PRINTED(out, "a\tb %s\n", "tab\there");
    assert_string_equal(out, "a\tb tab\\x09here\n");
    PRINTED(out, "%s",
            "\x1b[31mred\x7f \xc2\x9b"
            "2J caf\xc3\xa9");
    assert_string_equal(out, "\\x1b[31mred\\x7f \\xc2\\x9b2J caf\xc3\xa9");
    /* bytes that are not UTF-8, in a value and through cli_put_safe */
    PRINTED(out, "<%s>", "caf\xe9 \xc0\xaf \xed\xa0\x80 ok\xe2\x82\xac");
    assert_string_equal(out, "<caf\\xe9 \\xc0\\xaf \\xed\\xa0\\x80 "
                             "ok\xe2\x82\xac>");
    /* a value holding a format is only text */
    PRINTED(out, "%s|%s", "%s%n%x", "b");
    assert_string_equal(out, "%s%n%x|b");
}

static void
test_conversions(void **state)
{
    char out[512];

    (void)state;
    PRINTED(out, "%zu %u %d %ld %lu %x %02x %04o %c %%", (size_t)42, 7u, -3,
            -4L, 5UL, 255u, 10u, 0755u, 'q');
    assert_string_equal(out, "42 7 -3 -4 5 ff 0a 0755 q %");
    PRINTED(out, "[%-5s][%5s][%.2s][%*s][%-*.*s]", "ab", "cd", "xyz", 4, "e", 6,
            2, "fghi");
    assert_string_equal(out, "[ab   ][   cd][xy][   e][fg    ]");
    PRINTED(out, "%-36s  %-20s|", "id", "time");
    assert_int_equal(strlen(out), 36 + 2 + 20 + 1);
    assert_memory_equal(out + 36, "  time ", 7);
    PRINTED(out, "%lld %hhu %zx %.1f", -9LL, 300, (size_t)31, 2.25);
    assert_string_equal(out, "-9 44 1f 2.2");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_escaped_format_kept),
        cmocka_unit_test(test_conversions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
