// The JetStream names of a cluster's event log: valid cluster names, the stream, and one
// subject token per account whatever the account holds.
#include "server/cluster/event_subjects.h"

#include "gtest/gtest.h"

namespace wxbridge::cluster {
namespace {

TEST(EventSubjectsTest, ClusterNamesAreLettersDigitsDashAndUnderscore) {
  EXPECT_TRUE(ValidateClusterName("prod-1_eu").ok());
  EXPECT_FALSE(ValidateClusterName("").ok());
  EXPECT_FALSE(ValidateClusterName("a.b").ok());
  EXPECT_FALSE(ValidateClusterName("a b").ok());
  EXPECT_FALSE(ValidateClusterName("a*").ok());
  EXPECT_FALSE(ValidateClusterName(std::string(65, 'a')).ok());
}

TEST(EventSubjectsTest, TheStreamBindsEverySubjectOfItsCluster) {
  EXPECT_EQ(StreamName("prod"), "WXBRIDGE_prod");
  EXPECT_EQ(StreamSubjects("prod"), "wxbridge.prod.ev.>");
}

TEST(EventSubjectsTest, AnEventsSubjectNamesItsAccountAndKind) {
  EXPECT_EQ(EventSubject("prod", "wxid_a", wxbridge::v1::EVENT_KIND_TEXT),
            "wxbridge.prod.ev.wxid_a.text");
  EXPECT_EQ(EventSubject("prod", "", wxbridge::v1::EVENT_KIND_BRIDGE_STATE),
            "wxbridge.prod.ev._.bridge_state");
}

TEST(EventSubjectsTest, AnAccountIsAlwaysOneToken) {
  EXPECT_EQ(SubjectToken("wx.id *odd>\t\x7f"), "wx_id__odd___");
  EXPECT_EQ(SubjectToken(""), kNoAccountToken);
  EXPECT_EQ(SubjectToken("微信"), "微信");  // UTF-8 is allowed in a token
}

}  // namespace
}  // namespace wxbridge::cluster
