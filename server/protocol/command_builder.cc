#include "server/protocol/command_builder.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/protocol/base64.h"
#include "server/protocol/frame_decoder.h"
#include "server/protocol/json_fields.h"
#include "server/protocol/json_writer.h"
#include "server/protocol/utf8.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;

// protobuf C++ does not always reject invalid UTF-8 in string fields; the
// gateway must never receive it.
absl::Status Utf8(absl::string_view field, const std::string& value) {
  if (IsValidUtf8(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8"));
}

absl::Status Required(absl::string_view field, const std::string& value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return Utf8(field, value);
}

// Runs every check (cheap) and builds the command only when all pass.
template <typename Make>
absl::StatusOr<Command> BuildIfValid(std::initializer_list<absl::Status> checks, Make make) {
  for (const absl::Status& check : checks) {
    if (!check.ok()) return check;
  }
  return make();
}

constexpr std::size_t kFixedFieldsSize = 256;

// A typed command: data starts with the account, as in every document sample.
class TypedCommand {
 public:
  // payload_size: the bulk of the data (text, image), to size the buffer once.
  TypedCommand(int code, const std::string& account, std::size_t payload_size = 0)
      : data_(payload_size + kFixedFieldsSize) {
    command_.code = code;
    command_.account = account;
    data_.String("account", account);
  }
  TypedCommand& String(std::string_view key, std::string_view value) {
    data_.String(key, value);
    return *this;
  }
  TypedCommand& Number(std::string_view key, int64_t value) {
    data_.Number(key, value);
    return *this;
  }
  // What correlation by effect needs (see Command).
  TypedCommand& GroupId(const std::string& group_id) {
    command_.group_id = group_id;
    return *this;
  }
  TypedCommand& WxIds(std::vector<std::string> wx_ids) {
    command_.wx_ids = std::move(wx_ids);
    return *this;
  }
  // Spends the builder.
  Command Finish() {
    command_.data_json = std::move(data_).Finish();
    return std::move(command_);
  }

 private:
  Command command_;
  JsonObjectWriter data_;
};

absl::Status CheckWxIds(const google::protobuf::RepeatedPtrField<std::string>& wx_ids) {
  if (wx_ids.empty()) return absl::InvalidArgumentError("wx_ids is required");
  for (int i = 0; i < wx_ids.size(); ++i) {
    const std::string field = absl::StrCat("wx_ids[", i, "]");
    if (wx_ids[i].empty()) {
      return absl::InvalidArgumentError(field + " is empty");
    }
    if (wx_ids[i].find(',') != std::string::npos) {
      return absl::InvalidArgumentError(field + " contains a comma");
    }
    if (absl::Status status = Utf8(field, wx_ids[i]); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

bool IsKnownScene(v1::AddFriendScene scene) {
  return scene == v1::ADD_FRIEND_SCENE_QQ || scene == v1::ADD_FRIEND_SCENE_EMAIL ||
         scene == v1::ADD_FRIEND_SCENE_WECHAT_ID || scene == v1::ADD_FRIEND_SCENE_PHONE;
}

// data.wxIds of a raw 106: a comma-joined string, or (leniently) an array.
std::vector<std::string> SplitWxIds(const Json& wx_ids) {
  std::vector<std::string> ids;
  const auto add = [&ids](absl::string_view id) {
    id = absl::StripAsciiWhitespace(id);
    if (!id.empty()) ids.emplace_back(id);
  };
  if (wx_ids.is_array()) {
    for (const Json& id : wx_ids) add(AsText(id));
  } else {
    for (absl::string_view id : absl::StrSplit(AsText(wx_ids), ',')) add(id);
  }
  return ids;
}

}  // namespace

absl::StatusOr<Command> BuildCommand(const v1::LoginRequest& request) {
  return BuildIfValid({Required("account", request.account())},
                      [&] { return TypedCommand(kLogin, request.account()).Finish(); });
}

absl::StatusOr<Command> BuildCommand(const v1::LogoutRequest& request) {
  return BuildIfValid({Required("account", request.account())},
                      [&] { return TypedCommand(kLogout, request.account()).Finish(); });
}

absl::StatusOr<Command> BuildCommand(const v1::SendTextRequest& request) {
  return BuildIfValid(
      {Required("account", request.account()), Required("to_user_name", request.to_user_name()),
       Required("content", request.content())},
      [&] {
        return TypedCommand(kSendText, request.account(), request.content().size())
            .String("toUserName", request.to_user_name())
            .String("content", request.content())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::SendLinkRequest& request) {
  const v1::LinkThumbnail& thumbnail = request.thumbnail();
  // The document writes the thumbnail's numbers as strings ("3855"); all five
  // keys are always present, empty when there is no thumbnail.
  const bool has_thumbnail = request.has_thumbnail();
  return BuildIfValid(
      {Required("account", request.account()), Required("to_user_name", request.to_user_name()),
       Required("title", request.title()), Utf8("description", request.description()),
       Required("url", request.url()), Utf8("thumbnail.cdn_url", thumbnail.cdn_url()),
       Utf8("thumbnail.md5", thumbnail.md5()), Utf8("thumbnail.aes_key", thumbnail.aes_key())},
      [&] {
        return TypedCommand(kSendLink, request.account())
            .String("toUserName", request.to_user_name())
            .String("title", request.title())
            .String("des", request.description())
            .String("url", request.url())
            .String("cdnthumburl", thumbnail.cdn_url())
            .String("cdnthumbmd5", thumbnail.md5())
            .String("cdnthumblength", has_thumbnail ? absl::StrCat(thumbnail.length()) : "")
            .String("cdnthumbheight", has_thumbnail ? absl::StrCat(thumbnail.height()) : "")
            .String("cdnthumbaeskey", thumbnail.aes_key())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::KickGroupMemberRequest& request) {
  return BuildIfValid(
      {Required("account", request.account()), Required("group_id", request.group_id()),
       Required("user_id", request.user_id())},
      [&] {
        return TypedCommand(kKickGroupMember, request.account())
            .String("userId", request.user_id())
            .String("groupId", request.group_id())
            .GroupId(request.group_id())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::GetContactsRequest& request) {
  return BuildIfValid({Required("account", request.account()), CheckWxIds(request.wx_ids())}, [&] {
    return TypedCommand(kGetContacts, request.account())
        .String("wxIds", absl::StrJoin(request.wx_ids(), ","))
        .WxIds({request.wx_ids().begin(), request.wx_ids().end()})
        .Finish();
  });
}

absl::StatusOr<Command> BuildCommand(const v1::AcceptFriendRequest& request) {
  return BuildIfValid(
      {Required("account", request.account()), Required("entry_name", request.entry_name()),
       Required("ticket", request.ticket()), Utf8("content", request.content())},
      [&] {
        return TypedCommand(kAcceptFriend, request.account())
            .String("entryName", request.entry_name())
            .String("ticket", request.ticket())
            .String("content", request.content())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::InviteToGroupRequest& request) {
  return BuildIfValid(
      {Required("account", request.account()), Required("group_id", request.group_id()),
       Required("wx_id", request.wx_id())},
      [&] {
        return TypedCommand(kInviteToGroup, request.account())
            .String("groupId", request.group_id())
            .String("wxId", request.wx_id())
            .GroupId(request.group_id())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::SendImageRequest& request) {
  return BuildIfValid(
      {Required("account", request.account()), Required("to_user_name", request.to_user_name()),
       request.image().empty() ? absl::InvalidArgumentError("image is empty") : absl::OkStatus()},
      [&] {
        const std::string image = Base64Encode(request.image());
        return TypedCommand(kSendImage, request.account(), image.size())
            .String("imgBuff", image)
            .String("toUserWxId", request.to_user_name())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::AddFriendRequest& request) {
  return BuildIfValid(
      {Required("account", request.account()), Required("user_key", request.user_key()),
       Utf8("content", request.content()),
       IsKnownScene(request.scene())
           ? absl::OkStatus()
           : absl::InvalidArgumentError("scene must be one of QQ, EMAIL, WECHAT_ID, PHONE")},
      [&] {
        return TypedCommand(kAddFriend, request.account())
            .String("userKey", request.user_key())
            .String("content", request.content())
            .Number("scene", request.scene())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::SendRawRequest& request) {
  if (request.code() <= 0) return absl::InvalidArgumentError("code must be positive");
  if (absl::Status status = Utf8("data_json", request.data_json()); !status.ok()) {
    return status;
  }
  Command command;
  command.code = request.code();
  if (request.data_json().empty()) {
    command.data_json = "{}";
    return command;
  }
  ParsedJson data = ParseJson(request.data_json(), DecodeLimits{}.max_depth);
  if (data.error != ParsedJson::Error::kNone) {
    return absl::InvalidArgumentError(
        absl::StrCat("data_json is not a JSON object: ", data.detail));
  }
  if (!data.value.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("data_json is not a JSON object but ", data.value.type_name()));
  }
  command.account = TextField(data.value, "account");
  command.group_id = TextField(data.value, "groupId");
  if (const auto wx_ids = data.value.find("wxIds"); wx_ids != data.value.end()) {
    command.wx_ids = SplitWxIds(*wx_ids);
  }
  // Re-dumped compactly so the gateway always receives strict JSON.
  command.data_json = data.value.dump(-1, ' ', false, Json::error_handler_t::replace);
  return command;
}

Command RebindCommand() {
  Command command;
  command.code = kRebind;
  command.data_json = "{}";
  return command;
}

}  // namespace wxbridge::protocol
