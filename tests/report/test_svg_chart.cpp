// SVG line charts for reports: ticks, one path per series, a legend, and refusals.
#include "core/report/SvgLineChart.h"

#include <QtTest>

class TestSvgChart : public QObject {
  Q_OBJECT
 private slots:
  void niceTicksUseOneTwoFive() {
    QCOMPARE(fts::niceTicks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
    QCOMPARE(fts::niceTicks(0.013, 0.061, 5), (std::vector<double>{0.02, 0.03, 0.04, 0.05, 0.06}));
    QCOMPARE(fts::niceTicks(3, 3, 5), (std::vector<double>{3}));
  }

  void drawsEverySeriesWithALegend() {
    fts::ChartSeries a{"training loss", {{0, 5}, {1, 4}, {2, 3.5}}, "", false};
    fts::ChartSeries b{"held-out <loss>", {{1, 4.2}, {2, 3.9}}, "#d62728", true};
    fts::ChartOptions o;
    o.title = "run & curve";
    o.xLabel = "tokens";
    o.yLabel = "loss";
    const std::string svg = fts::renderSvgLineChart({a, b}, o);
    QVERIFY(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    QCOMPARE(QString::fromStdString(svg).count("<path"), 2);
    QCOMPARE(QString::fromStdString(svg).count("<circle"), 2);  // markers of the sparse series
    QVERIFY(svg.find("held-out &lt;loss&gt;") != std::string::npos);  // escaped
    QVERIFY(svg.find("run &amp; curve") != std::string::npos);
    QVERIFY(svg.find("</svg>") != std::string::npos);
  }

  void refusesNothingAndNonPositiveLogValues() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fts::renderSvgLineChart({{"empty", {}, "", false}}, {}));
    fts::ChartOptions o;
    o.logY = true;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fts::renderSvgLineChart({{"zero", {{0, 1}, {1, 0}}, "", false}}, o));
  }
};

QTEST_APPLESS_MAIN(TestSvgChart)
#include "test_svg_chart.moc"
