#include "server/common/log.h"

#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/json_log_line.h"

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

TEST(JsonLogLineTest, OneObjectOnOneLineWithFieldsAsKeys) {
  EXPECT_EQ(JsonLogLine("2026-01-01T00:00:00.000Z", "info", "audit", "",
                        {{"method", "SendText", false}, {"account", "alice"}}),
            "{\"time\":\"2026-01-01T00:00:00.000Z\",\"level\":\"info\",\"component\":\"audit\","
            "\"message\":\"\",\"method\":\"SendText\",\"account\":\"alice\"}\n");
}

TEST(JsonLogLineTest, QuotesControlCharactersAndBadUtf8CannotBreakTheLine) {
  const std::string line =
      JsonLogLine("t", "info", "c", std::string("a\"b\\c\nd\x01 \xe4\xbd\xa0 \xff\xc3", 15), {});
  EXPECT_THAT(line, HasSubstr("\"message\":\"a\\\"b\\\\c\\nd\\u0001 \xe4\xbd\xa0 "
                              "\xef\xbf\xbd\xef\xbf\xbd\"}"));
}

TEST(LogLineTest, JsonFormatWritesOneObjectPerLine) {
  SetLogLevel(LogLevel::kInfo);
  SetLogFormat(LogFormat::kJson);
  ::testing::internal::CaptureStderr();
  LogLine(LogLevel::kWarning, "gateway", "bad\nframe", {{"seq", "42", false}});
  const std::string out = ::testing::internal::GetCapturedStderr();
  SetLogFormat(LogFormat::kText);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_THAT(out, HasSubstr("\"level\":\"warning\",\"component\":\"gateway\","
                             "\"message\":\"bad\\nframe\",\"seq\":\"42\"}"));
}

TEST(LogFormatTest, ParsesTextAndJsonOnly) {
  LogFormat format = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("json", &format));
  EXPECT_EQ(format, LogFormat::kJson);
  EXPECT_TRUE(ParseLogFormat("text", &format));
  EXPECT_EQ(format, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("JSON", &format));
}

}  // namespace
}  // namespace wxbridge
