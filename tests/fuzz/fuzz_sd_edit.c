/*
 * Fuzz target: the security-descriptor editor adkcd_sd_edit() (adkcd/sd.h,
 * src/lib/model/sd_edit.c), which rewrites a descriptor read from the
 * directory to allow or disallow principals (adkcd rbcd add/remove/set).
 *
 * Input: a flags byte (bit 0: exact; bit 1: no descriptor yet), a byte of
 * counts (bits 0-2: SIDs to add, bits 4-6: SIDs to remove), one byte per
 * SID choosing it from a pool (SIDs of the descriptor itself, a few fixed
 * ones, a non-canonical spelling and malformed ones), then the
 * descriptor's bytes.
 *
 * Properties:
 *   - the status is ADKCD_OK, ADKCD_E_USAGE, or ADKCD_E_INVALID exactly
 *     when the descriptor does not parse (never the editor's own
 *     "internal error": an edit's output always parses again);
 *   - with empty lists and without exact the edit succeeds, is unchanged,
 *     and gives the same bytes back (or absent for absent);
 *   - an edit that does not change gives the bytes it was given;
 *   - on success the descriptor written parses, renders as SDDL, allows
 *     every SID added, allows no SID removed, allows only the SIDs added
 *     when exact, and keeps the owner, the group and the control flags;
 *   - the same edit of its own output changes nothing (idempotence).
 */
#include "adkcd/sd.h"
#include "adkcd/strv.h"

#include "fuzz.h"

static const char *const fixed_sids[] = {
    "S-1-5-21-1-2-3-1105",
    "S-1-5-21-1-2-3-1106",
    "S-1-5-21-1-2-3-1107",
    "S-1-1-0",
    "S-1-5-11",
    "S-1-5-32-544",
    "s-1-5-021-1-2-3-1105", /* S-1-5-21-1-2-3-1105, not canonical */
    "S-1-5-21-1-2-3",
    "S-1-x",
    "",
};
#define N_FIXED (sizeof(fixed_sids) / sizeof(fixed_sids[0]))

/* The SID as the parser writes it, or NULL when it is none. */
static char *
canonical(const char *text)
{
    struct adkcd_val bin;
    char *out = NULL;

    if (adkcd_sid_from_string(text, &bin, NULL) != ADKCD_OK)
        return NULL;
    if (adkcd_sid_to_string((const unsigned char *)bin.data, bin.len, NULL,
                            &out, NULL) != ADKCD_OK)
        out = NULL;
    free(bin.data);
    return out;
}

static int
in_list(char *const *list, const char *sid)
{
    size_t i;

    for (i = 0; list != NULL && list[i] != NULL; i++) {
        char *c = canonical(list[i]);
        int same = c != NULL && strcmp(c, sid) == 0;

        free(c);
        if (same)
            return 1;
    }
    return 0;
}

static void
check_output(const struct adkcd_sd *old, int had, const struct adkcd_val *v,
             const struct adkcd_sd_edit *e, int changed)
{
    struct adkcd_sd sd;
    char **allowed = NULL;
    char *sddl = NULL, *c;
    size_t i;

    FUZZ_CHECK(adkcd_sd_parse((const unsigned char *)v->data, v->len, &sd,
                              NULL) == ADKCD_OK);
    FUZZ_CHECK(adkcd_sd_to_sddl((const unsigned char *)v->data, v->len, &sddl,
                                NULL) == ADKCD_OK);
    FUZZ_CHECK(fuzz_is_printable_ascii(sddl));
    free(sddl);
    FUZZ_CHECK(sd.has_dacl || !changed);
    for (i = 0; e->add != NULL && e->add[i] != NULL; i++) {
        c = canonical(e->add[i]);
        FUZZ_CHECK(c != NULL);
        FUZZ_CHECK(adkcd_sd_check_sid(&sd, c, ADKCD_RIGHT_DS_CONTROL_ACCESS) ==
                   ADKCD_SD_ALLOWED);
        free(c);
    }
    for (i = 0; e->remove != NULL && e->remove[i] != NULL; i++) {
        c = canonical(e->remove[i]);
        FUZZ_CHECK(c != NULL);
        FUZZ_CHECK(adkcd_sd_check_sid(&sd, c, ADKCD_RIGHT_DS_CONTROL_ACCESS) ==
                   ADKCD_SD_DENIED);
        free(c);
    }
    if (e->exact) {
        FUZZ_CHECK(adkcd_sd_allowed_sids(&sd, &allowed, NULL) == ADKCD_OK);
        for (i = 0; allowed[i] != NULL; i++)
            FUZZ_CHECK(in_list(e->add, allowed[i]));
        adkcd_strv_free(allowed);
    }
    if (had) {
        FUZZ_CHECK((old->owner == NULL) == (sd.owner == NULL));
        FUZZ_CHECK(old->owner == NULL || strcmp(old->owner, sd.owner) == 0);
        FUZZ_CHECK((old->group == NULL) == (sd.group == NULL));
        FUZZ_CHECK(old->group == NULL || strcmp(old->group, sd.group) == 0);
        FUZZ_CHECK(old->sbz1 == sd.sbz1);
        /* SE_DACL_PRESENT is set when a descriptor without a DACL gets
         * one (exact); every other bit stays. */
        FUZZ_CHECK((old->control | 0x0004u) == (sd.control | 0x0004u));
    } else {
        FUZZ_CHECK(sd.owner != NULL &&
                   strcmp(sd.owner, ADKCD_SID_BUILTIN_ADMINS) == 0);
    }
    adkcd_sd_clear(&sd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct adkcd_sd_edit_result res, again;
    struct adkcd_sd_edit e = {NULL, NULL, 0};
    const char *pool[N_FIXED + 64];
    char **add = NULL, **rem = NULL;
    struct adkcd_val cur, *pcur;
    struct adkcd_sd sd;
    struct adkcd_err err;
    adkcd_status st, parsed;
    size_t n_add, n_rem, n_pool = 0, i;
    unsigned flags;

    if (size < 2)
        return 0;
    flags = data[0];
    n_add = data[1] & 7u;
    n_rem = data[1] >> 4 & 7u;
    if (size < 2 + n_add + n_rem)
        return 0;
    cur.len = size - 2 - n_add - n_rem;
    cur.data = (char *)fuzz_strndup(data + 2 + n_add + n_rem, cur.len);
    pcur = (flags & 2u) ? NULL : &cur;

    /* The pool: the descriptor's own SIDs first, then the fixed ones. */
    parsed =
        adkcd_sd_parse((const unsigned char *)cur.data, cur.len, &sd, NULL);
    if (parsed == ADKCD_OK) {
        if (sd.owner != NULL)
            pool[n_pool++] = sd.owner;
        for (i = 0; i < sd.n && n_pool < 64; i++)
            if (sd.aces[i].sid != NULL)
                pool[n_pool++] = sd.aces[i].sid;
    }
    for (i = 0; i < N_FIXED; i++)
        pool[n_pool++] = fixed_sids[i];
    for (i = 0; i < n_add; i++)
        FUZZ_CHECK(adkcd_strv_add(&add, pool[data[2 + i] % n_pool]) == 0);
    for (i = 0; i < n_rem; i++)
        FUZZ_CHECK(adkcd_strv_add(&rem, pool[data[2 + n_add + i] % n_pool]) ==
                   0);
    e.add = add;
    e.remove = rem;
    e.exact = (int)(flags & 1u);

    adkcd_err_clear(&err);
    st = adkcd_sd_edit(pcur, &e, &res, &err);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_USAGE || st == ADKCD_E_INVALID);
    FUZZ_CHECK((st == ADKCD_E_INVALID) == (pcur != NULL && parsed != ADKCD_OK));
    if (add == NULL && rem == NULL && !e.exact && st != ADKCD_E_INVALID) {
        FUZZ_CHECK(st == ADKCD_OK);
        FUZZ_CHECK(!res.changed);
    }
    if (st == ADKCD_OK && !res.changed) {
        FUZZ_CHECK(res.present == (pcur != NULL));
        FUZZ_CHECK(!res.present ||
                   (res.value.len == cur.len &&
                    memcmp(res.value.data, cur.data, cur.len) == 0));
    }
    if (st == ADKCD_OK && add != NULL)
        FUZZ_CHECK(res.present);
    if (st == ADKCD_OK && res.present) {
        check_output(&sd, pcur != NULL, &res.value, &e, res.changed);
        /* The same edit again: nothing left to do. */
        FUZZ_CHECK(adkcd_sd_edit(&res.value, &e, &again, &err) == ADKCD_OK);
        FUZZ_CHECK(!again.changed);
        adkcd_sd_edit_result_clear(&again);
    }
    if (st == ADKCD_OK && !res.present) {
        FUZZ_CHECK(adkcd_sd_edit(NULL, &e, &again, &err) == ADKCD_OK);
        FUZZ_CHECK(!again.changed && !again.present);
        adkcd_sd_edit_result_clear(&again);
    }
    adkcd_sd_edit_result_clear(&res);
    adkcd_sd_clear(&sd);
    adkcd_strv_free(add);
    adkcd_strv_free(rem);
    free(cur.data);
    return 0;
}
