// wxbridge_client's PNG decoding and half-block QR rendering, on tiny generated PNGs.
#include <png.h>

#include <string>
#include <vector>

#include "client/wxclient/png_gray.h"
#include "client/wxclient/qr_render.h"
#include "gtest/gtest.h"

namespace wxbridge::client {
namespace {

// A PNG of `rows` ('#' dark, '.' light), each module `scale` pixels square, encoded in
// `format` (PNG_FORMAT_GRAY, PNG_FORMAT_RGB, …).
std::string MakePng(const std::vector<std::string>& rows, int scale,
                    png_uint_32 format = PNG_FORMAT_GRAY) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(rows[0].size() * scale);
  image.height = static_cast<png_uint_32>(rows.size() * scale);
  image.format = format;
  const int channels = PNG_IMAGE_PIXEL_CHANNELS(format);
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  for (png_uint_32 y = 0; y < image.height; ++y) {
    for (png_uint_32 x = 0; x < image.width; ++x) {
      const bool dark = rows[y / scale][x / scale] == '#';
      for (int c = 0; c < channels; ++c) {
        const bool alpha = (format & PNG_FORMAT_FLAG_ALPHA) != 0 && c == channels - 1;
        pixels[(y * image.width + x) * channels + c] = alpha ? 255 : dark ? 10 : 245;
      }
    }
  }
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_get_memory_size(image, size, 0, pixels.data(), 0, nullptr));
  std::string png(size, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&image, png.data(), &size, 0, pixels.data(), 0, nullptr));
  png.resize(size);
  return png;
}

const std::vector<std::string> kPattern = {
    "#.#",
    "##.",
    "..#",
};

TEST(QrRenderTest, FindsTheModuleSizeAndSamplesEveryModule) {
  absl::StatusOr<GrayImage> image = DecodePngGray(MakePng(kPattern, 4));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->width, 12);
  const ModuleGrid grid = ToModuleGrid(*image);
  ASSERT_EQ(grid.width, 3);
  ASSERT_EQ(grid.height, 3);
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 3; ++x) EXPECT_EQ(grid.at(x, y), kPattern[y][x] == '#') << x << y;
  }
}

TEST(QrRenderTest, DrawsTwoModuleRowsPerLineWithLightModulesAsInk) {
  absl::StatusOr<std::string> art = RenderPngQr(MakePng(kPattern, 3));
  ASSERT_TRUE(art.ok()) << art.status();
  // Rows 1+2, then row 3 over an implied light row.
  EXPECT_EQ(*art,
            " ▀▄\n"
            "██▄\n");
}

TEST(QrRenderTest, DarkInkDrawsTheDarkModulesInstead) {
  absl::StatusOr<std::string> art =
      RenderPngQr(MakePng(kPattern, 3), HalfBlockOptions{/*dark_ink=*/true});
  ASSERT_TRUE(art.ok()) << art.status();
  EXPECT_EQ(*art,
            "█▄▀\n"
            "  ▀\n");
}

TEST(QrRenderTest, ReadsColourPngs) {
  absl::StatusOr<GrayImage> image = DecodePngGray(MakePng(kPattern, 2, PNG_FORMAT_RGBA));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(ToModuleGrid(*image).width, 3);
}

TEST(QrRenderTest, DownscalesAGridTooWideForTheTerminal) {
  // 1-pixel modules, 8 wide: with at most 4 modules, every second pixel is sampled.
  absl::StatusOr<GrayImage> image =
      DecodePngGray(MakePng({"#.#.#.#.", ".#.#.#.#", "#.#.#.#.", ".#.#.#.#"}, 1));
  ASSERT_TRUE(image.ok());
  const ModuleGrid grid = ToModuleGrid(*image, /*max_modules=*/4);
  EXPECT_EQ(grid.width, 4);
  EXPECT_EQ(grid.height, 2);
}

TEST(QrRenderTest, RejectsWhatIsNotAPng) {
  EXPECT_EQ(DecodePngGray("GIF89a").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(RenderPngQr("").ok());
}

}  // namespace
}  // namespace wxbridge::client
