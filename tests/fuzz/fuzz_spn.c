/*
 * Fuzz target: SPN parsing, comparison, setspn -Q patterns and sPNMappings
 * (adkcd/spn.h), what adspn reads from argv, state files and the directory.
 *
 * Input: up to three strings cut at NUL bytes: A (an SPN, a pattern),
 * B (another SPN) and M (sPNMappings values, one a line).
 *
 * Properties:
 *   - adkcd_spn_parse() and adkcd_spn_check() agree; on success the parts
 *     put back together give the text, within the documented limits,
 *     printable ASCII without '@'; on failure the message is printable
 *     ASCII (it quotes the input escaped);
 *   - adkcd_spn_equal() is reflexive, symmetric and ignores ASCII case;
 *   - adkcd_spn_match(): every text matches itself and "*"; a pattern
 *     without '*' matches exactly the texts adkcd_spn_equal() to it;
 *   - adkcd_spn_equivalents() starts with the SPN itself, and
 *     adkcd_spn_equiv_values() gives the value for a non-SPN.
 */
#include <ctype.h>
#include <strings.h>

#include "adkcd/spn.h"
#include "adkcd/strv.h"

#include "fuzz.h"

static void
check_parsed(const char *text, const struct adkcd_spn *spn)
{
    char *back;
    size_t n;

    FUZZ_CHECK(strcmp(spn->text, text) == 0);
    FUZZ_CHECK(spn->svc_class[0] != '\0' && spn->host[0] != '\0');
    FUZZ_CHECK(strlen(text) <= ADKCD_SPN_MAX_LEN);
    FUZZ_CHECK(strlen(spn->svc_class) <= ADKCD_SPN_MAX_CLASS);
    FUZZ_CHECK(strlen(spn->host) <= ADKCD_SPN_MAX_HOST);
    FUZZ_CHECK(spn->port <= 65535);
    FUZZ_CHECK(fuzz_is_printable_ascii(text) && strchr(text, ' ') == NULL);
    FUZZ_CHECK(strchr(text, '@') == NULL);
    FUZZ_CHECK(spn->name == NULL || spn->name[0] != '\0');
    FUZZ_CHECK(strchr(spn->host, ':') == NULL &&
               strchr(spn->host, '/') == NULL);

    /* class "/" host, then the port or instance as written, then "/" name */
    n = strlen(spn->svc_class);
    FUZZ_CHECK(strncmp(text, spn->svc_class, n) == 0 && text[n] == '/');
    FUZZ_CHECK(strncmp(text + n + 1, spn->host, strlen(spn->host)) == 0);
    back = (char *)text + n + 1 + strlen(spn->host);
    if (*back == ':') {
        if (spn->port != 0) {
            char port[16];

            snprintf(port, sizeof(port), ":%u", spn->port);
            FUZZ_CHECK(strncmp(back, port, strlen(port)) == 0);
            back += strlen(port);
        } else {
            back++;
            FUZZ_CHECK(isalpha((unsigned char)*back));
            back += strcspn(back, "/");
        }
    }
    if (spn->name != NULL)
        FUZZ_CHECK(*back == '/' && strcmp(back + 1, spn->name) == 0);
    else
        FUZZ_CHECK(*back == '\0');
}

static char **
lines(const char *m)
{
    char **v = NULL;
    const char *nl;

    while (*m != '\0') {
        char *line;

        nl = strchr(m, '\n');
        line = strndup(m, nl != NULL ? (size_t)(nl - m) : strlen(m));
        FUZZ_ALLOC(line);
        FUZZ_CHECK(adkcd_strv_add(&v, line) == 0);
        free(line);
        if (nl == NULL)
            break;
        m = nl + 1;
    }
    return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct adkcd_spn_mappings *maps = NULL;
    struct adkcd_spn *spn = NULL;
    const char *part[3];
    char **values, **eq = NULL;
    char *s, *upper;
    struct adkcd_err err;
    adkcd_status st;
    size_t i;

    s = fuzz_strndup(data, size);
    fuzz_split(s, size, part, 3);
    adkcd_err_clear(&err);

    /* Parsing and validation */
    st = adkcd_spn_parse(part[0], &spn, &err);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_USAGE);
    FUZZ_CHECK((st == ADKCD_OK) == (spn != NULL));
    FUZZ_CHECK((adkcd_spn_check(part[0], NULL) == ADKCD_OK) ==
               (st == ADKCD_OK));
    if (st == ADKCD_OK)
        check_parsed(part[0], spn);
    else
        FUZZ_CHECK(fuzz_is_printable_ascii(err.msg));

    /* Comparison */
    upper = strdup(part[0]);
    FUZZ_ALLOC(upper);
    for (i = 0; upper[i] != '\0'; i++)
        upper[i] = (char)toupper((unsigned char)upper[i]);
    FUZZ_CHECK(adkcd_spn_equal(part[0], part[0]));
    FUZZ_CHECK(adkcd_spn_equal(part[0], upper));
    FUZZ_CHECK(adkcd_spn_equal(part[0], part[1]) ==
               adkcd_spn_equal(part[1], part[0]));

    /* Patterns (setspn -Q) */
    (void)adkcd_spn_pattern_check(part[0], NULL);
    FUZZ_CHECK(adkcd_spn_match(part[0], part[0]));
    FUZZ_CHECK(adkcd_spn_match(upper, part[0]));
    FUZZ_CHECK(adkcd_spn_match("*", part[0]));
    if (strchr(part[0], '*') == NULL)
        FUZZ_CHECK(adkcd_spn_match(part[0], part[1]) ==
                   adkcd_spn_equal(part[0], part[1]));
    else
        (void)adkcd_spn_match(part[0], part[1]);

    /* sPNMappings and the forms the KDC takes */
    values = lines(part[2]);
    st = adkcd_spn_mappings_parse(values, &maps, &err);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_INVALID);
    if (st == ADKCD_OK && spn != NULL) {
        st = adkcd_spn_equivalents(spn, maps, &eq, &err);
        FUZZ_CHECK(st == ADKCD_OK);
        FUZZ_CHECK(eq != NULL && strcmp(eq[0], part[0]) == 0);
        adkcd_strv_free(eq);
        eq = NULL;
    }
    st = adkcd_spn_equiv_values(maps, part[0], &eq, &err);
    FUZZ_CHECK(st == ADKCD_OK && eq != NULL);
    FUZZ_CHECK(strcmp(eq[0], part[0]) == 0);
    if (spn == NULL)
        FUZZ_CHECK(eq[1] == NULL);

    adkcd_strv_free(eq);
    adkcd_spn_mappings_free(maps);
    adkcd_strv_free(values);
    adkcd_spn_free(spn);
    free(upper);
    free(s);
    return 0;
}
