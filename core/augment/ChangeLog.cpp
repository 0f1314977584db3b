#include "core/augment/ChangeLog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace fts::augment {
namespace {

using Json = nlohmann::ordered_json;

std::string describeEdit(std::size_t i, const Edit& e) {
  return "edit " + std::to_string(i) + " (" + shortName(e.op) + " at bytes " + std::to_string(e.sourceBegin) + "-" +
         std::to_string(e.sourceEnd) + ")";
}

}  // namespace

std::string applyChangeLog(std::string_view source, const ChangeLog& log) {
  std::string out;
  out.reserve(source.size() + 16);
  std::size_t at = 0;  // source bytes copied so far
  for (std::size_t i = 0; i < log.edits.size(); ++i) {
    const Edit& e = log.edits[i];
    if (e.sourceBegin > e.sourceEnd || e.sourceEnd > source.size())
      throw std::invalid_argument(describeEdit(i, e) + ": range outside the source (" + std::to_string(source.size()) +
                                  " bytes)");
    if (e.sourceBegin < at)
      throw std::invalid_argument(describeEdit(i, e) + ": out of order or overlapping the edit before it");
    if (source.substr(e.sourceBegin, e.sourceEnd - e.sourceBegin) != e.oldToken)
      throw std::invalid_argument(describeEdit(i, e) + ": the source holds other bytes than its old token '" +
                                  e.oldToken + "'");
    out.append(source.substr(at, e.sourceBegin - at));
    out += e.newToken;
    at = e.sourceEnd;
  }
  out.append(source.substr(at));
  return out;
}

std::string finishChangeLog(std::string_view source, ChangeLog& log) {
  std::stable_sort(log.edits.begin(), log.edits.end(),
                   [](const Edit& a, const Edit& b) { return a.sourceBegin < b.sourceBegin; });
  std::string out;
  out.reserve(source.size() + 16);
  std::size_t at = 0;
  for (Edit& e : log.edits) {
    out.append(source.substr(at, e.sourceBegin - at));
    e.outputBegin = out.size();
    out += e.newToken;
    e.outputEnd = out.size();
    at = e.sourceEnd;
  }
  out.append(source.substr(at));
  return out;
}

std::size_t changedWordCount(const ChangeLog& log) {
  std::set<int> words;
  for (const auto& e : log.edits) words.insert(e.wordIndex);
  return words.size();
}

std::string opsLabel(const std::vector<Operation>& ops) {
  std::string s;
  for (Operation op : ops) {
    if (!s.empty()) s += '+';
    s += shortName(op);
  }
  return s;
}

std::string toJsonLine(const Variant& v) {
  Json j;
  j["source_row"] = v.sourceRow;
  j["variant"] = v.index;
  Json ops = Json::array();
  for (Operation op : v.ops) ops.push_back(shortName(op));
  j["ops"] = ops;
  j["output"] = v.output;
  Json edits = Json::array();
  for (const Edit& e : v.log.edits)
    edits.push_back({{"op", shortName(e.op)},
                     {"word", e.wordIndex},
                     {"source_begin", e.sourceBegin},
                     {"source_end", e.sourceEnd},
                     {"output_begin", e.outputBegin},
                     {"output_end", e.outputEnd},
                     {"old", e.oldToken},
                     {"new", e.newToken},
                     {"from", e.from}});
  j["edits"] = edits;
  // replace: a source with invalid UTF-8 never reaches here (the loaders reject it), but a log
  // line must never throw on output.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Variant parseJsonLine(std::string_view line, const std::string& where) {
  try {
    const Json j = Json::parse(line);
    Variant v;
    v.sourceRow = j.at("source_row").get<std::int64_t>();
    v.index = j.at("variant").get<int>();
    for (const auto& name : j.at("ops")) {
      const auto op = parseOperation(name.get<std::string>());
      if (!op) throw std::invalid_argument("unknown operation '" + name.get<std::string>() + "'");
      v.ops.push_back(*op);
    }
    v.output = j.at("output").get<std::string>();
    for (const auto& je : j.at("edits")) {
      Edit e;
      const auto op = parseOperation(je.at("op").get<std::string>());
      if (!op) throw std::invalid_argument("unknown operation '" + je.at("op").get<std::string>() + "'");
      e.op = *op;
      e.wordIndex = je.at("word").get<int>();
      e.sourceBegin = je.at("source_begin").get<std::size_t>();
      e.sourceEnd = je.at("source_end").get<std::size_t>();
      e.outputBegin = je.at("output_begin").get<std::size_t>();
      e.outputEnd = je.at("output_end").get<std::size_t>();
      e.oldToken = je.at("old").get<std::string>();
      e.newToken = je.at("new").get<std::string>();
      e.from = je.value("from", std::string());
      v.log.edits.push_back(std::move(e));
    }
    return v;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(where + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(where + ": not a change-log line (" + std::string(e.what()) + ")");
  }
}

}  // namespace fts::augment
