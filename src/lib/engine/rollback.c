/* adkcd: undoing journaled runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/deleg.h"
#include "adkcd/rollback.h"
#include "adkcd/strv.h"
#include "buf.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* One attribute of one object, simulated from "now" back in time. */
struct attr_state {
    char *attr;
    struct adkcd_vals now; /* read from the server */
    int now_present;
    int have_now;
    struct adkcd_vals sim; /* after undoing the changes seen so far */
    int sim_present;
    const struct adkcd_vals *newest_after;   /* what the newest change left
                                              * (borrowed) */
    const struct adkcd_vals **chain_befores; /* before-states, newest first
                                              * (borrowed) */
    size_t chain_n;
};

struct object {
    char *dn;
    char *label;
    struct attr_state *attrs;
    size_t n;
};

static int
is_uac(const char *attr)
{
    return strcasecmp(attr, "userAccountControl") == 0;
}

static unsigned
uac_of(const struct adkcd_vals *v)
{
    return v != NULL && v->n > 0 ? (unsigned)strtol(v->v[0].data, NULL, 10) : 0;
}

/* Equal states: for userAccountControl the delegation bits, for the rest
 * the same set of values (as stored). */
static int
same(const char *attr, const struct adkcd_vals *a, const struct adkcd_vals *b)
{
    if (is_uac(attr))
        return ((uac_of(a) ^ uac_of(b)) & ADKCD_DELEG_UAC_MASK) == 0;
    return (a == NULL ? 0 : a->n) == (b == NULL ? 0 : b->n) &&
           adkcd_vals_same(a, b, ADKCD_CMP_EXACT);
}

/* Values for a person to read: text as it is, binary values by size. */
static char **
shown(const struct adkcd_vals *v)
{
    char **out = calloc(1, sizeof(char *));
    size_t i;

    for (i = 0; out != NULL && v != NULL && i < v->n; i++) {
        char tmp[48];
        const char *s = v->v[i].data;

        if (memchr(s, '\0', v->v[i].len) != NULL) {
            snprintf(tmp, sizeof(tmp), "(binary, %zu bytes)", v->v[i].len);
            s = tmp;
        }
        if (adkcd_strv_add(&out, s) != 0) {
            adkcd_strv_free(out);
            out = NULL;
        }
    }
    return out;
}

static void
free_objects(struct object *o, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < o[i].n; j++) {
            free(o[i].attrs[j].attr);
            adkcd_vals_clear(&o[i].attrs[j].now);
            adkcd_vals_clear(&o[i].attrs[j].sim);
            free(o[i].attrs[j].chain_befores);
        }
        free(o[i].attrs);
        free(o[i].dn);
        free(o[i].label);
    }
    free(o);
}

void
adkcd_drifts_free(struct adkcd_drifts *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n; i++) {
        free(d->v[i].dn);
        free(d->v[i].attr);
        adkcd_strv_free(d->v[i].expected);
        adkcd_strv_free(d->v[i].actual);
    }
    free(d->v);
    free(d);
}

static adkcd_status
add_drift(struct adkcd_drifts *d, const char *dn, const char *attr,
          const struct adkcd_vals *expected, const struct adkcd_vals *actual,
          struct adkcd_err *err)
{
    struct adkcd_drift *v = realloc(d->v, (d->n + 1) * sizeof(*v));

    if (v == NULL)
        return NOMEM(err);
    d->v = v;
    v[d->n].dn = strdup(dn);
    v[d->n].attr = strdup(attr);
    v[d->n].expected = shown(expected);
    v[d->n].actual = shown(actual);
    d->n++;
    if (v[d->n - 1].dn == NULL || v[d->n - 1].attr == NULL ||
        v[d->n - 1].expected == NULL || v[d->n - 1].actual == NULL)
        return NOMEM(err);
    return ADKCD_OK;
}

/* The object for dn (created when new) and its state for attr. */
static adkcd_status
state_for(struct object **objs, size_t *n, const char *dn, const char *label,
          const char *attr, struct attr_state **out, struct adkcd_err *err)
{
    struct object *o = NULL;
    struct attr_state *v;
    size_t i;

    *out = NULL;
    for (i = 0; i < *n; i++) {
        if (strcasecmp((*objs)[i].dn, dn) == 0)
            o = &(*objs)[i];
    }
    if (o == NULL) {
        struct object *nv = realloc(*objs, (*n + 1) * sizeof(*nv));

        if (nv == NULL)
            return NOMEM(err);
        *objs = nv;
        o = &nv[*n];
        memset(o, 0, sizeof(*o));
        (*n)++;
        o->dn = strdup(dn);
        o->label = strdup(label != NULL ? label : "");
        if (o->dn == NULL || o->label == NULL)
            return NOMEM(err);
    }
    for (i = 0; i < o->n; i++) {
        if (strcasecmp(o->attrs[i].attr, attr) == 0) {
            *out = &o->attrs[i];
            return ADKCD_OK;
        }
    }
    v = realloc(o->attrs, (o->n + 1) * sizeof(*v));
    if (v == NULL)
        return NOMEM(err);
    o->attrs = v;
    memset(&v[o->n], 0, sizeof(v[o->n]));
    v[o->n].attr = strdup(attr);
    if (v[o->n].attr == NULL)
        return NOMEM(err);
    *out = &v[o->n];
    o->n++;
    return ADKCD_OK;
}

/* Read the current values of every tracked attribute of o. */
static adkcd_status
read_now(struct adkcd_conn *conn, struct object *o, struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    LDAPMessage *res = NULL, *e = NULL;
    char **attrs = NULL;
    adkcd_status st = ADKCD_OK;
    size_t i;

    for (i = 0; i < o->n && st == ADKCD_OK; i++) {
        if (adkcd_strv_add(&attrs, o->attrs[i].attr) != 0)
            st = NOMEM(err);
    }
    if (st == ADKCD_OK)
        st = adkcd_ldapx_read(ld, o->dn, "(objectClass=*)", attrs, &res, &e,
                              err);
    if (st == ADKCD_OK && e == NULL)
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND,
                           "%s no longer exists (deleted or moved): it "
                           "cannot be rolled back, and nothing was written; "
                           "roll back the runs that did not touch it "
                           "separately (adkcd history lists what each run "
                           "touched)",
                           o->dn);
    for (i = 0; i < o->n && st == ADKCD_OK; i++) {
        struct attr_state *a = &o->attrs[i];

        st = adkcd_ldapx_vals(ld, e, a->attr, &a->now, &a->now_present, err);
        if (st == ADKCD_OK && adkcd_vals_dup(&a->sim, &a->now) != 0)
            st = NOMEM(err);
        a->sim_present = a->now_present;
        a->have_now = st == ADKCD_OK;
    }
    ldap_msgfree(res);
    adkcd_strv_free(attrs);
    return st;
}

static int
selected(char *const *ids, const char *id)
{
    size_t i;

    for (i = 0; ids != NULL && ids[i] != NULL; i++) {
        if (strcmp(ids[i], id) == 0)
            return 1;
    }
    return 0;
}

static void
join(struct buf *b, char *const *v)
{
    size_t i;

    buf_puts(b, "[");
    for (i = 0; v != NULL && v[i] != NULL; i++)
        buf_printf(b, "%s%s", i ? ", " : "", v[i]);
    buf_puts(b, "]");
}

/* Did change c really change attr (not just guard or read it)? */
static int
changed_attr(const struct adkcd_journal_change *c,
             const struct adkcd_image *img)
{
    size_t i;
    int has_op = 0;

    for (i = 0; i < c->n_ops && !has_op; i++)
        has_op = strcasecmp(c->ops[i].attr, img->attr) == 0;
    /* A compare-and-swap guard deletes and re-adds the same value: the
     * images are then equal, and the change left the attribute alone. */
    return has_op && !same(img->attr, &img->before, &img->after);
}

/*
 * Undo one change on the simulated state.  Drift is judged once per
 * object and attribute, against the whole chain of changes the selected
 * runs made to it (see check_chains): here the state only moves back.
 */
static adkcd_status
undo(struct object **objs, size_t *n, const struct adkcd_journal_change *c,
     struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t i;

    for (i = 0; i < c->n_images && st == ADKCD_OK; i++) {
        const struct adkcd_image *img = &c->images[i];
        struct attr_state *a = NULL;
        struct adkcd_vals next = {0, NULL};

        if (!changed_attr(c, img))
            continue;
        st = state_for(objs, n, c->dn, c->label, img->attr, &a, err);
        if (st != ADKCD_OK)
            break;
        if (!a->have_now)
            continue; /* first pass: only collecting attributes */
        if (a->chain_n == 0)
            a->newest_after = &img->after;
        {
            const struct adkcd_vals **v =
                realloc(a->chain_befores, (a->chain_n + 1) * sizeof(*v));

            if (v == NULL)
                return NOMEM(err);
            a->chain_befores = v;
            v[a->chain_n++] = &img->before;
        }
        if (is_uac(img->attr)) {
            /* Only the bits this tool manages go back. */
            char v[16];
            unsigned u = (uac_of(&a->sim) & ~ADKCD_DELEG_UAC_MASK) |
                         (uac_of(&img->before) & ADKCD_DELEG_UAC_MASK);

            snprintf(v, sizeof(v), "%d", (int32_t)u);
            if (adkcd_vals_add_str(&next, v) != 0)
                return NOMEM(err);
        } else {
            if (adkcd_vals_dup(&next, &img->before) != 0)
                return NOMEM(err);
            a->sim_present = img->before_present;
        }
        adkcd_vals_clear(&a->sim);
        a->sim = next;
    }
    return st;
}

/*
 * The values now must be what the newest selected change left, or any
 * state along the chain back to the oldest before-state (the runs were
 * partly or wholly undone already, e.g. by a rollback cut off half-way).
 * Anything else was written by someone else: drift.
 */
static adkcd_status
check_chains(struct object *objs, size_t n, struct adkcd_drifts *drifts,
             struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t i, j, k;

    for (i = 0; i < n && st == ADKCD_OK; i++) {
        for (j = 0; j < objs[i].n && st == ADKCD_OK; j++) {
            struct attr_state *a = &objs[i].attrs[j];
            int ok;

            if (a->chain_n == 0)
                continue;
            ok = same(a->attr, &a->now, a->newest_after);
            for (k = 0; !ok && k < a->chain_n; k++)
                ok = same(a->attr, &a->now, a->chain_befores[k]);
            if (!ok)
                st = add_drift(drifts, objs[i].dn, a->attr, a->newest_after,
                               &a->now, err);
        }
    }
    return st;
}

static int
cmp_newest_first(const void *a, const void *b)
{
    const struct adkcd_journal_change *x =
        *(const struct adkcd_journal_change *const *)a;
    const struct adkcd_journal_change *y =
        *(const struct adkcd_journal_change *const *)b;

    return x->line < y->line ? 1 : x->line > y->line ? -1 : 0;
}

/*
 * Newest first, in the journal's order of changes: blocks of concurrent
 * runs interleave there, and it is the order the server applied them in
 * (each block is written once the server confirmed its change).
 */
static adkcd_status
walk(struct object **objs, size_t *n, const struct adkcd_journal_runs *runs,
     char *const *ids, struct adkcd_err *err)
{
    const struct adkcd_journal_change **v = NULL;
    adkcd_status st = ADKCD_OK;
    size_t r, k, m = 0, cap = 0;

    for (r = 0; r < runs->n; r++) {
        const struct adkcd_journal_run *run = &runs->v[r];

        if (!selected(ids, run->id))
            continue;
        for (k = 0; k < run->n_changes; k++) {
            if (m == cap) {
                const struct adkcd_journal_change **nv;

                cap = cap ? 2 * cap : 64;
                nv = realloc(v, cap * sizeof(*nv));
                if (nv == NULL) {
                    free(v);
                    return NOMEM(err);
                }
                v = nv;
            }
            v[m++] = &run->changes[k];
        }
    }
    if (m > 0)
        qsort(v, m, sizeof(*v), cmp_newest_first);
    for (k = 0; k < m && st == ADKCD_OK; k++)
        st = undo(objs, n, v[k], err);
    free(v);
    return st;
}

adkcd_status
adkcd_rollback_plan(struct adkcd_conn *conn,
                    const struct adkcd_journal_runs *runs, char *const *ids,
                    int force, struct adkcd_plan **plan_out,
                    struct adkcd_drifts **drifts_out, struct adkcd_err *err)
{
    struct object *objs = NULL;
    struct adkcd_drifts *drifts = NULL;
    struct adkcd_plan *plan = NULL;
    adkcd_status st;
    size_t n = 0, i, j;

    *plan_out = NULL;
    *drifts_out = NULL;
    drifts = calloc(1, sizeof(*drifts));
    if (drifts == NULL)
        return NOMEM(err);
    /* Pass 1 collects the objects and attributes; then their values now;
     * pass 2 walks back in time over them. */
    st = walk(&objs, &n, runs, ids, err);
    for (i = 0; i < n && st == ADKCD_OK; i++)
        st = read_now(conn, &objs[i], err);
    if (st == ADKCD_OK)
        st = walk(&objs, &n, runs, ids, err);
    if (st == ADKCD_OK)
        st = check_chains(objs, n, drifts, err);
    if (st == ADKCD_OK)
        st = adkcd_plan_new(&plan, err);
    for (i = 0; i < n && st == ADKCD_OK; i++) {
        struct adkcd_change *c = NULL;

        st = adkcd_plan_change(plan, objs[i].dn, objs[i].label, &c, err);
        for (j = 0; j < objs[i].n && st == ADKCD_OK; j++) {
            struct attr_state *a = &objs[i].attrs[j];

            if (is_uac(a->attr))
                st = adkcd_change_swap(c, a->attr,
                                       a->now.n ? a->now.v[0].data : "0",
                                       a->sim.n ? a->sim.v[0].data : "0", err);
            else
                st = adkcd_change_set_vals(c, a->attr, &a->now, a->now_present,
                                           &a->sim, a->sim_present,
                                           ADKCD_CMP_EXACT, err);
        }
    }
    if (st == ADKCD_OK && drifts->n > 0 && !force) {
        struct buf b = {0};

        buf_printf(&b,
                   "%zu attribute%s drifted since the run%s (changed by "
                   "someone else): ",
                   drifts->n, drifts->n == 1 ? "" : "s",
                   adkcd_strv_len(ids) == 1 ? "" : "s");
        for (i = 0; i < drifts->n; i++) {
            buf_printf(&b, "%s%s %s: the run left ", i ? "; " : "",
                       drifts->v[i].dn, drifts->v[i].attr);
            join(&b, drifts->v[i].expected);
            buf_puts(&b, ", now ");
            join(&b, drifts->v[i].actual);
        }
        buf_puts(&b, "; nothing written (--force restores the earlier "
                     "values anyway)");
        {
            char *msg = buf_take(&b);

            st =
                adkcd_err_set(err, ADKCD_E_CONFLICT, "%s", msg ? msg : "drift");
            free(msg);
        }
    }
    free_objects(objs, n);
    *plan_out = plan;
    *drifts_out = drifts;
    return st;
}
