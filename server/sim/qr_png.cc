#include "server/sim/qr_png.h"

#include <png.h>
#include <qrencode.h>

#include <csetjmp>
#include <memory>
#include <vector>

#include "absl/status/status.h"

namespace wxbridge::sim {
namespace {

constexpr int kQuietZoneModules = 4;

// One row of pixels per image line: 0 black, 255 white.
using Bitmap = std::vector<std::vector<png_byte>>;

Bitmap Render(const QRcode &code, int module_pixels) {
  const int side = (code.width + 2 * kQuietZoneModules) * module_pixels;
  Bitmap rows(side, std::vector<png_byte>(side, 255));
  for (int y = 0; y < code.width; ++y) {
    for (int x = 0; x < code.width; ++x) {
      if ((code.data[y * code.width + x] & 1) == 0) continue;  // bit 0: dark module
      for (int dy = 0; dy < module_pixels; ++dy) {
        auto &row = rows[(y + kQuietZoneModules) * module_pixels + dy];
        for (int dx = 0; dx < module_pixels; ++dx) {
          row[(x + kQuietZoneModules) * module_pixels + dx] = 0;
        }
      }
    }
  }
  return rows;
}

void AppendToString(png_structp png, png_bytep bytes, png_size_t length) {
  static_cast<std::string *>(png_get_io_ptr(png))
      ->append(reinterpret_cast<const char *>(bytes), length);
}

// Kept free of objects with destructors: libpng reports errors by longjmp.
bool WritePng(Bitmap &rows, std::string *out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  const auto side = static_cast<png_uint_32>(rows.size());
  png_set_write_fn(png, out, &AppendToString, nullptr);
  png_set_IHDR(png, info, side, side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (auto &row : rows) png_write_row(png, row.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

absl::StatusOr<std::string> QrCodePng(std::string_view text, int module_pixels) {
  if (module_pixels < 1) return absl::InvalidArgumentError("module_pixels must be >= 1");
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (code == nullptr) return absl::InternalError("QR encoding failed");
  Bitmap rows = Render(*code, module_pixels);
  std::string png;
  if (!WritePng(rows, &png)) return absl::InternalError("PNG encoding failed");
  return png;
}

}  // namespace wxbridge::sim
