// A QR code image drawn in a terminal with Unicode half blocks (▀ ▄ █): one character
// cell per module horizontally, two modules per cell vertically, so the code keeps its
// square shape in a terminal font.
#ifndef WXBRIDGE_CLIENT_WXCLIENT_QR_RENDER_H_
#define WXBRIDGE_CLIENT_WXCLIENT_QR_RENDER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/wxclient/png_gray.h"

namespace wxbridge::client {

// The code's modules, row-major; true = dark.
struct ModuleGrid {
  int width = 0;
  int height = 0;
  std::vector<bool> dark;

  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * width + x]; }
};

// Thresholds `image` at mid-gray and samples one pixel per module. A QR image is drawn
// on an integer pixel grid, so the module size is the greatest common divisor of the
// lengths of all same-colour runs; when that grid would be wider than `max_modules`
// (a blurred or scaled image), the image is instead downscaled by the smallest integer
// factor that fits.
ModuleGrid ToModuleGrid(const GrayImage& image, int max_modules = 120);

struct HalfBlockOptions {
  // Draw dark modules with ink. Off by default: most terminals are light text on a dark
  // background, so inking the light modules shows dark-on-light, which phones scan.
  bool dark_ink = false;
};

// Lines of ▀ ▄ █ and spaces, each ending in '\n'. An odd last row is paired with a light
// row.
std::string RenderHalfBlocks(const ModuleGrid& grid, HalfBlockOptions options = {});

// DecodePngGray, ToModuleGrid and RenderHalfBlocks in one step.
absl::StatusOr<std::string> RenderPngQr(std::string_view png, HalfBlockOptions options = {});

}  // namespace wxbridge::client

#endif  // WXBRIDGE_CLIENT_WXCLIENT_QR_RENDER_H_
