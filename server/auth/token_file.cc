#include "server/auth/token_file.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "server/common/file_text.h"

namespace wxbridge::auth {
namespace {

using nlohmann::json;

absl::Status Invalid(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

bool ParseHexDigest(const std::string& hex, Sha256Digest* digest) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  const std::string bytes = absl::HexStringToBytes(hex);
  std::copy(bytes.begin(), bytes.end(), digest->begin());
  return true;
}

// A non-empty array of non-empty strings, into `scope`.
absl::Status ParseScope(const json& entry, const char* key, const std::string& where,
                        NameScope* scope, std::vector<std::string>* names) {
  const auto it = entry.find(key);
  if (it == entry.end() || !it->is_array() || it->empty()) {
    return Invalid(where, absl::StrCat("\"", key,
                                       "\" must be a non-empty array of strings (use [\"*\"] for "
                                       "all)"));
  }
  for (const json& item : *it) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      return Invalid(where, absl::StrCat("\"", key, "\" holds something other than a name"));
    }
    names->push_back(item.get<std::string>());
    scope->Add(item.get<std::string>());
  }
  return absl::OkStatus();
}

absl::StatusOr<TokenEntry> ParseEntry(const json& entry, std::size_t index,
                                      const std::set<std::string>& known_methods) {
  std::string where = absl::StrCat("tokens[", index, "]");
  if (!entry.is_object()) return Invalid(where, "must be an object");
  for (const auto& [key, value] : entry.items()) {
    if (key != "name" && key != "sha256" && key != "accounts" && key != "methods") {
      return Invalid(where, absl::StrCat("unknown key \"", key,
                                         "\" (allowed: name, sha256, accounts, methods)"));
    }
  }
  auto grant = std::make_shared<Grant>();
  const auto name = entry.find("name");
  if (name == entry.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return Invalid(where, "\"name\" must be a non-empty string");
  }
  grant->name = name->get<std::string>();
  absl::StrAppend(&where, " (\"", grant->name, "\")");
  TokenEntry parsed;
  const auto hash = entry.find("sha256");
  if (hash == entry.end() || !hash->is_string() ||
      !ParseHexDigest(hash->get<std::string>(), &parsed.sha256)) {
    return Invalid(where,
                   "\"sha256\" must be the token's SHA-256 as 64 hex digits "
                   "(printf %s \"$TOKEN\" | sha256sum)");
  }
  std::vector<std::string> accounts, methods;
  if (absl::Status status = ParseScope(entry, "accounts", where, &grant->accounts, &accounts);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = ParseScope(entry, "methods", where, &grant->methods, &methods);
      !status.ok()) {
    return status;
  }
  for (const std::string& method : methods) {
    if (method != "*" && known_methods.count(method) == 0) {
      return Invalid(where, absl::StrCat("\"", method, "\" is not a BridgeService method"));
    }
  }
  parsed.grant = std::move(grant);
  return parsed;
}

}  // namespace

absl::StatusOr<std::vector<TokenEntry>> ParseTokensFile(
    std::string_view text, const std::set<std::string>& known_methods) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  const auto tokens = root.is_object() ? root.find("tokens") : root.end();
  if (!root.is_object() || tokens == root.end() || !tokens->is_array()) {
    return absl::InvalidArgumentError("must be an object with a \"tokens\" array");
  }
  std::vector<TokenEntry> entries;
  std::set<std::string> names;
  std::set<Sha256Digest> hashes;
  for (std::size_t i = 0; i < tokens->size(); ++i) {
    absl::StatusOr<TokenEntry> entry = ParseEntry((*tokens)[i], i, known_methods);
    if (!entry.ok()) return entry.status();
    if (!names.insert(entry->grant->name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens[", i, "]: the name \"", entry->grant->name, "\" is used twice"));
    }
    if (!hashes.insert(entry->sha256).second) {
      return absl::InvalidArgumentError(absl::StrCat("tokens[", i, "] (\"", entry->grant->name,
                                                     "\"): the same token hash is listed twice"));
    }
    entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<TokenEntry>> LoadTokensFile(const std::string& path,
                                                       const std::set<std::string>& known_methods) {
  absl::StatusOr<std::string> text = ReadFileText(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<TokenEntry>> entries = ParseTokensFile(*text, known_methods);
  if (!entries.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", entries.status().message()));
  }
  return entries;
}

}  // namespace wxbridge::auth
