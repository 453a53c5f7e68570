// ReadGroupNoticeText: who did what in a group, from the notice texts WeChat writes.
#include "server/protocol/group_notice_text.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::GroupChange Read(const std::string& text) {
  v1::GroupChange change;
  ReadGroupNoticeText(text, &change);
  return change;
}

TEST(GroupNoticeTextTest, TheAccountRemovesAMember) {
  const v1::GroupChange change = Read("你将\"柚子\"移出了群聊");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_REMOVED);
  EXPECT_TRUE(change.actor_is_self());
  EXPECT_EQ(change.actor_name(), "");
  EXPECT_THAT(change.member_names(), ElementsAre("柚子"));
  EXPECT_FALSE(change.members_include_self());
}

TEST(GroupNoticeTextTest, SomeoneElseRemovesSeveral) {
  const v1::GroupChange change = Read("\"管理员\"将\"柚子\"、\"橙子\"移出了群聊");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_REMOVED);
  EXPECT_EQ(change.actor_name(), "管理员");
  EXPECT_FALSE(change.actor_is_self());
  EXPECT_THAT(change.member_names(), ElementsAre("柚子", "橙子"));
}

TEST(GroupNoticeTextTest, TheAccountIsRemoved) {
  const v1::GroupChange change = Read("你被\"管理员\"移出群聊");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_REMOVED);
  EXPECT_EQ(change.actor_name(), "管理员");
  EXPECT_TRUE(change.members_include_self());
  EXPECT_THAT(change.member_names(), IsEmpty());
}

TEST(GroupNoticeTextTest, InviterApartFromTheInvited) {
  const v1::GroupChange change = Read("\"管理员\"邀请你和\"柚子\"加入了群聊");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_INVITED);
  EXPECT_EQ(change.actor_name(), "管理员");
  EXPECT_THAT(change.member_names(), ElementsAre("柚子"));
  EXPECT_TRUE(change.members_include_self());

  const v1::GroupChange own = Read("你邀请\"柚子\"加入了群聊");
  EXPECT_TRUE(own.actor_is_self());
  EXPECT_THAT(own.member_names(), ElementsAre("柚子"));
  EXPECT_FALSE(own.members_include_self());
}

TEST(GroupNoticeTextTest, JoinedByAScannedQrCode) {
  const v1::GroupChange change = Read("\"柚子\"通过扫描\"管理员\"分享的二维码加入群聊");
  EXPECT_EQ(change.kind(), v1::GROUP_CHANGE_KIND_JOINED);
  EXPECT_THAT(change.member_names(), ElementsAre("柚子"));
  EXPECT_EQ(change.actor_name(), "管理员");
  EXPECT_EQ(Read("\"柚子\"加入了群聊").kind(), v1::GROUP_CHANGE_KIND_JOINED);
}

TEST(GroupNoticeTextTest, LeftAndRenamedAndRecalled) {
  const v1::GroupChange left = Read("\"柚子\"退出了群聊");
  EXPECT_EQ(left.kind(), v1::GROUP_CHANGE_KIND_LEFT);
  EXPECT_THAT(left.member_names(), ElementsAre("柚子"));

  const v1::GroupChange renamed = Read("\"管理员\"修改群名为\u201c新的群\u201d");
  EXPECT_EQ(renamed.kind(), v1::GROUP_CHANGE_KIND_RENAMED);
  EXPECT_EQ(renamed.actor_name(), "管理员");
  EXPECT_EQ(renamed.new_name(), "新的群");
  EXPECT_TRUE(Read("你修改群名为\u201c新的群\u201d").actor_is_self());

  const v1::GroupChange recalled = Read("\"柚子\" 撤回了一条消息");
  EXPECT_EQ(recalled.kind(), v1::GROUP_CHANGE_KIND_MESSAGE_REVOKED);
  EXPECT_EQ(recalled.actor_name(), "柚子");
  EXPECT_TRUE(Read("你撤回了一条消息").actor_is_self());
}

TEST(GroupNoticeTextTest, EnglishWording) {
  const v1::GroupChange removed = Read("You removed \"Pomelo\" from the group chat");
  EXPECT_EQ(removed.kind(), v1::GROUP_CHANGE_KIND_REMOVED);
  EXPECT_TRUE(removed.actor_is_self());
  EXPECT_THAT(removed.member_names(), ElementsAre("Pomelo"));

  const v1::GroupChange invited = Read("\"Admin\" invited you and \"Pomelo\" to the group chat");
  EXPECT_EQ(invited.kind(), v1::GROUP_CHANGE_KIND_INVITED);
  EXPECT_EQ(invited.actor_name(), "Admin");
  EXPECT_THAT(invited.member_names(), ElementsAre("Pomelo"));
  EXPECT_TRUE(invited.members_include_self());

  const v1::GroupChange renamed = Read("\"Admin\" changed the group name to \"New\"");
  EXPECT_EQ(renamed.kind(), v1::GROUP_CHANGE_KIND_RENAMED);
  EXPECT_EQ(renamed.new_name(), "New");
}

TEST(GroupNoticeTextTest, AnythingElseIsOtherAndNamesNobody) {
  for (const char* text : {"群公告已更新", "", "\"", "\u201c", "将移出", "邀请"}) {
    const v1::GroupChange change = Read(text);
    if (change.kind() == v1::GROUP_CHANGE_KIND_OTHER) {
      EXPECT_THAT(change.member_names(), IsEmpty()) << text;
      EXPECT_EQ(change.actor_name(), "") << text;
    }
  }
  EXPECT_EQ(Read("群公告已更新").kind(), v1::GROUP_CHANGE_KIND_OTHER);
  // Unterminated quotes do not crash or run past the text.
  EXPECT_EQ(Read("\"柚子移出了群聊").kind(), v1::GROUP_CHANGE_KIND_REMOVED);
}

}  // namespace
}  // namespace wxbridge::protocol
