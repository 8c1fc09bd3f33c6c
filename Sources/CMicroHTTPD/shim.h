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
#include <string.h>
#include <errno.h>

/* MHD_start_daemon, MHD_get_daemon_info and MHD_get_connection_info are C-variadic and
   cannot be called from Swift. These non-variadic wrappers are the only way in. */
static inline struct MHD_Daemon *
keyhaven_mhd_start(unsigned int flags, uint16_t port,
                   MHD_AcceptPolicyCallback policy, void *policy_cls,
                   MHD_AccessHandlerCallback handler, void *handler_cls,
                   const struct MHD_OptionItem *options)
{
    return MHD_start_daemon(flags, port, policy, policy_cls, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

static inline uint16_t keyhaven_mhd_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/* The peer address of a connection (NULL when unknown). */
static inline const struct sockaddr *keyhaven_mhd_client_sockaddr(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info ? info->client_addr : NULL;
}

/* Writes the peer address of a connection as text ("127.0.0.1", "::1") into out.
   Returns 0 on success, -1 when the address is unknown. */
static inline int keyhaven_mhd_client_address(struct MHD_Connection *connection, char *out, socklen_t out_len)
{
    const struct sockaddr *sa = keyhaven_mhd_client_sockaddr(connection);
    if (sa == NULL) return -1;
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

/* A peer's IP address as 16 bytes in two words (IPv4 as IPv4-mapped IPv6, so one client counts
   once whichever way it arrives). Returns 0, or -1 for another address family. */
static inline int keyhaven_peer_key(const struct sockaddr *sa, uint64_t *high, uint64_t *low)
{
    unsigned char bytes[16] = {0};
    if (sa == NULL) return -1;
    if (sa->sa_family == AF_INET) {
        bytes[10] = 0xff;
        bytes[11] = 0xff;
        memcpy(bytes + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(bytes, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    } else {
        return -1;
    }
    memcpy(high, bytes, 8);
    memcpy(low, bytes + 8, 8);
    return 0;
}

/* Whether an address can be listened on by a socket that does not share its port: 0 if so, else
   the errno of bind (EADDRINUSE when something already listens there). Keyhaven's listeners share
   their port with SO_REUSEPORT, which would otherwise let a second server of the same user join
   silently and take half the connections. */
static inline int keyhaven_probe_listen_address(const struct sockaddr *sa, socklen_t length)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int on = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (sa->sa_family == AF_INET6) (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    int result = bind(fd, sa, length) == 0 ? 0 : errno;
    close(fd);
    return result;
}

/* Lowers the calling thread's scheduling priority (Linux keeps nice values per thread). */
static inline int keyhaven_set_thread_niceness(int niceness)
{
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
}
#endif
