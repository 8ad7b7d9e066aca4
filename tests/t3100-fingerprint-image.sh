#!/bin/sh
# Fingerprints matched for real: libfprint's virtual_image reader fed the
# NIST example prints (tests/prints), so NBIS minutiae extraction and
# bozorth3 matching decide, as with a USB image reader.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/fplib.sh"

init_state
export JUKISEC_DIR=$TMP/state
conf_set fp_timeout_seconds 10	# a lost scan fails the test, not the suite's clock
W=$PRINTS/whorl.pgm T=$PRINTS/tented_arch.pgm
# The same finger never lands twice the same way: shifted and turned.
W2=$W@4,-3,3 W3=$W@-5,2,-4 W4=$W@2,5,2 Wv=$W@10,0,8

test_expect_success 'enrol a whorl; a blank scan is retried' '
	new_reader image &&
	with_images $W blank $W2 $W3 $W4 $W -- \
		operator-add -i kato -n Kato -r manager -m fingerprint &&
	grep -q "^the scan was not clear, try again" err &&
	test "$(grep -c "^scan 2 of 5" err)" = 2 &&
	grep -q "^enrolled: 5 of 5 scans" err &&
	! grep -q "minutiae" err &&
	test "$(stat -c %s state/credentials/kato.tmpl)" -gt 4000
'

test_expect_success 'the same whorl, laid 10 px aside and turned 8 degrees, is admitted' '
	new_reader image &&
	with_images $Wv -- auth-check -u kato &&
	logged auth kato ok ""
'

test_expect_success 'a tented arch is refused' '
	new_reader image &&
	! with_images $T -- auth-check -u kato &&
	grep -q "authentication denied" err &&
	logged auth kato denied "no match"
'

test_expect_success 'a scan error from the image reader denies' '
	new_reader image &&
	! with_images error:5 -- auth-check -u kato &&
	logged auth kato denied "device error"
'

test_expect_success '--device picks the reader among several' '
	new_reader image && isock=$sock &&
	new_reader device &&
	FP_DRIVERS_WHITELIST=virtual_device:virtual_image FP_VIRTUAL_IMAGE=$isock &&
	export FP_VIRTUAL_IMAGE && sock=$isock &&
	with_images $Wv $W $W2 $W3 $W4 $W -- operator-add -b kato -i mori -n Mori \
		-m fingerprint --device virtual_image &&
	logged operator-add mori ok ""
'

test_expect_success 'with two readers, verification uses the print'"'"'s kind' '
	new_reader image && isock=$sock &&
	new_reader device &&
	FP_DRIVERS_WHITELIST=virtual_device:virtual_image FP_VIRTUAL_IMAGE=$isock &&
	export FP_VIRTUAL_IMAGE && sock=$isock &&
	with_images $Wv -- auth-check -u mori &&
	unset FP_VIRTUAL_DEVICE
'

test_expect_success 'fp_device in jukisec.conf chooses the reader' '
	new_reader image &&
	conf_set fp_device virtual_device &&
	test_must_fail 3 auth-check -u mori 2>err &&
	grep -q "no fingerprint reader found with driver virtual_device" err &&
	logged auth mori error "no reader" &&
	conf_set fp_device virtual_image &&
	with_images $Wv -- auth-check -u mori
'

test_expect_success 'no reader at all: exit 3, the plain message' '
	FP_DRIVERS_WHITELIST=none &&
	conf_set fp_device "" &&
	test_must_fail 3 auth-check -u mori 2>err &&
	one_line_matching err "^auth-check: no fingerprint reader found$" &&
	logged auth mori error "no reader"
'

test_expect_success 'a template from another kind of reader: exit 3, re-enrol' '
	new_reader device &&
	conf_set fp_device "" &&
	test_must_fail 3 auth-check -u mori 2>err &&
	one_line_matching err "^auth-check: fingerprint template of mori was enrolled on another reader \\(virtual_image, device [^ )]+\\), not this one \\(virtual_device, device [^ )]+\\): re-enrol\$" &&
	logged auth mori error "template from another reader"
'

test_done
