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

/* MHD_start_daemon, MHD_get_daemon_info and MHD_get_connection_info are C-variadic and
   cannot be called from Swift. These non-variadic wrappers are the only way in. */
static inline struct MHD_Daemon *
keyhaven_mhd_start(unsigned int flags, uint16_t port,
                   MHD_AccessHandlerCallback handler, void *handler_cls,
                   const struct MHD_OptionItem *options)
{
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

static inline uint16_t keyhaven_mhd_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
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
/* Lowers the calling thread's scheduling priority (Linux keeps nice values per thread). */
static inline int keyhaven_set_thread_niceness(int niceness)
{
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
}
#endif
