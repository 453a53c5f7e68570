// AccountBook: what GetStatus reports about accounts. Only login_status events of a
// named account count; the latest status wins, a wx_id once known is kept, entries come
// out sorted by account, and readers on other threads see whole entries.
#include "server/bridge/account_book.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wxbridge::bridge {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using v1::AccountStatus;
using v1::Event;
using v1::GetStatusResponse;
using v1::LoginStatus;

Event LoginStatusEvent(const std::string& account, LoginStatus status,
                       const std::string& wx_id = "", int64_t received_seconds = 0) {
  Event event;
  event.set_account(account);
  event.mutable_received_at()->set_seconds(received_seconds);
  event.mutable_login_status()->set_status(status);
  event.mutable_login_status()->set_wx_id(wx_id);
  return event;
}

std::vector<AccountStatus> Accounts(const AccountBook& book) {
  GetStatusResponse response;
  book.FillStatus(&response);
  return {response.accounts().begin(), response.accounts().end()};
}

std::vector<std::string> Names(const AccountBook& book) {
  std::vector<std::string> names;
  for (const AccountStatus& entry : Accounts(book)) names.push_back(entry.account());
  return names;
}

TEST(AccountBookTest, StartsEmpty) {
  AccountBook book;
  EXPECT_THAT(Accounts(book), IsEmpty());
}

TEST(AccountBookTest, RecordsTheStatusWxIdAndTimeOfALoginStatusEvent) {
  AccountBook book;
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_LOGGED_IN, "wxid_alice", 1700000000));
  const std::vector<AccountStatus> accounts = Accounts(book);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].account(), "alice");
  EXPECT_EQ(accounts[0].wx_id(), "wxid_alice");
  EXPECT_EQ(accounts[0].last_status(), v1::LOGIN_STATUS_LOGGED_IN);
  EXPECT_EQ(accounts[0].updated_at().seconds(), 1700000000);
}

TEST(AccountBookTest, IgnoresEventsThatAreNotLoginStatusOrHaveNoAccount) {
  AccountBook book;
  Event text;
  text.set_account("alice");
  text.mutable_text()->set_text("hello");
  book.Observe(text);
  book.Observe(LoginStatusEvent("", v1::LOGIN_STATUS_LOGGED_IN, "wxid_nobody"));
  EXPECT_THAT(Accounts(book), IsEmpty());
}

TEST(AccountBookTest, TheLatestStatusWinsAndAKnownWxIdIsKept) {
  AccountBook book;
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_WAITING_FOR_SCAN, "", 10));
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_LOGGED_IN, "wxid_alice", 20));
  // A later status without a wx_id (the gateway omits it) keeps the one already known.
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_LOGGED_OUT, "", 30));
  const std::vector<AccountStatus> accounts = Accounts(book);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].last_status(), v1::LOGIN_STATUS_LOGGED_OUT);
  EXPECT_EQ(accounts[0].wx_id(), "wxid_alice");
  EXPECT_EQ(accounts[0].updated_at().seconds(), 30);
}

TEST(AccountBookTest, ANewWxIdReplacesTheOldOne) {
  AccountBook book;
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_LOGGED_IN, "wxid_old"));
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_LOGGED_IN, "wxid_new"));
  const std::vector<AccountStatus> accounts = Accounts(book);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].wx_id(), "wxid_new");
}

TEST(AccountBookTest, ListsOneEntryPerAccountSortedByAccount) {
  AccountBook book;
  book.Observe(LoginStatusEvent("carol", v1::LOGIN_STATUS_SCANNED));
  book.Observe(LoginStatusEvent("13800138000", v1::LOGIN_STATUS_LOGGED_IN));
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_WAITING_FOR_SCAN));
  book.Observe(LoginStatusEvent("carol", v1::LOGIN_STATUS_LOGGED_IN));
  EXPECT_THAT(Names(book), ElementsAre("13800138000", "alice", "carol"));
}

TEST(AccountBookTest, FillStatusAppendsToWhatTheResponseAlreadyHolds) {
  AccountBook book;
  book.Observe(LoginStatusEvent("alice", v1::LOGIN_STATUS_LOGGED_IN));
  GetStatusResponse response;
  response.add_accounts()->set_account("earlier");
  book.FillStatus(&response);
  ASSERT_EQ(response.accounts_size(), 2);
  EXPECT_EQ(response.accounts(0).account(), "earlier");
  EXPECT_EQ(response.accounts(1).account(), "alice");
}

// The upstream I/O thread writes while gRPC threads read: a reader sees each entry
// whole (its wx_id and status from the same event) and the final state is the last write.
TEST(AccountBookTest, ReadersOnOtherThreadsSeeWholeEntries) {
  constexpr int kRounds = 2000;
  AccountBook book;
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; i < kRounds; ++i) {
      const bool in = i % 2 == 0;
      book.Observe(LoginStatusEvent("alice",
                                    in ? v1::LOGIN_STATUS_LOGGED_IN : v1::LOGIN_STATUS_LOGGED_OUT,
                                    in ? "wxid_in" : "wxid_out", i));
    }
    writing = false;
  });
  int torn = 0;
  int reads = 0;
  while (writing || reads == 0) {
    for (const AccountStatus& entry : Accounts(book)) {
      const bool in = entry.last_status() == v1::LOGIN_STATUS_LOGGED_IN;
      if (entry.wx_id() != (in ? "wxid_in" : "wxid_out") ||
          entry.updated_at().seconds() % 2 != (in ? 0 : 1)) {
        ++torn;
      }
    }
    ++reads;
  }
  writer.join();
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
  const std::vector<AccountStatus> accounts = Accounts(book);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].last_status(), v1::LOGIN_STATUS_LOGGED_OUT);
  EXPECT_EQ(accounts[0].updated_at().seconds(), kRounds - 1);
}

}  // namespace
}  // namespace wxbridge::bridge
