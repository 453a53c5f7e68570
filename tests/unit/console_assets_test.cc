// The console is served from the binary: "/" and its three files must be there with the
// types a browser needs, and nothing in them may point outside the machine.
#include "server/http/console_assets.h"

#include <string>

#include "gtest/gtest.h"

namespace wxbridge::http {
namespace {

TEST(ConsoleAssetsTest, RootIsIndexHtml) {
  const ConsoleAsset* root = FindConsoleAsset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root, FindConsoleAsset("/index.html"));
  EXPECT_EQ(root->path, "/index.html");
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(root->body.substr(0, 15), "<!DOCTYPE html>");
}

TEST(ConsoleAssetsTest, EachFileHasItsContentTypeAndABody) {
  const std::pair<const char*, const char*> files[] = {
      {"/index.html", "text/html; charset=utf-8"},
      {"/console.js", "text/javascript; charset=utf-8"},
      {"/console.css", "text/css; charset=utf-8"}};
  for (const auto& [path, type] : files) {
    const ConsoleAsset* asset = FindConsoleAsset(path);
    ASSERT_NE(asset, nullptr) << path;
    EXPECT_EQ(asset->path, path);
    EXPECT_EQ(asset->content_type, type) << path;
    EXPECT_FALSE(asset->body.empty()) << path;
  }
}

TEST(ConsoleAssetsTest, IndexLoadsTheScriptAndStylesheetByRelativeUrl) {
  const std::string_view index = FindConsoleAsset("/")->body;
  EXPECT_NE(index.find("src=\"console.js\""), std::string_view::npos);
  EXPECT_NE(index.find("href=\"console.css\""), std::string_view::npos);
}

TEST(ConsoleAssetsTest, NoAssetNamesAnOutsideUrl) {
  for (const char* path : {"/index.html", "/console.js", "/console.css"}) {
    const std::string_view body = FindConsoleAsset(path)->body;
    EXPECT_EQ(body.find("http://"), std::string_view::npos) << path;
    EXPECT_EQ(body.find("https://"), std::string_view::npos) << path;
    EXPECT_EQ(body.find("//cdn"), std::string_view::npos) << path;
  }
}

TEST(ConsoleAssetsTest, UnknownPathsAreNotFound) {
  for (const char* path : {"", "index.html", "/missing.js", "/index.html/", "/../index.html",
                           "/v1/GetStatus", "/INDEX.HTML", "//"}) {
    EXPECT_EQ(FindConsoleAsset(path), nullptr) << "'" << path << "'";
  }
}

}  // namespace
}  // namespace wxbridge::http
