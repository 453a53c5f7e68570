#include "server/http/console_assets.h"

#include <string>
#include <vector>

#include "server/http/console_files.h"

namespace wxbridge::http {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The console holds only these kinds; anything else is served as opaque bytes.
std::string_view ContentTypeFor(std::string_view name) {
  if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

struct AssetTable {
  std::vector<std::string> paths;  // owns the "/name" strings the assets point into
  std::vector<ConsoleAsset> assets;
};

const AssetTable& Assets() {
  static const AssetTable* table = [] {
    auto* t = new AssetTable;
    t->paths.reserve(kConsoleFileCount);
    for (std::size_t i = 0; i < kConsoleFileCount; ++i) {
      t->paths.push_back("/" + std::string(kConsoleFiles[i].name));
    }
    for (std::size_t i = 0; i < kConsoleFileCount; ++i) {
      t->assets.push_back(
          {t->paths[i], ContentTypeFor(kConsoleFiles[i].name), kConsoleFiles[i].bytes});
    }
    return t;
  }();
  return *table;
}

}  // namespace

const ConsoleAsset* FindConsoleAsset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const ConsoleAsset& asset : Assets().assets) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace wxbridge::http
