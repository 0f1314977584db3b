#pragma once
// `ftstudio data overlap`: which texts of a corpus share an n-gram with evaluation data.
namespace CLI {
class App;
}

namespace fts::cli {

// Adds `overlap` under the `data` command. Sets exitCode when it runs: 0 no overlap, 1 overlap
// found (each pair printed), 2 a file that cannot be used (its FILE:LINE: messages on stderr).
void addDataOverlapCommand(CLI::App& data, int& exitCode);

}  // namespace fts::cli
