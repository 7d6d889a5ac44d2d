/* adkcd: what every directory implementation shares (dir.h). */
#include <stdlib.h>
#include <string.h>

#include "adkcd/dir.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

void
adkcd_dir_free(struct adkcd_dir *dir)
{
    if (dir == NULL)
        return;
    if (dir->ops->free != NULL)
        dir->ops->free(dir->ctx);
    free(dir);
}

void
adkcd_dir_answer_clear(struct adkcd_dir_answer *a)
{
    free(a->diag);
    adkcd_entry_free(a->entry);
    memset(a, 0, sizeof(*a));
}

adkcd_status
adkcd_dir_read_many(struct adkcd_dir *dir, char *const *dns, size_t n,
                    char *const *attrs, int window, int timeout_ms,
                    struct adkcd_entry **entries_out, struct adkcd_err *err)
{
    int *ids = calloc(n > 0 ? n : 1, sizeof(*ids));
    size_t sent = 0, got = 0, i;
    int inflight = 0;
    adkcd_status st = ids != NULL ? ADKCD_OK : NOMEM(err);

    if (window <= 0)
        window = 64;
    if (timeout_ms <= 0)
        timeout_ms = 60000;
    for (i = 0; i < n; i++)
        entries_out[i] = NULL;
    while (st == ADKCD_OK && got < n) {
        struct adkcd_dir_answer a;

        while (st == ADKCD_OK && sent < n && inflight < window) {
            st = dir->ops->submit_read(dir->ctx, dns[sent], attrs, &ids[sent],
                                       err);
            sent++;
            inflight++;
        }
        if (st != ADKCD_OK)
            break;
        st = dir->ops->next_answer(dir->ctx, timeout_ms, &a, err);
        if (st != ADKCD_OK)
            break;
        inflight--;
        got++;
        for (i = 0; i < sent && ids[i] != a.id; i++)
            ;
        if (i == sent)
            st = adkcd_err_set(err, ADKCD_E_DIRECTORY,
                               "an answer to a request that was not sent "
                               "(id %d)",
                               a.id);
        else if (a.rc != 0)
            st = adkcd_ldapx_error_rc(err, a.rc, a.diag, "reading %s", dns[i]);
        else {
            entries_out[i] = a.entry;
            a.entry = NULL;
        }
        adkcd_dir_answer_clear(&a);
    }
    if (st != ADKCD_OK) {
        for (i = 0; i < n; i++) {
            adkcd_entry_free(entries_out[i]);
            entries_out[i] = NULL;
        }
    }
    free(ids);
    return st;
}

adkcd_status
adkcd_dir_read(struct adkcd_dir *dir, const char *dn, char *const *attrs,
               int timeout_ms, struct adkcd_entry **entry_out,
               struct adkcd_err *err)
{
    char *dns[1] = {(char *)dn};

    return adkcd_dir_read_many(dir, dns, 1, attrs, 1, timeout_ms, entry_out,
                               err);
}
