/*
 * Fuzz target: the local check of an account name,
 * adkcd_account_check_name() (adkcd/account.h, src/lib/model/names.c):
 * NAME, NAME$, DOMAIN\NAME, a UPN, a DN, <GUID=...>, <SID=...>, as typed
 * on the command line, read from a state file or a pipe.
 *
 * Input: the name's bytes, NUL bytes included (len counts them all), in a
 * buffer with a NUL after them as callers hold names.
 *
 * Properties: the status is ADKCD_OK or ADKCD_E_USAGE; a name accepted
 * has no NUL within len, no C0, DEL or C1 (U+0080..U+009F in UTF-8)
 * control character, is at most 1024 bytes, and when it starts with '<'
 * is "<GUID=" a GUID ">" or "<SID=S-1-" an authority (decimal, or "0x" and
 * 12 hexadecimal digits) and at most 15 decimal sub-authorities ">"; the
 * same name gives the same answer twice.
 */
#include <ctype.h>
#include <strings.h>

#include "adkcd/account.h"

#include "fuzz.h"

static void
check_extended(const char *name, size_t len)
{
    size_t i, subs;

    FUZZ_CHECK(len >= 8 && name[len - 1] == '>');
    if (strncasecmp(name, "<GUID=", 6) == 0) {
        /* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */
        FUZZ_CHECK(len == 6 + 36 + 1);
        for (i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                FUZZ_CHECK(name[6 + i] == '-');
            else
                FUZZ_CHECK(isxdigit((unsigned char)name[6 + i]));
        }
        return;
    }
    /* S-1-AUTHORITY(-SUB){0,15}: the authority in decimal, or "0x" and 12
     * hexadecimal digits (MS-DTYP 2.4.2.1); sub-authorities in decimal. */
    FUZZ_CHECK(strncasecmp(name, "<SID=S-1-", 9) == 0);
    i = 9;
    if (name[i] == '0' && (name[i + 1] == 'x' || name[i + 1] == 'X')) {
        for (i += 2; i < 9 + 2 + 12; i++)
            FUZZ_CHECK(isxdigit((unsigned char)name[i]));
    } else {
        FUZZ_CHECK(isdigit((unsigned char)name[i]));
        while (isdigit((unsigned char)name[i]))
            i++;
    }
    for (subs = 0; i < len - 1; subs++) {
        FUZZ_CHECK(name[i] == '-' && isdigit((unsigned char)name[i + 1]));
        for (i++; isdigit((unsigned char)name[i]); i++)
            ;
    }
    FUZZ_CHECK(i == len - 1 && subs <= 15);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct adkcd_err err;
    adkcd_status st;
    char *name;
    size_t i;

    name = fuzz_strndup(data, size);
    adkcd_err_clear(&err);
    st = adkcd_account_check_name(name, size, &err);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_USAGE);
    FUZZ_CHECK(adkcd_account_check_name(name, size, NULL) == st);
    if (st == ADKCD_OK) {
        FUZZ_CHECK(size > 0 && size <= 1024);
        for (i = 0; i < size; i++) {
            unsigned char c = (unsigned char)name[i];

            FUZZ_CHECK(c >= 0x20 && c != 0x7f);
            if (c == 0xc2 && i + 1 < size)
                FUZZ_CHECK((unsigned char)name[i + 1] < 0x80 ||
                           (unsigned char)name[i + 1] > 0x9f);
        }
        if (name[0] == '<')
            check_extended(name, size);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
    }
    free(name);
    return 0;
}
