#include "core/data/Fingerprint.h"

#include "core/data/ByteSource.h"
#include "core/data/Hash64.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace fts::data {
namespace {

namespace fs = std::filesystem;

void hashFileBytes(const fs::path& file, Hasher64& h) {
  ByteSource src = ByteSource::openFile(file);
  std::uint64_t total = 0;
  while (!src.window().empty()) {
    h.update(src.window());
    total += src.window().size();
    src.consume(src.window().size());
    if (!src.readMore()) break;
  }
  h.updateU64(total);
}

}  // namespace

std::string fingerprintFile(const fs::path& path) {
  std::error_code ec;
  Hasher64 h;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), path, ec));
    }
    if (ec) throw std::runtime_error(path.string() + ": cannot list the folder: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& rel : files) {
      const std::string name = rel.generic_string();
      h.updateU64(name.size());
      h.update(name);
      hashFileBytes(path / rel, h);
    }
  } else {
    hashFileBytes(path, h);
  }
  return toHex64(h.digest());
}

std::string fingerprintSamples(const Dataset& data) {
  Hasher64 h;
  h.updateU64(data.samples.size());
  for (const auto& s : data.samples) {
    for (const std::string* field : {&s.text, &s.label, &s.response}) {
      h.updateU64(field->size());
      h.update(*field);
    }
  }
  return toHex64(h.digest());
}

}  // namespace fts::data
