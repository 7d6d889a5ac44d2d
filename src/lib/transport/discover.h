/*
 * adkcd internal: finding domain controllers through DNS SRV records
 * (_ldap._tcp.dc._msdcs.DOMAIN, MS-ADTS 6.3.2.3).  Ordered by priority
 * (RFC 2782), then by weight, highest first, deterministically: RFC 2782's
 * weighted random pick is left out so that runs are reproducible.
 */
#ifndef ADKCD_DISCOVER_H
#define ADKCD_DISCOVER_H

#include "adkcd/status.h"

/*
 * Host names of the DCs of domain, lowest priority first and, within a
 * priority, highest weight first.  *hosts_out is a strv of "host:port".
 * Each DNS server of resolv.conf is given timeout seconds (0: 10), once.
 * ADKCD_E_CONNECT when there is no record, or when DNS did not answer.
 */
adkcd_status
adkcd_discover_dcs(const char *domain, int timeout, char ***hosts_out,
                   struct adkcd_err *err);

#endif /* ADKCD_DISCOVER_H */
