/*
 * adkcd: reading a Windows security descriptor, as far as delegation needs.
 *
 * msDS-AllowedToActOnBehalfOfOtherIdentity (resource-based constrained
 * delegation) holds a self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6)
 * whose DACL grants the accounts that may delegate to the object's
 * services the control access right, usually in ACCESS_ALLOWED ACEs.
 * Parsing is pure and bounds-checked: a truncated or inconsistent
 * descriptor is an error, never a read past the buffer.
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
/* Conditional ACEs: a condition (ApplicationData, MS-DTYP 2.4.4.17) after
 * the SID decides whether they apply. */
#define ADKCD_ACE_ACCESS_ALLOWED_CALLBACK 0x09u
#define ADKCD_ACE_ACCESS_DENIED_CALLBACK 0x0Au
#define ADKCD_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT 0x0Bu
#define ADKCD_ACE_ACCESS_DENIED_CALLBACK_OBJECT 0x0Cu

/* ADS_RIGHT_DS_CONTROL_ACCESS: the right a KDC asks of
 * msDS-AllowedToActOnBehalfOfOtherIdentity for resource-based delegation
 * (Windows writes 0xF01FF, which includes it; Samba's KDC asks for this bit
 * alone, source4/kdc/db-glue.c). */
#define ADKCD_RIGHT_DS_CONTROL_ACCESS 0x100u

struct adkcd_sd_ace {
    unsigned type;   /* ADKCD_ACE_* or another type (then sid is NULL) */
    unsigned flags;  /* AceFlags */
    unsigned mask;   /* access mask */
    int object_type; /* an object ACE that carries an ObjectType GUID */
    char *sid;       /* "S-1-5-21-...", or NULL for types without a SID */
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

/* A SID the DACL allows (see adkcd_sd_allowed()). */
struct adkcd_sd_grant {
    char *sid;
    int conditional; /* allowed or not depending on the condition of a
                      * conditional (callback) ACE, not evaluated here */
};

/* An ACE of the DACL whose type adkcd_sd_allowed() does not interpret. */
struct adkcd_sd_unknown_ace {
    size_t index;  /* its position in the DACL, from 0 */
    unsigned type; /* AceType */
};

struct adkcd_sd_access {
    struct adkcd_sd_grant *grants; /* in the order of their first ACE */
    size_t n_grants;
    struct adkcd_sd_unknown_ace *unknown; /* in DACL order */
    size_t n_unknown;
};

/*
 * Which SIDs the DACL grants the right access (for resource-based
 * delegation ADKCD_RIGHT_DS_CONTROL_ACCESS; with several bits, an ACE
 * counts when its mask has any of them), as the access check of
 * MS-DTYP 2.5.3.2 decides for a token holding that SID: the ACEs are
 * walked in order, and the first one that names the SID with a mask
 * meeting access decides (a deny only removes what no earlier allow has
 * granted, so a canonical and a non-canonical DACL give different answers
 * here as they do to the KDC).  INHERIT_ONLY ACEs do not apply to the
 * object and are skipped.
 *
 * Object ACEs: without an ObjectType GUID they act as plain ACEs.  With
 * one, they apply only to that property or right, which the KDC's check
 * does not name: such a deny is ignored, and such an allow is counted all
 * the same, so that the list errs on the side of showing a principal.
 * Conditional ACEs: their condition cannot be evaluated here.  A SID whose
 * answer depends on one (a conditional allow that decides, or a
 * conditional deny before the allow that decides) is listed with
 * conditional set; a conditional deny alone allows nothing.  Each SID is
 * evaluated alone, without group membership: a deny of a group does not
 * hide its members that an ACE allows by name.  ACEs of any other type
 * (not INHERIT_ONLY) are listed in unknown instead of being dropped
 * silently.
 *
 * A descriptor without a DACL, or with a NULL DACL, grants everything to
 * everyone (MS-DTYP 2.5.3.2): the result is then Everyone, S-1-1-0.
 * *out is filled (empty when nothing is allowed) and is the caller's:
 * adkcd_sd_access_clear().  ADKCD_E_NOMEM; *out is then empty.
 */
adkcd_status
adkcd_sd_allowed(const struct adkcd_sd *sd, unsigned access,
                 struct adkcd_sd_access *out, struct adkcd_err *err);

/* Free what adkcd_sd_allowed() filled; NULL and twice are harmless. */
void
adkcd_sd_access_clear(struct adkcd_sd_access *a);

/*
 * The SIDs of adkcd_sd_allowed(sd, ADKCD_RIGHT_DS_CONTROL_ACCESS), the
 * conditional ones included, as a new strv (empty when none; for adkcd
 * check, which asks whether one SID may delegate).  ADKCD_E_NOMEM.
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
