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
#include "adkcd/values.h"

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
    size_t off;      /* where its bytes are in the descriptor parsed */
    size_t size;     /* AceSize */

    /* What SDDL shows (adkcd_sd_to_sddl()).  An object ACE's Flags, and
     * the GUIDs they announce as stored (the first three fields
     * little-endian, MS-DTYP 2.3.4.2); zero when absent. */
    unsigned object_flags;
    int inherited_object_type; /* carries an InheritedObjectType GUID */
    unsigned char object_guid[16];
    unsigned char inherited_object_guid[16];
    /* A callback (conditional) ACE's ApplicationData, the rest of the ACE
     * after the SID: where it is in the descriptor and its length (both 0
     * for other types). */
    size_t app_off, app_len;
};

struct adkcd_sd {
    char *owner;               /* string SID or NULL */
    char *group;               /* string SID or NULL */
    int has_dacl;              /* SE_DACL_PRESENT and a DACL */
    struct adkcd_sd_ace *aces; /* the DACL's ACEs, in order */
    size_t n;

    /* Where the parts are in the descriptor parsed (0, 0: not there), so
     * that an edit can copy what it does not change byte for byte. */
    unsigned sbz1;    /* the byte after Revision (RM control) */
    unsigned control; /* SECURITY_DESCRIPTOR_CONTROL */
    size_t owner_off, owner_len;
    size_t group_off, group_len;
    size_t sacl_off, sacl_len; /* the SACL as a whole (AclSize) */
    size_t dacl_off, dacl_len; /* the DACL as a whole (AclSize) */
    unsigned dacl_rev;         /* its AclRevision */
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

/* What an ACE does for resource-based delegation (the control-access
 * right), as adkcd_sd_allowed() reads it. */
enum adkcd_sd_role {
    ADKCD_SD_ROLE_NONE = 0,   /* nothing (another right, inherit-only) */
    ADKCD_SD_ROLE_ALLOW,      /* allows its SID */
    ADKCD_SD_ROLE_DENY,       /* denies its SID */
    ADKCD_SD_ROLE_COND_ALLOW, /* allows it if its condition holds */
    ADKCD_SD_ROLE_COND_DENY,  /* denies it if its condition holds */
    ADKCD_SD_ROLE_UNKNOWN,    /* a type not interpreted */
};

enum adkcd_sd_role
adkcd_sd_ace_role(const struct adkcd_sd_ace *ace);

/* The access check of adkcd_sd_allowed() for one SID alone. */
enum adkcd_sd_verdict {
    ADKCD_SD_DENIED = 0,
    ADKCD_SD_ALLOWED,
    ADKCD_SD_CONDITIONAL, /* depends on the condition of a conditional ACE */
};

enum adkcd_sd_verdict
adkcd_sd_check_sid(const struct adkcd_sd *sd, const char *sid, unsigned access);

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

/* Does sid stand for "anyone" or "any account" (Everyone, Authenticated
 * Users, Domain Users, Domain Computers, ...)?  Allowing it to delegate
 * allows every member. */
int
adkcd_sid_is_broad(const char *sid);

/* ------------------------------------------------------------------ */
/* SDDL rendering (src/lib/model/sddl.c) */

/*
 * The descriptor of len bytes at buf as SDDL text (MS-DTYP 2.5.1), e.g.
 * "O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-1105)", for showing a value to a
 * person (diffs, adkcd rbcd show).  *text_out is a new string (free()),
 * NULL on failure.
 *
 * Rendered: O: and G: when present, and D: (with its P, AR and AI flags)
 * when SE_DACL_PRESENT is set: "D:NO_ACCESS_CONTROL" for a NULL DACL, else
 * each ACE as (type;flags;rights;object_guid;inherit_object_guid;sid).
 * Types A, D, OA, OD, XA, XD, ZA; flags OI CI NP IO ID SA FA; rights "CR"
 * for exactly 0x100, else "0x" and lower-case hexadecimal (never split
 * into letters); GUIDs 8-4-4-4-12 in lower case; the SIDs BA BU WD AU AN
 * SY PS ED NU IU CO by their abbreviation, any other in full.
 *
 * Not rendered: the SACL (no S: part, even when there is one).
 *
 * Not SDDL (for a person, no parser reads them back): another ACE type as
 * "0x" and two hex digits (e.g. 0x0c, a denied callback object ACE), with
 * no SID when the type is not one adkcd_sd_parse() reads; unknown AceFlags
 * bits as "0x" and two hex digits after the known ones; and a callback
 * ACE's condition, which is binary (MS-DTYP 2.4.4.17) and is not decoded,
 * as "(<condition: N bytes>)" in the seventh field.
 *
 * The text is printable ASCII.  ADKCD_E_INVALID (the parser's message)
 * when the descriptor is malformed, ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_sd_to_sddl(const unsigned char *buf, size_t len, char **text_out,
                 struct adkcd_err *err);

/* ---- editing (sd_edit.c) ------------------------------------------- */

/* The attribute of resource-based constrained delegation. */
#define ADKCD_RBCD_ATTR "msDS-AllowedToActOnBehalfOfOtherIdentity"

/*
 * The access mask of the ACE adkcd writes: 0xF01FF, what Windows' own tools
 * (Active Directory Users and Computers, Set-ADComputer
 * -PrincipalsAllowedToDelegateToAccount) write.  A KDC runs an access check
 * on the descriptor (MS-SFU 3.2.5.2.3); Samba's asks for the control-access
 * right (0x100, ADKCD_RIGHT_DS_CONTROL_ACCESS), which this mask holds, and a
 * descriptor written by adkcd is the same as one written by Windows for the
 * same principal.  An ACE counts as allowing when its mask holds 0x100.
 */
#define ADKCD_RBCD_MASK 0x000F01FFu

/* The owner of a descriptor adkcd creates: BUILTIN\Administrators. */
#define ADKCD_SID_BUILTIN_ADMINS "S-1-5-32-544"

/*
 * A SID as text ("S-1-5-21-1-2-3-1105") into its binary form (MS-DTYP
 * 2.4.2.2): *out is a new value (free its data).  The authority may also
 * be "0x" and 12 hexadecimal digits (MS-DTYP 2.4.2.1), as
 * adkcd_sid_to_string() writes one of 2^32 and more, so that its text
 * always converts back.  ADKCD_E_USAGE when malformed.
 */
adkcd_status
adkcd_sid_from_string(const char *text, struct adkcd_val *out,
                      struct adkcd_err *err);

/* What to change in a descriptor (SIDs as text, canonical "S-1-..."). */
struct adkcd_sd_edit {
    char *const *add;    /* to allow (strv, may be NULL) */
    char *const *remove; /* to allow no more (strv, may be NULL) */
    int exact;           /* add is the whole list: every other SID that
                          * the DACL allows loses its allow ACEs */
};

struct adkcd_sd_edit_result {
    int present;            /* the attribute after (0: removed/absent) */
    struct adkcd_val value; /* its value when present (owned) */
    int changed;            /* differs from the value edited */
    char **added;           /* SIDs now allowed that were not (strv) */
    char **removed;         /* SIDs allowed no more (strv) */
    size_t aces_removed;    /* ACEs taken out */
};

/*
 * Edit the descriptor cur (NULL: the attribute is absent) as edit says,
 * changing only the ACEs of the SIDs named: every other ACE, the owner,
 * the group, the SACL, the control flags and the DACL's revision stay byte
 * for byte.  A SID is allowed when the access check of
 * adkcd_sd_check_sid() for ADKCD_RIGHT_DS_CONTROL_ACCESS says so.
 *   - add: a SID not allowed gets an ACCESS_ALLOWED ACE (mask
 *     ADKCD_RBCD_MASK, no flags) after the last explicit (not inherited)
 *     ACE; one already allowed is left as it is.
 *   - remove: every allowing ACE of the SID (plain, object or
 *     conditional allows whose mask holds 0x100) is taken out; deny ACEs
 *     stay.
 *   - exact: every SID not in add loses its allowing ACEs (conditional and
 *     object ones too, and one that a deny cancels now, which would allow
 *     it once the deny went); a descriptor without a DACL (Everyone) gets
 *     one, and removed then lists S-1-1-0.
 * No descriptor yet: a new one, owner ADKCD_SID_BUILTIN_ADMINS, a DACL
 * of the ACEs added (Windows' own layout: "O:BAD:(A;;0xf01ff;;;SID)").  A
 * DACL left with no ACE removes the attribute (the state before the first
 * add).  Nothing to do: *out says unchanged, with cur's value.
 *
 * ADKCD_E_INVALID: cur is malformed (the parser's message; such a value
 * is not edited).  ADKCD_E_USAGE: a SID is malformed or in both lists; an
 * added SID would still not be allowed (a deny, or a conditional deny,
 * comes before: the message names the ACE); add or remove on a
 * descriptor without a DACL (which allows everyone: only exact may set
 * one); the DACL would pass 64 KiB.  *out is then empty.  Free with
 * adkcd_sd_edit_result_clear().
 */
adkcd_status
adkcd_sd_edit(const struct adkcd_val *cur, const struct adkcd_sd_edit *edit,
              struct adkcd_sd_edit_result *out, struct adkcd_err *err);

void
adkcd_sd_edit_result_clear(struct adkcd_sd_edit_result *r);

#endif /* ADKCD_SD_H */
