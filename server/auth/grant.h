// What one caller may do: the token's name (for the audit log, never the token itself),
// the accounts it may act on or read, and the BridgeService methods it may call.
#ifndef WXBRIDGE_SERVER_AUTH_GRANT_H_
#define WXBRIDGE_SERVER_AUTH_GRANT_H_

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace wxbridge::auth {

// A set of names where "*" means every name.
class NameScope {
 public:
  static NameScope All() {
    NameScope scope;
    scope.all_ = true;
    return scope;
  }
  void Add(std::string name) {
    if (name == "*") {
      all_ = true;
    } else {
      names_.insert(std::move(name));
    }
  }
  bool all() const { return all_; }
  bool Allows(std::string_view name) const { return all_ || names_.count(std::string(name)) > 0; }
  // Sorted; empty when all().
  const std::set<std::string>& names() const { return names_; }
  // "[\"alice\", \"bob\"]" or "[\"*\"]", for messages.
  std::string ToString() const;

 private:
  bool all_ = false;
  std::set<std::string> names_;
};

struct Grant {
  std::string name;
  NameScope accounts;
  NameScope methods;

  // OK, or PERMISSION_DENIED naming the token and the method.
  absl::Status CheckMethod(std::string_view method) const;
  // OK, or PERMISSION_DENIED naming the token and the account.
  absl::Status CheckAccount(std::string_view account) const;
  // OK when the token may act on every account (SendRaw's data is free-form), else
  // PERMISSION_DENIED saying so.
  absl::Status CheckAllAccounts(std::string_view method) const;
};

// The grant every caller has when the bridge has no tokens file: all accounts and
// methods, name "-".
std::shared_ptr<const Grant> OpenGrant();

}  // namespace wxbridge::auth

#endif  // WXBRIDGE_SERVER_AUTH_GRANT_H_
