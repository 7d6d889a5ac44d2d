/*
 * Fuzz target: SIDs between text and binary, adkcd_sid_from_string() and
 * adkcd_sid_to_string() (adkcd/sd.h): text from the command line and
 * state files, binary from objectSid and descriptors.
 *
 * Input: read twice, as binary (the SID at the start of the bytes) and as
 * text (up to the first NUL).
 *
 * Properties:
 *   - binary: adkcd_sid_to_string() reads only the bytes it reports
 *     (used <= len, 8 + 4 per sub-authority), gives "S-1-" and digits,
 *     dashes and (for authorities of 2^32 and more) "0x" and upper-case
 *     hexadecimal, and that text goes back to exactly those bytes;
 *   - text: what adkcd_sid_from_string() accepts is a binary SID that
 *     adkcd_sid_to_string() reads whole, and whose text goes back to the
 *     same bytes (the round trip is stable after one step); what it
 *     refuses gets ADKCD_E_USAGE.
 */
#include <ctype.h>

#include "adkcd/sd.h"

#include "fuzz.h"

static void
check_text(const char *t)
{
    const char *p;

    FUZZ_CHECK(strncmp(t, "S-1-", 4) == 0);
    p = t + 4;
    if (strncmp(p, "0x", 2) == 0) {
        for (p += 2; *p != '\0' && *p != '-'; p++)
            FUZZ_CHECK(isxdigit((unsigned char)*p) &&
                       !islower((unsigned char)*p));
    }
    for (; *p != '\0'; p++)
        FUZZ_CHECK(isdigit((unsigned char)*p) ||
                   (*p == '-' && isdigit((unsigned char)p[1])));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct adkcd_val bin = {0, NULL}, again = {0, NULL};
    char *text = NULL, *text2 = NULL, *s;
    size_t used = 0;
    adkcd_status st;

    /* Binary first. */
    st = adkcd_sid_to_string(data, size, &used, &text, NULL);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_INVALID);
    FUZZ_CHECK((st == ADKCD_OK) == (text != NULL));
    if (st == ADKCD_OK) {
        FUZZ_CHECK(used <= size && used >= 8 && used == 8u + 4u * data[1]);
        check_text(text);
        st = adkcd_sid_from_string(text, &bin, NULL);
        FUZZ_CHECK(st == ADKCD_OK);
        FUZZ_CHECK(bin.len == used && memcmp(bin.data, data, used) == 0);
        free(bin.data);
        bin.data = NULL;
    }
    free(text);
    text = NULL;

    /* Then text. */
    s = fuzz_strndup(data, size);
    st = adkcd_sid_from_string(s, &bin, NULL);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_USAGE);
    if (st == ADKCD_OK) {
        FUZZ_CHECK(bin.data != NULL && bin.len >= 8);
        st = adkcd_sid_to_string((const unsigned char *)bin.data, bin.len,
                                 &used, &text, NULL);
        FUZZ_CHECK(st == ADKCD_OK && used == bin.len);
        check_text(text);
        FUZZ_CHECK(adkcd_sid_from_string(text, &again, NULL) == ADKCD_OK);
        FUZZ_CHECK(again.len == bin.len &&
                   memcmp(again.data, bin.data, bin.len) == 0);
        FUZZ_CHECK(adkcd_sid_to_string((const unsigned char *)again.data,
                                       again.len, NULL, &text2,
                                       NULL) == ADKCD_OK);
        FUZZ_CHECK(strcmp(text, text2) == 0);
    } else {
        FUZZ_CHECK(bin.data == NULL && bin.len == 0);
    }
    free(bin.data);
    free(again.data);
    free(text);
    free(text2);
    free(s);
    return 0;
}
