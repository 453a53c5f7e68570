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
#include "server/common/utf8.h"
#include "server/protocol/base64.h"
#include "server/protocol/json_fields.h"
#include "server/protocol/json_writer.h"
#include "server/protocol/xml_escape.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;

// protobuf C++ does not always reject invalid UTF-8 in string fields; the
// gateway must never receive it.
absl::Status Utf8(absl::string_view field, const std::string& value) {
  if (IsValidUtf8(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8"));
}

// A string field no longer than `limit` (checked first: cheap), in valid UTF-8.
absl::Status Bounded(absl::string_view field, const std::string& value, std::size_t limit,
                     absl::string_view flag) {
  if (value.size() > limit) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is ", value.size(), " bytes, over the limit of ", limit, " bytes (--", flag, ")"));
  }
  return Utf8(field, value);
}

// Identifiers (account, user names, ids, tickets, keys) and free text (content, titles,
// descriptions, urls), optional or required.
absl::Status Id(absl::string_view field, const std::string& value, const RequestLimits& limits) {
  return Bounded(field, value, limits.max_id_bytes, "max_id_bytes");
}

absl::Status Text(absl::string_view field, const std::string& value, const RequestLimits& limits) {
  return Bounded(field, value, limits.max_text_bytes, "max_text_bytes");
}

absl::Status Required(absl::string_view field, const std::string& value,
                      absl::Status (*bounded)(absl::string_view, const std::string&,
                                              const RequestLimits&),
                      const RequestLimits& limits) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return bounded(field, value, limits);
}

absl::Status RequiredId(absl::string_view field, const std::string& value,
                        const RequestLimits& limits) {
  return Required(field, value, Id, limits);
}

absl::Status RequiredText(absl::string_view field, const std::string& value,
                          const RequestLimits& limits) {
  return Required(field, value, Text, limits);
}

absl::Status TooMany(absl::string_view field, std::size_t limit, absl::string_view flag) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " has more than ", limit, " ids, the limit (--", flag, ")"));
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
  // A message's recipient, under the key the code spells it with.
  TypedCommand& Chat(std::string_view key, const std::string& chat) {
    command_.chat = chat;
    return String(key, chat);
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

absl::Status CheckWxIds(const google::protobuf::RepeatedPtrField<std::string>& wx_ids,
                        const RequestLimits& limits) {
  if (wx_ids.empty()) return absl::InvalidArgumentError("wx_ids is required");
  if (static_cast<std::size_t>(wx_ids.size()) > limits.max_wx_ids) {
    return absl::InvalidArgumentError(absl::StrCat("wx_ids has ", wx_ids.size(),
                                                   " entries, over the limit of ",
                                                   limits.max_wx_ids, " (--max_wx_ids)"));
  }
  for (int i = 0; i < wx_ids.size(); ++i) {
    const std::string field = absl::StrCat("wx_ids[", i, "]");
    if (wx_ids[i].empty()) {
      return absl::InvalidArgumentError(field + " is empty");
    }
    if (wx_ids[i].find(',') != std::string::npos) {
      return absl::InvalidArgumentError(field + " contains a comma");
    }
    if (absl::Status status = Id(field, wx_ids[i], limits); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

bool IsKnownScene(v1::AddFriendScene scene) {
  return scene == v1::ADD_FRIEND_SCENE_QQ || scene == v1::ADD_FRIEND_SCENE_EMAIL ||
         scene == v1::ADD_FRIEND_SCENE_WECHAT_ID || scene == v1::ADD_FRIEND_SCENE_PHONE;
}

// data.wxIds of a raw 106: a comma-joined string, or (leniently) an array; no more than
// max_wx_ids of them.
absl::StatusOr<std::vector<std::string>> SplitWxIds(const Json& wx_ids,
                                                    const RequestLimits& limits) {
  std::vector<std::string> ids;
  const auto add = [&ids, &limits](absl::string_view id) {
    id = absl::StripAsciiWhitespace(id);
    if (id.empty()) return true;
    if (ids.size() == limits.max_wx_ids) return false;
    ids.emplace_back(id);
    return true;
  };
  bool within = true;
  if (wx_ids.is_array()) {
    for (const Json& id : wx_ids) {
      if (!(within = add(AsText(id)))) break;
    }
  } else {
    for (absl::string_view id : absl::StrSplit(AsText(wx_ids), ',')) {
      if (!(within = add(id))) break;
    }
  }
  if (!within) return TooMany("data_json.wxIds", limits.max_wx_ids, "max_wx_ids");
  return ids;
}

}  // namespace

absl::StatusOr<Command> BuildCommand(const v1::LoginRequest& request, const RequestLimits& limits) {
  return BuildIfValid({RequiredId("account", request.account(), limits)},
                      [&] { return TypedCommand(kLogin, request.account()).Finish(); });
}

absl::StatusOr<Command> BuildCommand(const v1::LogoutRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid({RequiredId("account", request.account(), limits)},
                      [&] { return TypedCommand(kLogout, request.account()).Finish(); });
}

absl::StatusOr<Command> BuildCommand(const v1::SendTextRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid({RequiredId("account", request.account(), limits),
                       RequiredId("to_user_name", request.to_user_name(), limits),
                       RequiredText("content", request.content(), limits)},
                      [&] {
                        return TypedCommand(kSendText, request.account(), request.content().size())
                            .Chat("toUserName", request.to_user_name())
                            .String("content", request.content())
                            .Finish();
                      });
}

absl::StatusOr<Command> BuildCommand(const v1::SendLinkRequest& request,
                                     const RequestLimits& limits) {
  const v1::LinkThumbnail& thumbnail = request.thumbnail();
  // The document writes the thumbnail's numbers as strings ("3855"); all five
  // keys are always present, empty when there is no thumbnail.
  const bool has_thumbnail = request.has_thumbnail();
  return BuildIfValid(
      {RequiredId("account", request.account(), limits),
       RequiredId("to_user_name", request.to_user_name(), limits),
       RequiredText("title", request.title(), limits),
       Text("description", request.description(), limits),
       RequiredText("url", request.url(), limits),
       Text("thumbnail.cdn_url", thumbnail.cdn_url(), limits),
       Id("thumbnail.md5", thumbnail.md5(), limits),
       Id("thumbnail.aes_key", thumbnail.aes_key(), limits)},
      [&] {
        return TypedCommand(kSendLink, request.account())
            .Chat("toUserName", request.to_user_name())
            // The gateway pastes these into the card's XML as they are (the document's
            // own url sample is escaped): plain text in, escaped text out.
            .String("title", XmlEscape(request.title()))
            .String("des", XmlEscape(request.description()))
            .String("url", XmlEscape(request.url()))
            .String("cdnthumburl", XmlEscape(thumbnail.cdn_url()))
            .String("cdnthumbmd5", XmlEscape(thumbnail.md5()))
            .String("cdnthumblength", has_thumbnail ? absl::StrCat(thumbnail.length()) : "")
            .String("cdnthumbheight", has_thumbnail ? absl::StrCat(thumbnail.height()) : "")
            .String("cdnthumbaeskey", XmlEscape(thumbnail.aes_key()))
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::KickGroupMemberRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid({RequiredId("account", request.account(), limits),
                       RequiredId("group_id", request.group_id(), limits),
                       RequiredId("user_id", request.user_id(), limits)},
                      [&] {
                        return TypedCommand(kKickGroupMember, request.account())
                            .String("userId", request.user_id())
                            .String("groupId", request.group_id())
                            .GroupId(request.group_id())
                            .Finish();
                      });
}

absl::StatusOr<Command> BuildCommand(const v1::GetContactsRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid(
      {RequiredId("account", request.account(), limits), CheckWxIds(request.wx_ids(), limits)},
      [&] {
        return TypedCommand(kGetContacts, request.account())
            .String("wxIds", absl::StrJoin(request.wx_ids(), ","))
            .WxIds({request.wx_ids().begin(), request.wx_ids().end()})
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::AcceptFriendRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid(
      {RequiredId("account", request.account(), limits),
       RequiredId("entry_name", request.entry_name(), limits),
       RequiredId("ticket", request.ticket(), limits), Text("content", request.content(), limits)},
      [&] {
        return TypedCommand(kAcceptFriend, request.account())
            .String("entryName", request.entry_name())
            .String("ticket", request.ticket())
            .String("content", request.content())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::InviteToGroupRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid({RequiredId("account", request.account(), limits),
                       RequiredId("group_id", request.group_id(), limits),
                       RequiredId("wx_id", request.wx_id(), limits)},
                      [&] {
                        return TypedCommand(kInviteToGroup, request.account())
                            .String("groupId", request.group_id())
                            .String("wxId", request.wx_id())
                            .GroupId(request.group_id())
                            .Finish();
                      });
}

absl::StatusOr<Command> BuildCommand(const v1::SendImageRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid(
      {RequiredId("account", request.account(), limits),
       RequiredId("to_user_name", request.to_user_name(), limits),
       request.image().empty() ? absl::InvalidArgumentError("image is empty") : absl::OkStatus()},
      [&] {
        const std::string image = Base64Encode(request.image());
        return TypedCommand(kSendImage, request.account(), image.size())
            .String("imgBuff", image)
            .Chat("toUserWxId", request.to_user_name())
            .Finish();
      });
}

absl::StatusOr<Command> BuildCommand(const v1::AddFriendRequest& request,
                                     const RequestLimits& limits) {
  return BuildIfValid(
      {RequiredId("account", request.account(), limits),
       RequiredId("user_key", request.user_key(), limits),
       Text("content", request.content(), limits),
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

absl::StatusOr<Command> BuildCommand(const v1::SendRawRequest& request,
                                     const RequestLimits& limits) {
  if (request.code() <= 0) return absl::InvalidArgumentError("code must be positive");
  if (request.code() == kRebind) {
    return absl::InvalidArgumentError(
        "code 100 is the bridge's own re-bind, sent on every connection; SendRaw cannot send "
        "it");
  }
  if (absl::Status status = Bounded("data_json", request.data_json(), limits.max_data_json_bytes,
                                    "max_data_json_bytes");
      !status.ok()) {
    return status;
  }
  Command command;
  command.code = request.code();
  if (request.data_json().empty()) {
    command.data_json = "{}";
    return command;
  }
  ParsedJson data =
      ParseJson(request.data_json(), limits.max_data_json_depth, limits.max_data_json_keys);
  switch (data.error) {
    case ParsedJson::Error::kNone:
      break;
    case ParsedJson::Error::kTooDeep:
      return absl::InvalidArgumentError(
          absl::StrCat("data_json: ", data.detail, ", the limit (--max_data_json_depth)"));
    case ParsedJson::Error::kTooManyKeys:
      return absl::InvalidArgumentError(
          absl::StrCat("data_json: ", data.detail, ", the limit (--max_data_json_keys)"));
    case ParsedJson::Error::kInvalid:
      return absl::InvalidArgumentError(
          absl::StrCat("data_json is not a JSON object: ", data.detail));
  }
  if (!data.value.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("data_json is not a JSON object but ", data.value.type_name()));
  }
  command.account = TextField(data.value, "account");
  command.group_id = TextField(data.value, "groupId");
  command.chat = TextField(data.value, "toUserName");
  if (command.chat.empty()) command.chat = TextField(data.value, "toUserWxId");
  if (const auto wx_ids = data.value.find("wxIds"); wx_ids != data.value.end()) {
    absl::StatusOr<std::vector<std::string>> ids = SplitWxIds(*wx_ids, limits);
    if (!ids.ok()) return ids.status();
    command.wx_ids = *std::move(ids);
  }
  // Compacted so the gateway always receives strict JSON, in the caller's key order.
  command.data_json = CompactJson(request.data_json());
  return command;
}

Command RebindCommand() {
  Command command;
  command.code = kRebind;
  command.data_json = "{}";
  return command;
}

}  // namespace wxbridge::protocol
