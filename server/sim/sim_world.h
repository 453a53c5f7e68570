// The simulated gateway's state machine: accounts, their login walks, contacts,
// groups and pending friend requests. No I/O and no threads: each input (a
// frame from a connection, a timed login step, a disconnect) yields the frames
// to send and the login steps to schedule. The caller serialises access.
#ifndef WXBRIDGE_SERVER_SIM_SIM_WORLD_H_
#define WXBRIDGE_SERVER_SIM_SIM_WORLD_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/sim/sim_contacts.h"
#include "server/sim/sim_frames.h"
#include "server/sim/sim_outbound.h"
#include "server/sim/sim_request.h"
#include "server/sim/sim_sample.h"
#include "server/sim/simulator.h"

namespace wxbridge::sim {

// One step of a login walk, to be fed back through SimWorld::RunStep after
// `delay`.
struct LoginStep {
  std::chrono::milliseconds delay{0};
  std::string account;
  uint64_t walk = 0;  // a newer walk or a logout voids the step
  int status = 0;     // 3, 4, 5 (QR timed out), 6 (failed) or 7
};

struct WorldOutput {
  std::vector<Outbound> frames;  // in sending order
  std::vector<LoginStep> steps;
};

struct WorldOptions {
  std::string auth_key;
  AckMode ack_mode = AckMode::kEcho;
  std::chrono::milliseconds scan_delay{300};
  std::chrono::milliseconds step_delay{100};
  int world_size = 5;
  std::chrono::milliseconds qr_timeout{120000};
};

class SimWorld {
 public:
  explicit SimWorld(WorldOptions options);

  void set_ack_mode(AckMode mode) { options_.ack_mode = mode; }
  void set_logins_fail(bool fail) { logins_fail_ = fail; }
  WorldOutput HandleText(ConnectionId from, std::string_view text);
  WorldOutput HandleBinary(ConnectionId from);
  WorldOutput RunStep(const LoginStep &step);
  // sim_world_samples.cc: a push no command causes, to a logged-in account (nothing
  // otherwise).
  WorldOutput PushSample(const std::string &account, SamplePush sample);
  // The connection's accounts stay logged in, unbound until a code 100 or a
  // login.
  void Disconnected(ConnectionId connection);

  std::vector<std::string> LoggedInAccounts() const;
  // Pushes dropped because their account was bound to no connection.
  uint64_t dropped_pushes() const { return dropped_pushes_; }

 private:
  enum class LoginState { kLoggedOut, kWalking, kLoggedIn };
  struct FriendRequest {
    std::string from_account;
    std::string encrypt_user_name;
    std::string ticket;
  };
  struct Account {
    std::string wx_id;
    LoginState state = LoginState::kLoggedOut;
    ConnectionId connection = kNoConnection;
    uint64_t walk = 0;
    std::set<std::string> added_friends;  // wxids, from accepted friend requests
    std::vector<FriendRequest> requests;  // received, not yet accepted
  };
  struct Group {
    std::string name;
    std::string owner;
    std::vector<std::string> members;  // wxids
    bool Has(const std::string &wx_id) const;
  };
  // The command being handled: where replies go and where output collects.
  struct Command {
    ConnectionId from;
    const SimRequest &request;
    WorldOutput &out;
  };
  // A message about to be pushed to one account.
  struct Delivery {
    std::string account;
    std::string from_user_name;
    std::string to_user_name;
    std::string content_prefix;  // "<sender wxid>:\n" in groups
  };
  struct Outgoing {
    int msg_type = 1;
    std::string content;
    std::string summary;  // what follows "nick : " in PushContent
    std::optional<std::string> data;
  };

  // sim_world.cc: dispatch, ids, replies and pushes, lookups.
  void Dispatch(Command &cmd);
  FrameIds ReplyIds(const SimRequest &request) const;
  FrameIds PushIds();
  void Reply(Command &cmd, std::string text);
  void Fail(Command &cmd, const std::string &content);
  void Ack(Command &cmd);
  void Push(WorldOutput &out, const std::string &account, std::string text);
  Account &EnsureAccount(const std::string &account);
  Account *LoggedIn(const std::string &account);
  Account *RequireLoggedIn(Command &cmd);
  // The name of the logged-in account whose wxid is `wx_id`, or null.
  const std::string *LoggedInAccountByWxId(const std::string &wx_id) const;
  // (account, wxid) of every member that is a logged-in account.
  std::vector<std::pair<std::string, std::string>> LoggedInMembers(const Group &group) const;
  std::string NickOf(const std::string &wx_id) const;
  std::optional<ContactRecord> FindContact(const std::string &wx_id) const;
  ContactRecord AccountContact(const std::string &account) const;
  void Bind(Command &cmd);

  // sim_world_login.cc
  void Login(Command &cmd);
  void Logout(Command &cmd);
  void PushContactList(WorldOutput &out, const std::string &account);

  // sim_world_messages.cc
  void SendText(Command &cmd);
  void SendLink(Command &cmd);
  void SendImage(Command &cmd);
  // Checks, acks and delivers one message; `to` is a wxid or a group id.
  void SendMessage(Command &cmd, const std::string &to, const Outgoing &message);
  std::optional<std::vector<Delivery>> Route(const std::string &sender_account,
                                             const std::string &to) const;

  // sim_world_social.cc
  void Kick(Command &cmd);
  void Invite(Command &cmd);
  void GetContacts(Command &cmd);
  void AddFriend(Command &cmd);
  void AcceptFriend(Command &cmd);
  void PushGroupNotice(WorldOutput &out, const std::string &group_id,
                       const std::string &member_account, const std::string &text);

  WorldOptions options_;
  std::map<std::string, Account> accounts_;
  std::unordered_map<std::string, std::string> account_by_wx_id_;
  std::map<std::string, Group> groups_;
  std::unordered_map<std::string, ContactRecord> persons_;  // simulated people
  uint64_t next_msg_id_ = 1000000000;
  // Above 2^63-1, so every push tests that ids are kept exactly.
  uint64_t next_new_msg_id_ = 9300000000000000000ull;
  uint64_t walks_ = 0;
  uint64_t friend_requests_ = 0;
  uint64_t dropped_pushes_ = 0;
  bool logins_fail_ = false;
};

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_WORLD_H_
