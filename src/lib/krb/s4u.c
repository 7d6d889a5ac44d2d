/* adkcd: S4U2Self and S4U2Proxy as the delegating account. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "adkcd/s4u.h"
#include "krbx.h"

/* ---- S4U2Self and S4U2Proxy ---------------------------------------- */

/* The text of a GSSAPI failure: the mechanism's (Kerberos) message when
 * there is one, else the GSSAPI one. */
static char *
gss_text(OM_uint32 major, OM_uint32 minor)
{
    OM_uint32 m, more = 0;
    gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
    char *s = NULL;

    if (minor != 0)
        gss_display_status(&m, minor, GSS_C_MECH_CODE, (gss_OID)gss_mech_krb5,
                           &more, &b);
    else
        gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &more, &b);
    if (b.length > 0)
        s = strndup(b.value, b.length);
    gss_release_buffer(&m, &b);
    return s != NULL ? s : strdup("unknown GSSAPI error");
}

static void
step_fail(struct adkcd_s4u_step *s, OM_uint32 major, OM_uint32 minor)
{
    s->done = 0;
    s->code = (long)(krb5_error_code)minor;
    s->error = gss_text(major, minor);
}

/* name plus "@realm" unless it has a realm. */
static char *
with_realm(const char *name, const char *realm)
{
    size_t n;
    char *s;

    if (strchr(name, '@') != NULL)
        return strdup(name);
    n = strlen(name) + strlen(realm) + 2;
    s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s@%s", name, realm);
    return s;
}

static adkcd_status
import_name(const char *text, gss_name_t *out, struct adkcd_err *err)
{
    OM_uint32 major, minor;
    gss_buffer_desc b;

    b.value = (void *)text;
    b.length = strlen(text);
    major =
        gss_import_name(&minor, &b, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, out);
    if (GSS_ERROR(major)) {
        char *why = gss_text(major, minor);

        adkcd_err_set(err, ADKCD_E_USAGE, "invalid principal '%s': %s", text,
                      why ? why : "?");
        free(why);
        return ADKCD_E_USAGE;
    }
    return ADKCD_OK;
}

/* Store cred into the MEMORY ccache ccname and read back the ticket whose
 * client is client (and server is server, when not NULL; else the first
 * ticket that is not a TGT). */
static adkcd_status
read_ticket(krb5_context ctx, gss_cred_id_t cred, const char *ccname,
            const char *client, const char *server, struct adkcd_ticket *t,
            int *found, struct adkcd_err *err)
{
    gss_key_value_element_desc el = {"ccache", ccname};
    gss_key_value_set_desc store = {1, &el};
    OM_uint32 major, minor;
    krb5_ccache cc = NULL;
    krb5_cc_cursor cur;
    krb5_creds c;
    krb5_principal cp = NULL, sp = NULL;
    adkcd_status st = ADKCD_OK;

    *found = 0;
    major =
        gss_store_cred_into(&minor, cred, GSS_C_INITIATE,
                            (gss_OID)gss_mech_krb5, 1, 0, &store, NULL, NULL);
    if (GSS_ERROR(major))
        return ADKCD_OK; /* nothing to show; the step's result stands */
    if (krb5_cc_resolve(ctx, ccname, &cc) != 0)
        return ADKCD_OK;
    if (krb5_parse_name(ctx, client, &cp) != 0 ||
        (server != NULL && krb5_parse_name(ctx, server, &sp) != 0))
        goto done;
    if (krb5_cc_start_seq_get(ctx, cc, &cur) != 0)
        goto done;
    while (!*found && krb5_cc_next_cred(ctx, cc, &cur, &c) == 0) {
        if (!krb5_is_config_principal(ctx, c.server) &&
            krb5_principal_compare_flags(ctx, c.client, cp,
                                         KRB5_PRINCIPAL_COMPARE_CASEFOLD) &&
            (sp != NULL
                 ? krb5_principal_compare_flags(ctx, c.server, sp,
                                                KRB5_PRINCIPAL_COMPARE_CASEFOLD)
                 : !adkcd_krbx_is_tgt(&c, c.client))) {
            st = adkcd_krbx_ticket(ctx, &c, t, err);
            *found = st == ADKCD_OK;
        }
        krb5_free_cred_contents(ctx, &c);
    }
    krb5_cc_end_seq_get(ctx, cc, &cur);
done:
    krb5_free_principal(ctx, cp);
    krb5_free_principal(ctx, sp);
    krb5_cc_close(ctx, cc);
    return st;
}

adkcd_status
adkcd_s4u_run(const struct adkcd_creds *tgt, const char *user,
              const char *service, struct adkcd_s4u_result *res,
              struct adkcd_err *err)
{
    krb5_context ctx = adkcd_creds_context(tgt);
    const char *realm = adkcd_creds_realm(tgt);
    const char *ccname = adkcd_creds_ccache(tgt);
    gss_key_value_element_desc el;
    gss_key_value_set_desc store = {1, &el};
    gss_OID_set_desc mechs = {1, (gss_OID)gss_mech_krb5};
    gss_cred_id_t self_cred = GSS_C_NO_CREDENTIAL;
    gss_cred_id_t user_cred = GSS_C_NO_CREDENTIAL;
    gss_name_t uname = GSS_C_NO_NAME, sname = GSS_C_NO_NAME;
    gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
    OM_uint32 major, minor;
    krb5_ccache view = NULL;
    char view_name[256] = "";
    adkcd_status st;
    int found;

    memset(res, 0, sizeof(*res));
    res->user = with_realm(user, realm);
    res->service = with_realm(service, realm);
    if (res->user == NULL || res->service == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    st = import_name(res->user, &uname, err);
    if (st == ADKCD_OK)
        st = import_name(res->service, &sname, err);
    if (st != ADKCD_OK)
        goto done;

    if (ccname == NULL) { /* the default ccache, used in place */
        st = adkcd_err_set(err, ADKCD_E_USAGE,
                           "the S4U exchange needs the TGT in a ccache of "
                           "its own (own_ccache)");
        goto done;
    }
    el.key = "ccache";
    el.value = ccname;
    major =
        gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs,
                              GSS_C_INITIATE, &store, &self_cred, NULL, NULL);
    if (GSS_ERROR(major)) {
        char *why = gss_text(major, minor);

        st = adkcd_err_set(err, ADKCD_E_AUTH,
                           "GSSAPI cannot use the ticket of %s in %s: %s",
                           adkcd_creds_principal(tgt), ccname, why ? why : "?");
        free(why);
        goto done;
    }
    /* A MEMORY ccache of our own to look at the tickets GSSAPI got. */
    if (krb5_cc_new_unique(ctx, "MEMORY", NULL, &view) == 0)
        snprintf(view_name, sizeof(view_name), "MEMORY:%s",
                 krb5_cc_get_name(ctx, view));

    /* S4U2Self: a ticket to ourselves in the user's name. */
    major = gss_acquire_cred_impersonate_name(
        &minor, self_cred, uname, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
        &user_cred, NULL, NULL);
    if (GSS_ERROR(major)) {
        step_fail(&res->self, major, minor);
        goto done;
    }
    res->self.done = 1;
    if (view != NULL) {
        st = read_ticket(ctx, user_cred, view_name, res->user, NULL,
                         &res->self.tkt, &found, err);
        if (st != ADKCD_OK)
            goto done;
    }

    /* S4U2Proxy: the user's ticket to the service, with the S4U2Self
     * ticket as evidence; the AP-REQ is built, and not sent anywhere. */
    res->proxy_tried = 1;
    major = gss_init_sec_context(&minor, user_cred, &gctx, sname,
                                 (gss_OID)gss_mech_krb5, 0, GSS_C_INDEFINITE,
                                 GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
                                 NULL, &token, NULL, NULL);
    if (GSS_ERROR(major)) {
        step_fail(&res->proxy, major, minor);
        goto done;
    }
    res->proxy.done = 1;
    if (view != NULL) {
        st = read_ticket(ctx, user_cred, view_name, res->user, res->service,
                         &res->proxy.tkt, &found, err);
        if (st != ADKCD_OK)
            goto done;
    }
done:
    gss_release_buffer(&minor, &token);
    if (gctx != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&minor, &gctx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &user_cred);
    gss_release_cred(&minor, &self_cred);
    gss_release_name(&minor, &uname);
    gss_release_name(&minor, &sname);
    if (view != NULL)
        krb5_cc_destroy(ctx, view);
    return st;
}

int
adkcd_s4u_ok(const struct adkcd_s4u_result *res)
{
    return res->self.done && res->proxy_tried && res->proxy.done;
}

static void
step_clear(struct adkcd_s4u_step *s)
{
    adkcd_krbx_ticket_clear(&s->tkt);
    free(s->error);
    memset(s, 0, sizeof(*s));
}

void
adkcd_s4u_result_clear(struct adkcd_s4u_result *res)
{
    if (res == NULL)
        return;
    free(res->user);
    free(res->service);
    step_clear(&res->self);
    step_clear(&res->proxy);
    memset(res, 0, sizeof(*res));
}

const char *
adkcd_krb5_error_name(long code)
{
    switch ((krb5_error_code)code) {
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
        return "KDC_ERR_C_PRINCIPAL_UNKNOWN";
    case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
        return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
    case KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE:
        return "KDC_ERR_PRINCIPAL_NOT_UNIQUE";
    case KRB5KDC_ERR_POLICY:
        return "KDC_ERR_POLICY";
    case KRB5KDC_ERR_BADOPTION:
        return "KDC_ERR_BADOPTION";
    case KRB5KDC_ERR_ETYPE_NOSUPP:
        return "KDC_ERR_ETYPE_NOSUPP";
    case KRB5KDC_ERR_CLIENT_REVOKED:
        return "KDC_ERR_CLIENT_REVOKED";
    case KRB5KDC_ERR_TGT_REVOKED:
        return "KDC_ERR_TGT_REVOKED";
    case KRB5KDC_ERR_PREAUTH_FAILED:
        return "KDC_ERR_PREAUTH_FAILED";
    case KRB5KDC_ERR_KEY_EXP:
        return "KDC_ERR_KEY_EXPIRED";
    case KRB5KRB_AP_ERR_SKEW:
        return "KRB_AP_ERR_SKEW";
    case KRB5KRB_AP_ERR_TKT_EXPIRED:
        return "KRB_AP_ERR_TKT_EXPIRED";
    case KRB5_KDC_UNREACH:
        return "KDC unreachable";
    default:
        return NULL;
    }
}

static adkcd_status
explained(char **out, struct adkcd_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The explanation's text, *out; its hints go to the caller's hints_out. */
static adkcd_status
explained(char **out, struct adkcd_err *err, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(out, fmt, ap);
    va_end(ap);
    if (n < 0) {
        *out = NULL;
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_s4u_explain(const struct adkcd_creds *tgt,
                  const struct adkcd_s4u_result *res, char **text_out,
                  unsigned *hints_out, struct adkcd_err *err)
{
    return adkcd_s4u_explain_facts(
        adkcd_creds_name(tgt), adkcd_creds_ticket(tgt)->flags,
        adkcd_creds_from_ccache(tgt), res, text_out, hints_out, err);
}

adkcd_status
adkcd_s4u_explain_facts(const char *acct, unsigned tgt_flags,
                        const char *from_ccache,
                        const struct adkcd_s4u_result *res, char **text_out,
                        unsigned *hints_out, struct adkcd_err *err)
{
    krb5_error_code code;
    int inspected = res->self.tkt.client != NULL;
    unsigned ignored;

    *text_out = NULL;
    if (hints_out == NULL)
        hints_out = &ignored;
    *hints_out = 0;
    if (adkcd_s4u_ok(res))
        return ADKCD_OK;
    if (!res->self.done) {
        code = (krb5_error_code)res->self.code;
        if (code == KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN) {
            *hints_out = ADKCD_HINT_IMPERSONATE;
            return explained(text_out, err,
                             "the KDC knows no user %s: check the user's "
                             "name",
                             res->user);
        }
        if (code == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN) {
            *hints_out = ADKCD_HINT_REGISTER_SPN;
            return explained(text_out, err,
                             "the KDC does not know %s as a service, so "
                             "it cannot issue a ticket to it: a user "
                             "account needs a servicePrincipalName of its "
                             "own for S4U2Self",
                             acct);
        }
        if (code == KRB5KDC_ERR_POLICY || code == KRB5KDC_ERR_CLIENT_REVOKED) {
            if (from_ccache != NULL)
                *hints_out = ADKCD_HINT_CREDENTIALS;
            return explained(
                text_out, err,
                "the KDC refuses to issue a ticket in the name of %s: the "
                "user is disabled, locked out or expired, or outside its "
                "logon hours%s%s%s",
                res->user, from_ccache != NULL ? "; or the TGT of " : "",
                from_ccache != NULL ? acct : "",
                from_ccache != NULL
                    ? " in the ccache is no longer honoured (the account "
                      "was disabled after kinit): try again with its keys"
                    : "");
        }
        return explained(text_out, err,
                         "S4U2Self failed: the KDC would not give %s a "
                         "ticket in the name of %s (%s)",
                         acct, res->user,
                         res->self.error ? res->self.error : "no reason");
    }
    code = (krb5_error_code)res->proxy.code;
    if (code == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN ||
        code == KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE)
        return explained(text_out, err,
                         "the KDC found no single account for %s: no "
                         "account holds this SPN (a typo?), or more than "
                         "one does (a duplicate SPN)",
                         res->service);
    if (code == KRB5KDC_ERR_BADOPTION && !(tgt_flags & ADKCD_TKT_FORWARDABLE)) {
        if (from_ccache != NULL) {
            *hints_out = ADKCD_HINT_CREDENTIALS;
            return explained(text_out, err,
                             "the TGT of %s in %s is not forwardable, so "
                             "neither is its S4U2Self ticket, and the KDC "
                             "refuses S4U2Proxy: get it with 'kinit -f' "
                             "(or forwardable = true in krb5.conf), or give "
                             "its keys, with which adkcd asks for a "
                             "forwardable one; if it is still not "
                             "forwardable, %s is marked sensitive "
                             "(NOT_DELEGATED)",
                             acct, from_ccache, acct);
        }
        return explained(text_out, err,
                         "the TGT of %s is not forwardable although adkcd "
                         "asked for a forwardable one, so neither is its "
                         "S4U2Self ticket, and the KDC refuses S4U2Proxy: "
                         "the account is marked sensitive (NOT_DELEGATED), "
                         "or the KDC's policy forbids forwardable tickets",
                         acct);
    }
    /* msDS-AllowedToDelegateTo takes a forwardable evidence ticket only
     * (MS-SFU 3.2.5.2.1).  Resource-based delegation takes a
     * non-forwardable one on Windows KDCs (2012 and later, MS-SFU
     * 3.1.5.2.1), not on Samba's, which refuses it before looking at
     * either (seen on 4.22): the flag is the first suspect on both. */
    if (code == KRB5KDC_ERR_BADOPTION && inspected &&
        !(res->self.tkt.flags & ADKCD_TKT_FORWARDABLE))
        return explained(text_out, err,
                         "the S4U2Self ticket is not forwardable, and the "
                         "KDC refused S4U2Proxy with it (constrained "
                         "delegation takes only a forwardable one, and so "
                         "does resource-based delegation on Samba's KDC, "
                         "unlike Windows'): protocol transition "
                         "(TRUSTED_TO_AUTH_FOR_DELEGATION) is off on %s, "
                         "or %s is sensitive (NOT_DELEGATED) or in "
                         "Protected Users",
                         acct, res->user);
    if (code == KRB5KDC_ERR_BADOPTION && !inspected)
        return explained(text_out, err,
                         "the KDC refused S4U2Proxy to %s: the service is "
                         "not in the msDS-AllowedToDelegateTo of %s, or "
                         "the S4U2Self ticket (which could not be "
                         "inspected) is not forwardable: protocol "
                         "transition off, or %s sensitive or in Protected "
                         "Users",
                         res->service, acct, res->user);
    if (code == KRB5KDC_ERR_BADOPTION)
        return explained(text_out, err,
                         "the KDC refused S4U2Proxy to %s: the service is "
                         "not in the msDS-AllowedToDelegateTo of %s (nor "
                         "does the service's account allow %s by "
                         "resource-based delegation)",
                         res->service, acct, acct);
    return explained(text_out, err, "S4U2Proxy to %s failed: %s", res->service,
                     res->proxy.error ? res->proxy.error : "no reason");
}
