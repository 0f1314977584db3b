#pragma once
// The augmentation operations, their short names ("sr", "ri", ...) and the --ops specification that
// picks them with their rates: "sr=0.1,ri=0.1,rs=0.1,rd=0.1,aeda=0.3,char=0.1".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fts::augment {

enum class Operation {
  SynonymReplacement,  // sr: n words replaced by a synonym (EDA)
  RandomInsertion,     // ri: a synonym of a word of the sentence inserted at a random place, n times (EDA)
  RandomSwap,          // rs: two words swapped, n times (EDA)
  RandomDeletion,      // rd: n words deleted (EDA)
  Punctuation,         // aeda: punctuation marks inserted between words (AEDA)
  CharacterNoise,      // char: typos inside words (keyboard neighbours, swaps, deletions, insertions)
  WordSubstitution,    // sub: a word replaced by an attack (core/attack shares the change log)
};

// "sr", "ri", "rs", "rd", "aeda", "char", "sub".
const char* shortName(Operation op);
// What the operation does, in a few words (tooltips, --help).
const char* describe(Operation op);
std::optional<Operation> parseOperation(std::string_view name);

// One operation with its rate: alpha for the EDA four (n changed = max(1, round(alpha x words))),
// the largest share of the word count for aeda (EDA's authors use 1/3), the per-word probability
// for char.
struct OperationRate {
  Operation op = Operation::SynonymReplacement;
  double rate = 0.1;
};

// Parses "sr=0.1,ri=0.1" (a name without "=R" takes its default rate). Throws std::invalid_argument
// naming the bad item and the known names.
std::vector<OperationRate> parseOperations(std::string_view spec);
std::string formatOperations(const std::vector<OperationRate>& ops);
double defaultRate(Operation op);

}  // namespace fts::augment
