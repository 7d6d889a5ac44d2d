/*
 * Fuzz target: how the front ends render text that comes from outside
 * (DNs, SPNs, server messages, values): cli_json_text(), cli_json_strv()
 * and cli_json_vals() for JSON, cli_put_safe() and cli_printf() for text
 * (src/cli/common.h, src/cli/output.c).
 *
 * Input: any bytes; the text functions get them up to the first NUL (they
 * take C strings), cli_json_vals() gets them all.
 *
 * Properties:
 *   - cli_json_text() gives a JSON string (never null, which would drop
 *     the key) whose document is valid UTF-8 and parses again; text that
 *     is UTF-8 comes out unchanged;
 *   - cli_json_vals() gives, for each value, either the same bytes as a
 *     string or {"base64": ...} that decodes to the same bytes;
 *   - cli_put_safe() writes valid UTF-8 with no control character: no C0
 *     byte, no DEL, no C1 control (U+0080..U+009F), and no byte that is not
 *     UTF-8 (a lone 0x9B is CSI to an 8-bit terminal): all shown as \xNN;
 *   - cli_printf() writes the format's own text as it is and each value
 *     escaped whole as cli_put_safe() escapes it, after its width and
 *     precision: a value cannot add a line (or a tab);
 *   - cli_text_width() is at most four columns a byte.
 */
#include <sasl/sasl.h>
#include <sasl/saslutil.h>

#include "common.h"

#include "fuzz.h"

/* The text written by cli_put_safe() or cli_printf() (keep: the control
 * bytes the contract lets through, "\n\t" or ""). */
static void
check_safe(const char *out, size_t n, const char *keep)
{
    const unsigned char *p = (const unsigned char *)out;
    uint32_t cp;
    size_t len;

    while (n > 0) {
        len = fuzz_utf8(p, n, &cp);
        FUZZ_CHECK(len != 0); /* every byte that is not UTF-8 is escaped */
        if (cp < 0x20) {
            FUZZ_CHECK(cp != 0 && strchr(keep, (int)cp) != NULL);
        } else {
            FUZZ_CHECK(cp != 0x7f && (cp < 0x80 || cp > 0x9f));
        }
        p += len;
        n -= len;
    }
}

static void
check_json_text(const char *s)
{
    json_t *j = cli_json_text(s), *back;
    json_error_t jerr;
    const char *v;
    char *doc;

    FUZZ_CHECK(j != NULL && json_is_string(j));
    v = json_string_value(j);
    FUZZ_CHECK(json_string_length(j) == strlen(v));
    FUZZ_CHECK(fuzz_is_utf8(v, strlen(v)));
    if (fuzz_is_utf8(s, strlen(s)))
        FUZZ_CHECK(strcmp(v, s) == 0);
    doc = json_dumps(j, JSON_ENCODE_ANY | JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    FUZZ_CHECK(doc != NULL && fuzz_is_utf8(doc, strlen(doc)));
    back = json_loads(doc, JSON_DECODE_ANY, &jerr);
    FUZZ_CHECK(back != NULL && json_equal(back, j));
    json_decref(back);
    free(doc);
    json_decref(j);
}

static void
check_json_vals(const char *data, size_t size)
{
    struct adkcd_vals vs = {0, NULL};
    json_t *a, *x;
    char *doc;

    FUZZ_CHECK(adkcd_vals_add(&vs, data, size) == 0);
    FUZZ_CHECK(adkcd_vals_add(&vs, "", 0) == 0);
    a = cli_json_vals(&vs);
    FUZZ_CHECK(json_is_array(a) && json_array_size(a) == 2);
    x = json_array_get(a, 0);
    if (json_is_string(x)) {
        FUZZ_CHECK(json_string_length(x) == size &&
                   memcmp(json_string_value(x), data, size) == 0);
    } else {
        const char *b64 = json_string_value(json_object_get(x, "base64"));
        unsigned cap = (unsigned)size + 8, got = 0;
        char *raw = malloc(cap);

        FUZZ_ALLOC(raw);
        FUZZ_CHECK(b64 != NULL);
        FUZZ_CHECK(sasl_decode64(b64, (unsigned)strlen(b64), raw, cap, &got) ==
                   SASL_OK);
        FUZZ_CHECK(got == size && memcmp(raw, data, size) == 0);
        free(raw);
    }
    x = json_array_get(a, 1);
    FUZZ_CHECK(json_is_string(x) && json_string_length(x) == 0);
    doc = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    FUZZ_CHECK(doc != NULL && fuzz_is_utf8(doc, strlen(doc)));
    free(doc);
    json_decref(a);
    adkcd_vals_clear(&vs);
}

/* What cli_put_safe() writes for s (free()). */
static char *
safe_text(const char *s)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);

    FUZZ_ALLOC(f);
    cli_put_safe(f, s);
    FUZZ_CHECK(fclose(f) == 0);
    return out;
}

static void
check_printf(const char *s)
{
    char *out = NULL, *want = NULL, *safe = safe_text(s), *cut = NULL, *safe2;
    size_t n = 0;
    FILE *f;

    /* A value in a line: the line, the value escaped whole. */
    f = open_memstream(&out, &n);
    FUZZ_ALLOC(f);
    cli_printf(f, "dn: %s (%s)\n", s, s);
    FUZZ_CHECK(fclose(f) == 0);
    check_safe(out, n, "\n");
    FUZZ_CHECK(asprintf(&want, "dn: %s (%s)\n", safe, safe) >= 0);
    FUZZ_CHECK(strcmp(out, want) == 0);
    free(out);
    free(want);

    /* Width and precision apply to the value, then it is escaped. */
    out = NULL;
    f = open_memstream(&out, &n);
    FUZZ_ALLOC(f);
    cli_printf(f, "\t[%8.3s|%-*.*s|%zu]", s, 5, 7, s, strlen(s));
    FUZZ_CHECK(fclose(f) == 0);
    FUZZ_CHECK(asprintf(&cut, "%8.3s|%-*.*s|%zu", s, 5, 7, s, strlen(s)) >= 0);
    safe2 = safe_text(cut);
    FUZZ_CHECK(out[0] == '\t');
    check_safe(out + 1, n - 1, "");
    FUZZ_CHECK(strncmp(out + 1, "[", 1) == 0 &&
               strncmp(out + 2, safe2, strlen(safe2)) == 0 &&
               strcmp(out + 2 + strlen(safe2), "]") == 0);
    free(out);
    free(cut);
    free(safe2);
    free(safe);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size), *out = NULL;
    char *strv[2] = {s, NULL};
    size_t n = 0;
    json_t *a;
    FILE *f;

    check_json_text(s);
    a = cli_json_strv(strv);
    FUZZ_CHECK(json_is_array(a) && json_array_size(a) == 1 &&
               json_is_string(json_array_get(a, 0)));
    json_decref(a);
    check_json_vals((const char *)data, size);

    f = open_memstream(&out, &n);
    FUZZ_ALLOC(f);
    cli_put_safe(f, s);
    FUZZ_CHECK(fclose(f) == 0);
    check_safe(out, n, "");
    free(out);

    check_printf(s);

    FUZZ_CHECK(cli_text_width(s) <= 4 * strlen(s));
    free(s);
    return 0;
}
