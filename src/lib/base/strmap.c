/* adkcd: a hash table from strings to indexes (pure). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/strmap.h"

/* FNV-1a, folding ASCII case when the map does. */
static size_t
hash(const struct adkcd_strmap *m, const char *s)
{
    size_t h = (size_t)14695981039346656037ULL;

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (m->nocase && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + ('a' - 'A'));
        h ^= c;
        h *= (size_t)1099511628211ULL;
    }
    return h;
}

static int
same(const struct adkcd_strmap *m, const char *a, const char *b)
{
    return m->nocase ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t
slot(const struct adkcd_strmap *m, const char *key)
{
    size_t mask = m->cap - 1, i;

    for (i = hash(m, key) & mask; m->v[i].key != NULL; i = (i + 1) & mask) {
        if (same(m, m->v[i].key, key))
            break;
    }
    return i;
}

int
adkcd_strmap_put(struct adkcd_strmap *m, const char *key, size_t i)
{
    size_t k, at;

    if (2 * (m->n + 1) > m->cap) {
        struct adkcd_strmap bigger = {NULL, m->cap ? 2 * m->cap : 64, 0,
                                      m->nocase};

        bigger.v = calloc(bigger.cap, sizeof(*bigger.v));
        if (bigger.v == NULL)
            return -1;
        for (k = 0; k < m->cap; k++) {
            if (m->v[k].key != NULL) {
                at = slot(&bigger, m->v[k].key);
                bigger.v[at] = m->v[k];
                bigger.n++;
            }
        }
        free(m->v);
        *m = bigger;
    }
    at = slot(m, key);
    if (m->v[at].key == NULL)
        m->n++;
    m->v[at].key = key;
    m->v[at].i = i;
    return 0;
}

long
adkcd_strmap_get(const struct adkcd_strmap *m, const char *key)
{
    size_t at;

    if (m->cap == 0)
        return -1;
    at = slot(m, key);
    return m->v[at].key != NULL ? (long)m->v[at].i : -1;
}

void
adkcd_strmap_clear(struct adkcd_strmap *m)
{
    free(m->v);
    m->v = NULL;
    m->cap = m->n = 0;
}
