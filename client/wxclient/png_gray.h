// Decoding a PNG (any colour type or bit depth) to 8-bit grayscale with libpng.
#ifndef WXBRIDGE_CLIENT_WXCLIENT_PNG_GRAY_H_
#define WXBRIDGE_CLIENT_WXCLIENT_PNG_GRAY_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace wxbridge::client {

// Row-major 8-bit luminance: 0 black, 255 white.
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height

  uint8_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

// INVALID_ARGUMENT when `png` is not a PNG libpng can read. Transparent pixels are
// composited onto white (QR images are dark on light).
absl::StatusOr<GrayImage> DecodePngGray(std::string_view png);

}  // namespace wxbridge::client

#endif  // WXBRIDGE_CLIENT_WXCLIENT_PNG_GRAY_H_
