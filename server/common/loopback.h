// "Is this host loopback?" decides whether a plaintext or unauthenticated endpoint only
// reaches this machine: the upstream warns about ws:// to other hosts, the gRPC side
// refuses to listen elsewhere without TLS. One definition keeps both sides consistent.
#ifndef WXBRIDGE_SERVER_COMMON_LOOPBACK_H_
#define WXBRIDGE_SERVER_COMMON_LOOPBACK_H_

#include <string_view>

namespace wxbridge {

// True for "localhost" (any case), an IPv4 literal in 127.0.0.0/8, the IPv6 loopback
// "::1" in any spelling (also bracketed, "[::1]"), and IPv4-mapped ::ffff:127.x.x.x.
// `host` carries no port. Other names are not resolved: a name could resolve anywhere,
// so only literals and "localhost" count.
bool IsLoopbackHost(std::string_view host);

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_LOOPBACK_H_
