/*
 * cred.h — credential material kept apart from the register (R5.3):
 * password hashes as Argon2id PHC strings, the credentials/ directory of
 * the state directory, and reading passwords without echo.
 *
 * Invariants: passwords live only in libgcrypt secure memory and are wiped
 * by pw_free(); files in credentials/ are credentials/ID.phc (password) and
 * credentials/ID.tmpl (sealed biometric template), mode 0600, written
 * atomically and destroyed by overwrite, fsync, unlink.  cred_read's data
 * is secure memory for a hash; a sealed template (ciphertext, up to
 * CRED_FILE_MAX bytes) is ordinary libgcrypt memory, wiped all the same.
 */
#ifndef CRED_H
#define CRED_H

#include <stddef.h>
#include "conf.h"
#include "store.h"

#define PW_MAX		1024	/* longest password accepted, bytes */
#define CRED_DIR	"credentials"
/* The temporary file of every credential written, in credentials/: one
 * name, since the register lock lets one be written at a time, and no
 * ID.phc or ID.tmpl (store.c's list removes one a kill left). */
#define CRED_TMP	".tmp-credential"
/* credentials/ is the owner's alone: made with this mode, and refused by
 * cred_dir when it grants more (any group or world bit), as its files
 * are by open_safe's rule for a secret.  jukisec-audit (state-modes)
 * holds it to this, so that it never passes one the tools refuse. */
#define CRED_DIR_MODE	0700
/* Largest credential file read: a sealed template of TMPL_MAX (1 MiB)
 * clear bytes and tmpl.c's 33 bytes of header, nonce and tag. */
#define CRED_FILE_MAX	((1 << 20) + 64)
/* The longest credentials/ID.phc that can hold a hash: the PHC string of
 * the most cost jukisec.conf allows (conf.h), 16 bytes of salt and 32 of
 * tag in unpadded base64, and the one newline cred.c takes after it. */
#define PHC_MAX		(sizeof "$argon2id$v=19$m=4194304,t=100,p=64$" - 1 + \
			    22 + 1 + 43 + 1)
/* cred_phc_at's buffer: a byte over PHC_MAX tells a longer file; NUL. */
#define PHC_BUF		(PHC_MAX + 2)

/* Argon2id of pw with a fresh 16-byte salt and conf's cost, as a PHC string
 * "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH" (malloc'd, never moved: the
 * caller wipes it before free).  ST_OK or ST_FAIL.
 * Here and below, e is where libgcrypt's failure is said (jerr_say: NULL
 * prints it): the caller's st->err. */
int	cred_hash(const struct conf *, const char *pw, size_t len, char **phc,
	    struct jerr *e);
/* 1 match, 0 no match, -1 malformed PHC string (constant-time compare). */
int	cred_verify(const char *phc, const char *pw, size_t len);
/* The cost every password attempt of the gate pays, whatever the id
 * (R5.4: the time of a derivation tells no id from another, whatever
 * cost a stored hash has): the parameters of the costliest derivation
 * (memory x passes) among jukisec.conf's and every stored hash's, and
 * the most memory any of them asks for.  A hash stored under a higher
 * cost than conf's (conf lowered since; re-hashed at the next admission)
 * raises it for everyone until then. */
struct cred_cost {
	unsigned long	 m, t, p;	/* the costliest: KiB, passes, lanes */
	unsigned long	 room;		/* the most KiB of any */
};
/* conf's cost; then raised by each stored hash phc (cred_cost_add: one
 * that does not parse adds nothing). */
void	cred_cost_init(struct cred_cost *, const struct conf *);
void	cred_cost_add(struct cred_cost *, const char *phc);
/* cred_verify for the gate: a hash of less work than cost's is followed
 * by a throw-away derivation of the difference, and a malformed one by
 * cred_dummy, so that every attempt costs cost's work whatever the
 * stored hash holds (R5.4: timing does not tell a registered id from an
 * unknown one). */
int	cred_check(const struct cred_cost *, const char *phc, const char *pw,
	    size_t len, struct jerr *e);	/* 1, 0, -1 malformed, -2 the KDF
					 * failed (said in e) */
/* Whether the memory of the attempt's costliest derivation can be had:
 * cost's room, or the stored hash phc's (NULL: none) when higher (one
 * stored since cost was read), and a little over.  Asked before any
 * derivation, so that a caller's address space limit (ulimit -v) fails
 * every password of every id alike: 0, or -1 said in e ("Argon2id:
 * REASON", as a derivation that failed). */
int	cred_room(const struct cred_cost *, const char *phc, struct jerr *e);
/* 1 when phc's parameters are not conf's (re-hash on the next login). */
int	cred_stale(const char *phc, const struct conf *);
/* Runs the KDF on pw with cost's costliest parameters and throws the
 * result away, so an unknown person takes as long as a known one
 * (R5.4).  0, or -1 when the KDF failed (its memory refused, said in
 * e). */
int	cred_dummy(const struct cred_cost *, const char *pw, size_t len,
	    struct jerr *e);

/* The credentials/ directory fd (created 0700 if create), checked: a
 * directory owned by us or root, not group/world-accessible for writing.
 * -1 with a message said to st->err (printed when NULL), as every
 * function below; a symbolic link refused as open_safe refuses one
 * (errno ELOOP), none said when it is missing and not create (ENOENT). */
int	cred_dir(struct store *, int create);
/* Whether NAME in credentials/ (dfd) is the template key jukisec.conf
 * names (by its inode): kept there, it is no credential without its row,
 * and destroying it would lose every template (jukisec.conf(5)). */
int	cred_is_template_key(const struct store *, int dfd, const char *name);
/* credentials/ID.EXT: write atomically (0600), read whole (ST_NO when
 * absent), destroy (ext NULL: both files of id). */
int	cred_write(struct store *, const char *id, const char *ext,
	    const void *, size_t);
int	cred_read(struct store *, const char *id, const char *ext,
	    char **data, size_t *len);
/* A hash file longer than PHC_MAX is none: cred_read reads it as "",
 * which no parse takes (its id's credential corrupt), unread and
 * unallocated.
 *
 * The gate's cost reads every password row's hash, so that is made
 * cheap: cred_phc_dir opens credentials/ once (the descriptor, or -1,
 * said as cred_read says it), and cred_phc_at reads dfd's ID.phc into buf
 * as open_safe reads a secret (regular, euid's or root's, no group or
 * world bit), in one open, fstat and read: 0, or -1 with buf "" for a
 * hash that is absent, refused, unreadable or longer than PHC_MAX. */
int	cred_phc_dir(struct store *);
int	cred_phc_at(int dfd, uid_t euid, const char *id, char buf[PHC_BUF]);
int	cred_destroy(struct store *, const char *id, const char *ext);
/* A credential replaced in place (credentials/ID.EXT renamed over) would
 * leave its old bytes on disk, and readable through any other hard link:
 * cred_keep gives the old file the second name credentials/ID.EXT.old
 * (never live: the reconcile destroys it when a kill leaves it) before
 * the replacement, so that it is destroyed as a revoked one is once the
 * change is committed.  ST_OK also when there is no old file. */
int	cred_keep(struct store *, const char *id, const char *ext);
/* The number of names credentials/ID.EXT has (st_nlink), 0 when it is not
 * a regular file there or cannot be looked at. */
int	cred_links(struct store *, const char *id, const char *ext);
/* ID.EXT.old removed when it is another name of the credential in force
 * (the replacement not made): nothing old to destroy.  Else it is left,
 * for cred_destroy_old or the reconcile. */
int	cred_unkeep(struct store *, const char *id, const char *ext);
/* The same in credentials/ (dfd) for the names name and old: 1 when old
 * was another name of name and is gone, 0 when it is absent or another
 * file (left), -1 with errno. */
int	cred_unkeep_at(int dfd, const char *name, const char *old);
/* After a committed change that gave id the credential ID.EXT: the one
 * it had before destroyed, ID.OLD when the method moved to another file,
 * else the bytes cred_keep kept (ST_OK when none); cred_destroy's
 * failure, an old file with other hard links (unlinked, not destroyed)
 * included. */
int	cred_destroy_old(struct store *, const char *id, const char *old,
	    const char *ext);
/* After a crash, a change that replaced credentials/ID.EXT found made by
 * the writer that settles its note (auth-check and the PAM module too):
 * ID.EXT.old destroyed at once, quietly, when it is a regular file of one
 * link; else left for the next change's reconcile, which destroys it or
 * logs it as not destroyed. */
void	cred_old_drop(struct store *, const char *id, const char *ext);
/* The line for destroy_file's failure on credentials/NAME, errno as it
 * left it: a file with other hard links was unlinked, never written, and
 * says so (its bytes live on under the other name: not destroyed). */
void	cred_destroy_say(struct store *, const char *name);
/* Wipes and frees what cred_read returned. */
void	cred_free(char *, size_t);

/* Reads a password: from fd >= 0 (one line, LF, CR LF or NUL ended, as
 * pam_exec expose_authtok writes it), else from /dev/tty with echo off,
 * twice when confirm.  *pw is secure memory for pw_free().  ST_OK, ST_USAGE
 * (too long, the two entries differ) or ST_FAIL (no terminal, I/O), with
 * a message said to e (jerr_say: NULL prints it) that begins with from,
 * where the password comes from (pw_source; NULL: /dev/tty). */
int	pw_read(int fd, const char *from, const char *prompt, int confirm,
	    char **pw, struct jerr *e);
/* ST_OK, or ST_USAGE after a message naming from and password_min_length
 * when pw is shorter than min bytes (R5.3). */
int	pw_check_length(const char *pw, long long min, const char *from,
	    struct jerr *e);
void	pw_free(char *);
/* A buffer for a password (PW_MAX + 1 bytes of secure memory), for
 * pw_free; pw_abandon wipes and frees every one this thread has not
 * freed: a PAM call that bailed out (conv.h). */
char	*pw_alloc(void);
void	pw_abandon(void);
/* Where a password is read from, as pw_read's messages name it: "OPT N"
 * for the descriptor fd that option opt gave, /dev/tty when fd < 0; buf
 * holds the former. */
#define PW_SOURCE_MAX	48
const char *pw_source(char buf[PW_SOURCE_MAX], const char *opt, int fd);
/* Parses the value of option opt (--*-fd): a descriptor number >= 0; -1
 * after a message naming opt if invalid.  A descriptor that is not open
 * is held (fd_hold). */
int	fd_parse(const char *opt, const char *);
/* Holds descriptor fd if it is not open, so that no file this process
 * opens later takes its number and a password is read from it: reading
 * it still fails with EBADF. */
void	fd_hold(int fd);

#endif
