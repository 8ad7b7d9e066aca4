/*
 * show_syslog.c — log-show --syslog: each record as one message to the
 * local syslog socket, for rsyslog to keep or forward.
 *
 * Invariants: facility authpriv (the history of who was admitted is
 * authentication data; Debian's rsyslog keeps authpriv in a file only
 * root reads), tag "jukisec-oplog", and the message text is the record's
 * line exactly as in the file, without its LF, so a collector that writes
 * the messages one per line holds a copy that log-verify checks.  One
 * datagram per record on a blocking socket: a full socket buffer makes
 * log-show wait, never drop.  A line is at most OPLOG_LINE_MAX (8192)
 * bytes by jukisec-log(5); the send buffer is raised to hold the longest
 * message, and rsyslog must accept it (maxMessageSize, see
 * examples/rsyslog).  A refused send is an error, not a retry: the
 * cursor stays on the last record sent and the service manager restarts.
 * A send waiting on a full socket when log-show is stopped is not retried.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "jukisec.h"
#include "show.h"

#define TAG	"jukisec-oplog"

struct show_syslog {
	int		fd;
	const char	*path;
	char		*msg;
	struct jerr	*err;
};

struct show_syslog *
show_syslog_open(const char *path, struct jerr *e)
{
	struct show_syslog *s;
	struct sockaddr_un sa;
	int sz = 4 * (OPLOG_LINE_MAX + 128);

	if (strlen(path) >= sizeof(sa.sun_path)) {
		jerr_say(e, ST_USAGE, _("%s: socket path too long"), path);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = path;
	s->err = e;
	s->msg = xmalloc(OPLOG_LINE_MAX + 128);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	if ((s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		jerr_say_errno(e, ST_FAIL, "%s", path);
		show_syslog_close(s);
		return NULL;
	}
	(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return s;
}

int
show_syslog_severity(const struct oplog_record *r)
{
	if (r->len[OF_RESULT] == 0 || strcmp(r->field[OF_RESULT], "ok") == 0)
		return LOG_INFO;
	if (strcmp(r->field[OF_RESULT], "denied") == 0)
		return LOG_NOTICE;
	return LOG_WARNING;
}

int
show_syslog_send(struct show_syslog *s, int sev, const char *line, size_t len)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t t = time(NULL);
	int n;
	ssize_t k;

	/* RFC 3164 as syslog(3) writes it: "<PRI>Mmm dd hh:mm:ss TAG: MSG" */
	if (localtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = snprintf(s->msg, 64, "<%d>%s %2d %02d:%02d:%02d " TAG ": ", LOG_AUTHPRIV | sev,
	    mon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (len > OPLOG_LINE_MAX) {
		jerr_say(s->err, ST_FAIL, _("%s: record line of %zu bytes is "
		    "longer than the log allows"), s->path, len);
		return -1;
	}
	memcpy(s->msg + n, line, len);
	/* a datagram goes whole or not at all: stopped while the socket is
	 * full, it has not gone, and the cursor stays before it */
	while ((k = send(s->fd, s->msg, n + len, 0)) == -1 && errno == EINTR &&
	    !show_stopped())
		;
	if (k == -1 && errno == EINTR)
		return 1;
	if (k == -1) {
		jerr_say_errno(s->err, ST_FAIL, "%s", s->path);
		return -1;
	}
	return 0;
}

void
show_syslog_close(struct show_syslog *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->msg);
	free(s);
}
