#!/bin/sh
# bench 30: fingerprints (R5.3, issue 4's goals) on libfprint's
# virtual_device, one peer process (tests/fpeer.py loop) answering every
# opening of the reader:
#  - enrolment: operator-add -m fingerprint (5 scans) into a fresh state
#    directory vs libfprint's open+enrol alone (bench/fpbase.c)
#  - verification: auth-check's whole fingerprint path (register, template
#    key, AES-GCM open, reader, log record) vs libfprint's open+verify
#    alone: overhead goal <= 20 ms; and jukisec's biometric module alone
#    (bench/fpbio.c: no register update, no log record) vs libfprint alone
# Each side of a round is BENCH_FP_REPS runs (default 10; ~20 ms each).
. "$BENCH/lib.sh"
SRC=$BENCH/..
K=${BENCH_FP_REPS:-10}
cc -O2 -o "$BB/fpbase" "$SRC/bench/fpbase.c" $(pkg-config --cflags --libs libfprint-2 glib-2.0)
cc -O2 -D_GNU_SOURCE -I"$SRC/common" -o "$BB/fpbio" "$SRC/bench/fpbio.c" \
	"$JUKISEC_BUILD/libcommon.a" \
	$(pkg-config --cflags --libs libgcrypt libfprint-2 glib-2.0) -lcsv
R=$B/fp
mkdir "$R"
FP_DRIVERS_WHITELIST=virtual_device FP_VIRTUAL_DEVICE=$R/sock
export FP_DRIVERS_WHITELIST FP_VIRTUAL_DEVICE
unset G_MESSAGES_DEBUG
PEER=
trap '[ -z "$PEER" ] || kill "$PEER" 2>/dev/null || :' EXIT
# peer OPENINGS CMD...: answers that many openings of the reader, each with CMDs.
peer() {
	"$SRC/tests/fpeer.py" loop "$FP_VIRTUAL_DEVICE" "$@" &
	PEER=$!
}
peer_done() { wait "$PEER"; PEER=; }

section "fingerprint (virtual_device): $K runs per side and round"
dirs=
enrol_setup() {
	[ "$side" = tool ] || return 0
	rm -rf "$R"/st*
	dirs= j=0
	while [ "$j" -lt "$K" ]; do
		jukisec-init -d "$R/st$j" >/dev/null 2>&1
		dirs="$dirs $R/st$j" j=$((j + 1))
	done
}
ENROL='for d; do operator-add -d "$d" -i bench -n Bench -r manager -m fingerprint || exit; done'
BASE='i=0; while [ $i -lt "$1" ]; do "$2" enrol "$3" || exit; i=$((i + 1)); done'
scan="SCAN bench"
peer $((2 * ROUNDS * K)) "$scan" "$scan" "$scan" "$scan" "$scan"
pair time - 'enrolment (5 scans): operator-add vs libfprint' \
    'sw -q sh -c "$ENROL" sh $dirs' 'sw -q sh -c "$BASE" sh "$K" "$BB/fpbase" "$R/base.fp"' enrol_setup
peer_done
fig_overhead "enrolment overhead over libfprint, each" - "$K"
peer $((4 * ROUNDS * K)) "$scan"
pair time - 'verification: auth-check vs libfprint' \
    'sw -q -n "$K" auth-check -d "$R/st0" -u bench' 'sw -n "$K" "$BB/fpbase" verify "$R/base.fp"'
fig_overhead 'auth-check fingerprint overhead over libfprint' 20
pair time - 'verification: jukisec bio module vs libfprint' \
    'sw -q -n "$K" "$BB/fpbio" "$R/st0" bench' 'sw -n "$K" "$BB/fpbase" verify "$R/base.fp"'
peer_done
