// config.json's rotary scaling as LlamaConfig reads and writes it: rope_scaling (transformers 4, with
// "rope_type" or the older "type") and rope_parameters (transformers 5, rope_theta inside), the types
// linear and llama3 and their inverse frequencies, every other type refused by name with the file's
// name, the form kept on writing so an export round-trips, and what the GGUF importer writes read back.
// The logits these frequencies give are checked against PyTorch in test_llama_reference and against
// transformers in interop/check_rope_scaling.py.
#include "core/import/LlamaFromGguf.h"
#include "core/model/LlamaConfig.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <cmath>

namespace {

// A tiny config.json with `extra` merged over it (fields set to null are removed).
std::string configText(const std::string& extra) {
  auto j = nlohmann::json::parse(R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64,
      "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4,
      "num_key_value_heads": 2, "max_position_embeddings": 64, "rope_theta": 10000.0})");
  j.merge_patch(nlohmann::json::parse(extra));
  return j.dump();
}

fts::LlamaConfig parse(const std::string& extra) { return fts::LlamaConfig::fromJson(configText(extra), "/models/x/config.json"); }

QString refusal(const std::string& extra) {
  try {
    parse(extra);
  } catch (const std::exception& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

}  // namespace

class TestRopeScaling : public QObject {
  Q_OBJECT

 private slots:
  void readsEverySpelling() {
    auto none = parse(R"({"rope_scaling": null})");
    QCOMPARE(none.rope_scaling.rope_type, std::string("default"));
    QVERIFY(!none.rope_scaling.scaled());

    auto linear = parse(R"({"rope_scaling": {"rope_type": "linear", "factor": 2}})");
    QCOMPARE(linear.rope_scaling.rope_type, std::string("linear"));
    QCOMPARE(linear.rope_scaling.factor, 2.0);
    QCOMPARE(linear.rope_scaling.field, std::string("rope_scaling"));

    auto older = parse(R"({"rope_scaling": {"type": "linear", "factor": 4.0}})");
    QCOMPARE(older.rope_scaling.rope_type, std::string("linear"));
    QCOMPARE(older.rope_scaling.factor, 4.0);

    // Llama 3.1's own spelling.
    auto llama3 = parse(R"({"rope_theta": 500000.0, "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0,
        "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"}})");
    QCOMPARE(llama3.rope_scaling.rope_type, std::string("llama3"));
    QCOMPARE(llama3.rope_scaling.factor, 8.0);
    QCOMPARE(llama3.rope_scaling.low_freq_factor, 1.0);
    QCOMPARE(llama3.rope_scaling.high_freq_factor, 4.0);
    QCOMPARE(llama3.rope_scaling.original_max_position_embeddings, 8192);
    QCOMPARE(llama3.rope_theta, 500000.0);

    // transformers 5: no top-level rope_theta, everything in rope_parameters (both type keys, as it saves them).
    auto v5 = parse(R"({"rope_theta": null, "rope_parameters": {"type": "linear", "rope_type": "linear", "factor": 2.0,
        "rope_theta": 250000.0}})");
    QCOMPARE(v5.rope_scaling.rope_type, std::string("linear"));
    QCOMPARE(v5.rope_scaling.field, std::string("rope_parameters"));
    QCOMPARE(v5.rope_theta, 250000.0);
    auto v5plain = parse(R"({"rope_theta": null, "rope_parameters": {"rope_type": "default", "rope_theta": 100000.0}})");
    QVERIFY(!v5plain.rope_scaling.scaled());
    QCOMPARE(v5plain.rope_theta, 100000.0);

    // Both present: rope_scaling wins, as in transformers 5.
    auto both = parse(R"({"rope_scaling": {"rope_type": "linear", "factor": 3.0}, "rope_parameters": {"rope_type": "default"}})");
    QCOMPARE(both.rope_scaling.rope_type, std::string("linear"));
    QCOMPARE(both.rope_scaling.factor, 3.0);

    // llama3 without original_max_position_embeddings: max_position_embeddings, transformers 5's default.
    auto noOriginal = parse(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0}})");
    QCOMPARE(noOriginal.rope_scaling.original_max_position_embeddings, 0);
    auto withOriginal = parse(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 64}})");
    QCOMPARE(noOriginal.ropeInverseFrequencies(), withOriginal.ropeInverseFrequencies());
  }

  void inverseFrequencies() {
    // Head size 16, theta 1e4: theta^(-2i/16) = 1, 0.316, 0.1, ... Values worked out apart from the code
    // (Python, from the formula): llama3 with factor 8, low 1, high 4, original 32 keeps the first
    // (wavelength 6.28 < 32/4), blends the second (wavelength 19.9, smooth 0.2035), divides the rest by 8.
    const auto plain = parse("{}").ropeInverseFrequencies();
    QCOMPARE(plain.size(), size_t(8));
    const auto linear = parse(R"({"rope_scaling": {"rope_type": "linear", "factor": 2.0}})").ropeInverseFrequencies();
    const auto llama3 = parse(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
        "high_freq_factor": 4.0, "original_max_position_embeddings": 32}})").ropeInverseFrequencies();
    const double expectedPlain[] = {1.0, 0.31622776601683794, 0.1, 0.03162277660168379, 0.01, 0.0031622776601683794, 0.001,
                                    0.00031622776601683794};
    const double expectedLlama3[] = {1.0, 0.09583998588296266, 0.0125, 0.003952847075210474, 0.00125, 0.0003952847075210474,
                                     0.000125, 3.952847075210474e-05};
    for (size_t i = 0; i < 8; ++i) {
      QVERIFY2(std::abs(plain[i] - expectedPlain[i]) < 1e-12 * expectedPlain[i], qPrintable(QString("default %1").arg(i)));
      QVERIFY2(std::abs(linear[i] - expectedPlain[i] / 2) < 1e-12 * expectedPlain[i], qPrintable(QString("linear %1").arg(i)));
      QVERIFY2(std::abs(llama3[i] - expectedLlama3[i]) < 1e-12 * expectedLlama3[i],
               qPrintable(QString("llama3 %1: %2, expected %3").arg(i).arg(llama3[i], 0, 'g', 17).arg(expectedLlama3[i], 0, 'g', 17)));
    }
  }

  void otherTypesAreRefusedByName_data() {
    QTest::addColumn<QString>("extra");
    QTest::addColumn<QString>("type");
    QTest::newRow("yarn") << R"({"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32}})" << "yarn";
    QTest::newRow("dynamic, older key") << R"({"rope_scaling": {"type": "dynamic", "factor": 2.0}})" << "dynamic";
    QTest::newRow("longrope") << R"({"rope_scaling": {"rope_type": "longrope", "short_factor": [1], "long_factor": [2]}})" << "longrope";
    QTest::newRow("su") << R"({"rope_scaling": {"type": "su", "short_factor": [1], "long_factor": [2]}})" << "su";
    QTest::newRow("yarn in rope_parameters") << R"({"rope_parameters": {"rope_type": "yarn", "factor": 4.0, "rope_theta": 1e4}})" << "yarn";
  }

  void otherTypesAreRefusedByName() {
    QFETCH(QString, extra);
    QFETCH(QString, type);
    const QString message = refusal(extra.toStdString());
    QVERIFY2(message.contains("/models/x/config.json"), qPrintable(message));
    QVERIFY2(message.contains("'" + type + "' is not supported"), qPrintable(message));
    QVERIFY2(message.contains("linear and llama3"), qPrintable(message));
  }

  void missingParametersAreNamed() {
    QString m = refusal(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "high_freq_factor": 4.0}})");
    QVERIFY2(m.contains("/models/x/config.json") && m.contains("'low_freq_factor'"), qPrintable(m));
    m = refusal(R"({"rope_scaling": {"rope_type": "linear"}})");
    QVERIFY2(m.contains("'factor'"), qPrintable(m));
    m = refusal(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 1.0}})");
    QVERIFY2(m.contains("high_freq_factor must be larger"), qPrintable(m));
    m = refusal(R"({"rope_scaling": {"rope_type": "linear", "factor": 0}})");
    QVERIFY2(m.contains("factor must be positive"), qPrintable(m));
    m = refusal(R"({"rope_scaling": "linear"})");
    QVERIFY2(m.contains("rope_scaling must be an object"), qPrintable(m));
  }

  // toJson writes the scaling in the field and with the keys it was read with; reading that back gives
  // the same config, and keys we do not use stay.
  void writesItBackAsRead() {
    auto roundTrip = [](const fts::LlamaConfig& c) { return nlohmann::json::parse(c.toJson("LlamaForCausalLM")); };

    auto older = parse(R"({"rope_scaling": {"type": "linear", "factor": 2.0, "finetuned": true}})");
    auto j = roundTrip(older);
    QVERIFY(!j.contains("rope_parameters"));
    QCOMPARE(j["rope_scaling"], nlohmann::json::parse(R"({"type": "linear", "factor": 2.0, "finetuned": true})"));
    QCOMPARE(j["rope_theta"].get<double>(), 10000.0);

    auto v5 = parse(R"({"rope_theta": null, "rope_parameters": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
        "high_freq_factor": 4.0, "original_max_position_embeddings": 16, "rope_theta": 500000.0}})");
    j = roundTrip(v5);
    QVERIFY(!j.contains("rope_scaling"));
    QCOMPARE(j["rope_parameters"]["rope_type"].get<std::string>(), std::string("llama3"));
    QCOMPARE(j["rope_parameters"]["rope_theta"].get<double>(), 500000.0);
    QCOMPARE(j["rope_parameters"]["original_max_position_embeddings"].get<int>(), 16);
    const auto again = fts::LlamaConfig::fromJson(j.dump(), "again");
    QCOMPARE(again.rope_scaling.rope_type, v5.rope_scaling.rope_type);
    QCOMPARE(again.rope_scaling.field, std::string("rope_parameters"));
    QCOMPARE(again.rope_theta, 500000.0);
    QCOMPARE(again.ropeInverseFrequencies(), v5.ropeInverseFrequencies());

    // Unscaled and never spelled out: no rope_scaling key, as before.
    QVERIFY(!roundTrip(parse("{}")).contains("rope_scaling"));
    QVERIFY(!roundTrip(parse(R"({"rope_scaling": null})")).contains("rope_scaling"));
    // Set in code (no source): rope_scaling with rope_type, transformers 4's spelling that 5 reads too.
    fts::LlamaConfig c = parse("{}");
    c.rope_scaling.rope_type = "linear";
    c.rope_scaling.factor = 3.0;
    QCOMPARE(roundTrip(c)["rope_scaling"], nlohmann::json::parse(R"({"rope_type": "linear", "factor": 3.0})"));
  }

  // What core/import writes into config.json for a GGUF with scaled rotary embeddings loads here.
  void readsWhatTheGgufImporterWrites() {
    fts::GgufLlamaShape s;
    s.vocabSize = 64;
    s.hiddenSize = 64;
    s.intermediateSize = 128;
    s.layers = 1;
    s.heads = 4;
    s.kvHeads = 2;
    s.contextLength = 131072;
    s.ropeTheta = 500000.0;
    s.bosId = 1;
    s.eosId = 2;
    s.ropeScalingJson = R"({"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192})";
    auto c = fts::LlamaConfig::fromJson(fts::hfLlamaConfigJson(s, "float32"), "imported config.json");
    QCOMPARE(c.rope_scaling.rope_type, std::string("llama3"));
    QCOMPARE(c.rope_scaling.original_max_position_embeddings, 8192);
    s.ropeScalingJson = R"({"rope_type":"linear","factor":4.0})";
    c = fts::LlamaConfig::fromJson(fts::hfLlamaConfigJson(s, "float32"), "imported config.json");
    QCOMPARE(c.rope_scaling.rope_type, std::string("linear"));
    QCOMPARE(c.rope_scaling.factor, 4.0);
    s.ropeScalingJson.clear();
    c = fts::LlamaConfig::fromJson(fts::hfLlamaConfigJson(s, "float32"), "imported config.json");
    QVERIFY(!c.rope_scaling.scaled());
    // yarn (which the importer refuses up front) is refused by name when a folder holding it is loaded.
    s.ropeScalingJson = R"({"rope_type":"yarn","factor":4.0,"original_max_position_embeddings":4096})";
    try {
      fts::LlamaConfig::fromJson(fts::hfLlamaConfigJson(s, "float32"), "imported config.json");
      QFAIL("yarn was accepted");
    } catch (const std::exception& e) {
      QVERIFY2(QString(e.what()).contains("'yarn' is not supported"), e.what());
    }
  }

  // The rest of a Llama 3.x config.json: a list of end ids, head_dim, mlp_bias.
  void llama3FolderFields() {
    auto c = parse(R"({"eos_token_id": [128001, 128008, 128009], "vocab_size": 128256, "head_dim": 16, "mlp_bias": false})");
    QCOMPARE(c.eos_token_id, 128001);
    QCOMPARE(c.eos_token_ids, (std::vector<int>{128001, 128008, 128009}));
    QCOMPARE(nlohmann::json::parse(c.toJson("LlamaForCausalLM"))["eos_token_id"], nlohmann::json::parse("[128001, 128008, 128009]"));
    QCOMPARE(parse(R"({"eos_token_id": 7})").eos_token_ids.size(), size_t(0));
    QString m = refusal(R"({"head_dim": 32})");
    QVERIFY2(m.contains("head_dim is 32") && m.contains("/models/x/config.json"), qPrintable(m));
    m = refusal(R"({"mlp_bias": true})");
    QVERIFY2(m.contains("mlp_bias"), qPrintable(m));
  }
};

QTEST_GUILESS_MAIN(TestRopeScaling)
#include "test_rope_scaling.moc"
