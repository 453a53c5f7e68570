#include "server/calls/correlation_rule.h"

#include "server/protocol/command_builder.h"

namespace wxbridge::calls {

CorrelationRule RuleForCode(int code) {
  switch (code) {
    case protocol::kLogin:
      return CorrelationRule::kLoginStatus;
    case protocol::kLogout:
      return CorrelationRule::kLogoutStatus;
    case protocol::kGetContacts:
      return CorrelationRule::kContacts;
    case protocol::kKickGroupMember:
    case protocol::kInviteToGroup:
      return CorrelationRule::kGroupChange;
    case protocol::kRebind:
    case protocol::kSendText:
    case protocol::kSendLink:
    case protocol::kAcceptFriend:
    case protocol::kSendImage:
    case protocol::kAddFriend:
      return CorrelationRule::kOnWrite;
    default:
      return CorrelationRule::kEchoOnly;
  }
}

bool WaitsForEffect(CorrelationRule rule) {
  return rule == CorrelationRule::kLoginStatus || rule == CorrelationRule::kLogoutStatus ||
         rule == CorrelationRule::kContacts || rule == CorrelationRule::kGroupChange;
}

}  // namespace wxbridge::calls
