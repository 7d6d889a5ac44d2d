/* adkcd: one directory object's attributes (pure). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/entry.h"

struct adkcd_entry *
adkcd_entry_new(const char *dn)
{
    struct adkcd_entry *e = calloc(1, sizeof(*e));

    if (e == NULL)
        return NULL;
    e->dn = strdup(dn);
    if (e->dn == NULL) {
        free(e);
        return NULL;
    }
    return e;
}

static struct adkcd_attr *
find(const struct adkcd_entry *e, const char *attr)
{
    size_t i;

    for (i = 0; e != NULL && i < e->n; i++) {
        if (strcasecmp(e->attrs[i].name, attr) == 0)
            return &e->attrs[i];
    }
    return NULL;
}

static struct adkcd_attr *
get(struct adkcd_entry *e, const char *attr)
{
    struct adkcd_attr *a = find(e, attr), *v;

    if (a != NULL)
        return a;
    v = realloc(e->attrs, (e->n + 1) * sizeof(*v));
    if (v == NULL)
        return NULL;
    e->attrs = v;
    a = &v[e->n];
    memset(a, 0, sizeof(*a));
    a->name = strdup(attr);
    if (a->name == NULL)
        return NULL;
    e->n++;
    return a;
}

int
adkcd_entry_touch(struct adkcd_entry *e, const char *attr)
{
    return get(e, attr) != NULL ? 0 : -1;
}

int
adkcd_entry_add(struct adkcd_entry *e, const char *attr, const char *data,
                size_t len)
{
    struct adkcd_attr *a = get(e, attr);

    return a != NULL ? adkcd_vals_add(&a->vals, data, len) : -1;
}

const struct adkcd_vals *
adkcd_entry_vals(const struct adkcd_entry *e, const char *attr)
{
    static const struct adkcd_vals none = {0, NULL};
    const struct adkcd_attr *a = find(e, attr);

    return a != NULL ? &a->vals : &none;
}

const char *
adkcd_entry_str(const struct adkcd_entry *e, const char *attr)
{
    const struct adkcd_vals *v = adkcd_entry_vals(e, attr);

    return v->n > 0 ? v->v[0].data : NULL;
}

struct adkcd_entry *
adkcd_entry_dup(const struct adkcd_entry *e)
{
    struct adkcd_entry *d = adkcd_entry_new(e->dn);
    size_t i, k;

    for (i = 0; d != NULL && i < e->n; i++) {
        const struct adkcd_attr *a = &e->attrs[i];

        if (adkcd_entry_touch(d, a->name) != 0) {
            adkcd_entry_free(d);
            return NULL;
        }
        for (k = 0; k < a->vals.n; k++) {
            if (adkcd_entry_add(d, a->name, a->vals.v[k].data,
                                a->vals.v[k].len) != 0) {
                adkcd_entry_free(d);
                return NULL;
            }
        }
    }
    return d;
}

void
adkcd_entry_free(struct adkcd_entry *e)
{
    size_t i;

    if (e == NULL)
        return;
    for (i = 0; i < e->n; i++) {
        free(e->attrs[i].name);
        adkcd_vals_clear(&e->attrs[i].vals);
    }
    free(e->attrs);
    free(e->dn);
    free(e);
}
