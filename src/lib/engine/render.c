/*
 * adkcd: a plan as a diff or as LDIF (plan.h), through libldap's LDIF
 * writer, so that a value can never forge a line.  Kept out of the pure
 * model layer because the writer is libldap's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>
#include <ldif.h>

#include "adkcd/plan.h"
#include "adkcd/sd.h"
#include "adkcd/utf8.h"
#include "buf.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/*
 * A DN or label in the diff's header, as a person reads it: control
 * characters (C0, DEL, and C1 as UTF-8) and bytes that are not UTF-8 as
 * \xNN, so that a name chosen by
 * whoever created the object can neither drive the terminal nor forge a
 * line.  (Values are written by the LDIF writer, base64 when needed.)
 */
static void
put_shown(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char shown[9];

    while (*p != '\0') {
        p += adkcd_text_show(p, shown);
        buf_puts(b, shown);
    }
}

/* Was (kind, attr, value) planned in c? */
static int
has_op(const struct adkcd_change *c, enum adkcd_op_kind kind, const char *attr,
       const struct adkcd_val *value)
{
    size_t i;

    for (i = 0; i < c->n_ops; i++) {
        if (c->ops[i].kind == kind && strcasecmp(c->ops[i].attr, attr) == 0 &&
            adkcd_val_eq(c->ops[i].value.data, c->ops[i].value.len, value->data,
                         value->len, ADKCD_CMP_EXACT))
            return 1;
    }
    return 0;
}

/* One "name: value" line through libldap's LDIF writer (base64 when the
 * value needs it). */
static void
ldif_line(struct buf *b, const char *name, const char *value, size_t len)
{
    char *line =
        ldif_put_wrap(LDIF_PUT_VALUE, name, value, len, LDIF_LINE_WIDTH_MAX);

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
          const struct adkcd_val *value)
{
    char *sddl = NULL;

    buf_puts(b, marker);
    buf_puts(b, " ");
    /* A resource-based delegation descriptor as SDDL (ASCII), which a
     * person can read; a value that does not parse stays as bytes.  The
     * LDIF of the plan keeps the bytes. */
    if (strcasecmp(attr, ADKCD_RBCD_ATTR) == 0 &&
        adkcd_sd_to_sddl((const unsigned char *)value->data, value->len, &sddl,
                         NULL) == ADKCD_OK) {
        ldif_line(b, attr, sddl, strlen(sddl));
        free(sddl);
        return;
    }
    ldif_line(b, attr, value->data, value->len);
}

/*
 * The changes in the order the engine sends them: by phase, then as
 * planned, so that a diff reads in that order and ldapmodify, which
 * applies an LDIF record by record, lets a moved value go before it is
 * taken over.  A new array of plan->n indexes (free()), or NULL.
 */
static size_t *
send_order(const struct adkcd_plan *plan)
{
    size_t *v = calloc(plan->n + 1, sizeof(*v));
    size_t i, k = 0;
    unsigned phase, next = 0;
    int more = plan->n > 0;

    for (phase = 0; v != NULL && more; phase = next) {
        more = 0;
        for (i = 0; i < plan->n; i++) {
            unsigned p = plan->changes[i].phase;

            if (p == phase)
                v[k++] = i;
            else if (p > phase && (!more || p < next)) {
                next = p;
                more = 1;
            }
        }
    }
    return v;
}

adkcd_status
adkcd_plan_diff(const struct adkcd_plan *plan, char **text_out,
                struct adkcd_err *err)
{
    struct buf b = {0};
    size_t *order = send_order(plan);
    size_t x, j, k;

    *text_out = NULL;
    if (order == NULL)
        return NOMEM(err);
    for (x = 0; x < plan->n; x++) {
        const struct adkcd_change *c = &plan->changes[order[x]];

        if (c->n_ops == 0)
            continue;
        buf_puts(&b, "dn: ");
        put_shown(&b, c->dn);
        if (c->label[0] != '\0') {
            buf_puts(&b, " (");
            put_shown(&b, c->label);
            buf_puts(&b, ")");
        }
        buf_puts(&b, "\n");
        for (j = 0; j < c->n_images; j++) {
            const struct adkcd_image *img = &c->images[j];

            /* A value deleted and added back is a guard: it stays. */
            for (k = 0; k < img->before.n; k++) {
                const struct adkcd_val *v = &img->before.v[k];

                diff_line(&b,
                          has_op(c, ADKCD_OP_DELETE, img->attr, v) &&
                                  !has_op(c, ADKCD_OP_ADD, img->attr, v)
                              ? "-"
                              : " ",
                          img->attr, v);
            }
            for (k = 0; k < img->after.n; k++) {
                const struct adkcd_val *v = &img->after.v[k];

                if (has_op(c, ADKCD_OP_ADD, img->attr, v) &&
                    !has_op(c, ADKCD_OP_DELETE, img->attr, v))
                    diff_line(&b, "+", img->attr, v);
            }
        }
    }
    free(order);
    *text_out = buf_take(&b);
    return *text_out != NULL ? ADKCD_OK : NOMEM(err);
}

adkcd_status
adkcd_plan_ldif(const struct adkcd_plan *plan, char **text_out,
                struct adkcd_err *err)
{
    struct buf b = {0};
    size_t *order = send_order(plan);
    size_t x, j;
    int first = 1;

    *text_out = NULL;
    if (order == NULL)
        return NOMEM(err);
    for (x = 0; x < plan->n; x++) {
        const struct adkcd_change *c = &plan->changes[order[x]];

        if (c->n_ops == 0)
            continue;
        if (!first)
            buf_puts(&b, "\n");
        first = 0;
        ldif_line(&b, "dn", c->dn, strlen(c->dn));
        buf_puts(&b, "changetype: modify\n");
        for (j = 0; j < c->n_ops; j++) {
            const struct adkcd_op *op = &c->ops[j];

            /* Consecutive ops of one kind on one attribute share a block. */
            if (j == 0 || op->kind != c->ops[j - 1].kind ||
                strcasecmp(op->attr, c->ops[j - 1].attr) != 0)
                buf_printf(&b, "%s: %s\n",
                           op->kind == ADKCD_OP_ADD ? "add" : "delete",
                           op->attr);
            ldif_line(&b, op->attr, op->value.data, op->value.len);
            if (j + 1 == c->n_ops || c->ops[j + 1].kind != op->kind ||
                strcasecmp(c->ops[j + 1].attr, op->attr) != 0)
                buf_puts(&b, "-\n");
        }
    }
    free(order);
    *text_out = buf_take(&b);
    return *text_out != NULL ? ADKCD_OK : NOMEM(err);
}
