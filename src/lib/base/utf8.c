/* adkcd: UTF-8 (utf8.h). */
#include <stdio.h>
#include <string.h>

#include "adkcd/utf8.h"

size_t
adkcd_utf8_len(const unsigned char *s, size_t avail)
{
    size_t n, k;
    unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */

    if (avail == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        if (s[0] == 0xE0)
            lo = 0xA0; /* no overlong form */
        if (s[0] == 0xED)
            hi = 0x9F; /* no surrogate */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        if (s[0] == 0xF0)
            lo = 0x90; /* no overlong form */
        if (s[0] == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else
        return 0;
    if (avail < n)
        return 0;
    for (k = 1; k < n; k++) {
        unsigned c = s[k];

        if (k == 1 ? (c < lo || c > hi) : (c & 0xC0) != 0x80)
            return 0;
    }
    return n;
}

size_t
adkcd_text_show(const unsigned char *s, char out[9])
{
    size_t len = adkcd_utf8_len(s, (size_t)-1);

    if (len == 0 || s[0] < 0x20 || s[0] == 0x7f) {
        snprintf(out, 9, "\\x%02x", s[0]);
        return 1;
    }
    if (s[0] == 0xc2 && s[1] <= 0x9f) {
        snprintf(out, 9, "\\x%02x\\x%02x", s[0], s[1]);
        return 2;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return len;
}
