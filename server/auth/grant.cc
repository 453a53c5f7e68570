#include "server/auth/grant.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wxbridge::auth {

std::string NameScope::ToString() const {
  if (all_) return "[\"*\"]";
  return absl::StrCat("[",
                      absl::StrJoin(names_, ", ",
                                    [](std::string* out, const std::string& name) {
                                      absl::StrAppend(out, "\"", name, "\"");
                                    }),
                      "]");
}

absl::Status Grant::CheckMethod(std::string_view method) const {
  if (methods.Allows(method)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("token \"", name, "\" may not call ",
                                                  std::string(method),
                                                  " (its methods: ", methods.ToString(), ")"));
}

absl::Status Grant::CheckAccount(std::string_view account) const {
  if (accounts.Allows(account)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("token \"", name, "\" may not use account \"",
                                                  std::string(account),
                                                  "\" (its accounts: ", accounts.ToString(), ")"));
}

absl::Status Grant::CheckAllAccounts(std::string_view method) const {
  if (accounts.all()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      std::string(method),
      " needs a token whose accounts are [\"*\"]: its data is free-form, so it could act "
      "on any account; token \"",
      name, "\" has ", accounts.ToString()));
}

std::shared_ptr<const Grant> OpenGrant() {
  static const auto* open = new std::shared_ptr<const Grant>([] {
    auto grant = std::make_shared<Grant>();
    grant->name = "-";
    grant->accounts = NameScope::All();
    grant->methods = NameScope::All();
    return grant;
  }());
  return *open;
}

}  // namespace wxbridge::auth
