#include "server/common/log.h"

#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wxbridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(EscapeControlCharactersTest, PlainTextIsReturnedAsIs) {
  std::string storage;
  const std::string text = "upstream 已连接: ws://127.0.0.1:1/ws";
  EXPECT_EQ(EscapeControlCharacters(text, &storage), text);
  EXPECT_TRUE(storage.empty()) << "no copy for text that needs none";
}

TEST(EscapeControlCharactersTest, EveryControlCharacterIsSpelledOut) {
  std::string storage;
  EXPECT_EQ(EscapeControlCharacters(std::string("a\nb\rc\td\x1b[31m\x7f\0e", 15), &storage),
            "a\\nb\\rc\\td\\x1b[31m\\x7f\\x00e");
}

TEST(LogLineTest, AForgedLineStaysInsideItsOwnLine) {
  SetLogLevel(LogLevel::kInfo);
  ::testing::internal::CaptureStderr();
  LogLine(LogLevel::kWarning, "gateway",
          "unrecognized frame: x\n2026-01-01T00:00:00.000Z ERROR wxbridge: forged");
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_THAT(out, HasSubstr("x\\n2026-01-01T00:00:00.000Z ERROR wxbridge: forged"));
  EXPECT_THAT(out, Not(HasSubstr("\nERROR")));
}

}  // namespace
}  // namespace wxbridge
