/*
 * adkcd: a hash table from strings to indexes (pure).
 *
 * Open addressing, at most half full.  The keys are borrowed: they must
 * stay where they are while the map is used (the strings of an array of
 * records, whose array may move but whose strings do not).
 */
#ifndef ADKCD_STRMAP_H
#define ADKCD_STRMAP_H

#include <stddef.h>

struct adkcd_strmap_slot {
    const char *key; /* NULL: empty */
    size_t i;
};

struct adkcd_strmap {
    struct adkcd_strmap_slot *v;
    size_t cap; /* a power of two, or 0 */
    size_t n;
    int nocase; /* keys compare without regard to ASCII case (DNs) */
};

/* Map key (borrowed) to i, replacing what it mapped to.  0, or -1 when
 * out of memory (the map is unchanged). */
int
adkcd_strmap_put(struct adkcd_strmap *m, const char *key, size_t i);

/* The index key maps to, or -1. */
long
adkcd_strmap_get(const struct adkcd_strmap *m, const char *key);

/* Free the table (not the keys); m can be used again. */
void
adkcd_strmap_clear(struct adkcd_strmap *m);

#endif /* ADKCD_STRMAP_H */
