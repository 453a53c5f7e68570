// How each gateway command completes (docs/protocol.md "Correlation"): on an echoed
// msgId/cmdId where the gateway echoes; otherwise by the command's documented effect, or
// once written.
#ifndef WXBRIDGE_SERVER_CALLS_CORRELATION_RULE_H_
#define WXBRIDGE_SERVER_CALLS_CORRELATION_RULE_H_

namespace wxbridge::calls {

enum class CorrelationRule {
  kOnWrite,       // 100, 103, 104, 107, 109, 111: no documented reply
  kLoginStatus,   // 101: the account's next status (MsgType 0)
  kLogoutStatus,  // 102: the account's status 8
  kContacts,      // 106: every requested id arrived as MsgType 2/101
  kGroupChange,   // 105, 108: the group-change notice (MsgType 10002) for the group
  kEchoOnly,      // codes the document does not define: only an echoed reply
};

CorrelationRule RuleForCode(int code);

// Rules that wait for something after the frame is written, even when the gateway does
// not echo: a gateway error naming the account fails such a call.
bool WaitsForEffect(CorrelationRule rule);

}  // namespace wxbridge::calls

#endif  // WXBRIDGE_SERVER_CALLS_CORRELATION_RULE_H_
