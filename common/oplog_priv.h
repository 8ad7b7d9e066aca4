/*
 * oplog_priv.h — what the oplog_*.c modules share and nobody else needs:
 * keys, the MAC, the head.  Formats are those of jukisec-log(5).
 */
#ifndef OPLOG_PRIV_H
#define OPLOG_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <gcrypt.h>
#include "oplog_verify.h"

#define OPLOG_FILE	"oplog.csv"
#define OPLOG_KEYFILE	"oplog.key"
#define OPLOG_HEADFILE	"oplog.head"
#define OPLOG_EVOLVE	"jukisec-log-v1 evolve"
#define OPLOG_HEADTAG	"jukisec-log-v1 head"

/* The writer's key: the current epoch and its key (secure memory). */
struct oplog_key {
	int64_t		t0;
	long long	epoch_seconds;
	long long	epoch;
	unsigned char	k[32];
};

/* An HMAC-SHA256 handle keyed with one epoch's key. */
struct oplog_mac {
	gcry_md_hd_t	h;
	long long	epoch;		/* -1: not keyed */
};

struct oplog_head {
	long long	seq, epoch, erecs, count, size;
	int64_t		time;
	unsigned char	mac[OPLOG_MACLEN];
	unsigned char	hmac[OPLOG_MACLEN];
	int		open;		/* a batch may follow: bytes after size go */
	int		slot;		/* 0 or 1: where it was read or written */
};
#define OPLOG_HEADSLOT	512

long long oplog_epoch_of(int64_t t0, long long epoch_seconds, int64_t t);
int64_t	oplog_epoch_end(int64_t t0, long long epoch_seconds, long long e);

void	oplog_evolve(unsigned char k[32]);
int	mac_open(struct oplog_mac *);
void	mac_setkey(struct oplog_mac *, const unsigned char k[32], long long epoch);
void	mac_close(struct oplog_mac *);
/* mac(n) of jukisec-log(5) over the nine canonical fields. */
void	mac_record(struct oplog_mac *, const unsigned char prev[OPLOG_MACLEN],
	    const char *const f[], const size_t len[], unsigned char out[OPLOG_MACLEN]);
void	mac_head(struct oplog_mac *, const struct oplog_head *, unsigned char out[OPLOG_MACLEN]);
size_t	mac_canon(unsigned char *out, const unsigned char prev[OPLOG_MACLEN],
	    const char *const f[], const size_t len[]);
void	mac_bytes(struct oplog_mac *, const unsigned char *, size_t, unsigned char out[OPLOG_MACLEN]);

/* MAC checks on another core (oplog_macq.c).  start: NULL when there is no
 * second core.  drain: 1 and the first failing record, or 0. */
struct macq;
struct macq *macq_start(const unsigned char k0[32]);
void	macq_push(struct macq *, const unsigned char prev[OPLOG_MACLEN],
	    const struct oplog_record *, const char *file);
int	macq_drain(struct macq *, size_t *line, long long *seq, const char **file);
/* The last seq of the records checked without failure so far, or -1. */
long long macq_done(const struct macq *);
void	macq_stop(struct macq *);

void	hex_encode(const unsigned char *, size_t, char *out);	/* out: 2n+1 */
int	hex_decode(const char *, size_t len, unsigned char *out, size_t n);

/* Key and head files in st->dirfd.  load: ST_OK or ST_FAIL after a message. */
struct oplog_key *oplog_key_new(void);
void	oplog_key_free(struct oplog_key *);
int	oplog_key_load(struct store *, struct oplog_key *);
int	oplog_key_save(struct store *, const struct oplog_key *);
int	oplog_head_load(struct store *, struct oplog_head *);
int	oplog_head_read(struct store *, struct oplog_head *, const char **why);
/* Writes hd into the slot hd->slot does not name, then names it; m keyed
 * with the key of hd->epoch fills hd->hmac first (NULL: hd->hmac as is).
 * save: the same, made durable with fdatasync(2) before it returns. */
int	oplog_head_write(struct store *, struct oplog_head *, struct oplog_mac *, int sync);
int	oplog_head_save(struct store *, struct oplog_head *, struct oplog_mac *);
const char *oplog_head_parse(const char *, size_t, struct oplog_head *);

/* "key=value" token helpers for the one-line files. */
const char *kv_get(const char *line, const char *key, size_t *len);

#endif
