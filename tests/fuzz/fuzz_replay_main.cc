// Runs a fuzz target without libFuzzer: over every file in the given corpus directories
// and over deterministic mutations of each (bit flips, truncations, duplications, byte
// insertions), so that ctest exercises every parser's robustness with any compiler. One
// main for every target (tests/fuzz/CMakeLists.txt links it to each).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string Mutate(std::string input, std::mt19937& random) {
  static const char kInteresting[] = "{}[]\",:\\0-1e9\xff\xc3\xe4\xbd";
  const int kind = random() % 5;
  if (input.empty()) return std::string(1, kInteresting[random() % (sizeof kInteresting - 1)]);
  const std::size_t at = random() % input.size();
  switch (kind) {
    case 0:
      input[at] = static_cast<char>(input[at] ^ (1u << (random() % 8)));
      break;
    case 1:
      input.resize(at);
      break;
    case 2:
      input.insert(at, input.substr(at, random() % 64));
      break;
    case 3:
      input.insert(at, 1, kInteresting[random() % (sizeof kInteresting - 1)]);
      break;
    default:
      input.erase(at, random() % 16);
      break;
  }
  return input;
}

}  // namespace

int main(int argc, char** argv) {
  // Hostile shapes no corpus file needs to carry: empty, and nesting far past any limit.
  std::vector<std::string> seeds = {"", std::string(10000, '['), std::string(10000, '{')};
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(argv[i], ec)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream file(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << file.rdbuf();
      seeds.push_back(text.str());
      ++files;
    }
    if (files == 0) {  // a moved or misspelt corpus must not pass silently
      std::fprintf(stderr, "fuzz replay: no corpus files in %s\n", argv[i]);
      return 1;
    }
  }
  std::mt19937 random(20261129);  // fixed seed: a failure reproduces
  const int kMutationsPerSeed = 300;
  for (const auto& seed : seeds) {
    Run(seed);
    std::string current = seed;
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      current = (i % 10 == 0) ? seed : Mutate(current, random);
      Run(current);
    }
  }
  std::printf("fuzz replay: %zu seeds, %d mutations each: no crash\n", seeds.size(),
              kMutationsPerSeed);
  return 0;
}
