// The login walk (101: 1 -> 3 -> 4 -> 7, self contact, contact list) and logout
// (102).
#include "absl/strings/str_cat.h"
#include "server/protocol/base64.h"
#include "server/sim/qr_png.h"
#include "server/sim/sim_ids.h"
#include "server/sim/sim_world.h"

namespace wxbridge::sim {
namespace {

const char *StatusMessage(int status) {
  switch (status) {
    case 1:
      return "等待扫码";
    case 3:
      return "已扫码，已确认";
    case 4:
      return "正在登陆中";
    case 5:
      return "二维码已过期";
    case 6:
      return "登录失败";
    case 7:
      return "已成功登录";
    case 8:
      return "已退出登录";
    default:
      return "";
  }
}

// A walk ends logged in (7), or logged out when the QR timed out (5) or login failed (6).
bool EndsWalk(int status) { return status == 5 || status == 6 || status == 7; }

}  // namespace

void SimWorld::Login(Command &cmd) {
  const std::string name = cmd.request.account();
  if (name.empty()) return Fail(cmd, "account is required");
  Account &account = EnsureAccount(name);
  account.connection = cmd.from;
  if (account.state == LoginState::kLoggedIn) {
    return Reply(
        cmd, StatusFrame(ReplyIds(cmd.request), name, {account.wx_id, 7, StatusMessage(7), ""}));
  }
  // A new walk voids the steps of any earlier one.
  account.walk = ++walks_;
  account.state = LoginState::kWalking;
  const std::string url =
      absl::StrCat("http://weixin.qq.com/x/", HexOf(absl::StrCat(name, "#", walks_), 20));
  absl::StatusOr<std::string> png = QrCodePng(url);
  if (!png.ok()) {
    account.state = LoginState::kLoggedOut;
    return Fail(cmd, absl::StrCat("生成二维码失败: ", png.status().message()));
  }
  Reply(cmd, StatusFrame(ReplyIds(cmd.request), name,
                         {"", 1, StatusMessage(1), protocol::Base64Encode(*png)}));
  if (options_.scan_delay >= options_.qr_timeout) {
    cmd.out.steps.push_back({options_.qr_timeout, name, account.walk, 5});
  } else {
    cmd.out.steps.push_back({options_.scan_delay, name, account.walk, 3});
  }
}

WorldOutput SimWorld::RunStep(const LoginStep &step) {
  WorldOutput out;
  auto it = accounts_.find(step.account);
  if (it == accounts_.end() || it->second.walk != step.walk ||
      it->second.state != LoginState::kWalking) {
    return out;
  }
  Account &account = it->second;
  const bool logged_in = step.status == 7;
  if (logged_in) account.state = LoginState::kLoggedIn;
  if (step.status == 5 || step.status == 6) account.state = LoginState::kLoggedOut;
  const std::string &wx_id = account.wx_id;
  Push(out, step.account,
       StatusFrame(PushIds(), step.account, {wx_id, step.status, StatusMessage(step.status), ""}));
  if (logged_in) {
    Push(out, step.account,
         SelfContactFrame(PushIds(), step.account, AccountContact(step.account)));
    PushContactList(out, step.account);
  } else if (!EndsWalk(step.status)) {
    // The walk after the scan: 3 -> 4 -> 7 (or 6 while logins fail).
    const int next = step.status == 3 ? 4 : logins_fail_ ? 6 : 7;
    out.steps.push_back({options_.step_delay, step.account, step.walk, next});
  }
  return out;
}

void SimWorld::PushContactList(WorldOutput &out, const std::string &name) {
  const Account &account = accounts_.at(name);
  std::vector<std::string> ids;
  ids.reserve(options_.world_size + 5);
  for (int n = 0; n < options_.world_size; ++n) ids.push_back(FriendWxId(account.wx_id, n));
  ids.insert(ids.end(), {CustomIdPersonWxId(), OfficialAccountWxId(), SpecialAccountWxId(),
                         SharedGroupWxId(), OwnedGroupWxIdFor(name)});
  ids.insert(ids.end(), account.added_friends.begin(), account.added_friends.end());
  for (const std::string &id : ids) {
    if (auto contact = FindContact(id)) {
      Push(out, name, ContactFrame(PushIds(), name, *contact));
    }
  }
}

void SimWorld::Logout(Command &cmd) {
  const std::string name = cmd.request.account();
  auto it = accounts_.find(name);
  if (it == accounts_.end() || it->second.state == LoginState::kLoggedOut) {
    return Fail(cmd, "账号未登录");
  }
  Account &account = it->second;
  account.state = LoginState::kLoggedOut;
  account.connection = kNoConnection;
  account.walk = ++walks_;  // voids a walk in progress
  Reply(cmd, StatusFrame(ReplyIds(cmd.request), name, {account.wx_id, 8, StatusMessage(8), ""}));
}

}  // namespace wxbridge::sim
