/*
 * Fuzz target: the desired-state file, adkcd_statefile_parse() and
 * adkcd_statefile_write() (adkcd/statefile.h, with libyaml): the file
 * adkcd apply reads, which a spreadsheet or another tool may have made.
 *
 * Input: the file's bytes (NUL bytes included: the parser takes a length).
 *
 * Properties:
 *   - the status is ADKCD_OK (a state file, no errors), ADKCD_E_USAGE (no
 *     state file; at least one error, each with a message, at most
 *     ADKCD_SF_MAX_ERRORS recorded) or ADKCD_E_NOMEM;
 *   - a file that parses can be written with adkcd_statefile_write(), the
 *     text written parses again, and writing that gives the same text
 *     (what the writer emits is a fixed point of parse and write).
 */
#include "adkcd/statefile.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct adkcd_statefile *sf = NULL, *sf2 = NULL;
    struct adkcd_sf_errors *errs = NULL;
    char *text = NULL, *text2 = NULL;
    struct adkcd_err err;
    adkcd_status st;
    size_t i;

    adkcd_err_clear(&err);
    st = adkcd_statefile_parse((const char *)data, size, &sf, &errs, &err);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_USAGE || st == ADKCD_E_NOMEM);
    if (st != ADKCD_OK) {
        FUZZ_CHECK(sf == NULL);
        if (st == ADKCD_E_USAGE) {
            FUZZ_CHECK(errs != NULL && errs->n > 0);
            FUZZ_CHECK(errs->n <= ADKCD_SF_MAX_ERRORS);
            for (i = 0; i < errs->n; i++)
                FUZZ_CHECK(errs->v[i].msg != NULL && errs->v[i].msg[0]);
        }
        adkcd_sf_errors_free(errs);
        return 0;
    }
    FUZZ_CHECK(sf != NULL && errs == NULL);

    st = adkcd_statefile_write(sf, &text, &err);
    FUZZ_CHECK(st == ADKCD_OK && text != NULL);
    st = adkcd_statefile_parse(text, strlen(text), &sf2, &errs, &err);
    if (st != ADKCD_OK)
        fprintf(stderr, "written:\n%s\nparsed again: %s\n", text, err.msg);
    FUZZ_CHECK(st == ADKCD_OK);
    FUZZ_CHECK(sf2->n_accounts == sf->n_accounts);
    FUZZ_CHECK(adkcd_statefile_write(sf2, &text2, &err) == ADKCD_OK);
    if (strcmp(text, text2) != 0)
        fprintf(stderr, "first:\n%s\nsecond:\n%s\n", text, text2);
    FUZZ_CHECK(strcmp(text, text2) == 0);

    free(text);
    free(text2);
    adkcd_statefile_free(sf);
    adkcd_statefile_free(sf2);
    return 0;
}
