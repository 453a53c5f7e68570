// Pushes the simulator sends only when a test asks (Simulator::PushSample): WeChat
// events no gateway command causes, each shaped as the gateway's documentation writes it.
#ifndef WXBRIDGE_SERVER_SIM_SIM_SAMPLE_H_
#define WXBRIDGE_SERVER_SIM_SIM_SAMPLE_H_

namespace wxbridge::sim {

enum class SamplePush {
  // MsgType 48 from a friend: <location x y scale="16.0" label poiname/>.
  kLocation,
  // MsgType 49, appmsg type 6: a file with its appattach (CreateTime in milliseconds).
  kFile,
  // MsgType 49, appmsg type 33: a mini program card.
  kMiniProgram,
  // A text in the shared group from its owner, then the MsgType 10002
  // <sysmsg type="revokemsg"> that recalls it (its exact msgid/newmsgid).
  kRecall,
  // MsgType 10000 in the shared group: "…"通过扫描"…"分享的二维码加入群聊.
  kGroupJoinedByQr,
  // MsgType 10000 in the shared group: "…"修改群名为“…”, and the group is renamed.
  kGroupRenamed,
  // MsgType 1 the account sent itself from its phone into the shared group:
  // FromUserName is its own wxid, ToUserName the group, no sender prefix.
  kSelfSentGroupText,
};

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_SAMPLE_H_
