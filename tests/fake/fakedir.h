/*
 * A scripted in-memory directory behind the dir.h interface, for unit tests
 * of the engine: what the real DC cannot produce on demand.  It applies
 * modifies with LDAP's semantics (one modify is atomic; adding a value that
 * is there fails with 20, deleting one that is not with 16, a missing
 * object is 32), and can be told to answer the Nth modify with any result
 * code, to let another writer change an object right before our modify
 * reaches it, to stop answering (a timeout) or to drop the connection.
 */
#ifndef ADKCD_TEST_FAKEDIR_H
#define ADKCD_TEST_FAKEDIR_H

#include "adkcd/dir.h"

struct fakedir;

/* A new empty directory and the dir.h handle over it (adkcd_dir_free()
 * frees both). */
struct adkcd_dir *
fakedir_new(struct fakedir **fd_out);

/* Add value to attr of dn (the object is created when new). */
void
fakedir_put(struct fakedir *fd, const char *dn, const char *attr,
            const char *value);

/* The values of attr of dn as one string, sorted, joined by "|" ("" when
 * absent); a static buffer. */
const char *
fakedir_get(struct fakedir *fd, const char *dn, const char *attr);

/* The nth modify received (1-based, counting every modify) is answered with
 * rc (and diag) and not applied. */
void
fakedir_fail_modify(struct fakedir *fd, int nth, int rc, const char *diag);

/*
 * Another writer: right before each of the next `times` modifies of dn is
 * applied, replace attr's values by value (so a compare-and-swap planned
 * against the old value is lost, by LDAP's own semantics).  Each time a
 * distinct value is written: value, then value with "1", "2"... appended
 * when numeric ("4096" -> 4097, 4098, ...).
 */
void
fakedir_interfere(struct fakedir *fd, const char *dn, const char *attr,
                  const char *value, int times);

/*
 * The connection drops once `after` modifies were received: those are
 * applied (when applied_unanswered, the last one is applied but its answer
 * is lost with the connection; otherwise it is not applied either), every
 * later request fails and next_answer reports the connection gone.
 */
void
fakedir_drop_after(struct fakedir *fd, int after, int applied_unanswered);

/* A new connection after a drop or a timeout: requests are answered
 * again (what was lost stays lost). */
void
fakedir_reconnect(struct fakedir *fd);

/* After `after` answers, next_answer times out (nothing more comes). */
void
fakedir_timeout_after(struct fakedir *fd, int after);

/* Answer requests in the reverse order of a window of this many (the
 * engine must not rely on the order of answers). */
void
fakedir_reorder(struct fakedir *fd, int window);

/* Right after each modify of dn is applied, another writer adds value to
 * attr (the read-back then differs). */
void
fakedir_after_modify(struct fakedir *fd, const char *dn, const char *attr,
                     const char *value);

/* Counters: modifies received, modifies applied, reads received, the
 * largest number of requests in flight at once. */
int
fakedir_modifies(const struct fakedir *fd);
int
fakedir_applied(const struct fakedir *fd);
int
fakedir_reads(const struct fakedir *fd);
int
fakedir_max_inflight(const struct fakedir *fd);

/* Called as each modify is received (before it is applied), with the DN
 * and the number of requests then in flight (received, not answered). */
void
fakedir_on_modify(struct fakedir *fd,
                  void (*fn)(void *ctx, const char *dn, int inflight),
                  void *ctx);

/* The DNs of the modifies received, in order, joined by ",". */
const char *
fakedir_log(const struct fakedir *fd);

#endif /* ADKCD_TEST_FAKEDIR_H */
