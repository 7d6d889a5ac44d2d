/* adkcd: userAccountControl, and what kind of account it makes (pure). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adkcd/uac.h"
#include "buf.h"

/* MS-ADTS 2.2.16 userAccountControl bits. */
const struct adkcd_uac_flag adkcd_uac_flags[] = {
    {0x1u, "SCRIPT"},
    {0x2u, "ACCOUNTDISABLE"},
    {0x8u, "HOMEDIR_REQUIRED"},
    {0x10u, "LOCKOUT"},
    {0x20u, "PASSWD_NOTREQD"},
    {0x40u, "PASSWD_CANT_CHANGE"},
    {0x80u, "ENCRYPTED_TEXT_PWD_ALLOWED"},
    {0x100u, "TEMP_DUPLICATE_ACCOUNT"},
    {0x200u, "NORMAL_ACCOUNT"},
    {0x800u, "INTERDOMAIN_TRUST_ACCOUNT"},
    {0x1000u, "WORKSTATION_TRUST_ACCOUNT"},
    {0x2000u, "SERVER_TRUST_ACCOUNT"},
    {0x10000u, "DONT_EXPIRE_PASSWORD"},
    {0x20000u, "MNS_LOGON_ACCOUNT"},
    {0x40000u, "SMARTCARD_REQUIRED"},
    {0x80000u, "TRUSTED_FOR_DELEGATION"},
    {0x100000u, "NOT_DELEGATED"},
    {0x200000u, "USE_DES_KEY_ONLY"},
    {0x400000u, "DONT_REQ_PREAUTH"},
    {0x800000u, "PASSWORD_EXPIRED"},
    {0x1000000u, "TRUSTED_TO_AUTH_FOR_DELEGATION"},
    {0x2000000u, "NO_AUTH_DATA_REQUIRED"},
    {0x4000000u, "PARTIAL_SECRETS_ACCOUNT"},
    {0, NULL},
};

int
adkcd_uac_parse(const char *text, unsigned *uac_out)
{
    const char *p = text;
    long long v;
    char *end = NULL;

    *uac_out = 0;
    if (p == NULL || *p == '\0')
        return -1;
    /* strtoll would skip leading blanks and take "0x"; the syntax
     * (RFC 4517 Integer) allows neither. */
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    /* Signed 32-bit as the syntax says; an unsigned value (as some tools
     * write it) means the same bits. */
    if (v < INT32_MIN || v > (long long)UINT32_MAX)
        return -1;
    *uac_out = (unsigned)(uint32_t)v;
    return 0;
}

char *
adkcd_uac_format(unsigned uac, char *buf)
{
    snprintf(buf, ADKCD_UAC_STRLEN, "%ld", (long)(int32_t)(uint32_t)uac);
    return buf;
}

adkcd_status
adkcd_uac_describe(unsigned uac, char **text_out, struct adkcd_err *err)
{
    struct buf b = {0};
    unsigned known = 0;
    size_t i;

    *text_out = NULL;
    for (i = 0; adkcd_uac_flags[i].name != NULL; i++) {
        known |= adkcd_uac_flags[i].bit;
        if (uac & adkcd_uac_flags[i].bit)
            buf_printf(&b, "%s%s (0x%x)", b.len ? ", " : "",
                       adkcd_uac_flags[i].name, adkcd_uac_flags[i].bit);
    }
    if (uac & ~known)
        buf_printf(&b, "%s0x%x", b.len ? ", " : "", uac & ~known);
    *text_out = buf_take(&b);
    return *text_out != NULL
               ? ADKCD_OK
               : adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
}

int
adkcd_uac_is_writable_dc(unsigned uac)
{
    /* Samba refuses SERVER_TRUST_ACCOUNT with PARTIAL_SECRETS_ACCOUNT;
     * should both be set, the account is read-only. */
    return (uac & ADKCD_UAC_SERVER_TRUST_ACCOUNT) != 0 &&
           !adkcd_uac_is_rodc(uac);
}

int
adkcd_uac_is_rodc(unsigned uac)
{
    /* A read-only DC's account is a workstation trust with
     * PARTIAL_SECRETS_ACCOUNT; the bit alone decides, as the DC's own
     * filters for RODCs do. */
    return (uac & ADKCD_UAC_PARTIAL_SECRETS_ACCOUNT) != 0;
}

int
adkcd_uac_is_dc(unsigned uac)
{
    return adkcd_uac_is_writable_dc(uac) || adkcd_uac_is_rodc(uac);
}

int
adkcd_uac_is_disabled(unsigned uac)
{
    return (uac & ADKCD_UAC_ACCOUNTDISABLE) != 0;
}

int
adkcd_uac_is_sensitive(unsigned uac)
{
    return (uac & ADKCD_UAC_NOT_DELEGATED) != 0;
}

int
adkcd_uac_is_krbtgt(const char *sam, int rodc_linked)
{
    /* The domain's krbtgt is known by its name, which the DC keeps unique
     * in its domain.  A read-only DC's krbtgt_NNNNN is known by its link,
     * not by its name, which any user may have. */
    if (rodc_linked)
        return 1;
    return sam != NULL && strcasecmp(sam, "krbtgt") == 0;
}
