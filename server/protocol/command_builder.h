// Validates gRPC command requests and turns each into the gateway's `data` object.
// Pure: no I/O, no threads. A request with a missing or invalid field is rejected with
// InvalidArgument naming the field, before anything is encoded.
#ifndef WXBRIDGE_SERVER_PROTOCOL_COMMAND_BUILDER_H_
#define WXBRIDGE_SERVER_PROTOCOL_COMMAND_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/protocol/request_limits.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::protocol {

// Gateway command codes (docs/protocol.md).
enum CommandCode : int {
  kRebind = 100,
  kLogin = 101,
  kLogout = 102,
  kSendText = 103,
  kSendLink = 104,
  kKickGroupMember = 105,
  kGetContacts = 106,
  kAcceptFriend = 107,
  kInviteToGroup = 108,
  kSendImage = 109,
  kAddFriend = 111,
};

// One validated command, ready to be stamped and encoded by EncodeFrame.
struct Command {
  int code = 0;
  // data.account; empty for code 100 and for raw commands without one.
  std::string account;
  // The `data` object as strict JSON text, field names spelled as the document does.
  std::string data_json;
  // What correlation by effect needs: the group of a kick/invite (105/108)...
  std::string group_id;
  // ...and the ids of a contact look-up (106), in request order.
  std::vector<std::string> wx_ids;
  // The user or group a message (103, 104, 109) goes to: send pacing counts per chat.
  std::string chat;
};

absl::StatusOr<Command> BuildCommand(const wxbridge::v1::LoginRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::LogoutRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::SendTextRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::SendLinkRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::KickGroupMemberRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::GetContactsRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::AcceptFriendRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::InviteToGroupRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::SendImageRequest& request,
                                     const RequestLimits& limits = {});
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::AddFriendRequest& request,
                                     const RequestLimits& limits = {});
// code must be positive and not 100 (the bridge's own re-bind); data_json must be a JSON
// object ("" means {}) within limits' data_json bounds, and is sent compacted with its
// keys in the caller's order; data.account, data.groupId and data.wxIds are picked up
// for correlation when present.
absl::StatusOr<Command> BuildCommand(const wxbridge::v1::SendRawRequest& request,
                                     const RequestLimits& limits = {});

// Code 100 (re-bind), sent first on every new upstream connection.
Command RebindCommand();

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_COMMAND_BUILDER_H_
