/* adkcd: change sets (pure). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>
#include <ldif.h>

#include "adkcd/plan.h"
#include "adkcd/strv.h"
#include "buf.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

adkcd_status
adkcd_plan_new(struct adkcd_plan **plan_out, struct adkcd_err *err)
{
    *plan_out = calloc(1, sizeof(**plan_out));
    return *plan_out != NULL ? ADKCD_OK : NOMEM(err);
}

static void
free_change(struct adkcd_change *c)
{
    size_t i;

    free(c->dn);
    free(c->label);
    for (i = 0; i < c->n_ops; i++) {
        free(c->ops[i].attr);
        free(c->ops[i].value);
    }
    free(c->ops);
    for (i = 0; i < c->n_images; i++) {
        free(c->images[i].attr);
        adkcd_strv_free(c->images[i].before);
        adkcd_strv_free(c->images[i].after);
        adkcd_strv_free(c->images[i].read);
    }
    free(c->images);
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
       const char *value, struct adkcd_err *err)
{
    struct adkcd_op *v = realloc(c->ops, (c->n_ops + 1) * sizeof(*v));

    if (v == NULL)
        return NOMEM(err);
    c->ops = v;
    v[c->n_ops].kind = kind;
    v[c->n_ops].attr = strdup(attr);
    v[c->n_ops].value = strdup(value);
    if (v[c->n_ops].attr == NULL || v[c->n_ops].value == NULL) {
        free(v[c->n_ops].attr);
        free(v[c->n_ops].value);
        return NOMEM(err);
    }
    c->n_ops++;
    return ADKCD_OK;
}

/* The image for attr, created from current when missing. */
static adkcd_status
image(struct adkcd_change *c, const char *attr, char *const *current,
      int present, struct adkcd_image **img_out, struct adkcd_err *err)
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
    img->before = adkcd_strv_dup(current);
    img->after = adkcd_strv_dup(current);
    if (img->attr == NULL || img->before == NULL || img->after == NULL) {
        free(img->attr);
        adkcd_strv_free(img->before);
        adkcd_strv_free(img->after);
        return NOMEM(err);
    }
    c->n_images++;
    *img_out = img;
    return ADKCD_OK;
}

static long
find(char *const *v, const char *s, enum adkcd_cmp cmp)
{
    long i;

    if (cmp == ADKCD_CMP_NOCASE)
        return adkcd_strv_find_nocase(v, s);
    for (i = 0; v != NULL && v[i] != NULL; i++) {
        if (strcmp(v[i], s) == 0)
            return i;
    }
    return -1;
}

adkcd_status
adkcd_change_set_values(struct adkcd_change *c, const char *attr,
                        char *const *current, int current_present,
                        char *const *desired, int desired_present,
                        enum adkcd_cmp cmp, struct adkcd_err *err)
{
    struct adkcd_image *img = NULL;
    char **after = NULL;
    adkcd_status st;
    size_t i;

    st = image(c, attr, current, current_present, &img, err);
    if (st != ADKCD_OK)
        return st;
    if (!desired_present)
        desired = NULL;
    for (i = 0; current != NULL && current[i] != NULL && st == ADKCD_OK; i++) {
        if (find(desired, current[i], cmp) < 0)
            st = add_op(c, ADKCD_OP_DELETE, attr, current[i], err);
        else if (adkcd_strv_add(&after, current[i]) != 0)
            st = NOMEM(err);
    }
    for (i = 0; desired != NULL && desired[i] != NULL && st == ADKCD_OK; i++) {
        /* Skip values already kept, and repeats within desired. */
        if (find(after, desired[i], cmp) >= 0)
            continue;
        st = add_op(c, ADKCD_OP_ADD, attr, desired[i], err);
        if (st == ADKCD_OK && adkcd_strv_add(&after, desired[i]) != 0)
            st = NOMEM(err);
    }
    if (st != ADKCD_OK) {
        adkcd_strv_free(after);
        return st;
    }
    adkcd_strv_free(img->after);
    img->after = after != NULL ? after : calloc(1, sizeof(char *));
    img->after_present = after != NULL;
    return img->after != NULL ? ADKCD_OK : NOMEM(err);
}

adkcd_status
adkcd_change_swap(struct adkcd_change *c, const char *attr,
                  const char *old_value, const char *new_value,
                  struct adkcd_err *err)
{
    char *cur[2] = {(char *)old_value, NULL};
    struct adkcd_image *img = NULL;
    adkcd_status st;

    st = image(c, attr, cur, 1, &img, err);
    if (st != ADKCD_OK || strcmp(old_value, new_value) == 0)
        return st;
    st = add_op(c, ADKCD_OP_DELETE, attr, old_value, err);
    if (st == ADKCD_OK)
        st = add_op(c, ADKCD_OP_ADD, attr, new_value, err);
    if (st != ADKCD_OK)
        return st;
    adkcd_strv_free(img->after);
    img->after = NULL;
    if (adkcd_strv_add(&img->after, new_value) != 0)
        return NOMEM(err);
    img->after_present = 1;
    return ADKCD_OK;
}

adkcd_status
adkcd_change_guard(struct adkcd_change *c, const char *attr, const char *value,
                   struct adkcd_err *err)
{
    char *cur[2] = {(char *)value, NULL};
    struct adkcd_image *img = NULL;
    adkcd_status st;

    st = image(c, attr, cur, 1, &img, err);
    if (st == ADKCD_OK)
        st = add_op(c, ADKCD_OP_DELETE, attr, value, err);
    if (st == ADKCD_OK)
        st = add_op(c, ADKCD_OP_ADD, attr, value, err);
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

/* Was (kind, attr, value) planned in c? */
static int
has_op(const struct adkcd_change *c, enum adkcd_op_kind kind, const char *attr,
       const char *value)
{
    size_t i;

    for (i = 0; i < c->n_ops; i++) {
        if (c->ops[i].kind == kind && strcasecmp(c->ops[i].attr, attr) == 0 &&
            strcmp(c->ops[i].value, value) == 0)
            return 1;
    }
    return 0;
}

/* One "name: value" line through libldap's LDIF writer (base64 when the
 * value needs it). */
static void
ldif_line(struct buf *b, const char *name, const char *value)
{
    char *line = ldif_put_wrap(LDIF_PUT_VALUE, name, value, strlen(value),
                               LDIF_LINE_WIDTH_MAX);

    if (line == NULL) {
        b->failed = 1;
        return;
    }
    buf_puts(b, line);
    ber_memfree(line);
}

/* A diff line: marker, then the value as LDIF writes it, so that a value
 * with a newline or control bytes (msDS-AllowedToDelegateTo holds any
 * string) shows as "attr:: base64" and can never forge a line. */
static void
diff_line(struct buf *b, const char *marker, const char *attr,
          const char *value)
{
    buf_puts(b, marker);
    buf_puts(b, " ");
    ldif_line(b, attr, value);
}

adkcd_status
adkcd_plan_diff(const struct adkcd_plan *plan, char **text_out,
                struct adkcd_err *err)
{
    struct buf b = {0};
    size_t i, j, k;

    *text_out = NULL;
    for (i = 0; i < plan->n; i++) {
        const struct adkcd_change *c = &plan->changes[i];

        if (c->n_ops == 0)
            continue;
        buf_printf(&b, "dn: %s%s%s%s\n", c->dn, c->label[0] ? " (" : "",
                   c->label, c->label[0] ? ")" : "");
        for (j = 0; j < c->n_images; j++) {
            const struct adkcd_image *img = &c->images[j];

            /* A value deleted and added back is a guard: it stays. */
            for (k = 0; img->before != NULL && img->before[k] != NULL; k++)
                diff_line(
                    &b,
                    has_op(c, ADKCD_OP_DELETE, img->attr, img->before[k]) &&
                            !has_op(c, ADKCD_OP_ADD, img->attr, img->before[k])
                        ? "-"
                        : " ",
                    img->attr, img->before[k]);
            for (k = 0; img->after != NULL && img->after[k] != NULL; k++) {
                if (has_op(c, ADKCD_OP_ADD, img->attr, img->after[k]) &&
                    !has_op(c, ADKCD_OP_DELETE, img->attr, img->after[k]))
                    diff_line(&b, "+", img->attr, img->after[k]);
            }
        }
    }
    *text_out = buf_take(&b);
    return *text_out != NULL ? ADKCD_OK : NOMEM(err);
}

adkcd_status
adkcd_plan_ldif(const struct adkcd_plan *plan, char **text_out,
                struct adkcd_err *err)
{
    struct buf b = {0};
    size_t i, j;
    int first = 1;

    *text_out = NULL;
    for (i = 0; i < plan->n; i++) {
        const struct adkcd_change *c = &plan->changes[i];

        if (c->n_ops == 0)
            continue;
        if (!first)
            buf_puts(&b, "\n");
        first = 0;
        ldif_line(&b, "dn", c->dn);
        buf_puts(&b, "changetype: modify\n");
        for (j = 0; j < c->n_ops; j++) {
            const struct adkcd_op *op = &c->ops[j];

            /* Consecutive ops of one kind on one attribute share a block. */
            if (j == 0 || op->kind != c->ops[j - 1].kind ||
                strcasecmp(op->attr, c->ops[j - 1].attr) != 0)
                buf_printf(&b, "%s: %s\n",
                           op->kind == ADKCD_OP_ADD ? "add" : "delete",
                           op->attr);
            ldif_line(&b, op->attr, op->value);
            if (j + 1 == c->n_ops || c->ops[j + 1].kind != op->kind ||
                strcasecmp(c->ops[j + 1].attr, op->attr) != 0)
                buf_puts(&b, "-\n");
        }
    }
    *text_out = buf_take(&b);
    return *text_out != NULL ? ADKCD_OK : NOMEM(err);
}
