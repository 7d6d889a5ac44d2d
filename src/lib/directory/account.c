/* adkcd: finding the account an SPN or a delegation belongs to. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uuid/uuid.h>

#include "adkcd/account.h"
#include "adkcd/sd.h"
#include "adkcd/strv.h"
#include "buf.h"
#include "ldapx.h"
#include "lookup.h"

static char *account_attrs[] = {"sAMAccountName",
                                "userPrincipalName",
                                "dNSHostName",
                                "objectClass",
                                ADKCD_UAC_ATTR,
                                "servicePrincipalName",
                                "msDS-AllowedToDelegateTo",
                                ADKCD_KRBTGT_LINK_BL_ATTR,
                                "objectSid",
                                ADKCD_RBCD_ATTR,
                                NULL};

/* Matches users, computers, gMSAs and other security principals that can
 * hold SPNs (they all derive from the user class).  Only for the base read
 * of adkcd_account_reload(): searches read objectClass instead
 * (cands_add()). */
#define ACCOUNT_FILTER "(objectClass=user)"

void
adkcd_account_free(struct adkcd_account *a)
{
    if (a == NULL)
        return;
    free(a->input);
    free(a->dn);
    free(a->sam);
    free(a->upn);
    free(a->dns_host_name);
    free(a->how);
    adkcd_strv_free(a->spns);
    adkcd_strv_free(a->delegate_to);
    free(a->sid);
    free(a->rbcd.data);
    free(a);
}

/* The objectSid (as text) and the resource-based delegation descriptor
 * (as bytes) of an entry into a; replaces what a held. */
static adkcd_status
fill_binary(LDAP *ld, LDAPMessage *e, struct adkcd_account *a,
            struct adkcd_err *err)
{
    struct adkcd_vals v = {0, NULL};
    adkcd_status st;

    free(a->sid);
    a->sid = NULL;
    free(a->rbcd.data);
    a->rbcd.data = NULL;
    a->rbcd.len = 0;
    a->rbcd_present = 0;
    st = adkcd_ldapx_vals(ld, e, "objectSid", &v, NULL, err);
    if (st == ADKCD_OK && v.n > 0)
        st = adkcd_sid_to_string((const unsigned char *)v.v[0].data, v.v[0].len,
                                 NULL, &a->sid, err);
    adkcd_vals_clear(&v);
    if (st != ADKCD_OK)
        return st;
    st = adkcd_ldapx_vals(ld, e, ADKCD_RBCD_ATTR, &v, &a->rbcd_present, err);
    if (st == ADKCD_OK && v.n > 0) {
        /* Single-valued: the value is taken over. */
        a->rbcd = v.v[0];
        v.v[0].data = NULL;
    }
    adkcd_vals_clear(&v);
    return st;
}

/* Fill a from an entry; replaces what a held. */
static adkcd_status
fill(LDAP *ld, LDAPMessage *e, struct adkcd_account *a, struct adkcd_err *err)
{
    char **classes = NULL, **backlinks = NULL, *dn, *uac;
    adkcd_status st;

    dn = ldap_get_dn(ld, e);
    free(a->dn);
    a->dn = dn != NULL ? strdup(dn) : NULL;
    ldap_memfree(dn);
    free(a->sam);
    a->sam = adkcd_ldapx_value(ld, e, "sAMAccountName");
    free(a->upn);
    a->upn = adkcd_ldapx_value(ld, e, "userPrincipalName");
    free(a->dns_host_name);
    a->dns_host_name = adkcd_ldapx_value(ld, e, "dNSHostName");
    uac = adkcd_ldapx_value(ld, e, ADKCD_UAC_ATTR);
    a->has_uac = adkcd_uac_parse(uac, &a->uac) == 0;
    free(uac);
    /* What adkcd_uac_is_krbtgt() needs besides the name: whether a
     * read-only DC links to this account. */
    st = adkcd_ldapx_values(ld, e, ADKCD_KRBTGT_LINK_BL_ATTR, &backlinks, NULL,
                            err);
    if (st != ADKCD_OK)
        return st;
    a->rodc_linked = backlinks != NULL && backlinks[0] != NULL;
    adkcd_strv_free(backlinks);
    st = adkcd_ldapx_values(ld, e, "objectClass", &classes, NULL, err);
    if (st != ADKCD_OK)
        return st;
    a->is_computer = adkcd_strv_find_nocase(classes, "computer") >= 0;
    adkcd_strv_free(classes);
    adkcd_strv_free(a->spns);
    a->spns = NULL;
    st = adkcd_ldapx_values(ld, e, "servicePrincipalName", &a->spns,
                            &a->spns_present, err);
    if (st != ADKCD_OK)
        return st;
    adkcd_strv_free(a->delegate_to);
    a->delegate_to = NULL;
    st = adkcd_ldapx_values(ld, e, "msDS-AllowedToDelegateTo", &a->delegate_to,
                            &a->delegate_to_present, err);
    if (st != ADKCD_OK)
        return st;
    st = fill_binary(ld, e, a, err);
    if (st != ADKCD_OK)
        return st;
    if (a->dn == NULL || a->sam == NULL)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "the account entry has no sAMAccountName");
    return ADKCD_OK;
}

/* The candidates of a lookup: accounts, in the order the server returned
 * them. */
struct cands {
    struct adkcd_account **v;
    size_t n, cap;
};

static void
cands_clear(struct cands *c)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        adkcd_account_free(c->v[i]);
    free(c->v);
    memset(c, 0, sizeof(*c));
}

/*
 * Add entry e to c when it is an account: an object of class user (users,
 * computers, gMSAs).  The class is read, not filtered on: a filter that
 * starts with (objectClass=user) costs the DC about twice the CPU, and a
 * group or a contact with the name is dropped here as the filter did.
 */
static adkcd_status
cands_add(struct cands *c, LDAP *ld, LDAPMessage *e, struct adkcd_err *err)
{
    struct adkcd_account *a;
    char **classes = NULL;
    adkcd_status st;
    int is_user;

    st = adkcd_ldapx_values(ld, e, "objectClass", &classes, NULL, err);
    is_user = adkcd_strv_find_nocase(classes, "user") >= 0;
    adkcd_strv_free(classes);
    if (st != ADKCD_OK || !is_user)
        return st;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        struct adkcd_account **v = realloc(c->v, cap * sizeof(*v));

        if (v == NULL)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        c->v = v;
        c->cap = cap;
    }
    a = calloc(1, sizeof(*a));
    if (a == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    st = fill(ld, e, a, err);
    if (st != ADKCD_OK) {
        adkcd_account_free(a);
        return st;
    }
    c->v[c->n++] = a;
    return ADKCD_OK;
}

static adkcd_status
cands_entry(void *ctx, LDAP *ld, LDAPMessage *e, struct adkcd_err *err)
{
    return cands_add(ctx, ld, e, err);
}

/* A base read of dn into c (nothing when it does not exist). */
static adkcd_status
cands_read(LDAP *ld, const char *dn, struct cands *c, struct adkcd_err *err)
{
    LDAPMessage *res = NULL, *e;
    adkcd_status st = ADKCD_OK;
    int rc;

    rc = ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
                           account_attrs, 0, NULL, NULL, NULL, 0, &res);
    if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT)
        st = adkcd_ldapx_error(err, ld, rc, "reading %s", dn);
    e = st == ADKCD_OK && res != NULL ? ldap_first_entry(ld, res) : NULL;
    if (e != NULL)
        st = cands_add(c, ld, e, err);
    ldap_msgfree(res);
    return st;
}

/* A copy of a, for a name that picked it. */
static struct adkcd_account *
account_copy(const struct adkcd_account *a)
{
    struct adkcd_account *c = calloc(1, sizeof(*c));
    int bad = 0;

    if (c == NULL)
        return NULL;
    *c = *a;
    c->input = NULL;
    c->how = NULL;
#define COPY(f)                                                                \
    do {                                                                       \
        c->f = a->f != NULL ? strdup(a->f) : NULL;                             \
        bad |= a->f != NULL && c->f == NULL;                                   \
    } while (0)
    COPY(dn);
    COPY(sam);
    COPY(upn);
    COPY(dns_host_name);
    COPY(sid);
#undef COPY
    c->rbcd.data = NULL;
    if (a->rbcd.data != NULL) {
        c->rbcd.data = malloc(a->rbcd.len + 1);
        bad |= c->rbcd.data == NULL;
        if (c->rbcd.data != NULL)
            memcpy(c->rbcd.data, a->rbcd.data, a->rbcd.len + 1);
    }
    c->spns = a->spns != NULL ? adkcd_strv_dup(a->spns) : NULL;
    c->delegate_to =
        a->delegate_to != NULL ? adkcd_strv_dup(a->delegate_to) : NULL;
    bad |= (a->spns != NULL && c->spns == NULL) ||
           (a->delegate_to != NULL && c->delegate_to == NULL);
    if (bad) {
        adkcd_account_free(c);
        return NULL;
    }
    return c;
}

/* "WHAT is ambiguous", listing the candidates' DNs. */
static adkcd_status
ambiguous(struct adkcd_account *const *cands, size_t n, const char *what,
          struct adkcd_err *err)
{
    char list[700] = "";
    size_t i, used;

    for (i = 0; i < n; i++) {
        used = strlen(list);
        snprintf(list + used, sizeof(list) - used, "%s%s", used ? "; " : "",
                 cands[i]->dn);
    }
    return adkcd_err_set(err, ADKCD_E_NOTFOUND,
                         "%s is ambiguous: it matches %d accounts (%s); "
                         "give a DN, a UPN or <SID=...>",
                         what, (int)n, list);
}

adkcd_status
adkcd_account_pick_one(const char *what, struct adkcd_account *const *cands,
                       size_t n, size_t *pick_out, struct adkcd_err *err)
{
    if (n == 0)
        return adkcd_err_set(err, ADKCD_E_NOTFOUND, "no account %s", what);
    if (n > 1)
        return ambiguous(cands, n, what, err);
    *pick_out = 0;
    return ADKCD_OK;
}

/* NAME without its trailing '$' is the first blen bytes of name. */
static size_t
sam_bare_len(const char *name, int *dollar)
{
    size_t len = strlen(name);

    *dollar = len > 1 && name[len - 1] == '$';
    return *dollar ? len - 1 : len;
}

/* sam is NAME (the first blen bytes of name), followed by '$' when
 * computer is set. */
static int
sam_is(const char *sam, const char *name, size_t blen, int computer)
{
    return sam != NULL && strlen(sam) == blen + (computer ? 1 : 0) &&
           strncasecmp(sam, name, blen) == 0 && (!computer || sam[blen] == '$');
}

int
adkcd_account_sam_wanted(const char *name, enum adkcd_account_kind kind,
                         const char *cand)
{
    int dollar;
    size_t blen = sam_bare_len(name, &dollar);

    if (dollar || kind == ADKCD_ACCOUNT_COMPUTER)
        return sam_is(cand, name, blen, 1);
    if (kind == ADKCD_ACCOUNT_USER)
        return sam_is(cand, name, blen, 0);
    return sam_is(cand, name, blen, 1) || sam_is(cand, name, blen, 0);
}

/* A plain NAME or NAME$, from the accounts named NAME$ or NAME: the
 * computer first, as setspn does. */
adkcd_status
adkcd_account_pick_sam(const char *name, enum adkcd_account_kind kind,
                       const char *base, struct adkcd_account *const *cands,
                       size_t n, size_t *pick_out, char *how, size_t how_size,
                       struct adkcd_err *err)
{
    int dollar;
    size_t blen = sam_bare_len(name, &dollar), i, n_c = 0, n_u = 0;
    size_t pick_c = 0, pick_u = 0;
    int b = (int)blen;

    for (i = 0; i < n; i++) {
        if (sam_is(cands[i]->sam, name, blen, 1)) {
            n_c++;
            pick_c = i;
        } else if (sam_is(cands[i]->sam, name, blen, 0)) {
            n_u++;
            pick_u = i;
        }
    }
    if (kind == ADKCD_ACCOUNT_USER && !dollar)
        n_c = 0;
    if (dollar || kind == ADKCD_ACCOUNT_COMPUTER)
        n_u = 0;
    if (n_c > 1 || (n_c == 0 && n_u > 1))
        return ambiguous(cands, n, name, err);
    if (n_c == 1) {
        snprintf(how, how_size, "computer %.*s$", b, name);
        *pick_out = pick_c;
    } else if (n_u == 1) {
        if (kind == ADKCD_ACCOUNT_ANY)
            snprintf(how, how_size, "user %.*s, as no computer %.*s$ exists", b,
                     name, b, name);
        else
            snprintf(how, how_size, "user %.*s", b, name);
        *pick_out = pick_u;
    } else if (dollar || kind == ADKCD_ACCOUNT_COMPUTER) {
        return adkcd_err_set(err, ADKCD_E_NOTFOUND,
                             "no computer account '%.*s$' in %s", b, name,
                             base);
    } else if (kind == ADKCD_ACCOUNT_USER) {
        return adkcd_err_set(err, ADKCD_E_NOTFOUND,
                             "no user account '%.*s' in %s", b, name, base);
    } else {
        return adkcd_err_set(err, ADKCD_E_NOTFOUND,
                             "no computer '%.*s$' or user '%.*s' in %s", b,
                             name, b, name, base);
    }
    return ADKCD_OK;
}

/* DOMAIN\NAME: the names of this DC's domain (NetBIOS and DNS, from its
 * crossRef), read once per lookup. */
struct domain_names {
    int read;
    char *nb, *dns;
};

static adkcd_status
read_domain_names(struct adkcd_conn *conn, struct domain_names *d,
                  struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    char base[1200], filter[1200];
    char *attrs[] = {"nETBIOSName", "dnsRoot", NULL};
    char *nc = adkcd_ldapx_filter_escape(adkcd_conn_default_nc(conn));
    LDAPMessage *res = NULL, *e;
    int rc;

    if (nc == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    snprintf(base, sizeof(base), "CN=Partitions,%s",
             adkcd_conn_config_nc(conn));
    snprintf(filter, sizeof(filter), "(&(objectClass=crossRef)(nCName=%s))",
             nc);
    free(nc);
    rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_ONELEVEL, filter, attrs, 0,
                           NULL, NULL, NULL, 0, &res);
    if (rc != LDAP_SUCCESS) {
        ldap_msgfree(res);
        return adkcd_ldapx_error(err, ld, rc, "reading the domain's names");
    }
    e = ldap_first_entry(ld, res);
    if (e != NULL) {
        d->nb = adkcd_ldapx_value(ld, e, "nETBIOSName");
        d->dns = adkcd_ldapx_value(ld, e, "dnsRoot");
    }
    ldap_msgfree(res);
    d->read = 1;
    return ADKCD_OK;
}

/* DOMAIN must be this DC's domain (NetBIOS or DNS name). */
static adkcd_status
check_domain(struct adkcd_conn *conn, const struct domain_names *d,
             const char *domain, int domain_len, struct adkcd_err *err)
{
    const char *own = adkcd_conn_domain_dns(conn);

#define IS(s)                                                                  \
    ((s) != NULL && strlen(s) == (size_t)domain_len &&                         \
     strncasecmp((s), domain, (size_t)domain_len) == 0)
    if (IS(d->nb) || IS(d->dns) || IS(own))
        return ADKCD_OK;
#undef IS
    adkcd_err_set(err, ADKCD_E_NOTFOUND,
                  "domain '%.*s' is not the domain of %s (%s, %s): connect "
                  "to a DC of '%.*s'",
                  domain_len, domain, adkcd_conn_uri(conn), d->nb ? d->nb : "?",
                  own, domain_len, domain);
    adkcd_err_hint(err, ADKCD_HINT_SERVER);
    return ADKCD_E_NOTFOUND;
}

static int
looks_like_dn(const char *name)
{
    LDAPDN dn = NULL;
    int ok;

    if (strchr(name, '=') == NULL)
        return 0;
    ok = ldap_str2dn(name, &dn, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
         dn != NULL;
    ldap_dnfree(dn);
    return ok;
}

/* How a name is looked up. */
enum form {
    FORM_DONE = 0, /* failed already (its status is set) */
    FORM_BASE,     /* <GUID=...>, <SID=...> or a DN: a base read */
    FORM_UPN,      /* user@upn */
    FORM_SAM,      /* NAME, NAME$, DOMAIN\NAME */
};

struct req {
    const char *name;
    enum adkcd_account_kind kind;
    enum form form;
    const char *sam; /* FORM_SAM: NAME (after DOMAIN\) */
    int say_class;   /* "how" names the class found (not a NAME) */
    size_t terms;    /* filter terms (FORM_UPN, FORM_SAM) */
};

/* Classify name; a name that cannot be an account, or of another domain,
 * fails here (*name_err) without a search. */
static adkcd_status
classify(struct adkcd_conn *conn, struct req *r, struct domain_names *d,
         struct adkcd_err *name_err, struct adkcd_err *err)
{
    const char *name = r->name, *bs;
    int dollar;
    adkcd_status st;

    r->form = FORM_DONE;
    st = adkcd_account_check_name(name, name ? strlen(name) : 0, name_err);
    /* A NULL name is refused too ("empty account name"). */
    if (st != ADKCD_OK || name == NULL)
        return ADKCD_OK;
    bs = strchr(name, '\\');
    r->say_class = name[0] == '<' || looks_like_dn(name) ||
                   (bs == NULL && strchr(name, '@') != NULL);
    if (name[0] == '<') {
        r->form = FORM_BASE;
    } else if (bs != NULL) {
        if (bs == name || bs[1] == '\0') {
            adkcd_err_set(name_err, ADKCD_E_USAGE,
                          "malformed '%s': expected DOMAIN\\NAME", name);
            return ADKCD_OK;
        }
        if (!d->read) {
            st = read_domain_names(conn, d, err);
            if (st != ADKCD_OK)
                return st;
        }
        if (check_domain(conn, d, name, (int)(bs - name), name_err) != ADKCD_OK)
            return ADKCD_OK;
        r->form = FORM_SAM;
        r->sam = bs + 1;
    } else if (looks_like_dn(name)) {
        r->form = FORM_BASE;
    } else if (strchr(name, '@') != NULL) {
        r->form = FORM_UPN;
        r->terms = 1;
    } else {
        r->form = FORM_SAM;
        r->sam = name;
    }
    if (r->form == FORM_SAM) {
        (void)sam_bare_len(r->sam, &dollar);
        r->terms = dollar || r->kind != ADKCD_ACCOUNT_ANY ? 1 : 2;
    }
    return ADKCD_OK;
}

/* The filter terms of r. */
static void
req_terms(const struct req *r, struct buf *f)
{
    int dollar;
    size_t blen;
    char *comp;

    if (r->form == FORM_UPN) {
        adkcd_lookup_term(f, "userPrincipalName", r->name);
        return;
    }
    blen = sam_bare_len(r->sam, &dollar);
    comp = malloc(blen + 2);
    if (comp == NULL) {
        f->failed = 1;
        return;
    }
    memcpy(comp, r->sam, blen);
    comp[blen] = '$';
    comp[blen + 1] = '\0';
    if (dollar || r->kind != ADKCD_ACCOUNT_USER)
        adkcd_lookup_term(f, "sAMAccountName", comp);
    comp[blen] = '\0';
    if (!dollar && r->kind != ADKCD_ACCOUNT_COMPUTER)
        adkcd_lookup_term(f, "sAMAccountName", comp);
    free(comp);
}

/*
 * The decision for r from the candidates of its search (those that are
 * not its own are skipped; mine has room for all of them), and the checks that
 * hold whatever the form: -C / -U also hold for DNs, UPNs and SIDs.  *acct_out
 * is a new account.
 */
static adkcd_status
decide(struct adkcd_conn *conn, const struct req *r, const struct cands *c,
       struct adkcd_account **mine, struct adkcd_account **acct_out,
       struct adkcd_err *err)
{
    const char *base = adkcd_conn_default_nc(conn);
    struct adkcd_account *a = NULL;
    char how[1200], what[1200];
    size_t i, n = 0, pick = 0;
    adkcd_status st;

    *acct_out = NULL;
    for (i = 0; i < c->n; i++) {
        const struct adkcd_account *x = c->v[i];

        if (r->form == FORM_BASE ||
            (r->form == FORM_UPN && x->upn != NULL &&
             strcasecmp(x->upn, r->name) == 0) ||
            (r->form == FORM_SAM &&
             adkcd_account_sam_wanted(r->sam, r->kind, x->sam)))
            mine[n++] = c->v[i];
    }
    if (r->form == FORM_SAM) {
        st = adkcd_account_pick_sam(r->sam, r->kind, base, mine, n, &pick, how,
                                    sizeof(how), err);
    } else {
        if (r->name[0] == '<')
            snprintf(what, sizeof(what), "with %s", r->name);
        else if (r->form == FORM_BASE)
            snprintf(what, sizeof(what), "at DN '%s'", r->name);
        else
            snprintf(what, sizeof(what), "with UPN '%s' in %s", r->name, base);
        st = adkcd_account_pick_one(what, mine, n, &pick, err);
    }
    if (st != ADKCD_OK)
        return st;
    a = mine[pick];
    if (r->kind == ADKCD_ACCOUNT_COMPUTER && !a->is_computer)
        return adkcd_err_set(err, ADKCD_E_NOTFOUND,
                             "%s is a user account, not a computer account",
                             a->dn);
    if (r->kind == ADKCD_ACCOUNT_USER && a->is_computer)
        return adkcd_err_set(err, ADKCD_E_NOTFOUND,
                             "%s is a computer account, not a user account",
                             a->dn);
    /* Say what the object turned out to be. */
    if (r->say_class)
        snprintf(how, sizeof(how), "%s %s", adkcd_account_class(a), a->sam);
    a = account_copy(a);
    if (a == NULL || (a->input = strdup(r->name)) == NULL ||
        (a->how = strdup(how)) == NULL) {
        adkcd_account_free(a);
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    *acct_out = a;
    return ADKCD_OK;
}

/* Room for n pointers in *tmp. */
static adkcd_status
tmp_fit(struct adkcd_account ***tmp, size_t n, struct adkcd_err *err)
{
    struct adkcd_account **v = realloc(*tmp, (n > 0 ? n : 1) * sizeof(*v));

    if (v == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    *tmp = v;
    return ADKCD_OK;
}

/* Failures of a name's own read are that name's; these are everyone's. */
static int
fatal(adkcd_status st)
{
    return st == ADKCD_E_NOMEM || st == ADKCD_E_CONNECT || st == ADKCD_E_AUTH;
}

adkcd_status
adkcd_account_resolve_many(struct adkcd_conn *conn, const char *const *names,
                           const enum adkcd_account_kind *kinds, size_t n,
                           struct adkcd_account **accts_out,
                           struct adkcd_err *errs, struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    const char *base = adkcd_conn_default_nc(conn);
    struct domain_names d = {0};
    struct req *reqs = NULL;
    struct adkcd_account **tmp = NULL;
    size_t *terms = NULL, *order = NULL, n_batch = 0, i, j, k, end;
    struct cands c = {0};
    struct buf f = {0};
    char *filter = NULL;
    adkcd_status st = ADKCD_OK;

    for (i = 0; i < n; i++) {
        accts_out[i] = NULL;
        adkcd_err_clear(&errs[i]);
    }
    if (n == 0)
        return ADKCD_OK;
    reqs = calloc(n, sizeof(*reqs));
    terms = calloc(n, sizeof(*terms));
    order = calloc(n, sizeof(*order));
    if (reqs == NULL || terms == NULL || order == NULL) {
        st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < n && st == ADKCD_OK; i++) {
        reqs[i].name = names[i];
        reqs[i].kind = kinds != NULL ? kinds[i] : ADKCD_ACCOUNT_ANY;
        st = classify(conn, &reqs[i], &d, &errs[i], err);
        if (reqs[i].form == FORM_UPN || reqs[i].form == FORM_SAM) {
            order[n_batch] = i;
            terms[n_batch++] = reqs[i].terms;
        }
    }
    /* DNs and extended DNs: a base read each (one candidate at most). */
    if (st == ADKCD_OK)
        st = tmp_fit(&tmp, 1, err);
    for (i = 0; i < n && st == ADKCD_OK; i++) {
        adkcd_status name_st;

        if (reqs[i].form != FORM_BASE)
            continue;
        name_st = cands_read(ld, reqs[i].name, &c, &errs[i]);
        if (name_st == ADKCD_OK)
            name_st = decide(conn, &reqs[i], &c, tmp, &accts_out[i], &errs[i]);
        cands_clear(&c);
        if (fatal(name_st)) {
            if (err != NULL)
                *err = errs[i];
            st = name_st;
        }
    }
    /* Names and UPNs: a search per chunk of them, OR-ing their terms. */
    for (i = 0; i < n_batch && st == ADKCD_OK; i = end) {
        end = adkcd_lookup_chunk_end(terms, i, n_batch, ADKCD_LOOKUP_CHUNK);
        memset(&f, 0, sizeof(f));
        buf_puts(&f, "(|");
        for (j = i; j < end; j++)
            req_terms(&reqs[order[j]], &f);
        buf_puts(&f, ")");
        filter = buf_take(&f);
        if (filter == NULL) {
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
            break;
        }
        st = adkcd_lookup_search(ld, base, LDAP_SCOPE_SUBTREE, filter,
                                 account_attrs, cands_entry, &c, err);
        free(filter);
        filter = NULL;
        if (st == ADKCD_OK)
            st = tmp_fit(&tmp, c.n, err);
        for (j = i; j < end && st == ADKCD_OK; j++) {
            k = order[j];
            if (decide(conn, &reqs[k], &c, tmp, &accts_out[k], &errs[k]) ==
                ADKCD_E_NOMEM)
                st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        }
        cands_clear(&c);
    }
cleanup:
    cands_clear(&c);
    free(tmp);
    free(reqs);
    free(terms);
    free(order);
    free(d.nb);
    free(d.dns);
    if (st != ADKCD_OK) {
        for (i = 0; i < n; i++) {
            adkcd_account_free(accts_out[i]);
            accts_out[i] = NULL;
        }
        return st;
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_account_resolve(struct adkcd_conn *conn, const char *name,
                      enum adkcd_account_kind kind,
                      struct adkcd_account **acct_out, struct adkcd_err *err)
{
    struct adkcd_err name_err;
    adkcd_status st;

    st = adkcd_account_resolve_many(conn, &name, &kind, 1, acct_out, &name_err,
                                    err);
    if (st != ADKCD_OK)
        return st;
    if (name_err.status != ADKCD_OK) {
        if (err != NULL)
            *err = name_err;
        return name_err.status;
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_account_reload(struct adkcd_conn *conn, struct adkcd_account *a,
                     struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    LDAPMessage *res = NULL, *e = NULL;
    adkcd_status st;

    st = adkcd_ldapx_read(ld, a->dn, ACCOUNT_FILTER, account_attrs, &res, &e,
                          err);
    if (st == ADKCD_OK && e == NULL)
        st = adkcd_err_set(err, ADKCD_E_NOTFOUND, "%s no longer exists", a->dn);
    if (st == ADKCD_OK)
        st = fill(ld, e, a, err);
    ldap_msgfree(res);
    return st;
}
