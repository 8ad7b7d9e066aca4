/*
 * writesync — the durable-append baseline of bench/10-log.sh: appends the
 * bytes of one record (RECORD and a newline, in one write) to FILE and
 * fdatasyncs it, the least a durable log-append must do, without the lock,
 * the head, the MAC or a library.  Usage: writesync FILE RECORD.
 * Not part of the suite: built by bench/run, never installed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	char	 buf[8192];
	size_t	 n;
	int	 fd;

	if (argc != 3 || (n = strlen(argv[2])) >= sizeof buf)
		return 2;
	memcpy(buf, argv[2], n);
	buf[n++] = '\n';
	if ((fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1 || write(fd, buf, n) != (ssize_t)n ||
	    fdatasync(fd) == -1 || close(fd) == -1) {
		perror(argv[1]);
		return 3;
	}
	return 0;
}
