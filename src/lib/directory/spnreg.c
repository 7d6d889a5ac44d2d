/* adkcd: SPNs in the directory. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/spnreg.h"
#include "adkcd/strv.h"
#include "buf.h"
#include "ldapx.h"
#include "lookup.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/*
 * Resolve a scope to a connection and a search base: the forest is the
 * Global Catalog with base "" (every naming context it holds); a domain is
 * its naming context, on this DC when it is ours, else through the GC.
 */
static adkcd_status
scope_target(struct adkcd_conn *conn, const struct adkcd_scope *scope,
             LDAP **ld_out, char **base_out, struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    char *attrs[] = {"nCName", NULL};
    char *esc = NULL, *filter = NULL, *base = NULL;
    char part[1200];
    LDAPMessage *res = NULL, *e;
    adkcd_status st = ADKCD_OK;
    int rc;

    *ld_out = NULL;
    *base_out = NULL;
    if (scope->forest) {
        base = strdup("");
        if (base == NULL)
            return NOMEM(err);
        st = adkcd_conn_gc(conn, ld_out, err);
        if (st != ADKCD_OK) {
            free(base);
            return st;
        }
        *base_out = base;
        return ADKCD_OK;
    }
    if (scope->domain == NULL) {
        base = strdup(adkcd_conn_default_nc(conn));
        if (base == NULL)
            return NOMEM(err);
        *ld_out = ld;
        *base_out = base;
        return ADKCD_OK;
    }
    /* -T DOMAIN: the crossRef in CN=Partitions names the domain's NC by its
     * NetBIOS name or its DNS name. */
    esc = adkcd_ldapx_filter_escape(scope->domain);
    filter = esc ? malloc(2 * strlen(esc) + 128) : NULL;
    if (filter == NULL) {
        free(esc);
        return NOMEM(err);
    }
    sprintf(filter,
            "(&(objectClass=crossRef)(systemFlags:1.2.840.113556.1.4.803:=2)"
            "(|(nETBIOSName=%s)(dnsRoot=%s)))",
            esc, esc);
    snprintf(part, sizeof(part), "CN=Partitions,%s",
             adkcd_conn_config_nc(conn));
    rc = ldap_search_ext_s(ld, part, LDAP_SCOPE_ONELEVEL, filter, attrs, 0,
                           NULL, NULL, NULL, 0, &res);
    if (rc != LDAP_SUCCESS)
        st = adkcd_ldapx_error(err, ld, rc, "looking up domain '%s'",
                               scope->domain);
    e = st == ADKCD_OK ? ldap_first_entry(ld, res) : NULL;
    if (st == ADKCD_OK && e != NULL)
        base = adkcd_ldapx_value(ld, e, "nCName");
    if (st == ADKCD_OK && base == NULL)
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND,
                           "no domain '%s' in this forest (a domain is "
                           "named by its DNS or NetBIOS name)",
                           scope->domain);
    ldap_msgfree(res);
    free(esc);
    free(filter);
    if (st == ADKCD_OK) {
        if (strcasecmp(base, adkcd_conn_default_nc(conn)) == 0)
            *ld_out = ld;
        else
            st = adkcd_conn_gc(conn, ld_out, err);
    }
    if (st != ADKCD_OK) {
        free(base);
        return st;
    }
    *base_out = base;
    return ADKCD_OK;
}

adkcd_status
adkcd_scope_describe(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                     char **text_out, struct adkcd_err *err)
{
    LDAP *ld = NULL;
    char *base = NULL;
    struct buf b = {0};
    adkcd_status st;

    *text_out = NULL;
    st = scope_target(conn, scope, &ld, &base, err);
    if (st != ADKCD_OK)
        return st;
    if (scope->forest)
        buf_puts(&b, "forest (Global Catalog)");
    else
        buf_printf(&b, "domain %s", base);
    free(base);
    *text_out = buf_take(&b);
    return *text_out != NULL ? ADKCD_OK : NOMEM(err);
}

adkcd_status
adkcd_spn_read_mappings(struct adkcd_conn *conn,
                        struct adkcd_spn_mappings **m_out,
                        struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    char dn[1200];
    char *attrs[] = {"sPNMappings", NULL};
    char **values = NULL;
    LDAPMessage *res = NULL, *e = NULL;
    adkcd_status st;

    *m_out = NULL;
    snprintf(dn, sizeof(dn),
             "CN=Directory Service,CN=Windows NT,CN=Services,%s",
             adkcd_conn_config_nc(conn));
    st = adkcd_ldapx_read(ld, dn, "(objectClass=*)", attrs, &res, &e, err);
    if (st == ADKCD_OK && e != NULL)
        st = adkcd_ldapx_values(ld, e, "sPNMappings", &values, NULL, err);
    ldap_msgfree(res);
    if (st == ADKCD_OK)
        st = adkcd_spn_mappings_parse(values, m_out, err);
    adkcd_strv_free(values);
    return st;
}

void
adkcd_spn_holders_free(struct adkcd_spn_holders *h)
{
    size_t i;

    if (h == NULL)
        return;
    for (i = 0; i < h->n; i++) {
        free(h->v[i].dn);
        free(h->v[i].value);
    }
    free(h->v);
    free(h);
}

static adkcd_status
add_holder(struct adkcd_spn_holders *h, const char *dn, const char *value,
           int via_alias, struct adkcd_err *err)
{
    struct adkcd_spn_holder *v = realloc(h->v, (h->n + 1) * sizeof(*v));

    if (v == NULL)
        return NOMEM(err);
    h->v = v;
    v[h->n].dn = strdup(dn);
    v[h->n].value = strdup(value);
    v[h->n].via_alias = via_alias;
    if (v[h->n].dn == NULL || v[h->n].value == NULL) {
        free(v[h->n].dn);
        free(v[h->n].value);
        return NOMEM(err);
    }
    h->n++;
    return ADKCD_OK;
}

adkcd_status
adkcd_spn_holders_match(struct adkcd_spn_holders *h, char *const *equivalents,
                        const char *spn_text, const char *exclude_dn,
                        const char *dn, char *const *values,
                        struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t i;

    if (exclude_dn != NULL && strcasecmp(dn, exclude_dn) == 0)
        return ADKCD_OK;
    for (i = 0; st == ADKCD_OK && values != NULL && values[i] != NULL; i++) {
        if (adkcd_strv_find_nocase(equivalents, values[i]) >= 0)
            st = add_holder(h, dn, values[i],
                            strcasecmp(values[i], spn_text) != 0, err);
    }
    return st;
}

/* One SPN of a batched holder search. */
struct holders_req {
    struct adkcd_spn_holders *h;
    char **equivalents;
    const char *spn;
    const char *exclude_dn;
};

/* A filter term of a chunk and the SPN it is an equivalent of. */
struct holders_term {
    const char *value;
    size_t req;
};

struct holders_ctx {
    struct holders_req *reqs;
    struct holders_term *terms; /* of the chunk, sorted by value */
    size_t n_terms;
};

static int
cmp_term(const void *a, const void *b)
{
    const struct holders_term *x = a, *y = b;
    int c = strcasecmp(x->value, y->value);

    if (c != 0)
        return c;
    return x->req < y->req ? -1 : x->req > y->req;
}

/*
 * One entry of a chunk: for each SPN of the chunk with a value of the
 * entry among its equivalents, the same holders as a search for that SPN
 * alone (adkcd_spn_holders_match(), in value order).
 */
static adkcd_status
holder_entry(void *vctx, LDAP *ld, LDAPMessage *e, struct adkcd_err *err)
{
    struct holders_ctx *ctx = vctx;
    char **spns = NULL;
    char *dn = ldap_get_dn(ld, e);
    size_t *hit = NULL, n_hit = 0, i, j, lo, hi;
    adkcd_status st;

    if (dn == NULL)
        return NOMEM(err);
    st = adkcd_ldapx_values(ld, e, "servicePrincipalName", &spns, NULL, err);
    /* The SPNs this entry holds a value of, in the order of the chunk. */
    for (i = 0; st == ADKCD_OK && spns != NULL && spns[i] != NULL; i++) {
        lo = 0;
        hi = ctx->n_terms;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (strcasecmp(ctx->terms[mid].value, spns[i]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < ctx->n_terms &&
               strcasecmp(ctx->terms[lo].value, spns[i]) == 0;
             lo++) {
            size_t r = ctx->terms[lo].req, *v;

            for (j = 0; j < n_hit && hit[j] != r; j++)
                ;
            if (j < n_hit)
                continue;
            v = realloc(hit, (n_hit + 1) * sizeof(*v));
            if (v == NULL) {
                st = NOMEM(err);
                break;
            }
            hit = v;
            hit[n_hit++] = r;
        }
    }
    for (j = 0; st == ADKCD_OK && j < n_hit; j++) {
        const struct holders_req *r = &ctx->reqs[hit[j]];

        st = adkcd_spn_holders_match(r->h, r->equivalents, r->spn,
                                     r->exclude_dn, dn, spns, err);
    }
    free(hit);
    adkcd_strv_free(spns);
    ldap_memfree(dn);
    return st;
}

/* A request's place in the order of the searches. */
struct by_host {
    const char *host;
    size_t req;
};

static int
cmp_by_host(const void *a, const void *b)
{
    const struct by_host *x = a, *y = b;
    int c = strcasecmp(x->host, y->host);

    if (c != 0)
        return c;
    return x->req < y->req ? -1 : x->req > y->req;
}

adkcd_status
adkcd_spn_find_holders_many(struct adkcd_conn *conn,
                            const struct adkcd_scope *scope,
                            const struct adkcd_spn *const *spns, size_t n,
                            const struct adkcd_spn_mappings *m,
                            const char *const *exclude_dns,
                            struct adkcd_spn_holders **h_out,
                            struct adkcd_err *err)
{
    char *attrs[] = {"servicePrincipalName", NULL};
    struct holders_ctx ctx = {0};
    struct holders_req *reqs = NULL;
    struct by_host *order = NULL;
    size_t *terms = NULL, i, j, k, end;
    char *filter = NULL, *base = NULL;
    LDAP *ld = NULL;
    adkcd_status st = ADKCD_OK;

    for (i = 0; i < n; i++)
        h_out[i] = NULL;
    if (n == 0)
        return ADKCD_OK;
    reqs = calloc(n, sizeof(*reqs));
    terms = calloc(n, sizeof(*terms));
    order = calloc(n, sizeof(*order));
    if (reqs == NULL || terms == NULL || order == NULL) {
        st = NOMEM(err);
        goto cleanup;
    }
    for (i = 0; i < n && st == ADKCD_OK; i++) {
        order[i].host = spns[i]->host;
        order[i].req = i;
        reqs[i].spn = spns[i]->text;
        reqs[i].exclude_dn = exclude_dns != NULL ? exclude_dns[i] : NULL;
        reqs[i].h = calloc(1, sizeof(*reqs[i].h));
        if (reqs[i].h == NULL)
            st = NOMEM(err);
        else
            st = adkcd_spn_equivalents(spns[i], m, &reqs[i].equivalents, err);
    }
    /* The SPNs of one host together: an account holding several of them
     * is returned once, and their host/ aliases are one filter term. */
    qsort(order, n, sizeof(*order), cmp_by_host);
    for (i = 0; i < n; i++)
        terms[i] = adkcd_strv_len(reqs[order[i].req].equivalents);
    if (st == ADKCD_OK)
        st = scope_target(conn, scope, &ld, &base, err);
    ctx.reqs = reqs;
    for (i = 0; i < n && st == ADKCD_OK; i = end) {
        struct buf f = {0};

        end = adkcd_lookup_chunk_end(terms, i, n, ADKCD_LOOKUP_CHUNK);
        /* The chunk's equivalents, sorted, each value once in the
         * filter. */
        ctx.n_terms = 0;
        for (j = i; j < end; j++)
            ctx.n_terms += terms[j];
        free(ctx.terms);
        ctx.terms =
            malloc((ctx.n_terms ? ctx.n_terms : 1) * sizeof(*ctx.terms));
        if (ctx.terms == NULL) {
            st = NOMEM(err);
            break;
        }
        ctx.n_terms = 0;
        for (j = i; j < end; j++)
            for (k = 0; k < terms[j]; k++) {
                size_t r = order[j].req;

                ctx.terms[ctx.n_terms].value = reqs[r].equivalents[k];
                ctx.terms[ctx.n_terms++].req = r;
            }
        qsort(ctx.terms, ctx.n_terms, sizeof(*ctx.terms), cmp_term);
        buf_puts(&f, "(|");
        for (k = 0; k < ctx.n_terms; k++)
            if (k == 0 ||
                strcasecmp(ctx.terms[k - 1].value, ctx.terms[k].value) != 0)
                adkcd_lookup_term(&f, "servicePrincipalName",
                                  ctx.terms[k].value);
        buf_puts(&f, ")");
        filter = buf_take(&f);
        if (filter == NULL) {
            st = NOMEM(err);
            break;
        }
        st = adkcd_lookup_search(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs,
                                 holder_entry, &ctx, err);
        free(filter);
        filter = NULL;
    }
cleanup:
    for (i = 0; reqs != NULL && i < n; i++) {
        adkcd_strv_free(reqs[i].equivalents);
        if (st == ADKCD_OK)
            h_out[i] = reqs[i].h;
        else
            adkcd_spn_holders_free(reqs[i].h);
    }
    free(ctx.terms);
    free(reqs);
    free(terms);
    free(order);
    free(base);
    return st;
}

adkcd_status
adkcd_spn_find_holders(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                       const struct adkcd_spn *spn,
                       const struct adkcd_spn_mappings *m,
                       const char *exclude_dn, struct adkcd_spn_holders **h_out,
                       struct adkcd_err *err)
{
    const struct adkcd_spn *spns[1] = {spn};
    const char *const excl[1] = {exclude_dn};

    return adkcd_spn_find_holders_many(conn, scope, spns, 1, m, excl, h_out,
                                       err);
}

/* A setspn -Q pattern as a filter value: escape everything but '*'. */
static char *
pattern_filter(const char *pattern)
{
    struct buf b = {0};
    const char *p = pattern, *star;

    buf_puts(&b, "(servicePrincipalName=");
    while (*p != '\0') {
        char *piece, *esc;

        star = strchr(p, '*');
        piece = strndup(p, star ? (size_t)(star - p) : strlen(p));
        esc = piece ? adkcd_ldapx_filter_escape(piece) : NULL;
        if (esc == NULL)
            b.failed = 1;
        else
            buf_puts(&b, esc);
        free(piece);
        free(esc);
        if (star == NULL)
            break;
        /* Collapse runs of '*': "**" is not a valid substring filter. */
        if (b.len == 0 || b.s == NULL || b.s[b.len - 1] != '*')
            buf_puts(&b, "*");
        p = star + 1;
    }
    buf_puts(&b, ")");
    return buf_take(&b);
}

struct query_ctx {
    const char *pattern;
    adkcd_spn_query_func fn;
    void *ctx;
    size_t count;
};

static adkcd_status
query_entry(void *vctx, LDAP *ld, LDAPMessage *e, struct adkcd_err *err)
{
    struct query_ctx *q = vctx;
    char **spns = NULL, **matched = NULL;
    char *dn = ldap_get_dn(ld, e);
    adkcd_status st;
    size_t i;

    if (dn == NULL)
        return NOMEM(err);
    st = adkcd_ldapx_values(ld, e, "servicePrincipalName", &spns, NULL, err);
    for (i = 0; st == ADKCD_OK && spns != NULL && spns[i] != NULL; i++) {
        if (adkcd_spn_match(q->pattern, spns[i]) &&
            adkcd_strv_add(&matched, spns[i]) != 0)
            st = NOMEM(err);
    }
    /* The server matched the filter; our glob decides what to show. */
    if (st == ADKCD_OK && matched != NULL) {
        q->count++;
        st = q->fn(q->ctx, dn, spns, matched, err);
    }
    adkcd_strv_free(spns);
    adkcd_strv_free(matched);
    ldap_memfree(dn);
    return st;
}

adkcd_status
adkcd_spn_query(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                const char *pattern, adkcd_spn_query_func fn, void *ctx,
                size_t *count_out, struct adkcd_err *err)
{
    char *attrs[] = {"servicePrincipalName", NULL};
    struct query_ctx q = {pattern, fn, ctx, 0};
    char *filter = NULL, *base = NULL;
    LDAP *ld = NULL;
    adkcd_status st;

    if (count_out != NULL)
        *count_out = 0;
    st = adkcd_spn_pattern_check(pattern, err);
    if (st != ADKCD_OK)
        return st;
    if (strspn(pattern, "*") == strlen(pattern))
        pattern = "*"; /* "every SPN" */
    filter = pattern_filter(pattern);
    if (filter == NULL)
        return NOMEM(err);
    st = scope_target(conn, scope, &ld, &base, err);
    if (st == ADKCD_OK)
        st = adkcd_ldapx_search_paged(ld, base, LDAP_SCOPE_SUBTREE, filter,
                                      attrs, 500, query_entry, &q, err);
    free(filter);
    free(base);
    if (count_out != NULL)
        *count_out = q.count;
    return st;
}

/* Duplicate scan: (SPN, holder) pairs, sorted by SPN afterwards. */
struct pair {
    char *spn; /* as stored */
    size_t dn; /* index into dns */
};

struct dup_ctx {
    struct pair *pairs;
    size_t n, cap;
    char **dns;
    size_t n_dns, cap_dns;
    adkcd_progress_func progress;
    void *ctx;
};

static adkcd_status
dup_entry(void *vctx, LDAP *ld, LDAPMessage *e, struct adkcd_err *err)
{
    struct dup_ctx *d = vctx;
    char **spns = NULL;
    char *dn = ldap_get_dn(ld, e);
    adkcd_status st;
    size_t i;

    if (dn == NULL)
        return NOMEM(err);
    if (d->n_dns == d->cap_dns) {
        size_t cap = d->cap_dns ? 2 * d->cap_dns : 256;
        char **v = realloc(d->dns, cap * sizeof(*v));

        if (v == NULL) {
            ldap_memfree(dn);
            return NOMEM(err);
        }
        d->dns = v;
        d->cap_dns = cap;
    }
    d->dns[d->n_dns] = strdup(dn);
    ldap_memfree(dn);
    if (d->dns[d->n_dns] == NULL)
        return NOMEM(err);
    d->n_dns++;
    st = adkcd_ldapx_values(ld, e, "servicePrincipalName", &spns, NULL, err);
    for (i = 0; st == ADKCD_OK && spns != NULL && spns[i] != NULL; i++) {
        if (d->n == d->cap) {
            size_t cap = d->cap ? 2 * d->cap : 1024;
            struct pair *v = realloc(d->pairs, cap * sizeof(*v));

            if (v == NULL) {
                st = NOMEM(err);
                break;
            }
            d->pairs = v;
            d->cap = cap;
        }
        /* Move the string out of the strv rather than copying it. */
        d->pairs[d->n].spn = spns[i];
        spns[i] = NULL;
        d->pairs[d->n].dn = d->n_dns - 1;
        d->n++;
    }
    if (spns != NULL) {
        /* On error, free what was not moved; the array itself always. */
        for (; spns[i] != NULL; i++)
            free(spns[i]);
        free(spns);
    }
    if (d->progress != NULL)
        d->progress(d->ctx, d->n);
    return st;
}

static int
cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int c = strcasecmp(x->spn, y->spn);

    if (c != 0)
        return c;
    /* Ties (one SPN in several spellings or on several accounts): a
     * deterministic order, whatever order the server returned. */
    c = strcmp(x->spn, y->spn);
    if (c != 0)
        return c;
    return x->dn < y->dn ? -1 : x->dn > y->dn;
}

adkcd_status
adkcd_spn_duplicates(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                     adkcd_progress_func progress, void *progress_ctx,
                     adkcd_spn_dup_func fn, void *ctx, size_t *count_out,
                     size_t *seen_out, struct adkcd_err *err)
{
    char *attrs[] = {"servicePrincipalName", NULL};
    struct dup_ctx d = {0};
    char *base = NULL;
    LDAP *ld = NULL;
    adkcd_status st;
    size_t i, j, k, count = 0;

    d.progress = progress;
    d.ctx = progress_ctx;
    st = scope_target(conn, scope, &ld, &base, err);
    if (st == ADKCD_OK)
        st = adkcd_ldapx_search_paged(ld, base, LDAP_SCOPE_SUBTREE,
                                      "(servicePrincipalName=*)", attrs, 500,
                                      dup_entry, &d, err);
    if (st == ADKCD_OK)
        qsort(d.pairs, d.n, sizeof(*d.pairs), cmp_pair);
    for (i = 0; st == ADKCD_OK && i < d.n; i = j) {
        for (j = i + 1;
             j < d.n && strcasecmp(d.pairs[i].spn, d.pairs[j].spn) == 0; j++)
            ;
        if (j - i > 1) {
            char **dns = NULL, **values = NULL, *label = NULL;

            for (k = i; k < j && st == ADKCD_OK; k++) {
                if (adkcd_strv_add(&dns, d.dns[d.pairs[k].dn]) != 0 ||
                    adkcd_strv_add(&values, d.pairs[k].spn) != 0)
                    st = NOMEM(err);
            }
            count++;
            /* Name the group by its lower-case form: each holder's own
             * spelling goes with it in values. */
            label = strdup(d.pairs[i].spn);
            if (label == NULL)
                st = NOMEM(err);
            for (k = 0; label != NULL && label[k] != '\0'; k++)
                label[k] = (char)tolower((unsigned char)label[k]);
            if (st == ADKCD_OK)
                st = fn(ctx, label, dns, values, err);
            free(label);
            adkcd_strv_free(dns);
            adkcd_strv_free(values);
        }
    }
    if (count_out != NULL)
        *count_out = count;
    if (seen_out != NULL)
        *seen_out = d.n;
    for (i = 0; i < d.n; i++)
        free(d.pairs[i].spn);
    free(d.pairs);
    for (i = 0; i < d.n_dns; i++)
        free(d.dns[i]);
    free(d.dns);
    free(base);
    return st;
}

adkcd_status
adkcd_spn_reset_names(struct adkcd_conn *conn, const struct adkcd_account *acct,
                      char ***spns_out, struct adkcd_err *err)
{
    char **v = NULL;
    char *name = NULL;
    char buf2[1200];
    size_t len;
    adkcd_status st = ADKCD_OK;

    *spns_out = NULL;
    if (!acct->is_computer)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "only a computer's HOST/ SPNs can be reset; %s "
                             "is a user account",
                             acct->dn);
    len = strlen(acct->sam);
    name = strndup(acct->sam,
                   len > 0 && acct->sam[len - 1] == '$' ? len - 1 : len);
    if (name == NULL)
        return NOMEM(err);
    snprintf(buf2, sizeof(buf2), "HOST/%s", name);
    if (adkcd_strv_add(&v, buf2) != 0)
        st = NOMEM(err);
    if (acct->dns_host_name != NULL && acct->dns_host_name[0] != '\0')
        snprintf(buf2, sizeof(buf2), "HOST/%s", acct->dns_host_name);
    else
        snprintf(buf2, sizeof(buf2), "HOST/%s.%s", name,
                 adkcd_conn_domain_dns(conn));
    for (len = 5; buf2[len] != '\0'; len++)
        buf2[len] = (char)tolower((unsigned char)buf2[len]);
    if (st == ADKCD_OK && adkcd_strv_add(&v, buf2) != 0)
        st = NOMEM(err);
    free(name);
    if (st != ADKCD_OK) {
        adkcd_strv_free(v);
        return st;
    }
    *spns_out = v;
    return ADKCD_OK;
}

adkcd_status
adkcd_spn_conflict(const struct adkcd_spn_holder *h, const char *spn,
                   const char *dn, struct adkcd_err *err)
{
    if (h->via_alias)
        return adkcd_err_set(err, ADKCD_E_CONFLICT,
                             "duplicate SPN: %s already holds %s, which the "
                             "KDC takes for the same service as %s (host "
                             "alias in sPNMappings; Windows DCs refuse this "
                             "since KB5008382): not adding it to %s",
                             h->dn, h->value, spn, dn);
    return adkcd_err_set(err, ADKCD_E_CONFLICT,
                         "duplicate SPN: %s already holds %s: not adding it "
                         "to %s",
                         h->dn, h->value, dn);
}

adkcd_status
adkcd_spn_check_unique(struct adkcd_conn *conn, const struct adkcd_scope *scope,
                       const struct adkcd_spn *spn,
                       const struct adkcd_spn_mappings *m, const char *dn,
                       struct adkcd_spn_holders **h_out, struct adkcd_err *err)
{
    struct adkcd_spn_holders *h = NULL;
    adkcd_status st;

    if (h_out != NULL)
        *h_out = NULL;
    st = adkcd_spn_find_holders(conn, scope, spn, m, dn, &h, err);
    if (st == ADKCD_OK && h->n > 0) {
        st = adkcd_spn_conflict(&h->v[0], spn->text, dn, err);
        if (h->n > 1)
            adkcd_err_prefix(err, "%zu conflicting holders", h->n);
    }
    if (h_out != NULL)
        *h_out = h;
    else
        adkcd_spn_holders_free(h);
    return st;
}
