/*
 * adkcd: reading a Windows security descriptor, as far as delegation needs.
 *
 * msDS-AllowedToActOnBehalfOfOtherIdentity (resource-based constrained
 * delegation) holds a self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6)
 * whose DACL lists, as ACCESS_ALLOWED ACEs, the accounts that may
 * delegate to the object's services.  Parsing is pure and bounds-checked:
 * a truncated or inconsistent descriptor is an error, never a read past
 * the buffer.
 */
#ifndef ADKCD_SD_H
#define ADKCD_SD_H

#include <stddef.h>

#include "adkcd/status.h"

/* ACE types (MS-DTYP 2.4.4.1). */
#define ADKCD_ACE_ACCESS_ALLOWED 0x00u
#define ADKCD_ACE_ACCESS_DENIED 0x01u
#define ADKCD_ACE_ACCESS_ALLOWED_OBJECT 0x05u
#define ADKCD_ACE_ACCESS_DENIED_OBJECT 0x06u

struct adkcd_sd_ace {
    unsigned type;  /* ADKCD_ACE_* or another type (then sid may be NULL) */
    unsigned flags; /* AceFlags */
    unsigned mask;  /* access mask */
    char *sid;      /* "S-1-5-21-...", or NULL for types without a SID */
};

struct adkcd_sd {
    char *owner;               /* string SID or NULL */
    char *group;               /* string SID or NULL */
    int has_dacl;              /* SE_DACL_PRESENT and a DACL */
    struct adkcd_sd_ace *aces; /* the DACL's ACEs, in order */
    size_t n;
};

/*
 * Parse a self-relative security descriptor.  ADKCD_E_INVALID (with what
 * is wrong and at which offset) on malformed input; *sd is then empty.
 * Free with adkcd_sd_clear().
 */
adkcd_status
adkcd_sd_parse(const unsigned char *buf, size_t len, struct adkcd_sd *sd,
               struct adkcd_err *err);

void
adkcd_sd_clear(struct adkcd_sd *sd);

/*
 * A binary SID (MS-DTYP 2.4.2.2) at buf as "S-1-..."; *used_out (may be
 * NULL) is its length in bytes.  ADKCD_E_INVALID when malformed.
 */
adkcd_status
adkcd_sid_to_string(const unsigned char *buf, size_t len, size_t *used_out,
                    char **text_out, struct adkcd_err *err);

/*
 * The SIDs that the DACL allows (ACCESS_ALLOWED and ACCESS_ALLOWED_OBJECT
 * ACEs with a non-zero mask that apply to the object itself, i.e. not
 * INHERIT_ONLY), in order, without repeats, minus any SID an
 * ACCESS_DENIED or ACCESS_DENIED_OBJECT ACE names; *sids_out is a new strv
 * (empty when none).  A descriptor without a DACL, or with a NULL DACL,
 * grants everything to everyone (MS-DTYP 2.5.3.2): the result is then
 * Everyone, S-1-1-0.
 */
adkcd_status
adkcd_sd_allowed_sids(const struct adkcd_sd *sd, char ***sids_out,
                      struct adkcd_err *err);

/* A well-known SID's name ("Everyone", "Authenticated Users", ...) or NULL
 * (S-1-1-0, S-1-5-11, S-1-5-7, S-1-5-32-544, domain RIDs 512, 513, 515,
 * 516, 525 need the domain SID and are matched by suffix). */
const char *
adkcd_sid_well_known(const char *sid);

#endif /* ADKCD_SD_H */
