/*
 * adkcd: a sorted index of text keys (pure).
 *
 * Many values (SPNs, services, DNs) are matched against many others: each
 * becomes a key, lower-cased where the values compare without regard to
 * case, with the index of what it stands for; sorted once, every lookup is
 * a binary search, so a list of a million values costs n log n, never a
 * pairwise comparison.  Keys that compare equal are adjacent, in the order
 * of their indexes.
 */
#ifndef ADKCD_KEYS_H
#define ADKCD_KEYS_H

#include <stddef.h>

struct adkcd_key {
    char *key; /* owned */
    size_t i;  /* the caller's index */
};

struct adkcd_keys {
    struct adkcd_key *v;
    size_t n, cap;
    int nocase; /* keys are lower-cased (ASCII) */
};

/* Add the len bytes at text (lower-cased when k->nocase) for index i.
 * 0, or -1 when out of memory (k unchanged). */
int
adkcd_keys_add(struct adkcd_keys *k, const char *text, size_t len, size_t i);

/* Sort by key, then index.  Call once, after the adds. */
void
adkcd_keys_sort(struct adkcd_keys *k);

/* The first entry whose key is text (compared as the keys are), or k->n;
 * the others with that key follow it (adkcd_keys_is()). */
size_t
adkcd_keys_first(const struct adkcd_keys *k, const char *text);

/* Non-zero when entry at exists and its key is text. */
int
adkcd_keys_is(const struct adkcd_keys *k, size_t at, const char *text);

/* Free the keys; k can be used again. */
void
adkcd_keys_clear(struct adkcd_keys *k);

#endif /* ADKCD_KEYS_H */
