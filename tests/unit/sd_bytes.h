/*
 * adkcd unit tests: building security descriptors byte by byte, or from
 * hex (the bytes Samba's NDR code packs), for the tests of the parser
 * (test_sd.c), the SDDL renderer (test_sddl.c) and the editor
 * (test_sd_edit.c).  Everything is
 * "static inline", as in harness.h.
 */
#ifndef ADKCD_TEST_SD_BYTES_H
#define ADKCD_TEST_SD_BYTES_H

#include "harness.h"

struct bytes {
    unsigned char b[512];
    size_t n;
};

static inline void
put8(struct bytes *x, unsigned v)
{
    assert_true(x->n < sizeof(x->b));
    x->b[x->n++] = (unsigned char)v;
}

static inline void
put16(struct bytes *x, unsigned v)
{
    put8(x, v & 0xff);
    put8(x, v >> 8 & 0xff);
}

static inline void
put32(struct bytes *x, unsigned long v)
{
    put16(x, (unsigned)(v & 0xffff));
    put16(x, (unsigned)(v >> 16 & 0xffff));
}

static inline void
set16(struct bytes *x, size_t at, unsigned v)
{
    x->b[at] = (unsigned char)(v & 0xff);
    x->b[at + 1] = (unsigned char)(v >> 8 & 0xff);
}

static inline void
set32(struct bytes *x, size_t at, unsigned long v)
{
    set16(x, at, (unsigned)(v & 0xffff));
    set16(x, at + 2, (unsigned)(v >> 16 & 0xffff));
}

/* A binary SID: authority, then the sub-authorities (ending with ~0UL). */
static inline void
put_sid(struct bytes *x, unsigned long long auth, const unsigned long *subs)
{
    size_t n = 0, i;

    while (subs[n] != ~0UL)
        n++;
    put8(x, 1);
    put8(x, (unsigned)n);
    for (i = 0; i < 6; i++)
        put8(x, (unsigned)(auth >> (8 * (5 - i)) & 0xff));
    for (i = 0; i < n; i++)
        put32(x, subs[i]);
}

/* x becomes the bytes of hex (two digits a byte). */
static inline void
from_hex(struct bytes *x, const char *hex)
{
    size_t i, n = strlen(hex);

    memset(x, 0, sizeof(*x));
    assert_int_equal(n % 2, 0);
    assert_true(n / 2 <= sizeof(x->b));
    for (i = 0; i < n; i += 2) {
        unsigned v;

        assert_int_equal(sscanf(hex + i, "%2x", &v), 1);
        x->b[x->n++] = (unsigned char)v;
    }
}

#endif /* ADKCD_TEST_SD_BYTES_H */
