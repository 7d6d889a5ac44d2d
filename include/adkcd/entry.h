/*
 * adkcd: one directory object's attributes, as read (pure data).
 *
 * What the engine reads before planning, and after a lost compare-and-swap
 * before planning again: the planners are pure functions of an entry.
 */
#ifndef ADKCD_ENTRY_H
#define ADKCD_ENTRY_H

#include <stddef.h>

#include "adkcd/values.h"

struct adkcd_attr {
    char *name;
    struct adkcd_vals vals; /* n == 0: absent (LDAP has no empty attribute) */
};

struct adkcd_entry {
    char *dn;
    struct adkcd_attr *attrs;
    size_t n;
};

/* A new empty entry for dn (NULL when out of memory). */
struct adkcd_entry *
adkcd_entry_new(const char *dn);

/*
 * Append a copy of (data, len) to attr (created when missing; attribute
 * names compare without regard to case).  0, or -1 when out of memory.
 */
int
adkcd_entry_add(struct adkcd_entry *e, const char *attr, const char *data,
                size_t len);

/* Make attr exist in e with no values yet (so that entries made by hand
 * list what was asked for).  0 or -1. */
int
adkcd_entry_touch(struct adkcd_entry *e, const char *attr);

/* The values of attr (never NULL: an empty set when absent).  Borrowed. */
const struct adkcd_vals *
adkcd_entry_vals(const struct adkcd_entry *e, const char *attr);

/* The first value of attr as text, or NULL when absent.  Borrowed. */
const char *
adkcd_entry_str(const struct adkcd_entry *e, const char *attr);

/* A deep copy (NULL when out of memory). */
struct adkcd_entry *
adkcd_entry_dup(const struct adkcd_entry *e);

void
adkcd_entry_free(struct adkcd_entry *e);

#endif /* ADKCD_ENTRY_H */
