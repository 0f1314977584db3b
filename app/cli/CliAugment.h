#pragma once
// `ftstudio augment`: writes an augmented copy of a data file (EDA, AEDA, character noise) with a
// change log per variant, or previews a few samples with their changes marked.
namespace CLI {
class App;
}

namespace fts::cli {

// Sets exitCode when it runs: 0 done, 2 a file or an option that cannot be used (FILE:LINE messages
// on stderr).
void addAugmentCommand(CLI::App& app, int& exitCode);

}  // namespace fts::cli
