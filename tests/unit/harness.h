/*
 * adkcd unit tests: small helpers shared by the cmocka test programs.
 *
 * Everything here is "static inline" so that a test program that does not
 * use a helper gets no unused-function warning.
 */
#ifndef ADKCD_TEST_HARNESS_H
#define ADKCD_TEST_HARNESS_H

/* cmocka needs these before <cmocka.h>. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/status.h"
#include "adkcd/strv.h"
#include "adkcd/values.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A printable rendering of s for failure messages: control and non-ASCII
 * bytes become \xNN, and long strings are cut.  Uses one of a few static
 * buffers, so up to four results can be used in one printf.
 */
static inline const char *
h_esc(const char *s)
{
    static char bufs[4][160];
    static unsigned next;
    char *out = bufs[next++ % 4];
    size_t o = 0;

    if (s == NULL)
        return "(null)";
    for (; *s != '\0' && o + 8 < sizeof(bufs[0]); s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(out + o, sizeof(bufs[0]) - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (*s != '\0') {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* A fresh error record with a message that no library call would write, so
 * that a test can tell whether the call touched it. */
static inline void
h_err_init(struct adkcd_err *err)
{
    memset(err, 0, sizeof(*err));
    err->status = ADKCD_OK;
    snprintf(err->msg, sizeof(err->msg), "(untouched)");
}

/* Fail unless hay contains needle. */
static inline void
h_assert_contains(const char *what, const char *hay, const char *needle)
{
    if (hay == NULL || strstr(hay, needle) == NULL)
        fail_msg("%s: expected \"%s\" in \"%s\"", what, h_esc(needle),
                 h_esc(hay));
}

/*
 * Check a failure: the status returned and recorded, a non-empty message,
 * and (when not NULL) each of the phrases in it.
 */
static inline void
h_assert_failed(const char *what, adkcd_status got, adkcd_status want,
                const struct adkcd_err *err, const char *phrase1,
                const char *phrase2)
{
    if (got != want)
        fail_msg("%s: status %s, expected %s (message: %s)", what,
                 adkcd_status_str(got), adkcd_status_str(want),
                 h_esc(err->msg));
    if (err->status != want)
        fail_msg("%s: err->status %s, expected %s", what,
                 adkcd_status_str(err->status), adkcd_status_str(want));
    if (err->msg[0] == '\0' || strcmp(err->msg, "(untouched)") == 0)
        fail_msg("%s: no error message", what);
    if (phrase1 != NULL)
        h_assert_contains(what, err->msg, phrase1);
    if (phrase2 != NULL)
        h_assert_contains(what, err->msg, phrase2);
}

/* Fail unless got is ADKCD_OK. */
static inline void
h_assert_ok(const char *what, adkcd_status got, const struct adkcd_err *err)
{
    if (got != ADKCD_OK)
        fail_msg("%s: status %s, expected ok (message: %s)", what,
                 adkcd_status_str(got), h_esc(err->msg));
}

/*
 * Fail unless the strv got holds exactly the strings of want (a
 * NULL-terminated array), in order.  got == NULL is the empty vector.
 */
static inline void
h_assert_strv(const char *what, char *const *got, const char *const *want)
{
    size_t i, n_got = adkcd_strv_len(got), n_want = 0;

    while (want[n_want] != NULL)
        n_want++;
    for (i = 0; i < n_got && i < n_want; i++) {
        if (strcmp(got[i], want[i]) != 0)
            fail_msg("%s: element %zu is \"%s\", expected \"%s\"", what, i,
                     h_esc(got[i]), h_esc(want[i]));
    }
    if (n_got != n_want)
        fail_msg("%s: %zu elements, expected %zu (first extra: \"%s\")", what,
                 n_got, n_want,
                 h_esc(n_got > n_want ? got[n_want] : want[n_got]));
}

/* As h_assert_strv() for values (which must be text here). */
static inline void
h_assert_vals(const char *what, const struct adkcd_vals *got,
              const char *const *want)
{
    char **v = adkcd_vals_to_strv(got);

    if (v == NULL)
        fail_msg("%s: values are not text", what);
    h_assert_strv(what, v, want);
    adkcd_strv_free(v);
}

/* Fail unless got equals want, showing both (escaped) when they differ. */
static inline void
h_assert_text(const char *what, const char *got, const char *want)
{
    if (got == NULL || strcmp(got, want) != 0) {
        print_error("%s: text differs\n--- got:\n%s\n--- expected:\n%s\n---\n",
                    what, got != NULL ? got : "(null)", want);
        fail();
    }
}

#endif /* ADKCD_TEST_HARNESS_H */
