/*
 * adkcd: the local check of an account name (pure: no LDAP).
 *
 * Split from account.c so that the parts that need no directory (the front
 * ends' validation before connecting, the state file's validator) can use
 * it from the pure layers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uuid/uuid.h>

#include "adkcd/account.h"
#include "adkcd/sd.h"
#include "adkcd/utf8.h"

/* The longest name accepted; sAMAccountName is at most 20 characters, but
 * a DN or a UPN can be long. */
#define NAME_MAX_LEN 1024

/* Check the syntax of <GUID=...> / <SID=...> (MS-ADTS 3.1.1.3.1.2.4,
 * extended DN forms). */
static adkcd_status
check_extended_dn(const char *name, struct adkcd_err *err)
{
    size_t len = strlen(name);
    char inner[256];
    uuid_t u;

    /* The inner part is len - 7 bytes for <GUID=...>, len - 6 for
     * <SID=...>: both must fit with their NUL. */
    if (len < 8 || name[len - 1] != '>' || len - 6 >= sizeof(inner) ||
        (strncasecmp(name, "<GUID=", 6) != 0 &&
         strncasecmp(name, "<SID=", 5) != 0))
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "malformed '%s': expected <GUID=...> or "
                             "<SID=S-1-...>",
                             name);
    if (strncasecmp(name, "<GUID=", 6) == 0) {
        memcpy(inner, name + 6, len - 7);
        inner[len - 7] = '\0';
        if (uuid_parse(inner, u) != 0)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "malformed GUID '%s' (expected "
                                 "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                                 inner);
    } else {
        memcpy(inner, name + 5, len - 6);
        inner[len - 6] = '\0';
        struct adkcd_val bin;

        /* As the SIDs of rbcd are read: at most 15 sub-authorities of 32
         * bits each. */
        if (adkcd_sid_from_string(inner, &bin, NULL) != ADKCD_OK)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "malformed SID '%s' (expected "
                                 "S-1-5-21-..., at most 15 sub-authorities "
                                 "below 2^32)",
                                 inner);
        free(bin.data);
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_account_check_name(const char *name, size_t len, struct adkcd_err *err)
{
    size_t i;

    if (name == NULL || len == 0 || name[0] == '\0')
        return adkcd_err_set(err, ADKCD_E_USAGE, "empty account name");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c == '\0')
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "account name contains a NUL byte at "
                                 "position %zu",
                                 i + 1);
        if (c < 0x20 || c == 0x7f)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "account name contains a control character "
                                 "(0x%02x) at position %zu",
                                 c, i + 1);
        /* C1 controls in UTF-8 (U+0080..U+009F), CSI among them. */
        if (c == 0xc2 && i + 1 < len && (unsigned char)name[i + 1] >= 0x80 &&
            (unsigned char)name[i + 1] <= 0x9f)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "account name contains a control character "
                                 "(U+%04X) at position %zu",
                                 (unsigned char)name[i + 1], i + 1);
    }
    for (i = 0; i < len;) {
        size_t n = adkcd_utf8_len((const unsigned char *)name + i, len - i);

        /* Names in the directory are UTF-8: a byte that is not (a lone
         * 0x9b is CSI to a terminal that is not in UTF-8) names nothing. */
        if (n == 0)
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "account name is not UTF-8 (byte 0x%02x at "
                                 "position %zu)",
                                 (unsigned char)name[i], i + 1);
        i += n;
    }
    if (len > NAME_MAX_LEN)
        return adkcd_err_set(err, ADKCD_E_USAGE, "account name too long");
    if (name[0] == '<')
        return check_extended_dn(name, err);
    return ADKCD_OK;
}

const char *
adkcd_account_class(const struct adkcd_account *a)
{
    return a->is_computer ? "computer" : "user";
}
