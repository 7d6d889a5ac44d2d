/* adkcd internal: a growable string. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int
reserve(struct buf *b, size_t more)
{
    size_t cap;
    char *s;

    if (b->failed)
        return -1;
    if (b->len + more + 1 <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    s = realloc(b->s, cap);
    if (s == NULL) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void
buf_puts(struct buf *b, const char *s)
{
    size_t n = strlen(s);

    if (reserve(b, n) != 0)
        return;
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *
buf_take(struct buf *b)
{
    char *s;

    if (b->failed) {
        free(b->s);
        b->s = NULL;
        return NULL;
    }
    if (b->s == NULL)
        return strdup("");
    s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void
buf_put(struct buf *b, const void *data, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void
buf_free(struct buf *b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}
