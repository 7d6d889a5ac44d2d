/* adkcd: attribute values as bytes with a length (pure). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/strv.h"
#include "adkcd/values.h"

/* ASCII case folding only: the C locale's, whatever the process's locale,
 * as AD compares SPNs. */
static int
fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int
adkcd_val_eq(const char *a, size_t alen, const char *b, size_t blen,
             enum adkcd_cmp cmp)
{
    size_t i;

    if (alen != blen)
        return 0;
    if (cmp == ADKCD_CMP_EXACT)
        return alen == 0 || memcmp(a, b, alen) == 0;
    for (i = 0; i < alen; i++) {
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
            return 0;
    }
    return 1;
}

long
adkcd_vals_find(const struct adkcd_vals *vs, const char *data, size_t len,
                enum adkcd_cmp cmp)
{
    size_t i;

    for (i = 0; vs != NULL && i < vs->n; i++) {
        if (adkcd_val_eq(vs->v[i].data, vs->v[i].len, data, len, cmp))
            return (long)i;
    }
    return -1;
}

int
adkcd_vals_add(struct adkcd_vals *vs, const char *data, size_t len)
{
    struct adkcd_val *v;
    char *copy = malloc(len + 1);

    if (copy == NULL)
        return -1;
    v = realloc(vs->v, (vs->n + 1) * sizeof(*v));
    if (v == NULL) {
        free(copy);
        return -1;
    }
    if (len > 0)
        memcpy(copy, data, len);
    copy[len] = '\0';
    vs->v = v;
    v[vs->n].len = len;
    v[vs->n].data = copy;
    vs->n++;
    return 0;
}

int
adkcd_vals_add_str(struct adkcd_vals *vs, const char *s)
{
    return adkcd_vals_add(vs, s, strlen(s));
}

int
adkcd_vals_dup(struct adkcd_vals *out, const struct adkcd_vals *in)
{
    size_t i;

    out->n = 0;
    out->v = NULL;
    for (i = 0; in != NULL && i < in->n; i++) {
        if (adkcd_vals_add(out, in->v[i].data, in->v[i].len) != 0) {
            adkcd_vals_clear(out);
            return -1;
        }
    }
    return 0;
}

int
adkcd_vals_from_strv(struct adkcd_vals *out, char *const *v)
{
    size_t i;

    out->n = 0;
    out->v = NULL;
    for (i = 0; v != NULL && v[i] != NULL; i++) {
        if (adkcd_vals_add_str(out, v[i]) != 0) {
            adkcd_vals_clear(out);
            return -1;
        }
    }
    return 0;
}

char **
adkcd_vals_to_strv(const struct adkcd_vals *vs)
{
    char **v = calloc(1, sizeof(char *));
    size_t i;

    for (i = 0; v != NULL && vs != NULL && i < vs->n; i++) {
        if (memchr(vs->v[i].data, '\0', vs->v[i].len) != NULL ||
            adkcd_strv_add(&v, vs->v[i].data) != 0) {
            adkcd_strv_free(v);
            return NULL;
        }
    }
    return v;
}

int
adkcd_vals_same(const struct adkcd_vals *a, const struct adkcd_vals *b,
                enum adkcd_cmp cmp)
{
    size_t i;

    for (i = 0; a != NULL && i < a->n; i++) {
        if (adkcd_vals_find(b, a->v[i].data, a->v[i].len, cmp) < 0)
            return 0;
    }
    for (i = 0; b != NULL && i < b->n; i++) {
        if (adkcd_vals_find(a, b->v[i].data, b->v[i].len, cmp) < 0)
            return 0;
    }
    return 1;
}

char *
adkcd_ascii_lower(const char *s, size_t len)
{
    char *l = malloc(len + 1);
    size_t i;

    for (i = 0; l != NULL && i < len; i++)
        l[i] = (char)fold((unsigned char)s[i]);
    if (l != NULL)
        l[len] = '\0';
    return l;
}

void
adkcd_vals_clear(struct adkcd_vals *vs)
{
    size_t i;

    if (vs == NULL)
        return;
    for (i = 0; i < vs->n; i++)
        free(vs->v[i].data);
    free(vs->v);
    vs->v = NULL;
    vs->n = 0;
}
