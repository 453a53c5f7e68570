// The authKey never survives into an event: every occurrence, in every form a gateway may
// write it, becomes the marker, and a frame without it is passed through untouched.
#include "server/protocol/secret_scrubber.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/protocol/frame_decoder.h"

namespace wxbridge::protocol {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SecretScrubberTest, AFrameWithoutTheSecretIsReturnedAsItIs) {
  const SecretScrubber scrubber("k3y-abc");
  const std::string frame = R"({"code":103,"authKey":"other"})";
  std::string storage;
  const std::string_view out = scrubber.Scrub(frame, &storage);
  EXPECT_EQ(out.data(), frame.data()) << "copied although nothing was scrubbed";
  EXPECT_TRUE(storage.empty());
}

TEST(SecretScrubberTest, AnEmptySecretScrubsNothing) {
  const SecretScrubber scrubber("");
  std::string storage;
  EXPECT_EQ(scrubber.Scrub(R"({"authKey":""})", &storage), R"({"authKey":""})");
}

TEST(SecretScrubberTest, EveryOccurrenceIsReplacedAndTheFrameStillDecodes) {
  const SecretScrubber scrubber("k3y-abc");
  const std::string frame =
      R"({"code":103,"authKey":"k3y-abc","msgId":"m1","data":{"content":"xk3y-abck3y-abc"}})";
  std::string storage;
  const std::string out(scrubber.Scrub(frame, &storage));
  EXPECT_EQ(
      out,
      R"({"code":103,"authKey":"[authKey]","msgId":"m1","data":{"content":"x[authKey][authKey]"}})");
  // Still JSON: the marker only ever replaces text inside a string.
  const v1::Event event = DecodeFrame(out);
  EXPECT_NE(event.unrecognized().reason(), v1::UNRECOGNIZED_REASON_INVALID_JSON);
  EXPECT_EQ(event.raw_json(), out);
}

TEST(SecretScrubberTest, JsonEscapedFormsAreFoundToo) {
  const std::string secret = "a\"b\\c/d\xE5\xAF\x86";  // quote, backslash, slash, 密
  const SecretScrubber scrubber(secret);
  for (const std::string& written : {
           std::string("a\\\"b\\\\c/d\xE5\xAF\x86"),  // escaped as our frames carry it
           std::string("a\\\"b\\\\c/d\\u5bc6"),       // non-ASCII as \uXXXX
           std::string("a\\\"b\\\\c\\/d\\u5bc6"),     // and / as \/
           secret,                                    // verbatim
       }) {
    const std::string frame = R"({"authKey":")" + written + R"(","x":1})";
    std::string storage;
    const std::string out(scrubber.Scrub(frame, &storage));
    EXPECT_EQ(out, R"({"authKey":"[authKey]","x":1})") << written;
  }
}

TEST(SecretScrubberTest, BinaryBytesAreScrubbedLikeText) {
  const SecretScrubber scrubber("k3y");
  std::string frame("\x00\x01k3y\xff", 6);
  std::string storage;
  EXPECT_THAT(std::string(scrubber.Scrub(frame, &storage)),
              ::testing::AllOf(HasSubstr("[authKey]"), Not(HasSubstr("k3y"))));
}

}  // namespace
}  // namespace wxbridge::protocol
