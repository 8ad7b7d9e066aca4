/*
 * fuzz/state_files.c — libFuzzer harness for the parsers of the state
 * directory's small files, which a tool reads before it trusts anything:
 * jukisec.conf(5) (conf_load_err), a slot of oplog.head
 * (oplog_head_slot_parse) and a verification key file (oplog_vkey_read).
 * The first byte of the input picks the parser (modulo 3), the rest is the
 * file, given through a memfd or a memory stream as a file would be.
 *
 * Asserts: a refused file says why (the configuration with "fuzz:LINE: ",
 * the key file with "fuzz: "); an accepted head written back by the log's
 * own writer (oplog_head_format) parses back to the same head, and an
 * accepted version 2 slot is byte for byte that slot (a head has one
 * spelling, jukisec-log(5) "Head"); an accepted key's epoch length is
 * within the page's bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>

#include "jukisec.h"
#include "conf.h"
#include "oplog_priv.h"
#include "oplog_verify.h"

static void
conf(const uint8_t *data, size_t size)
{
	struct conf c;
	struct jerr e;
	FILE *fp;

	if ((fp = fmemopen(size ? (void *)data : "", size, "r")) == NULL)
		abort();
	memset(&e, 0, sizeof(e));
	conf_defaults(&c, "/nonexistent");
	if (conf_load_err(&c, fp, "fuzz", &e) != ST_OK &&
	    (e.code != ST_FAIL || strncmp(e.msg, "fuzz:", 5) != 0))
		abort();
	conf_free(&c);
	fclose(fp);
}

static void
head(const uint8_t *data, size_t size)
{
	struct oplog_head h, back;
	char slot[OPLOG_HEADSLOT];

	memset(&h, 0, sizeof(h));
	if (size > OPLOG_HEADSLOT ||
	    oplog_head_slot_parse((const char *)data, size, &h) != NULL)
		return;
	oplog_head_format(&h, slot);
	if (h.version == 2 && (size != sizeof(slot) || memcmp(slot, data, size) != 0))
		abort();
	memset(&back, 0, sizeof(back));
	if (oplog_head_slot_parse(slot, sizeof(slot), &back) != NULL ||
	    back.version != 2 || back.open != h.open || back.seq != h.seq ||
	    back.epoch != h.epoch || back.erecs != h.erecs ||
	    back.count != h.count || back.size != h.size ||
	    back.kepoch != h.kepoch || back.time != h.time ||
	    memcmp(back.mac, h.mac, OPLOG_MACLEN) != 0 ||
	    memcmp(back.hmac, h.hmac, OPLOG_MACLEN) != 0)
		abort();
}

static void
vkey(const uint8_t *data, size_t size)
{
	struct oplog_vkey *vk;
	struct jerr e;
	int fd;

	/* a memfd is made 0777; a key file must be 0600 to be read */
	if ((fd = memfd_create("key", 0)) == -1 || fchmod(fd, 0600) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	memset(&e, 0, sizeof(e));
	if ((vk = oplog_vkey_read(fd, "fuzz", &e)) == NULL) {
		if (e.code == ST_OK || strncmp(e.msg, "fuzz: ", 6) != 0)
			abort();
	} else if (vk->epoch_seconds < 1 || vk->epoch_seconds > 100LL * 365 * 86400)
		abort();
	oplog_vkey_free(vk);
	close(fd);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!gcry_check_version(NULL) || gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0) != 0)
		abort();
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const parse[])(const uint8_t *, size_t) = { conf, head, vkey };

	if (size == 0 || size > 8192)
		return 0;
	parse[data[0] % 3](data + 1, size - 1);
	return 0;
}
