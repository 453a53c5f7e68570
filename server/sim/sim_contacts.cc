#include "server/sim/sim_contacts.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "server/sim/sim_ids.h"

namespace wxbridge::sim {
namespace {

constexpr std::array<const char *, 8> kFriendNames = {"莹莹", "姣姣", "静静", "柚子",
                                                      "小明", "阿杰", "晓雪", "大伟"};

// Shaped like the document's sample: verification and menu data as a JSON
// string.
constexpr const char *kOfficialExtInfo =
    R"({"IsShowHeadImgInMsg":"1","IsHideInputToolbarInMsg":"0","IsAgreeProtocol":"1",)"
    R"("RoleId":"1","InteractiveMode":"2","VerifySource":{"Description":"模拟网络科技有限公司",)"
    R"("IntroUrl":"http:\/\/mp.weixin.qq.com\/mp\/getverifyinfo?__biz=MzIyMDY5MDc0MQ==",)"
    R"("Type":0,"VerifyBizType":1},"MMBizMenu":{"uin":3220690741,"interactive_mode":2,)"
    R"("update_time":1500356528,"button_list":[{"id":429187548,"type":1,"name":"大礼包",)"
    R"("key":"rselfmenu_0","value":"","sub_button_list":[],"native_url":""}],)"
    R"("version":429187548},"ScanQRCodeType":1,"IsTrademarkProtection":0})";

}  // namespace

ContactRecord PersonContact(const std::string &wx_id, const std::string &nick_name) {
  ContactRecord record;
  record.user_name = wx_id;
  record.nick_name = nick_name;
  record.sex = static_cast<int>(StableHash(wx_id) % 3);
  record.verify_flag = 1;
  return record;
}

ContactRecord SimulatedFriend(const std::string &owner_wx_id, int n) {
  ContactRecord record = PersonContact(
      FriendWxId(owner_wx_id, n),
      absl::StrCat(kFriendNames[n % kFriendNames.size()], n / kFriendNames.size() + 1));
  record.remark = absl::StrCat("remark-", n);
  record.province = "Henan";
  record.city = "Luoyang";
  return record;
}

ContactRecord CustomIdPerson() {
  ContactRecord record = PersonContact(CustomIdPersonWxId(), "李佳芮");
  record.alias = "ruirui_0914";
  record.province = "Beijing";
  record.city = "Haidian";
  record.signature = "一个习惯走夜路的姑娘";
  record.sex = 2;
  return record;
}

ContactRecord OfficialAccount() {
  ContactRecord record = PersonContact(OfficialAccountWxId(), "掌上英语共学");
  record.alias = "ienglishmba";
  record.province = "Shandong";
  record.city = "Yantai";
  record.signature = "每天一节课，提升英语学习水平";
  record.ext_info = kOfficialExtInfo;
  record.sex = 0;
  return record;
}

ContactRecord SpecialAccount() {
  ContactRecord record = PersonContact(SpecialAccountWxId(), "语音记事本");
  record.sex = 0;
  return record;
}

ContactRecord SharedGroupOwner() { return PersonContact(SharedGroupOwnerWxId(), "群管理员"); }

ContactRecord GroupContact(const std::string &group_id, const std::string &name,
                           const std::string &owner_wx_id) {
  ContactRecord record;
  record.user_name = group_id;
  record.nick_name = name;
  record.chat_room_owner = owner_wx_id;
  record.chatroom_version = 700000001;
  return record;
}

}  // namespace wxbridge::sim
