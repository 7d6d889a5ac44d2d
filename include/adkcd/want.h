/*
 * adkcd: planning one account toward what is wanted of it (pure).
 *
 * Every writing command says what it wants of an account in one form, the
 * entry of a state file (statefile.h): SPNs present / absent / exact, and a
 * delegation (mode, protocol transition, services).  adspn -S is "spns:
 * present: [SPN]", adkcd add is "delegation: services: present: [...]",
 * and a state file says it for many accounts at once.  One planner turns
 * that into one change (one modify) against the account's attributes as
 * they are: at first as the account resolution read them, and again after
 * a lost compare-and-swap, as the engine re-reads them.
 */
#ifndef ADKCD_WANT_H
#define ADKCD_WANT_H

#include "adkcd/account.h"
#include "adkcd/deleg.h"
#include "adkcd/entry.h"
#include "adkcd/plan.h"
#include "adkcd/sd.h"
#include "adkcd/statefile.h"

/* The attributes the planner reads (a strv). */
extern char *const adkcd_want_attrs[];

struct adkcd_want {
    const struct adkcd_sf_account *spec; /* borrowed */
    const struct adkcd_account *acct;    /* borrowed: label, DC, krbtgt */
    int force; /* allow what the safety checks refuse */
    /* The spec's rbcd lists as SIDs (the caller resolves the principals;
     * borrowed strvs), used when spec->rbcd.given. */
    struct adkcd_sd_edit rbcd_edit;
    /* SIDs no object has (a strv, borrowed, may be NULL): they may stay in
     * or leave the descriptor, never be added to it, also on a re-plan
     * (ADKCD_E_NOTFOUND). */
    char *const *rbcd_unknown;
    /* Set by adkcd_want_plan() when it refuses to add such a SID: which
     * (borrowed from rbcd_unknown). */
    const char *rbcd_refused;

    /* Set by each adkcd_want_plan(): the state planned against and the
     * state wanted, for reports (owned; adkcd_want_clear()). */
    char **spns_before, **spns_after;
    struct adkcd_deleg deleg_before, deleg_after;
    int rbcd_before_present;                /* the descriptor planned against */
    struct adkcd_val rbcd_before;           /* (owned copy) */
    struct adkcd_sd_edit_result rbcd_after; /* and the edit's result */

    /* Set by adkcd_want_plan_into(): the SPNs the first plan adds, which
     * the caller checks for holders elsewhere.  A re-plan (after a lost
     * compare-and-swap) that would add any other SPN is refused, since
     * nobody checked it.  NULL: no restriction. */
    char **checked_adds;
};

/*
 * Plan, into change (empty, with its dn and label), going from now to what
 * want (a struct adkcd_want) asks: servicePrincipalName value by value,
 * userAccountControl by compare-and-swap, msDS-AllowedToDelegateTo value
 * by value, and msDS-AllowedToActOnBehalfOfOtherIdentity by compare-and-swap
 * of the descriptor edited (adkcd_sd_edit() with want->rbcd_edit).  Nothing is
 * planned when the account is already so.  The safety checks of
 * adkcd_deleg_check_safety() apply (ADKCD_E_ACCESS unless force); ADKCD_E_USAGE
 * when the entry contradicts the account's state
 * (adkcd_statefile_deleg_desired()).  An adkcd_replan_func.
 */
adkcd_status
adkcd_want_plan(void *want, const struct adkcd_entry *now,
                struct adkcd_change *change, struct adkcd_err *err);

/*
 * The entry of the attributes account resolution read (what adkcd_want_plan
 * plans against first).  NULL when out of memory.
 */
struct adkcd_entry *
adkcd_account_entry(const struct adkcd_account *acct);

/*
 * The entry a verb means, for adkcd_want_plan(): adspn -S/-A (present) and
 * -D (absent) as "spns"; adkcd add / remove / set as "delegation", from
 * the verb's request (its services, mode and protocol transition).  spec
 * is an entry made with adkcd_statefile_add_account().  ADKCD_E_NOMEM.
 */
adkcd_status
adkcd_want_spec_spns(struct adkcd_sf_account *spec, char *const *present,
                     char *const *absent, struct adkcd_err *err);

adkcd_status
adkcd_want_spec_deleg(struct adkcd_sf_account *spec,
                      const struct adkcd_deleg_request *req,
                      struct adkcd_err *err);

/*
 * Plan want's account into plan: one change for its DN, labelled "computer
 * tmg$", planned against what the account resolution read, with
 * adkcd_want_plan() as its re-plan hook (want must then outlive the
 * engine's run).  *change_out (may be NULL) is the change, borrowed.
 */
adkcd_status
adkcd_want_plan_into(struct adkcd_plan *plan, struct adkcd_want *want,
                     struct adkcd_change **change_out, struct adkcd_err *err);

/* Free what adkcd_want_plan() recorded in want (not spec or acct; the
 * checked SPNs stay until adkcd_want_free_checked()). */
void
adkcd_want_clear(struct adkcd_want *want);

void
adkcd_want_free_checked(struct adkcd_want *want);

#endif /* ADKCD_WANT_H */
