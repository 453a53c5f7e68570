// Defaults that more than one component must agree on, each written once.
#ifndef WXBRIDGE_SERVER_COMMON_LIMITS_H_
#define WXBRIDGE_SERVER_COMMON_LIMITS_H_

#include <chrono>
#include <cstddef>

namespace wxbridge {

// The largest gateway frame either side accepts, and the largest gRPC message (a 10 MB
// image is ~13.4 MB once base64-encoded and framed).
inline constexpr std::size_t kDefaultMaxFrameBytes = std::size_t{32} << 20;
// Request frames waiting for the gateway, in bytes: room for two of the largest frames.
inline constexpr std::size_t kDefaultMaxQueueBytes = 2 * kDefaultMaxFrameBytes;
// The longest deadline a unary call may have; a client asking for more gets this.
inline constexpr std::chrono::milliseconds kDefaultMaxCallTimeout = std::chrono::minutes(5);

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_LIMITS_H_
