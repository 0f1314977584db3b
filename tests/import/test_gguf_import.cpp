// GGUF -> Hugging Face folder, end to end on files our own exporter writes: a tiny random Llama (GQA,
// q/k/v/o biases, tied and untied embeddings) exported as F32 and Q8_0, imported, loaded back by
// core/io/HfModelFolder and compared by logits; the rebuilt tokenizer files (SentencePiece from a
// "llama" vocabulary, tokenizer.json from a "gpt2" one); and the refusals: a truncated file, a tensor
// type the importer does not decode, another architecture, an unknown pre-tokenizer.
#include "tests/export/ExportFixtures.h"

#include "core/export/GgufReader.h"
#include "core/export/LlamaGguf.h"
#include "core/import/GgufImport.h"
#include "core/import/LlamaFromGguf.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace fts;
namespace fs = std::filesystem;

namespace {

const std::vector<int64_t> kIds = {1, 17, 42, 5, 99, 250, 3, 77, 120, 8, 64, 200};

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

// GPT-2's byte-to-unicode table: printable bytes stand for themselves, the rest for U+0100 upwards.
std::vector<std::string> byteLevelAlphabet() {
  std::vector<std::string> out(256);
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const int cp = printable ? b : next++;
    std::string s;
    if (cp < 0x80) s += static_cast<char>(cp);
    else {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    out[b] = s;
  }
  return out;
}

std::string readAll(const fs::path& p) { return readWholeFile(p); }

}  // namespace

class TestGgufImport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::unique_ptr<SentencePieceTokenizer> tok_;

  fs::path path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

  LlamaForTask tinyModel(bool tied, uint64_t seed) const {
    LlamaForTask model(exportfx::config(tok_->vocabSize() + 5, false, tied), HeadKind::CausalLM);
    exportfx::randomize(*model, seed);
    model->eval();
    return model;
  }

  LlamaForTask loadFolder(const fs::path& folder) const {
    LlamaForTask loaded(loadHfConfig(folder), HeadKind::CausalLM);
    loadHfWeights(loaded, findHfModelFiles(folder));
    loaded->eval();
    return loaded;
  }

  // The GGUF exporter's file for `model`, with `edit` applied to its metadata before writing.
  fs::path writeGguf(const LlamaForTask& model, GgmlType type, const std::string& name,
                     const std::function<void(GgufWriter&)>& edit = {}) const {
    GgufWriter w = llamaToGguf(model, *tok_, type, "tiny");
    if (edit) edit(w);
    const fs::path file = path(name);
    w.write(file);
    return file;
  }

  template <typename Fn>
  static QString inputError(Fn fn) {
    try {
      fn();
    } catch (const GgufImportInputError& e) {
      return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      return "WRONG EXCEPTION TYPE: " + QString::fromStdString(e.what());
    }
    return "NO ERROR";
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    tok_ = std::make_unique<SentencePieceTokenizer>(exportfx::trainTokenizer(path("tokenizer.model")));
  }

  void f32RoundTripGivesTheSameLogits_data() {
    QTest::addColumn<bool>("tied");
    QTest::newRow("untied") << false;
    QTest::newRow("tied") << true;
  }
  void f32RoundTripGivesTheSameLogits() {
    QFETCH(bool, tied);
    auto model = tinyModel(tied, tied ? 11 : 12);
    const fs::path gguf = writeGguf(model, GgmlType::F32, tied ? "tied.gguf" : "untied.gguf");
    const fs::path out = path(tied ? "tied-hf" : "untied-hf");
    int progressCalls = 0;
    GgufImportOptions o;
    o.dtype = SafetensorsDtype::F32;
    o.progress = [&](const GgufImportProgress& p) {
      ++progressCalls;
      QVERIFY(p.index >= 1 && p.index <= p.count);
    };
    const GgufImportResult r = importGguf(gguf, out, o);
    QCOMPARE(r.architecture, std::string("LlamaForCausalLM"));
    QCOMPARE(r.tokenizerKind, std::string("sentencepiece"));
    int64_t params = 0;
    for (const auto& p : model->parameters()) params += p.numel();
    QCOMPARE(r.parameters, params);
    QCOMPARE(progressCalls, static_cast<int>(r.tensors));

    const LlamaConfig c = loadHfConfig(out);
    QCOMPARE(c.tie_word_embeddings, tied);
    QVERIFY(c.attention_bias);
    QCOMPARE(c.kvHeads(), 2);
    QCOMPARE(c.rope_theta, 10000.0);
    auto loaded = loadFolder(out);
    const double diff = maxAbsDiff(exportfx::logits(model, kIds), exportfx::logits(loaded, kIds));
    qInfo("f32 %s: max |logit difference| = %.3g", tied ? "tied" : "untied", diff);
    QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
    // Every weight is back bit for bit (the q/k rows in HF's order, not only an equivalent rotation).
    auto orig = model->named_parameters(), back = loaded->named_parameters();
    for (const auto& item : orig) QVERIFY2(torch::equal(item.value(), back[item.key()]), item.key().c_str());

    // The SentencePiece vocabulary comes back as a tokenizer.model our loader reads, pieces, scores
    // and special ids unchanged.
    const SentencePieceTokenizer t = SentencePieceTokenizer::fromModelFolder(out);
    QCOMPARE(t.vocabSize(), tok_->vocabSize() + 5);
    for (int id = 0; id < tok_->vocabSize(); ++id) {
      QCOMPARE(t.piece(id), tok_->piece(id));
      QCOMPARE(t.score(id), tok_->score(id));
    }
    QCOMPARE(t.unkId(), tok_->unkId());
    QCOMPARE(t.bosId(), tok_->bosId());
    QCOMPARE(t.eosId(), tok_->eosId());
    QCOMPARE(t.decode(t.encode("the quick brown fox")), std::string("the quick brown fox"));
    const auto cfg = nlohmann::json::parse(readAll(out / "tokenizer_config.json"));
    QCOMPARE(cfg["add_bos_token"].get<bool>(), true);
    QCOMPARE(cfg["bos_token"].get<std::string>(), tok_->piece(tok_->bosId()));
  }

  void q8_0MatchesTheReadersDequantization() {
    // The exporter's own reader (LlamaGguf's loadLlamaFromGguf) dequantizes Q8_0 independently: the
    // imported folder must hold the same weights.
    auto model = tinyModel(false, 21);
    const fs::path gguf = writeGguf(model, GgmlType::Q8_0, "q8.gguf");
    GgufImportOptions o;
    o.dtype = SafetensorsDtype::F32;
    const GgufImportResult r = importGguf(gguf, path("q8-hf"), o);
    QVERIFY(r.storedTypes.count("Q8_0"));
    auto loaded = loadFolder(path("q8-hf"));
    GgufReader reader(gguf);
    LlamaForTask reference(llamaConfigFromGguf(reader), HeadKind::CausalLM);
    loadLlamaFromGguf(reference, reader);
    reference->eval();
    const double vsReader = maxAbsDiff(exportfx::logits(reference, kIds), exportfx::logits(loaded, kIds));
    const double vsOriginal = maxAbsDiff(exportfx::logits(model, kIds), exportfx::logits(loaded, kIds));
    const double scale = exportfx::logits(model, kIds).abs().max().item<double>();
    qInfo("q8_0: max |logit difference| vs the reader's dequantization %.3g, vs the f32 original %.3g (logits up to %.3g)", vsReader,
          vsOriginal, scale);
    QVERIFY2(vsReader <= 1e-5, qPrintable(QString::number(vsReader)));
    QVERIFY2(vsOriginal <= 0.05 * scale, qPrintable(QString::number(vsOriginal)));
  }

  void bf16WeightsAreTheRoundedF32() {
    auto model = tinyModel(true, 31);
    const fs::path gguf = writeGguf(model, GgmlType::F32, "bf.gguf");
    importGguf(gguf, path("bf-hf"));  // bf16 by default
    const auto config = nlohmann::json::parse(readAll(path("bf-hf") / "config.json"));
    QCOMPARE(config["torch_dtype"].get<std::string>(), std::string("bfloat16"));
    auto loaded = loadFolder(path("bf-hf"));
    auto orig = model->named_parameters(), back = loaded->named_parameters();
    for (const auto& item : orig)
      QVERIFY2(torch::equal(item.value().to(torch::kBFloat16).to(torch::kFloat32), back[item.key()]), item.key().c_str());
    // Importing again over the earlier import replaces it whole.
    importGguf(gguf, path("bf-hf"));
    QVERIFY(fs::exists(path("bf-hf") / "model.safetensors"));
  }

  void gpt2VocabularyBecomesTokenizerJson() {
    auto model = tinyModel(true, 41);
    const int vocab = tok_->vocabSize() + 5;
    std::vector<std::string> tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    std::vector<int32_t> types = {3, 3, 3};
    for (const auto& s : byteLevelAlphabet()) {
      tokens.push_back(s);
      types.push_back(1);
    }
    for (const char* merged : {"\xC4\xA0t", "he", "\xC4\xA0the", "<tool>"}) {
      tokens.push_back(merged);
      types.push_back(std::string(merged) == "<tool>" ? 4 : 1);
    }
    while (static_cast<int>(tokens.size()) < vocab) {
      tokens.push_back("<unused" + std::to_string(tokens.size()) + ">");
      types.push_back(5);
    }
    const std::string chat = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}";
    auto gpt2 = [&](const std::string& pre, bool addBos) {
      return [=](GgufWriter& w) {
        w.set("tokenizer.ggml.model", GgufValue::string("gpt2"));
        w.set("tokenizer.ggml.pre", GgufValue::string(pre));
        w.set("tokenizer.ggml.tokens", GgufValue::strings(tokens));
        w.set("tokenizer.ggml.token_type", GgufValue::i32s(types));
        w.set("tokenizer.ggml.merges", GgufValue::strings({"\xC4\xA0 t", "h e", "\xC4\xA0t he"}));
        w.set("tokenizer.ggml.bos_token_id", GgufValue::u32(1));
        w.set("tokenizer.ggml.eos_token_id", GgufValue::u32(2));
        w.set("tokenizer.ggml.unknown_token_id", GgufValue::u32(0));
        w.set("tokenizer.ggml.padding_token_id", GgufValue::u32(2));
        w.set("tokenizer.ggml.add_bos_token", GgufValue::boolean(addBos));
        w.set("tokenizer.chat_template", GgufValue::string(chat));
      };
    };
    const GgufImportResult r = importGguf(writeGguf(model, GgmlType::F32, "bpe.gguf", gpt2("smollm", false)), path("bpe-hf"));
    QCOMPARE(r.tokenizerKind, std::string("bpe"));
    QVERIFY(!fs::exists(path("bpe-hf") / "tokenizer.model"));
    const auto t = nlohmann::json::parse(readAll(path("bpe-hf") / "tokenizer.json"));
    QCOMPARE(t["model"]["type"].get<std::string>(), std::string("BPE"));
    QCOMPARE(static_cast<int>(t["model"]["vocab"].size()), vocab);
    QCOMPARE(t["model"]["vocab"]["\xC4\xA0the"].get<int>(), 3 + 256 + 2);
    QCOMPARE(t["model"]["merges"].size(), size_t{3});
    QCOMPARE(t["model"]["merges"][2].get<std::string>(), std::string("\xC4\xA0t he"));
    // Control tokens are special added tokens, user-defined ones added but not special.
    QCOMPARE(t["added_tokens"].size(), size_t{4});
    QCOMPARE(t["added_tokens"][1]["content"].get<std::string>(), std::string("<|im_start|>"));
    QVERIFY(t["added_tokens"][1]["special"].get<bool>());
    QVERIFY(!t["added_tokens"][3]["special"].get<bool>());
    // SmolLM splits digits apart, then as GPT-2, then maps bytes.
    const auto& pre = t["pre_tokenizer"]["pretokenizers"];
    QCOMPARE(pre.size(), size_t{3});
    QCOMPARE(pre[0]["pattern"]["Regex"].get<std::string>(), std::string(R"(\p{N})"));
    QCOMPARE(pre[2]["type"].get<std::string>(), std::string("ByteLevel"));
    QCOMPARE(t["decoder"]["type"].get<std::string>(), std::string("ByteLevel"));
    QCOMPARE(t["post_processor"]["type"].get<std::string>(), std::string("ByteLevel"));
    const auto cfg = nlohmann::json::parse(readAll(path("bpe-hf") / "tokenizer_config.json"));
    QCOMPARE(cfg["chat_template"].get<std::string>(), chat);
    QCOMPARE(cfg["bos_token"].get<std::string>(), std::string("<|im_start|>"));
    QCOMPARE(cfg["eos_token"].get<std::string>(), std::string("<|im_end|>"));
    QCOMPARE(cfg["add_bos_token"].get<bool>(), false);

    // Llama 3's pre-tokenizer, with BOS added by a template post-processor.
    importGguf(writeGguf(model, GgmlType::F32, "bpe3.gguf", gpt2("llama-bpe", true)), path("bpe3-hf"));
    const auto t3 = nlohmann::json::parse(readAll(path("bpe3-hf") / "tokenizer.json"));
    QVERIFY(t3["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"].get<std::string>().find(R"(\p{N}{1,3})") != std::string::npos);
    QCOMPARE(t3["post_processor"]["type"].get<std::string>(), std::string("TemplateProcessing"));
    QCOMPARE(t3["post_processor"]["single"][0]["SpecialToken"]["id"].get<std::string>(), std::string("<|im_start|>"));
    QVERIFY(t3["model"]["ignore_merges"].get<bool>());

    const QString e = inputError([&] { importGguf(writeGguf(model, GgmlType::F32, "bpe-x.gguf", gpt2("mystery-pre", false)), path("x-hf")); });
    QVERIFY2(e.contains("mystery-pre") && e.contains("bpe-x.gguf"), qPrintable(e));
    QVERIFY(!fs::exists(path("x-hf")));
  }

  void truncatedFileIsAClearError() {
    auto model = tinyModel(false, 51);
    const fs::path gguf = writeGguf(model, GgmlType::Q8_0, "whole.gguf");
    const std::string bytes = readAll(gguf);
    // The file ends in padding to the 32-byte alignment: cutting 40 bytes always cuts into the last tensor.
    for (size_t keep : {bytes.size() - 40, bytes.size() / 2, size_t{300}}) {
      const fs::path cut = path("cut.gguf");
      writeFileAtomically(cut, std::string_view(bytes).substr(0, keep));
      const QString e = inputError([&] { importGguf(cut, path("cut-hf")); });
      QVERIFY2(e.contains("cut.gguf") && (e.contains("truncated") || e.contains("ends inside")), qPrintable(e));
      QVERIFY(!fs::exists(path("cut-hf")));
    }
  }

  void unknownTensorTypeIsRefusedByName() {
    auto model = tinyModel(false, 61);
    const fs::path gguf = writeGguf(model, GgmlType::F32, "iq.gguf");
    std::string bytes = readAll(gguf);
    // The tensor info of blk.0.attn_q.weight: name, uint32 dims (2), two uint64 sizes, uint32 type.
    const std::string name = "blk.0.attn_q.weight";
    const size_t at = bytes.find(name);
    QVERIFY(at != std::string::npos);
    const size_t typeAt = at + name.size() + 4 + 2 * 8;
    uint32_t type = 16;  // IQ2_XXS
    std::memcpy(bytes.data() + typeAt, &type, 4);
    writeFileAtomically(gguf, bytes);
    const QString e = inputError([&] { importGguf(gguf, path("iq-hf")); });
    QVERIFY2(e.contains("IQ2_XXS") && e.contains(QString::fromStdString(name)) && e.contains("iq.gguf"), qPrintable(e));
  }

  void otherArchitecturesAreRefusedByName() {
    auto model = tinyModel(false, 71);
    const fs::path gguf = writeGguf(model, GgmlType::F32, "qwen.gguf", [](GgufWriter& w) { w.set("general.architecture", GgufValue::string("qwen2")); });
    const QString e = inputError([&] { importGguf(gguf, path("qwen-hf")); });
    QVERIFY2(e.contains("'qwen2'") && e.contains("qwen.gguf"), qPrintable(e));
    const QString missing = inputError([&] { importGguf(path("no-such.gguf"), path("none-hf")); });
    QVERIFY2(missing.contains("no-such.gguf"), qPrintable(missing));
  }

  void ropeScalingBecomesHfsRopeScaling() {
    auto model = tinyModel(false, 81);
    // llama.rope.scaling.* metadata: linear.
    importGguf(writeGguf(model, GgmlType::F32, "linear.gguf", [](GgufWriter& w) {
                 w.set("llama.rope.scaling.type", GgufValue::string("linear"));
                 w.set("llama.rope.scaling.factor", GgufValue::f32(4.0f));
               }),
               path("linear-hf"));
    auto c = nlohmann::json::parse(readAll(path("linear-hf") / "config.json"));
    QCOMPARE(c["rope_scaling"]["rope_type"].get<std::string>(), std::string("linear"));
    QCOMPARE(c["rope_scaling"]["factor"].get<double>(), 4.0);
    QVERIFY(nlohmann::json::parse(readAll(path("untied-hf") / "config.json"))["rope_scaling"].is_null());

    // Llama 3.1's scaling as llama.cpp's converter stores it: rope_freqs.weight, one divisor per
    // frequency (here computed from transformers' formula: factor 8, low 1, high 4, original 8192).
    const int Dh = 16;
    const double theta = 500000.0;
    std::vector<float> divisors;
    for (int i = 0; i < Dh; i += 2) {
      const double wavelen = 2 * M_PI * std::pow(theta, static_cast<double>(i) / Dh);
      const double smooth = (8192.0 / wavelen - 1.0) / (4.0 - 1.0);
      divisors.push_back(static_cast<float>(wavelen < 8192.0 / 4 ? 1.0 : wavelen > 8192.0 ? 8.0 : 1.0 / ((1 - smooth) / 8.0 + smooth)));
    }
    auto withFreqs = [&](std::vector<float> d) {
      return [d, theta](GgufWriter& w) {
        w.set("llama.rope.freq_base", GgufValue::f32(static_cast<float>(theta)));
        w.addTensor("rope_freqs.weight", {static_cast<int64_t>(d.size())}, d, GgmlType::F32);
      };
    };
    const GgufImportResult r = importGguf(writeGguf(model, GgmlType::F32, "llama3.gguf", withFreqs(divisors)), path("llama3-hf"));
    c = nlohmann::json::parse(readAll(path("llama3-hf") / "config.json"));
    QCOMPARE(c["rope_scaling"]["rope_type"].get<std::string>(), std::string("llama3"));
    QCOMPARE(c["rope_scaling"]["factor"].get<double>(), 8.0);
    QCOMPARE(c["rope_scaling"]["original_max_position_embeddings"].get<int>(), 8192);
    QCOMPARE(r.tensors, static_cast<int64_t>(model->parameters().size()));  // rope_freqs is not a weight
    // Divisors no Llama 3 parameters make are refused rather than guessed.
    divisors[1] *= 1.5f;
    const QString e = inputError([&] { importGguf(writeGguf(model, GgmlType::F32, "odd-rope.gguf", withFreqs(divisors)), path("odd-hf")); });
    QVERIFY2(e.contains("rope_freqs.weight") && e.contains("odd-rope.gguf"), qPrintable(e));
  }

  void unpermuteIsTheExportersInverse() {
    const int64_t heads = 3, Dh = 8, D = 5;
    auto w = torch::randn({heads * Dh, D});
    auto p = permuteQkForGguf(w, heads).contiguous();
    std::vector<float> v(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    unpermuteQkRows(v, heads * Dh, D, heads);
    QVERIFY(torch::equal(torch::from_blob(v.data(), {heads * Dh, D}, torch::kFloat32), w));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, unpermuteQkRows(v, heads * Dh, D, 5));
  }
};

QTEST_APPLESS_MAIN(TestGgufImport)
#include "test_gguf_import.moc"
