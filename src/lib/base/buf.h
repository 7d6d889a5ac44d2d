/* adkcd internal: a growable string.  Errors are sticky: after a failed
 * allocation every call is a no-op and buf_take() returns NULL. */
#ifndef ADKCD_BUF_H
#define ADKCD_BUF_H

#include <stddef.h>

struct buf {
    char *s;
    size_t len, cap;
    int failed;
};

void
buf_puts(struct buf *b, const char *s);

void
buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* n bytes (which may hold NUL), followed by a NUL not counted in len. */
void
buf_put(struct buf *b, const void *data, size_t n);

/* Free what b holds and empty it. */
void
buf_free(struct buf *b);

/* The string (possibly ""), handed to the caller; NULL on ENOMEM. */
char *
buf_take(struct buf *b);

#endif /* ADKCD_BUF_H */
