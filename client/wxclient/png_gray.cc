#include "client/wxclient/png_gray.h"

#include <png.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::client {

absl::StatusOr<GrayImage> DecodePngGray(std::string_view png) {
  // libpng's "simplified API" converts every format and needs no setjmp.
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) {
    return absl::InvalidArgumentError(absl::StrCat("not a readable PNG: ", image.message));
  }
  image.format = PNG_FORMAT_GRAY;
  GrayImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  png_color white{255, 255, 255};
  if (!png_image_finish_read(&image, &white, out.pixels.data(), 0, nullptr)) {
    const std::string message = image.message;
    png_image_free(&image);
    return absl::InvalidArgumentError(absl::StrCat("cannot decode the PNG: ", message));
  }
  return out;
}

}  // namespace wxbridge::client
