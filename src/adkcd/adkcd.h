/*
 * adkcd front end: what the verb files share (the parsed arguments and a
 * few printing helpers).  Each verb parses nothing itself and decides
 * nothing: it calls the library and prints.
 */
#ifndef ADKCD_FRONT_H
#define ADKCD_FRONT_H

#include <jansson.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/deleg.h"
#include "common.h"

struct args {
    const char *verb;
    char *pos[64];
    int npos;
    struct adkcd_deleg_request req;
    int mode_given;
    enum adkcd_account_kind kind;
    const char *impersonate; /* check, verify: --impersonate USER */
    int forest;              /* audit: -F/--forest */
    int stop_on_error;       /* apply: --stop-on-error */
    int argc;
    char **argv;
};

/* Report "out of memory"; returns the exit code. */
int
front_nomem(const struct cli_common *c);

/* Connect (cli_connect) or report the failure: 0, or the exit code. */
int
front_connect(struct cli_common *c, struct adkcd_conn **conn);

/* A warning on stderr and, with --json, appended to warnings (may be
 * NULL). */
void
front_warn(struct cli_common *c, json_t *warnings, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The names of the userAccountControl bits set in uac, as a JSON array. */
json_t *
front_json_flags(unsigned uac);

/* A delegation state as JSON (mode, protocol_transition, services, ...). */
json_t *
front_json_deleg(const struct adkcd_deleg *d);

/*
 * The fixes of check's and verify's findings (fixes.c): the library gives
 * a fix id and its data, these word it with the commands that do it.
 */
struct adkcd_fix;

/* The fix as text ("adkcd add tmg http/x --any-protocol"): a new string,
 * or NULL when there is none (ADKCD_FIX_NONE) or no memory. */
char *
front_fix_text(const struct adkcd_fix *fix);

/* "        fix: TEXT" and a newline on stdout, when there is a fix. */
void
front_print_fix(const struct adkcd_fix *fix);

/* Set "fix" (the text) and "fix_id" (adkcd_fix_name()) of a finding's
 * JSON object, null when there is no fix. */
void
front_json_fix(json_t *finding, const struct adkcd_fix *fix);

/* The verbs. */
int
cmd_check(struct cli_common *c, struct args *a);
int
cmd_verify(struct cli_common *c, struct args *a);
int
cmd_audit(struct cli_common *c, struct args *a);
int
cmd_apply(struct cli_common *c, struct args *a);
int
cmd_export(struct cli_common *c, struct args *a);
int
cmd_rbcd(struct cli_common *c, struct args *a);

/* A want's resource-based delegation, before and after, as JSON (the
 * SIDs named through conn). */
struct adkcd_want;
json_t *
front_json_rbcd(struct adkcd_conn *conn, const struct adkcd_want *w);

/* The principals a change of resource-based delegation of target allows
 * and allows no more, one a line, each named with its SID. */
void
front_rbcd_print(FILE *f, struct adkcd_conn *conn, const struct adkcd_want *w,
                 const char *target);

/* A hint after a refused write of resource-based delegation that a Samba
 * DC's schema explains (the attribute system-only), on stderr in text. */
void
front_rbcd_refusals(const struct cli_common *c, const struct adkcd_plan *plan);

/* The warnings of a change of resource-based delegation (principals
 * allowed that are disabled, DCs, unconstrained or broad; deny,
 * conditional and uninterpreted ACEs kept), on stderr and in warnings
 * (may be NULL), as rbcd add/remove/set and apply give them. */
void
front_rbcd_warnings(struct cli_common *c, json_t *warnings,
                    struct adkcd_conn *conn, const struct adkcd_want *w,
                    const char *target);

#endif /* ADKCD_FRONT_H */
