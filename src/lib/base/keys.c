/* adkcd: a sorted index of text keys (pure). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/keys.h"
#include "adkcd/values.h"

int
adkcd_keys_add(struct adkcd_keys *k, const char *text, size_t len, size_t i)
{
    char *key;

    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 64;
        struct adkcd_key *v = realloc(k->v, cap * sizeof(*v));

        if (v == NULL)
            return -1;
        k->v = v;
        k->cap = cap;
    }
    key = k->nocase ? adkcd_ascii_lower(text, len) : strndup(text, len);
    if (key == NULL)
        return -1;
    k->v[k->n].key = key;
    k->v[k->n++].i = i;
    return 0;
}

static int
cmp_key(const void *a, const void *b)
{
    const struct adkcd_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

void
adkcd_keys_sort(struct adkcd_keys *k)
{
    if (k->n > 1)
        qsort(k->v, k->n, sizeof(*k->v), cmp_key);
}

/* text against a key: as the keys were made. */
static int
cmp_text(const struct adkcd_keys *k, const char *key, const char *text)
{
    if (!k->nocase)
        return strcmp(key, text);
    for (;; key++, text++) {
        int a = (unsigned char)*key;
        int b = (unsigned char)*text;

        if (b >= 'A' && b <= 'Z')
            b += 'a' - 'A';
        if (a != b || a == '\0')
            return a - b;
    }
}

size_t
adkcd_keys_first(const struct adkcd_keys *k, const char *text)
{
    size_t lo = 0, hi = k->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cmp_text(k, k->v[mid].key, text) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->n && cmp_text(k, k->v[lo].key, text) == 0 ? lo : k->n;
}

int
adkcd_keys_is(const struct adkcd_keys *k, size_t at, const char *text)
{
    return at < k->n && cmp_text(k, k->v[at].key, text) == 0;
}

void
adkcd_keys_clear(struct adkcd_keys *k)
{
    size_t i;

    for (i = 0; i < k->n; i++)
        free(k->v[i].key);
    free(k->v);
    k->v = NULL;
    k->n = k->cap = 0;
}
