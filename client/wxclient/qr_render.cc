#include "client/wxclient/qr_render.h"

#include <algorithm>
#include <numeric>

namespace wxbridge::client {
namespace {

constexpr uint8_t kThreshold = 128;

bool IsDark(const GrayImage& image, int x, int y) { return image.at(x, y) < kThreshold; }

// gcd of the lengths of every horizontal and vertical run of one colour.
int RunLengthGcd(const GrayImage& image) {
  int gcd = 0;
  auto scan = [&](int lines, int length, auto dark_at) {
    for (int line = 0; line < lines; ++line) {
      int run = 1;
      for (int i = 1; i <= length; ++i) {
        if (i < length && dark_at(line, i) == dark_at(line, i - 1)) {
          ++run;
        } else {
          gcd = std::gcd(gcd, run);
          run = 1;
        }
      }
    }
  };
  scan(image.height, image.width, [&](int y, int x) { return IsDark(image, x, y); });
  scan(image.width, image.height, [&](int x, int y) { return IsDark(image, x, y); });
  return std::max(gcd, 1);
}

}  // namespace

ModuleGrid ToModuleGrid(const GrayImage& image, int max_modules) {
  ModuleGrid grid;
  if (image.width <= 0 || image.height <= 0) return grid;
  int step = RunLengthGcd(image);
  if (image.width / step > max_modules) {
    step = (image.width + max_modules - 1) / std::max(max_modules, 1);
  }
  grid.width = (image.width + step - 1) / step;
  grid.height = (image.height + step - 1) / step;
  grid.dark.resize(static_cast<std::size_t>(grid.width) * grid.height);
  for (int my = 0; my < grid.height; ++my) {
    for (int mx = 0; mx < grid.width; ++mx) {
      // The module's centre pixel, clamped for a partial last module.
      const int x = std::min(mx * step + step / 2, image.width - 1);
      const int y = std::min(my * step + step / 2, image.height - 1);
      grid.dark[static_cast<std::size_t>(my) * grid.width + mx] = IsDark(image, x, y);
    }
  }
  return grid;
}

std::string RenderHalfBlocks(const ModuleGrid& grid, HalfBlockOptions options) {
  std::string out;
  for (int y = 0; y < grid.height; y += 2) {
    for (int x = 0; x < grid.width; ++x) {
      const bool top_dark = grid.at(x, y);
      const bool bottom_dark = y + 1 < grid.height && grid.at(x, y + 1);
      const bool top = top_dark == options.dark_ink;
      const bool bottom = bottom_dark == options.dark_ink;
      out += top ? (bottom ? "█" : "▀") : (bottom ? "▄" : " ");
    }
    out += '\n';
  }
  return out;
}

absl::StatusOr<std::string> RenderPngQr(std::string_view png, HalfBlockOptions options) {
  absl::StatusOr<GrayImage> image = DecodePngGray(png);
  if (!image.ok()) return image.status();
  return RenderHalfBlocks(ToModuleGrid(*image), options);
}

}  // namespace wxbridge::client
