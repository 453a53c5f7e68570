// Groups (kick 105, invite 108), contact look-ups (106) and friendship (111 ->
// 37 -> 107).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/sim/sim_ids.h"
#include "server/sim/sim_world.h"
#include "server/sim/sim_xml.h"

namespace wxbridge::sim {
namespace {

std::string Quoted(const std::string &nick) { return absl::StrCat("\"", nick, "\""); }

bool IsValidScene(int64_t scene) { return scene == 1 || scene == 2 || scene == 3 || scene == 15; }

}  // namespace

void SimWorld::PushGroupNotice(WorldOutput &out, const std::string &group_id,
                               const std::string &member_account, const std::string &text) {
  // MsgType 10000, as the gateway's later documentation lists these texts.
  ChatMessage notice{10000, group_id, accounts_.at(member_account).wx_id, text, "", std::nullopt};
  Push(out, member_account, MessageFrame(PushIds(), member_account, notice));
}

void SimWorld::Kick(Command &cmd) {
  Account *caller = RequireLoggedIn(cmd);
  if (caller == nullptr) return;
  const std::string group_id = cmd.request.Field("groupId");
  const std::string user = cmd.request.Field("userId");
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return Fail(cmd, "群不存在");
  Group &group = it->second;
  if (group.owner != caller->wx_id) return Fail(cmd, "只有群主才能移除群成员");
  if (!group.Has(user)) return Fail(cmd, "该用户不在群聊中");
  if (user == group.owner) return Fail(cmd, "群主不能移除自己");
  const auto notified = LoggedInMembers(group);  // the removed member hears it too
  group.members.erase(std::remove(group.members.begin(), group.members.end(), user),
                      group.members.end());
  Ack(cmd);
  const std::string owner = Quoted(NickOf(group.owner));
  const std::string removed = Quoted(NickOf(user));
  for (const auto &[account, wx_id] : notified) {
    std::string text = wx_id == group.owner ? absl::StrCat("你将", removed, "移出了群聊")
                       : wx_id == user      ? absl::StrCat("你被", owner, "移出群聊")
                                       : absl::StrCat(owner, "将", removed, "移出了群聊");
    PushGroupNotice(cmd.out, group_id, account, text);
  }
}

void SimWorld::Invite(Command &cmd) {
  Account *caller = RequireLoggedIn(cmd);
  if (caller == nullptr) return;
  const std::string group_id = cmd.request.Field("groupId");
  const std::string invitee = cmd.request.Field("wxId");
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return Fail(cmd, "群不存在");
  Group &group = it->second;
  if (!group.Has(caller->wx_id)) return Fail(cmd, "你不在该群聊中");
  if (invitee.empty()) return Fail(cmd, "wxId is required");
  if (group.Has(invitee)) return Fail(cmd, "该用户已在群聊中");
  group.members.push_back(invitee);
  Ack(cmd);
  const std::string inviter = Quoted(NickOf(caller->wx_id));
  const std::string joined = Quoted(NickOf(invitee));
  for (const auto &[account, wx_id] : LoggedInMembers(group)) {
    std::string text = wx_id == caller->wx_id ? absl::StrCat("你邀请", joined, "加入了群聊")
                       : wx_id == invitee     ? absl::StrCat(inviter, "邀请你加入了群聊")
                                          : absl::StrCat(inviter, "邀请", joined, "加入了群聊");
    PushGroupNotice(cmd.out, group_id, account, text);
  }
}

void SimWorld::GetContacts(Command &cmd) {
  Account *caller = RequireLoggedIn(cmd);
  if (caller == nullptr) return;
  const std::string account = cmd.request.account();
  for (absl::string_view piece : absl::StrSplit(cmd.request.Field("wxIds"), ',')) {
    const std::string id(absl::StripAsciiWhitespace(piece));
    if (id.empty()) continue;
    if (id == caller->wx_id) {
      Reply(cmd, SelfContactFrame(ReplyIds(cmd.request), account, AccountContact(account)));
    } else if (std::optional<ContactRecord> contact = FindContact(id)) {
      Reply(cmd, ContactFrame(ReplyIds(cmd.request), account, *contact));
    }  // unknown ids get nothing: the caller reports them missing
  }
}

void SimWorld::AddFriend(Command &cmd) {
  Account *sender = RequireLoggedIn(cmd);
  if (sender == nullptr) return;
  const std::string user_key = cmd.request.Field("userKey");
  if (user_key.empty()) return Fail(cmd, "userKey is required");
  const std::optional<int64_t> scene = cmd.request.IntField("scene");
  if (!scene || !IsValidScene(*scene)) return Fail(cmd, "invalid scene: 1, 2, 3 or 15");
  // userKey may be a wxid or, for phone-number accounts, the account name
  // itself.
  const std::string *target = LoggedInAccountByWxId(user_key);
  if (target == nullptr && LoggedIn(user_key) != nullptr) target = &accounts_.find(user_key)->first;
  const std::string sender_name = cmd.request.account();
  if (target != nullptr && *target == sender_name) return Fail(cmd, "不能添加自己为好友");
  Ack(cmd);
  if (target == nullptr) return;  // someone outside the world: nothing comes back

  FriendRequestInfo info;
  info.from_wx_id = sender->wx_id;
  info.from_nick_name = NickOf(sender->wx_id);
  info.encrypt_user_name = absl::StrCat("v1_", HexOf(sender->wx_id, 64), "@stranger");
  info.ticket = absl::StrCat("v2_", HexOf(absl::StrCat(sender->wx_id, "#", ++friend_requests_), 96),
                             "@stranger");
  info.content = cmd.request.Field("content");
  info.scene = static_cast<int>(*scene);
  const ContactRecord profile = AccountContact(sender_name);
  info.alias = profile.alias;
  info.sex = profile.sex;
  info.province = profile.province;
  info.city = profile.city;
  info.signature = profile.signature;
  info.big_head_img_url = HeadImgUrl(sender->wx_id, 132);
  info.small_head_img_url = HeadImgUrl(sender->wx_id, 0);
  Account &receiver = accounts_.at(*target);
  auto &requests = receiver.requests;
  requests.erase(
      std::remove_if(requests.begin(), requests.end(),
                     [&](const FriendRequest &r) { return r.from_account == sender_name; }),
      requests.end());  // a repeated request replaces the earlier one
  requests.push_back({sender_name, info.encrypt_user_name, info.ticket});
  ChatMessage push{37,
                   "fmessage",
                   receiver.wx_id,
                   FriendRequestXml(info),
                   absl::StrCat(info.from_nick_name, "请求添加你为朋友"),
                   std::nullopt};
  Push(cmd.out, *target, MessageFrame(PushIds(), *target, push));
}

void SimWorld::AcceptFriend(Command &cmd) {
  Account *acceptor = RequireLoggedIn(cmd);
  if (acceptor == nullptr) return;
  const std::string entry_name = cmd.request.Field("entryName");
  const std::string ticket = cmd.request.Field("ticket");
  auto &requests = acceptor->requests;
  auto it = std::find_if(requests.begin(), requests.end(), [&](const FriendRequest &r) {
    return r.encrypt_user_name == entry_name && r.ticket == ticket;
  });
  if (it == requests.end()) return Fail(cmd, "好友请求已失效");
  const std::string requester = it->from_account;
  requests.erase(it);
  Account &from = accounts_.at(requester);
  acceptor->added_friends.insert(from.wx_id);
  from.added_friends.insert(acceptor->wx_id);
  Ack(cmd);

  const std::string acceptor_name = cmd.request.account();
  Push(cmd.out, requester, ContactFrame(PushIds(), requester, AccountContact(acceptor_name)));
  ChatMessage notice{
      10000,      acceptor->wx_id,
      from.wx_id, absl::StrCat("你已添加了", NickOf(acceptor->wx_id), "，现在可以开始聊天了。"),
      "",         std::nullopt};
  Push(cmd.out, requester, MessageFrame(PushIds(), requester, notice));
  Push(cmd.out, acceptor_name, ContactFrame(PushIds(), acceptor_name, AccountContact(requester)));
}

}  // namespace wxbridge::sim
