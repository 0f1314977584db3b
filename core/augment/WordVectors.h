#pragma once
// Word vectors in word2vec's text format (first line "count dim", then "word v1 ... vdim" a line),
// e.g. GloVe converted by `make models` or the user's own; nearest neighbours by cosine similarity.
#include "core/augment/SynonymSource.h"

#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace fts::augment {

class WordVectors : public NeighbourIndex {
 public:
  // Reads at most maxWords words (0: all; word2vec files list frequent words first). Throws
  // std::runtime_error naming FILE:LINE for a malformed line (wrong number of values, not a number).
  static std::shared_ptr<WordVectors> loadWord2VecText(const std::filesystem::path& file, std::size_t maxWords = 0);

  std::string name() const override { return name_; }
  // Brute force over every vector (cached per word; thread-safe).
  std::vector<std::string> nearest(std::string_view word, int k, float minCosine) const override;
  std::size_t size() const { return words_.size(); }
  int dim() const { return dim_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::string name_;
  int dim_ = 0;
  std::vector<std::string> words_;
  std::vector<float> unit_;  // [words, dim], each row scaled to length 1
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> row_;
  mutable std::mutex cacheMutex_;
  mutable std::unordered_map<std::string, std::vector<std::pair<std::string, float>>> cache_;  // word -> top neighbours
};

}  // namespace fts::augment
