/*
 * adkcd fuzz targets (libFuzzer): what every target shares.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput() and checks the
 * properties its header promises with FUZZ_CHECK().  A property that does
 * not hold aborts, so that libFuzzer keeps the input as a crash exactly as
 * it keeps an AddressSanitizer or UndefinedBehaviorSanitizer report.
 * libFuzzer hands each input over in a heap buffer of exactly its size:
 * a read one byte past it is an ASan report.
 */
#ifndef ADKCD_FUZZ_H
#define ADKCD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: property does not hold: %s\n", __FILE__,   \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Out of memory is not a finding: give up on the input. */
#define FUZZ_ALLOC(p)                                                          \
    do {                                                                       \
        if ((p) == NULL)                                                       \
            abort();                                                           \
    } while (0)

/* A copy of the size bytes at data with a NUL after them (free()), as a
 * caller that read a file or argv holds them. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    FUZZ_ALLOC(s);
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/*
 * Cut s (a fuzz_strndup() copy of size bytes) at its NUL bytes into at
 * most n strings: parts[i] points into s, and parts after the last NUL are
 * "".  The fuzzer finds the separators by itself.
 */
static inline void
fuzz_split(char *s, size_t size, const char **parts, size_t n)
{
    size_t i, at = 0;

    for (i = 0; i < n; i++) {
        if (at <= size) {
            parts[i] = s + at;
            at += strlen(s + at) + 1;
        } else {
            parts[i] = "";
        }
    }
}

/*
 * The length of the well-formed UTF-8 sequence (RFC 3629: no overlong
 * form, no surrogate, nothing above U+10FFFF) of at most n bytes at s, or
 * 0 when s does not start one.  *cp_out (may be NULL) is its code point.
 * Written here again, not taken from the code under test.
 */
static inline size_t
fuzz_utf8(const unsigned char *s, size_t n, uint32_t *cp_out)
{
    uint32_t cp, min;
    size_t len, i;

    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        cp = s[0];
        len = 1;
        min = 0;
    } else if ((s[0] & 0xE0) == 0xC0) {
        cp = s[0] & 0x1Fu;
        len = 2;
        min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        cp = s[0] & 0x0Fu;
        len = 3;
        min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        cp = s[0] & 0x07u;
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp_out != NULL)
        *cp_out = cp;
    return len;
}

/* Non-zero when the n bytes at s are well-formed UTF-8. */
static inline int
fuzz_is_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len;

    while (n > 0) {
        len = fuzz_utf8(p, n, NULL);
        if (len == 0)
            return 0;
        p += len;
        n -= len;
    }
    return 1;
}

/* Non-zero when s is printable ASCII (0x20 to 0x7E) only. */
static inline int
fuzz_is_printable_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return 0;
    return 1;
}

#endif /* ADKCD_FUZZ_H */
