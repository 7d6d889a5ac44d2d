/*
 * adkcd: the write engine (engine.h): pipelined, journaled, value-level
 * modifies with a re-plan of only the object that lost a compare-and-swap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "adkcd/engine.h"
#include "adkcd/journal.h"
#include "adkcd/strv.h"
#include "ldapx.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* LDAP result codes the engine decides on (RFC 4511). */
#define RC_NO_SUCH_ATTRIBUTE 16 /* a delete's value is gone: CAS lost */
#define RC_VALUE_EXISTS 20      /* an add's value is there already */

const char *
adkcd_outcome_str(enum adkcd_outcome o)
{
    switch (o) {
    case ADKCD_OUT_PLANNED:
        return "planned";
    case ADKCD_OUT_UNCHANGED:
        return "unchanged";
    case ADKCD_OUT_APPLIED:
        return "applied";
    case ADKCD_OUT_FAILED:
        return "failed";
    case ADKCD_OUT_IN_DOUBT:
        return "in-doubt";
    case ADKCD_OUT_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

/* What a request in flight is for. */
enum slot_kind { SLOT_FREE = 0, SLOT_MODIFY, SLOT_REREAD };

struct slot {
    enum slot_kind kind;
    int id;
    size_t change; /* index in the plan */
};

struct run {
    struct adkcd_dir *dir;
    struct adkcd_plan *plan;
    const struct adkcd_engine_opts *o;
    struct adkcd_engine_result *res;
    int window, retries, timeout_ms;
    struct slot *slots; /* window of them */
    int inflight;
    size_t *ready; /* changes to send, in order (a queue) */
    size_t n_ready, head;
    size_t done, total;
    int stop;           /* stop_on_error after a refusal: send nothing new */
    int fatal;          /* the connection or the journal is gone */
    int journal_failed; /* a journal write failed: outcomes may be lost */
    int journal_noting_failed; /* an outcome could not even be noted */
    struct adkcd_err fatal_err;
    unsigned seed;
};

static void
set_result(struct adkcd_change *c, enum adkcd_outcome o,
           const struct adkcd_err *why)
{
    c->outcome = o;
    c->applied = o == ADKCD_OUT_APPLIED;
    free(c->message);
    c->message = NULL;
    c->status = why != NULL ? why->status : ADKCD_OK;
    c->ldap_rc = why != NULL ? why->ldap_rc : 0;
    if (why != NULL && why->msg[0] != '\0')
        c->message = strdup(why->msg);
}

static void
progress(struct run *r)
{
    r->done++;
    if (r->o->progress != NULL)
        r->o->progress(r->o->progress_ctx, r->done, r->total);
}

/* Note c's outcome in the journal (written with the next batch). */
static void
journal_outcome(struct run *r, struct adkcd_change *c)
{
    struct adkcd_err jerr;

    /* Noted even after a fatal error (the journal full, the connection
     * gone): the answers still coming in are what the directory did, and
     * the final flush (or the report of what it could not write) needs
     * them.  Only a failure to note stops noting. */
    if (r->o->journal == NULL || c->journal_seq == 0 ||
        r->journal_noting_failed)
        return;
    adkcd_err_clear(&jerr);
    if (adkcd_journal_outcome(r->o->journal, c, &jerr) != ADKCD_OK) {
        r->journal_noting_failed = 1;
        r->journal_failed = 1;
        if (!r->fatal) {
            r->fatal = 1;
            r->fatal_err = jerr;
        }
    }
}

static void
sleep_ms(struct run *r, unsigned ms)
{
    struct timespec ts;

    if (r->o->sleep_ms != NULL) {
        r->o->sleep_ms(r->o->sleep_ctx, ms);
        return;
    }
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static struct slot *
free_slot(struct run *r)
{
    int i;

    for (i = 0; i < r->window; i++) {
        if (r->slots[i].kind == SLOT_FREE)
            return &r->slots[i];
    }
    return NULL;
}

/*
 * Journal the next batch of ready changes, then send them.  To amortise the
 * fsync, a batch is sent once half the window is free, or when nothing is
 * in flight, or when the queue is shorter than the free room.
 */
static void
send_batch(struct run *r)
{
    size_t room = (size_t)(r->window - r->inflight);
    size_t left = r->n_ready - r->head, n, i;
    struct adkcd_change **batch;

    if (r->stop || r->fatal || left == 0 || room == 0)
        return;
    if (r->inflight > 0 && room < (size_t)r->window / 2 && left > room)
        return;
    n = left < room ? left : room;
    batch = calloc(n, sizeof(*batch));
    if (batch == NULL) {
        r->fatal = 1;
        NOMEM(&r->fatal_err);
        return;
    }
    for (i = 0; i < n; i++)
        batch[i] = &r->plan->changes[r->ready[r->head + i]];
    if (r->o->journal != NULL) {
        struct adkcd_err jerr;

        adkcd_err_clear(&jerr);
        if (adkcd_journal_intend(r->o->journal, batch, n, &jerr) != ADKCD_OK) {
            /* Nothing of this batch was sent: never write what the
             * journal cannot hold.  The outcomes noted since the last
             * write are not on disk either. */
            r->fatal = 1;
            r->journal_failed = 1;
            r->fatal_err = jerr;
            free(batch);
            return;
        }
    }
    for (i = 0; i < n; i++) {
        struct adkcd_change *c = batch[i];
        struct slot *s = free_slot(r);
        struct adkcd_err serr;

        adkcd_err_clear(&serr);
        r->head++;
        if (r->dir->ops->submit_modify(r->dir->ctx, c->dn, c->ops, c->n_ops,
                                       &s->id, &serr) != ADKCD_OK) {
            size_t k;

            /* The connection is gone: this change and the rest of the
             * batch were journaled but not sent, so not applied (the
             * journal says "failed", the result "skipped"). */
            for (k = i; k < n; k++) {
                batch[k]->outcome = ADKCD_OUT_FAILED;
                journal_outcome(r, batch[k]);
                set_result(batch[k], ADKCD_OUT_SKIPPED, &serr);
            }
            r->head += n - i - 1;
            r->fatal = 1;
            r->fatal_err = serr;
            break;
        }
        c->attempts++;
        s->kind = SLOT_MODIFY;
        s->change = (size_t)(c - r->plan->changes);
        r->inflight++;
    }
    free(batch);
}

/* Back off with jitter so writers that keep colliding drift apart: up to
 * 5 ms, 10 ms, 20 ms, ... capped at 160 ms. */
static void
back_off(struct run *r, int attempt)
{
    int shift = attempt - 1 < 5 ? attempt - 1 : 5;
    unsigned cap = 5u << (shift > 0 ? shift : 0);

    sleep_ms(r, 1 + (unsigned)rand_r(&r->seed) % cap);
}

/* A lost compare-and-swap: re-read the object to plan it again. */
static void
reread(struct run *r, struct slot *s, struct adkcd_change *c)
{
    struct adkcd_err serr;

    adkcd_err_clear(&serr);
    r->res->retried++;
    back_off(r, c->attempts);
    if (r->dir->ops->submit_read(r->dir->ctx, c->dn, c->replan_attrs, &s->id,
                                 &serr) != ADKCD_OK) {
        set_result(c, ADKCD_OUT_SKIPPED, &serr);
        r->fatal = 1;
        r->fatal_err = serr;
        s->kind = SLOT_FREE;
        r->inflight--;
        return;
    }
    s->kind = SLOT_REREAD;
}

static void
fail(struct run *r, struct adkcd_change *c, const struct adkcd_err *why)
{
    set_result(c, ADKCD_OUT_FAILED, why);
    progress(r);
    if (r->o->stop_on_error)
        r->stop = 1;
}

static void
modify_answered(struct run *r, struct slot *s, struct adkcd_change *c,
                const struct adkcd_dir_answer *a)
{
    struct adkcd_err why;

    adkcd_err_clear(&why);
    if (a->rc == 0) {
        set_result(c, ADKCD_OUT_APPLIED, NULL);
        journal_outcome(r, c);
        progress(r);
        s->kind = SLOT_FREE;
        r->inflight--;
        return;
    }
    /* Refused: nothing of this modify was applied (one modify is atomic). */
    c->outcome = ADKCD_OUT_FAILED;
    journal_outcome(r, c);
    adkcd_ldapx_error_rc(&why, a->rc, a->diag, "modifying %s", c->dn);
    if ((a->rc == RC_NO_SUCH_ATTRIBUTE || a->rc == RC_VALUE_EXISTS) &&
        c->replan != NULL && !r->fatal) {
        /* Another writer changed what this change was planned against. */
        if (c->attempts < r->retries) {
            reread(r, s, c);
            return;
        }
        adkcd_err_prefix(&why, "another writer kept changing %s (%d attempts)",
                         c->dn, c->attempts);
    }
    fail(r, c, &why);
    s->kind = SLOT_FREE;
    r->inflight--;
}

static void
reread_answered(struct run *r, struct slot *s, struct adkcd_change *c,
                struct adkcd_dir_answer *a)
{
    struct adkcd_err why;

    adkcd_err_clear(&why);
    s->kind = SLOT_FREE;
    r->inflight--;
    if (a->rc != 0) {
        adkcd_ldapx_error_rc(&why, a->rc, a->diag, "reading %s again", c->dn);
        fail(r, c, &why);
        return;
    }
    if (a->entry == NULL) {
        adkcd_err_set(&why, ADKCD_E_NOTFOUND,
                      "%s vanished while it was being changed", c->dn);
        fail(r, c, &why);
        return;
    }
    adkcd_change_reset(c);
    c->journal_seq = 0;
    if (c->replan(c->replan_ctx, a->entry, c, &why) != ADKCD_OK) {
        fail(r, c, &why);
        return;
    }
    if (c->n_ops == 0) {
        /* Someone else made the object what this change wanted. */
        set_result(c, ADKCD_OUT_UNCHANGED, NULL);
        progress(r);
        return;
    }
    /* Send it again next, ahead of the queue (the slot of the change just
     * taken from the head is free again). */
    if (r->head > 0)
        r->ready[--r->head] = (size_t)(c - r->plan->changes);
}

/* Take one answer, or mark everything in flight as in doubt when the
 * connection is gone. */
static void
take_answer(struct run *r)
{
    struct adkcd_dir_answer a;
    struct adkcd_err cerr;
    int i;

    adkcd_err_clear(&cerr);
    if (r->dir->ops->next_answer(r->dir->ctx, r->timeout_ms, &a, &cerr) !=
        ADKCD_OK) {
        for (i = 0; i < r->window; i++) {
            struct slot *s = &r->slots[i];
            struct adkcd_change *c = &r->plan->changes[s->change];

            if (s->kind == SLOT_MODIFY) {
                struct adkcd_err why = cerr;

                adkcd_err_prefix(&why,
                                 "%s: sent, but no answer came (it may or "
                                 "may not have been applied%s)",
                                 c->dn,
                                 r->o->journal != NULL
                                     ? "; the journal lists it as in doubt"
                                     : "");
                set_result(c, ADKCD_OUT_IN_DOUBT, &why);
                journal_outcome(r, c);
            } else if (s->kind == SLOT_REREAD) {
                set_result(c, ADKCD_OUT_SKIPPED, &cerr);
            }
            s->kind = SLOT_FREE;
        }
        r->inflight = 0;
        r->fatal = 1;
        r->fatal_err = cerr;
        return;
    }
    for (i = 0; i < r->window; i++) {
        struct slot *s = &r->slots[i];

        if (s->kind != SLOT_FREE && s->id == a.id) {
            if (s->kind == SLOT_MODIFY)
                modify_answered(r, s, &r->plan->changes[s->change], &a);
            else
                reread_answered(r, s, &r->plan->changes[s->change], &a);
            break;
        }
    }
    adkcd_dir_answer_clear(&a);
}

/* The first change c needs that did not end applied (or unchanged). */
static const struct adkcd_change *
unmet_need(const struct run *r, const struct adkcd_change *c)
{
    size_t k;

    for (k = 0; k < c->n_needs; k++) {
        const struct adkcd_change *n = &r->plan->changes[c->needs[k]];

        if (n->outcome != ADKCD_OUT_APPLIED &&
            n->outcome != ADKCD_OUT_UNCHANGED)
            return n;
    }
    return NULL;
}

static void
run_phase(struct run *r, unsigned phase)
{
    size_t i;

    r->n_ready = 0;
    r->head = 0;
    for (i = 0; i < r->plan->n; i++) {
        struct adkcd_change *c = &r->plan->changes[i];
        const struct adkcd_change *unmet;

        if (c->phase != phase || c->outcome != ADKCD_OUT_PLANNED)
            continue;
        /* A change that takes over values another one had to let go of
         * is sent only once that one was applied: otherwise it would make
         * a duplicate (a DC that does not check would store it). */
        unmet = unmet_need(r, c);
        if (unmet != NULL) {
            struct adkcd_err why;

            adkcd_err_set(&why, ADKCD_E_PARTIAL,
                          "not sent: it takes over what %s had to let go "
                          "of first, and that change was not applied",
                          unmet->dn);
            set_result(c, ADKCD_OUT_SKIPPED, &why);
            progress(r);
            continue;
        }
        r->ready[r->n_ready++] = i;
    }
    /* After a fatal error nothing new is sent, but what is in flight is
     * still answered (or found in doubt). */
    while (r->inflight > 0 || (!r->fatal && !r->stop && r->head < r->n_ready)) {
        send_batch(r);
        if (r->inflight > 0)
            take_answer(r);
    }
}

/* Read back what was applied, on the same connection, pipelined. */
static adkcd_status
read_back(struct run *r, struct adkcd_err *err)
{
    char **dns = NULL, **attrs = NULL;
    size_t *which = NULL, n = 0, i, k;
    struct adkcd_entry **entries = NULL;
    adkcd_status st = ADKCD_OK;

    which = calloc(r->plan->n + 1, sizeof(*which));
    dns = calloc(r->plan->n + 1, sizeof(*dns));
    if (which == NULL || dns == NULL)
        st = NOMEM(err);
    for (i = 0; st == ADKCD_OK && i < r->plan->n; i++) {
        struct adkcd_change *c = &r->plan->changes[i];

        if (c->outcome != ADKCD_OUT_APPLIED)
            continue;
        which[n] = i;
        dns[n++] = c->dn;
        for (k = 0; k < c->n_images && st == ADKCD_OK; k++) {
            if (adkcd_strv_find_nocase(attrs, c->images[k].attr) < 0 &&
                adkcd_strv_add(&attrs, c->images[k].attr) != 0)
                st = NOMEM(err);
        }
    }
    if (st == ADKCD_OK && n > 0) {
        entries = calloc(n, sizeof(*entries));
        st = entries != NULL
                 ? adkcd_dir_read_many(r->dir, dns, n, attrs, r->window,
                                       r->timeout_ms, entries, err)
                 : NOMEM(err);
    }
    for (i = 0; st == ADKCD_OK && i < n; i++) {
        struct adkcd_change *c = &r->plan->changes[which[i]];

        for (k = 0; k < c->n_images && st == ADKCD_OK; k++) {
            struct adkcd_image *img = &c->images[k];
            const struct adkcd_vals *v =
                entries[i] != NULL ? adkcd_entry_vals(entries[i], img->attr)
                                   : NULL;

            adkcd_vals_clear(&img->read);
            if (adkcd_vals_dup(&img->read, v) != 0) {
                st = NOMEM(err);
                break;
            }
            img->have_read = 1;
            img->read_present = img->read.n > 0;
            /* The server's success already says the modify was applied,
             * atomically: a difference can only come from another writer
             * right after, so it is reported, not a failure, and the
             * after-images keep what this change left (ignoring case: the
             * DC may fold it). */
            if (!adkcd_vals_same(&img->read, &img->after, ADKCD_CMP_NOCASE))
                c->read_differs = 1;
        }
        r->res->read_differs += c->read_differs;
    }
    for (i = 0; entries != NULL && i < n; i++)
        adkcd_entry_free(entries[i]);
    free(entries);
    free(which);
    free(dns);
    adkcd_strv_free(attrs);
    return st;
}

static void
count(struct run *r)
{
    size_t i;

    r->res->applied = r->res->unchanged = r->res->failed = 0;
    r->res->in_doubt = r->res->skipped = 0;
    for (i = 0; i < r->plan->n; i++) {
        switch (r->plan->changes[i].outcome) {
        case ADKCD_OUT_APPLIED:
            r->res->applied++;
            break;
        case ADKCD_OUT_UNCHANGED:
            r->res->unchanged++;
            break;
        case ADKCD_OUT_FAILED:
            r->res->failed++;
            break;
        case ADKCD_OUT_IN_DOUBT:
            r->res->in_doubt++;
            break;
        default:
            r->res->skipped++;
        }
    }
}

/* The first change with this outcome, or NULL. */
static const struct adkcd_change *
first_with(const struct adkcd_plan *plan, enum adkcd_outcome o)
{
    size_t i;

    for (i = 0; i < plan->n; i++) {
        if (plan->changes[i].outcome == o)
            return &plan->changes[i];
    }
    return NULL;
}

/*
 * After a journal write failed (a full disk): hand the journal text of the
 * applied changes whose outcome is not on disk to opts->unjournaled, so
 * that what the directory now holds is not known to this process alone.
 * Non-zero when something was handed over.
 */
static int
report_unjournaled(struct run *r)
{
    struct adkcd_change **all;
    struct adkcd_err e;
    char *text = NULL;
    size_t i;
    int told = 0;

    if (r->o->journal == NULL || r->o->unjournaled == NULL)
        return 0;
    all = calloc(r->plan->n + 1, sizeof(*all));
    if (all == NULL)
        return 0;
    for (i = 0; i < r->plan->n; i++)
        all[i] = &r->plan->changes[i];
    adkcd_err_clear(&e);
    if (adkcd_journal_unwritten(r->o->journal, all, r->plan->n, &text, &e) ==
            ADKCD_OK &&
        text != NULL) {
        r->o->unjournaled(r->o->unjournaled_ctx, text);
        told = 1;
    }
    free(text);
    free(all);
    return told;
}

adkcd_status
adkcd_engine_apply(struct adkcd_dir *dir, struct adkcd_plan *plan,
                   const struct adkcd_engine_opts *opts,
                   struct adkcd_engine_result *result, struct adkcd_err *err)
{
    struct run r;
    struct adkcd_engine_result dummy;
    const struct adkcd_change *bad;
    struct adkcd_err lost_read;
    unsigned phase, next;
    adkcd_status st = ADKCD_OK;
    int lost_ldif = 0;
    size_t i;

    adkcd_err_clear(&lost_read);

    memset(&r, 0, sizeof(r));
    r.dir = dir;
    r.plan = plan;
    r.o = opts;
    r.res = result != NULL ? result : &dummy;
    memset(r.res, 0, sizeof(*r.res));
    r.window = opts->window > 0 ? opts->window : ADKCD_ENGINE_WINDOW;
    r.retries = opts->retries > 0 ? opts->retries : ADKCD_ENGINE_RETRIES;
    r.timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 60000;
    r.seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    r.slots = calloc((size_t)r.window, sizeof(*r.slots));
    r.ready = calloc(plan->n + 1, sizeof(*r.ready));
    if (r.slots == NULL || r.ready == NULL) {
        free(r.slots);
        free(r.ready);
        return NOMEM(err);
    }
    for (i = 0; i < plan->n; i++) {
        struct adkcd_change *c = &plan->changes[i];

        c->attempts = 0;
        c->journal_seq = 0;
        set_result(c, c->n_ops > 0 ? ADKCD_OUT_PLANNED : ADKCD_OUT_UNCHANGED,
                   NULL);
        r.total += c->n_ops > 0;
    }
    /* Phase by phase, lowest first: every change of a phase is answered
     * before one of the next is sent. */
    for (phase = 0;; phase = next) {
        int more = 0;

        next = phase;
        for (i = 0; i < plan->n; i++) {
            unsigned p = plan->changes[i].phase;

            if (plan->changes[i].outcome == ADKCD_OUT_PLANNED && p >= phase &&
                (!more || p < next)) {
                next = p;
                more = 1;
            }
        }
        if (!more || r.fatal || r.stop)
            break;
        run_phase(&r, next);
        next++;
    }
    /* What was never sent. */
    for (i = 0; i < plan->n; i++) {
        struct adkcd_change *c = &plan->changes[i];

        if (c->outcome == ADKCD_OUT_PLANNED) {
            struct adkcd_err why;

            if (r.fatal)
                why = r.fatal_err;
            else
                adkcd_err_set(&why, ADKCD_E_PARTIAL,
                              "not sent: stopped after a failure");
            set_result(c, ADKCD_OUT_SKIPPED, &why);
        }
    }
    if (opts->journal != NULL) {
        struct adkcd_err jerr;

        adkcd_err_clear(&jerr);
        if (adkcd_journal_flush(opts->journal, &jerr) != ADKCD_OK) {
            r.journal_failed = 1;
            if (!r.fatal) {
                r.fatal = 1;
                r.fatal_err = jerr;
            }
        }
    }
    count(&r);
    if (r.journal_failed)
        lost_ldif = report_unjournaled(&r);
    if (!opts->no_read_back && r.res->applied > 0 &&
        !(r.fatal && r.fatal_err.status == ADKCD_E_CONNECT)) {
        struct adkcd_err rerr;

        adkcd_err_clear(&rerr);
        /* The changes are applied whatever the read-back says: its
         * failure is reported beside the result, not as the result;
         * except a DC that stopped answering (below), which is both. */
        if (read_back(&r, &rerr) != ADKCD_OK) {
            r.res->read_back_status = rerr.status;
            snprintf(r.res->read_back_msg, sizeof(r.res->read_back_msg), "%s",
                     rerr.msg);
            if (rerr.status == ADKCD_E_CONNECT)
                lost_read = rerr;
        }
    }
    free(r.slots);
    free(r.ready);

    bad = first_with(plan, ADKCD_OUT_FAILED);
    if (bad == NULL)
        bad = first_with(plan, ADKCD_OUT_IN_DOUBT);
    if (bad == NULL)
        bad = first_with(plan, ADKCD_OUT_SKIPPED);
    if (bad == NULL && !r.fatal && lost_read.status == ADKCD_E_CONNECT) {
        /* Every change was confirmed (and journaled), then the DC stopped
         * answering: the run could not see what it left, and whatever
         * comes next on this DC would hang too.  The connection's failure
         * is the result; the message says the writes stand. */
        int one = r.res->applied == 1;

        adkcd_err_set(err, ADKCD_E_CONNECT,
                      "%zu %s applied%s, then the DC stopped answering while "
                      "%s read back: %s",
                      r.res->applied, one ? "change WAS" : "changes WERE",
                      opts->journal == NULL ? ""
                      : one                 ? " and the journal records it"
                                            : " and the journal records them",
                      one ? "it was" : "they were", lost_read.msg);
        return ADKCD_E_CONNECT;
    }
    if (bad == NULL && !r.fatal)
        return st;
    if (bad == NULL) {
        /* Everything was applied, but the journal could not record the
         * outcomes: it shows those changes in doubt. */
        if (err != NULL)
            *err = r.fatal_err;
        adkcd_err_prefix(err,
                         "every change WAS applied, but the journal could not "
                         "record it (it lists the changes as in doubt; "
                         "rollback judges them by the directory's state%s)",
                         lost_ldif ? "; the lines it lacks were logged as "
                                     "LDIF"
                                   : "");
        if (err != NULL)
            err->status = ADKCD_E_PARTIAL;
        return ADKCD_E_PARTIAL;
    }
    adkcd_err_set(err,
                  bad->status != ADKCD_OK ? bad->status : ADKCD_E_DIRECTORY,
                  "%s", bad->message != NULL ? bad->message : "failed");
    if (err != NULL)
        err->ldap_rc = bad->ldap_rc;
    if (r.res->applied + r.res->in_doubt > 0) {
        size_t todo =
            r.res->applied + r.res->failed + r.res->in_doubt + r.res->skipped;

        if (r.res->applied > 0)
            adkcd_err_prefix(err, "%zu of %zu changes were applied%s%s, then",
                             r.res->applied, todo,
                             r.res->in_doubt > 0 ? " (more in doubt)" : "",
                             lost_ldif ? " (the journal could not record "
                                         "all of them: the lines it lacks "
                                         "were logged as LDIF)"
                                       : "");
        else
            adkcd_err_prefix(err,
                             "%zu of %zu changes %s in doubt (sent, no "
                             "answer), none confirmed, then",
                             r.res->in_doubt, todo,
                             r.res->in_doubt == 1 ? "is" : "are");
        if (err != NULL)
            err->status = ADKCD_E_PARTIAL;
        return ADKCD_E_PARTIAL;
    }
    return bad->status != ADKCD_OK ? bad->status : ADKCD_E_DIRECTORY;
}

/* Bytes of a journal line per log line (a log message holds fewer than
 * ADKCD_ERR_MSG_SIZE). */
#define FOLD_AT 900

/* The default for adkcd_engine_apply_conn(): through the connection's
 * log, one line at a time (a log line is one line), at level 0. */
static void
log_unjournaled(void *ctx, const char *text)
{
    struct adkcd_conn *conn = ctx;
    const char *p = text, *nl;
    char line[ADKCD_ERR_MSG_SIZE];

    adkcd_conn_log(conn, 0,
                   "the journal could not record that the directory applied "
                   "the changes below; what it lacks, as LDIF:");
    while (*p != '\0') {
        const char *q;

        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        /* A line longer than a log line (a big value, base64) goes out
         * folded as LDIF folds: the rest on lines that start with one
         * space, which every LDIF reader joins back. */
        for (q = p; q == p || q < nl; q += FOLD_AT) {
            size_t n = (size_t)(nl - q) < FOLD_AT ? (size_t)(nl - q) : FOLD_AT;

            snprintf(line, sizeof(line), "%s%.*s", q == p ? "" : " ", (int)n,
                     q);
            adkcd_conn_log(conn, 0, line);
        }
        p = *nl == '\n' ? nl + 1 : nl;
    }
}

adkcd_status
adkcd_engine_apply_conn(struct adkcd_conn *conn, struct adkcd_plan *plan,
                        struct adkcd_journal *j,
                        const struct adkcd_engine_opts *opts,
                        struct adkcd_engine_result *result,
                        struct adkcd_err *err)
{
    struct adkcd_engine_opts o;
    struct adkcd_dir *dir = NULL;
    adkcd_status st;

    memset(&o, 0, sizeof(o));
    if (opts != NULL)
        o = *opts;
    o.journal = j;
    /* One answer is waited for as long as any other on this connection
     * (its network timeout), not a minute. */
    if (o.timeout_ms <= 0)
        o.timeout_ms = adkcd_conn_timeout(conn) * 1000;
    if (o.unjournaled == NULL) {
        o.unjournaled = log_unjournaled;
        o.unjournaled_ctx = conn;
    }
    st = adkcd_dir_over_conn(conn, &dir, err);
    if (st == ADKCD_OK)
        st = adkcd_engine_apply(dir, plan, &o, result, err);
    adkcd_dir_free(dir);
    return st;
}
