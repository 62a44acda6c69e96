// SPDX-License-Identifier: GPL-2.0
/*
 * Messages of the handoff protocol (handoff.h) over a SOCK_SEQPACKET
 * socket, fds as SCM_RIGHTS.  Built into wsbench and into the preload
 * library alike, so it depends on libc only.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handoff.h"

static const char *const type_names[WS_HO_TYPE_NR] = {
	[WS_HO_HELLO] = "HELLO",
	[WS_HO_SELECT] = "SELECT",
	[WS_HO_RANGE] = "RANGE",
	[WS_HO_UFFD] = "UFFD",
	[WS_HO_UFFD_REPLY] = "UFFD_REPLY",
	[WS_HO_STORAGE] = "STORAGE",
	[WS_HO_STORAGE_ACK] = "STORAGE_ACK",
	[WS_HO_UNMAPPING] = "UNMAPPING",
	[WS_HO_RELEASE] = "RELEASE",
	[WS_HO_RELEASED] = "RELEASED",
	[WS_HO_BYE] = "BYE",
};

void ws_ho_init(struct ws_ho_msg *m, enum ws_ho_type type)
{
	memset(m, 0, sizeof(*m));
	m->magic = WS_HO_MAGIC;
	m->version = WS_HO_VERSION;
	m->type = type;
}

const char *ws_ho_type_name(uint32_t type)
{
	return type < WS_HO_TYPE_NR && type_names[type] ? type_names[type] :
	       "unknown";
}

int ws_ho_send(int sock, const struct ws_ho_msg *m, const int *fds, int nfds)
{
	char ctl[CMSG_SPACE(WS_HO_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	if (nfds < 0 || nfds > WS_HO_MAX_FDS)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do {
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

/* Take the fds of @mh into @fds; a truncated control message is an error. */
static int take_fds(struct msghdr *mh, int *fds)
{
	int n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c;
	     c = CMSG_NXTHDR(mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (n < WS_HO_MAX_FDS)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	return mh->msg_flags & MSG_CTRUNC ? -EPROTO : 0;
}

int ws_ho_recv(int sock, struct ws_ho_msg *m, int *fds, int timeout_ms)
{
	char ctl[CMSG_SPACE(WS_HO_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t r;
	int ret;

	for (int i = 0; i < WS_HO_MAX_FDS; i++)
		fds[i] = -1;
	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	do {
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	ret = take_fds(&mh, fds);
	if (r == 0)
		return -EPIPE;
	if (!ret && (r != (ssize_t)sizeof(*m) || m->magic != WS_HO_MAGIC ||
		     m->version != WS_HO_VERSION || !m->type ||
		     m->type >= WS_HO_TYPE_NR))
		ret = -EPROTO;
	if (ret) {
		for (int i = 0; i < WS_HO_MAX_FDS; i++)
			if (fds[i] >= 0) {
				close(fds[i]);
				fds[i] = -1;
			}
		return ret;
	}
	m->name[sizeof(m->name) - 1] = '\0';
	m->text[sizeof(m->text) - 1] = '\0';
	return 0;
}
