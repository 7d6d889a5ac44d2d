/*
 * adkcd internal: batched directory lookups.  Many values are looked up
 * with a few searches whose filters OR up to ADKCD_LOOKUP_CHUNK terms, each
 * value escaped (RFC 4515); the decisions per name or per SPN are the same
 * functions the single lookups use.  Not part of the public API.
 */
#ifndef ADKCD_LOOKUP_H
#define ADKCD_LOOKUP_H

#include <stddef.h>
#include <stdlib.h>

#include "adkcd/account.h"
#include "adkcd/status.h"
#include "buf.h"
#include "ldapx.h"

/*
 * Terms of one OR filter at most.  The DC matches every entry a chunk
 * finds against the whole filter, so a larger chunk costs more per entry,
 * and a smaller one more searches: adkcd audit of 2,000 delegating
 * computers (about 4,400 services) on Samba took 219 ms with 200 terms,
 * 184 ms with 100 or 50, 203 ms with 25 (scripts/bench-bulk).
 */
#define ADKCD_LOOKUP_CHUNK 100

/*
 * Items from..n-1 need terms[i] filter terms each: the end (exclusive) of
 * the chunk that starts at from, holding as many whole items as fit in max
 * terms, and always at least one item.
 */
static inline size_t
adkcd_lookup_chunk_end(const size_t *terms, size_t from, size_t n, size_t max)
{
    size_t end = from, used = 0;

    while (end < n && (end == from || used + terms[end] <= max))
        used += terms[end++];
    return end;
}

/* Append "(attr=value)" to b, value escaped (RFC 4515). */
static inline void
adkcd_lookup_term(struct buf *b, const char *attr, const char *value)
{
    char *esc = adkcd_ldapx_filter_escape(value);

    if (esc == NULL) {
        b->failed = 1;
        return;
    }
    buf_printf(b, "(%s=%s)", attr, esc);
    free(esc);
}

/*
 * A search of one chunk, calling fn per entry.  Sent without the
 * paged-results control first: a chunk's result is small, and Samba
 * answers a paged search several times slower (0.24 s against 0.05 s for
 * 2,500 entries).  When the server limits an unpaged result (Windows DCs
 * stop at MaxPageSize, 1,000), the entries are dropped unseen and the
 * search is paged instead.
 */
static inline adkcd_status
adkcd_lookup_search(LDAP *ld, const char *base, int scope, const char *filter,
                    char **attrs, adkcd_ldapx_entry_func fn, void *ctx,
                    struct adkcd_err *err)
{
    LDAPMessage *res = NULL, *e;
    adkcd_status st = ADKCD_OK;
    int rc;

    rc = ldap_search_ext_s(ld, base, scope, filter, attrs, 0, NULL, NULL, NULL,
                           0, &res);
    if (rc == LDAP_SIZELIMIT_EXCEEDED || rc == LDAP_ADMINLIMIT_EXCEEDED) {
        ldap_msgfree(res);
        return adkcd_ldapx_search_paged(ld, base, scope, filter, attrs, 1000,
                                        fn, ctx, err);
    }
    if (rc != LDAP_SUCCESS && rc != LDAP_PARTIAL_RESULTS &&
        rc != LDAP_REFERRAL) {
        ldap_msgfree(res);
        return adkcd_ldapx_error(err, ld, rc, "searching %s for %s",
                                 base[0] ? base : "the forest", filter);
    }
    for (e = ldap_first_entry(ld, res); e != NULL && st == ADKCD_OK;
         e = ldap_next_entry(ld, e))
        st = fn(ctx, ld, e, err);
    ldap_msgfree(res);
    return st;
}

/*
 * Account resolution, the decision for one name from the candidates a
 * search returned (objects of class user, in the server's order), shared
 * by adkcd_account_resolve() and adkcd_account_resolve_many().
 *
 * A plain NAME or NAME$ (name is the part after DOMAIN\ when there is
 * one): cands are the accounts whose sAMAccountName is NAME$ or NAME, as
 * applicable to kind and to a trailing '$'.  On success *pick_out is the
 * index of the account chosen and how (how_size bytes) says why.  Not
 * found or ambiguous: ADKCD_E_NOTFOUND with the message of a single
 * lookup.  base is named in the "not found" message.
 */
adkcd_status
adkcd_account_pick_sam(const char *name, enum adkcd_account_kind kind,
                       const char *base, struct adkcd_account *const *cands,
                       size_t n, size_t *pick_out, char *how, size_t how_size,
                       struct adkcd_err *err);

/* Whether cand (a sAMAccountName) is one of the names that NAME looks for
 * with kind: NAME$ and/or NAME, case-insensitively. */
int
adkcd_account_sam_wanted(const char *name, enum adkcd_account_kind kind,
                         const char *cand);

/*
 * A lookup that must find exactly one account (UPN, DN, <GUID=...>):
 * ADKCD_E_NOTFOUND "no account WHAT" or "WHAT is ambiguous: ...".
 */
adkcd_status
adkcd_account_pick_one(const char *what, struct adkcd_account *const *cands,
                       size_t n, size_t *pick_out, struct adkcd_err *err);

/*
 * SPN holders: one directory entry (dn, its servicePrincipalName values)
 * against one SPN's equivalents (spn_text and its alias equivalents, as
 * adkcd_spn_equivalents() gives them).  Every value among the equivalents
 * is added to h (via_alias when it is not spn_text itself), unless dn is
 * exclude_dn (case-insensitive; may be NULL).
 */
struct adkcd_spn_holders;

adkcd_status
adkcd_spn_holders_match(struct adkcd_spn_holders *h, char *const *equivalents,
                        const char *spn_text, const char *exclude_dn,
                        const char *dn, char *const *values,
                        struct adkcd_err *err);

#endif /* ADKCD_LOOKUP_H */
