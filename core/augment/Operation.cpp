#include "core/augment/Operation.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace fts::augment {
namespace {

constexpr Operation kAll[] = {Operation::SynonymReplacement, Operation::RandomInsertion, Operation::RandomSwap,
                              Operation::RandomDeletion,     Operation::Punctuation,     Operation::CharacterNoise,
                              Operation::WordSubstitution};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const char* shortName(Operation op) {
  switch (op) {
    case Operation::SynonymReplacement: return "sr";
    case Operation::RandomInsertion: return "ri";
    case Operation::RandomSwap: return "rs";
    case Operation::RandomDeletion: return "rd";
    case Operation::Punctuation: return "aeda";
    case Operation::CharacterNoise: return "char";
    case Operation::WordSubstitution: return "sub";
  }
  return "?";
}

const char* describe(Operation op) {
  switch (op) {
    case Operation::SynonymReplacement: return "synonym replacement";
    case Operation::RandomInsertion: return "random insertion of a synonym";
    case Operation::RandomSwap: return "random swap of two words";
    case Operation::RandomDeletion: return "random deletion";
    case Operation::Punctuation: return "punctuation insertion (AEDA)";
    case Operation::CharacterNoise: return "character noise";
    case Operation::WordSubstitution: return "word substitution (attack)";
  }
  return "?";
}

std::optional<Operation> parseOperation(std::string_view name) {
  for (Operation op : kAll)
    if (name == shortName(op)) return op;
  return std::nullopt;
}

double defaultRate(Operation op) {
  switch (op) {
    case Operation::Punctuation: return 1.0 / 3.0;  // AEDA: up to a third of the words
    default: return 0.1;                            // EDA's alpha for most data sizes
  }
}

std::vector<OperationRate> parseOperations(std::string_view spec) {
  std::vector<OperationRate> ops;
  const std::string known = "sr, ri, rs, rd, aeda, char";
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string_view name = trim(item.substr(0, eq));
    const auto op = parseOperation(name);
    if (!op || *op == Operation::WordSubstitution)
      throw std::invalid_argument("unknown operation '" + std::string(name) + "' (known: " + known + ")");
    OperationRate r{*op, defaultRate(*op)};
    if (eq != std::string_view::npos) {
      const std::string value(trim(item.substr(eq + 1)));
      char* end = nullptr;
      r.rate = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(r.rate) || r.rate <= 0 || r.rate > 1)
        throw std::invalid_argument("'" + std::string(item) + "': the rate must be a number in (0, 1], e.g. " +
                                    std::string(name) + "=0.1");
    }
    for (const auto& o : ops)
      if (o.op == r.op) throw std::invalid_argument("'" + std::string(name) + "' is given twice");
    ops.push_back(r);
  }
  if (ops.empty()) throw std::invalid_argument("no operation given (known: " + known + "), e.g. \"sr=0.1,rd=0.1\"");
  return ops;
}

std::string formatOperations(const std::vector<OperationRate>& ops) {
  std::string out;
  for (const auto& o : ops) {
    if (!out.empty()) out += ',';
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", o.rate);
    out += shortName(o.op);
    out += '=';
    out += buf;
  }
  return out;
}

}  // namespace fts::augment
