// Our AdamW (core/train/Optimizers) against the textbook update written with tensor ops
// (Loshchilov & Hutter, as torch.optim.AdamW): decoupled weight decay on the tensors that take it,
// per-parameter learning-rate scale, parameters without a gradient left alone, state that restores.
#include "core/train/Optimizers.h"

#include <torch/torch.h>

#include <QtTest>

#include <cmath>

class TestTrainOptimizers : public QObject {
  Q_OBJECT

 private slots:
  void adamWFollowsTheFormula() {
    torch::manual_seed(3);
    torch::set_num_threads(2);
    const fts::AdamWSettings s{0.9, 0.95, 1e-8, 0.1};
    // A matrix with decay, a vector without, one at half the learning rate, one that never gets a gradient.
    std::vector<fts::NamedParam> ps{{"w", torch::randn({301, 129}).set_requires_grad(true), true, 1.0},
                                    {"norm", torch::randn({129}).set_requires_grad(true), false, 1.0},
                                    {"low", torch::randn({77}).set_requires_grad(true), true, 0.5},
                                    {"frozen", torch::randn({5}).set_requires_grad(true), true, 1.0}};
    std::vector<torch::Tensor> p, m, v;
    for (auto& x : ps) {
      p.push_back(x.tensor.detach().clone());
      m.push_back(torch::zeros_like(x.tensor));
      v.push_back(torch::zeros_like(x.tensor));
    }
    auto opt = fts::makeAdamW(ps, s);
    const double lr = 3e-3;
    for (int step = 1; step <= 4; ++step) {
      opt->zeroGrad();
      for (size_t i = 0; i + 1 < ps.size(); ++i) ps[i].tensor.mutable_grad() = torch::randn_like(ps[i].tensor);
      opt->step(lr);
      const double bc1 = 1 - std::pow(s.beta1, step), bc2 = 1 - std::pow(s.beta2, step);
      for (size_t i = 0; i + 1 < ps.size(); ++i) {
        const auto& g = ps[i].tensor.grad();
        const double plr = lr * ps[i].lrScale;
        if (ps[i].decay) p[i] = p[i] * (1 - plr * s.weightDecay);
        m[i] = m[i] * s.beta1 + g * (1 - s.beta1);
        v[i] = v[i] * s.beta2 + g * g * (1 - s.beta2);
        p[i] = p[i] - (plr / bc1) * m[i] / ((v[i] / bc2).sqrt() + s.eps);
      }
    }
    for (size_t i = 0; i < ps.size(); ++i) {
      const double err = (ps[i].tensor.detach() - p[i]).abs().max().item<double>();
      QVERIFY2(err < 1e-6, qPrintable(QString("%1: max error %2").arg(QString::fromStdString(ps[i].name)).arg(err)));
    }
    QCOMPARE(opt->steps(), int64_t{4});

    // The state restores into a fresh optimizer, which then takes the same next step.
    auto state = opt->state();
    std::vector<fts::NamedParam> copy;
    for (auto& x : ps) copy.push_back({x.name, x.tensor.detach().clone().set_requires_grad(true), x.decay, x.lrScale});
    auto again = fts::makeAdamW(copy, s);
    again->loadState(state);
    for (size_t i = 0; i + 1 < ps.size(); ++i) {
      auto g = torch::randn_like(ps[i].tensor);
      ps[i].tensor.mutable_grad() = g;
      copy[i].tensor.mutable_grad() = g.clone();
    }
    opt->step(lr);
    again->step(lr);
    for (size_t i = 0; i < ps.size(); ++i) QVERIFY(torch::equal(ps[i].tensor.detach(), copy[i].tensor.detach()));
  }

  // clipGradNorm against torch::nn::utils::clip_grad_norm_ followed by the same step: the same norm,
  // the same parameters after the step, with clipping in force and without, for AdamW and SGD.
  void clipGradNormMatchesTorch_data() {
    QTest::addColumn<double>("maxNorm");
    QTest::addColumn<bool>("sgd");
    QTest::newRow("AdamW, clipped") << 0.5 << false;
    QTest::newRow("AdamW, below the limit") << 1e30 << false;
    QTest::newRow("SGD, clipped") << 0.5 << true;
  }
  void clipGradNormMatchesTorch() {
    QFETCH(double, maxNorm);
    QFETCH(bool, sgd);
    torch::manual_seed(5);
    auto make = [&](std::vector<fts::NamedParam>& ps) {
      return sgd ? fts::makeSgd(ps, fts::SgdSettings{0.9, 0.01}) : fts::makeAdamW(ps, fts::AdamWSettings{});
    };
    std::vector<fts::NamedParam> a{{"w", torch::randn({64, 33}).set_requires_grad(true), true, 1.0},
                                   {"b", torch::randn({33}).set_requires_grad(true), false, 1.0}};
    std::vector<fts::NamedParam> b;
    for (auto& p : a) b.push_back({p.name, p.tensor.detach().clone().set_requires_grad(true), p.decay, p.lrScale});
    auto oa = make(a), ob = make(b);
    for (int step = 0; step < 3; ++step) {
      oa->zeroGrad();
      ob->zeroGrad();
      for (size_t i = 0; i < a.size(); ++i) {
        auto g = torch::randn_like(a[i].tensor) * 3;
        a[i].tensor.mutable_grad() = g;
        b[i].tensor.mutable_grad() = g.clone();
      }
      const double na = torch::nn::utils::clip_grad_norm_({a[0].tensor, a[1].tensor}, maxNorm);
      const double nb = ob->clipGradNorm(maxNorm);
      QVERIFY2(std::abs(na - nb) <= 1e-5 * na, qPrintable(QString("norm %1 vs %2").arg(na).arg(nb)));
      oa->step(1e-2);
      ob->step(1e-2);
      for (size_t i = 0; i < a.size(); ++i) {
        const double err = (a[i].tensor.detach() - b[i].tensor.detach()).abs().max().item<double>();
        QVERIFY2(err < 1e-6, qPrintable(QString("%1: max error %2").arg(QString::fromStdString(a[i].name)).arg(err)));
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestTrainOptimizers)
#include "test_train_optimizers.moc"
