/* A scripted in-memory directory behind dir.h (see fakedir.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/strv.h"
#include "fakedir.h"

#define MAX_FAIL 16

struct request {
    int id;
    int is_read;
    char *dn;
    struct adkcd_op *ops; /* copied */
    size_t n_ops;
    char **attrs;
    int answered_rc; /* decided when received */
    int lost;        /* never answered: the connection dropped */
    char *diag;
    struct adkcd_entry *entry;
};

struct fakedir {
    struct adkcd_entry **objs;
    size_t n_objs;
    struct request *q; /* received, not yet answered */
    size_t n_q;
    int next_id;
    int modifies, applied, reads, answers, max_inflight;
    struct {
        int nth, rc;
        const char *diag;
    } fail[MAX_FAIL];
    int n_fail;
    const char *int_dn, *int_attr;
    char int_value[64];
    int int_times;
    int drop_after, drop_applied, dropped;
    int timeout_after;
    int reorder;
    const char *after_dn, *after_attr, *after_value;
    char log[8192];
    void (*on_modify)(void *ctx, const char *dn, int inflight);
    void *on_modify_ctx;
};

static enum adkcd_cmp
cmp_of(const char *attr)
{
    return strcasecmp(attr, "servicePrincipalName") == 0 ||
                   strcasecmp(attr, "msDS-AllowedToDelegateTo") == 0
               ? ADKCD_CMP_NOCASE
               : ADKCD_CMP_EXACT;
}

static struct adkcd_entry *
obj(struct fakedir *fd, const char *dn, int create)
{
    size_t i;

    for (i = 0; i < fd->n_objs; i++) {
        if (strcasecmp(fd->objs[i]->dn, dn) == 0)
            return fd->objs[i];
    }
    if (!create)
        return NULL;
    fd->objs = realloc(fd->objs, (fd->n_objs + 1) * sizeof(*fd->objs));
    fd->objs[fd->n_objs] = adkcd_entry_new(dn);
    return fd->objs[fd->n_objs++];
}

void
fakedir_put(struct fakedir *fd, const char *dn, const char *attr,
            const char *value)
{
    adkcd_entry_add(obj(fd, dn, 1), attr, value, strlen(value));
}

static struct adkcd_attr *
attr_of(struct adkcd_entry *e, const char *attr)
{
    size_t i;

    for (i = 0; i < e->n; i++) {
        if (strcasecmp(e->attrs[i].name, attr) == 0)
            return &e->attrs[i];
    }
    adkcd_entry_touch(e, attr);
    return &e->attrs[e->n - 1];
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *
fakedir_get(struct fakedir *fd, const char *dn, const char *attr)
{
    static char out[4096];
    struct adkcd_entry *e = obj(fd, dn, 0);
    const struct adkcd_vals *v = e != NULL ? adkcd_entry_vals(e, attr) : NULL;
    char **s = adkcd_vals_to_strv(v);
    size_t i;

    out[0] = '\0';
    if (s == NULL)
        return out;
    qsort(s, adkcd_strv_len(s), sizeof(*s), cmp_str);
    for (i = 0; s[i] != NULL; i++) {
        if (i > 0)
            strncat(out, "|", sizeof(out) - strlen(out) - 1);
        strncat(out, s[i], sizeof(out) - strlen(out) - 1);
    }
    adkcd_strv_free(s);
    return out;
}

/* Apply ops to a copy of the object; 0 or the LDAP result code. */
static int
apply_ops(struct fakedir *fd, const char *dn, const struct adkcd_op *ops,
          size_t n)
{
    struct adkcd_entry *e = obj(fd, dn, 0), *copy;
    size_t i, k;

    if (e == NULL)
        return 32;
    copy = adkcd_entry_dup(e);
    for (i = 0; i < n; i++) {
        struct adkcd_attr *a = attr_of(copy, ops[i].attr);
        long at = adkcd_vals_find(&a->vals, ops[i].value.data, ops[i].value.len,
                                  cmp_of(ops[i].attr));

        if (ops[i].kind == ADKCD_OP_ADD) {
            if (at >= 0) {
                adkcd_entry_free(copy);
                return 20;
            }
            adkcd_vals_add(&a->vals, ops[i].value.data, ops[i].value.len);
        } else {
            if (at < 0) {
                adkcd_entry_free(copy);
                return 16;
            }
            free(a->vals.v[at].data);
            for (k = (size_t)at; k + 1 < a->vals.n; k++)
                a->vals.v[k] = a->vals.v[k + 1];
            a->vals.n--;
        }
    }
    for (i = 0; i < fd->n_objs; i++) {
        if (fd->objs[i] == e)
            fd->objs[i] = copy;
    }
    adkcd_entry_free(e);
    return 0;
}

static void
interfere(struct fakedir *fd)
{
    struct adkcd_entry *e = obj(fd, fd->int_dn, 0);
    struct adkcd_attr *a;
    char *end;
    long n;

    if (e == NULL)
        return;
    a = attr_of(e, fd->int_attr);
    adkcd_vals_clear(&a->vals);
    adkcd_vals_add_str(&a->vals, fd->int_value);
    /* The next interference writes a different value. */
    n = strtol(fd->int_value, &end, 10);
    if (*end == '\0')
        snprintf(fd->int_value, sizeof(fd->int_value), "%ld", n + 1);
    else
        strncat(fd->int_value, "1",
                sizeof(fd->int_value) - strlen(fd->int_value) - 1);
    fd->int_times--;
}

static int
receive(struct fakedir *fd, struct request *r)
{
    struct request *q;

    if (fd->dropped)
        return -1;
    q = realloc(fd->q, (fd->n_q + 1) * sizeof(*q));
    fd->q = q;
    r->id = ++fd->next_id;
    q[fd->n_q++] = *r;
    if ((int)fd->n_q > fd->max_inflight)
        fd->max_inflight = (int)fd->n_q;
    return r->id;
}

static adkcd_status
f_submit_modify(void *ctx, const char *dn, const struct adkcd_op *ops,
                size_t n_ops, int *id_out, struct adkcd_err *err)
{
    struct fakedir *fd = ctx;
    struct request r;
    size_t i;
    int k;

    if (fd->dropped)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "sending a modify: Can't contact LDAP server "
                             "(LDAP -1)");
    memset(&r, 0, sizeof(r));
    if (fd->on_modify != NULL)
        fd->on_modify(fd->on_modify_ctx, dn, (int)fd->n_q);
    fd->modifies++;
    if (fd->log[0] != '\0')
        strncat(fd->log, ",", sizeof(fd->log) - strlen(fd->log) - 1);
    strncat(fd->log, dn, sizeof(fd->log) - strlen(fd->log) - 1);
    r.dn = strdup(dn);
    r.ops = calloc(n_ops + 1, sizeof(*r.ops));
    r.n_ops = n_ops;
    for (i = 0; i < n_ops; i++) {
        r.ops[i].kind = ops[i].kind;
        r.ops[i].attr = strdup(ops[i].attr);
        r.ops[i].value.len = ops[i].value.len;
        r.ops[i].value.data = malloc(ops[i].value.len + 1);
        memcpy(r.ops[i].value.data, ops[i].value.data, ops[i].value.len + 1);
    }
    /* Decided on receipt, as a server processes requests in order. */
    r.answered_rc = -1;
    for (k = 0; k < fd->n_fail; k++) {
        if (fd->fail[k].nth == fd->modifies) {
            r.answered_rc = fd->fail[k].rc;
            if (fd->fail[k].diag != NULL)
                r.diag = strdup(fd->fail[k].diag);
        }
    }
    if (r.answered_rc < 0) {
        if (fd->int_times > 0 && strcasecmp(dn, fd->int_dn) == 0)
            interfere(fd);
        if (fd->drop_after > 0 && fd->modifies == fd->drop_after)
            r.lost = 1;
        if (r.lost && !fd->drop_applied)
            r.answered_rc = 81; /* not applied, never answered */
        else
            r.answered_rc = apply_ops(fd, dn, ops, n_ops);
        if (r.answered_rc == 0) {
            fd->applied++;
            if (fd->after_dn != NULL && strcasecmp(dn, fd->after_dn) == 0)
                fakedir_put(fd, dn, fd->after_attr, fd->after_value);
        }
    }
    *id_out = receive(fd, &r);
    if (fd->drop_after > 0 && fd->modifies >= fd->drop_after)
        fd->dropped = 1;
    return ADKCD_OK;
}

static adkcd_status
f_submit_read(void *ctx, const char *dn, char *const *attrs, int *id_out,
              struct adkcd_err *err)
{
    struct fakedir *fd = ctx;
    struct adkcd_entry *e = obj(fd, dn, 0);
    struct request r;
    size_t i, k;

    if (fd->dropped)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "sending a read: Can't contact LDAP server");
    memset(&r, 0, sizeof(r));
    fd->reads++;
    r.is_read = 1;
    r.dn = strdup(dn);
    if (e != NULL) {
        r.entry = adkcd_entry_new(e->dn);
        for (i = 0; attrs != NULL && attrs[i] != NULL; i++) {
            const struct adkcd_vals *v = adkcd_entry_vals(e, attrs[i]);

            adkcd_entry_touch(r.entry, attrs[i]);
            for (k = 0; k < v->n; k++)
                adkcd_entry_add(r.entry, attrs[i], v->v[k].data, v->v[k].len);
        }
    }
    *id_out = receive(fd, &r);
    return ADKCD_OK;
}

static void
free_request(struct request *r)
{
    size_t i;

    for (i = 0; i < r->n_ops; i++) {
        free(r->ops[i].attr);
        free(r->ops[i].value.data);
    }
    free(r->ops);
    free(r->dn);
    free(r->diag);
    adkcd_entry_free(r->entry);
}

static adkcd_status
f_next_answer(void *ctx, int timeout_ms, struct adkcd_dir_answer *a,
              struct adkcd_err *err)
{
    struct fakedir *fd = ctx;
    struct request r;
    size_t pick = 0, i;

    (void)timeout_ms;
    memset(a, 0, sizeof(*a));
    if (fd->timeout_after > 0 && fd->answers >= fd->timeout_after)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "no answer from the server in 60 s");
    /* After a drop, what was answered before it can still be read; then
     * the connection is gone. */
    if (fd->dropped) {
        for (i = 0; i < fd->n_q && fd->q[i].lost; i++)
            ;
        if (i == fd->n_q)
            return adkcd_err_set(err, ADKCD_E_CONNECT,
                                 "waiting for the server's answer: Can't "
                                 "contact LDAP server (LDAP -1)");
        pick = i;
    } else if (fd->n_q == 0) {
        return adkcd_err_set(err, ADKCD_E_DIRECTORY, "nothing was asked");
    } else if (fd->reorder > 1 && (int)fd->n_q >= fd->reorder) {
        pick = (size_t)fd->reorder - 1;
    }
    r = fd->q[pick];
    for (i = pick; i + 1 < fd->n_q; i++)
        fd->q[i] = fd->q[i + 1];
    fd->n_q--;
    fd->answers++;
    a->id = r.id;
    a->rc = r.is_read ? 0 : r.answered_rc;
    a->diag = r.diag;
    r.diag = NULL;
    a->entry = r.entry;
    r.entry = NULL;
    free_request(&r);
    return ADKCD_OK;
}

static void
f_free(void *ctx)
{
    struct fakedir *fd = ctx;
    size_t i;

    for (i = 0; i < fd->n_objs; i++)
        adkcd_entry_free(fd->objs[i]);
    free(fd->objs);
    for (i = 0; i < fd->n_q; i++)
        free_request(&fd->q[i]);
    free(fd->q);
    free(fd);
}

static const struct adkcd_dir_ops fake_ops = {
    f_submit_modify,
    f_submit_read,
    f_next_answer,
    f_free,
};

struct adkcd_dir *
fakedir_new(struct fakedir **fd_out)
{
    struct adkcd_dir *dir = calloc(1, sizeof(*dir));
    struct fakedir *fd = calloc(1, sizeof(*fd));

    dir->ops = &fake_ops;
    dir->ctx = fd;
    *fd_out = fd;
    return dir;
}

void
fakedir_fail_modify(struct fakedir *fd, int nth, int rc, const char *diag)
{
    if (fd->n_fail < MAX_FAIL) {
        fd->fail[fd->n_fail].nth = nth;
        fd->fail[fd->n_fail].rc = rc;
        fd->fail[fd->n_fail].diag = diag;
        fd->n_fail++;
    }
}

void
fakedir_interfere(struct fakedir *fd, const char *dn, const char *attr,
                  const char *value, int times)
{
    fd->int_dn = dn;
    fd->int_attr = attr;
    snprintf(fd->int_value, sizeof(fd->int_value), "%s", value);
    fd->int_times = times;
}

void
fakedir_drop_after(struct fakedir *fd, int after, int applied_unanswered)
{
    fd->drop_after = after;
    fd->drop_applied = applied_unanswered;
}

void
fakedir_timeout_after(struct fakedir *fd, int after)
{
    fd->timeout_after = after;
}

void
fakedir_reorder(struct fakedir *fd, int window)
{
    fd->reorder = window;
}

void
fakedir_after_modify(struct fakedir *fd, const char *dn, const char *attr,
                     const char *value)
{
    fd->after_dn = dn;
    fd->after_attr = attr;
    fd->after_value = value;
}

int
fakedir_modifies(const struct fakedir *fd)
{
    return fd->modifies;
}

int
fakedir_applied(const struct fakedir *fd)
{
    return fd->applied;
}

int
fakedir_reads(const struct fakedir *fd)
{
    return fd->reads;
}

int
fakedir_max_inflight(const struct fakedir *fd)
{
    return fd->max_inflight;
}

const char *
fakedir_log(const struct fakedir *fd)
{
    return fd->log;
}

void
fakedir_on_modify(struct fakedir *fd,
                  void (*fn)(void *ctx, const char *dn, int inflight),
                  void *ctx)
{
    fd->on_modify = fn;
    fd->on_modify_ctx = ctx;
}

void
fakedir_reconnect(struct fakedir *fd)
{
    size_t i;

    for (i = 0; i < fd->n_q; i++)
        free_request(&fd->q[i]);
    fd->n_q = 0;
    fd->dropped = 0;
    fd->drop_after = 0;
    fd->timeout_after = 0;
    fd->int_times = 0;
    fd->n_fail = 0;
    fd->after_dn = NULL;
}
