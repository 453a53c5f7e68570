#include "server/cluster/lease_value.h"

#include <gtest/gtest.h>

namespace wxbridge {
namespace {

TEST(LeaseValueTest, RoundTripsHolderExpiryAndTerm) {
  LeaseValue value{"host-42-00ff", 1767225600123, 7};
  absl::StatusOr<LeaseValue> decoded = DecodeLeaseValue(EncodeLeaseValue(value));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, value);
}

TEST(LeaseValueTest, EncodesOneCompactJsonObject) {
  EXPECT_EQ(EncodeLeaseValue({"a", 5, 2}), R"({"expiry_ms":5,"holder":"a","term":2})");
}

TEST(LeaseValueTest, ReleasedValueHasNoHolderAndIsFree) {
  LeaseValue released{"", 1000, 3};
  absl::StatusOr<LeaseValue> decoded = DecodeLeaseValue(EncodeLeaseValue(released));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->FreeAt(0));
}

TEST(LeaseValueTest, FreeFromItsExpiryOn) {
  LeaseValue held{"a", 1000, 1};
  EXPECT_FALSE(held.FreeAt(999));
  EXPECT_TRUE(held.FreeAt(1000));
  EXPECT_TRUE(held.FreeAt(2000));
}

TEST(LeaseValueTest, HolderIdWithQuotesAndUnicodeSurvives) {
  LeaseValue value{"h\"o\\st-ü-1", 1, 1};
  absl::StatusOr<LeaseValue> decoded = DecodeLeaseValue(EncodeLeaseValue(value));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->holder, value.holder);
}

TEST(LeaseValueTest, RejectsWhatIsNotALeaseValue) {
  for (const char* text :
       {"", "not json", "[]", "{}", R"({"holder":1,"expiry_ms":1,"term":1})",
        R"({"holder":"a","expiry_ms":"1","term":1})", R"({"holder":"a","expiry_ms":1.5,"term":1})",
        R"({"holder":"a","expiry_ms":1,"term":-1})", R"({"holder":"a","expiry_ms":1})"}) {
    absl::StatusOr<LeaseValue> decoded = DecodeLeaseValue(text);
    EXPECT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace wxbridge
