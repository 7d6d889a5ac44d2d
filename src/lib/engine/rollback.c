/* adkcd: undoing journaled runs, computed from the operations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/deleg.h"
#include "adkcd/dir.h"
#include "adkcd/rollback.h"
#include "adkcd/sd.h"
#include "adkcd/strmap.h"
#include "adkcd/spnreg.h"
#include "adkcd/spn.h"
#include "adkcd/strv.h"
#include "buf.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* ------------------------------------------------------------------ */
/* The selected runs, per object                                       */
/* ------------------------------------------------------------------ */

struct rb_step {
    const struct adkcd_journal_change *c;
    int in_doubt;
};

struct rb_object {
    struct adkcd_rollback *rb;
    char *dn;
    char *label;
    struct rb_step *steps; /* oldest first */
    size_t n_steps, cap_steps;
    char **attrs;      /* strv: the attributes the operations name */
    char **read_attrs; /* strv: attrs and what the safety rules need */
};

/* The attributes the tools write: a journal that names any other was not
 * written by them, and rollback touches nothing else. */
static const char *const managed_attrs[] = {
    "servicePrincipalName", ADKCD_DELEG_ATTR, ADKCD_UAC_ATTR, ADKCD_RBCD_ATTR};

/* What the safety rules of add/set judge an account by, read with the
 * attributes to restore. */
static const char *const safety_attrs[] = {"sAMAccountName", ADKCD_UAC_ATTR,
                                           ADKCD_KRBTGT_LINK_BL_ATTR};

struct adkcd_rollback {
    struct rb_object *objs;
    size_t n, cap;
    char **dns;
    size_t n_ids;
    int force;
    struct adkcd_strmap map;             /* DN (case ignored) -> object index */
    struct adkcd_spn_mappings *mappings; /* host aliases, for ordering
                                          * moves (NULL: none known) */
};

enum adkcd_cmp
adkcd_attr_cmp(const char *attr)
{
    static const char *const nocase[] = {"servicePrincipalName",
                                         "msDS-AllowedToDelegateTo"};
    size_t i;

    for (i = 0; i < sizeof(nocase) / sizeof(nocase[0]); i++) {
        if (strcasecmp(attr, nocase[i]) == 0)
            return ADKCD_CMP_NOCASE;
    }
    return ADKCD_CMP_EXACT;
}

static int
is_uac(const char *attr)
{
    return strcasecmp(attr, ADKCD_UAC_ATTR) == 0;
}

/* A single-valued attribute written by compare-and-swap of its whole
 * value (the resource-based delegation descriptor): its state is which
 * value it holds, not whether each value is there. */
static int
is_single(const char *attr)
{
    return strcasecmp(attr, ADKCD_RBCD_ATTR) == 0;
}

#define SLOT_VALUE 0  /* one value of a multi-valued attribute */
#define SLOT_UAC 1    /* userAccountControl's delegation bits */
#define SLOT_SINGLE 2 /* a single-valued attribute's value (is_single) */

/* A userAccountControl value as bits (0 when absent or malformed). */
static unsigned long
uac_bits(const char *s)
{
    unsigned uac = 0;

    (void)adkcd_uac_parse(s, &uac);
    return uac;
}

/* The object for the DN of c, created when new. */
static adkcd_status
object_for(struct adkcd_rollback *rb, const struct adkcd_journal_change *c,
           struct rb_object **out, struct adkcd_err *err)
{
    struct rb_object *o;
    long at = adkcd_strmap_get(&rb->map, c->dn);

    if (at >= 0) {
        *out = &rb->objs[at];
        return ADKCD_OK;
    }
    if (rb->n == rb->cap) {
        size_t cap = rb->cap ? 2 * rb->cap : 16;
        struct rb_object *v = realloc(rb->objs, cap * sizeof(*v));

        if (v == NULL)
            return NOMEM(err);
        rb->objs = v;
        rb->cap = cap;
    }
    o = &rb->objs[rb->n];
    memset(o, 0, sizeof(*o));
    o->rb = rb;
    o->dn = strdup(c->dn);
    o->label = strdup(c->label != NULL ? c->label : "");
    rb->n++;
    if (o->dn == NULL || o->label == NULL ||
        adkcd_strv_add(&rb->dns, c->dn) != 0)
        return NOMEM(err);
    if (adkcd_strmap_put(&rb->map, o->dn, rb->n - 1) != 0)
        return NOMEM(err);
    *out = o;
    return ADKCD_OK;
}

static adkcd_status
add_step(struct rb_object *o, const struct adkcd_journal_change *c,
         struct adkcd_err *err)
{
    size_t i;

    if (o->n_steps == o->cap_steps) {
        size_t cap = o->cap_steps ? 2 * o->cap_steps : 4;
        struct rb_step *v = realloc(o->steps, cap * sizeof(*v));

        if (v == NULL)
            return NOMEM(err);
        o->steps = v;
        o->cap_steps = cap;
    }
    o->steps[o->n_steps].c = c;
    o->steps[o->n_steps].in_doubt = c->state == ADKCD_JOURNAL_IN_DOUBT;
    o->n_steps++;
    for (i = 0; i < c->n_ops; i++) {
        size_t k;

        for (k = 0; k < sizeof(managed_attrs) / sizeof(managed_attrs[0]); k++)
            if (strcasecmp(c->ops[i].attr, managed_attrs[k]) == 0)
                break;
        if (k == sizeof(managed_attrs) / sizeof(managed_attrs[0]))
            return adkcd_err_set(
                err, ADKCD_E_INVALID,
                "the journal's run %s changes %s of %s (line %lu), an "
                "attribute the tools never write: it was not written by "
                "them, and nothing is rolled back",
                c->run_id != NULL ? c->run_id : "?", c->ops[i].attr, c->dn,
                c->line);
        if (adkcd_strv_find_nocase(o->attrs, c->ops[i].attr) < 0 &&
            adkcd_strv_add(&o->attrs, c->ops[i].attr) != 0)
            return NOMEM(err);
    }
    return ADKCD_OK;
}

/* attrs and the safety rules' attributes, for each object. */
static adkcd_status
set_read_attrs(struct adkcd_rollback *rb, struct adkcd_err *err)
{
    size_t i, k;

    for (i = 0; i < rb->n; i++) {
        struct rb_object *o = &rb->objs[i];

        o->read_attrs = adkcd_strv_dup(o->attrs);
        if (o->read_attrs == NULL)
            return NOMEM(err);
        for (k = 0; k < sizeof(safety_attrs) / sizeof(safety_attrs[0]); k++)
            if (adkcd_strv_find_nocase(o->read_attrs, safety_attrs[k]) < 0 &&
                adkcd_strv_add(&o->read_attrs, safety_attrs[k]) != 0)
                return NOMEM(err);
    }
    return ADKCD_OK;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_oldest_first(const void *a, const void *b)
{
    const struct adkcd_journal_change *x =
        *(const struct adkcd_journal_change *const *)a;
    const struct adkcd_journal_change *y =
        *(const struct adkcd_journal_change *const *)b;

    return x->line < y->line ? -1 : x->line > y->line;
}

void
adkcd_rollback_free(struct adkcd_rollback *rb)
{
    size_t i;

    if (rb == NULL)
        return;
    for (i = 0; i < rb->n; i++) {
        free(rb->objs[i].dn);
        free(rb->objs[i].label);
        free(rb->objs[i].steps);
        adkcd_strv_free(rb->objs[i].attrs);
        adkcd_strv_free(rb->objs[i].read_attrs);
    }
    free(rb->objs);
    adkcd_strv_free(rb->dns);
    adkcd_strmap_clear(&rb->map);
    adkcd_spn_mappings_free(rb->mappings);
    free(rb);
}

adkcd_status
adkcd_rollback_prepare(const struct adkcd_journal_runs *runs, char *const *ids,
                       struct adkcd_rollback **rb_out, struct adkcd_err *err)
{
    const struct adkcd_journal_change **v = NULL;
    struct adkcd_rollback *rb;
    char **sorted = NULL;
    adkcd_status st = ADKCD_OK;
    size_t n_ids = adkcd_strv_len(ids), r, k, m = 0, cap = 0, found = 0;
    size_t n_unique = 0;

    *rb_out = NULL;
    rb = calloc(1, sizeof(*rb));
    if (rb == NULL)
        return NOMEM(err);
    rb->n_ids = n_ids;
    rb->map.nocase = 1; /* DNs compare without regard to case */
    rb->dns = calloc(1, sizeof(char *));
    /* The ids sorted, so that picking the selected runs is n log n. */
    sorted = calloc(n_ids + 1, sizeof(char *));
    if (rb->dns == NULL || sorted == NULL) {
        st = NOMEM(err);
        goto cleanup;
    }
    memcpy(sorted, ids, n_ids * sizeof(char *));
    qsort(sorted, n_ids, sizeof(char *), cmp_str);
    for (k = 0; k < n_ids; k++) {
        if (n_unique == 0 || strcmp(sorted[n_unique - 1], sorted[k]) != 0)
            sorted[n_unique++] = sorted[k];
    }
    for (r = 0; runs != NULL && r < runs->n && st == ADKCD_OK; r++) {
        const struct adkcd_journal_run *run = &runs->v[r];

        if (bsearch(&run->id, sorted, n_unique, sizeof(char *), cmp_str) ==
            NULL)
            continue;
        found++;
        for (k = 0; k < run->n_changes; k++) {
            /* Refused: nothing of it was applied. */
            if (run->changes[k].state == ADKCD_JOURNAL_FAILED)
                continue;
            if (m == cap) {
                const struct adkcd_journal_change **nv;

                cap = cap ? 2 * cap : 64;
                nv = realloc(v, cap * sizeof(*nv));
                if (nv == NULL) {
                    st = NOMEM(err);
                    break;
                }
                v = nv;
            }
            v[m++] = &run->changes[k];
        }
    }
    if (st == ADKCD_OK && found < n_unique) {
        const struct adkcd_journal_run *hit = NULL;

        for (k = 0; ids[k] != NULL; k++) {
            hit = adkcd_journal_find(runs, ids[k]);
            if (hit == NULL || strcmp(hit->id, ids[k]) != 0)
                break;
        }
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND,
                           "no run %s in the journal (give full run ids)",
                           ids[k] != NULL ? ids[k] : "?");
    }
    /* The journal's order of changes: blocks of concurrent runs interleave
     * there in the order they were sent. */
    if (st == ADKCD_OK && m > 0)
        qsort(v, m, sizeof(*v), cmp_oldest_first);
    for (k = 0; k < m && st == ADKCD_OK; k++) {
        struct rb_object *o = NULL;

        st = object_for(rb, v[k], &o, err);
        if (st == ADKCD_OK)
            st = add_step(o, v[k], err);
    }
    if (st == ADKCD_OK)
        st = set_read_attrs(rb, err);
    if (st == ADKCD_OK) {
        *rb_out = rb;
        rb = NULL;
    }
cleanup:
    free(v);
    free(sorted);
    adkcd_rollback_free(rb);
    return st;
}

size_t
adkcd_rollback_count(const struct adkcd_rollback *rb)
{
    return rb->n;
}

char *const *
adkcd_rollback_dns(const struct adkcd_rollback *rb)
{
    return rb->dns;
}

char *const *
adkcd_rollback_attrs(const struct adkcd_rollback *rb, size_t i)
{
    return rb->objs[i].read_attrs;
}

/* ------------------------------------------------------------------ */
/* One object's inverse                                                */
/* ------------------------------------------------------------------ */

/*
 * A slot is what one state is kept for: one value of an attribute (state
 * 0 absent, 1 present), or userAccountControl (state: its delegation
 * bits).  A touch is one change's effect on one slot: the state it needs
 * before (pre) and the state it leaves (post).
 */
struct slot {
    size_t attr;                 /* in the object's attrs */
    const struct adkcd_val *val; /* a value slot: the value, as the oldest
                                  * change that touched it wrote it */
    int uac;                     /* SLOT_* */
    unsigned long now;           /* the state in the directory */
    size_t first, n;             /* its touches: order[first .. first+n) */
    long last_touch; /* while collecting: its touch in the current step */
    size_t last_step;
    int effective;               /* a live touch changes it (not only guards) */
    unsigned long before, after; /* S0 and SN over the live touches */
    const struct adkcd_val *after_val; /* uac: the value SN was written as */
};

struct touch {
    size_t step, slot;
    unsigned long pre, post;
    const struct adkcd_val *post_val; /* uac: the value added */
};

struct work {
    const struct rb_object *o;
    const struct adkcd_entry *now;
    struct slot *slots;
    size_t n_slots, cap_slots;
    struct touch *t; /* in step order */
    size_t n_t, cap_t;
    size_t *order;      /* touch indices grouped by slot, in step order */
    size_t *step_first; /* per step: its first touch (they are in step
                         * order); [n_steps] = n_t */
    int *live;          /* per step: 1 applied, 0 not, -1 undecided */
    /* SLOT_SINGLE states: 0 absent, k the value sv[k - 1]. */
    const struct adkcd_val **sv;
    size_t n_sv, cap_sv;
};

/* The state of a single-valued attribute holding v (NULL: absent); ~0UL
 * when out of memory. */
static unsigned long
single_state(struct work *w, const struct adkcd_val *v)
{
    size_t i;

    if (v == NULL)
        return 0;
    for (i = 0; i < w->n_sv; i++) {
        if (adkcd_val_eq(w->sv[i]->data, w->sv[i]->len, v->data, v->len,
                         ADKCD_CMP_EXACT))
            return i + 1;
    }
    if (w->n_sv == w->cap_sv) {
        size_t cap = w->cap_sv ? 2 * w->cap_sv : 4;
        const struct adkcd_val **n = realloc(w->sv, cap * sizeof(*n));

        if (n == NULL)
            return ~0UL;
        w->sv = n;
        w->cap_sv = cap;
    }
    w->sv[w->n_sv++] = v;
    return w->n_sv;
}

/* The value of state k of a single-valued attribute (NULL: absent). */
static const struct adkcd_val *
single_val(const struct work *w, unsigned long k)
{
    return k > 0 && k <= w->n_sv ? w->sv[k - 1] : NULL;
}

static void
work_free(struct work *w)
{
    free(w->slots);
    free(w->t);
    free(w->order);
    free(w->step_first);
    free(w->live);
    free(w->sv);
}

static long
attr_index(const struct rb_object *o, const char *attr)
{
    return adkcd_strv_find_nocase(o->attrs, attr);
}

static adkcd_status
new_slot(struct work *w, size_t attr, const struct adkcd_val *val, int uac,
         size_t *out, struct adkcd_err *err)
{
    struct slot *s;

    if (w->n_slots == w->cap_slots) {
        size_t cap = w->cap_slots ? 2 * w->cap_slots : 8;
        struct slot *v = realloc(w->slots, cap * sizeof(*v));

        if (v == NULL)
            return NOMEM(err);
        w->slots = v;
        w->cap_slots = cap;
    }
    s = &w->slots[w->n_slots];
    memset(s, 0, sizeof(*s));
    s->attr = attr;
    s->val = val;
    s->uac = uac;
    s->last_touch = -1;
    *out = w->n_slots++;
    return ADKCD_OK;
}

static adkcd_status
new_touch(struct work *w, size_t step, size_t slot, struct touch **out,
          struct adkcd_err *err)
{
    if (w->n_t == w->cap_t) {
        size_t cap = w->cap_t ? 2 * w->cap_t : 16;
        struct touch *v = realloc(w->t, cap * sizeof(*v));

        if (v == NULL)
            return NOMEM(err);
        w->t = v;
        w->cap_t = cap;
    }
    memset(&w->t[w->n_t], 0, sizeof(w->t[0]));
    w->t[w->n_t].step = step;
    w->t[w->n_t].slot = slot;
    *out = &w->t[w->n_t++];
    return ADKCD_OK;
}

/* The value slot of (attr, value), created when new. */
static adkcd_status
value_slot(struct work *w, size_t attr, const struct adkcd_val *val,
           size_t *out, struct adkcd_err *err)
{
    enum adkcd_cmp cmp = adkcd_attr_cmp(w->o->attrs[attr]);
    size_t i;

    for (i = 0; i < w->n_slots; i++) {
        const struct slot *s = &w->slots[i];

        if (!s->uac && s->attr == attr &&
            adkcd_val_eq(s->val->data, s->val->len, val->data, val->len, cmp)) {
            *out = i;
            return ADKCD_OK;
        }
    }
    return new_slot(w, attr, val, 0, out, err);
}

/*
 * The touches of step k.  For a value: its first operation in the change
 * gives the state before (a delete needs it present), its last the state
 * after.  For userAccountControl: the value deleted and the value added
 * (a compare-and-swap); a guard (the same delegation bits) is no touch.
 */
static adkcd_status
collect_step(struct work *w, size_t k, struct adkcd_err *err)
{
    const struct adkcd_journal_change *c = w->o->steps[k].c;
    const struct adkcd_val *uac_del = NULL, *uac_add = NULL;
    const struct adkcd_val *one_del = NULL, *one_add = NULL;
    long uac_attr = -1, one_attr = -1;
    adkcd_status st = ADKCD_OK;
    struct touch *t;
    size_t i, s;

    for (i = 0; i < c->n_ops && st == ADKCD_OK; i++) {
        const struct adkcd_op *op = &c->ops[i];
        long a = attr_index(w->o, op->attr);
        int present = op->kind == ADKCD_OP_ADD;

        if (a < 0)
            continue; /* cannot happen: attrs come from the ops */
        if (is_single(op->attr)) {
            one_attr = a;
            if (op->kind == ADKCD_OP_DELETE && one_del == NULL)
                one_del = &op->value;
            if (op->kind == ADKCD_OP_ADD)
                one_add = &op->value;
            continue;
        }
        if (is_uac(op->attr)) {
            uac_attr = a;
            if (op->kind == ADKCD_OP_DELETE && uac_del == NULL)
                uac_del = &op->value;
            if (op->kind == ADKCD_OP_ADD)
                uac_add = &op->value;
            continue;
        }
        st = value_slot(w, (size_t)a, &op->value, &s, err);
        if (st != ADKCD_OK)
            break;
        if (w->slots[s].last_touch >= 0 && w->slots[s].last_step == k) {
            w->t[w->slots[s].last_touch].post = (unsigned long)present;
            continue;
        }
        st = new_touch(w, k, s, &t, err);
        if (st != ADKCD_OK)
            break;
        t->pre = (unsigned long)!present;
        t->post = (unsigned long)present;
        w->slots[s].last_touch = (long)(t - w->t);
        w->slots[s].last_step = k;
    }
    if (st == ADKCD_OK && one_attr >= 0) {
        /* delete old, add new: from the old value (absent when no delete)
         * to the new one (absent when no add). */
        unsigned long pre = single_state(w, one_del);
        unsigned long post = single_state(w, one_add);

        if (pre == ~0UL || post == ~0UL)
            return NOMEM(err);
        if (pre != post) {
            for (s = 0;
                 s < w->n_slots && !(w->slots[s].uac == SLOT_SINGLE &&
                                     w->slots[s].attr == (size_t)one_attr);
                 s++)
                ;
            if (s == w->n_slots)
                st = new_slot(w, (size_t)one_attr, NULL, SLOT_SINGLE, &s, err);
            if (st == ADKCD_OK)
                st = new_touch(w, k, s, &t, err);
            if (st == ADKCD_OK) {
                t->pre = pre;
                t->post = post;
                t->post_val = one_add;
            }
        }
    }
    if (st == ADKCD_OK && uac_attr >= 0) {
        unsigned long pre =
            uac_bits(uac_del ? uac_del->data : NULL) & ADKCD_DELEG_UAC_MASK;
        unsigned long post =
            uac_bits(uac_add ? uac_add->data : NULL) & ADKCD_DELEG_UAC_MASK;

        if (pre == post)
            return ADKCD_OK;
        for (s = 0; s < w->n_slots && w->slots[s].uac != SLOT_UAC; s++)
            ;
        if (s == w->n_slots)
            st = new_slot(w, (size_t)uac_attr, NULL, SLOT_UAC, &s, err);
        if (st == ADKCD_OK)
            st = new_touch(w, k, s, &t, err);
        if (st == ADKCD_OK) {
            t->pre = pre;
            t->post = post;
            t->post_val = uac_add;
        }
    }
    return st;
}

/* The slot's state in the directory now. */
static unsigned long
state_now(struct work *w, const struct slot *s)
{
    const char *attr = w->o->attrs[s->attr];

    if (s->uac == SLOT_SINGLE) {
        const struct adkcd_vals *v = adkcd_entry_vals(w->now, attr);

        return single_state(w, v != NULL && v->n > 0 ? &v->v[0] : NULL);
    }
    if (s->uac)
        return uac_bits(adkcd_entry_str(w->now, attr)) & ADKCD_DELEG_UAC_MASK;
    return adkcd_vals_find(adkcd_entry_vals(w->now, attr), s->val->data,
                           s->val->len, adkcd_attr_cmp(attr)) >= 0;
}

/* Slots, touches, and the touches grouped by slot. */
static adkcd_status
collect(struct work *w, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t k, i, *fill;

    for (k = 0; k < w->o->n_steps && st == ADKCD_OK; k++)
        st = collect_step(w, k, err);
    if (st != ADKCD_OK)
        return st;
    w->order = calloc(w->n_t + 1, sizeof(*w->order));
    w->live = calloc(w->o->n_steps + 1, sizeof(*w->live));
    w->step_first = calloc(w->o->n_steps + 1, sizeof(*w->step_first));
    fill = calloc(w->n_slots + 1, sizeof(*fill));
    if (w->order == NULL || w->live == NULL || w->step_first == NULL ||
        fill == NULL) {
        free(fill);
        return NOMEM(err);
    }
    for (i = 0; i < w->n_t; i++)
        w->slots[w->t[i].slot].n++;
    for (i = 0, k = 0; i < w->n_slots; i++) {
        w->slots[i].first = k;
        fill[i] = k;
        k += w->slots[i].n;
        w->slots[i].now = state_now(w, &w->slots[i]);
        if (w->slots[i].now == ~0UL) {
            free(fill);
            return NOMEM(err);
        }
    }
    for (i = 0; i < w->n_t; i++)
        w->order[fill[w->t[i].slot]++] = i;
    free(fill);
    for (k = 0; k < w->o->n_steps; k++)
        w->live[k] = w->o->steps[k].in_doubt ? -1 : 1;
    for (k = 0, i = 0; k <= w->o->n_steps; k++) {
        while (i < w->n_t && w->t[i].step < k)
            i++;
        w->step_first[k] = i;
    }
    return ADKCD_OK;
}

/*
 * Decide the changes in doubt, newest first.  A modify is atomic: it was
 * applied whole or not at all.  For each value it touched, the state just
 * after it is the state the next applied change on that value needed, or
 * the state now; the state just before it, what the previous applied
 * change left (unknown when there is none, or one in doubt between).
 * Applied when every value agrees with that; else not applied when every
 * value agrees with that (the state after = the state before, or what the
 * change was planned against); else applied (the drift check then says
 * what is wrong).
 */
static void
judge(struct work *w)
{
    size_t k = w->o->n_steps, i;

    while (k-- > 0) {
        int applied_ok = 1, not_ok = 1;

        if (w->live[k] != -1)
            continue;
        for (i = w->step_first[k]; i < w->step_first[k + 1]; i++) {
            const struct touch *t = &w->t[i];
            const struct slot *s = &w->slots[t->slot];
            size_t pos, q;
            unsigned long a = s->now, b = 0;
            int b_known = 0;

            for (pos = s->first; w->order[pos] != i; pos++)
                ;
            for (q = pos + 1; q < s->first + s->n; q++) {
                if (w->live[w->t[w->order[q]].step] == 1) {
                    a = w->t[w->order[q]].pre;
                    break;
                }
            }
            for (q = pos; q-- > s->first;) {
                int l = w->live[w->t[w->order[q]].step];

                if (l == 1) {
                    b = w->t[w->order[q]].post;
                    b_known = 1;
                }
                if (l != 0)
                    break;
            }
            applied_ok =
                applied_ok && (!b_known || b == t->pre) && a == t->post;
            not_ok = not_ok && a == (b_known ? b : t->pre);
        }
        w->live[k] = applied_ok ? 1 : not_ok ? 0 : 1;
    }
}

/*
 * S0 and SN of every slot over the live touches, which slots the runs
 * really changed, and whether the state now is on the chain: S0, or the
 * state after any live change (one object's modify is atomic, so a
 * rollback cut off half-way leaves each object at one of these).
 */
static int
on_chain(struct work *w)
{
    size_t i, k, mism = 0;
    unsigned long *state;
    int ok;

    for (i = 0; i < w->n_slots; i++) {
        struct slot *s = &w->slots[i];
        int seen = 0;

        s->effective = 0;
        for (k = s->first; k < s->first + s->n; k++) {
            const struct touch *t = &w->t[w->order[k]];

            if (w->live[t->step] != 1)
                continue;
            if (!seen)
                s->before = t->pre;
            seen = 1;
            s->after = t->post;
            s->after_val = t->post_val;
            if (t->pre != t->post)
                s->effective = 1;
        }
    }
    state = calloc(w->n_slots + 1, sizeof(*state));
    if (state == NULL)
        return -1;
    for (i = 0; i < w->n_slots; i++) {
        state[i] = w->slots[i].before;
        mism += w->slots[i].effective && state[i] != w->slots[i].now;
    }
    ok = mism == 0;
    for (i = 0; i < w->n_t && !ok; i++) {
        const struct touch *t = &w->t[i];
        const struct slot *s = &w->slots[t->slot];

        if (w->live[t->step] == 1 && s->effective) {
            mism -= state[t->slot] != s->now;
            state[t->slot] = t->post;
            mism += state[t->slot] != s->now;
        }
        /* The state after a whole change, not half-way through one. */
        if (mism == 0 && (i + 1 == w->n_t || w->t[i + 1].step != t->step))
            ok = 1;
    }
    free(state);
    return ok;
}

/* Values for a person to read: text as it is, binary values by size. */
static int
show(char ***out, const struct adkcd_val *v)
{
    char tmp[48];
    const char *s = v->data;

    if (memchr(s, '\0', v->len) != NULL) {
        snprintf(tmp, sizeof(tmp), "(binary, %zu bytes)", v->len);
        s = tmp;
    }
    return adkcd_strv_add(out, s);
}

/* A descriptor for a person to read: as SDDL. */
static int
show_single(char ***out, const struct adkcd_val *v)
{
    char *sddl = NULL;
    int rc;

    if (adkcd_sd_to_sddl((const unsigned char *)v->data, v->len, &sddl, NULL) !=
        ADKCD_OK)
        return show(out, v);
    rc = adkcd_strv_add(out, sddl);
    free(sddl);
    return rc;
}

static adkcd_status
add_drift(struct adkcd_drifts *d, const char *dn, const char *attr,
          char **expected, char **actual, struct adkcd_err *err)
{
    struct adkcd_drift *v = realloc(d->v, (d->n + 1) * sizeof(*v));

    if (v == NULL) {
        adkcd_strv_free(expected);
        adkcd_strv_free(actual);
        return NOMEM(err);
    }
    d->v = v;
    v[d->n].dn = strdup(dn);
    v[d->n].attr = strdup(attr);
    v[d->n].expected = expected;
    v[d->n].actual = actual;
    d->n++;
    if (v[d->n - 1].dn == NULL || v[d->n - 1].attr == NULL)
        return NOMEM(err);
    return ADKCD_OK;
}

/* One drift per attribute whose touched values are not what the runs
 * left: the values present after the newest change, and now. */
static adkcd_status
list_drifts(const struct work *w, struct adkcd_drifts *d, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t a, i;

    /* attrs is NULL when the object's changes have no operations (a
     * journal record "changetype: modify" and nothing else). */
    for (a = 0; w->o->attrs != NULL && w->o->attrs[a] != NULL && st == ADKCD_OK;
         a++) {
        const char *attr = w->o->attrs[a];
        char **exp = calloc(1, sizeof(char *)),
             **act = calloc(1, sizeof(char *));
        int differs = 0, bad = exp == NULL || act == NULL;

        for (i = 0; i < w->n_slots && !bad; i++) {
            const struct slot *s = &w->slots[i];

            if (s->attr != (size_t)a || !s->effective)
                continue;
            differs = differs || s->after != s->now;
            if (s->uac == SLOT_SINGLE) {
                const struct adkcd_val *e = single_val(w, s->after),
                                       *n = single_val(w, s->now);

                bad = (e != NULL && show_single(&exp, e) != 0) ||
                      (n != NULL && show_single(&act, n) != 0);
            } else if (s->uac) {
                const char *now = adkcd_entry_str(w->now, attr);

                bad = (s->after_val != NULL && show(&exp, s->after_val) != 0) ||
                      (now != NULL && adkcd_strv_add(&act, now) != 0);
            } else {
                bad = (s->after && show(&exp, s->val) != 0) ||
                      (s->now && show(&act, s->val) != 0);
            }
        }
        if (bad) {
            adkcd_strv_free(exp);
            adkcd_strv_free(act);
            return NOMEM(err);
        }
        if (differs)
            st = add_drift(d, w->o->dn, attr, exp, act, err);
        else {
            adkcd_strv_free(exp);
            adkcd_strv_free(act);
        }
    }
    return st;
}

/* The operations that bring every slot the runs changed back to S0. */
static adkcd_status
plan_ops(const struct work *w, struct adkcd_change *c, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t a, i, k;

    for (a = 0; w->o->attrs != NULL && w->o->attrs[a] != NULL && st == ADKCD_OK;
         a++) {
        const char *attr = w->o->attrs[a];
        const struct adkcd_vals *cur = adkcd_entry_vals(w->now, attr);
        enum adkcd_cmp cmp = adkcd_attr_cmp(attr);
        struct adkcd_vals want = {0, NULL};
        int differs = 0;

        for (i = 0; i < w->n_slots; i++) {
            const struct slot *s = &w->slots[i];

            if (s->attr != (size_t)a || !s->effective || s->before == s->now)
                continue;
            differs = 1;
            if (s->uac == SLOT_SINGLE) {
                /* The value the runs started from, by compare-and-swap
                 * of the value there now. */
                st = adkcd_change_swap_val(c, attr, single_val(w, s->now),
                                           single_val(w, s->before), err);
                differs = 0;
            } else if (s->uac) {
                /* Only the delegation bits go back. */
                const char *now = adkcd_entry_str(w->now, attr);
                char v[ADKCD_UAC_STRLEN];

                adkcd_uac_format(
                    (unsigned)((uac_bits(now) &
                                ~(unsigned long)ADKCD_DELEG_UAC_MASK) |
                               s->before),
                    v);
                st =
                    adkcd_change_swap(c, attr, now != NULL ? now : "0", v, err);
                differs = 0;
            }
        }
        if (!differs || st != ADKCD_OK)
            continue;
        /* The values now, less those to delete, plus those to add. */
        for (k = 0; k < cur->n && st == ADKCD_OK; k++) {
            int drop = 0;

            for (i = 0; i < w->n_slots && !drop; i++) {
                const struct slot *s = &w->slots[i];

                drop = s->attr == (size_t)a && !s->uac && s->effective &&
                       s->now && !s->before &&
                       adkcd_val_eq(s->val->data, s->val->len, cur->v[k].data,
                                    cur->v[k].len, cmp);
            }
            if (!drop &&
                adkcd_vals_add(&want, cur->v[k].data, cur->v[k].len) != 0)
                st = NOMEM(err);
        }
        for (i = 0; i < w->n_slots && st == ADKCD_OK; i++) {
            const struct slot *s = &w->slots[i];

            if (s->attr != (size_t)a || s->uac || !s->effective || s->now ||
                !s->before)
                continue;
            if (adkcd_vals_add(&want, s->val->data, s->val->len) != 0)
                st = NOMEM(err);
        }
        if (st == ADKCD_OK)
            st = adkcd_change_set_vals(c, attr, cur, cur->n > 0, &want,
                                       want.n > 0, cmp, err);
        adkcd_vals_clear(&want);
    }
    return st;
}

/* Does the descriptor after allow a SID that the one before did not? */
static int
rbcd_adds(const struct adkcd_image *img)
{
    char **before = NULL, **after = NULL;
    struct adkcd_sd sd;
    size_t i;
    int adds = 0;

    if (!img->after_present || img->after.n == 0)
        return 0;
    if (img->before_present && img->before.n > 0 &&
        adkcd_sd_parse((const unsigned char *)img->before.v[0].data,
                       img->before.v[0].len, &sd, NULL) == ADKCD_OK) {
        (void)adkcd_sd_allowed_sids(&sd, &before, NULL);
        adkcd_sd_clear(&sd);
    }
    if (adkcd_sd_parse((const unsigned char *)img->after.v[0].data,
                       img->after.v[0].len, &sd, NULL) != ADKCD_OK) {
        adkcd_strv_free(before);
        return 1; /* unreadable: judged as allowing */
    }
    (void)adkcd_sd_allowed_sids(&sd, &after, NULL);
    adkcd_sd_clear(&sd);
    for (i = 0; after != NULL && after[i] != NULL && !adds; i++)
        adds = adkcd_strv_find_nocase(before, after[i]) < 0;
    adkcd_strv_free(before);
    adkcd_strv_free(after);
    return adds;
}

/*
 * The safety rules of add and set, on what the rollback would write: it
 * gives back only what the runs took, but a journal may be old and the
 * account may have become a DC since, so a rollback that would give
 * unconstrained delegation or protocol transition to a DC or a krbtgt
 * account, or let principals delegate to one, is refused unless forced,
 * as adkcd add and set refuse it.
 */
static adkcd_status
check_safety(const struct rb_object *o, const struct adkcd_entry *now,
             const struct adkcd_change *c, int force, struct adkcd_err *err)
{
    const struct adkcd_image *ui = adkcd_change_image(c, ADKCD_UAC_ATTR);
    const struct adkcd_image *ri = adkcd_change_image(c, ADKCD_RBCD_ATTR);
    const char *uac = adkcd_entry_str(now, ADKCD_UAC_ATTR);
    const struct adkcd_vals *bl =
        adkcd_entry_vals(now, ADKCD_KRBTGT_LINK_BL_ATTR);
    struct adkcd_account a;
    adkcd_status st = ADKCD_OK;

    if (force || c->n_ops == 0)
        return ADKCD_OK;
    memset(&a, 0, sizeof(a));
    a.dn = o->dn;
    a.sam = (char *)adkcd_entry_str(now, "sAMAccountName");
    a.has_uac = adkcd_uac_parse(uac, &a.uac) == 0;
    a.rodc_linked = bl != NULL && bl->n > 0;
    if (a.sam == NULL)
        a.sam = "";
    if (ui != NULL && ui->after_present && ui->after.n > 0) {
        struct adkcd_deleg cur = {0, NULL}, want = {0, NULL};
        unsigned u = 0;

        if (ui->before_present && ui->before.n > 0 &&
            adkcd_uac_parse(ui->before.v[0].data, &u) == 0)
            cur.uac = u;
        if (adkcd_uac_parse(ui->after.v[0].data, &u) == 0)
            want.uac = u;
        a.uac = cur.uac;
        st = adkcd_deleg_check_safety(&a, &cur, &want, 0, err);
    }
    if (st == ADKCD_OK && ri != NULL)
        st = adkcd_rbcd_check_safety(&a, rbcd_adds(ri), 0, err);
    return st;
}

/*
 * Plan the inverse for object o against now into c (empty), with its
 * drifts in d; *drifted says whether there were any.  With drift and
 * !force nothing is planned.
 */
static adkcd_status
plan_object(const struct rb_object *o, const struct adkcd_entry *now, int force,
            struct adkcd_change *c, struct adkcd_drifts *d, int *drifted,
            struct adkcd_err *err)
{
    struct work w;
    adkcd_status st;
    int ok;

    memset(&w, 0, sizeof(w));
    w.o = o;
    w.now = now;
    *drifted = 0;
    st = collect(&w, err);
    if (st == ADKCD_OK)
        judge(&w);
    ok = st == ADKCD_OK ? on_chain(&w) : 1;
    if (ok < 0)
        st = NOMEM(err);
    if (st == ADKCD_OK && !ok) {
        *drifted = 1;
        st = list_drifts(&w, d, err);
    }
    if (st == ADKCD_OK && (ok || force))
        st = plan_ops(&w, c, err);
    if (st == ADKCD_OK)
        st = check_safety(o, now, c, force, err);
    work_free(&w);
    return st;
}

/* ------------------------------------------------------------------ */
/* The plan                                                            */
/* ------------------------------------------------------------------ */

static void
join(struct buf *b, char *const *v)
{
    size_t i;

    buf_puts(b, "[");
    for (i = 0; v != NULL && v[i] != NULL; i++)
        buf_printf(b, "%s%s", i ? ", " : "", v[i]);
    buf_puts(b, "]");
}

static adkcd_status
drift_error(const struct adkcd_drifts *d, size_t n_ids, struct adkcd_err *err)
{
    struct buf b = {0};
    adkcd_status st;
    char *msg;
    size_t i;

    buf_printf(&b,
               "%zu attribute%s drifted since the run%s (changed by "
               "someone else): ",
               d->n, d->n == 1 ? "" : "s", n_ids == 1 ? "" : "s");
    for (i = 0; i < d->n; i++) {
        buf_printf(&b, "%s%s %s: the run left ", i ? "; " : "", d->v[i].dn,
                   d->v[i].attr);
        join(&b, d->v[i].expected);
        buf_puts(&b, ", now ");
        join(&b, d->v[i].actual);
    }
    buf_puts(&b, "; nothing written");
    msg = buf_take(&b);
    st = adkcd_err_set(err, ADKCD_E_CONFLICT, "%s", msg ? msg : "drift");
    adkcd_err_hint(err, ADKCD_HINT_FORCE_DRIFT);
    free(msg);
    return st;
}

/* The engine's hook after a lost compare-and-swap: the same object's
 * inverse against a fresh read. */
static adkcd_status
replan(void *ctx, const struct adkcd_entry *now, struct adkcd_change *c,
       struct adkcd_err *err)
{
    const struct rb_object *o = ctx;
    struct adkcd_drifts d = {NULL, 0};
    adkcd_status st;
    unsigned phase = c->phase;
    int drifted = 0;
    size_t i;

    st = plan_object(o, now, o->rb->force, c, &d, &drifted, err);
    /* The engine schedules by the phase it was given. */
    c->phase = phase;
    if (st == ADKCD_OK && drifted && !o->rb->force)
        st = drift_error(&d, o->rb->n_ids, err);
    for (i = 0; i < d.n; i++) {
        free(d.v[i].dn);
        free(d.v[i].attr);
        adkcd_strv_free(d.v[i].expected);
        adkcd_strv_free(d.v[i].actual);
    }
    free(d.v);
    return st;
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

adkcd_status
adkcd_rollback_inverse(struct adkcd_rollback *rb,
                       struct adkcd_entry *const *entries, int force,
                       struct adkcd_plan **plan_out,
                       struct adkcd_drifts **drifts_out, struct adkcd_err *err)
{
    struct adkcd_drifts *drifts;
    struct adkcd_plan *plan = NULL;
    adkcd_status st = ADKCD_OK;
    int any_drift = 0, drifted = 0;
    size_t i;

    *plan_out = NULL;
    *drifts_out = NULL;
    drifts = calloc(1, sizeof(*drifts));
    if (drifts == NULL)
        return NOMEM(err);
    *drifts_out = drifts;
    rb->force = force;
    for (i = 0; i < rb->n; i++) {
        if (entries[i] == NULL)
            return adkcd_err_set(
                err, ADKCD_E_NOTFOUND,
                "%s no longer exists (deleted or moved): it cannot be "
                "rolled back, and nothing was written; roll back the runs "
                "that did not touch it separately",
                rb->objs[i].dn);
    }
    st = adkcd_plan_new(&plan, err);
    for (i = 0; i < rb->n && st == ADKCD_OK; i++) {
        struct rb_object *o = &rb->objs[i];
        struct adkcd_change *c = NULL;

        st = adkcd_plan_change(plan, o->dn, o->label, &c, err);
        if (st == ADKCD_OK)
            st = plan_object(o, entries[i], force, c, drifts, &drifted, err);
        if (st == ADKCD_OK)
            st = adkcd_change_set_replan(c, replan, o, o->read_attrs, err);
        any_drift = any_drift || drifted;
    }
    /* Undoing a move: the new holder lets go before the old one gets the
     * value back (the engine holds the second until the first applied). */
    if (st == ADKCD_OK) {
        st = adkcd_plan_order(plan, "servicePrincipalName",
                              adkcd_spn_equiv_values, rb->mappings, NULL, err);
        if (st == ADKCD_E_USAGE)
            adkcd_err_prefix(err, "the runs cannot be undone together; undo "
                                  "them one at a time");
    }
    if (st != ADKCD_OK) {
        adkcd_plan_free(plan);
        return st;
    }
    *plan_out = plan;
    if (any_drift && !force)
        return drift_error(drifts, rb->n_ids, err);
    return ADKCD_OK;
}

/* ------------------------------------------------------------------ */
/* Over a connection                                                   */
/* ------------------------------------------------------------------ */

adkcd_status
adkcd_rollback_plan(struct adkcd_conn *conn,
                    const struct adkcd_journal_runs *runs, char *const *ids,
                    int force, struct adkcd_rollback **rb_out,
                    struct adkcd_plan **plan_out,
                    struct adkcd_drifts **drifts_out, struct adkcd_err *err)
{
    struct adkcd_rollback *rb = NULL;
    struct adkcd_entry **entries = NULL;
    struct adkcd_dir *dir = NULL;
    char **attrs = NULL;
    adkcd_status st;
    size_t i, k, n = 0;

    *rb_out = NULL;
    *plan_out = NULL;
    *drifts_out = NULL;
    st = adkcd_rollback_prepare(runs, ids, &rb, err);
    if (st == ADKCD_OK) {
        n = rb->n;
        entries = calloc(n + 1, sizeof(*entries));
        if (entries == NULL)
            st = NOMEM(err);
    }
    /* Every object is read in one pipelined pass, with the attributes any
     * of them needs. */
    for (i = 0; i < n && st == ADKCD_OK; i++) {
        for (k = 0; rb->objs[i].read_attrs[k] != NULL && st == ADKCD_OK; k++) {
            if (adkcd_strv_find_nocase(attrs, rb->objs[i].read_attrs[k]) < 0 &&
                adkcd_strv_add(&attrs, rb->objs[i].read_attrs[k]) != 0)
                st = NOMEM(err);
        }
    }
    /* The forest's host aliases, so that undoing a move through an alias
     * form (HOST/x let go of, http/x taken) is ordered too. */
    if (st == ADKCD_OK && n > 0)
        st = adkcd_spn_read_mappings(conn, &rb->mappings, err);
    if (st == ADKCD_OK && n > 0)
        st = adkcd_dir_over_conn(conn, &dir, err);
    if (st == ADKCD_OK && n > 0)
        st = adkcd_dir_read_many(dir, adkcd_rollback_dns(rb), n, attrs, 0, 0,
                                 entries, err);
    if (st == ADKCD_OK)
        st = adkcd_rollback_inverse(rb, entries, force, plan_out, drifts_out,
                                    err);
    else
        /* The callers expect a drift list even on failure. */
        *drifts_out = calloc(1, sizeof(**drifts_out));
    for (i = 0; entries != NULL && i < n; i++)
        adkcd_entry_free(entries[i]);
    free(entries);
    adkcd_strv_free(attrs);
    adkcd_dir_free(dir);
    /* The plan's replan hooks point into rb: the caller frees it after
     * the engine ran. */
    *rb_out = rb;
    return st;
}
