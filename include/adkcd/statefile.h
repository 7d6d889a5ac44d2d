/*
 * adkcd: the desired-state file of "adkcd apply" and "adkcd export" (pure
 * model: no LDAP).
 *
 * The file is YAML (JSON is accepted, since JSON is YAML), one document:
 *
 *     version: 1
 *     spn_check: forest
 *     accounts:
 *       - account: tmg
 *         type: computer
 *         spns: {present: [http/tmg.mydom.local], absent: [http/old]}
 *         delegation:
 *           mode: constrained
 *           protocol_transition: true
 *           services: {exact: [http/iosmdm.mydom.local]}
 *       - account: iosmdm
 *         rbcd: {present: [tmg$]}
 *
 * The format, every key and every check are in docs/state-file.md.  What
 * the file does not name is left as it is.  The parser collects every
 * problem it finds, each with its line and column; the writer emits a file
 * through libyaml's emitter, so that quoting is always right.  The
 * desired-state functions turn an account's current values and its entry
 * into the values wanted, with the meaning of today's verbs (adspn -S/-D,
 * adkcd add/remove/set).
 */
#ifndef ADKCD_STATEFILE_H
#define ADKCD_STATEFILE_H

#include <stddef.h>

#include "adkcd/account.h"
#include "adkcd/deleg.h"
#include "adkcd/status.h"

/* Limits: a file beyond them is refused (documented in state-file.md). */
#define ADKCD_SF_MAX_BYTES (16u * 1024 * 1024) /* the whole file */
#define ADKCD_SF_MAX_DEPTH 16                  /* nested lists and mappings */
#define ADKCD_SF_MAX_NODES 1000000             /* scalars, lists and mappings */
#define ADKCD_SF_MAX_SCALAR 4096               /* bytes of one value or key */
#define ADKCD_SF_MAX_ERRORS 100 /* errors recorded; more are counted */

/* A place in the file: 1-based line and column (in characters).  0 and 0
 * for what was not read from a file. */
struct adkcd_sf_pos {
    unsigned line;
    unsigned column;
};

/* One SPN or service of a list, with the position of its value. */
struct adkcd_sf_item {
    char *text;
    struct adkcd_sf_pos pos;
};

/* A list of SPNs or services (present, absent or exact). */
struct adkcd_sf_list {
    int given;               /* the key is in the file (exact: [] counts) */
    struct adkcd_sf_pos pos; /* of the key */
    struct adkcd_sf_item *v;
    size_t n;
};

/* "spns" or "delegation.services": present/absent, or exact alone. */
struct adkcd_sf_set {
    int given;               /* the key is in the file */
    struct adkcd_sf_pos pos; /* of the key */
    struct adkcd_sf_list present, absent, exact;
};

struct adkcd_sf_deleg {
    int given;               /* "delegation" is in the file */
    struct adkcd_sf_pos pos; /* of the key */
    int mode_given;
    enum adkcd_deleg_mode mode;
    struct adkcd_sf_pos mode_pos;
    enum adkcd_deleg_pt pt; /* ADKCD_PT_KEEP when not given */
    struct adkcd_sf_pos pt_pos;
    struct adkcd_sf_set services;
};

/* One entry of "accounts". */
struct adkcd_sf_account {
    struct adkcd_sf_pos pos; /* of the entry (its first key) */
    char *name;              /* the ACCOUNT as written */
    struct adkcd_sf_pos name_pos;
    enum adkcd_account_kind kind; /* ADKCD_ACCOUNT_ANY when no "type" */
    struct adkcd_sf_pos kind_pos;
    struct adkcd_sf_set spns;
    struct adkcd_sf_deleg deleg;
    struct adkcd_sf_set rbcd; /* resource-based delegation: the principals
                               * allowed to delegate to this account */
};

/* Where a wanted SPN must be unique: "spn_check". */
enum adkcd_sf_spn_check {
    ADKCD_SF_CHECK_FOREST = 0, /* the default: the forest, as adspn -S */
    ADKCD_SF_CHECK_DOMAIN,     /* the account's domain, as adspn -S -T */
    ADKCD_SF_CHECK_NONE,       /* no duplicate check (adspn -A) */
};

struct adkcd_statefile {
    int version; /* 1 */
    int spn_check_given;
    enum adkcd_sf_spn_check spn_check;
    struct adkcd_sf_pos spn_check_pos;
    struct adkcd_sf_pos accounts_pos;
    struct adkcd_sf_account *accounts;
    size_t n_accounts;
};

/* One problem found in a file. */
struct adkcd_sf_error {
    struct adkcd_sf_pos pos; /* 0, 0 when the problem has no place */
    char *msg;               /* "accounts[2].spns.present[1]: ..." */
};

struct adkcd_sf_errors {
    struct adkcd_sf_error *v;
    size_t n;
    size_t more; /* errors found beyond ADKCD_SF_MAX_ERRORS, not recorded */
};

/*
 * Parse and validate a state file of len bytes at text (which need not end
 * with a NUL; a NUL inside is an error).  Every problem is collected, up to
 * ADKCD_SF_MAX_ERRORS, each with its position and a message that names
 * the value ("accounts[3].spns.present[1]: invalid SPN ..."; indexes count
 * from 1), for the caller to print as FILE:LINE:COLUMN: MESSAGE.
 *
 * On success, ADKCD_OK: *sf_out is a new state file (free it with
 * adkcd_statefile_free()) and *errs_out is NULL.  When the file has
 * problems, ADKCD_E_USAGE: *sf_out is NULL, *errs_out holds them (free with
 * adkcd_sf_errors_free()), and err says how many and quotes the first.
 * ADKCD_E_NOMEM: both are NULL.
 */
adkcd_status
adkcd_statefile_parse(const char *text, size_t len,
                      struct adkcd_statefile **sf_out,
                      struct adkcd_sf_errors **errs_out, struct adkcd_err *err);

/*
 * Render sf as YAML through libyaml's emitter (so that every value is
 * quoted as it needs), keys in the order of docs/state-file.md, only the
 * keys given.  Values are written as they are, not validated: a value the
 * parser refuses (a malformed SPN read from the directory) is written, and
 * the file will not load until it is fixed.  *text_out is a new string
 * (free()).  ADKCD_E_INVALID when a value is not UTF-8, ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_statefile_write(const struct adkcd_statefile *sf, char **text_out,
                      struct adkcd_err *err);

/* A new empty state file (version 1, no account), for export.  Free with
 * adkcd_statefile_free(). */
adkcd_status
adkcd_statefile_new(struct adkcd_statefile **sf_out, struct adkcd_err *err);

/*
 * Append an account entry named name (copied) of the given kind, with
 * nothing else given.  *acct_out is borrowed: valid until the next call
 * (the array is reallocated) or adkcd_statefile_free().  ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_statefile_add_account(struct adkcd_statefile *sf, const char *name,
                            enum adkcd_account_kind kind,
                            struct adkcd_sf_account **acct_out,
                            struct adkcd_err *err);

/*
 * Make list given with exactly the strings of values (a strv, NULL: the
 * empty list), copied; the set that holds it must be marked given by the
 * caller.  ADKCD_E_NOMEM (the list is then left as it was).
 */
adkcd_status
adkcd_sf_list_set(struct adkcd_sf_list *list, char *const *values,
                  struct adkcd_err *err);

/* Free a state file; NULL is a no-op. */
void
adkcd_statefile_free(struct adkcd_statefile *sf);

/* Free a list of errors; NULL is a no-op. */
void
adkcd_sf_errors_free(struct adkcd_sf_errors *errs);

/* "forest", "domain" or "none". */
const char *
adkcd_sf_spn_check_name(enum adkcd_sf_spn_check check);

/*
 * The servicePrincipalName values an account should hold, from the values
 * it holds (current, a strv, may be NULL) and its entry's "spns" (pure).
 * As adspn -D then adspn -S, compared without regard to case as SPNs are:
 * "absent" removes every stored spelling of each value; "present" adds
 * each value the account does not hold in any spelling; "exact" makes the
 * set exactly that, keeping the stored spelling of the values already
 * there (the one spelled as in the file when several are).  The values
 * kept stay in their order, the new ones follow in the file's order.  With
 * spns not given, the values are those held.
 * *want_out is a new strv, never NULL (adkcd_strv_free()); *changed_out is
 * 1 when it differs from current, else 0.  ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_statefile_spns_desired(char *const *current,
                             const struct adkcd_sf_set *spns, char ***want_out,
                             int *changed_out, struct adkcd_err *err);

/*
 * The delegation an account should have, from its current state and its
 * entry's "delegation" (pure), through adkcd_deleg_desired() with the
 * meaning of the adkcd verbs:
 *   - mode none / unconstrained: "adkcd set --mode MODE";
 *   - mode constrained: "adkcd set --mode constrained" with services: the
 *     exact list, or the current services plus present minus absent;
 *   - services exact without mode: with services, as mode constrained;
 *     exact: [] removes every service (as "adkcd remove" of them all: a
 *     constrained account becomes none, an unconstrained one stays so);
 *   - services present / absent without mode: "adkcd add" then "adkcd
 *     remove" on its result;
 *   - protocol_transition: true / false is --any-protocol /
 *     --kerberos-only (alone, it changes the flag of a constrained
 *     account; false also clears it on any other).
 * *want is filled (adkcd_deleg_clear()); *changed_out is 1 when it differs
 * from cur (flags or services, spelling included).  ADKCD_E_USAGE when
 * the result contradicts the entry and the file could not tell: mode
 * constrained or protocol_transition: true where no service would be left
 * (want is then empty).  ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_statefile_deleg_desired(const struct adkcd_deleg *cur,
                              const struct adkcd_sf_deleg *spec,
                              struct adkcd_deleg *want, int *changed_out,
                              struct adkcd_err *err);

#endif /* ADKCD_STATEFILE_H */
