// Base64 and UTF-8 helpers of the codec.
#include "server/protocol/base64.h"

#include <string>

#include "gtest/gtest.h"
#include "server/common/utf8.h"

namespace wxbridge::protocol {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64Test, DecodesPaddedAndUnpadded) {
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64Decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(Base64Decode(""), "");
}

TEST(Base64Test, IgnoresAsciiWhitespace) {
  EXPECT_EQ(Base64Decode(" Zm9v\r\nYmFy\t"), "foobar");
  EXPECT_EQ(Base64Decode("Zg=\n="), "f");
}

TEST(Base64Test, RejectsWhatIsNotBase64) {
  EXPECT_EQ(Base64Decode("Zm9v!"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9v-_"),
            std::nullopt);                     // URL alphabet is not the gateway's
  EXPECT_EQ(Base64Decode("Z"), std::nullopt);  // a lone sextet carries no byte
  EXPECT_EQ(Base64Decode("Zg="),
            std::nullopt);  // padding that does not complete
  EXPECT_EQ(Base64Decode("Zg==Zg=="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zg==="), std::nullopt);
  EXPECT_EQ(Base64Decode("此处为登录二维码"), std::nullopt);
}

TEST(Base64Test, RoundTripsEveryByteAtEveryLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= bytes.size(); ++length) {
    const std::string part = bytes.substr(0, length);
    EXPECT_EQ(Base64Decode(Base64Encode(part)), part) << length;
  }
}

TEST(Utf8Test, AcceptsValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("授权码无效"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));
}

TEST(Utf8Test, RejectsInvalidSequences) {
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xE6\x8E"));  // truncated 授
  EXPECT_FALSE(IsValidUtf8("ok\xFF"));
}

TEST(Utf8Test, SanitizeReplacesEachInvalidSequence) {
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  // A truncated sequence is one replacement; a surrogate is three (no valid
  // prefix).
  EXPECT_EQ(SanitizeUtf8("\xE6\x8E"
                         "x"),
            "\xEF\xBF\xBD"
            "x");
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("授权\xE7"), "授权\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("授权码无效"), "授权码无效");
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8("\xC0\x80\xF5\xFF\xE0\x80")));
}

}  // namespace
}  // namespace wxbridge::protocol
