/* adkcd internal: DC discovery through DNS SRV records. */
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adkcd/strv.h"
#include "discover.h"

struct srv {
    unsigned prio, weight, port;
    char host[NS_MAXDNAME];
};

static int
cmp_srv(const void *a, const void *b)
{
    const struct srv *x = a, *y = b;

    if (x->prio != y->prio)
        return x->prio < y->prio ? -1 : 1;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return strcmp(x->host, y->host);
}

adkcd_status
adkcd_discover_dcs(const char *domain, int timeout, char ***hosts_out,
                   struct adkcd_err *err)
{
    struct __res_state rs;
    unsigned char answer[8192];
    char qname[NS_MAXDNAME];
    struct srv *srvs = NULL;
    char **hosts = NULL;
    ns_msg msg;
    ns_rr rr;
    int len, i, n = 0, count;
    adkcd_status st = ADKCD_OK;

    *hosts_out = NULL;
    snprintf(qname, sizeof(qname), "_ldap._tcp.dc._msdcs.%s", domain);
    /* A resolver state of our own (thread-safe), bounded by the timeout:
     * resolv.conf's defaults (5 s, 2 attempts per server) would wait 10 s
     * or more for a DNS server that does not answer, whatever the
     * timeout says. */
    memset(&rs, 0, sizeof(rs));
    if (res_ninit(&rs) != 0)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "cannot read the resolver configuration "
                             "(/etc/resolv.conf) to look up %s",
                             qname);
    rs.retrans = timeout > 0 ? timeout : 10;
    rs.retry = 1;
    /* A reply (even SERVFAIL) lands in answer, with the QR bit set. */
    memset(answer, 0, HFIXEDSZ);
    len = res_nquery(&rs, qname, ns_c_in, ns_t_srv, answer, sizeof(answer));
    if (len < 0 && rs.res_h_errno == TRY_AGAIN && !(answer[2] & 0x80)) {
        /* No reply at all in time: not "no such record". */
        res_nclose(&rs);
        adkcd_err_set(err, ADKCD_E_CONNECT,
                      "no DC found: DNS did not answer for %s within %d s "
                      "(check the nameserver in /etc/resolv.conf, or name a "
                      "DC)",
                      qname, (int)rs.retrans);
        adkcd_err_hint(err, ADKCD_HINT_SERVER);
        return ADKCD_E_CONNECT;
    }
    res_nclose(&rs);
    if (len < 0) {
        adkcd_err_set(err, ADKCD_E_CONNECT,
                      "no DC found: DNS has no SRV record %s (name a DC, or "
                      "fix /etc/resolv.conf)",
                      qname);
        adkcd_err_hint(err, ADKCD_HINT_SERVER);
        return ADKCD_E_CONNECT;
    }
    if (ns_initparse(answer, len, &msg) < 0)
        return adkcd_err_set(err, ADKCD_E_CONNECT,
                             "malformed DNS answer for %s", qname);
    count = ns_msg_count(msg, ns_s_an);
    srvs = calloc((size_t)count + 1, sizeof(*srvs));
    if (srvs == NULL)
        return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    for (i = 0; i < count; i++) {
        const unsigned char *rd;

        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 ||
            ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7)
            continue;
        rd = ns_rr_rdata(rr);
        srvs[n].prio = ns_get16(rd);
        srvs[n].weight = ns_get16(rd + 2);
        srvs[n].port = ns_get16(rd + 4);
        if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, srvs[n].host,
                      sizeof(srvs[n].host)) < 0)
            continue;
        /* "." means "no such service here" (RFC 2782). */
        if (strcmp(srvs[n].host, ".") == 0 || srvs[n].host[0] == '\0')
            continue;
        n++;
    }
    qsort(srvs, (size_t)n, sizeof(*srvs), cmp_srv);
    for (i = 0; i < n && st == ADKCD_OK; i++) {
        char hp[NS_MAXDNAME + 8];

        snprintf(hp, sizeof(hp), "%s:%u", srvs[i].host, srvs[i].port);
        if (adkcd_strv_add(&hosts, hp) != 0)
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    free(srvs);
    if (st == ADKCD_OK && hosts == NULL)
        st = adkcd_err_set(err, ADKCD_E_CONNECT,
                           "no DC found: the SRV records for %s name no "
                           "host",
                           qname);
    if (st != ADKCD_OK) {
        adkcd_strv_free(hosts);
        return st;
    }
    *hosts_out = hosts;
    return ADKCD_OK;
}
