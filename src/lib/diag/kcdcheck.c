/* adkcd: does a constrained delegation work?  The directory's answer. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/kcdcheck.h"
#include "adkcd/sd.h"
#include "adkcd/spn.h"
#include "adkcd/spnreg.h"
#include "adkcd/strv.h"
#include "buf.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* The findings, in the order of the table in kcdcheck.h. */
static const char *const finding_ids[] = {
    "account-enabled", "account-sensitive",
    "account-spn",     "mode",
    "service-listed",  "protocol-transition",
    "service-holder",  "service-dc",
    "resource-based",  "user-found",
    "user-enabled",    "user-sensitive",
    "user-protected",
};
#define N_FINDINGS (sizeof(finding_ids) / sizeof(finding_ids[0]))

/* Protected Users is RID 525 of its domain (MS-DTYP 2.4.2.4). */
#define PROTECTED_USERS_RID 525

#define RBCD_ATTR "msDS-AllowedToActOnBehalfOfOtherIdentity"

/* How many values of a list a message quotes before "and N more". */
#define LIST_MAX 5

/* ---- pure helpers ------------------------------------------------- */

const char *
adkcd_verdict_name(enum adkcd_verdict v)
{
    switch (v) {
    case ADKCD_PASS:
        return "pass";
    case ADKCD_WARN:
        return "warn";
    case ADKCD_FAIL:
        return "fail";
    case ADKCD_SKIP:
        break;
    }
    return "skip";
}

const char *
adkcd_fix_name(enum adkcd_fix_id id)
{
    /* Stable: JSON documents carry them. */
    switch (id) {
    case ADKCD_FIX_NONE:
        break;
    case ADKCD_FIX_ENABLE_ACCOUNT:
        return "enable-account";
    case ADKCD_FIX_CLEAR_SENSITIVE:
        return "clear-sensitive";
    case ADKCD_FIX_ADD_OWN_SPN:
        return "add-own-spn";
    case ADKCD_FIX_CONSTRAINED_ONLY:
        return "constrained-only";
    case ADKCD_FIX_MODE_NONE:
        return "mode-none";
    case ADKCD_FIX_SET_CONSTRAINED:
        return "set-constrained";
    case ADKCD_FIX_ADD_SERVICE:
        return "add-service";
    case ADKCD_FIX_ANY_PROTOCOL:
        return "any-protocol";
    case ADKCD_FIX_REPLACE_VALUE:
        return "replace-value";
    case ADKCD_FIX_ASK_FOR:
        return "ask-for";
    case ADKCD_FIX_REGISTER_SPN:
        return "register-spn";
    case ADKCD_FIX_REMOVE_DUPLICATE:
        return "remove-duplicate";
    case ADKCD_FIX_AVOID_DC_SERVICE:
        return "avoid-dc-service";
    case ADKCD_FIX_NAME_USER:
        return "name-user";
    case ADKCD_FIX_ENABLE_USER:
        return "enable-user";
    case ADKCD_FIX_CLEAR_USER_SENSITIVE:
        return "clear-user-sensitive";
    case ADKCD_FIX_LEAVE_PROTECTED_USERS:
        return "leave-protected-users";
    case ADKCD_FIX_PROTOCOL_TRANSITION_ONLY:
        return "protocol-transition-only";
    }
    return NULL;
}

const char *
adkcd_kcd_via_name(enum adkcd_kcd_via via)
{
    /* Stable: JSON documents carry them. */
    switch (via) {
    case ADKCD_KCD_VIA_UNKNOWN:
        break;
    case ADKCD_KCD_VIA_CONSTRAINED:
        return "constrained";
    case ADKCD_KCD_VIA_RESOURCE_BASED:
        return "resource-based";
    case ADKCD_KCD_VIA_EITHER:
        return "either";
    }
    return "unknown";
}

enum adkcd_kcd_via
adkcd_kcd_via(unsigned allows, int evidence_fwd)
{
    int listed = (allows & ADKCD_KCD_ALLOWS_CONSTRAINED) != 0;
    int rbcd = (allows & ADKCD_KCD_ALLOWS_RESOURCE_BASED) != 0;

    /* msDS-AllowedToDelegateTo takes a forwardable evidence ticket only,
     * on every KDC (MS-SFU 3.2.5.2.1); resource-based delegation takes a
     * non-forwardable one on Windows KDCs (Samba's refuses it before
     * looking at either).  Unreadable flags: the KDC took the ticket, so
     * it counts as forwardable. */
    if (evidence_fwd == 0)
        listed = 0;
    /* Both allow it: Windows KDCs try the list first (MS-SFU 3.2.5.2.1,
     * then 3.2.5.2.3), Samba's KDC resource-based delegation first when
     * the client offers it, as MIT's does (PA-PAC-OPTIONS; seen in the
     * log of Samba 4.22: "RBCD: Access granted" although the list
     * allowed it too).  The ticket does not tell which. */
    if (listed && rbcd)
        return ADKCD_KCD_VIA_EITHER;
    if (rbcd)
        return ADKCD_KCD_VIA_RESOURCE_BASED;
    if (listed)
        return ADKCD_KCD_VIA_CONSTRAINED;
    return ADKCD_KCD_VIA_UNKNOWN;
}

/* ASCII lower case, whatever the locale. */
static unsigned char
lc(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

size_t
adkcd_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j, d;
    size_t *row;

    if (la == 0)
        return lb;
    if (lb == 0)
        return la;
    /* One row of the Wagner-Fischer matrix: row[j] is the distance
     * between the first i bytes of a and the first j of b. */
    row = malloc((lb + 1) * sizeof(*row));
    if (row == NULL)
        return SIZE_MAX;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0]; /* distance(i-1, j-1) */

        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j]; /* distance(i-1, j) */
            size_t best = diag + (lc((unsigned char)a[i - 1]) !=
                                  lc((unsigned char)b[j - 1]));

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    d = row[lb];
    free(row);
    return d;
}

const char *
adkcd_near_miss(const char *want, char *const *list)
{
    size_t len = strlen(want), best = SIZE_MAX, i;
    const char *pick = NULL;

    for (i = 0; list != NULL && list[i] != NULL; i++) {
        size_t lv = strlen(list[i]);
        size_t gap = lv > len ? lv - len : len - lv;
        size_t d;

        /* The distance is at least the difference in length: skip
         * values that cannot be near without computing it. */
        if (gap * 3 > len)
            continue;
        d = adkcd_edit_distance(want, list[i]);
        if (d == 0 || d == SIZE_MAX || d * 3 > len)
            continue;
        if (d < best) {
            best = d;
            pick = list[i];
        }
    }
    return pick;
}

const struct adkcd_finding *
adkcd_findings_get(const struct adkcd_findings *f, const char *id)
{
    size_t i;

    for (i = 0; f != NULL && id != NULL && i < f->n; i++) {
        if (strcmp(f->v[i].id, id) == 0)
            return &f->v[i];
    }
    return NULL;
}

size_t
adkcd_findings_count(const struct adkcd_findings *f, enum adkcd_verdict v)
{
    size_t i, n = 0;

    for (i = 0; f != NULL && i < f->n; i++)
        n += f->v[i].verdict == v;
    return n;
}

static void
fix_clear(struct adkcd_fix *x)
{
    free(x->account);
    free(x->sam);
    free(x->service);
    free(x->value);
    adkcd_strv_free(x->services);
    memset(x, 0, sizeof(*x));
}

void
adkcd_findings_clear(struct adkcd_findings *f)
{
    size_t i;

    if (f == NULL)
        return;
    for (i = 0; i < f->n; i++) {
        free(f->v[i].message);
        fix_clear(&f->v[i].fix);
    }
    free(f->v);
    f->v = NULL;
    f->n = 0;
    f->allows = 0;
}

/* "a, b, c and 2 more" (at most LIST_MAX values quoted). */
static void
put_list(struct buf *b, char *const *v)
{
    size_t i, n = adkcd_strv_len(v);

    for (i = 0; i < n && i < LIST_MAX; i++)
        buf_printf(b, "%s%s", i == 0 ? "" : ", ", v[i]);
    if (n > LIST_MAX)
        buf_printf(b, " and %zu more", n - LIST_MAX);
}

/*
 * The accounts the KDC would consider for the service: those holding the
 * SPN itself or, only when none does, those holding its host-alias target
 * (the KDC maps "http/x" to "host/x" when it finds no "http/x"; MS-ADTS
 * 3.1.1.5.3.2, sPNMappings).  An account may be listed once per value it
 * holds, so distinct DNs are counted.  *first_out is the first of them.
 */
static size_t
kdc_holders(const struct adkcd_kcd_holder *h, size_t n,
            const struct adkcd_kcd_holder **first_out)
{
    size_t i, j, count;
    int alias;

    *first_out = NULL;
    for (alias = 0; alias <= 1; alias++) {
        count = 0;
        for (i = 0; i < n; i++) {
            if ((h[i].via_alias != 0) != alias)
                continue;
            for (j = 0; j < i; j++) {
                if ((h[j].via_alias != 0) == alias &&
                    strcasecmp(h[j].dn, h[i].dn) == 0)
                    break;
            }
            if (j < i)
                continue;
            if (count++ == 0)
                *first_out = &h[i];
        }
        if (count > 0)
            return count;
    }
    return 0;
}

/* ---- the decision ------------------------------------------------- */

/* What every finding function needs. */
struct decide {
    const struct adkcd_kcd_facts *f;
    const char *acct;   /* "tmg$" */
    const char *arg;    /* "tmg" */
    const char *holder; /* the DN of the KDC's one holder, or NULL */
    const char *hname;  /* its sAMAccountName, else its DN */
    size_t n_holders;   /* distinct accounts the KDC considers */
    int rbcd_ok;        /* resource-based delegation allows the account */
    /* The finding being written. */
    enum adkcd_verdict verdict;
    struct buf msg;
    struct adkcd_fix fix;
    int fix_failed; /* out of memory */
};

/* A copy of s (NULL stays NULL) for the fix. */
static char *
fix_dup(struct decide *d, const char *s)
{
    char *c = s != NULL ? strdup(s) : NULL;

    if (s != NULL && c == NULL)
        d->fix_failed = 1;
    return c;
}

/* The fix of the finding being written: its id, the account and the
 * service (every fix has them), and sam (or NULL). */
static void
fix_set(struct decide *d, enum adkcd_fix_id id, const char *sam)
{
    d->fix.id = id;
    d->fix.account = fix_dup(d, d->arg);
    d->fix.service = fix_dup(d, d->f->service);
    d->fix.sam = fix_dup(d, sam);
}

/* The fix's services: v, with old replaced by repl (old may be NULL). */
static void
fix_services(struct decide *d, char *const *v, const char *old,
             const char *repl)
{
    size_t i;

    for (i = 0; v != NULL && v[i] != NULL; i++) {
        const char *s = old != NULL && v[i] == old ? repl : v[i];

        if (adkcd_strv_add(&d->fix.services, s) != 0)
            d->fix_failed = 1;
    }
}

/* Add the service to the list (with protocol transition). */
static void
fix_add(struct decide *d, int any_protocol)
{
    fix_set(d, ADKCD_FIX_ADD_SERVICE, NULL);
    d->fix.any_protocol = any_protocol;
}

static const char *const samba_ignores_rbcd =
    "Windows KDCs (2012 and later) and Samba's from 4.19 honour it; older "
    "Samba KDCs do not";

static void
account_enabled(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (!f->has_uac) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "the userAccountControl of %s could not be read",
                   d->acct);
    } else if (adkcd_uac_is_disabled(f->uac)) {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s is disabled (ACCOUNTDISABLE 0x2): the KDC refuses its "
                   "ticket-granting ticket (KDC_ERR_CLIENT_REVOKED), so it "
                   "can ask for no ticket at all",
                   d->acct);
        fix_set(d, ADKCD_FIX_ENABLE_ACCOUNT, d->acct);
    } else {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg, "%s is enabled", d->acct);
    }
}

/* S4U2Self asks the KDC for a ticket to the delegating account itself:
 * the KDC must know it as a service.  Computers are (by sAMAccountName,
 * and their host/ SPNs); a user account only by an SPN of its own. */
static void
account_spn(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (f->is_computer) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   "%s is a computer account: the KDC knows it as a service "
                   "for S4U2Self",
                   d->acct);
    } else if (f->n_spns > 0) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   "%s has %zu servicePrincipalName value%s: the KDC knows "
                   "it as a service for S4U2Self",
                   d->acct, f->n_spns, f->n_spns == 1 ? "" : "s");
    } else {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s is a user account without any servicePrincipalName: "
                   "the KDC does not know it as a service, so S4U2Self "
                   "fails (KDC_ERR_S_PRINCIPAL_UNKNOWN)",
                   d->acct);
        fix_set(d, ADKCD_FIX_ADD_OWN_SPN, NULL);
    }
}

static void
account_sensitive(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (!f->has_uac) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "the userAccountControl of %s could not be read",
                   d->acct);
        return;
    }
    if (!adkcd_uac_is_sensitive(f->uac)) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   "%s is not marked \"sensitive and cannot be delegated\"",
                   d->acct);
        return;
    }
    /* Seen with Samba's KDC (4.17, 4.22): the TGT of a NOT_DELEGATED
     * client comes without the forwardable flag even when asked for, and
     * so do the S4U2Self tickets got with it. */
    buf_printf(&d->msg,
               "%s is marked \"Account is sensitive and cannot be "
               "delegated\" (NOT_DELEGATED 0x100000): the KDC issues its "
               "own tickets without the forwardable flag, so its S4U2Self "
               "tickets are not forwardable and S4U2Proxy fails "
               "(KDC_ERR_BADOPTION)",
               d->acct);
    if (d->rbcd_ok) {
        /* MS-SFU 3.1.5.2.1: resource-based delegation on a Windows KDC
         * (2012 and later) accepts a non-forwardable S4U2Self ticket of a
         * user who is not sensitive.  Samba's KDC refuses
         * a non-forwardable evidence ticket before it looks at either
         * kind of delegation (third_party/heimdal/kdc/mssfu.c; seen on
         * 4.22). */
        d->verdict = ADKCD_WARN;
        buf_printf(&d->msg,
                   "; resource-based delegation on %s allows %s, and "
                   "Windows KDCs (2012 and later) accept a "
                   "non-forwardable S4U2Self ticket for it, but Samba's "
                   "KDC (4.22, as tested) does not",
                   d->hname, d->acct);
    } else {
        d->verdict = ADKCD_FAIL;
    }
    fix_set(d, ADKCD_FIX_CLEAR_SENSITIVE, d->acct);
}

static void
mode(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;
    size_t n = adkcd_strv_len(f->delegate_to);
    int tfd = (f->uac & ADKCD_UAC_TRUSTED_FOR_DELEGATION) != 0;
    int t2a = (f->uac & ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) != 0;

    if (!f->has_uac) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "the userAccountControl of %s could not be read",
                   d->acct);
    } else if (tfd && n > 0) {
        d->verdict = ADKCD_WARN;
        buf_printf(&d->msg,
                   "%s has unconstrained delegation (TRUSTED_FOR_DELEGATION "
                   "0x80000) as well as msDS-AllowedToDelegateTo: S4U2Proxy "
                   "follows the list, but the account can also pass on, to "
                   "any service, the tickets users send it",
                   d->acct);
        fix_set(d, ADKCD_FIX_CONSTRAINED_ONLY, NULL);
        fix_services(d, f->delegate_to, NULL, NULL);
    } else if (tfd) {
        buf_printf(&d->msg,
                   "%s has unconstrained delegation (TRUSTED_FOR_DELEGATION "
                   "0x80000) and no msDS-AllowedToDelegateTo: unconstrained "
                   "delegation is not constrained delegation; S4U2Proxy "
                   "needs msDS-AllowedToDelegateTo, and with "
                   "TRUSTED_FOR_DELEGATION the account can only forward the "
                   "tickets users send it",
                   d->acct);
        if (d->rbcd_ok) {
            d->verdict = ADKCD_WARN;
            buf_printf(&d->msg,
                       "; resource-based delegation on %s allows it "
                       "instead, so unconstrained delegation is not needed",
                       d->hname);
            fix_set(d, ADKCD_FIX_MODE_NONE, NULL);
        } else {
            d->verdict = ADKCD_FAIL;
            fix_set(d, ADKCD_FIX_SET_CONSTRAINED, NULL);
            fix_services(d, (char *const[]){(char *)f->service, NULL}, NULL,
                         NULL);
            d->fix.any_protocol = f->need_protocol_transition;
        }
    } else if (n > 0) {
        d->verdict = ADKCD_PASS;
        buf_printf(
            &d->msg, "%s has constrained delegation (%s) to %zu service%s",
            d->acct, t2a ? "use any authentication protocol" : "Kerberos only",
            n, n == 1 ? "" : "s");
    } else if (d->rbcd_ok) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   "%s has no msDS-AllowedToDelegateTo and no "
                   "TRUSTED_FOR_DELEGATION, and needs neither: "
                   "resource-based delegation on %s allows it",
                   d->acct, d->hname);
    } else {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s has no delegation (no msDS-AllowedToDelegateTo, no "
                   "TRUSTED_FOR_DELEGATION): the KDC refuses S4U2Proxy "
                   "(KDC_ERR_BADOPTION)",
                   d->acct);
        fix_add(d, f->need_protocol_transition);
    }
}

/* A value of list that is want with "@REALM" after it, or NULL. */
static const char *
with_realm(const char *want, char *const *list)
{
    size_t len = strlen(want), i;

    for (i = 0; list != NULL && list[i] != NULL; i++) {
        const char *at = strchr(list[i], '@');

        if (at != NULL && (size_t)(at - list[i]) == len &&
            strncasecmp(list[i], want, len) == 0)
            return list[i];
    }
    return NULL;
}

/* Non-zero when a and b differ only in their service class
 * ("host/x" and "http/x"). */
static int
other_class_only(const char *a, const char *b)
{
    const char *sa = strchr(a, '/'), *sb = strchr(b, '/');

    return sa != NULL && sb != NULL && strcasecmp(sa, sb) == 0 &&
           !((sa - a) == (sb - b) && strncasecmp(a, b, (size_t)(sa - a)) == 0);
}

static void
service_listed(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;
    char *const *list = f->delegate_to;
    long i = adkcd_strv_find_nocase(list, f->service);
    const char *realm, *near;

    /* The KDC compares the name it is asked for, without the realm, with
     * each value, ignoring case (Samba: samba_kdc_check_s4u2proxy(); MS-SFU
     * 3.2.5.2.1), so a listed value must be the whole SPN. */
    if (i >= 0) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg, "%s is in msDS-AllowedToDelegateTo of %s",
                   f->service, d->acct);
        if (strcmp(list[i], f->service) != 0)
            buf_printf(&d->msg,
                       " (as %s: the KDC ignores the difference in case)",
                       list[i]);
        return;
    }
    realm = with_realm(f->service, list);
    near = realm == NULL ? adkcd_near_miss(f->service, list) : NULL;
    buf_printf(&d->msg, "%s is not in msDS-AllowedToDelegateTo of %s",
               f->service, d->acct);
    if (realm != NULL)
        buf_printf(&d->msg,
                   ": it holds %s, with a realm, which never matches (the "
                   "KDC compares the SPN without its realm)",
                   realm);
    else if (near != NULL)
        buf_printf(&d->msg, "; closest value: %s%s", near,
                   other_class_only(near, f->service)
                       ? " (another service class: the KDC applies no host "
                         "alias to this list)"
                       : " (a typo on one side?)");
    else if (list == NULL || list[0] == NULL)
        buf_puts(&d->msg, " (it has no values)");
    else {
        buf_puts(&d->msg, " (it lists ");
        put_list(&d->msg, list);
        buf_puts(&d->msg, ")");
    }
    if (d->holder != NULL && f->rbcd == ADKCD_RBCD_OTHERS)
        buf_printf(&d->msg,
                   ", nor does resource-based delegation on %s allow it "
                   "(it allows other accounts only)",
                   d->hname);
    if (d->rbcd_ok) {
        /* MS-SFU 3.2.5.2.1: not in the list, the KDC goes on to
         * resource-based delegation. */
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   ", but resource-based delegation on %s allows %s (%s)",
                   d->hname, d->acct, samba_ignores_rbcd);
        return;
    }
    d->verdict = ADKCD_FAIL;
    buf_puts(&d->msg, ": the KDC refuses S4U2Proxy (KDC_ERR_BADOPTION)");
    if (realm == NULL && near != NULL && f->holders_read &&
        !f->holders_domain_only && d->n_holders == 0) {
        /* No account holds the service asked for: the typo is in the
         * question, not in the list. */
        fix_set(d, ADKCD_FIX_ASK_FOR, NULL);
        d->fix.value = fix_dup(d, near);
    } else if (realm != NULL ||
               (near != NULL && !other_class_only(near, f->service))) {
        /* Correct the value in place: a value with a realm or a typo
         * serves nothing. */
        fix_set(d, ADKCD_FIX_REPLACE_VALUE, NULL);
        fix_services(d, list, realm != NULL ? realm : near, f->service);
        d->fix.value = fix_dup(d, near);
    } else {
        fix_add(d, f->need_protocol_transition);
    }
}

static void
protocol_transition(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (!f->has_uac) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "the userAccountControl of %s could not be read",
                   d->acct);
    } else if (f->uac & ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   "%s may use any authentication protocol "
                   "(TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000): its "
                   "S4U2Self tickets are forwardable",
                   d->acct);
    } else if (d->rbcd_ok && f->need_protocol_transition) {
        /* Windows KDCs (2012 and later) accept a non-forwardable
         * S4U2Self ticket for resource-based delegation (MS-SFU
         * 3.1.5.2.1); Samba's KDC refuses any non-forwardable evidence
         * ticket first (seen on 4.22: KDC_ERR_BADOPTION).  Which KDC
         * will answer cannot be told from here (rootDSE's vendorName
         * names the DC read, not the KDCs), so this warns rather than
         * promise either outcome. */
        d->verdict = ADKCD_WARN;
        buf_printf(&d->msg,
                   "%s is Kerberos only (no TRUSTED_TO_AUTH_FOR_DELEGATION "
                   "0x1000000), so its S4U2Self tickets are not "
                   "forwardable: Windows KDCs (2012 and later) accept such "
                   "a ticket for the resource-based delegation that %s "
                   "allows, but Samba's KDC (4.22, as tested) refuses "
                   "S4U2Proxy with it (KDC_ERR_BADOPTION)",
                   d->acct, d->hname);
        if (adkcd_strv_find_nocase(f->delegate_to, f->service) >= 0) {
            /* Listed already: adding it with protocol transition sets
             * the flag and nothing else. */
            fix_set(d, ADKCD_FIX_ANY_PROTOCOL, NULL);
            d->fix.any_protocol = 1;
        } else {
            fix_set(d, ADKCD_FIX_PROTOCOL_TRANSITION_ONLY, d->acct);
        }
    } else if (d->rbcd_ok) {
        /* Without S4U2Self, the evidence is the ticket a user sent with
         * Kerberos: forwardable, which every KDC takes. */
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   "%s is Kerberos only (no TRUSTED_TO_AUTH_FOR_DELEGATION "
                   "0x1000000): resource-based delegation on %s takes the "
                   "tickets of users who authenticated to %s with "
                   "Kerberos; to impersonate users (S4U2Self), Samba's KDC "
                   "(4.22, as tested) needs that flag as well, Windows "
                   "KDCs do not",
                   d->acct, d->hname, d->acct);
    } else {
        buf_printf(&d->msg,
                   "%s is Kerberos only (no TRUSTED_TO_AUTH_FOR_DELEGATION "
                   "0x1000000): its S4U2Self tickets are not forwardable, "
                   "so S4U2Proxy with them fails (KDC_ERR_BADOPTION)",
                   d->acct);
        if (f->need_protocol_transition) {
            d->verdict = ADKCD_FAIL;
            buf_puts(&d->msg, "; impersonating a user needs S4U2Self");
        } else {
            d->verdict = ADKCD_WARN;
            buf_puts(&d->msg,
                     "; it can delegate only users who authenticated to it "
                     "with Kerberos");
        }
        fix_set(d, ADKCD_FIX_ANY_PROTOCOL, NULL);
        d->fix.any_protocol = 1;
        d->fix.if_impersonating = !f->need_protocol_transition;
    }
}

static void
service_holder(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;
    const struct adkcd_kcd_holder *first = NULL;
    size_t i, j, shown = 0;

    if (!f->holders_read) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "could not find out who holds %s: %s", f->service,
                   f->holders_note ? f->holders_note : "unknown");
        return;
    }
    (void)kdc_holders(f->holders, f->n_holders, &first);
    if (d->n_holders == 1) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg, "%s is held by %s", f->service, first->dn);
        if (first->via_alias)
            buf_printf(&d->msg, " through %s (host alias)", first->value);
        else if (strcmp(first->value, f->service) != 0)
            buf_printf(&d->msg, " (as %s)", first->value);
        if (f->holders_domain_only)
            buf_printf(&d->msg, " (this domain only: %s)", f->holders_note);
    } else if (d->n_holders == 0 && f->holders_domain_only) {
        d->verdict = ADKCD_WARN;
        buf_printf(&d->msg,
                   "%s is held by no account in this domain, and other "
                   "domains could not be searched (%s); if no account holds "
                   "it, the KDC answers \"Server not found in Kerberos "
                   "database\" (KDC_ERR_S_PRINCIPAL_UNKNOWN)",
                   f->service, f->holders_note);
        fix_set(d, ADKCD_FIX_REGISTER_SPN, NULL);
    } else if (d->n_holders == 0) {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s is held by no account in the forest: a typo? The KDC "
                   "answers \"Server not found in Kerberos database\" "
                   "(KDC_ERR_S_PRINCIPAL_UNKNOWN)",
                   f->service);
        fix_set(d, ADKCD_FIX_REGISTER_SPN, NULL);
    } else {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg, "%s is held by %zu accounts: ", f->service,
                   d->n_holders);
        for (i = 0; i < f->n_holders && shown < LIST_MAX; i++) {
            const struct adkcd_kcd_holder *h = &f->holders[i];

            if ((h->via_alias != 0) != (first->via_alias != 0))
                continue;
            for (j = 0; j < i; j++) {
                if ((f->holders[j].via_alias != 0) == (h->via_alias != 0) &&
                    strcasecmp(f->holders[j].dn, h->dn) == 0)
                    break;
            }
            if (j < i)
                continue;
            buf_printf(&d->msg, "%s%s (%s)", shown ? "; " : "", h->dn,
                       h->value);
            shown++;
        }
        if (d->n_holders > shown)
            buf_printf(&d->msg, " and %zu more", d->n_holders - shown);
        buf_puts(&d->msg, ". A duplicate SPN: the KDC cannot tell which "
                          "key to use and answers "
                          "KDC_ERR_S_PRINCIPAL_UNKNOWN");
        fix_set(d, ADKCD_FIX_REMOVE_DUPLICATE, NULL);
        d->fix.value = fix_dup(d, first->value);
    }
}

static void
service_dc(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (d->holder == NULL) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "no single account holds %s", f->service);
    } else if (!f->holder_has_uac) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg,
                   "the userAccountControl of %s could not be read%s%s",
                   d->hname, f->holder_note ? ": " : "",
                   f->holder_note ? f->holder_note : "");
    } else if (adkcd_uac_is_dc(f->holder_uac)) {
        /* The service class of a ticket is outside its encrypted part: a
         * ticket for any service of the DC's account serves them all
         * (ldap/, cifs/, host/...).  A read-only DC is no exception: the
         * users it may act as are those whose secrets it may cache,
         * administrators too once they log on there. */
        d->verdict = ADKCD_WARN;
        buf_printf(&d->msg,
                   "%s belongs to %sdomain controller %s: whoever controls "
                   "%s can act as any user (administrators included) on the "
                   "DC, for every service, since the service name in a "
                   "ticket is not protected: a path to domain compromise",
                   f->service,
                   adkcd_uac_is_rodc(f->holder_uac) ? "read-only " : "",
                   d->hname, d->acct);
        fix_set(d, ADKCD_FIX_AVOID_DC_SERVICE, NULL);
    } else {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg, "%s belongs to %s, not a domain controller",
                   f->service, d->hname);
    }
}

static void
resource_based(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    d->verdict = ADKCD_SKIP;
    if (d->holder == NULL) {
        buf_printf(&d->msg, "no single account holds %s", f->service);
        return;
    }
    switch (f->rbcd) {
    case ADKCD_RBCD_ALLOWS:
        d->verdict = ADKCD_PASS;
        /* Whether it also needs protocol transition depends on the KDC:
         * protocol-transition says. */
        buf_printf(&d->msg,
                   "%s allows %s by resource-based delegation "
                   "(msDS-AllowedToActOnBehalfOfOtherIdentity), which needs "
                   "no msDS-AllowedToDelegateTo: %s",
                   d->hname, d->acct, samba_ignores_rbcd);
        break;
    case ADKCD_RBCD_OTHERS:
        buf_printf(&d->msg,
                   "%s allows resource-based delegation from other accounts "
                   "only, not from %s%s%s",
                   d->hname, d->acct, f->rbcd_note ? " (" : "",
                   f->rbcd_note ? f->rbcd_note : "");
        if (f->rbcd_note)
            buf_puts(&d->msg, ")");
        break;
    case ADKCD_RBCD_NOT_SET:
        buf_printf(&d->msg,
                   "%s has no resource-based delegation "
                   "(msDS-AllowedToActOnBehalfOfOtherIdentity is not set)",
                   d->hname);
        break;
    case ADKCD_RBCD_UNKNOWN:
        buf_printf(&d->msg,
                   "the resource-based delegation of %s could not be read: "
                   "%s",
                   d->hname, f->rbcd_note ? f->rbcd_note : "unknown");
        break;
    }
}

/* The user findings all skip for the same reasons; non-zero when they
 * do (the message is written). */
static int
user_skip(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (f->user == NULL) {
        d->verdict = ADKCD_SKIP;
        buf_puts(&d->msg,
                 "no user given: naming a user to impersonate checks the "
                 "user too");
        return 1;
    }
    if (f->user_found != 1) {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "%s: the user was not %s", f->user,
                   f->user_found == 0 ? "found" : "looked up");
        return 1;
    }
    return 0;
}

static void
user_found(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (f->user == NULL) {
        (void)user_skip(d);
    } else if (f->user_found == 1) {
        d->verdict = ADKCD_PASS;
        if (f->user_sam != NULL && strcasecmp(f->user, f->user_sam) == 0)
            buf_printf(&d->msg, "%s exists: %s", f->user_sam,
                       f->user_dn ? f->user_dn : "?");
        else
            buf_printf(&d->msg, "%s is %s: %s", f->user,
                       f->user_sam ? f->user_sam : "?",
                       f->user_dn ? f->user_dn : "?");
    } else if (f->user_found == 0) {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s: S4U2Self for an unknown user fails "
                   "(KDC_ERR_C_PRINCIPAL_UNKNOWN)",
                   f->user_note ? f->user_note : f->user);
        fix_set(d, ADKCD_FIX_NAME_USER, NULL);
    } else {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg, "could not look up %s: %s", f->user,
                   f->user_note ? f->user_note : "unknown");
    }
}

static void
user_enabled(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (user_skip(d))
        return;
    if (adkcd_uac_is_disabled(f->user_uac)) {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s is disabled (ACCOUNTDISABLE 0x2): the KDC refuses "
                   "S4U2Self for it (KDC_ERR_POLICY)",
                   f->user_sam);
        fix_set(d, ADKCD_FIX_ENABLE_USER, f->user_sam);
    } else {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg, "%s is enabled", f->user_sam);
    }
}

static void
user_sensitive(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;

    if (user_skip(d))
        return;
    if (adkcd_uac_is_sensitive(f->user_uac)) {
        /* MS-SFU 3.2.5.1.2 and 3.2.5.2.2: never forwardable, and not
         * accepted by resource-based delegation either. */
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s is marked \"Account is sensitive and cannot be "
                   "delegated\" (NOT_DELEGATED 0x100000): its S4U2Self "
                   "ticket is not forwardable and the KDC refuses "
                   "S4U2Proxy (KDC_ERR_BADOPTION), resource-based "
                   "delegation included",
                   f->user_sam);
        fix_set(d, ADKCD_FIX_CLEAR_USER_SENSITIVE, f->user_sam);
    } else {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg,
                   "%s is not marked \"sensitive and cannot be delegated\"",
                   f->user_sam);
    }
}

static void
user_protected(struct decide *d)
{
    const struct adkcd_kcd_facts *f = d->f;
    const char *how = f->user_protected_note;

    if (user_skip(d))
        return;
    if (f->user_protected == 1) {
        d->verdict = ADKCD_FAIL;
        buf_printf(&d->msg,
                   "%s is in Protected Users%s%s%s: Windows DCs (2012 R2 and "
                   "later) never delegate its members (KDC_ERR_BADOPTION); "
                   "Samba's KDC (4.17 to 4.22, as tested) does not "
                   "enforce this",
                   f->user_sam, how ? " (" : "", how ? how : "",
                   how ? ")" : "");
        fix_set(d, ADKCD_FIX_LEAVE_PROTECTED_USERS, f->user_sam);
    } else if (f->user_protected == 0) {
        d->verdict = ADKCD_PASS;
        buf_printf(&d->msg, "%s is not in Protected Users%s%s%s", f->user_sam,
                   how ? " (" : "", how ? how : "", how ? ")" : "");
    } else {
        d->verdict = ADKCD_SKIP;
        buf_printf(&d->msg,
                   "could not tell whether %s is in Protected Users: %s",
                   f->user_sam, how ? how : "unknown");
    }
}

typedef void (*finding_func)(struct decide *d);

static const finding_func finding_funcs[N_FINDINGS] = {
    account_enabled, account_sensitive,   account_spn,    mode,
    service_listed,  protocol_transition, service_holder, service_dc,
    resource_based,  user_found,          user_enabled,   user_sensitive,
    user_protected,
};

adkcd_status
adkcd_kcd_decide(const struct adkcd_kcd_facts *facts,
                 struct adkcd_findings *out, struct adkcd_err *err)
{
    struct adkcd_findings r = {NULL, 0, 0};
    const struct adkcd_kcd_holder *first = NULL;
    struct decide d;
    size_t i;

    out->v = NULL;
    out->n = 0;
    out->allows = 0;
    memset(&d, 0, sizeof(d));
    d.f = facts;
    d.acct = facts->account ? facts->account : "the account";
    d.arg = facts->account_arg ? facts->account_arg : d.acct;
    if (facts->holders_read) {
        d.n_holders = kdc_holders(facts->holders, facts->n_holders, &first);
        if (d.n_holders == 1) {
            d.holder = first->dn;
            d.hname = facts->holder_sam ? facts->holder_sam : first->dn;
            d.rbcd_ok = facts->rbcd == ADKCD_RBCD_ALLOWS;
        }
    }
    /* The same comparison as service-listed's. */
    if (adkcd_strv_find_nocase(facts->delegate_to, facts->service) >= 0)
        r.allows |= ADKCD_KCD_ALLOWS_CONSTRAINED;
    if (d.rbcd_ok)
        r.allows |= ADKCD_KCD_ALLOWS_RESOURCE_BASED;
    r.v = calloc(N_FINDINGS, sizeof(*r.v));
    if (r.v == NULL)
        return NOMEM(err);
    for (i = 0; i < N_FINDINGS; i++) {
        struct adkcd_finding *fd = &r.v[r.n++];

        memset(&d.msg, 0, sizeof(d.msg));
        memset(&d.fix, 0, sizeof(d.fix));
        d.fix_failed = 0;
        d.verdict = ADKCD_SKIP;
        finding_funcs[i](&d);
        fd->id = finding_ids[i];
        fd->verdict = d.verdict;
        fd->message = buf_take(&d.msg);
        fd->fix = d.fix;
        if (fd->message == NULL || d.fix_failed) {
            adkcd_findings_clear(&r);
            return NOMEM(err);
        }
    }
    *out = r;
    return ADKCD_OK;
}

/* ---- reading the directory ---------------------------------------- */

/* What adkcd_kcd_check() read; it owns everything the facts point to. */
struct reads {
    struct adkcd_spn_mappings *m;
    struct adkcd_spn_holders *h;
    struct adkcd_kcd_holder *holders;
    char *holders_note;
    char *holder_sam;
    char *holder_note;
    char *rbcd_note;
    struct adkcd_account *user;
    char *user_note;
    char *protected_note;
};

static void
reads_free(struct reads *r)
{
    adkcd_spn_mappings_free(r->m);
    adkcd_spn_holders_free(r->h);
    free(r->holders);
    free(r->holders_note);
    free(r->holder_sam);
    free(r->holder_note);
    free(r->rbcd_note);
    adkcd_account_free(r->user);
    free(r->user_note);
    free(r->protected_note);
}

/*
 * Reads that fail become notes on the findings, except when going on
 * makes no sense: no memory, or the DC connection itself is gone.
 */
static int
fatal(adkcd_status st)
{
    return st == ADKCD_E_NOMEM || st == ADKCD_E_CONNECT;
}

/* Hand the detail of a failure up; returns its status. */
static adkcd_status
pass_up(struct adkcd_err *err, const struct adkcd_err *e2)
{
    if (err != NULL)
        *err = *e2;
    return e2->status;
}

/* *note = the formatted text (replacing what it held). */
static adkcd_status
set_note(struct adkcd_err *err, char **note, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static adkcd_status
set_note(struct adkcd_err *err, char **note, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NOMEM(err);
    free(*note);
    *note = s;
    return ADKCD_OK;
}

/* Non-zero when dn is nc or below it. */
static int
dn_under(const char *dn, const char *nc)
{
    size_t ld = strlen(dn), ln = strlen(nc);

    if (ln == 0 || ld < ln || strcasecmp(dn + ld - ln, nc) != 0)
        return 0;
    return ld == ln || dn[ld - ln - 1] == ',';
}

/* Non-zero when spn's service class is svc_class, ignoring case. */
static int
same_class(const char *spn, const char *svc_class)
{
    const char *slash = strchr(spn, '/');
    size_t n = strlen(svc_class);

    return slash != NULL && (size_t)(slash - spn) == n &&
           strncasecmp(spn, svc_class, n) == 0;
}

/*
 * Who holds the service: forest-wide through the Global Catalog, alias
 * aware; this domain only when the GC cannot be searched.  Only host-alias
 * holders the KDC would use are kept: for "http/x", an account with
 * "host/x" (the KDC maps the alias to its target); for "host/x", not one
 * with "http/x" (no mapping goes that way).
 */
static adkcd_status
read_holders(struct adkcd_conn *conn, const struct adkcd_spn *spn,
             struct reads *r, struct adkcd_kcd_facts *f, struct adkcd_err *err)
{
    struct adkcd_scope forest = {1, NULL}, domain = {0, NULL};
    struct adkcd_err e2, e3;
    char *map_note = NULL;
    adkcd_status st;
    size_t i, j, k;

    adkcd_err_clear(&e2);
    st = adkcd_spn_read_mappings(conn, &r->m, &e2);
    if (fatal(st))
        return pass_up(err, &e2);
    if (st != ADKCD_OK) {
        st =
            set_note(err, &map_note, "host aliases not considered: %s", e2.msg);
        if (st != ADKCD_OK)
            return st;
    }
    adkcd_err_clear(&e2);
    st = adkcd_spn_find_holders(conn, &forest, spn, r->m, NULL, &r->h, &e2);
    if (st == ADKCD_E_NOMEM) {
        st = pass_up(err, &e2);
        goto out;
    }
    if (st != ADKCD_OK) {
        /* The Global Catalog is a connection of its own: this domain can
         * still be searched on the DC. */
        adkcd_err_clear(&e3);
        st = adkcd_spn_find_holders(conn, &domain, spn, r->m, NULL, &r->h, &e3);
        if (fatal(st)) {
            st = pass_up(err, &e3);
            goto out;
        }
        if (st != ADKCD_OK) {
            st = set_note(err, &r->holders_note, "%s", e3.msg);
            f->holders_note = r->holders_note;
            goto out; /* holders_read stays 0 */
        }
        f->holders_domain_only = 1;
        st = set_note(err, &r->holders_note,
                      "the Global Catalog could not be searched: %s%s%s",
                      e2.msg, map_note ? "; " : "", map_note ? map_note : "");
    } else if (map_note != NULL) {
        st = set_note(err, &r->holders_note, "%s", map_note);
    }
    if (st != ADKCD_OK)
        goto out;
    r->holders = calloc(r->h->n + 1, sizeof(*r->holders));
    if (r->holders == NULL) {
        st = NOMEM(err);
        goto out;
    }
    for (i = 0, k = 0; i < r->h->n; i++) {
        const struct adkcd_spn_holder *h = &r->h->v[i];
        int keep = !h->via_alias;

        for (j = 0; !keep && r->m != NULL && j < r->m->n; j++)
            keep = adkcd_strv_find_nocase(r->m->v[j].aliases, spn->svc_class) >=
                       0 &&
                   same_class(h->value, r->m->v[j].target);
        if (!keep)
            continue;
        r->holders[k].dn = h->dn;
        r->holders[k].value = h->value;
        r->holders[k].via_alias = h->via_alias;
        k++;
    }
    f->holders_read = 1;
    f->holders = r->holders;
    f->n_holders = k;
    f->holders_note = r->holders_note;
out:
    free(map_note);
    return st;
}

/*
 * The objectSid of dn as "S-1-..." in *sid_out; when it cannot be read,
 * *sid_out is NULL and *note says why (status OK).
 */
static adkcd_status
read_sid(LDAP *ld, const char *dn, char **sid_out, char **note,
         struct adkcd_err *err)
{
    char *attrs[] = {"objectSid", NULL};
    LDAPMessage *res = NULL, *e = NULL;
    struct berval **vals = NULL;
    struct adkcd_err e2;
    adkcd_status st;

    *sid_out = NULL;
    adkcd_err_clear(&e2);
    st = adkcd_ldapx_read(ld, dn, "(objectClass=*)", attrs, &res, &e, &e2);
    if (st == ADKCD_OK && e != NULL)
        vals = ldap_get_values_len(ld, e, "objectSid");
    if (st == ADKCD_OK && (vals == NULL || vals[0] == NULL))
        st = adkcd_err_set(&e2, ADKCD_E_NOTFOUND,
                           "no objectSid could be read from %s", dn);
    else if (st == ADKCD_OK)
        st = adkcd_sid_to_string((const unsigned char *)vals[0]->bv_val,
                                 vals[0]->bv_len, NULL, sid_out, &e2);
    ldap_value_free_len(vals);
    ldap_msgfree(res);
    if (fatal(st))
        return pass_up(err, &e2);
    if (st != ADKCD_OK)
        return set_note(err, note, "%s", e2.msg);
    return ADKCD_OK;
}

/* Does the resource-based delegation descriptor val allow sid? */
static adkcd_status
rbcd_allows(const struct berval *val, const char *sid,
            struct adkcd_kcd_facts *f, struct reads *r, struct adkcd_err *err)
{
    struct adkcd_sd sd;
    struct adkcd_err e2;
    struct buf b = {0};
    char **allowed = NULL;
    adkcd_status st;
    size_t i;

    memset(&sd, 0, sizeof(sd));
    adkcd_err_clear(&e2);
    st = adkcd_sd_parse((const unsigned char *)val->bv_val, val->bv_len, &sd,
                        &e2);
    if (st == ADKCD_OK)
        st = adkcd_sd_allowed_sids(&sd, &allowed, &e2);
    adkcd_sd_clear(&sd);
    if (fatal(st))
        return pass_up(err, &e2);
    if (st != ADKCD_OK) {
        f->rbcd = ADKCD_RBCD_UNKNOWN;
        return set_note(err, &r->rbcd_note, "its %s is malformed: %s",
                        RBCD_ATTR, e2.msg);
    }
    /* The note names whom it allows, for the "other accounts" case. */
    f->rbcd = ADKCD_RBCD_OTHERS;
    for (i = 0; allowed != NULL && allowed[i] != NULL; i++) {
        const char *name = adkcd_sid_well_known(allowed[i]);

        if (strcasecmp(allowed[i], sid) == 0)
            f->rbcd = ADKCD_RBCD_ALLOWS;
        if (i < LIST_MAX)
            buf_printf(&b, "%s%s%s%s%s", i ? ", " : "", allowed[i],
                       name ? " (" : "", name ? name : "", name ? ")" : "");
    }
    if (i == 0)
        buf_puts(&b, "its DACL allows no one");
    else if (i > LIST_MAX)
        buf_printf(&b, " and %zu more", i - LIST_MAX);
    adkcd_strv_free(allowed);
    free(r->rbcd_note);
    r->rbcd_note = buf_take(&b);
    return r->rbcd_note != NULL ? ADKCD_OK : NOMEM(err);
}

/*
 * The account the KDC would use for the service: its name, its
 * userAccountControl (domain controller or not) and, when it is in this
 * domain, whether its resource-based delegation allows the delegating
 * account.  That attribute is not in the Global Catalog, and it is the
 * KDC of the service's own domain that reads it.
 */
static adkcd_status
read_holder(struct adkcd_conn *conn, const struct adkcd_account *acct,
            const char *dn, struct reads *r, struct adkcd_kcd_facts *f,
            struct adkcd_err *err)
{
    char *dc_attrs[] = {"sAMAccountName", "userAccountControl", RBCD_ATTR,
                        NULL};
    char *gc_attrs[] = {"sAMAccountName", "userAccountControl", NULL};
    int local = dn_under(dn, adkcd_conn_default_nc(conn));
    LDAP *ld = adkcd_conn_ldap(conn);
    LDAPMessage *res = NULL, *e = NULL;
    struct berval **vals = NULL;
    struct adkcd_err e2;
    char *uac = NULL, *sid = NULL, *why = NULL;
    adkcd_status st = ADKCD_OK;

    adkcd_err_clear(&e2);
    f->rbcd = ADKCD_RBCD_UNKNOWN;
    if (!local)
        st = adkcd_conn_gc(conn, &ld, &e2);
    if (st == ADKCD_OK)
        st = adkcd_ldapx_read(ld, dn, "(objectClass=*)",
                              local ? dc_attrs : gc_attrs, &res, &e, &e2);
    if (st == ADKCD_OK && e == NULL)
        st = adkcd_err_set(&e2, ADKCD_E_NOTFOUND, "%s no longer exists", dn);
    if (st != ADKCD_OK) {
        ldap_msgfree(res);
        /* A Global Catalog that cannot be reached is only a note. */
        if (st == ADKCD_E_NOMEM || (local && st == ADKCD_E_CONNECT))
            return pass_up(err, &e2);
        st = set_note(err, &r->holder_note, "%s", e2.msg);
        if (st == ADKCD_OK)
            st = set_note(err, &r->rbcd_note, "%s", e2.msg);
        f->holder_note = r->holder_note;
        f->rbcd_note = r->rbcd_note;
        return st;
    }
    r->holder_sam = adkcd_ldapx_value(ld, e, "sAMAccountName");
    f->holder_sam = r->holder_sam;
    uac = adkcd_ldapx_value(ld, e, ADKCD_UAC_ATTR);
    f->holder_has_uac = adkcd_uac_parse(uac, &f->holder_uac) == 0;
    free(uac);
    if (!local) {
        st = set_note(err, &r->rbcd_note,
                      "it is in another domain, whose DCs hold its %s",
                      RBCD_ATTR);
    } else {
        vals = ldap_get_values_len(ld, e, RBCD_ATTR);
        if (vals == NULL || vals[0] == NULL)
            f->rbcd = ADKCD_RBCD_NOT_SET;
        else
            st = read_sid(adkcd_conn_ldap(conn), acct->dn, &sid, &why, err);
        if (st == ADKCD_OK && vals != NULL && vals[0] != NULL) {
            if (sid == NULL)
                st = set_note(err, &r->rbcd_note,
                              "it is set, but the SID of %s is unknown: %s",
                              acct->sam, why ? why : "?");
            else
                st = rbcd_allows(vals[0], sid, f, r, err);
        }
    }
    f->rbcd_note = r->rbcd_note;
    free(sid);
    free(why);
    ldap_value_free_len(vals);
    ldap_msgfree(res);
    return st;
}

/* The DN of the object with this SID, or NULL (status OK) when it cannot
 * be read; *why then says why. */
static adkcd_status
dn_of_sid(LDAP *ld, const char *sid, char **dn_out, char **why,
          struct adkcd_err *err)
{
    char *attrs[] = {"1.1", NULL};
    LDAPMessage *res = NULL, *e = NULL;
    struct adkcd_err e2;
    char *base = NULL, *dn;
    adkcd_status st;

    *dn_out = NULL;
    st = set_note(err, &base, "<SID=%s>", sid);
    if (st != ADKCD_OK)
        return st;
    adkcd_err_clear(&e2);
    st = adkcd_ldapx_read(ld, base, "(objectClass=*)", attrs, &res, &e, &e2);
    free(base);
    if (st == ADKCD_OK && e == NULL)
        st = adkcd_err_set(&e2, ADKCD_E_NOTFOUND, "no object has SID %s", sid);
    if (st == ADKCD_OK) {
        dn = ldap_get_dn(ld, e);
        *dn_out = dn != NULL ? strdup(dn) : NULL;
        ldap_memfree(dn);
        if (*dn_out == NULL)
            st = adkcd_err_set(&e2, ADKCD_E_NOMEM, "out of memory");
    }
    ldap_msgfree(res);
    if (fatal(st))
        return pass_up(err, &e2);
    if (st != ADKCD_OK)
        return set_note(err, why, "%s", e2.msg);
    return ADKCD_OK;
}

/*
 * Is user_dn in Protected Users (RID 525 of the domain), directly or
 * through nested groups?  tokenGroups (constructed, base reads only) gives
 * every group SID of the account, nested ones and the primary group
 * included (MS-ADTS 3.1.1.4.5.19); where it cannot be read, memberOf
 * tells direct membership only, which decides "member" but not "not a
 * member".
 */
static adkcd_status
read_protected(struct adkcd_conn *conn, const char *user_dn, struct reads *r,
               struct adkcd_kcd_facts *f, struct adkcd_err *err)
{
    LDAP *ld = adkcd_conn_ldap(conn);
    char *tg_attrs[] = {"tokenGroups", NULL};
    char *mo_attrs[] = {"memberOf", NULL};
    char *dom_sid = NULL, *why = NULL, *pu_sid = NULL, *pu_dn = NULL;
    char **member_of = NULL;
    LDAPMessage *res = NULL, *e = NULL;
    struct berval **vals = NULL;
    struct adkcd_err e2;
    adkcd_status st;
    size_t i;

    f->user_protected = -1;
    f->user_protected_note = NULL;
    st = read_sid(ld, adkcd_conn_default_nc(conn), &dom_sid, &why, err);
    if (st == ADKCD_OK && dom_sid == NULL)
        st = set_note(err, &r->protected_note,
                      "the domain's SID could not be read: %s", why);
    if (st != ADKCD_OK || dom_sid == NULL)
        goto done;
    st = set_note(err, &pu_sid, "%s-%d", dom_sid, PROTECTED_USERS_RID);
    if (st != ADKCD_OK)
        goto done;

    adkcd_err_clear(&e2);
    st = adkcd_ldapx_read(ld, user_dn, "(objectClass=*)", tg_attrs, &res, &e,
                          &e2);
    if (fatal(st)) {
        st = pass_up(err, &e2);
        goto done;
    }
    if (st == ADKCD_OK && e != NULL)
        vals = ldap_get_values_len(ld, e, "tokenGroups");
    /* Every account has its primary group at least: no value means that
     * the attribute could not be read. */
    if (vals != NULL && vals[0] != NULL) {
        f->user_protected = 0;
        for (i = 0; vals[i] != NULL && f->user_protected == 0; i++) {
            char *s = NULL;

            adkcd_err_clear(&e2);
            st = adkcd_sid_to_string((const unsigned char *)vals[i]->bv_val,
                                     vals[i]->bv_len, NULL, &s, &e2);
            if (fatal(st)) {
                st = pass_up(err, &e2);
                goto done;
            }
            if (s != NULL && strcasecmp(s, pu_sid) == 0)
                f->user_protected = 1;
            free(s);
        }
        st = set_note(err, &r->protected_note,
                      "from its groups in tokenGroups, nested ones "
                      "included");
        goto done;
    }
    st = set_note(err, &why, "tokenGroups: %s",
                  st != ADKCD_OK ? e2.msg : "no value could be read");
    if (st != ADKCD_OK)
        goto done;

    /* The fallback: memberOf against the DN of <SID=...-525>. */
    st = dn_of_sid(ld, pu_sid, &pu_dn, &why, err);
    if (st == ADKCD_OK && pu_dn == NULL)
        st = set_note(err, &r->protected_note,
                      "Protected Users (%s) could not be found: %s", pu_sid,
                      why);
    if (st != ADKCD_OK || pu_dn == NULL)
        goto done;
    ldap_msgfree(res);
    res = NULL;
    adkcd_err_clear(&e2);
    st = adkcd_ldapx_read(ld, user_dn, "(objectClass=*)", mo_attrs, &res, &e,
                          &e2);
    if (st == ADKCD_OK && e != NULL)
        st = adkcd_ldapx_values(ld, e, "memberOf", &member_of, NULL, &e2);
    if (fatal(st)) {
        st = pass_up(err, &e2);
    } else if (st != ADKCD_OK) {
        st = set_note(err, &r->protected_note, "%s; memberOf: %s", why, e2.msg);
    } else if (adkcd_strv_find_nocase(member_of, pu_dn) >= 0) {
        f->user_protected = 1;
        st =
            set_note(err, &r->protected_note, "a direct member, from memberOf");
    } else {
        st = set_note(err, &r->protected_note,
                      "not a direct member (memberOf), but membership "
                      "through nested groups could not be checked (%s)",
                      why);
    }
done:
    f->user_protected_note = r->protected_note;
    adkcd_strv_free(member_of);
    ldap_value_free_len(vals);
    ldap_msgfree(res);
    free(dom_sid);
    free(why);
    free(pu_sid);
    free(pu_dn);
    return st;
}

adkcd_status
adkcd_kcd_resolve_user(struct adkcd_conn *conn, const char *name,
                       struct adkcd_account **out, struct adkcd_err *err)
{
    adkcd_status st;

    st = adkcd_account_resolve(conn, name, ADKCD_ACCOUNT_USER, out, err);
    if (st == ADKCD_E_NOTFOUND) {
        adkcd_err_clear(err);
        st = adkcd_account_resolve(conn, name, ADKCD_ACCOUNT_ANY, out, err);
    }
    return st;
}

/* The user to impersonate: given already resolved (borrowed), or looked
 * up here (r->user, freed with r). */
static adkcd_status
read_user(struct adkcd_conn *conn, const struct adkcd_kcd_check_opts *opts,
          struct reads *r, struct adkcd_kcd_facts *f, struct adkcd_err *err)
{
    const struct adkcd_account *u = opts->user_account;
    struct adkcd_err e2;
    adkcd_status st;

    adkcd_err_clear(&e2);
    if (u == NULL) {
        st = adkcd_kcd_resolve_user(conn, opts->impersonate, &r->user, &e2);
        if (fatal(st))
            return pass_up(err, &e2);
        if (st != ADKCD_OK) {
            f->user_found = st == ADKCD_E_NOTFOUND ? 0 : -1;
            st = set_note(err, &r->user_note, "%s", e2.msg);
            f->user_note = r->user_note;
            return st;
        }
        u = r->user;
    }
    f->user_found = 1;
    f->user_sam = u->sam;
    f->user_dn = u->dn;
    f->user_uac = u->uac;
    return read_protected(conn, u->dn, r, f, err);
}

adkcd_status
adkcd_kcd_check(struct adkcd_conn *conn, const struct adkcd_account *acct,
                const struct adkcd_kcd_check_opts *opts,
                struct adkcd_findings *out, struct adkcd_err *err)
{
    struct adkcd_kcd_facts f;
    struct adkcd_spn *spn = NULL;
    struct reads r;
    const struct adkcd_kcd_holder *first = NULL;
    adkcd_status st;

    out->v = NULL;
    out->n = 0;
    out->allows = 0;
    memset(&r, 0, sizeof(r));
    if (opts == NULL || opts->service == NULL)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "name the service to check, an SPN such as "
                             "http/iosmdm.mydom.local");
    st = adkcd_spn_parse(opts->service, &spn, err);
    if (st != ADKCD_OK) {
        adkcd_err_prefix(err, "service");
        return st;
    }
    if (opts->impersonate != NULL) {
        st = adkcd_account_check_name(opts->impersonate,
                                      strlen(opts->impersonate), err);
        if (st != ADKCD_OK) {
            adkcd_err_prefix(err, "user to impersonate");
            adkcd_spn_free(spn);
            return st;
        }
    }

    memset(&f, 0, sizeof(f));
    f.service = opts->service;
    f.user = opts->impersonate;
    f.need_protocol_transition = opts->need_protocol_transition;
    f.account = acct->sam;
    f.account_arg = acct->input != NULL ? acct->input : acct->sam;
    f.uac = acct->uac;
    f.has_uac = acct->has_uac;
    f.delegate_to = acct->delegate_to;
    f.is_computer = acct->is_computer;
    f.n_spns = adkcd_strv_len(acct->spns);

    st = read_holders(conn, spn, &r, &f, err);
    if (st == ADKCD_OK && f.holders_read &&
        kdc_holders(f.holders, f.n_holders, &first) == 1)
        st = read_holder(conn, acct, first->dn, &r, &f, err);
    if (st == ADKCD_OK && opts->impersonate != NULL)
        st = read_user(conn, opts, &r, &f, err);
    if (st == ADKCD_OK)
        st = adkcd_kcd_decide(&f, out, err);
    reads_free(&r);
    adkcd_spn_free(spn);
    return st;
}
