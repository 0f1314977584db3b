#include "core/data/ColumnMapping.h"

#include "core/data/Utf8.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <set>

namespace fts::data {
namespace {

const std::initializer_list<const char*> kTextNames = {
    "text", "sentence", "sentences", "review", "content", "document", "comment", "body", "message",
    "tweet", "description", "abstract", "utterance", "passage", "quote", "excerpt", "article", "title"};
const std::initializer_list<const char*> kLabelNames = {
    "label", "labels", "class", "category", "topic", "target", "sentiment", "intent", "tag", "rating", "stars", "y"};
const std::initializer_list<const char*> kPromptNames = {"prompt", "instruction", "question", "query", "input", "source"};
const std::initializer_list<const char*> kResponseNames = {"response", "output", "answer", "completion", "reply",
                                                           "summary", "chosen"};

std::string normalName(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isspace(c)) continue;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

// The names for a message: at most 20, each cut to 40 bytes (a binary "header" can be huge).
std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 20; ++i) {
    std::string n = names[i];
    if (n.size() > 40) {
      std::size_t cut = 37;
      while (cut > 0 && (static_cast<unsigned char>(n[cut]) & 0xC0) == 0x80) --cut;
      n = n.substr(0, cut) + "...";
    }
    out += (out.empty() ? "" : ", ") + n;
  }
  if (names.size() > 20) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out.empty() ? "none" : out;
}

int byRequest(const std::vector<std::string>& names, const std::string& wanted) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == wanted) return static_cast<int>(i);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (normalName(names[i]) == normalName(wanted)) return static_cast<int>(i);
  return -1;
}

int byUsualName(const std::vector<std::string>& names, std::initializer_list<const char*> usual,
                std::initializer_list<int> taken) {
  for (const char* u : usual)
    for (std::size_t i = 0; i < names.size(); ++i)
      if (normalName(names[i]) == u && std::find(taken.begin(), taken.end(), static_cast<int>(i)) == taken.end())
        return static_cast<int>(i);
  return -1;
}

bool looksNumeric(const std::string& v) {
  if (v.empty()) return false;
  bool digit = false;
  for (unsigned char c : v) {
    if (std::isdigit(c)) digit = true;
    else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' && c != ' ') return false;
  }
  return digit;
}

// The column whose values are longest on average, ignoring numeric ones. -1 when none qualifies.
int mostTextLike(const std::vector<std::string>& names, const std::vector<std::vector<std::string>>& preview,
                 std::initializer_list<int> taken) {
  int best = -1;
  double bestLen = 0;
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (std::find(taken.begin(), taken.end(), static_cast<int>(c)) != taken.end()) continue;
    std::size_t n = 0, numeric = 0, chars = 0;
    for (const auto& row : preview) {
      if (c >= row.size() || row[c].empty()) continue;
      ++n;
      numeric += looksNumeric(row[c]);
      chars += countCodePoints(row[c]);
    }
    if (n == 0 || numeric * 5 >= n * 4) continue;  // mostly numbers: ids, scores
    const double mean = static_cast<double>(chars) / static_cast<double>(n);
    if (mean > bestLen) {
      bestLen = mean;
      best = static_cast<int>(c);
    }
  }
  return best;
}

// For classification without a named label column: the short-valued column with the fewest
// distinct values (at least two) that repeat.
int mostLabelLike(const std::vector<std::string>& names, const std::vector<std::vector<std::string>>& preview,
                  int textCol) {
  int best = -1;
  std::size_t bestDistinct = 0;
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (static_cast<int>(c) == textCol) continue;
    std::set<std::string> distinct;
    std::size_t n = 0, chars = 0;
    for (const auto& row : preview) {
      if (c >= row.size() || row[c].empty()) continue;
      ++n;
      chars += row[c].size();
      distinct.insert(row[c]);
    }
    if (n == 0 || distinct.size() < 2 || distinct.size() >= n || distinct.size() > 200) continue;
    if (chars / n > 40) continue;
    if (best < 0 || distinct.size() < bestDistinct) {
      best = static_cast<int>(c);
      bestDistinct = distinct.size();
    }
  }
  return best;
}

}  // namespace

const char* toString(DataTask t) {
  switch (t) {
    case DataTask::Auto: return "auto";
    case DataTask::Classification: return "cls";
    case DataTask::LanguageModel: return "lm";
  }
  return "auto";
}

bool parseDataTask(const std::string& name, DataTask& task) {
  if (name == "auto" || name.empty()) task = DataTask::Auto;
  else if (name == "cls") task = DataTask::Classification;
  else if (name == "lm") task = DataTask::LanguageModel;
  else return false;
  return true;
}

ColumnChoice chooseColumns(const std::vector<std::string>& names, const std::vector<std::vector<std::string>>& preview,
                           const ColumnRequest& req) {
  ColumnChoice out;
  const std::string& noun = req.noun;
  const std::string list = " (" + noun + "s: " + joinNames(names) + ")";
  auto requested = [&](const std::string& wanted, const char* role, const char* flag) {
    const int i = byRequest(names, wanted);
    if (i < 0) out.error = "no " + noun + " named '" + wanted + "'" + list + ": choose the " + role + " " + noun + " with " + flag;
    return i;
  };
  const bool classification = req.task == DataTask::Classification;

  // Prompt/response pairs: asked for, or both named so and no plain text column.
  if (!req.response.empty()) {
    if ((out.response = requested(req.response, "response", "--response-col")) < 0) return out;
  }
  if (!req.text.empty()) {
    if ((out.text = requested(req.text, "text", "--text-col")) < 0) return out;
  }
  if (!req.label.empty()) {
    if ((out.label = requested(req.label, "label", "--label-col")) < 0) return out;
  }
  if (out.response < 0 && req.text.empty() && !classification) {
    const int prompt = byUsualName(names, kPromptNames, {out.label});
    const int response = byUsualName(names, kResponseNames, {out.label, prompt});
    if (prompt >= 0 && response >= 0 && byUsualName(names, kTextNames, {out.label}) < 0) {
      out.text = prompt;
      out.response = response;
      out.notes.push_back("prompt " + noun + ": " + names[static_cast<std::size_t>(prompt)] + ", response " + noun +
                          ": " + names[static_cast<std::size_t>(response)] + " (choose others with --text-col and --response-col)");
    }
  }
  if (out.response >= 0 && out.text < 0) {
    out.text = byUsualName(names, kPromptNames, {out.response, out.label});
    if (out.text < 0) out.text = byUsualName(names, kTextNames, {out.response, out.label});
    if (out.text < 0) {
      out.error = "no prompt " + noun + " found" + list + ": name one 'prompt' or choose it with --text-col";
      return out;
    }
  }
  if (out.text < 0) {
    out.text = byUsualName(names, kTextNames, {out.label});
    if (out.text >= 0) {
      out.notes.push_back("text " + noun + ": " + names[static_cast<std::size_t>(out.text)]);
    } else {
      out.text = mostTextLike(names, preview, {out.label});
      if (out.text < 0) {
        out.error = "no text " + noun + " found" + list + ": name one 'text' or choose it with --text-col";
        return out;
      }
      out.notes.push_back("text " + noun + ": " + names[static_cast<std::size_t>(out.text)] +
                          " (the most text-like; choose another with --text-col)");
    }
  } else if (out.response < 0) {
    out.notes.push_back("text " + noun + ": " + names[static_cast<std::size_t>(out.text)]);
  }

  if (req.task == DataTask::LanguageModel) {
    if (out.label >= 0 || byUsualName(names, kLabelNames, {out.text, out.response}) >= 0)
      out.notes.push_back("labels ignored: language-model training uses the text only");
    out.label = -1;
    return out;
  }
  if (out.response >= 0) {
    if (classification)
      out.error = "classification needs a label " + noun + ", not a prompt/response pair: choose it with --label-col";
    out.label = -1;
    return out;
  }
  if (out.label < 0) out.label = byUsualName(names, kLabelNames, {out.text});
  if (out.label < 0 && classification) {
    out.label = mostLabelLike(names, preview, out.text);
    if (out.label >= 0)
      out.notes.push_back("label " + noun + ": " + names[static_cast<std::size_t>(out.label)] +
                          " (guessed from its values; choose another with --label-col)");
  } else if (out.label >= 0) {
    out.notes.push_back("label " + noun + ": " + names[static_cast<std::size_t>(out.label)]);
  }
  if (out.label == out.text && out.label >= 0) {
    out.error = "the text and the label are the same " + noun + " ('" + names[static_cast<std::size_t>(out.text)] +
                "'): choose different ones with --text-col and --label-col";
    return out;
  }
  if (out.label < 0 && classification)
    out.error = "no label " + noun + " found" + list + ": classification needs one; name it 'label' or choose it with --label-col";
  return out;
}

}  // namespace fts::data
