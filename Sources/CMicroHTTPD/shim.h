#ifndef KEYHAVEN_CMICROHTTPD_SHIM_H
#define KEYHAVEN_CMICROHTTPD_SHIM_H
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>

/* MHD_start_daemon and MHD_get_connection_info are C-variadic and
   cannot be called from Swift. These non-variadic wrappers are the only way in. */
static inline struct MHD_Daemon *
keyhaven_mhd_start(unsigned int flags, uint16_t port,
                   MHD_AccessHandlerCallback handler, void *handler_cls,
                   const struct MHD_OptionItem *options)
{
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* Writes the peer address of a connection as text ("127.0.0.1", "::1") into out.
   Returns 0 on success, -1 when the address is unknown. */
static inline int keyhaven_mhd_client_address(struct MHD_Connection *connection, char *out, socklen_t out_len)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return -1;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        return inet_ntop(AF_INET, &v4->sin_addr, out, out_len) ? 0 : -1;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        return inet_ntop(AF_INET6, &v6->sin6_addr, out, out_len) ? 0 : -1;
    }
    return -1;
}
/* A listening TCP socket on addr (SO_REUSEADDR; IPv6 sockets are IPv6-only), close-on-exec.
   Returns the descriptor, or -errno. */
static inline int keyhaven_listen(const struct sockaddr *addr, socklen_t addr_len, int backlog)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (addr->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
        bind(fd, addr, addr_len) != 0 || listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        return -saved;
    }
    return fd;
}

/* The port a socket is bound to (host order), or 0. */
static inline uint16_t keyhaven_socket_port(int fd)
{
    struct sockaddr_storage storage;
    socklen_t length = sizeof storage;
    if (getsockname(fd, (struct sockaddr *)&storage, &length) != 0) return 0;
    if (storage.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&storage)->sin_port);
    if (storage.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&storage)->sin6_port);
    return 0;
}

/* glibc declares accept4 only under _GNU_SOURCE, which a module header should not define. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addr_len, int flags);

/* Accepts one connection (non-blocking, close-on-exec) and hands it to the daemon, which picks
   a pool thread by descriptor and closes the socket itself if it refuses it. Returns 0 when a
   connection was handed over or refused by the daemon, otherwise the accept errno. */
static inline int keyhaven_accept_into(int listen_fd, struct MHD_Daemon *daemon)
{
    struct sockaddr_storage storage;
    socklen_t length = sizeof storage;
    int client = accept4(listen_fd, (struct sockaddr *)&storage, &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) return errno;
    (void)MHD_add_connection(daemon, client, (const struct sockaddr *)&storage, length);
    return 0;
}

/* Lowers the calling thread's scheduling priority (Linux keeps nice values per thread). */
static inline int keyhaven_set_thread_niceness(int niceness)
{
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
}
#endif
