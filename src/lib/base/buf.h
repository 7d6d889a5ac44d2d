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

/* The string (possibly ""), handed to the caller; NULL on ENOMEM. */
char *
buf_take(struct buf *b);

#endif /* ADKCD_BUF_H */
