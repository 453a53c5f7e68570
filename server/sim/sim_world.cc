#include "server/sim/sim_world.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/sim/sim_ids.h"

namespace wxbridge::sim {

bool SimWorld::Group::Has(const std::string &wx_id) const {
  return std::find(members.begin(), members.end(), wx_id) != members.end();
}

SimWorld::SimWorld(WorldOptions options) : options_(std::move(options)) {
  for (ContactRecord person :
       {CustomIdPerson(), OfficialAccount(), SpecialAccount(), SharedGroupOwner()}) {
    persons_.emplace(person.user_name, std::move(person));
  }
  groups_[SharedGroupWxId()] = Group{
      "wxbridge 模拟群", SharedGroupOwnerWxId(), {SharedGroupOwnerWxId(), CustomIdPersonWxId()}};
}

WorldOutput SimWorld::HandleText(ConnectionId from, std::string_view text) {
  WorldOutput out;
  ParsedFrame parsed = ParseRequest(text, options_.auth_key);
  Command cmd{from, parsed.request, out};
  if (!parsed.error.empty()) {
    Reply(cmd, ErrorFrame(ReplyIds(parsed.request), "", parsed.error));
    return out;
  }
  Dispatch(cmd);
  return out;
}

WorldOutput SimWorld::HandleBinary(ConnectionId from) {
  WorldOutput out;
  out.frames.push_back({from, ErrorFrame(FrameIds{}, "", "binary frames are not supported")});
  return out;
}

void SimWorld::Dispatch(Command &cmd) {
  switch (cmd.request.code) {
    case 100:
      return Bind(cmd);
    case 101:
      return Login(cmd);
    case 102:
      return Logout(cmd);
    case 103:
      return SendText(cmd);
    case 104:
      return SendLink(cmd);
    case 105:
      return Kick(cmd);
    case 106:
      return GetContacts(cmd);
    case 107:
      return AcceptFriend(cmd);
    case 108:
      return Invite(cmd);
    case 109:
      return SendImage(cmd);
    case 111:
      return AddFriend(cmd);
    default:
      Fail(cmd, absl::StrCat("unknown code ", cmd.request.code));
  }
}

void SimWorld::Disconnected(ConnectionId connection) {
  for (auto &[name, account] : accounts_) {
    if (account.connection == connection) account.connection = kNoConnection;
  }
}

std::vector<std::string> SimWorld::LoggedInAccounts() const {
  std::vector<std::string> names;
  for (const auto &[name, account] : accounts_) {
    if (account.state == LoginState::kLoggedIn) names.push_back(name);
  }
  return names;
}

FrameIds SimWorld::ReplyIds(const SimRequest &request) const {
  FrameIds ids;
  if (options_.ack_mode == AckMode::kEcho) {
    if (!request.msg_id.is_null()) ids.msg_id = request.msg_id;
    ids.cmd_id = request.cmd_id;
  }
  return ids;
}

FrameIds SimWorld::PushIds() {
  FrameIds ids;
  ids.msg_id = next_msg_id_++;
  ids.new_msg_id = next_new_msg_id_++;
  return ids;
}

void SimWorld::Reply(Command &cmd, std::string text) {
  cmd.out.frames.push_back({cmd.from, std::move(text)});
}

void SimWorld::Fail(Command &cmd, const std::string &content) {
  Reply(cmd, ErrorFrame(ReplyIds(cmd.request), cmd.request.account(), content));
}

void SimWorld::Ack(Command &cmd) {
  if (options_.ack_mode != AckMode::kEcho) return;
  Reply(cmd, AckFrame(ReplyIds(cmd.request), cmd.request.account()));
}

void SimWorld::Push(WorldOutput &out, const std::string &account, std::string text) {
  auto it = accounts_.find(account);
  if (it == accounts_.end() || it->second.connection == kNoConnection) {
    ++dropped_pushes_;
    return;
  }
  out.frames.push_back({it->second.connection, std::move(text)});
}

SimWorld::Account &SimWorld::EnsureAccount(const std::string &name) {
  auto [it, inserted] = accounts_.try_emplace(name);
  Account &account = it->second;
  if (!inserted) return account;
  account.wx_id = WxIdForAccount(name);
  account_by_wx_id_[account.wx_id] = name;
  Group owned{absl::StrCat(NickNameForAccount(name), "的群"), account.wx_id, {account.wx_id}};
  for (int n = 0; n < options_.world_size; ++n) {
    ContactRecord person = SimulatedFriend(account.wx_id, n);
    owned.members.push_back(person.user_name);
    persons_[person.user_name] = std::move(person);
  }
  groups_[OwnedGroupWxIdFor(name)] = std::move(owned);
  groups_[SharedGroupWxId()].members.push_back(account.wx_id);
  return account;
}

SimWorld::Account *SimWorld::LoggedIn(const std::string &name) {
  auto it = accounts_.find(name);
  if (it == accounts_.end() || it->second.state != LoginState::kLoggedIn) return nullptr;
  return &it->second;
}

SimWorld::Account *SimWorld::RequireLoggedIn(Command &cmd) {
  Account *account = LoggedIn(cmd.request.account());
  if (account == nullptr) Fail(cmd, "账号未登录");
  return account;
}

const std::string *SimWorld::LoggedInAccountByWxId(const std::string &wx_id) const {
  auto name = account_by_wx_id_.find(wx_id);
  if (name == account_by_wx_id_.end()) return nullptr;
  auto account = accounts_.find(name->second);
  if (account == accounts_.end() || account->second.state != LoginState::kLoggedIn) {
    return nullptr;
  }
  return &account->first;
}

std::vector<std::pair<std::string, std::string>> SimWorld::LoggedInMembers(
    const Group &group) const {
  std::vector<std::pair<std::string, std::string>> members;
  for (const std::string &wx_id : group.members) {
    if (const std::string *account = LoggedInAccountByWxId(wx_id)) {
      members.emplace_back(*account, wx_id);
    }
  }
  return members;
}

std::string SimWorld::NickOf(const std::string &wx_id) const {
  if (auto it = account_by_wx_id_.find(wx_id); it != account_by_wx_id_.end()) {
    return NickNameForAccount(it->second);
  }
  if (auto it = persons_.find(wx_id); it != persons_.end()) return it->second.nick_name;
  return wx_id;
}

ContactRecord SimWorld::AccountContact(const std::string &account) const {
  ContactRecord record = PersonContact(WxIdForAccount(account), NickNameForAccount(account));
  record.signature = "wxbridge 模拟账号";
  record.alias = absl::StrCat("sim", HexOf(account, 6));
  record.province = "Guangdong";
  record.city = "Shenzhen";
  return record;
}

std::optional<ContactRecord> SimWorld::FindContact(const std::string &wx_id) const {
  if (auto it = groups_.find(wx_id); it != groups_.end()) {
    return GroupContact(wx_id, it->second.name, it->second.owner);
  }
  if (auto it = persons_.find(wx_id); it != persons_.end()) return it->second;
  if (const std::string *account = LoggedInAccountByWxId(wx_id)) {
    return AccountContact(*account);
  }
  return std::nullopt;
}

void SimWorld::Bind(Command &cmd) {
  // One authKey, one world: every account that is logged in (or on its way)
  // follows.
  for (auto &[name, account] : accounts_) {
    if (account.state != LoginState::kLoggedOut) account.connection = cmd.from;
  }
  Ack(cmd);
}

}  // namespace wxbridge::sim
