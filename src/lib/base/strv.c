/* adkcd: NULL-terminated string vectors. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/strv.h"

size_t
adkcd_strv_len(char *const *v)
{
    size_t n = 0;

    if (v == NULL)
        return 0;
    while (v[n] != NULL)
        n++;
    return n;
}

int
adkcd_strv_add(char ***v, const char *s)
{
    size_t n = adkcd_strv_len(*v);
    char **nv;
    char *copy;

    copy = strdup(s);
    if (copy == NULL)
        return -1;
    nv = realloc(*v, (n + 2) * sizeof(*nv));
    if (nv == NULL) {
        free(copy);
        return -1;
    }
    nv[n] = copy;
    nv[n + 1] = NULL;
    *v = nv;
    return 0;
}

char **
adkcd_strv_dup(char *const *v)
{
    size_t n = adkcd_strv_len(v);
    char **out;
    size_t i;

    out = calloc(n + 1, sizeof(*out));
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        out[i] = strdup(v[i]);
        if (out[i] == NULL) {
            adkcd_strv_free(out);
            return NULL;
        }
    }
    return out;
}

void
adkcd_strv_free(char **v)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; v[i] != NULL; i++)
        free(v[i]);
    free(v);
}

long
adkcd_strv_find_nocase(char *const *v, const char *s)
{
    long i;

    if (v == NULL)
        return -1;
    for (i = 0; v[i] != NULL; i++) {
        if (strcasecmp(v[i], s) == 0)
            return i;
    }
    return -1;
}

static int
cmp_nocase(const void *a, const void *b)
{
    const char *const *sa = a;
    const char *const *sb = b;
    int c = strcasecmp(*sa, *sb);

    /* Fall back to a case-sensitive order so the sort is total. */
    return c != 0 ? c : strcmp(*sa, *sb);
}

void
adkcd_strv_sort_nocase(char **v)
{
    if (v == NULL)
        return; /* qsort() must not be given NULL, even for 0 items */
    qsort(v, adkcd_strv_len(v), sizeof(*v), cmp_nocase);
}
