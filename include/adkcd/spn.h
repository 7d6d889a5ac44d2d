/*
 * adkcd: service principal names (pure: no LDAP).
 *
 * An SPN is "class/host[:port][/name]" (MS-ADTS 5.1.1.4.2 and setspn),
 * where the port may also be an instance name starting with a letter, as
 * SQL Server registers "MSSQLSvc/host:SQLEXPRESS".
 * Validation happens here, before anything is sent: the DC accepts many
 * malformed strings (in msDS-AllowedToDelegateTo, any string at all).
 * Comparison is case-insensitive everywhere, because AD's Kerberos lookups
 * are; the DC itself would store "HTTP/x" and "http/x" as two values.
 */
#ifndef ADKCD_SPN_H
#define ADKCD_SPN_H

#include "adkcd/status.h"

/* Limits that make an SPN "sane"; longer ones are refused. */
#define ADKCD_SPN_MAX_LEN 1024
#define ADKCD_SPN_MAX_CLASS 64
#define ADKCD_SPN_MAX_HOST 255

struct adkcd_spn {
    char *text;      /* the SPN as given */
    char *svc_class; /* "http" */
    char *host;      /* "iosmdm.mydom.local" (without the port) */
    unsigned port;   /* 0 when no port was given (or an instance name) */
    char *name;      /* service name after the second '/', or NULL */
};

/*
 * Parse and validate text.  On success *spn_out is a new object the caller
 * frees with adkcd_spn_free().  On failure *spn_out is NULL and the status is
 * ADKCD_E_USAGE with a message saying what is wrong and where.
 */
adkcd_status
adkcd_spn_parse(const char *text, struct adkcd_spn **spn_out,
                struct adkcd_err *err);

/* Validate only.  Same statuses as adkcd_spn_parse(). */
adkcd_status
adkcd_spn_check(const char *text, struct adkcd_err *err);

/* Free an SPN; NULL is a no-op. */
void
adkcd_spn_free(struct adkcd_spn *spn);

/* Non-zero when a and b are the same SPN (ASCII case-insensitive). */
int
adkcd_spn_equal(const char *a, const char *b);

/*
 * Host aliases: the forest's sPNMappings (on CN=Directory Service,
 * CN=Windows NT,CN=Services,CN=Configuration,...), e.g.
 * "host=alerter,http,cifs,...": a "host/x" SPN also answers for "http/x".
 * Since KB5008382 DCs refuse an SPN whose alias is held by another account.
 */
struct adkcd_spn_mapping {
    char *target;   /* "host" */
    char **aliases; /* strv: "http", "cifs", ... */
};

struct adkcd_spn_mappings {
    struct adkcd_spn_mapping *v;
    size_t n;
};

/*
 * Parse the values of sPNMappings (a strv, may be NULL for "none").
 * Malformed values give ADKCD_E_INVALID.  Free with
 * adkcd_spn_mappings_free().
 */
adkcd_status
adkcd_spn_mappings_parse(char *const *values, struct adkcd_spn_mappings **out,
                         struct adkcd_err *err);

void
adkcd_spn_mappings_free(struct adkcd_spn_mappings *m);

/*
 * Every SPN that would clash with spn in the KDC's eyes: spn itself, then
 * (when its class is an alias) "target/rest", or (when its class is a
 * target) "alias/rest" for each alias.  m may be NULL.  *out is a new strv
 * (the caller frees it with adkcd_strv_free()).
 */
adkcd_status
adkcd_spn_equivalents(const struct adkcd_spn *spn,
                      const struct adkcd_spn_mappings *m, char ***out,
                      struct adkcd_err *err);

/*
 * The SPN forms the KDC takes for value, as a strv that includes value
 * itself (adkcd_spn_equivalents() with mappings, a struct
 * adkcd_spn_mappings or NULL); a value that is no SPN has no other form.
 * The signature of an adkcd_equiv_func (plan.h), for ordering moves.
 */
adkcd_status
adkcd_spn_equiv_values(void *mappings, const char *value, char ***out,
                       struct adkcd_err *err);

/*
 * Check a setspn -Q pattern before anything is sent: non-empty, printable
 * ASCII, sane length.  ADKCD_E_USAGE with a message otherwise.
 */
adkcd_status
adkcd_spn_pattern_check(const char *pattern, struct adkcd_err *err);

/*
 * Non-zero when pattern (setspn -Q syntax: '*' matches any run of
 * characters, everything else literally, ASCII case-insensitive) matches
 * text.
 */
int
adkcd_spn_match(const char *pattern, const char *text);

#endif /* ADKCD_SPN_H */
