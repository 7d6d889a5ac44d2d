/* adkcd: applying a plan to the directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/apply.h"
#include "adkcd/strv.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* One LDAPMod per operation: LDAP applies them in order within the one
 * modify, which is what makes delete-old/add-new a compare-and-swap. */
static adkcd_status
send_modify(LDAP *ld, const struct adkcd_change *c, struct adkcd_err *err)
{
    LDAPMod *mods = NULL, **modv = NULL;
    struct berval *bvs = NULL, **bvv = NULL;
    adkcd_status st = ADKCD_OK;
    size_t i;
    int rc;

    mods = calloc(c->n_ops, sizeof(*mods));
    modv = calloc(c->n_ops + 1, sizeof(*modv));
    bvs = calloc(c->n_ops, sizeof(*bvs));
    bvv = calloc(2 * c->n_ops, sizeof(*bvv));
    if (mods == NULL || modv == NULL || bvs == NULL || bvv == NULL) {
        st = NOMEM(err);
        goto cleanup;
    }
    for (i = 0; i < c->n_ops; i++) {
        bvs[i].bv_val = c->ops[i].value.data;
        bvs[i].bv_len = c->ops[i].value.len;
        bvv[2 * i] = &bvs[i];
        bvv[2 * i + 1] = NULL;
        mods[i].mod_op =
            LDAP_MOD_BVALUES |
            (c->ops[i].kind == ADKCD_OP_ADD ? LDAP_MOD_ADD : LDAP_MOD_DELETE);
        mods[i].mod_type = c->ops[i].attr;
        mods[i].mod_bvalues = &bvv[2 * i];
        modv[i] = &mods[i];
    }
    rc = ldap_modify_ext_s(ld, c->dn, modv, NULL, NULL);
    if (rc != LDAP_SUCCESS)
        st = adkcd_ldapx_error(err, ld, rc, "modifying %s", c->dn);
cleanup:
    free(mods);
    free(modv);
    free(bvs);
    free(bvv);
    return st;
}

/*
 * Read back the attributes c touched, on the same connection.  The server's
 * success already says the modify was applied, atomically; what is read
 * back can only differ when another writer changed the object in between,
 * so a difference is reported (read_differs), not treated as a failure, and
 * the after-images keep what this change left: that is what a rollback must
 * compare with, so as never to undo someone else's change silently.
 */
static adkcd_status
read_back(LDAP *ld, struct adkcd_change *c, struct adkcd_err *err)
{
    char **attrs = NULL;
    LDAPMessage *res = NULL, *e = NULL;
    adkcd_status st = ADKCD_OK;
    size_t i;

    for (i = 0; i < c->n_images && st == ADKCD_OK; i++) {
        if (adkcd_strv_add(&attrs, c->images[i].attr) != 0)
            st = NOMEM(err);
    }
    if (st == ADKCD_OK)
        st = adkcd_ldapx_read(ld, c->dn, "(objectClass=*)", attrs, &res, &e,
                              err);
    if (st == ADKCD_OK && e == NULL)
        st = adkcd_err_set(err, ADKCD_E_DIRECTORY,
                           "%s vanished right after it was modified", c->dn);
    for (i = 0; i < c->n_images && st == ADKCD_OK; i++) {
        struct adkcd_image *img = &c->images[i];
        int present = 0;

        adkcd_vals_clear(&img->read);
        st = adkcd_ldapx_vals(ld, e, img->attr, &img->read, &present, err);
        if (st != ADKCD_OK)
            break;
        img->have_read = 1;
        img->read_present = present;
        /* Ignoring case: the DC may fold it. */
        if (!adkcd_vals_same(&img->read, &img->after, ADKCD_CMP_NOCASE))
            c->read_differs = 1;
    }
    ldap_msgfree(res);
    adkcd_strv_free(attrs);
    return st;
}

adkcd_status
adkcd_apply(struct adkcd_conn *conn, struct adkcd_plan *plan,
            adkcd_applied_func applied, void *ctx, struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    adkcd_status st = ADKCD_OK;
    size_t i, done = 0, todo = 0;

    for (i = 0; i < plan->n; i++)
        todo += plan->changes[i].n_ops > 0;
    for (i = 0; i < plan->n && st == ADKCD_OK; i++) {
        struct adkcd_change *c = &plan->changes[i];

        if (c->n_ops == 0)
            continue;
        st = send_modify(ld, c, err);
        if (st != ADKCD_OK)
            break;
        /* The server has it: from here on the change is applied, whatever
         * the read-back says, and the journal must hear of it. */
        c->applied = 1;
        done++;
        st = read_back(ld, c, err);
        if (applied != NULL) {
            struct adkcd_err jerr;
            adkcd_status jst;

            adkcd_err_clear(&jerr);
            jst = applied(ctx, c, &jerr);
            if (jst != ADKCD_OK && st == ADKCD_OK) {
                /* The directory changed but the record of it did not: the
                 * worst place to stop, so say exactly that. */
                if (err != NULL) {
                    *err = jerr;
                    adkcd_err_prefix(err,
                                     "the change of %s WAS applied to the "
                                     "directory but could not be recorded "
                                     "(it cannot be rolled back from the "
                                     "journal; undo it by hand if needed)",
                                     c->dn);
                    err->status = ADKCD_E_PARTIAL;
                }
                st = ADKCD_E_PARTIAL;
            }
        }
    }
    if (st != ADKCD_OK && done > 0 && done < todo) {
        /* Some objects changed and some did not: say so in the category,
         * keeping the cause in the message. */
        adkcd_err_prefix(err, "%zu of %zu changes were applied, then", done,
                         todo);
        if (err != NULL)
            err->status = ADKCD_E_PARTIAL;
        st = ADKCD_E_PARTIAL;
    }
    return st;
}
