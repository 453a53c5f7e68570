// Pushes a test asks for (SamplePush): WeChat events no gateway command causes, shaped as
// the gateway's later documentation writes them, sent through the same frame builders
// and ids as every other push.

#include <string>

#include "absl/strings/str_cat.h"
#include "server/sim/sim_frames.h"
#include "server/sim/sim_ids.h"
#include "server/sim/sim_world.h"
#include "server/sim/sim_xml.h"

namespace wxbridge::sim {
namespace {

std::string Quoted(const std::string &nick) { return absl::StrCat("\"", nick, "\""); }

std::string LocationXml() {
  return "<msg><location x=\"39.908860\" y=\"116.397390\" scale=\"16.0\" "
         "label=\"北京市东城区东长安街\" maptype=\"roadmap\" poiname=\"天安门广场\" "
         "poiid=\"\" /></msg>";
}

std::string FileXml(const std::string &from_wx_id) {
  return absl::StrCat(
      "<msg><appmsg appid=\"\" sdkver=\"0\"><title>季度报告.pdf</title><des></des>"
      "<type>6</type><url></url><appattach><totallen>482137</totallen>"
      "<attachid>@cdn_3057020100044b304902_",
      HexOf(from_wx_id, 32),
      "_1</attachid><fileext>pdf</fileext><cdnattachurl>3057020100044b3049020100</cdnattachurl>"
      "<cdnthumburl>3057020100044b30490201000204",
      HexOf(absl::StrCat(from_wx_id, "#thumb"), 32), "</cdnthumburl><cdnthumbmd5>",
      HexOf(absl::StrCat(from_wx_id, "#md5"), 32),
      "</cdnthumbmd5><cdnthumblength>3855</cdnthumblength><cdnthumbheight>160</cdnthumbheight>"
      "<cdnthumbwidth>120</cdnthumbwidth><cdnthumbaeskey>",
      HexOf(absl::StrCat(from_wx_id, "#aes"), 32), "</cdnthumbaeskey><aeskey>",
      HexOf(absl::StrCat(from_wx_id, "#key"), 32),
      "</aeskey><encryver>1</encryver></appattach></appmsg>"
      "<fromusername>",
      from_wx_id, "</fromusername></msg>");
}

std::string MiniProgramXml(const std::string &from_wx_id) {
  return absl::StrCat(
      "<msg><appmsg appid=\"wxd9a8bc3d1f3e2a7b\" sdkver=\"0\"><title>模拟小程序</title>"
      "<des>点击打开</des><type>33</type><url>https://mp.weixin.qq.com/mp/waerrpage</url>"
      "<sourcedisplayname>模拟小程序</sourcedisplayname><appattach><cdnthumbheight>0"
      "</cdnthumbheight></appattach></appmsg><fromusername>",
      from_wx_id, "</fromusername></msg>");
}

std::string RevokeXml(const std::string &session, uint64_t msg_id, uint64_t new_msg_id,
                      const std::string &nick) {
  return absl::StrCat("<sysmsg type=\"revokemsg\"><revokemsg><session>", session,
                      "</session><msgid>", msg_id, "</msgid><newmsgid>", new_msg_id,
                      "</newmsgid><replacemsg><![CDATA[", Quoted(nick),
                      " 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>");
}

}  // namespace

WorldOutput SimWorld::PushSample(const std::string &account_name, SamplePush sample) {
  WorldOutput out;
  const Account *account = LoggedIn(account_name);
  if (account == nullptr) return out;
  const std::string &self = account->wx_id;
  const std::string friend_id = FriendWxId(self, 0);
  const std::string group_id = SharedGroupWxId();
  Group &group = groups_.at(group_id);
  const std::string owner_nick = NickOf(group.owner);
  const auto push = [&](const ChatMessage &message, const FrameIds &ids) {
    Push(out, account_name, MessageFrame(ids, account_name, message));
  };
  switch (sample) {
    case SamplePush::kLocation:
      push({48, friend_id, self, LocationXml(), absl::StrCat(NickOf(friend_id), " : [位置]"),
            std::nullopt},
           PushIds());
      break;
    case SamplePush::kFile: {
      ChatMessage file{49,
                       friend_id,
                       self,
                       FileXml(friend_id),
                       absl::StrCat(NickOf(friend_id), " : [文件]季度报告.pdf"),
                       std::nullopt};
      file.create_time_in_milliseconds = true;
      push(file, PushIds());
      break;
    }
    case SamplePush::kMiniProgram:
      push({49, friend_id, self, MiniProgramXml(friend_id),
            absl::StrCat(NickOf(friend_id), " : [小程序]模拟小程序"), std::nullopt},
           PushIds());
      break;
    case SamplePush::kRecall: {
      const FrameIds said = PushIds();
      push({1, group_id, self, absl::StrCat(group.owner, ":\n", "这条消息会被撤回"),
            absl::StrCat(owner_nick, " : 这条消息会被撤回"), std::nullopt},
           said);
      const std::string revoke =
          RevokeXml(group_id, said.msg_id.get<uint64_t>(), *said.new_msg_id, owner_nick);
      push({10002, group_id, self, absl::StrCat(group.owner, ":\n", revoke), "", std::nullopt},
           PushIds());
      break;
    }
    case SamplePush::kGroupJoinedByQr:
      push({10000, group_id, self,
            absl::StrCat(Quoted(NickOf(CustomIdPersonWxId())), "通过扫描", Quoted(owner_nick),
                         "分享的二维码加入群聊"),
            "", std::nullopt},
           PushIds());
      break;
    case SamplePush::kGroupRenamed:
      group.name = "新的群";
      push({10000, group_id, self,
            absl::StrCat(Quoted(owner_nick), "修改群名为\u201c", group.name, "\u201d"), "",
            std::nullopt},
           PushIds());
      break;
    case SamplePush::kSelfSentGroupText:
      push({1, self, group_id, "从手机发到群里的消息", "", std::nullopt}, PushIds());
      break;
  }
  return out;
}

}  // namespace wxbridge::sim
