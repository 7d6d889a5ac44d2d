/* adkcd: change sets (pure). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/keys.h"
#include "adkcd/plan.h"
#include "adkcd/strv.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

adkcd_status
adkcd_plan_new(struct adkcd_plan **plan_out, struct adkcd_err *err)
{
    *plan_out = calloc(1, sizeof(**plan_out));
    return *plan_out != NULL ? ADKCD_OK : NOMEM(err);
}

void
adkcd_change_reset(struct adkcd_change *c)
{
    size_t i;

    for (i = 0; i < c->n_ops; i++) {
        free(c->ops[i].attr);
        free(c->ops[i].value.data);
    }
    free(c->ops);
    for (i = 0; i < c->n_images; i++) {
        free(c->images[i].attr);
        adkcd_vals_clear(&c->images[i].before);
        adkcd_vals_clear(&c->images[i].after);
        adkcd_vals_clear(&c->images[i].read);
    }
    free(c->images);
    free(c->message);
    c->ops = NULL;
    c->n_ops = 0;
    c->images = NULL;
    c->n_images = 0;
    c->message = NULL;
    c->applied = 0;
    c->read_differs = 0;
}

static void
free_change(struct adkcd_change *c)
{
    adkcd_change_reset(c);
    free(c->needs);
    free(c->dn);
    free(c->label);
    adkcd_strv_free(c->replan_attrs);
}

adkcd_status
adkcd_change_set_replan(struct adkcd_change *c, adkcd_replan_func fn, void *ctx,
                        char *const *attrs, struct adkcd_err *err)
{
    char **copy = adkcd_strv_dup(attrs);

    if (copy == NULL)
        return NOMEM(err);
    adkcd_strv_free(c->replan_attrs);
    c->replan_attrs = copy;
    c->replan = fn;
    c->replan_ctx = ctx;
    return ADKCD_OK;
}

void
adkcd_plan_free(struct adkcd_plan *plan)
{
    size_t i;

    if (plan == NULL)
        return;
    for (i = 0; i < plan->n; i++)
        free_change(&plan->changes[i]);
    free(plan->changes);
    free(plan);
}

adkcd_status
adkcd_plan_change(struct adkcd_plan *plan, const char *dn, const char *label,
                  struct adkcd_change **change_out, struct adkcd_err *err)
{
    struct adkcd_change *v, *c;
    size_t i;

    *change_out = NULL;
    for (i = 0; i < plan->n; i++) {
        if (strcasecmp(plan->changes[i].dn, dn) == 0) {
            *change_out = &plan->changes[i];
            return ADKCD_OK;
        }
    }
    v = realloc(plan->changes, (plan->n + 1) * sizeof(*v));
    if (v == NULL)
        return NOMEM(err);
    plan->changes = v;
    c = &v[plan->n];
    memset(c, 0, sizeof(*c));
    c->dn = strdup(dn);
    c->label = strdup(label != NULL ? label : "");
    if (c->dn == NULL || c->label == NULL) {
        free_change(c);
        return NOMEM(err);
    }
    plan->n++;
    *change_out = c;
    return ADKCD_OK;
}

static adkcd_status
add_op(struct adkcd_change *c, enum adkcd_op_kind kind, const char *attr,
       const char *value, size_t len, struct adkcd_err *err)
{
    struct adkcd_op *v = realloc(c->ops, (c->n_ops + 1) * sizeof(*v));
    struct adkcd_op *op;

    if (v == NULL)
        return NOMEM(err);
    c->ops = v;
    op = &v[c->n_ops];
    op->kind = kind;
    op->attr = strdup(attr);
    op->value.len = len;
    op->value.data = malloc(len + 1);
    if (op->attr == NULL || op->value.data == NULL) {
        free(op->attr);
        free(op->value.data);
        return NOMEM(err);
    }
    if (len > 0)
        memcpy(op->value.data, value, len);
    op->value.data[len] = '\0';
    c->n_ops++;
    return ADKCD_OK;
}

/* The image for attr, created from current when missing. */
static adkcd_status
image(struct adkcd_change *c, const char *attr,
      const struct adkcd_vals *current, int present,
      struct adkcd_image **img_out, struct adkcd_err *err)
{
    struct adkcd_image *v, *img;
    size_t i;

    for (i = 0; i < c->n_images; i++) {
        /* One attribute is planned once per change: a second plan would
         * add operations the images no longer show. */
        if (strcasecmp(c->images[i].attr, attr) == 0)
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "internal error: %s of %s planned twice", attr,
                                 c->dn);
    }
    v = realloc(c->images, (c->n_images + 1) * sizeof(*v));
    if (v == NULL)
        return NOMEM(err);
    c->images = v;
    img = &v[c->n_images];
    memset(img, 0, sizeof(*img));
    img->attr = strdup(attr);
    img->before_present = present;
    img->after_present = present;
    if (img->attr == NULL || adkcd_vals_dup(&img->before, current) != 0 ||
        adkcd_vals_dup(&img->after, current) != 0) {
        free(img->attr);
        adkcd_vals_clear(&img->before);
        adkcd_vals_clear(&img->after);
        return NOMEM(err);
    }
    c->n_images++;
    *img_out = img;
    return ADKCD_OK;
}

adkcd_status
adkcd_change_set_vals(struct adkcd_change *c, const char *attr,
                      const struct adkcd_vals *current, int current_present,
                      const struct adkcd_vals *desired, int desired_present,
                      enum adkcd_cmp cmp, struct adkcd_err *err)
{
    struct adkcd_image *img = NULL;
    struct adkcd_vals after = {0, NULL};
    adkcd_status st;
    size_t i;

    st = image(c, attr, current, current_present, &img, err);
    if (st != ADKCD_OK)
        return st;
    if (!desired_present)
        desired = NULL;
    for (i = 0; current != NULL && i < current->n && st == ADKCD_OK; i++) {
        const struct adkcd_val *cv = &current->v[i];

        if (adkcd_vals_find(desired, cv->data, cv->len, cmp) < 0)
            st = add_op(c, ADKCD_OP_DELETE, attr, cv->data, cv->len, err);
        else if (adkcd_vals_add(&after, cv->data, cv->len) != 0)
            st = NOMEM(err);
    }
    for (i = 0; desired != NULL && i < desired->n && st == ADKCD_OK; i++) {
        const struct adkcd_val *dv = &desired->v[i];

        /* Skip values already kept, and repeats within desired. */
        if (adkcd_vals_find(&after, dv->data, dv->len, cmp) >= 0)
            continue;
        st = add_op(c, ADKCD_OP_ADD, attr, dv->data, dv->len, err);
        if (st == ADKCD_OK && adkcd_vals_add(&after, dv->data, dv->len) != 0)
            st = NOMEM(err);
    }
    if (st != ADKCD_OK) {
        adkcd_vals_clear(&after);
        return st;
    }
    adkcd_vals_clear(&img->after);
    img->after = after;
    img->after_present = after.n > 0;
    return ADKCD_OK;
}

adkcd_status
adkcd_change_set_values(struct adkcd_change *c, const char *attr,
                        char *const *current, int current_present,
                        char *const *desired, int desired_present,
                        enum adkcd_cmp cmp, struct adkcd_err *err)
{
    struct adkcd_vals cur = {0, NULL}, want = {0, NULL};
    adkcd_status st;

    if (adkcd_vals_from_strv(&cur, current) != 0 ||
        adkcd_vals_from_strv(&want, desired) != 0)
        st = NOMEM(err);
    else
        st = adkcd_change_set_vals(c, attr, &cur, current_present, &want,
                                   desired_present, cmp, err);
    adkcd_vals_clear(&cur);
    adkcd_vals_clear(&want);
    return st;
}

adkcd_status
adkcd_change_swap_val(struct adkcd_change *c, const char *attr,
                      const struct adkcd_val *old_value,
                      const struct adkcd_val *new_value, struct adkcd_err *err)
{
    struct adkcd_vals cur = {0, NULL};
    struct adkcd_image *img = NULL;
    adkcd_status st;

    if (old_value != NULL) {
        cur.n = 1;
        cur.v = (struct adkcd_val *)old_value;
    }
    st = image(c, attr, &cur, old_value != NULL, &img, err);
    if (st != ADKCD_OK)
        return st;
    if (old_value == NULL && new_value == NULL)
        return ADKCD_OK;
    if (old_value != NULL && new_value != NULL &&
        adkcd_val_eq(old_value->data, old_value->len, new_value->data,
                     new_value->len, ADKCD_CMP_EXACT))
        return ADKCD_OK;
    if (old_value != NULL)
        st = add_op(c, ADKCD_OP_DELETE, attr, old_value->data, old_value->len,
                    err);
    if (st == ADKCD_OK && new_value != NULL)
        st =
            add_op(c, ADKCD_OP_ADD, attr, new_value->data, new_value->len, err);
    if (st != ADKCD_OK)
        return st;
    adkcd_vals_clear(&img->after);
    img->after_present = new_value != NULL;
    if (new_value != NULL &&
        adkcd_vals_add(&img->after, new_value->data, new_value->len) != 0)
        return NOMEM(err);
    return ADKCD_OK;
}

adkcd_status
adkcd_change_swap(struct adkcd_change *c, const char *attr,
                  const char *old_value, const char *new_value,
                  struct adkcd_err *err)
{
    struct adkcd_val o = {strlen(old_value), (char *)old_value};
    struct adkcd_val n = {strlen(new_value), (char *)new_value};

    return adkcd_change_swap_val(c, attr, &o, &n, err);
}

adkcd_status
adkcd_change_guard(struct adkcd_change *c, const char *attr, const char *value,
                   struct adkcd_err *err)
{
    struct adkcd_val v = {strlen(value), (char *)value};
    struct adkcd_vals cur = {1, &v};
    struct adkcd_image *img = NULL;
    adkcd_status st;

    st = image(c, attr, &cur, 1, &img, err);
    if (st == ADKCD_OK)
        st = add_op(c, ADKCD_OP_DELETE, attr, value, v.len, err);
    if (st == ADKCD_OK)
        st = add_op(c, ADKCD_OP_ADD, attr, value, v.len, err);
    return st;
}

const struct adkcd_image *
adkcd_change_image(const struct adkcd_change *c, const char *attr)
{
    size_t i;

    for (i = 0; i < c->n_images; i++) {
        if (strcasecmp(c->images[i].attr, attr) == 0)
            return &c->images[i];
    }
    return NULL;
}

size_t
adkcd_plan_count_ops(const struct adkcd_plan *plan)
{
    size_t i, n = 0;

    for (i = 0; plan != NULL && i < plan->n; i++)
        n += plan->changes[i].n_ops;
    return n;
}

int
adkcd_plan_is_empty(const struct adkcd_plan *plan)
{
    return adkcd_plan_count_ops(plan) == 0;
}

static adkcd_status
add_need(struct adkcd_change *c, size_t need, struct adkcd_err *err)
{
    size_t i, *v;

    for (i = 0; i < c->n_needs; i++) {
        if (c->needs[i] == need)
            return ADKCD_OK;
    }
    v = realloc(c->needs, (c->n_needs + 1) * sizeof(*v));
    if (v == NULL)
        return NOMEM(err);
    c->needs = v;
    v[c->n_needs++] = need;
    return ADKCD_OK;
}

/* Depth of change i in the order (0: needs nothing); -1 on a cycle, with
 * the changes on it named in err.  state: 0 new, 1 on the path, 2 done. */
static long
depth(struct adkcd_plan *plan, size_t i, unsigned char *state, long *memo,
      size_t *cycle_at, struct adkcd_err *err)
{
    struct adkcd_change *c = &plan->changes[i];
    long d = 0, sub;
    size_t k;

    if (state[i] == 2)
        return memo[i];
    if (state[i] == 1) {
        if (cycle_at != NULL)
            *cycle_at = i;
        adkcd_err_set(err, ADKCD_E_USAGE,
                      "values move in a cycle between objects, among them "
                      "%s: no order of the changes avoids a duplicate; make "
                      "the removals first, then the additions",
                      c->dn);
        return -1;
    }
    state[i] = 1;
    for (k = 0; k < c->n_needs; k++) {
        sub = depth(plan, c->needs[k], state, memo, cycle_at, err);
        if (sub < 0) {
            if (strstr(err->msg, c->dn) == NULL &&
                strlen(err->msg) + strlen(c->dn) + 8 < sizeof(err->msg))
                adkcd_err_prefix(err, "%s", c->dn);
            return -1;
        }
        if (sub + 1 > d)
            d = sub + 1;
    }
    state[i] = 2;
    memo[i] = d;
    return d;
}

adkcd_status
adkcd_plan_order(struct adkcd_plan *plan, const char *attr, adkcd_equiv_func fn,
                 void *ctx, size_t *cycle_at, struct adkcd_err *err)
{
    /* The values deleted, without regard to case, by change index. */
    struct adkcd_keys dels = {NULL, 0, 0, 1};
    size_t i, k, e, at;
    unsigned char *state = NULL;
    long *memo = NULL;
    adkcd_status st = ADKCD_OK;
    struct adkcd_err local;

    if (err == NULL)
        err = &local;
    for (i = 0; st == ADKCD_OK && i < plan->n; i++) {
        struct adkcd_change *c = &plan->changes[i];

        free(c->needs);
        c->needs = NULL;
        c->n_needs = 0;
        for (k = 0; st == ADKCD_OK && k < c->n_ops; k++) {
            if (c->ops[k].kind == ADKCD_OP_DELETE &&
                strcasecmp(c->ops[k].attr, attr) == 0 &&
                adkcd_keys_add(&dels, c->ops[k].value.data, c->ops[k].value.len,
                               i) != 0)
                st = NOMEM(err);
        }
    }
    adkcd_keys_sort(&dels);
    /* Each added value (and its equivalents) waits for its deleters. */
    for (i = 0; st == ADKCD_OK && dels.n > 0 && i < plan->n; i++) {
        struct adkcd_change *c = &plan->changes[i];

        for (k = 0; st == ADKCD_OK && k < c->n_ops; k++) {
            char **eq = NULL;

            if (c->ops[k].kind != ADKCD_OP_ADD ||
                strcasecmp(c->ops[k].attr, attr) != 0)
                continue;
            if (fn != NULL)
                st = fn(ctx, c->ops[k].value.data, &eq, err);
            else if (adkcd_strv_add(&eq, c->ops[k].value.data) != 0)
                st = NOMEM(err);
            for (e = 0; st == ADKCD_OK && eq != NULL && eq[e] != NULL; e++) {
                for (at = adkcd_keys_first(&dels, eq[e]);
                     st == ADKCD_OK && adkcd_keys_is(&dels, at, eq[e]); at++) {
                    if (dels.v[at].i != i)
                        st = add_need(c, dels.v[at].i, err);
                }
            }
            adkcd_strv_free(eq);
        }
    }
    adkcd_keys_clear(&dels);
    if (st != ADKCD_OK)
        return st;
    state = calloc(plan->n + 1, 1);
    memo = calloc(plan->n + 1, sizeof(*memo));
    if (state == NULL || memo == NULL)
        st = NOMEM(err);
    for (i = 0; st == ADKCD_OK && i < plan->n; i++) {
        long d = depth(plan, i, state, memo, cycle_at, err);

        if (d < 0)
            st = ADKCD_E_USAGE;
        else
            plan->changes[i].phase = (unsigned)d;
    }
    free(state);
    free(memo);
    return st;
}
