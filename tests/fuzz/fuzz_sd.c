/*
 * Fuzz target: the security-descriptor decoder adkcd_sd_parse(), the
 * access check built on it (adkcd_sd_allowed(), adkcd_sd_check_sid()) and
 * the SDDL renderer adkcd_sd_to_sddl() (adkcd/sd.h): the value of
 * msDS-AllowedToActOnBehalfOfOtherIdentity, which whoever may write the
 * object chooses.
 *
 * Input: the descriptor's bytes.
 *
 * Properties:
 *   - parsing never reads outside the buffer (libFuzzer's buffer is
 *     exactly the input: ASan); the status is ADKCD_OK or ADKCD_E_INVALID
 *     and a failure leaves the descriptor empty;
 *   - every offset and length it reports lies inside the buffer;
 *   - each SID adkcd_sd_allowed() lists is one adkcd_sd_check_sid() does
 *     not deny (conditional exactly when it says so), and each SID of the
 *     DACL it does not list is one adkcd_sd_check_sid() denies;
 *   - adkcd_sd_to_sddl() succeeds exactly when adkcd_sd_parse() does, and
 *     its text is printable ASCII.
 */
#include "adkcd/sd.h"
#include "adkcd/strv.h"

#include "fuzz.h"

static void
check_inside(const struct adkcd_sd *sd, size_t len)
{
    size_t i;

    FUZZ_CHECK(sd->owner_off + sd->owner_len <= len);
    FUZZ_CHECK(sd->group_off + sd->group_len <= len);
    FUZZ_CHECK(sd->sacl_off + sd->sacl_len <= len);
    FUZZ_CHECK(sd->dacl_off + sd->dacl_len <= len);
    FUZZ_CHECK((sd->owner != NULL) == (sd->owner_len > 0));
    FUZZ_CHECK((sd->group != NULL) == (sd->group_len > 0));
    FUZZ_CHECK(sd->n == 0 || sd->has_dacl);
    for (i = 0; i < sd->n; i++) {
        const struct adkcd_sd_ace *a = &sd->aces[i];

        FUZZ_CHECK(a->off >= sd->dacl_off &&
                   a->off + a->size <= sd->dacl_off + sd->dacl_len);
        FUZZ_CHECK(a->app_len == 0 ||
                   (a->app_off >= a->off &&
                    a->app_off + a->app_len <= a->off + a->size));
        if (a->sid != NULL)
            (void)adkcd_sid_well_known(a->sid);
    }
}

static void
check_access(const struct adkcd_sd *sd)
{
    struct adkcd_sd_access acc;
    enum adkcd_sd_verdict v;
    char **sids = NULL;
    size_t i, j;

    FUZZ_CHECK(adkcd_sd_allowed(sd, ADKCD_RIGHT_DS_CONTROL_ACCESS, &acc,
                                NULL) == ADKCD_OK);
    if (!sd->has_dacl)
        FUZZ_CHECK(acc.n_grants == 1 &&
                   strcmp(acc.grants[0].sid, "S-1-1-0") == 0);
    for (i = 0; sd->has_dacl && i < acc.n_grants; i++) {
        v = adkcd_sd_check_sid(sd, acc.grants[i].sid,
                               ADKCD_RIGHT_DS_CONTROL_ACCESS);
        FUZZ_CHECK(v != ADKCD_SD_DENIED);
        FUZZ_CHECK((v == ADKCD_SD_CONDITIONAL) == !!acc.grants[i].conditional);
    }
    for (i = 0; sd->has_dacl && i < sd->n; i++) {
        int listed = 0;

        if (sd->aces[i].sid == NULL)
            continue;
        for (j = 0; j < acc.n_grants && !listed; j++)
            listed = strcmp(acc.grants[j].sid, sd->aces[i].sid) == 0;
        if (!listed)
            FUZZ_CHECK(adkcd_sd_check_sid(sd, sd->aces[i].sid,
                                          ADKCD_RIGHT_DS_CONTROL_ACCESS) ==
                       ADKCD_SD_DENIED);
        (void)adkcd_sd_ace_role(&sd->aces[i]);
    }
    FUZZ_CHECK(adkcd_sd_allowed_sids(sd, &sids, NULL) == ADKCD_OK);
    FUZZ_CHECK(adkcd_strv_len(sids) == acc.n_grants);
    adkcd_strv_free(sids);
    adkcd_sd_access_clear(&acc);
    /* Every right at once, as a reader asking about any access would. */
    FUZZ_CHECK(adkcd_sd_allowed(sd, 0xFFFFFFFFu, &acc, NULL) == ADKCD_OK);
    adkcd_sd_access_clear(&acc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct adkcd_err err;
    struct adkcd_sd sd;
    adkcd_status st, st2;
    char *sddl = NULL;

    adkcd_err_clear(&err);
    st = adkcd_sd_parse(data, size, &sd, &err);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_INVALID);
    if (st == ADKCD_OK) {
        check_inside(&sd, size);
        check_access(&sd);
    } else {
        FUZZ_CHECK(sd.owner == NULL && sd.group == NULL && sd.aces == NULL &&
                   sd.n == 0);
    }
    adkcd_sd_clear(&sd);

    st2 = adkcd_sd_to_sddl(data, size, &sddl, NULL);
    FUZZ_CHECK(st2 == st);
    FUZZ_CHECK((sddl != NULL) == (st2 == ADKCD_OK));
    if (sddl != NULL)
        FUZZ_CHECK(fuzz_is_printable_ascii(sddl));
    free(sddl);
    return 0;
}
