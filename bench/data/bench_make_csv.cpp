// Writes a realistic classification CSV of about N MB: id,text,label with quoted fields holding
// commas, doubled quotes and line breaks, some accented and CJK text. Deterministic (seeded).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
std::uint64_t state = 0x9E3779B97F4A7C15ull;
std::uint64_t next() {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
const char* kWords[] = {"the", "model", "learns", "from", "data", "and", "every", "epoch", "brings", "a", "lower",
                        "loss", "while", "validation", "accuracy", "rises", "slowly", "café", "naïve", "résumé",
                        "数据", "模型", "训练", "tokens", "batch", "gradient", "of", "in", "to", "with"};
const char* kLabels[] = {"science", "computers", "food", "politics", "sports", "art"};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_make_csv OUT.csv SIZE_MB\n");
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "wb");
  if (!f) return 1;
  const std::uint64_t target = std::strtoull(argv[2], nullptr, 10) << 20;
  std::uint64_t written = 0;
  std::string row = "id,text,label\n";
  for (std::uint64_t id = 1; written < target; ++id) {
    written += std::fwrite(row.data(), 1, row.size(), f);
    row = std::to_string(id) + ",";
    const int words = 8 + static_cast<int>(next() % 80);
    const bool quoted = next() % 4 == 0;
    std::string text;
    for (int w = 0; w < words; ++w) {
      if (w) text += (quoted && next() % 10 == 0) ? ", " : " ";
      text += kWords[next() % 30];
      if (quoted && next() % 40 == 0) text += " \"\"quoted\"\"";
      if (quoted && next() % 60 == 0) text += "\n";
    }
    row += quoted ? "\"" + text + "\"" : text;
    row += ",";
    row += kLabels[next() % 6];
    row += "\n";
  }
  std::fclose(f);
  std::printf("%s: %.1f MB\n", argv[1], static_cast<double>(written) / (1 << 20));
  return 0;
}
