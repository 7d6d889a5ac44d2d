#!/usr/bin/env bash
# The connection module: DC discovery and fallover, credentials (ccache,
# password on stdin, keytab), protection (SASL sign+seal, TLS), and clear
# errors for every way it fails.  Every failure leaves the DC unchanged.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_user alice 'Al1ce-Passw0rd!'
printf '%s\n' 'Al1ce-Passw0rd!' > "$ADKCD_TMP/alice.pw"
printf '%s\n' 'wrong' > "$ADKCD_TMP/wrong.pw"
dc_snapshot "$ADKCD_TMP/s0"

t_begin "no -H: DC found through DNS SRV for krb5.conf's default realm"
run "$ADSPN" -v -L iosmdm
expect_rc 0
expect_err_contains "connecting to ldap://dc1.mydom.local:389"
expect_err_contains "bound to ldap://dc1.mydom.local:389 as administrator@MYDOM.LOCAL (SASL sign and seal, SSF 256)"
run "$ADSPN" --domain mydom.local -L iosmdm
expect_rc 0
t_end

t_begin "a domain without SRV records"
run "$ADSPN" --domain nosuch.example -L iosmdm
expect_rc 7
expect_err_contains "no DC found: DNS has no SRV record _ldap._tcp.dc._msdcs.nosuch.example (name a DC, or fix /etc/resolv.conf)"
expect_err_contains "adspn: hint: give -H ldap://DC or --domain DOMAIN"
t_end

t_begin "-H with several URIs falls over to the next one"
run "$ADSPN" -v -H "ldap://127.0.0.99 ldap://dc1.mydom.local" -L iosmdm
expect_rc 0
expect_err_contains "trying the next DC"
expect_out_contains "CN=iosmdm,CN=Users"
t_end

t_begin "SRV discovery falls over from a dead DC to a live one"
samba-tool dns add 127.0.0.10 mydom.local dead A 127.0.0.99 \
    -U administrator --password="$ADKCD_ADMIN_PASS" >/dev/null 2>&1 ||
    t_fail "could not add the A record"
samba-tool dns add 127.0.0.10 _msdcs.mydom.local _ldap._tcp.dc SRV \
    'dead.mydom.local 389 0 65535' \
    -U administrator --password="$ADKCD_ADMIN_PASS" >/dev/null 2>&1 ||
    t_fail "could not add the SRV record"
run "$ADSPN" -v -L iosmdm
expect_rc 0
expect_err_contains "connecting to ldap://dead.mydom.local:389"
expect_err_contains "trying the next DC"
expect_err_contains "bound to ldap://dc1.mydom.local:389"
t_end

t_begin "no ticket: exit 6 and a hint to kinit"
bad_input credentials 6 KRB5CCNAME="FILE:$ADKCD_TMP/no-such-ccache" -- "$ADSPN" -S http/x.mydom.local iosmdm
expect_err_contains "no Kerberos ticket in FILE:$ADKCD_TMP/no-such-ccache: run 'kinit USER@REALM' first, or give a principal and its keys"
expect_err_contains "adspn: hint: give the keys with --keytab FILE or --password-stdin, and the principal with --principal"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "expired ticket: exit 6 and says when it expired"
echo "$ADKCD_ADMIN_PASS" | KRB5CCNAME="FILE:$ADKCD_TMP/short" kinit -l 1s administrator >/dev/null 2>&1 ||
    t_fail "kinit -l 1s failed"
sleep 2
bad_input credentials 6 KRB5CCNAME="FILE:$ADKCD_TMP/short" -- "$ADSPN" -S http/x.mydom.local iosmdm
expect_err_contains "expired at"
expect_err_contains "run 'kinit administrator@MYDOM.LOCAL' again"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "--password-stdin: TGT in a MEMORY ccache, default ccache untouched"
before=$(klist 2>&1 | md5sum)
RUN_STDIN="$ADKCD_TMP/alice.pw" KRB5CCNAME="FILE:$ADKCD_TMP/untouched" run "$ADSPN" -v --principal alice --password-stdin -L iosmdm
expect_rc 0
expect_err_contains "as alice@MYDOM.LOCAL"
[ ! -e "$ADKCD_TMP/untouched" ] || t_fail "a ccache file was written"
expect_eq "$(klist 2>&1 | md5sum)" "$before" "administrator's ccache"
t_end

t_begin "--password-stdin with a wrong password: exit 6, nothing written"
bad_input credentials 6 RUN_STDIN="$ADKCD_TMP/wrong.pw" -- "$ADSPN" --principal alice --password-stdin -S http/x.mydom.local iosmdm
expect_err_contains "the password for alice@MYDOM.LOCAL is wrong"
bad_input credentials 3 -- "$ADSPN" --principal alice --password-stdin -L iosmdm
expect_err_contains "no password on stdin"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "an unprivileged user is refused by the server: exit 8"
RUN_STDIN="$ADKCD_TMP/alice.pw" run "$ADSPN" --principal alice --password-stdin -S http/x.mydom.local iosmdm
expect_rc 8
expect_err_contains "Insufficient access"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "--keytab with --principal"
printf 'addent -password -p alice@MYDOM.LOCAL -k 1 -e aes256-cts-hmac-sha1-96\nAl1ce-Passw0rd!\nwkt %s\nquit\n' "$ADKCD_TMP/alice.keytab" |
    ktutil >/dev/null 2>&1 || t_fail "ktutil failed"
run "$ADSPN" -v --keytab "$ADKCD_TMP/alice.keytab" --principal alice -L iosmdm
expect_rc 0
expect_err_contains "as alice@MYDOM.LOCAL"
bad_input credentials 6 -- "$ADSPN" --keytab "$ADKCD_TMP/alice.keytab" --principal bob -L iosmdm
expect_err_contains "getting a ticket for bob@MYDOM.LOCAL"
bad_input credentials 6 -- "$ADSPN" --keytab "$ADKCD_TMP/missing.keytab" --principal alice -L iosmdm
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "KDC unreachable: exit 7"
sed 's/^\(\s*kdc\s*=\).*/\1 127.0.0.99/' "$KRB5_CONFIG" > "$ADKCD_TMP/krb5-deadkdc.conf"
RUN_STDIN="$ADKCD_TMP/alice.pw" KRB5_CONFIG="$ADKCD_TMP/krb5-deadkdc.conf" run "$ADSPN" --principal alice --password-stdin -L iosmdm
expect_rc 7
expect_err_contains "Cannot contact any KDC"
t_end

t_begin "clock skew: exit 6 and says to fix the time"
# With a ticket from kinit, the service ticket's authenticator is skewed.
run faketime '+2 hours' "$ADSPN" -S http/x.mydom.local iosmdm
expect_rc 6
expect_err_contains "clock skew too great between this host and the KDC"
# Getting a TGT: MIT krb5 corrects the clock itself (kdc_timesync) unless
# told not to.
sed 's/^\[libdefaults\]/[libdefaults]\n kdc_timesync = 0/' "$KRB5_CONFIG" > "$ADKCD_TMP/krb5-nosync.conf"
RUN_STDIN="$ADKCD_TMP/alice.pw" KRB5_CONFIG="$ADKCD_TMP/krb5-nosync.conf" \
    run faketime '+2 hours' "$ADSPN" --principal alice --password-stdin -L iosmdm
expect_rc 6
expect_err_contains "clock skew too great between this host and the KDC: synchronise the time (chrony/ntpd) before getting a ticket for alice@MYDOM.LOCAL"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "a server name the KDC does not know: exit 6 with the fix"
run "$ADSPN" -H ldap://127.0.0.10 -S http/x.mydom.local iosmdm
expect_rc 6
expect_err_contains "the KDC knows no service principal ldap/127.0.0.10"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

CA="$ADKCD_DC_DIR/private/tls/ca.pem"
samba_minor=$(samba --version | sed -n 's/^Version 4\.\([0-9]*\)\..*/\1/p')
if [ "${samba_minor:-0}" -ge 21 ]; then
    t_begin "over TLS with Samba's default (4.21+): GSSAPI inside TLS, bound to the channel, works"
    # "ldap server require strong auth = yes" accepts GSSAPI inside TLS when
    # the client sends the TLS channel bindings, which adkcd does; without
    # them, or with wrong ones, Samba refuses the bind.
    LDAPTLS_CACERT="$CA" run "$ADSPN" -v -H ldaps://dc1.mydom.local -L iosmdm
    expect_rc 0
    expect_err_contains "bound to ldaps://dc1.mydom.local"
    t_end
else
    t_begin "over TLS, a DC that wants a SASL layer: a clear refusal"
    # Samba 4.17's default ("ldap server require strong auth = yes") refuses
    # GSSAPI inside TLS both with and without a SASL layer.
    LDAPTLS_CACERT="$CA" run "$ADSPN" -H ldaps://dc1.mydom.local -L iosmdm
    expect_rc 6
    expect_err_contains "refuses a Kerberos bind inside TLS"
    expect_err_contains "allow_sasl_over_tls"
    t_end
fi

t_begin "ldaps:// and --starttls verify the DC's certificate"
# As Windows DCs do, allow GSSAPI inside TLS (channel-bound, no SASL layer).
sed -i 's/^\(\s*\[global\]\)/\1\n\tldap server require strong auth = allow_sasl_over_tls/' \
    "$ADKCD_DC_DIR/etc/smb.conf"
"$ADKCD_DC_CTL" restart
LDAPTLS_CACERT="$CA" run "$ADSPN" -v -H ldaps://dc1.mydom.local -L iosmdm
expect_rc 0
expect_out_contains "CN=iosmdm,CN=Users"
expect_err_contains "bound to ldaps://dc1.mydom.local"
LDAPTLS_CACERT="$CA" run "$ADSPN" -H ldap://dc1.mydom.local --starttls -S http/tls.mydom.local iosmdm
expect_rc 0
expect_eq "$(dc_spns iosmdm)" "http/tls.mydom.local" "SPNs of iosmdm"
"$ADSPN" -H ldap://dc1.mydom.local -D http/tls.mydom.local iosmdm >/dev/null
run "$ADSPN" -H ldaps://dc1.mydom.local -S http/x.mydom.local iosmdm
expect_rc 7
expect_err_contains "certificate did not verify"
run "$ADSPN" -H ldap://dc1.mydom.local --starttls -S http/x.mydom.local iosmdm
expect_rc 7
expect_err_contains "StartTLS"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "a DC that is down: exit 7, and the next run after restart works"
"$ADKCD_DC_CTL" stop
run "$ADSPN" -H ldap://dc1.mydom.local -S http/x.mydom.local iosmdm
expect_rc 7
expect_err_contains "cannot reach dc1.mydom.local: Can't contact LDAP server"
run "$ADSPN" -S http/x.mydom.local iosmdm
expect_rc 7
expect_err_contains "no DC found"
run "$ADSPN" -H ldap://dc1.mydom.local --json -L iosmdm
expect_rc 7
expect_json '.error.status == "unreachable" and .exit_code == 7'
"$ADKCD_DC_CTL" start
run "$ADSPN" -L iosmdm
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_summary
