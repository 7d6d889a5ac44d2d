/*
 * adkcd: attribute values as bytes with a length.
 *
 * LDAP values are octet strings: most of the attributes adkcd writes are
 * text (servicePrincipalName, msDS-AllowedToDelegateTo, userAccountControl),
 * but a security descriptor (msDS-AllowedToActOnBehalfOfOtherIdentity)
 * holds NUL bytes.  So the plan, the engine, the journal and rollback carry
 * every value as (data, len), never as a C string.  data is always followed
 * by a NUL byte that len does not count, so that text values can be read as
 * strings where they are known to be text.
 */
#ifndef ADKCD_VALUES_H
#define ADKCD_VALUES_H

#include <stddef.h>

/* One value: len bytes at data (plus a terminating NUL not counted). */
struct adkcd_val {
    size_t len;
    char *data;
};

/* A set of values of one attribute (n may be 0; v NULL when n is 0). */
struct adkcd_vals {
    size_t n;
    struct adkcd_val *v;
};

/* How values of an attribute compare. */
enum adkcd_cmp {
    ADKCD_CMP_EXACT = 0, /* byte for byte */
    ADKCD_CMP_NOCASE = 1 /* ASCII letters without regard to case (SPNs) */
};

/* Do a (alen bytes) and b (blen bytes) compare equal under cmp? */
int
adkcd_val_eq(const char *a, size_t alen, const char *b, size_t blen,
             enum adkcd_cmp cmp);

/* Index of the first value equal to (data, len) under cmp, or -1. */
long
adkcd_vals_find(const struct adkcd_vals *vs, const char *data, size_t len,
                enum adkcd_cmp cmp);

/* Append a copy of (data, len).  0, or -1 when out of memory (vs is left
 * as it was). */
int
adkcd_vals_add(struct adkcd_vals *vs, const char *data, size_t len);

/* Append a copy of the C string s. */
int
adkcd_vals_add_str(struct adkcd_vals *vs, const char *s);

/* *out becomes a copy of in (which may be NULL: empty).  0 or -1. */
int
adkcd_vals_dup(struct adkcd_vals *out, const struct adkcd_vals *in);

/* *out becomes the values of the strv v (NULL: empty).  0 or -1. */
int
adkcd_vals_from_strv(struct adkcd_vals *out, char *const *v);

/*
 * The values as a new strv (adkcd_strv_free()), for text attributes.  NULL
 * when out of memory or when a value holds a NUL byte (it is not text).
 * An empty set gives an empty vector, not NULL.
 */
char **
adkcd_vals_to_strv(const struct adkcd_vals *vs);

/* Same values under cmp, ignoring order (repeats count once). */
int
adkcd_vals_same(const struct adkcd_vals *a, const struct adkcd_vals *b,
                enum adkcd_cmp cmp);

/*
 * A copy of the len bytes at s with ASCII letters in lower case (the case
 * folding of adkcd_val_eq() NOCASE), for sorting and searching; NULL when
 * out of memory.  free().
 */
char *
adkcd_ascii_lower(const char *s, size_t len);

/* Free the values and empty vs.  NULL is a no-op. */
void
adkcd_vals_clear(struct adkcd_vals *vs);

#endif /* ADKCD_VALUES_H */
