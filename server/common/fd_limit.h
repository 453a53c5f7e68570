// Open-file limit: every Subscribe client is a socket, and Debian's default soft limit
// (1024) would refuse connections long before memory or CPU run out. Servers raise the
// soft limit to the hard one, as Go's runtime and nginx do.
#ifndef WXBRIDGE_SERVER_COMMON_FD_LIMIT_H_
#define WXBRIDGE_SERVER_COMMON_FD_LIMIT_H_

#include <cstdint>

namespace wxbridge {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force
// (unchanged when it could not be raised), or -1 when it cannot be read.
int64_t RaiseOpenFileLimit();

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_FD_LIMIT_H_
