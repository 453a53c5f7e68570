// contacts (106), accept-friend (107), add-friend (111), kick (105), invite (108).
#include <string>

#include "absl/strings/str_cat.h"
#include "client/wxctl/subcommand.h"

namespace wxbridge::wxctl {
namespace {

namespace v1 = ::wxbridge::v1;
using Stub = v1::BridgeService::Stub;

// --scene=qq|email|wechat_id|phone (or the gateway's number).
FlagSet::Parser SceneParser(v1::AddFriendRequest* request) {
  return [request](absl::string_view text) {
    v1::AddFriendScene scene = v1::ADD_FRIEND_SCENE_UNSPECIFIED;
    if (text == "qq" || text == "1") scene = v1::ADD_FRIEND_SCENE_QQ;
    if (text == "email" || text == "2") scene = v1::ADD_FRIEND_SCENE_EMAIL;
    if (text == "wechat_id" || text == "wxid" || text == "3") {
      scene = v1::ADD_FRIEND_SCENE_WECHAT_ID;
    }
    if (text == "phone" || text == "15") scene = v1::ADD_FRIEND_SCENE_PHONE;
    if (scene == v1::ADD_FRIEND_SCENE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", text, "\" is not qq, email, wechat_id or phone"));
    }
    request->set_scene(scene);
    return absl::OkStatus();
  };
}

void AddAccount(FlagSet& flags, std::string* account, const char* help) {
  flags.AddString("account", account, help, FlagSet::kRequired, "ID");
}

// kick and invite: who acts, on which group, on whom.
void AddGroupFlags(FlagSet& flags, std::string* account, std::string* group, std::string* user,
                   const char* account_help, const char* user_help) {
  AddAccount(flags, account, account_help);
  flags.AddString("group", group, "…@chatroom id", FlagSet::kRequired, "ID@chatroom");
  flags.AddString("user", user, user_help, FlagSet::kRequired, "WXID");
}

}  // namespace

std::vector<std::unique_ptr<Subcommand>> SocialCommands() {
  std::vector<std::unique_ptr<Subcommand>> commands;
  commands.push_back(MakeUnary<v1::GetContactsRequest, v1::GetContactsResponse>(
      "contacts", "--account=ID --ids=WXID[,WXID…]",
      "Look up contacts and groups (code 106); ids that did not arrive in time are listed "
      "in missingWxIds.",
      &Stub::GetContacts, [](FlagSet& flags, v1::GetContactsRequest& r) {
        AddAccount(flags, r.mutable_account(), "the account whose contacts to read");
        flags.AddList(
            "ids", [&r](std::string id) { r.add_wx_ids(std::move(id)); },
            "wxids and/or …@chatroom ids (repeatable)", FlagSet::kRequired);
      }));
  commands.push_back(MakeUnary<v1::AcceptFriendRequest, v1::AcceptFriendResponse>(
      "accept-friend", "--account=ID --entry_name=V1 --ticket=V2 [--content=TEXT]",
      "Accept a friend request (code 107) with the entryName and ticket of its "
      "friendRequest event.",
      &Stub::AcceptFriend, [](FlagSet& flags, v1::AcceptFriendRequest& r) {
        AddAccount(flags, r.mutable_account(), "the account accepting");
        flags.AddString("entry_name", r.mutable_entry_name(),
                        "friendRequest.entryName (v1_…@stranger)", FlagSet::kRequired);
        flags.AddString("ticket", r.mutable_ticket(), "friendRequest.ticket (v2_…@stranger)",
                        FlagSet::kRequired);
        flags.AddString("content", r.mutable_content(), "verification text");
      }));
  commands.push_back(MakeUnary<v1::AddFriendRequest, v1::AddFriendResponse>(
      "add-friend", "--account=ID --user_key=KEY --scene=qq|email|wechat_id|phone",
      "Send a friend request (code 111).", &Stub::AddFriend,
      [](FlagSet& flags, v1::AddFriendRequest& r) {
        AddAccount(flags, r.mutable_account(), "the account asking");
        flags.AddString("user_key", r.mutable_user_key(), "wxid, phone, email or QQ number",
                        FlagSet::kRequired);
        flags.Add("scene", "qq|email|wechat_id|phone", "how user_key is looked up", SceneParser(&r),
                  FlagSet::kRequired);
        flags.AddString("content", r.mutable_content(), "verification text");
      }));
  commands.push_back(MakeUnary<v1::KickGroupMemberRequest, v1::KickGroupMemberResponse>(
      "kick", "--account=ID --group=ID@chatroom --user=WXID",
      "Remove a member from a group the account owns (code 105).", &Stub::KickGroupMember,
      [](FlagSet& flags, v1::KickGroupMemberRequest& r) {
        AddGroupFlags(flags, r.mutable_account(), r.mutable_group_id(), r.mutable_user_id(),
                      "the group's owner", "the member's wxid");
      }));
  commands.push_back(MakeUnary<v1::InviteToGroupRequest, v1::InviteToGroupResponse>(
      "invite", "--account=ID --group=ID@chatroom --user=WXID",
      "Invite a user into a group (code 108).", &Stub::InviteToGroup,
      [](FlagSet& flags, v1::InviteToGroupRequest& r) {
        AddGroupFlags(flags, r.mutable_account(), r.mutable_group_id(), r.mutable_wx_id(),
                      "the inviting account", "the invitee's wxid");
      }));
  return commands;
}

}  // namespace wxbridge::wxctl
