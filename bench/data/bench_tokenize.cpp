// Tokenizes every line of a text file with our SentencePiece path (the shim, dlopen'ed), three ways:
// encode only; encode and print the ids as spm_encode --output_format=id does (the like-for-like
// figure); and encodeMany on all cores. run.sh times spm_encode on the same file for the ratio.
#include "core/text/SentencePieceTokenizer.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {
double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_tokenize tokenizer.model FILE [THREADS]\n");
    return 2;
  }
  const auto tok = fts::SentencePieceTokenizer::load(argv[1]);
  const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<std::string> lines;
  std::size_t bytes = 0;
  for (std::string line; std::getline(in, line);) {
    bytes += line.size() + 1;
    lines.push_back(std::move(line));
  }
  const double mb = static_cast<double>(bytes) / (1 << 20);
  std::printf("file: %s (%.1f MB, %zu lines), vocabulary %d\n", argv[2], mb, lines.size(), tok.vocabSize());

  auto t = std::chrono::steady_clock::now();
  std::size_t ids = 0;
  for (const auto& l : lines) ids += tok.encode(l).size();
  double s = seconds(t);
  std::printf("encode, 1 thread:            %.2f s, %.2f MB/s, %zu ids\n", s, mb / s, ids);

  std::FILE* devnull = std::fopen("/dev/null", "wb");
  t = std::chrono::steady_clock::now();
  std::string out;
  for (const auto& l : lines) {
    out.clear();
    for (int id : tok.encode(l)) {
      out += std::to_string(id);
      out.push_back(' ');
    }
    if (!out.empty()) out.back() = '\n';
    else out = "\n";
    std::fwrite(out.data(), 1, out.size(), devnull);
  }
  std::fclose(devnull);
  s = seconds(t);
  std::printf("encode + print ids, 1 thread: %.2f s, %.2f MB/s\n", s, mb / s);

  std::vector<std::string_view> views(lines.begin(), lines.end());
  t = std::chrono::steady_clock::now();
  const auto many = tok.encodeMany(views, threads);
  s = seconds(t);
  std::size_t idsMany = 0;
  for (const auto& v : many) idsMany += v.size();
  std::printf("encodeMany, %d threads:       %.2f s, %.2f MB/s, %zu ids\n", threads, s, mb / s, idsMany);
  return idsMany == ids ? 0 : 1;
}
