/*
 * adkcd: NULL-terminated string vectors.
 *
 * A strv is a char ** ending with NULL; NULL itself is the empty vector.
 * Every string in it is owned by the vector.
 */
#ifndef ADKCD_STRV_H
#define ADKCD_STRV_H

#include <stddef.h>

/* Number of strings in v (0 for NULL). */
size_t
adkcd_strv_len(char *const *v);

/*
 * Append a copy of s to *v (which may be NULL).  On failure *v is left as it
 * was and the function returns -1; 0 on success.
 */
int
adkcd_strv_add(char ***v, const char *s) __attribute__((warn_unused_result));

/* A deep copy of v; NULL in, empty vector out (never NULL unless ENOMEM). */
char **
adkcd_strv_dup(char *const *v);

/* Free v and its strings; NULL is a no-op. */
void
adkcd_strv_free(char **v);

/* Index of the first string equal to s ignoring ASCII case, or -1. */
long
adkcd_strv_find_nocase(char *const *v, const char *s);

/* Sort v in place, ignoring ASCII case. */
void
adkcd_strv_sort_nocase(char **v);

#endif /* ADKCD_STRV_H */
