// JSON Lines: one object per line; the text, label (or prompt/response) are fields of each object.
#include "core/data/LineReader.h"
#include "core/data/LoaderSupport.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace fts::data::detail {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 64;

const char* typeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "a list";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "true/false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    default: return "a value";
  }
}

// Deeper nesting than any data file needs is refused before parsing (it could exhaust the stack).
bool tooDeep(std::string_view line) {
  int depth = 0;
  bool inString = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (inString) {
      if (c == '\\') ++i;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

// nlohmann's message without its "[json.exception...] parse error at line 1, column 7: " prefix.
std::string shortParseMessage(const std::string& what) {
  const auto col = what.find(", column ");
  const auto colon = col == std::string::npos ? what.find("]") : what.find(": ", col);
  if (colon == std::string::npos) return what;
  return what.substr(colon + 2);
}

std::string previewValue(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return {};
}

struct ParsedLine {
  Json object;
  std::int64_t line = 0;
};

class ObjectChecker {
 public:
  ObjectChecker(const std::vector<std::string>& names, const ColumnChoice& cols, const LoadOptions& options,
                IssueSink& sink, LoadResult& result)
      : names_(names), cols_(cols), options_(options), sink_(sink), result_(result) {}

  void add(const Json& obj, std::int64_t line) {
    Sample s;
    if (!textField(obj, cols_.text, cols_.response >= 0 ? "prompt" : "text", line, s.text)) return;
    if (cols_.response >= 0 && !textField(obj, cols_.response, "response", line, s.response)) return;
    if (cols_.label >= 0 && !labelField(obj, line, s.label)) return;
    s.line = line;
    result_.dataset.samples.push_back(std::move(s));
  }

 private:
  bool textField(const Json& obj, int index, const char* role, std::int64_t line, std::string& out) {
    const std::string& key = names_[static_cast<std::size_t>(index)];
    const auto it = obj.find(key);
    if (it == obj.end()) {
      sink_.row(line, 0, "no field '" + key + "' in this object: every line needs its " + role + " under the same name");
      return false;
    }
    if (!it->is_string()) {
      sink_.row(line, 0, "field '" + key + "' holds " + typeName(*it) + ", not a string: write the " + role +
                             " as a JSON string");
      return false;
    }
    const auto& value = it->get_ref<const std::string&>();
    if (isBlank(value)) {
      sink_.row(line, 0, "empty " + std::string(role) + " in field '" + key + "': fill it in or delete the line");
      return false;
    }
    if (value.size() > options_.maxFieldBytes) {
      sink_.row(line, 0, "field '" + key + "' longer than the maximum of " + std::to_string(options_.maxFieldBytes) +
                             " bytes: raise the maximum field size");
      return false;
    }
    if (value.find('\0') != std::string::npos) {
      sink_.row(line, 0, "field '" + key + "' holds a NUL character (\\u0000): remove it");
      return false;
    }
    out = value;
    return true;
  }

  bool labelField(const Json& obj, std::int64_t line, std::string& out) {
    const std::string& key = names_[static_cast<std::size_t>(cols_.label)];
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      sink_.row(line, 0, "no label: field '" + key + "' is " + (it == obj.end() ? "missing" : "null") +
                             ": give the line a label or delete it");
      return false;
    }
    if (!it->is_string() && !it->is_number() && !it->is_boolean()) {
      sink_.row(line, 0, "field '" + key + "' holds " + typeName(*it) + ": give one label per line as a string or number");
      return false;
    }
    out = it->is_string() ? trim(it->get_ref<const std::string&>()) : it->dump();
    if (out.empty()) {
      sink_.row(line, 0, "empty label in field '" + key + "': give the line a label or delete it");
      return false;
    }
    return true;
  }

  const std::vector<std::string>& names_;
  const ColumnChoice& cols_;
  const LoadOptions& options_;
  IssueSink& sink_;
  LoadResult& result_;
};

}  // namespace

void loadJsonl(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result) {
  source.ensure(3);
  if (source.window().substr(0, 3) == "\xEF\xBB\xBF") source.consume(3);
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  const std::size_t maxLine = options.maxFieldBytes > kMax / 8 ? kMax : std::max<std::size_t>(options.maxFieldBytes * 8, 1u << 20);
  LineReader lines(source, maxLine);

  // Parse lines until enough objects are seen to choose the fields; problems found meanwhile are
  // kept in order and reported once the fields are known (the policy may throw on the first).
  struct Pending {
    std::int64_t line, column;
    std::string message;
    bool isObject;
    std::size_t objectIndex;
  };
  std::vector<Pending> pending;
  std::vector<ParsedLine> objects;
  Line l;
  bool sawContent = false;
  auto parseLine = [&](const Line& ln, std::vector<Pending>& out, std::vector<ParsedLine>& objs) {
    if (ln.tooLong) {
      out.push_back({ln.number, 0, "line longer than " + std::to_string(maxLine) +
                                       " bytes: raise the maximum field size, or check that the file has one JSON object per line",
                     false, 0});
      return;
    }
    if (isBlank(ln.text)) return;
    if (!sawContent) {
      sawContent = true;
      const auto first = ln.text.find_first_not_of(" \t");
      if (first != std::string_view::npos && ln.text[first] == '[')
        sink.fatal(ln.number, "the file is one JSON array, not JSON Lines: write one object per line "
                              "(e.g. jq -c '.[]' FILE > FILE.jsonl)");
    }
    if (const auto p = findUtf8Problem(ln.text)) {
      out.push_back({ln.number, static_cast<std::int64_t>(p->offset) + 1, describeUtf8Problem(*p, ln.offset + p->offset), false, 0});
      return;
    }
    if (tooDeep(ln.text)) {
      out.push_back({ln.number, 0, "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels: flatten the object (a data line needs no more)", false, 0});
      return;
    }
    Json v;
    try {
      v = Json::parse(ln.text.begin(), ln.text.end());
    } catch (const Json::parse_error& e) {
      const auto col = static_cast<std::int64_t>(std::min<std::size_t>(e.byte, ln.text.size()));
      out.push_back({ln.number, std::max<std::int64_t>(col, 1),
                     "invalid JSON (" + shortParseMessage(e.what()) +
                         "): each line must be one JSON object, e.g. {\"text\": \"...\", \"label\": \"...\"}",
                     false, 0});
      return;
    }
    if (!v.is_object()) {
      out.push_back({ln.number, 0, std::string("the line holds ") + typeName(v) +
                                       ", not a JSON object: write {\"text\": \"...\", \"label\": \"...\"}",
                     false, 0});
      return;
    }
    objs.push_back({std::move(v), ln.number});
    out.push_back({ln.number, 0, {}, true, objs.size() - 1});
  };

  while (objects.size() < 200) {
    if (!lines.next(l)) break;
    parseLine(l, pending, objects);
  }
  const bool more = objects.size() >= 200;

  std::vector<std::string> names;
  for (const auto& o : objects)
    for (const auto& [key, value] : o.object.items())
      if (std::find(names.begin(), names.end(), key) == names.end()) names.push_back(key);
  if (objects.empty()) {
    if (!sawContent) sink.fatal(0, "file is empty: it needs one JSON object per line, e.g. {\"text\": \"...\", \"label\": \"...\"}");
    for (const auto& p : pending) {
      ++result.rowsRead;
      sink.row(p.line, p.column, p.message);
    }
    return;  // every line had a problem: the caller reports that nothing is usable
  }
  std::vector<std::vector<std::string>> values;
  for (const auto& o : objects) {
    std::vector<std::string> row;
    for (const auto& n : names) {
      const auto it = o.object.find(n);
      row.push_back(it == o.object.end() ? std::string() : previewValue(*it));
    }
    values.push_back(std::move(row));
  }
  ColumnRequest request{options.textColumn, options.labelColumn, options.responseColumn, options.task, "field"};
  const ColumnChoice cols = chooseColumns(names, values, request);
  if (!cols.error.empty()) sink.fatal(objects.front().line, cols.error);
  for (const auto& n : cols.notes) result.notes.push_back(n);
  result.textColumn = names[static_cast<std::size_t>(cols.text)];
  if (cols.label >= 0) result.labelColumn = names[static_cast<std::size_t>(cols.label)];
  if (cols.response >= 0) result.responseColumn = names[static_cast<std::size_t>(cols.response)];

  ObjectChecker checker(names, cols, options, sink, result);
  auto flush = [&] {
    for (const auto& p : pending) {
      ++result.rowsRead;
      if (p.isObject) checker.add(objects[p.objectIndex].object, p.line);
      else sink.row(p.line, p.column, p.message);
    }
    pending.clear();
    objects.clear();
  };
  flush();
  if (!more) return;
  while (lines.next(l)) {
    parseLine(l, pending, objects);
    flush();
  }
}

}  // namespace fts::data::detail
