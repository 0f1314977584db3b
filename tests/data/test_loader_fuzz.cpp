// Never a crash, whatever the bytes: random files, truncated and mutated fixtures, every format,
// both policies, tiny read chunks. loadDataset must return or throw DataError, nothing else.
#include "DataTestSupport.h"

#include "core/data/SeededShuffle.h"

using namespace fts::data;

namespace {

const std::vector<DataFormat> kFormats = {DataFormat::Auto, DataFormat::Csv, DataFormat::Tsv, DataFormat::Jsonl,
                                          DataFormat::Lines, DataFormat::Text, DataFormat::Fortune};

// Loads with every format and policy; returns how many loads succeeded. Fails the test on any
// exception other than DataError (a crash fails it by itself).
int loadEveryWay(const std::string& path, std::uint64_t salt) {
  int ok = 0;
  for (std::size_t f = 0; f < kFormats.size(); ++f) {
    LoadOptions o;
    o.format = kFormats[f];
    o.onError = (salt + f) % 2 ? ErrorPolicy::SkipAndReport : ErrorPolicy::StopAtFirst;
    o.readChunkBytes = 1 + (salt * 7 + f) % 97;
    o.maxFieldBytes = (salt + f) % 3 == 0 ? 16 : (1u << 20);
    o.task = static_cast<DataTask>((salt + f) % 3);
    try {
      const auto r = loadDataset(path, o);
      for (const auto& s : r.dataset.samples) {
        if (s.text.empty()) throw std::logic_error("a sample with empty text came back");
      }
      ++ok;
    } catch (const DataError& e) {
      if (e.issues().empty()) throw std::logic_error("DataError without issues");
    }
  }
  return ok;
}

std::string randomBytes(SeededRandom& rng, std::size_t n, bool texty) {
  static const std::string alphabet = "ab,;\t|\"\n\r %{}[]:\\0\xC3\xA9\xE4\xB8\xAD";
  std::string s(n, '\0');
  for (auto& c : s)
    c = texty ? alphabet[rng.below(alphabet.size())] : static_cast<char>(rng.below(256));
  return s;
}

std::vector<std::string> fixtureFiles() {
  std::vector<std::string> out;
  for (const char* sub : {"good", "bad"})
    for (const auto& e : std::filesystem::directory_iterator(fts::data::test::fixture(sub)))
      if (e.is_regular_file()) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class TestLoaderFuzz : public QObject {
  Q_OBJECT
 private slots:
  void randomBytes() {
    QTemporaryDir dir;
    SeededRandom rng(2024);
    for (int i = 0; i < 150; ++i) {
      const std::size_t n = rng.below(700);
      const std::string bytes = ::randomBytes(rng, n, i % 2 == 0);
      const std::string path = fts::data::test::writeFile(dir, "r" + std::to_string(i % 4) + (i % 3 ? ".csv" : ".bin"), bytes);
      try {
        loadEveryWay(path, static_cast<std::uint64_t>(i));
      } catch (const std::exception& e) {
        QFAIL((std::string("random file ") + std::to_string(i) + ": " + e.what()).c_str());
      }
    }
  }

  void truncatedFixtures() {
    QTemporaryDir dir;
    std::uint64_t salt = 0;
    for (const auto& file : fixtureFiles()) {
      const std::string bytes = readAll(file);
      const std::string ext = std::filesystem::path(file).extension().string();
      // Every cut of small files, about 40 cuts of larger ones.
      const std::size_t step = std::max<std::size_t>(1, bytes.size() / 40);
      for (std::size_t cut = 0; cut <= bytes.size(); cut += step) {
        const auto path = fts::data::test::writeFile(dir, "t" + ext, bytes.substr(0, cut));
        try {
          loadEveryWay(path, salt++);
        } catch (const std::exception& e) {
          QFAIL((file + " cut at " + std::to_string(cut) + ": " + e.what()).c_str());
        }
      }
    }
  }

  void mutatedFixtures() {
    QTemporaryDir dir;
    SeededRandom rng(99);
    std::uint64_t salt = 0;
    for (const auto& file : fixtureFiles()) {
      const std::string original = readAll(file);
      if (original.empty()) continue;
      for (int k = 0; k < 6; ++k) {
        std::string bytes = original;
        for (int flips = 0; flips < 1 + k; ++flips) bytes[rng.below(bytes.size())] = static_cast<char>(rng.below(256));
        if (k == 5) bytes.insert(rng.below(bytes.size()), std::string(40, '"'));  // quote storms
        const auto path = fts::data::test::writeFile(dir, "m" + std::filesystem::path(file).extension().string(), bytes);
        try {
          loadEveryWay(path, salt++);
        } catch (const std::exception& e) {
          QFAIL((file + " mutation " + std::to_string(k) + ": " + e.what()).c_str());
        }
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestLoaderFuzz)
#include "test_loader_fuzz.moc"
