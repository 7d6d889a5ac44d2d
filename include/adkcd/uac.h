/*
 * adkcd: userAccountControl, and what kind of account it makes (pure).
 *
 * The one place that says what the bits of userAccountControl are
 * (MS-ADTS 2.2.16), how its LDAP value is written (a signed 32-bit
 * integer in decimal: 0x80000000 and above come back negative), and how an
 * account is classified: writable or read-only domain controller, a KDC's
 * own account (krbtgt), disabled, sensitive.  Every module that asks one
 * of these questions asks it here.
 */
#ifndef ADKCD_UAC_H
#define ADKCD_UAC_H

#include "adkcd/status.h"

/* userAccountControl bits (MS-ADTS 2.2.16). */
#define ADKCD_UAC_ACCOUNTDISABLE 0x2u
#define ADKCD_UAC_WORKSTATION_TRUST_ACCOUNT 0x1000u
#define ADKCD_UAC_SERVER_TRUST_ACCOUNT 0x2000u
#define ADKCD_UAC_TRUSTED_FOR_DELEGATION 0x80000u
#define ADKCD_UAC_NOT_DELEGATED 0x100000u
#define ADKCD_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000u
/* A read-only domain controller (with WORKSTATION_TRUST_ACCOUNT). */
#define ADKCD_UAC_PARTIAL_SECRETS_ACCOUNT 0x4000000u

/* The attribute. */
#define ADKCD_UAC_ATTR "userAccountControl"

/* A read-only DC's msDS-KrbTgtLink names its krbtgt_NNNNN account, which
 * carries the back link msDS-KrbTgtLinkBl. */
#define ADKCD_KRBTGT_LINK_ATTR "msDS-KrbTgtLink"
#define ADKCD_KRBTGT_LINK_BL_ATTR "msDS-KrbTgtLinkBl"

/* The bitwise-AND matching rule (LDAP_MATCHING_RULE_BIT_AND). */
#define ADKCD_UAC_BIT_AND "1.2.840.113556.1.4.803"

/*
 * LDAP filter terms (to put inside "(|...)") that match what
 * adkcd_uac_is_dc() and adkcd_uac_is_krbtgt() decide: SERVER_TRUST_ACCOUNT
 * (8192) or PARTIAL_SECRETS_ACCOUNT (67108864); the name krbtgt or the
 * back link of an RODC's msDS-KrbTgtLink.
 */
#define ADKCD_UAC_DC_TERMS                                                     \
    "(userAccountControl:" ADKCD_UAC_BIT_AND ":=8192)"                         \
    "(userAccountControl:" ADKCD_UAC_BIT_AND ":=67108864)"
#define ADKCD_UAC_KRBTGT_TERMS                                                 \
    "(sAMAccountName=krbtgt)(" ADKCD_KRBTGT_LINK_BL_ATTR "=*)"

/* Room for a value formatted by adkcd_uac_format(): "-2147483648". */
#define ADKCD_UAC_STRLEN 12

/* A named userAccountControl bit. */
struct adkcd_uac_flag {
    unsigned bit;
    const char *name;
};

/* Every userAccountControl bit with its MS-ADTS name, ending with {0, NULL}. */
extern const struct adkcd_uac_flag adkcd_uac_flags[];

/*
 * Parse an LDAP value of userAccountControl: a decimal integer, signed
 * 32-bit as the syntax says ("-2147483648" is 0x80000000), an unsigned
 * one up to 4294967295 accepted too.  *uac_out is the bits.  Returns 0,
 * or -1 (and *uac_out 0) for NULL, an empty value, anything but digits
 * after an optional sign, or a value out of range.
 */
int
adkcd_uac_parse(const char *text, unsigned *uac_out);

/*
 * Write uac as its LDAP value (signed 32-bit decimal) into buf, which has
 * room for ADKCD_UAC_STRLEN bytes.  Returns buf.
 */
char *
adkcd_uac_format(unsigned uac, char *buf);

/*
 * The names of the bits set in uac, "NAME (0xBIT)" joined by ", " (unknown
 * bits as hex).  *text_out is a new string.  ADKCD_E_NOMEM only.
 */
adkcd_status
adkcd_uac_describe(unsigned uac, char **text_out, struct adkcd_err *err);

/* Non-zero for a writable domain controller (SERVER_TRUST_ACCOUNT, and not
 * read-only). */
int
adkcd_uac_is_writable_dc(unsigned uac);

/* Non-zero for a read-only domain controller (PARTIAL_SECRETS_ACCOUNT,
 * MS-ADTS 2.2.16). */
int
adkcd_uac_is_rodc(unsigned uac);

/* Non-zero for any domain controller, writable or read-only: a ticket to
 * any of its services is a ticket to all of them. */
int
adkcd_uac_is_dc(unsigned uac);

/* Non-zero when ACCOUNTDISABLE is set. */
int
adkcd_uac_is_disabled(unsigned uac);

/* Non-zero when NOT_DELEGATED is set ("Account is sensitive and cannot be
 * delegated"). */
int
adkcd_uac_is_sensitive(unsigned uac);

/*
 * Non-zero for a KDC's own account: the domain's krbtgt (sam "krbtgt", a
 * name no other account of the domain can have), or an account a
 * read-only DC links to (rodc_linked: it has msDS-KrbTgtLinkBl, or an
 * RODC's msDS-KrbTgtLink names it).  A name such as "krbtgt_12345" alone
 * is not enough: any user may be called that.
 */
int
adkcd_uac_is_krbtgt(const char *sam, int rodc_linked);

#endif /* ADKCD_UAC_H */
