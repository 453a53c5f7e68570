// Exact 64-bit ids from whatever JSON spelling the gateway uses.
#include "server/protocol/exact_id.h"

#include <string>

#include "gtest/gtest.h"

namespace wxbridge::protocol {
namespace {

TEST(ParseExactIdTest, IntegralSpellings) {
  EXPECT_EQ(ParseExactId("0"), 0u);
  EXPECT_EQ(ParseExactId("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(ParseExactId("123.000"), 123u);
  EXPECT_EQ(ParseExactId("1.23e2"), 123u);
  EXPECT_EQ(ParseExactId("1.23E+2"), 123u);
  EXPECT_EQ(ParseExactId("1230e-1"), 123u);
  EXPECT_EQ(ParseExactId("0e400"), 0u);
  EXPECT_EQ(ParseExactId("0.0e-5"), 0u);
}

TEST(ParseExactIdTest, RefusesWhatIsNotAnId) {
  for (const char* text : {"", "-1", "18446744073709551616", "1.5", "1e-1", "1e20", "1e400", "abc",
                           "1.", ".5", "1e", "1e+", " 1", "1 ", "0x10"}) {
    EXPECT_FALSE(ParseExactId(text).has_value()) << text;
  }
}

TEST(TopLevelValueTextTest, FindsTheKeyAtTheTopOnly) {
  const std::string text =
      R"({"Content":"{\"NewMsgId\":1}","nested":{"NewMsgId":2},"list":[{"NewMsgId":3}],)"
      R"( "NewMsgId" : 9.3e18 , "after":"x"})";
  EXPECT_EQ(TopLevelValueText(text, "NewMsgId"), "9.3e18");
  EXPECT_EQ(TopLevelValueText(text, "after"), "\"x\"");
  EXPECT_FALSE(TopLevelValueText(text, "missing").has_value());
  EXPECT_FALSE(TopLevelValueText("[1]", "a").has_value());
  EXPECT_EQ(TopLevelValueText(R"({"a":1,"a":2})", "a"), "2");
}

TEST(ExactIdFieldTest, EveryJsonSpelling) {
  const auto id = [](const std::string& text) {
    return ExactIdField(Json::parse(text), text, "id");
  };
  EXPECT_EQ(id(R"({"id":9300000000000000001})"), 9300000000000000001u);
  EXPECT_EQ(id(R"({"id":"9300000000000000001"})"), 9300000000000000001u);
  EXPECT_EQ(id(R"({"id":9300000000000000001.0})"), 9300000000000000001u);
  EXPECT_EQ(id(R"({"id":-1})"), std::nullopt);
  EXPECT_EQ(id(R"({"id":true})"), std::nullopt);
  EXPECT_EQ(id(R"({"other":1})"), std::nullopt);
}

}  // namespace
}  // namespace wxbridge::protocol
