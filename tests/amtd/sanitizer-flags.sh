# Shared by run-sanitized.sh and run-fuzzers.sh: how to compile amtd's
# protocol core outside of FRR's build, against the FRR tree $B.
# shellcheck shell=sh
AMTD_CORE_SOURCES="amt_dns_record.c amt_fanout_split.c amt_flow_index.c amt_gso.c amt_igmp.c amt_mac.c amt_membership.c amt_memory.c amt_packet.c amt_pim.c amt_rate.c amt_relay_health.c amt_relay_snapshot.c"
amtd_core_files() {
	for f in $AMTD_CORE_SOURCES; do
		echo "$B/amtd/$f"
	done
}
SAN_CC=${SAN_CC:-clang}
# libyang's headers, where FRR's build found them (lib/yang.h includes them).
SAN_LIBYANG_CFLAGS=$(sed -n 's/^LIBYANG_CFLAGS = //p' "$B/Makefile" 2>/dev/null || true)
SAN_CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -DHAVE_CONFIG_H \
 -I$B -I$B/lib -I$B/include -I$B/amtd -I$B/tests/amtd $SAN_LIBYANG_CFLAGS"
SAN_LDFLAGS="-L$B/lib/.libs -lfrr -Wl,-rpath,$B/lib/.libs"
