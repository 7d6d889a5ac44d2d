/*
 * adkcd internal: helpers over libldap shared by the library modules.
 * Not part of the public API; front ends never include this.
 */
#ifndef ADKCD_LDAPX_H
#define ADKCD_LDAPX_H

#include <ldap.h>

#include "adkcd/conn.h"
#include "adkcd/status.h"
#include "adkcd/values.h"

/* The DC connection, and the Global Catalog connection (opened on first
 * use, on the same DC). */
LDAP *
adkcd_conn_ldap(struct adkcd_conn *conn);

adkcd_status
adkcd_conn_gc(struct adkcd_conn *conn, LDAP **ld_out, struct adkcd_err *err);

/* The network timeout in seconds (adkcd_conn_opts.timeout, or its
 * default): what one answer of the server is waited for. */
int
adkcd_conn_timeout(const struct adkcd_conn *conn);

/* Hand msg (one line) to the log function given to adkcd_conn_open(), if
 * any, at level (0 info, 1 verbose). */
void
adkcd_conn_log(struct adkcd_conn *conn, int level, const char *msg);

/*
 * Turn an LDAP failure of a request that does not write (a search, a read,
 * "Who am I?") into a status and a message that includes the server's
 * diagnostic ("0000202F: samldb: ...").  what says what was being done.
 * Maps 19/16/20/68 to CONFLICT, 50/53 to ACCESS, 32 to NOTFOUND,
 * connection failures to CONNECT; a timeout or a lost connection says how
 * long it waited and that nothing was written (the engine reports its
 * writes' outcomes itself, through adkcd_ldapx_error_rc()).
 */
adkcd_status
adkcd_ldapx_error(struct adkcd_err *err, LDAP *ld, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * The same for one result whose code and diagnostic message were taken
 * from its own message (ldap_parse_result), as the pipelined engine must:
 * the handle's "last diagnostic" belongs to whichever answer came last.
 */
adkcd_status
adkcd_ldapx_error_rc(struct adkcd_err *err, int rc, const char *diag,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* RFC 4515 escaping of one filter value.  Returns NULL on ENOMEM; free(). */
char *
adkcd_ldapx_filter_escape(const char *value);

/*
 * The values of attr in entry as bytes (empty when absent), following AD's
 * ranged retrieval ("attr;range=0-1499") with further base reads on ld.
 * *present_out (may be NULL) tells "absent" from "empty".
 */
adkcd_status
adkcd_ldapx_vals(LDAP *ld, LDAPMessage *entry, const char *attr,
                 struct adkcd_vals *values_out, int *present_out,
                 struct adkcd_err *err);

/* The same for a text attribute, as a strv; ADKCD_E_INVALID when a value
 * holds a NUL byte. */
adkcd_status
adkcd_ldapx_values(LDAP *ld, LDAPMessage *entry, const char *attr,
                   char ***values_out, int *present_out, struct adkcd_err *err);

/* The first value of attr, or NULL (free()). */
char *
adkcd_ldapx_value(LDAP *ld, LDAPMessage *entry, const char *attr);

/* Called for each entry of a paged search; return non-zero to stop. */
typedef adkcd_status (*adkcd_ldapx_entry_func)(void *ctx, LDAP *ld,
                                               LDAPMessage *entry,
                                               struct adkcd_err *err);

/*
 * Search with the paged-results control (RFC 2696, sent as critical: every
 * AD DC supports it), calling fn for each entry as pages arrive, so memory
 * stays proportional to a page.
 */
adkcd_status
adkcd_ldapx_search_paged(LDAP *ld, const char *base, int scope,
                         const char *filter, char **attrs, int page_size,
                         adkcd_ldapx_entry_func fn, void *ctx,
                         struct adkcd_err *err);

/*
 * Base-scope read of one object; *entry_out (in *res_out) is NULL when the
 * object does not exist (status OK).  Free *res_out with ldap_msgfree().
 */
adkcd_status
adkcd_ldapx_read(LDAP *ld, const char *dn, const char *filter, char **attrs,
                 LDAPMessage **res_out, LDAPMessage **entry_out,
                 struct adkcd_err *err);

#endif /* ADKCD_LDAPX_H */
