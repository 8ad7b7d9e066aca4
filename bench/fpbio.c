/*
 * fpbio — the benchmark's middle figure: jukisec's biometric module alone
 * (state directory opened, template key loaded, AES-256-GCM opened, reader
 * found, opened and verified through bio_verify), without the register
 * update and the operation-log record that auth-check adds.
 *   fpbio DIR ID     exit 0 match, 1 no match, 3 error
 * Built by bench/30-fingerprint.sh against $JUKISEC_BUILD/libcommon.a.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "jukisec.h"
#include "bio.h"

int
main(int argc, char *argv[])
{
	struct store st;
	const char *reason;
	char *name, buf[65536];
	ssize_t n;
	int fd, rc;

	jukisec_setup();
	if (argc != 3 || store_open(&st, argv[1], NULL, 0) != ST_OK)
		return ST_FAIL;
	name = xasprintf("credentials/%s.tmpl", argv[2]);
	if ((fd = store_openat(&st, name, O_RDONLY, 0)) == -1 ||
	    (n = read(fd, buf, sizeof buf)) <= 0)
		return ST_FAIL;
	close(fd);
	rc = bio_verify(&st, argv[2], METHOD_FINGERPRINT, NULL, buf, n, &reason);
	store_close(&st);
	free(name);
	return rc;
}
