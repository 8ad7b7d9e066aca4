#!/bin/sh
# Fingerprint (R5.3) on libfprint's virtual_device: auth-check's whole
# verification (register, template key, AES-GCM open, reader, log record)
# against libfprint's open+verify alone (bench/fpbase.c), and enrolment
# (operator-add, 5 scans) against libfprint's open+enrol alone.  Runs are
# interleaved; one peer process answers every opening of the reader.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${FP_BENCH_N:-30}
cc -O2 -o "$B/fpbase" "$SRC/bench/fpbase.c" \
	$(pkg-config --cflags --libs libfprint-2 glib-2.0)
cc -O2 -D_GNU_SOURCE -I"$SRC/common" -o "$B/fpbio" "$SRC/bench/fpbio.c" \
	"$JUKISEC_BUILD/libcommon.a" \
	$(pkg-config --cflags --libs libgcrypt libfprint-2 glib-2.0) -lcsv
R=$(mktemp -d "$B/fp.XXXXXX")
FP_DRIVERS_WHITELIST=virtual_device FP_VIRTUAL_DEVICE=$R/s
export FP_DRIVERS_WHITELIST FP_VIRTUAL_DEVICE
unset G_MESSAGES_DEBUG
peer() { "$SRC/tests/fpeer.py" loop "$FP_VIRTUAL_DEVICE" "$@" & }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# Enrolment: N fresh state directories, the first manager in each.
i=0
while [ $i -lt "$N" ]; do
	jukisec-init -d "$R/st$i" >/dev/null 2>&1
	i=$((i + 1))
done
peer $((2 * N)) "SCAN bench" "SCAN bench" "SCAN bench" "SCAN bench" "SCAN bench"
tb=0 tj=0 i=0
while [ $i -lt "$N" ]; do
	t=$(date +%s%N); "$B/fpbase" enrol "$R/base.fp"; tb=$((tb + $(ms "$t")))
	t=$(date +%s%N)
	operator-add -d "$R/st$i" -i bench -n Bench -r manager -m fingerprint 2>/dev/null
	tj=$((tj + $(ms "$t")))
	i=$((i + 1))
done
wait
printf 'fingerprint enrolment (5 scans, virtual_device): operator-add %d ms, libfprint alone %d ms: ratio %s (mean of %d)\n' \
	$((tj / N)) $((tb / N)) "$(ratio $tj $tb)" "$N"

# Verification: auth-check -u bench, jukisec's biometric module alone
# (fpbio) and libfprint alone (fpbase), same finger, interleaved.
peer $((3 * N)) "SCAN bench"
tb=0 tm=0 tj=0 i=0
base() { t=$(date +%s%N); "$B/fpbase" verify "$R/base.fp"; tb=$((tb + $(ms "$t"))); }
bio() { t=$(date +%s%N); "$B/fpbio" "$R/st0" bench 2>/dev/null; tm=$((tm + $(ms "$t"))); }
gate() { t=$(date +%s%N); auth-check -d "$R/st0" -u bench 2>/dev/null; tj=$((tj + $(ms "$t"))); }
while [ $i -lt "$N" ]; do
	# rotate the order: none always runs first after the peer's turn
	case $((i % 3)) in
	0) base; bio; gate ;;
	1) bio; gate; base ;;
	2) gate; base; bio ;;
	esac
	i=$((i + 1))
done
wait
printf 'fingerprint verification (virtual_device): auth-check %d ms, libfprint open+verify alone %d ms: ratio %s, overhead %d ms (goal <= 20 ms; mean of %d)\n' \
	$((tj / N)) $((tb / N)) "$(ratio $tj $tb)" $(((tj - tb) / N)) "$N"
printf '  of which the biometric module (key, AES-GCM, reader choice): %d ms against libfprint alone %d ms: ratio %s; the rest is the register update and the fsynced log record\n' \
	$((tm / N)) $((tb / N)) "$(ratio $tm $tb)"
