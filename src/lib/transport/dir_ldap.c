/*
 * adkcd: the directory interface (dir.h) over libldap, on the connection's
 * handle.  Requests are sent with the asynchronous calls and each answer is
 * parsed from its own message, so that many may be in flight at once.
 */
#include <stdlib.h>
#include <string.h>

#include "adkcd/dir.h"
#include "adkcd/strv.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* A read in flight: what it asked for, to pick the values out. */
struct pending_read {
    int id;
    char **attrs;
};

struct ldap_dir {
    struct adkcd_conn *conn;
    struct pending_read *reads;
    size_t n_reads;
};

/* The connection failed under the engine: it words what that means for
 * the requests in flight, so no "nothing was written" here. */
static adkcd_status
lost(struct adkcd_err *err, LDAP *ld, int rc, const char *what)
{
    char *diag = NULL;
    adkcd_status st;

    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, (void *)&diag);
    st = adkcd_ldapx_error_rc(err, rc, diag, "%s", what);
    ldap_memfree(diag);
    return st;
}

static adkcd_status
submit_modify(void *ctx, const char *dn, const struct adkcd_op *ops,
              size_t n_ops, int *id_out, struct adkcd_err *err)
{
    struct ldap_dir *d = ctx;
    LDAP *ld = adkcd_conn_ldap(d->conn);
    LDAPMod *mods = calloc(n_ops, sizeof(*mods));
    LDAPMod **modv = calloc(n_ops + 1, sizeof(*modv));
    struct berval *bvs = calloc(n_ops, sizeof(*bvs));
    struct berval **bvv = calloc(2 * n_ops, sizeof(*bvv));
    adkcd_status st = ADKCD_OK;
    size_t i;
    int rc;

    if (mods == NULL || modv == NULL || bvs == NULL || bvv == NULL) {
        st = NOMEM(err);
        goto cleanup;
    }
    /* One LDAPMod per operation: LDAP applies them in order within the
     * one modify, which is what makes delete-old/add-new a
     * compare-and-swap. */
    for (i = 0; i < n_ops; i++) {
        bvs[i].bv_val = ops[i].value.data;
        bvs[i].bv_len = ops[i].value.len;
        bvv[2 * i] = &bvs[i];
        bvv[2 * i + 1] = NULL;
        mods[i].mod_op =
            LDAP_MOD_BVALUES |
            (ops[i].kind == ADKCD_OP_ADD ? LDAP_MOD_ADD : LDAP_MOD_DELETE);
        mods[i].mod_type = ops[i].attr;
        mods[i].mod_bvalues = &bvv[2 * i];
        modv[i] = &mods[i];
    }
    rc = ldap_modify_ext(ld, dn, modv, NULL, NULL, id_out);
    if (rc != LDAP_SUCCESS)
        st = lost(err, ld, rc, "sending a modify");
cleanup:
    free(mods);
    free(modv);
    free(bvs);
    free(bvv);
    return st;
}

static adkcd_status
submit_read(void *ctx, const char *dn, char *const *attrs, int *id_out,
            struct adkcd_err *err)
{
    struct ldap_dir *d = ctx;
    LDAP *ld = adkcd_conn_ldap(d->conn);
    struct pending_read *v;
    char **copy = adkcd_strv_dup(attrs);
    int rc;

    v = realloc(d->reads, (d->n_reads + 1) * sizeof(*v));
    if (copy == NULL || v == NULL) {
        adkcd_strv_free(copy);
        if (v != NULL)
            d->reads = v;
        return NOMEM(err);
    }
    d->reads = v;
    rc = ldap_search_ext(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", copy, 0,
                         NULL, NULL, NULL, 0, id_out);
    if (rc != LDAP_SUCCESS) {
        adkcd_strv_free(copy);
        return lost(err, ld, rc, "sending a read");
    }
    v[d->n_reads].id = *id_out;
    v[d->n_reads].attrs = copy;
    d->n_reads++;
    return ADKCD_OK;
}

/* Take the pending read with this id out of the table (NULL: not a read). */
static char **
take_read(struct ldap_dir *d, int id)
{
    size_t i;

    for (i = 0; i < d->n_reads; i++) {
        if (d->reads[i].id == id) {
            char **attrs = d->reads[i].attrs;

            d->reads[i] = d->reads[--d->n_reads];
            return attrs;
        }
    }
    return NULL;
}

/* The requested attributes of e into a new entry. */
static adkcd_status
make_entry(LDAP *ld, LDAPMessage *e, char *const *attrs,
           struct adkcd_entry **entry_out, struct adkcd_err *err)
{
    char *dn = ldap_get_dn(ld, e);
    struct adkcd_entry *entry = dn != NULL ? adkcd_entry_new(dn) : NULL;
    adkcd_status st = entry != NULL ? ADKCD_OK : NOMEM(err);
    size_t i, k;

    ldap_memfree(dn);
    for (i = 0; attrs != NULL && attrs[i] != NULL && st == ADKCD_OK; i++) {
        struct adkcd_vals v = {0, NULL};
        int present = 0;

        st = adkcd_ldapx_vals(ld, e, attrs[i], &v, &present, err);
        if (st == ADKCD_OK && adkcd_entry_touch(entry, attrs[i]) != 0)
            st = NOMEM(err);
        for (k = 0; st == ADKCD_OK && k < v.n; k++) {
            if (adkcd_entry_add(entry, attrs[i], v.v[k].data, v.v[k].len) != 0)
                st = NOMEM(err);
        }
        adkcd_vals_clear(&v);
    }
    if (st != ADKCD_OK) {
        adkcd_entry_free(entry);
        entry = NULL;
    }
    *entry_out = entry;
    return st;
}

static adkcd_status
next_answer(void *ctx, int timeout_ms, struct adkcd_dir_answer *a,
            struct adkcd_err *err)
{
    struct ldap_dir *d = ctx;
    LDAP *ld = adkcd_conn_ldap(d->conn);
    struct timeval tv;
    LDAPMessage *res = NULL, *m;
    char **attrs;
    char *diag = NULL;
    adkcd_status st = ADKCD_OK;
    int rc, code = 0;

    memset(a, 0, sizeof(*a));
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    /* LDAP_MSG_ALL: a search's entries and its result come as one chain. */
    rc = ldap_result(ld, LDAP_RES_ANY, LDAP_MSG_ALL, &tv, &res);
    if (rc == 0)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "no answer from the server within %d s: the DC "
                             "is hung or overloaded",
                             timeout_ms / 1000);
    if (rc < 0) {
        int lrc = LDAP_SERVER_DOWN;

        ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &lrc);
        return lost(err, ld, lrc, "waiting for the server's answer");
    }
    a->id = ldap_msgid(res);
    attrs = take_read(d, a->id);
    for (m = ldap_first_message(ld, res); m != NULL && st == ADKCD_OK;
         m = ldap_next_message(ld, m)) {
        int type = ldap_msgtype(m);

        if (type == LDAP_RES_SEARCH_ENTRY && a->entry == NULL)
            st = make_entry(ld, m, attrs, &a->entry, err);
        else if (type == LDAP_RES_SEARCH_RESULT || type == LDAP_RES_MODIFY) {
            diag = NULL;
            if (ldap_parse_result(ld, m, &code, NULL, &diag, NULL, NULL, 0) !=
                LDAP_SUCCESS)
                code = LDAP_DECODING_ERROR;
            a->rc = code;
            if (diag != NULL && diag[0] != '\0')
                a->diag = strdup(diag);
            ldap_memfree(diag);
        }
    }
    /* A read of an object that does not exist is an answer, not an
     * error: no entry. */
    if (attrs != NULL && a->rc == LDAP_NO_SUCH_OBJECT) {
        a->rc = 0;
        free(a->diag);
        a->diag = NULL;
    }
    adkcd_strv_free(attrs);
    ldap_msgfree(res);
    if (st != ADKCD_OK)
        adkcd_dir_answer_clear(a);
    return st;
}

static void
free_dir(void *ctx)
{
    struct ldap_dir *d = ctx;
    size_t i;

    for (i = 0; i < d->n_reads; i++)
        adkcd_strv_free(d->reads[i].attrs);
    free(d->reads);
    free(d);
}

static const struct adkcd_dir_ops ldap_ops = {
    submit_modify,
    submit_read,
    next_answer,
    free_dir,
};

adkcd_status
adkcd_dir_over_conn(struct adkcd_conn *conn, struct adkcd_dir **dir_out,
                    struct adkcd_err *err)
{
    struct adkcd_dir *dir = calloc(1, sizeof(*dir));
    struct ldap_dir *d = calloc(1, sizeof(*d));

    *dir_out = NULL;
    if (dir == NULL || d == NULL) {
        free(dir);
        free(d);
        return NOMEM(err);
    }
    d->conn = conn;
    dir->ops = &ldap_ops;
    dir->ctx = d;
    *dir_out = dir;
    return ADKCD_OK;
}
