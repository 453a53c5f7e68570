// A real, scannable QR code rendered as a PNG (libqrencode + libpng), for the
// login walk's status-1 frame.
#ifndef WXBRIDGE_SERVER_SIM_QR_PNG_H_
#define WXBRIDGE_SERVER_SIM_QR_PNG_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wxbridge::sim {

// PNG bytes of a QR code (error correction M) encoding `text`: 8-bit grayscale,
// `module_pixels` per module, a 4-module quiet zone.
absl::StatusOr<std::string> QrCodePng(std::string_view text, int module_pixels = 4);

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_QR_PNG_H_
