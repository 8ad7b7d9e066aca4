# Scene 50: a personal-data leak, handled along R9 and tracked under the
# APPI (Art. 68): reported, J-LIS contacted, the Mayor orders disconnection,
# the committees are told, and the Japanese report is printed.
# Sourced by examples/demo/run.

scene "A data leak: the R9 flow and the report (R9, APPI Art. 68)"
need_kacho
printf '%s\n' "# ir = incident-report -b kacho: kacho's finger on the reader verifies the manager at every step"
ir() { incident-report -b kacho "$@"; }

printf '%s\n' "# A USB memory with 120 residents' records is missing; the Security Manager records it:"
printf '%s\n' "\$ incident-report new -b kacho --type leak --nature negligence --level 3 --persons 120 --summary '...'"
next_kacho
INC=$(onreader "$KF" -- ir new --type leak --nature negligence --level 3 \
    --persons 120 --summary '住民票データを含むUSBメモリの所在不明')
printf '%s\n' "$INC"

printf '%s\n' "# J-LIS and the maintenance contractor respond; the Mayor and the General Security Manager are told (R9.1):"
for s in jlis-contacted vendor-contacted mayor-reported general-manager-reported; do
	bykacho ir step "$INC" --step "$s"
done

printf '%s\n' "# Reconnecting before any disconnection is a contradiction, refused (exit 2):"
bykacho ir step "$INC" --step reconnected || printf '%s\n' "# exit status $?"

printf '%s\n' "# The Mayor investigates and orders the CS disconnected from the prefectural server (R9.2):"
bykacho ir step "$INC" --step investigated --note '持ち出し記録と操作履歴を確認'
bykacho ir step "$INC" --step disconnected \
    --note '市民の権利利益の侵害のおそれが明白かつ差し迫っているため'

printf '%s\n' "# The General Security Manager reports to both committees (R9.3); the PPC gets the preliminary report:"
bykacho ir step "$INC" --step committee-reported
bykacho ir step "$INC" --step pic-committee-reported
bykacho ir step "$INC" --step ppc-preliminary

printf '%s\n' "# What is still open, for the cron job that mails it:"
run env TZ=Asia/Tokyo incident-report list --open

printf '%s\n' "# The report for the Mayor and the General Security Manager, in Japanese with 和暦 dates:"
run env TZ=Asia/Tokyo incident-report show "$INC" --lang ja
